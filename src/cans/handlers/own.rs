//! A member's own membership: pausing, resuming, leaving, and offering to facilitate or take
//! notes. Each path names no member, so it only ever changes the caller's own membership.

use axum::extract::State;
use axum::response::Response;

use super::members::member_page;
use crate::AppState;
use crate::cans::access::{CanAccess, Member};
use crate::cans::forms::{GrantForm, Willing, WillingForm};
use crate::cans::membership::{self, StatusChange, WillingChange};
use crate::cans::model::MembershipStatus;
use crate::cans::queries;
use crate::error::{OrNotFound, Result};
use crate::web::{FlashKind, Form, Layout, redirect_with_flash, unprocessable};

/// The member changes their own membership. The last active organiser may not step away.
async fn change_own_status(
    state: &AppState,
    access: &CanAccess<Member>,
    to: MembershipStatus,
) -> Result<Response> {
    let name = &access.can.name;
    let changed =
        membership::change_own_status(&state.db, access, to, &state.config.public_url).await?;
    let (kind, text) = match (changed, to) {
        (StatusChange::NothingToChange, _) => (FlashKind::Info, "Nothing to change.".into()),
        (StatusChange::LastOrganiser, _) => (
            FlashKind::Error,
            "You are the only active organiser. Name another organiser on the members page first, \
             so that the CAN is never left without one."
                .into(),
        ),
        (StatusChange::Changed, MembershipStatus::Paused) => (
            FlashKind::Success,
            format!("You are away from {name} for now. Resume whenever you are ready."),
        ),
        (StatusChange::Changed, MembershipStatus::Active) => {
            (FlashKind::Success, format!("Welcome back to {name}."))
        }
        (StatusChange::Changed, MembershipStatus::Left) => {
            // Someone who left has no page here any more: they go to their own dashboard.
            let text = format!("You have left {name}. Thank you for what you gave.");
            let session = access.me.session_id;
            return redirect_with_flash(&state.db, session, FlashKind::Success, &text, "/").await;
        }
    };
    access.redirect(&state.db, kind, &text, "").await
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

/// The member says whether they are willing to facilitate and to take notes (only ever for
/// themselves: the path names no member).
pub async fn willing(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Form(form): Form<WillingForm>,
) -> Result<Response> {
    let willing = match Willing::try_from(&form) {
        Ok(w) => w,
        Err(errors) => {
            let me = queries::member(&state.db, access.can.id, access.me.id)
                .await?
                .or_not_found()?;
            let page =
                member_page(&state, &access, ctx, me, GrantForm::default(), errors, None).await?;
            return unprocessable(page);
        }
    };
    let (kind, text) = match membership::set_willing(&state.db, &access, willing).await? {
        WillingChange::NothingToChange => (FlashKind::Info, "Nothing to change."),
        WillingChange::Changed if willing == Willing::default() => (
            FlashKind::Success,
            "Saved: you are not offering to facilitate or take notes for now.",
        ),
        WillingChange::Changed => (
            FlashKind::Success,
            "Saved: rotation may now suggest you, and facilitators can see that you offer.",
        ),
    };
    let back = format!("/members/{}#willing", access.me.id);
    access.redirect(&state.db, kind, text, &back).await
}
