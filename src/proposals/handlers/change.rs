//! Changing an open proposal: amending its text (its author, facilitators, organisers),
//! withdrawing it with a reason, and closing it now — by a facilitator's hand, or at its meeting
//! once everyone present has answered.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::page::{Refused, render};
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess};
use crate::cans::nav::{CanNav, Section};
use crate::error::{AppError, OrNotFound, Result};
use crate::proposals::amend::{AmendOutcome, amend as amend_service, may_change};
use crate::proposals::closing::{CloseOutcome, close as close_service};
use crate::proposals::forms::{self, AmendForm, Amendment, CloseForm, WithdrawForm};
use crate::proposals::model::outcome_words;
use crate::proposals::queries::{self, Proposal};
use crate::proposals::withdraw::{WithdrawOutcome, withdraw as withdraw_service};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, page_with_status, unprocessable};

const NOT_OPEN: &str =
    "This proposal is no longer open: it was decided or withdrawn meanwhile. Nothing has changed.";
const NOT_YOURS: &str =
    "Only the proposal's author, and the CAN's facilitators and organisers, can do this.";

#[derive(Template, WebTemplate)]
#[template(path = "proposals/amend.html")]
pub struct AmendPage {
    ctx: Layout,
    nav: CanNav,
    p: Proposal,
    form: AmendForm,
    errors: FieldErrors,
}

async fn proposal(
    state: &AppState,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
) -> Result<Proposal> {
    queries::proposal(&state.db, access.can.id, id)
        .await?
        .or_not_found()
}

fn amend_page(
    access: &CanAccess<ActiveMember>,
    ctx: Layout,
    p: Proposal,
    form: AmendForm,
    errors: FieldErrors,
) -> AmendPage {
    AmendPage {
        nav: CanNav::new(&access.can, &access.membership, Section::Proposals),
        p,
        form,
        errors,
        ctx,
    }
}

/// The open proposal's page again with a message, 409 (it was decided or withdrawn meanwhile).
async fn not_open(
    state: &AppState,
    access: &CanAccess<ActiveMember>,
    ctx: Layout,
    id: Uuid,
) -> Result<Response> {
    let refused = Refused {
        notice: Some(NOT_OPEN.into()),
        ..Refused::default()
    };
    page_with_status(
        StatusCode::CONFLICT,
        render(state, access, ctx, id, refused).await?,
    )
}

pub async fn amend_form(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    use axum::response::IntoResponse;
    let p = proposal(&state, &access, id).await?;
    if !may_change(&access, p.author_id) {
        return Err(AppError::Forbidden(NOT_YOURS));
    }
    if !p.status.is_open() {
        return not_open(&state, &access, ctx, id).await;
    }
    let form = AmendForm {
        title: p.title.clone(),
        body: p.body.clone(),
        note: String::new(),
    };
    Ok(amend_page(&access, ctx, p, form, FieldErrors::new()).into_response())
}

pub async fn amend(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<AmendForm>,
) -> Result<Response> {
    let new = match Amendment::try_from(&form) {
        Ok(new) => new,
        Err(errors) => {
            let p = proposal(&state, &access, id).await?;
            return unprocessable(amend_page(&access, ctx, p, form, errors));
        }
    };
    let base_url = &state.config.public_url;
    match amend_service(&state.db, &access, id, &new, base_url)
        .await?
        .or_not_found()?
    {
        AmendOutcome::Amended(version) => {
            let text = format!(
                "The proposal is amended (version {version}). Those who had answered are asked to answer again."
            );
            let to = format!("/proposals/{id}");
            access
                .redirect(&state.db, FlashKind::Success, &text, &to)
                .await
        }
        AmendOutcome::Closed => not_open(&state, &access, ctx, id).await,
        AmendOutcome::NotAllowed => Err(AppError::Forbidden(NOT_YOURS)),
    }
}

pub async fn withdraw(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response> {
    let reason = match forms::withdraw_reason(&form) {
        Ok(r) => r,
        Err(errors) => {
            proposal(&state, &access, id).await?;
            let refused = Refused {
                withdraw: form,
                errors,
                ..Refused::default()
            };
            return unprocessable(render(&state, &access, ctx, id, refused).await?);
        }
    };
    let base_url = &state.config.public_url;
    match withdraw_service(&state.db, &access, id, &reason, base_url)
        .await?
        .or_not_found()?
    {
        WithdrawOutcome::Withdrawn => {
            let text = "The proposal is withdrawn. Everyone who answered has been told why.";
            let to = format!("/proposals/{id}");
            access
                .redirect(&state.db, FlashKind::Success, text, &to)
                .await
        }
        WithdrawOutcome::Closed => not_open(&state, &access, ctx, id).await,
        WithdrawOutcome::NotAllowed => Err(AppError::Forbidden(NOT_YOURS)),
    }
}

pub async fn close(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<CloseForm>,
) -> Result<Response> {
    let base_url = &state.config.public_url;
    let at_meeting = form.at_meeting();
    let outcome = close_service(&state.db, &access, id, at_meeting, base_url)
        .await?
        .or_not_found()?;
    let refusal = match outcome {
        CloseOutcome::Closed(o) => {
            let kind = match o.is_adopted() {
                true => FlashKind::Success,
                false => FlashKind::Info,
            };
            let text = format!(
                "The proposal is closed{}: {}.",
                if at_meeting { " at the meeting" } else { "" },
                outcome_words(o)
            );
            let to = format!("/proposals/{id}");
            return access.redirect(&state.db, kind, &text, &to).await;
        }
        CloseOutcome::AlreadyClosed => return not_open(&state, &access, ctx, id).await,
        CloseOutcome::NotAllowed => {
            return Err(AppError::Forbidden(
                "Only the CAN's facilitators and organisers, and the facilitator of the proposal's meeting at that meeting, can close a proposal.",
            ));
        }
        CloseOutcome::NoMeeting => {
            "This proposal was not put at a meeting, so it cannot be closed at one.".to_string()
        }
        CloseOutcome::NobodyPresent => {
            "Nobody is recorded present at the meeting yet: record who is here first, then everyone present answers, then close it.".to_string()
        }
        CloseOutcome::Waiting(names) => format!(
            "Not closed: not everyone present has answered the current text yet. Still to answer: {}.",
            names.join(", ")
        ),
    };
    let refused = Refused {
        notice: Some(refusal),
        ..Refused::default()
    };
    page_with_status(
        StatusCode::CONFLICT,
        render(&state, &access, ctx, id, refused).await?,
    )
}
