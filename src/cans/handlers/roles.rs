//! Granting, ending and renewing roles (organisers), answered on the member's page.

use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::members::member_page;
use crate::AppState;
use crate::cans::access::{CanAccess, Organiser};
use crate::cans::forms::{Grant, GrantForm, RenewForm, Renewal};
use crate::cans::membership::{self, Ended, Granted};
use crate::cans::model::{MembershipStatus, Role};
use crate::cans::queries::{self, MemberLine};
use crate::cans::terms::{self, Renewed};
use crate::error::{OrNotFound, Result};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, time, unprocessable};

fn not_active(target: &MemberLine) -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add(
        "role",
        format!(
            "{} is not an active member; roles go to active members.",
            target.display_name
        ),
    );
    errors
}

pub async fn grant_role(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Path((_slug, member_id)): Path<(String, Uuid)>,
    Form(form): Form<GrantForm>,
) -> Result<Response> {
    let target = queries::member(&state.db, access.can.id, member_id)
        .await?
        .or_not_found()?;
    let grant = match Grant::parse(&form, time::today_in(access.can.time_zone)) {
        Ok(_) if target.status != MembershipStatus::Active => Err(not_active(&target)),
        other => other,
    };
    let grant = match grant {
        Ok(g) => g,
        Err(errors) => {
            return unprocessable(
                member_page(&state, &access, ctx, target, form, errors, None).await?,
            );
        }
    };
    let base_url = &state.config.public_url;
    let granted = membership::grant_role(&state.db, &access, &target, &grant, base_url).await?;
    let (kind, verb) = match granted {
        Granted::Now => (FlashKind::Success, "is now"),
        Granted::AlreadyHeld => (FlashKind::Info, "already is"),
        Granted::NotActive => {
            let errors = not_active(&target);
            return unprocessable(
                member_page(&state, &access, ctx, target, form, errors, None).await?,
            );
        }
    };
    let role = grant.role;
    let text = format!(
        "{} {verb} {} {}.",
        target.display_name,
        article(role),
        role.as_str()
    );
    let back = format!("/members/{member_id}");
    access.redirect(&state.db, kind, &text, &back).await
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
    let role = Role::parse(&role).or_not_found()?;
    let target = queries::member(&state.db, access.can.id, member_id)
        .await?
        .or_not_found()?;
    let name = &target.display_name;
    let (kind, text) = match membership::end_role(&state.db, &access, &target, role).await? {
        Ended::LastOrganiser => (
            FlashKind::Error,
            format!(
                "{name} is the CAN's only active organiser. Name another organiser first, then end this role."
            ),
        ),
        Ended::Now => (
            FlashKind::Success,
            format!("{name} is no longer {} {}.", article(role), role.as_str()),
        ),
    };
    let back = format!("/members/{member_id}");
    access.redirect(&state.db, kind, &text, &back).await
}

pub async fn renew_role(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Path((_slug, member_id, role)): Path<(String, Uuid, String)>,
    Form(form): Form<RenewForm>,
) -> Result<Response> {
    let role = Role::parse(&role).or_not_found()?;
    let target = queries::member(&state.db, access.can.id, member_id)
        .await?
        .or_not_found()?;
    let typed = Some((role, form.term_ends_on.as_str()));
    let renewal = match Renewal::parse(&form, role, time::today_in(access.can.time_zone)) {
        Ok(r) => r,
        Err(errors) => {
            let page = member_page(
                &state,
                &access,
                ctx,
                target,
                GrantForm::default(),
                errors,
                typed,
            );
            return unprocessable(page.await?);
        }
    };
    let name = &target.display_name;
    let (kind, text) = match terms::renew(
        &state.db,
        &access,
        &target,
        &renewal,
        &state.config.public_url,
    )
    .await?
    {
        Renewed::Now => (
            FlashKind::Success,
            format!(
                "{name}'s term as {} now runs until {}.",
                role.as_str(),
                time::date(renewal.term_ends_on)
            ),
        ),
        Renewed::NotAfterCurrent(current) => {
            let mut errors = FieldErrors::new();
            errors.add(
                Renewal::field(role),
                format!(
                    "The term already runs until {}; choose a later date.",
                    time::date(current)
                ),
            );
            let page = member_page(
                &state,
                &access,
                ctx,
                target,
                GrantForm::default(),
                errors,
                typed,
            );
            return unprocessable(page.await?);
        }
        Renewed::NotHeld => (
            FlashKind::Error,
            format!(
                "{name} is not {} {} now, so there is no term to renew.",
                article(role),
                role.as_str()
            ),
        ),
        Renewed::NoTerm => (
            FlashKind::Info,
            format!(
                "{name}'s role as {} has no term end, so there is nothing to renew.",
                role.as_str()
            ),
        ),
        Renewed::NotActive => (
            FlashKind::Error,
            format!("{name} is not an active member; roles go to active members."),
        ),
    };
    let back = format!("/members/{member_id}");
    access.redirect(&state.db, kind, &text, &back).await
}
