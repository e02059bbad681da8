//! An offer's page (who asks whom to do what, the note, until when, where it stands) and its
//! answers: accept, decline with an optional reason, withdraw. Each answer comes back to the page
//! with a message; one that can no longer be given changes nothing and says why.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use chrono_tz::Tz;
use uuid::Uuid;

use super::filters;
use crate::AppState;
use crate::cans::access::{CanAccess, Member};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::responsibilities::forms::AnswerForm;
use crate::responsibilities::model::{HoldingKind, OfferKind, OfferStatus};
use crate::responsibilities::offers::{self, Answered, Viewer, page};
use crate::responsibilities::queries::offers::Offer;
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "responsibilities/offer.html")]
pub struct OfferPage {
    ctx: Layout,
    nav: CanNav,
    offer: Offer,
    /// Where it stands as people read it (an open one past its time has expired).
    standing: OfferStatus,
    tz: Tz,
    /// The viewer is the person asked (else the asker or a coordinator).
    asked: bool,
    /// When the meeting of a note-taker ask takes place, in the CAN's zone.
    when: Option<String>,
    errors: FieldErrors,
    reason: String,
}

async fn render(
    state: &AppState,
    access: &CanAccess<Member>,
    ctx: Layout,
    id: Uuid,
    errors: FieldErrors,
    reason: String,
) -> Result<OfferPage> {
    let (offer, viewer) = offers::for_page(&state.db, access, id).await?;
    Ok(OfferPage {
        nav: CanNav::new(&access.can, &access.membership, Section::Responsibilities),
        standing: offer.standing(Utc::now()),
        tz: access.can.time_zone,
        asked: viewer == Viewer::Asked,
        when: offer
            .meeting_starts_at
            .zip(offer.meeting_ends_at)
            .map(|(s, e)| crate::meetings::when(s, e, access.can.time_zone)),
        offer,
        errors,
        reason,
        ctx,
    })
}

pub async fn offer_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<OfferPage> {
    render(&state, &access, ctx, id, FieldErrors::new(), String::new()).await
}

/// Back to the offer's page with what the answer came to.
async fn answered(
    state: &AppState,
    access: &CanAccess<Member>,
    id: Uuid,
    outcome: Answered,
) -> Result<Response> {
    let (flash, text) = match outcome {
        Answered::Accepted {
            title,
            kind: OfferKind::Handoff,
        } => (
            FlashKind::Success,
            format!("Thank you: you carry “{title}” now."),
        ),
        Answered::Accepted {
            title,
            kind: OfferKind::NoteTaker,
        } => (
            FlashKind::Success,
            format!("Thank you: you take the notes at “{title}”."),
        ),
        Answered::Accepted { title, kind } => (
            FlashKind::Success,
            format!(
                "Thank you: you are now the {} for “{title}”.",
                kind.holding().unwrap_or(HoldingKind::Carrier)
            ),
        ),
        Answered::Declined => (
            FlashKind::Info,
            "You declined. Thank you for saying so: it helps the group spread the load.".into(),
        ),
        Answered::Withdrawn => (FlashKind::Info, "The ask is withdrawn.".into()),
        Answered::Refused(why) => (FlashKind::Error, why),
    };
    access.redirect(&state.db, flash, &text, &page(id)).await
}

pub async fn accept(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let outcome = offers::accept(&state.db, &access, id, &state.config.public_url).await?;
    answered(&state, &access, id, outcome).await
}

pub async fn decline_offer(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response> {
    let reason = match form.reason() {
        Ok(reason) => reason,
        Err(errors) => {
            return unprocessable(render(&state, &access, ctx, id, errors, form.reason).await?);
        }
    };
    let outcome =
        offers::decline(&state.db, &access, id, &reason, &state.config.public_url).await?;
    answered(&state, &access, id, outcome).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let outcome = offers::withdraw(&state.db, &access, id, &state.config.public_url).await?;
    answered(&state, &access, id, outcome).await
}
