//! Holding a responsibility: volunteering, asking someone (an offer they answer), offering a
//! hand-off, declining a holding arranged before asks were offers, and stepping down. Each maps the service's outcome to a redirect with a message, or to the
//! responsibility's page again.

use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::detail::{self, Kept};
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Coordinator};
use crate::error::{AppError, Result};
use crate::responsibilities::forms::{
    AssignForm, Assignment, DeclineForm, Handoff, HandoffForm, VolunteerForm,
};
use crate::responsibilities::holding::{
    self, Assigned, Declined, HandedOff, SteppedDown, Volunteered,
};
use crate::responsibilities::model::HoldingKind;
use crate::responsibilities::page;
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path};

const CLOSED: &str = "This responsibility is closed.";

pub async fn volunteer(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<VolunteerForm>,
) -> Result<Response> {
    let kind = HoldingKind::chosen(&form.kind);
    let (flash, text) = match holding::volunteer(&state.db, &access, id, kind).await? {
        Volunteered::Took { kind, title } => (
            FlashKind::Success,
            format!("Thank you: you are now the {kind} for “{title}”."),
        ),
        Volunteered::AlreadyHolds => (
            FlashKind::Success,
            "You already hold this responsibility.".into(),
        ),
        Volunteered::Closed => (FlashKind::Error, CLOSED.into()),
    };
    access.redirect(&state.db, flash, &text, &page(id)).await
}

pub async fn assign(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<AssignForm>,
) -> Result<Response> {
    let refused = |errors| Kept {
        assign: form.clone(),
        ..Kept::errors(errors)
    };
    let asked = match Assignment::parse(&form) {
        Ok(asked) => asked,
        Err(errors) => return detail::again(&state, &access, ctx, id, refused(errors)).await,
    };
    let base_url = &state.config.public_url;
    let (flash, text) = match holding::assign(&state.db, &access, id, &asked, base_url).await? {
        Assigned::Asked { name, kind } => (
            FlashKind::Success,
            format!(
                "{name} is asked to be the {kind}. They have been told, and can accept or decline; until then nothing changes."
            ),
        ),
        Assigned::Took { kind } => (FlashKind::Success, format!("You are now the {kind}.")),
        Assigned::AlreadyHolds { name } => (FlashKind::Info, format!("{name} already holds it.")),
        Assigned::AlreadyAsked { name } => (
            FlashKind::Info,
            format!(
                "{name} has been asked already and has not answered yet: nothing new was sent."
            ),
        ),
        Assigned::Closed => (FlashKind::Error, CLOSED.to_string()),
        Assigned::NotActiveMember => {
            let mut errors = FieldErrors::new();
            errors.add("member_id", "Choose an active member of this CAN: people who are away or have left, or belong elsewhere, cannot be given responsibilities.");
            return detail::again(&state, &access, ctx, id, refused(errors)).await;
        }
    };
    access.redirect(&state.db, flash, &text, &page(id)).await
}

pub async fn decline(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<DeclineForm>,
) -> Result<Response> {
    let reason = match form.reason() {
        Ok(reason) => reason,
        Err(errors) => {
            let kept = Kept {
                reason: form.reason,
                ..Kept::errors(errors)
            };
            return detail::again(&state, &access, ctx, id, kept).await;
        }
    };
    match holding::decline(&state.db, &access, id, &reason).await? {
        Declined::Declined => {
            let text = "You declined. Thank you for saying so.";
            access
                .redirect(&state.db, FlashKind::Info, text, &page(id))
                .await
        }
        Declined::NotAsked => Err(AppError::Forbidden(
            "Only someone asked to hold this can decline it.",
        )),
    }
}

pub async fn handoff(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<HandoffForm>,
) -> Result<Response> {
    let refused = |errors| Kept {
        handoff: form.clone(),
        ..Kept::errors(errors)
    };
    let handoff = match Handoff::parse(&form, access.me.id) {
        Ok(handoff) => handoff,
        Err(errors) => return detail::again(&state, &access, ctx, id, refused(errors)).await,
    };
    let base_url = &state.config.public_url;
    match holding::hand_off(&state.db, &access, id, &handoff, base_url).await? {
        HandedOff::Offered { name } => {
            let text =
                format!("Offered to {name}. You carry it until they accept; they have been told.");
            access
                .redirect(&state.db, FlashKind::Success, &text, &page(id))
                .await
        }
        HandedOff::Refused(errors) => {
            detail::again(&state, &access, ctx, id, refused(errors)).await
        }
        HandedOff::NotCarrier => Err(AppError::Forbidden(
            "Only someone who carries this responsibility can hand it on.",
        )),
        HandedOff::Closed => {
            access
                .redirect(&state.db, FlashKind::Error, CLOSED, &page(id))
                .await
        }
    }
}

pub async fn step_down(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    match holding::step_down(&state.db, &access, id).await? {
        SteppedDown::SteppedDown => {
            let text = "You stepped down. The coordinators will see it is open.";
            access
                .redirect(&state.db, FlashKind::Info, text, &page(id))
                .await
        }
        SteppedDown::NotHolding => Err(AppError::Forbidden("You do not hold this responsibility.")),
    }
}
