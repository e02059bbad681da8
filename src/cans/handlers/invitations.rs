//! Invitation links: organisers make them (single- or multi-use, expiring, revocable, optionally
//! mailed to someone); a person opens one, signs in or up, acknowledges the rules and joins.
//! Only a hash of each link's token is stored, so the link is shown once, when it is made.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::CanNav;
use crate::AppState;
use crate::cans::access::{CanAccess, Organiser};
use crate::cans::activity;
use crate::cans::forms::{InvitationForm, Join, JoinForm, NewInvitation};
use crate::cans::model::Can;
use crate::cans::queries::{self, InvitationByToken};
use crate::error::{AppError, Result};
use crate::outbox::{self, NewMail};
use crate::web::forms::FieldErrors;
use crate::web::{CurrentMember, FlashKind, Form, Layout, Path, redirect_with_flash, time, token};

pub struct InvitationRow {
    pub id: String,
    pub label: String,
    pub state: &'static str,
    pub uses: String,
    pub expires: String,
    pub created: String,
    pub revocable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/invitations.html")]
pub struct ListPage {
    ctx: Layout,
    nav: CanNav,
    form: InvitationForm,
    errors: FieldErrors,
    rows: Vec<InvitationRow>,
    /// The link just made: shown this once.
    created_link: Option<String>,
    created_for: String,
}

async fn list_page(
    state: &AppState,
    access: &CanAccess<Organiser>,
    ctx: Layout,
    form: InvitationForm,
    errors: FieldErrors,
    created: Option<(String, String)>,
) -> Result<ListPage> {
    let tz = access.can.time_zone;
    let now = chrono::Utc::now();
    let rows = queries::invitations(&state.db, access.can.id)
        .await?
        .into_iter()
        .map(|i| {
            let state = if i.revoked_at.is_some() {
                "Revoked"
            } else if i.uses >= i.max_uses {
                "Used up"
            } else if i.expires_at <= now {
                "Expired"
            } else {
                "Open"
            };
            let label = match (&i.email, i.note.is_empty()) {
                (Some(e), true) => format!("For {e}"),
                (Some(e), false) => format!("For {e} — {}", i.note),
                (None, false) => i.note.clone(),
                (None, true) => "Link".to_string(),
            };
            InvitationRow {
                id: i.id.to_string(),
                label,
                revocable: state == "Open",
                state,
                uses: format!("{} of {}", i.uses, i.max_uses),
                expires: time::date_in(i.expires_at, tz),
                created: format!("{} by {}", time::date_in(i.created_at, tz), i.created_by),
            }
        })
        .collect();
    let (created_link, created_for) = created.unzip();
    Ok(ListPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "invitations"),
        form,
        errors,
        rows,
        created_link,
        created_for: created_for.unwrap_or_default(),
    })
}

pub async fn list(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
) -> Result<ListPage> {
    list_page(
        &state,
        &access,
        ctx,
        InvitationForm::blank(),
        FieldErrors::new(),
        None,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Form(form): Form<InvitationForm>,
) -> Result<Response> {
    let new = match NewInvitation::try_from(&form) {
        Ok(n) => n,
        Err(errors) => {
            let page = list_page(&state, &access, ctx, form, errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let can = &access.can;
    let secret = token::random();
    let link = format!("{}/join/{secret}", state.config.public_url);

    let mut tx = state.db.begin().await?;
    let id = queries::insert_invitation(&mut tx, can.id, &new, &token::hash(&secret), access.me.id)
        .await?;
    if let Some(email) = &new.email {
        outbox::enqueue(
            &mut *tx,
            &NewMail {
                can_id: Some(can.id),
                to: email.as_str().to_string(),
                subject: format!(
                    "{} invites you to join {} on Canopy",
                    access.me.display_name, can.name
                ),
                body: invitation_mail(can, &access.me.display_name, &link, new.expires_in_days),
                dedupe_key: Some(format!("invitation:{id}")),
            },
        )
        .await?;
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "invitation.created",
        ("invitation", id),
        match &new.email {
            Some(e) => format!("{} invited {}", access.me.display_name, e.as_str()),
            None => format!(
                "{} made an invitation link for up to {} {}",
                access.me.display_name,
                new.max_uses,
                if new.max_uses == 1 {
                    "person"
                } else {
                    "people"
                }
            ),
        },
    )
    .await?;
    tx.commit().await?;

    let created_for = match &new.email {
        Some(e) => format!("We are sending it to {} as well.", e.as_str()),
        None => String::new(),
    };
    // The link is shown once, here: only its hash is kept.
    let page = list_page(
        &state,
        &access,
        ctx,
        InvitationForm::blank(),
        FieldErrors::new(),
        Some((link, created_for)),
    )
    .await?;
    Ok((StatusCode::CREATED, page).into_response())
}

fn invitation_mail(can: &Can, inviter: &str, link: &str, days: i32) -> String {
    format!(
        "Hello,\n\n{inviter} invites you to join {name}{place} on Canopy.\n\n\
         What it is for:\n{purpose}\n\n\
         To join, open this link, sign in or create an account, and read the group's rules for \
         participation:\n{link}\n\n\
         The link works for {days} days. If you were not expecting this, you can ignore it.\n",
        name = can.name,
        place = if can.place.is_empty() {
            String::new()
        } else {
            format!(" ({})", can.place)
        },
        purpose = can.purpose,
    )
}

pub async fn revoke(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let can = &access.can;
    let mut tx = state.db.begin().await?;
    let revoked = queries::revoke_invitation(&mut tx, can.id, id, access.me.id).await?;
    if !revoked {
        drop(tx);
        // Another CAN's invitation, or none at all: not found. One of ours already revoked: fine.
        if !queries::invitation_exists(&state.db, can.id, id).await? {
            return Err(AppError::NotFound);
        }
    } else {
        activity::log(
            &mut *tx,
            can.id,
            access.me.id,
            "invitation.revoked",
            ("invitation", id),
            format!("{} revoked an invitation", access.me.display_name),
        )
        .await?;
        tx.commit().await?;
    }
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The invitation is revoked: its link no longer works.",
        &format!("/c/{}/invitations", can.slug),
    )
    .await
}

/// Why an invitation cannot be used, in words for the person holding it.
fn unusable(inv: &InvitationByToken) -> Option<&'static str> {
    if inv.revoked {
        Some("This invitation was withdrawn by the group's organisers. Ask them for a new one.")
    } else if inv.expired {
        Some("This invitation has expired. Ask the person who sent it for a new one.")
    } else if inv.uses >= inv.max_uses {
        Some("This invitation has already been used as many times as it allows. Ask for a new one.")
    } else {
        None
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/join_problem.html")]
pub struct ProblemPage {
    ctx: Layout,
    message: &'static str,
}

fn problem(ctx: Layout, status: StatusCode, message: &'static str) -> Response {
    (status, ProblemPage { ctx, message }).into_response()
}

const NOT_VALID: &str =
    "This invitation link is not valid. Check that you copied all of it, or ask for a new one.";

#[derive(Template, WebTemplate)]
#[template(path = "cans/join.html")]
pub struct JoinPage {
    ctx: Layout,
    can: Can,
    path: String,
    signed_in: bool,
    already_member: bool,
    errors: FieldErrors,
}

pub async fn join_page(
    State(state): State<AppState>,
    ctx: Layout,
    Path(secret): Path<String>,
) -> Result<Response> {
    let mut conn = state.db.acquire().await?;
    let Some(inv) = queries::invitation_by_token(&mut conn, &token::hash(&secret), false).await?
    else {
        return Ok(problem(ctx, StatusCode::NOT_FOUND, NOT_VALID));
    };
    if let Some(message) = unusable(&inv) {
        return Ok(problem(ctx, StatusCode::GONE, message));
    }
    let can = queries::can_by_id(&mut *conn, inv.can_id).await?;
    let already_member = match &ctx.member {
        Some(m) => queries::is_current_member(&mut *conn, can.id, m.id).await?,
        None => false,
    };
    Ok(JoinPage {
        signed_in: ctx.member.is_some(),
        ctx,
        can,
        path: format!("/join/{secret}"),
        already_member,
        errors: FieldErrors::new(),
    }
    .into_response())
}

pub async fn join(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Path(secret): Path<String>,
    Form(form): Form<JoinForm>,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    // Locked until commit: two people cannot both take a single-use link's only use.
    let Some(inv) = queries::invitation_by_token(&mut tx, &token::hash(&secret), true).await?
    else {
        return Ok(problem(ctx, StatusCode::NOT_FOUND, NOT_VALID));
    };
    if let Some(message) = unusable(&inv) {
        return Ok(problem(ctx, StatusCode::GONE, message));
    }
    let can = queries::can_by_id(&mut *tx, inv.can_id).await?;
    if let Err(errors) = Join::try_from(&form) {
        drop(tx);
        let page = JoinPage {
            ctx,
            can,
            path: format!("/join/{secret}"),
            signed_in: true,
            already_member: false,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let home = format!("/c/{}", can.slug);
    if !queries::add_membership(&mut tx, can.id, me.id, chrono::Utc::now(), Some(inv.id)).await? {
        drop(tx);
        return redirect_with_flash(
            &state.db,
            me.session_id,
            FlashKind::Info,
            &format!("You are already a member of {}.", can.name),
            &home,
        )
        .await;
    }
    queries::use_invitation(&mut tx, inv.id).await?;
    activity::log(
        &mut *tx,
        can.id,
        me.id,
        "membership.joined",
        ("member", me.id),
        format!(
            "{} joined through an invitation and acknowledged the rules",
            me.display_name
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        me.session_id,
        FlashKind::Success,
        &format!("Welcome to {}!", can.name),
        &home,
    )
    .await
}
