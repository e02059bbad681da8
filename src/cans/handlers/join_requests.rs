//! Join requests: a publicly listed CAN can be asked to let someone in; its organisers approve
//! or decline. The rules are acknowledged when asking, so approval completes the membership.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::CanNav;
use super::can::public_with_errors;
use crate::AppState;
use crate::cans::access::{CanAccess, CanViewer, Organiser};
use crate::cans::activity::{self, Entry};
use crate::cans::forms::{Join, JoinForm};
use crate::cans::queries;
use crate::error::{AppError, Result};
use crate::web::{CurrentMember, FlashKind, Form, Layout, Path, redirect_with_flash, time};

pub async fn create(
    State(state): State<AppState>,
    me: CurrentMember,
    viewer: CanViewer,
    ctx: Layout,
    Form(form): Form<JoinForm>,
) -> Result<Response> {
    let can = viewer.can;
    let home = format!("/c/{}", can.slug);
    if viewer.membership.is_some() {
        return redirect_with_flash(
            &state.db,
            me.session_id,
            FlashKind::Info,
            "You are already a member.",
            &home,
        )
        .await;
    }
    if !can.is_listed() {
        // CanViewer already hides invite-only CANs from non-members; this is belt and braces.
        return Err(AppError::NotFound);
    }
    let join = match Join::try_from(&form) {
        Ok(j) => j,
        Err(errors) => return public_with_errors(&state, ctx, can, errors, form.message).await,
    };
    let mut tx = state.db.begin().await?;
    let created = queries::insert_join_request(&mut tx, can.id, me.id, &join.message).await?;
    if created {
        activity::log(
            &mut *tx,
            can.id,
            me.id,
            "join_request.created",
            ("member", me.id),
            format!("{} asked to join", me.display_name),
        )
        .await?;
    }
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        me.session_id,
        FlashKind::Success,
        &format!("Your request to join {} is with its organisers. You will see it here once they answer.", can.name),
        &home,
    )
    .await
}

pub struct RequestRow {
    pub id: String,
    pub name: String,
    pub neighbourhood: String,
    pub message: String,
    pub asked: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/join_requests.html")]
pub struct ListPage {
    ctx: Layout,
    nav: CanNav,
    rows: Vec<RequestRow>,
}

pub async fn list(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
) -> Result<ListPage> {
    let tz = access.can.time_zone;
    let rows = queries::pending_requests(&state.db, access.can.id)
        .await?
        .into_iter()
        .map(|r| RequestRow {
            id: r.id.to_string(),
            name: r.display_name,
            neighbourhood: r.neighbourhood,
            message: r.message,
            asked: time::date_in(r.created_at, tz),
        })
        .collect();
    Ok(ListPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "join-requests"),
        rows,
    })
}

async fn decide(
    state: &AppState,
    access: &CanAccess<Organiser>,
    id: Uuid,
    approve: bool,
) -> Result<Response> {
    let can = &access.can;
    let mut tx = state.db.begin().await?;
    let Some(request) = queries::decide_request(&mut tx, can.id, id, approve, access.me.id).await?
    else {
        drop(tx);
        // Already decided (a second click): say so. Another CAN's id, or none: not found.
        if !queries::join_request_exists(&state.db, can.id, id).await? {
            return Err(AppError::NotFound);
        }
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Info,
            "That request was already answered.",
            &format!("/c/{}/join-requests", can.slug),
        )
        .await;
    };
    if approve {
        queries::add_membership(
            &mut tx,
            can.id,
            request.member_id,
            request.rules_acknowledged_at,
            None,
        )
        .await?;
    }
    activity::record(
        &mut *tx,
        Entry {
            can_id: can.id,
            actor_id: Some(access.me.id),
            action: if approve {
                "join_request.approved"
            } else {
                "join_request.declined"
            },
            subject_type: "member",
            subject_id: Some(request.member_id),
            summary: format!(
                "{} {} {}'s request to join",
                access.me.display_name,
                if approve { "approved" } else { "declined" },
                request.display_name
            ),
        },
    )
    .await?;
    tx.commit().await?;
    let text = if approve {
        format!("{} is now a member.", request.display_name)
    } else {
        format!("You declined {}'s request.", request.display_name)
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &text,
        &format!("/c/{}/join-requests", can.slug),
    )
    .await
}

pub async fn approve(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    decide(&state, &access, id, true).await
}

pub async fn decline(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    decide(&state, &access, id, false).await
}
