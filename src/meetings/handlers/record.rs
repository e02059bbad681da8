//! Keeping the record of a meeting (for those who run it): attendance, minutes, decisions,
//! action items, and closing it; and ticking an action off (its owner too).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::page::{Kept, Part, Reply, conflict, invalid, refusal};
use crate::AppState;
use crate::cans::access::ActiveMember;
use crate::error::{AppError, Result};
use crate::meetings::access::{MeetingAccess, Runner};
use crate::meetings::forms::{ActionForm, AttendanceForm, DecisionForm, MinutesForm};
use crate::meetings::record::{
    self, ActionDoneOutcome, AttendanceOutcome, FinishOutcome, MinutesOutcome,
};
use crate::web::{FlashKind, Form, Layout, MultiForm, Path};

pub async fn attendance(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
    reply: Reply,
    ctx: Layout,
    MultiForm(form): MultiForm<AttendanceForm>,
) -> Result<Response> {
    let notice = match record::attendance(&state.db, &access, &form.present()).await? {
        AttendanceOutcome::Saved(n) => {
            let text = format!("Attendance saved: {n} present.");
            let done = (FlashKind::Success, text.as_str());
            return reply
                .done(&state, &access, ctx, Part::Attendance, done)
                .await;
        }
        AttendanceOutcome::Cancelled => {
            "This meeting was cancelled: there is no attendance to take. Nothing was changed."
        }
        AttendanceOutcome::TooEarly => {
            "Attendance is taken at or after the meeting, not days before."
        }
    };
    let kept = Kept::notice(notice);
    reply
        .refused(
            &state,
            &access,
            ctx,
            Part::Attendance,
            kept,
            StatusCode::CONFLICT,
        )
        .await
}

pub async fn minutes(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
    ctx: Layout,
    Form(form): Form<MinutesForm>,
) -> Result<Response> {
    let (text, version) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            let kept = Kept {
                errors,
                minutes: Some(form.minutes),
                ..Kept::default()
            };
            return invalid(&state, &access, ctx, kept).await;
        }
    };
    match record::minutes(&state.db, &access, &text, version).await? {
        MinutesOutcome::Saved => {
            let text = "The minutes are saved.";
            access
                .back(&state.db, FlashKind::Success, text, "minutes")
                .await
        }
        // Someone saved first: show their text beside ours and keep ours in the box.
        MinutesOutcome::Stale { latest } => {
            let kept = Kept {
                errors: refusal(
                    "minutes",
                    "Someone else saved the minutes while you were writing. Their text is shown above yours: merge what you need and save again.",
                ),
                minutes: Some(form.minutes),
                newer_minutes: Some(latest),
                ..Kept::default()
            };
            conflict(&state, &access, ctx, kept).await
        }
    }
}

pub async fn decision(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
    reply: Reply,
    ctx: Layout,
    Form(form): Form<DecisionForm>,
) -> Result<Response> {
    match form.parse() {
        Ok(body) => {
            record::decide(&state.db, &access, &body).await?;
            let done = (FlashKind::Success, "The decision is recorded.");
            reply
                .done(&state, &access, ctx, Part::Decisions, done)
                .await
        }
        Err(errors) => {
            let kept = Kept {
                errors,
                decision: form,
                ..Kept::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            reply
                .refused(&state, &access, ctx, Part::Decisions, kept, status)
                .await
        }
    }
}

pub async fn action(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
    reply: Reply,
    ctx: Layout,
    Form(form): Form<ActionForm>,
) -> Result<Response> {
    match form.check(&state.db, access.can.id).await? {
        Ok(action) => {
            record::add_action(&state.db, &access, &action).await?;
            let done = (FlashKind::Success, "The action item is noted.");
            reply.done(&state, &access, ctx, Part::Actions, done).await
        }
        Err(errors) => {
            let kept = Kept {
                errors,
                action: form,
                ..Kept::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            reply
                .refused(&state, &access, ctx, Part::Actions, kept, status)
                .await
        }
    }
}

/// The owner, or whoever sets schedules for the group, may tick an action off.
pub async fn action_done(
    State(state): State<AppState>,
    access: MeetingAccess<ActiveMember>,
    reply: Reply,
    ctx: Layout,
    Path((_slug, _id, action)): Path<(String, Uuid, Uuid)>,
) -> Result<Response> {
    match record::action_done(&state.db, &access, action).await? {
        ActionDoneOutcome::Done => {
            let done = (FlashKind::Success, "Marked done.");
            reply.done(&state, &access, ctx, Part::Actions, done).await
        }
        ActionDoneOutcome::NotYours => Err(AppError::Forbidden(
            "Only the action's owner, and the group's facilitators and organisers, can mark it done.",
        )),
        ActionDoneOutcome::NotFound => Err(AppError::NotFound),
    }
}

/// Marks the meeting held and carries its open agenda items to the series' next meeting (once).
pub async fn finish(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
) -> Result<Response> {
    let (kind, text) = match record::finish(&state.db, &access).await? {
        FinishOutcome::Closed { carried: 0, .. } => {
            (FlashKind::Success, "The meeting is closed.".to_string())
        }
        FinishOutcome::Closed {
            carried,
            next: Some(next),
        } => (
            FlashKind::Success,
            format!(
                "The meeting is closed. {carried} open agenda item(s) moved to the next meeting ({}).",
                access.path(&format!("/meetings/{next}"))
            ),
        ),
        FinishOutcome::Closed {
            carried,
            next: None,
        } => (
            FlashKind::Success,
            format!("The meeting is closed. {carried} open item(s) carried."),
        ),
        FinishOutcome::Cancelled => (
            FlashKind::Error,
            "A cancelled meeting cannot be finished.".to_string(),
        ),
        FinishOutcome::NotYet => (
            FlashKind::Error,
            "A meeting is closed once it has taken place.".to_string(),
        ),
    };
    access.back(&state.db, kind, &text, "top").await
}
