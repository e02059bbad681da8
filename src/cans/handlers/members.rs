//! The member directory, a member's page with the roles they held over time, granting and ending
//! roles (organisers), and a member's own pause, resume and leave.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::{CanNav, role_labels};
use crate::AppState;
use crate::cans::access::{CanAccess, Member, Organiser};
use crate::cans::activity;
use crate::cans::forms::{Grant, GrantForm};
use crate::cans::model::{MembershipStatus, Role};
use crate::cans::queries::{self, MemberLine};
use crate::error::{AppError, Result};
use crate::web::forms::FieldErrors;
use crate::web::time;
use crate::web::{FlashKind, Form, Layout, Path, redirect_with_flash};

pub struct DirectoryLine {
    pub member_id: String,
    pub name: String,
    pub pronouns: String,
    pub neighbourhood: String,
    pub roles: Vec<&'static str>,
    pub status: &'static str,
    pub joined: String,
}

fn line(m: &MemberLine, tz: chrono_tz::Tz) -> DirectoryLine {
    DirectoryLine {
        member_id: m.member_id.to_string(),
        name: m.display_name.clone(),
        pronouns: m.pronouns.clone(),
        neighbourhood: m.neighbourhood.clone(),
        roles: role_labels(&m.roles),
        status: MembershipStatus::parse(&m.status).label(),
        joined: time::date_in(m.joined_at, tz),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/members.html")]
pub struct DirectoryPage {
    ctx: Layout,
    nav: CanNav,
    current: Vec<DirectoryLine>,
    former: Vec<DirectoryLine>,
}

pub async fn directory(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<DirectoryPage> {
    let tz = access.can.time_zone;
    let all = queries::members(&state.db, access.can.id).await?;
    let (former, current): (Vec<_>, Vec<_>) = all.iter().partition(|m| m.status == "left");
    Ok(DirectoryPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "members"),
        current: current.into_iter().map(|m| line(m, tz)).collect(),
        former: former.into_iter().map(|m| line(m, tz)).collect(),
    })
}

pub struct HistoryLine {
    pub role: &'static str,
    pub from: String,
    pub granted_by: String,
    pub until: String,
    pub ended_by: String,
    pub term: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/member.html")]
pub struct MemberPage {
    ctx: Layout,
    nav: CanNav,
    person: DirectoryLine,
    is_me: bool,
    history: Vec<HistoryLine>,
    /// Roles an organiser may grant (those the member does not hold), and may end.
    grantable: Vec<(&'static str, &'static str)>,
    endable: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    form: GrantForm,
    errors: FieldErrors,
}

async fn member_page(
    state: &AppState,
    access: &CanAccess<impl crate::cans::access::Requirement>,
    ctx: Layout,
    member_id: Uuid,
    form: GrantForm,
    errors: FieldErrors,
) -> Result<MemberPage> {
    let can = &access.can;
    let person = queries::member(&state.db, can.id, member_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let history = queries::role_history(&state.db, can.id, member_id).await?;
    let held: Vec<Role> = person.roles.iter().filter_map(|r| Role::parse(r)).collect();
    let active = person.status == "active";
    let pair = |r: Role| (r.as_str(), r.label());
    Ok(MemberPage {
        ctx,
        nav: CanNav::new(can, &access.membership, "members"),
        is_me: member_id == access.me.id,
        can_manage: access.membership.is_organiser() && person.status != "left",
        grantable: if active {
            Role::ALL
                .into_iter()
                .filter(|r| !held.contains(r))
                .map(pair)
                .collect()
        } else {
            Vec::new()
        },
        endable: held.into_iter().map(pair).collect(),
        history: history
            .into_iter()
            .map(|g| HistoryLine {
                role: Role::parse(&g.role).map(Role::label).unwrap_or("Role"),
                from: time::date_in(g.granted_at, can.time_zone),
                granted_by: g.granted_by.unwrap_or_default(),
                until: g
                    .ended_at
                    .map(|t| time::date_in(t, can.time_zone))
                    .unwrap_or_default(),
                ended_by: g.ended_by.unwrap_or_default(),
                term: g.term_ends_on.map(time::date).unwrap_or_default(),
                current: g.ended_at.is_none(),
            })
            .collect(),
        person: line(&person, can.time_zone),
        form,
        errors,
    })
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, member_id)): Path<(String, Uuid)>,
) -> Result<MemberPage> {
    member_page(
        &state,
        &access,
        ctx,
        member_id,
        GrantForm::default(),
        FieldErrors::new(),
    )
    .await
}

pub async fn grant_role(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Path((_slug, member_id)): Path<(String, Uuid)>,
    Form(form): Form<GrantForm>,
) -> Result<Response> {
    let can = &access.can;
    let target = queries::member(&state.db, can.id, member_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let not_active = || {
        let mut errors = FieldErrors::new();
        errors.add(
            "role",
            format!(
                "{} is not an active member; roles go to active members.",
                target.display_name
            ),
        );
        errors
    };
    let parsed = Grant::parse(&form, time::today_in(can.time_zone)).and_then(|g| {
        if target.status == "active" {
            Ok(g)
        } else {
            Err(not_active())
        }
    });
    let grant = match parsed {
        Ok(g) => g,
        Err(errors) => {
            let page = member_page(&state, &access, ctx, member_id, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };

    let mut tx = state.db.begin().await?;
    queries::lock_can(&mut tx, can.id).await?;
    // Read again under the lock: they may have paused or left since the page was loaded.
    if queries::membership_status(&mut tx, can.id, member_id)
        .await?
        .as_deref()
        != Some("active")
    {
        drop(tx);
        let page = member_page(&state, &access, ctx, member_id, form, not_active()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let granted = queries::grant_role(
        &mut tx,
        can.id,
        member_id,
        grant.role,
        Some(access.me.id),
        grant.term_ends_on,
    )
    .await?;
    if granted {
        activity::log(
            &mut *tx,
            can.id,
            access.me.id,
            "role.granted",
            ("member", member_id),
            format!(
                "{} named {} {}{}",
                access.me.display_name,
                target.display_name,
                grant.role.as_str(),
                grant
                    .term_ends_on
                    .map(|d| format!(" until {}", time::date(d)))
                    .unwrap_or_default()
            ),
        )
        .await?;
    }
    tx.commit().await?;
    let text = if granted {
        format!(
            "{} is now {} {}.",
            target.display_name,
            article(grant.role),
            grant.role.as_str()
        )
    } else {
        format!(
            "{} already is {} {}.",
            target.display_name,
            article(grant.role),
            grant.role.as_str()
        )
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        if granted {
            FlashKind::Success
        } else {
            FlashKind::Info
        },
        &text,
        &format!("/c/{}/members/{member_id}", can.slug),
    )
    .await
}

fn article(role: Role) -> &'static str {
    match role {
        Role::Organiser => "an",
        _ => "a",
    }
}

pub async fn end_role(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    Path((_slug, member_id, role)): Path<(String, Uuid, String)>,
) -> Result<Response> {
    let can = &access.can;
    let role = Role::parse(&role).ok_or(AppError::NotFound)?;
    let target = queries::member(&state.db, can.id, member_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let back = format!("/c/{}/members/{member_id}", can.slug);

    let mut tx = state.db.begin().await?;
    queries::lock_can(&mut tx, can.id).await?;
    let ended = queries::end_roles(&mut tx, can.id, member_id, Some(role), access.me.id).await?;
    if role == Role::Organiser && queries::active_organisers(&mut tx, can.id).await? == 0 {
        drop(tx);
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Error,
            &format!(
                "{} is the CAN's only active organiser. Name another organiser first, then end this role.",
                target.display_name
            ),
            &back,
        )
        .await;
    }
    if ended > 0 {
        activity::log(
            &mut *tx,
            can.id,
            access.me.id,
            "role.ended",
            ("member", member_id),
            format!(
                "{} ended {}'s role as {}",
                access.me.display_name,
                target.display_name,
                role.as_str()
            ),
        )
        .await?;
    }
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &format!(
            "{} is no longer {} {}.",
            target.display_name,
            article(role),
            role.as_str()
        ),
        &back,
    )
    .await
}

/// The member changes their own membership. The last active organiser may not step away.
async fn change_own_status(
    state: &AppState,
    access: &CanAccess<Member>,
    to: MembershipStatus,
) -> Result<Response> {
    let can = &access.can;
    let me = &access.me;
    let home = format!("/c/{}", can.slug);
    let from = access.membership.status;
    let allowed = matches!(
        (from, to),
        (MembershipStatus::Active, MembershipStatus::Paused)
            | (MembershipStatus::Paused, MembershipStatus::Active)
            | (_, MembershipStatus::Left)
    );
    if !allowed {
        return redirect_with_flash(
            &state.db,
            me.session_id,
            FlashKind::Info,
            "Nothing to change.",
            &home,
        )
        .await;
    }

    let mut tx = state.db.begin().await?;
    queries::lock_can(&mut tx, can.id).await?;
    queries::set_status(&mut tx, can.id, me.id, to).await?;
    if to == MembershipStatus::Left {
        queries::end_roles(&mut tx, can.id, me.id, None, me.id).await?;
        queries::withdraw_join_requests(&mut tx, can.id, me.id).await?;
        // What they carried is open again (the history keeps that they held it).
        sqlx::query(
            "UPDATE carriers SET until_at = greatest(least(COALESCE(until_at, 'infinity'), now()), from_at),
                    ended_how = 'left'
             WHERE can_id = $1 AND member_id = $2 AND (until_at IS NULL OR until_at > now())",
        )
        .bind(can.id)
        .bind(me.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE responsibilities r SET status = 'open'
             WHERE r.can_id = $1 AND r.status = 'active' AND NOT EXISTS (
                 SELECT 1 FROM carriers c WHERE c.responsibility_id = r.id AND c.kind = 'carrier'
                   AND (c.until_at IS NULL OR c.until_at > now()))",
        )
        .bind(can.id)
        .execute(&mut *tx)
        .await?;
    }
    // Checked after the change, under the CAN's lock, so no interleaving can leave none.
    if to != MembershipStatus::Active && queries::active_organisers(&mut tx, can.id).await? == 0 {
        drop(tx);
        return redirect_with_flash(
            &state.db,
            me.session_id,
            FlashKind::Error,
            "You are the only active organiser. Name another organiser on the members page first, \
             so that the CAN is never left without one.",
            &home,
        )
        .await;
    }
    let (action, summary, text) = match to {
        MembershipStatus::Paused => (
            "membership.paused",
            format!("{} is away for a while", me.display_name),
            format!(
                "You are away from {} for now. Resume whenever you are ready.",
                can.name
            ),
        ),
        MembershipStatus::Active => (
            "membership.resumed",
            format!("{} is back", me.display_name),
            format!("Welcome back to {}.", can.name),
        ),
        MembershipStatus::Left => (
            "membership.left",
            format!("{} left the CAN", me.display_name),
            format!("You have left {}. Thank you for what you gave.", can.name),
        ),
    };
    activity::log(&mut *tx, can.id, me.id, action, ("member", me.id), summary).await?;
    tx.commit().await?;
    let to_page = if to == MembershipStatus::Left {
        "/".to_string()
    } else {
        home
    };
    redirect_with_flash(
        &state.db,
        me.session_id,
        FlashKind::Success,
        &text,
        &to_page,
    )
    .await
}

pub async fn pause(State(state): State<AppState>, access: CanAccess<Member>) -> Result<Response> {
    change_own_status(&state, &access, MembershipStatus::Paused).await
}

pub async fn resume(State(state): State<AppState>, access: CanAccess<Member>) -> Result<Response> {
    change_own_status(&state, &access, MembershipStatus::Active).await
}

pub async fn leave(State(state): State<AppState>, access: CanAccess<Member>) -> Result<Response> {
    change_own_status(&state, &access, MembershipStatus::Left).await
}
