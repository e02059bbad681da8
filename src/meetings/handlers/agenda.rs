//! A meeting's agenda: proposing an item (any active member), and reordering items or marking
//! them done or dropped (those who run the meeting).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::page::{Kept, Part, Reply, refusal};
use crate::AppState;
use crate::cans::access::ActiveMember;
use crate::error::{AppError, Result};
use crate::meetings::access::{MeetingAccess, Runner};
use crate::meetings::agenda::{self, AddOutcome};
use crate::meetings::forms::{AgendaChangeForm, AgendaForm};
use crate::web::{FlashKind, Form, Layout, Path};

pub async fn add(
    State(state): State<AppState>,
    access: MeetingAccess<ActiveMember>,
    reply: Reply,
    ctx: Layout,
    Form(form): Form<AgendaForm>,
) -> Result<Response> {
    let errors = match form.check(&state.db, access.can.id).await? {
        Ok(item) => match agenda::add(&state.db, &access, &item).await? {
            AddOutcome::Added => {
                let done = (FlashKind::Success, "The item is on the agenda.");
                return reply.done(&state, &access, ctx, Part::Agenda, done).await;
            }
            AddOutcome::Cancelled => refusal(
                "item_title",
                "This meeting is cancelled; propose the item for another one.",
            ),
        },
        Err(errors) => errors,
    };
    let kept = Kept {
        errors,
        agenda: form,
        ..Kept::default()
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    reply
        .refused(&state, &access, ctx, Part::Agenda, kept, status)
        .await
}

/// "The order is right": the proposals so far leave the facilitator's waiting list.
pub async fn reviewed(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
    reply: Reply,
    ctx: Layout,
) -> Result<Response> {
    agenda::reviewed(&state.db, &access).await?;
    let done = (FlashKind::Success, "Noted: the agenda is in order.");
    reply.done(&state, &access, ctx, Part::Agenda, done).await
}

/// Reorders an item (up/down) or sets its status (done, dropped, open).
pub async fn change(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
    reply: Reply,
    ctx: Layout,
    Path((_slug, _id, item)): Path<(String, Uuid, Uuid)>,
    Form(form): Form<AgendaChangeForm>,
) -> Result<Response> {
    let change = form.parse().ok_or(AppError::BadRequest(
        "That is not a change we know for an agenda item.",
    ))?;
    agenda::change(&state.db, &access, item, change).await?;
    if reply.htmx {
        let (kept, status) = (Kept::default(), StatusCode::OK);
        return reply
            .show(&state, &access, ctx, Part::Agenda, kept, status)
            .await;
    }
    let to = if reply.run {
        access.path(&format!("/meetings/{}/run", access.id()))
    } else {
        access.path(&format!("/meetings/{}#agenda", access.id()))
    };
    Ok(Redirect::to(&to).into_response())
}
