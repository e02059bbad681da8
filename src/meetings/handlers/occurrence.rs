//! Changing one meeting of a series: moving or cancelling it alone, who holds it, and members'
//! answers to "are you coming?".

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::page::{Kept, Part, Reply, invalid, refusal};
use crate::AppState;
use crate::cans::access::{ActiveMember, Facilitator};
use crate::error::{AppError, Result};
use crate::meetings::access::MeetingAccess;
use crate::meetings::forms::{MoveForm, RolesForm, RsvpForm};
use crate::meetings::occurrences::{self, CancelOutcome, MoveOutcome, RsvpOutcome};
use crate::web::{FlashKind, Form, Layout, time};

pub async fn move_one(
    State(state): State<AppState>,
    access: MeetingAccess<Facilitator>,
    ctx: Layout,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let errors = match form.parse(time::today_in(access.can.time_zone)) {
        Ok(to) => match occurrences::move_to(&state.db, &access, to, &state.config.public_url)
            .await?
        {
            MoveOutcome::Moved => {
                let text = "The meeting is moved; calendars will update.";
                return access
                    .back(&state.db, FlashKind::Success, text, "top")
                    .await;
            }
            MoveOutcome::Unchanged => {
                let text = "Nothing to change: the meeting is already at that time.";
                return access.back(&state.db, FlashKind::Info, text, "top").await;
            }
            MoveOutcome::NotScheduled => refusal("date", "Only a scheduled meeting can be moved."),
        },
        Err(errors) => errors,
    };
    let kept = Kept {
        errors,
        moved: Some(form),
        ..Kept::default()
    };
    invalid(&state, &access, ctx, kept).await
}

pub async fn cancel(
    State(state): State<AppState>,
    access: MeetingAccess<Facilitator>,
) -> Result<Response> {
    let text = match occurrences::cancel(&state.db, &access, &state.config.public_url).await? {
        CancelOutcome::Cancelled => {
            "The meeting is cancelled. The other meetings of the series are unchanged."
        }
        CancelOutcome::NotScheduled => "Only a scheduled meeting can be cancelled.",
    };
    access.back(&state.db, FlashKind::Info, text, "top").await
}

pub async fn rsvp(
    State(state): State<AppState>,
    access: MeetingAccess<ActiveMember>,
    reply: Reply,
    ctx: Layout,
    Form(form): Form<RsvpForm>,
) -> Result<Response> {
    let answer = form
        .parse()
        .ok_or(AppError::BadRequest("Answer yes, no or maybe."))?;
    match occurrences::rsvp(&state.db, &access, answer).await? {
        RsvpOutcome::Answered(answer) => {
            let done = (FlashKind::Success, answer.thanks());
            reply.done(&state, &access, ctx, Part::Rsvp, done).await
        }
        RsvpOutcome::Cancelled => {
            let kept = Kept::notice(
                "This meeting is cancelled, so there is nothing to answer. Nothing was changed.",
            );
            let status = StatusCode::CONFLICT;
            reply
                .refused(&state, &access, ctx, Part::Rsvp, kept, status)
                .await
        }
    }
}

pub async fn set_roles(
    State(state): State<AppState>,
    access: MeetingAccess<Facilitator>,
    ctx: Layout,
    Form(form): Form<RolesForm>,
) -> Result<Response> {
    let roles = match form.check(&state.db, access.can.id).await? {
        Ok(roles) => roles,
        Err(errors) => {
            let kept = Kept::errors(errors);
            return invalid(&state, &access, ctx, kept).await;
        }
    };
    occurrences::set_roles(&state.db, &access, roles).await?;
    let text = "Facilitator and note-taker are set.";
    access
        .back(&state.db, FlashKind::Success, text, "roles")
        .await
}
