//! One request's page (what is asked, by when, who offered or how many) and its answers: offer
//! (with an optional note), take one's offer back, mark it met, withdraw it. Each answer comes
//! back to the page with a message; one that can no longer be given changes nothing and says why.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::RequestView;
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member, Requirement};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::support::forms::{NOTE_MAX, OfferForm};
use crate::support::model::Closing;
use crate::support::requests::{self, Outcome};
use crate::support::{page, queries};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, time, unprocessable};

/// Someone's offer, as the asker and organisers see it.
pub struct OfferView {
    pub name: String,
    pub note: String,
    pub on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "support/request.html")]
pub struct RequestPage {
    ctx: Layout,
    nav: CanNav,
    r: RequestView,
    /// Who offered, for the asker and organisers; `None` for everyone else (they see a count).
    offers: Option<Vec<OfferView>>,
    /// The viewer may offer: active, not the asker, not offered yet, the request open.
    can_offer: bool,
    /// The viewer may mark it met or withdraw it: the asker, or an organiser.
    can_close: bool,
    /// An organiser looking at someone else's request.
    on_behalf: bool,
    note: String,
    errors: FieldErrors,
    note_max: usize,
}

async fn render<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    id: Uuid,
    note: String,
    errors: FieldErrors,
) -> Result<RequestPage> {
    let (r, offers) = requests::for_page(&state.db, access, id).await?;
    let tz = access.can.time_zone;
    let view = RequestView::new(&r, access.me.id, tz);
    let mine = view.mine;
    let open = view.open;
    let offers = offers.map(|list: Vec<queries::Offer>| {
        list.into_iter()
            .map(|o| OfferView {
                name: o.name,
                note: o.note,
                on: time::date_in(o.created_at, tz),
            })
            .collect()
    });
    let organiser = access.membership.is_organiser();
    Ok(RequestPage {
        nav: CanNav::new(&access.can, &access.membership, Section::Support),
        can_offer: open && !mine && access.membership.is_active() && view.my_note.is_none(),
        can_close: open && (mine || organiser),
        on_behalf: !mine && organiser,
        r: view,
        offers,
        note,
        errors,
        note_max: NOTE_MAX,
        ctx,
    })
}

pub async fn request_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<RequestPage> {
    render(&state, &access, ctx, id, String::new(), FieldErrors::new()).await
}

/// Back to the request's page with what the answer came to.
async fn answered<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    id: Uuid,
    outcome: Outcome,
    done: &str,
) -> Result<Response> {
    let (flash, text) = match outcome {
        Outcome::Done => (FlashKind::Success, done.to_string()),
        Outcome::Refused(why) => (FlashKind::Error, why),
    };
    access.redirect(&state.db, flash, &text, &page(id)).await
}

pub async fn offer(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<OfferForm>,
) -> Result<Response> {
    let note = match form.note() {
        Ok(note) => note,
        Err(errors) => {
            return unprocessable(render(&state, &access, ctx, id, form.note, errors).await?);
        }
    };
    let outcome = requests::offer(&state.db, &access, id, &note, &state.config.public_url).await?;
    let done = "Thank you: your offer is with them. They will see your note.";
    answered(&state, &access, id, outcome, done).await
}

pub async fn withdraw_offer(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let outcome = requests::withdraw_offer(&state.db, &access, id).await?;
    answered(&state, &access, id, outcome, "Your offer is taken back.").await
}

pub async fn met(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let base_url = &state.config.public_url;
    let outcome = requests::close(&state.db, &access, id, Closing::Met, base_url).await?;
    let done = "Marked met. Those who offered are told: thank you for saying so.";
    answered(&state, &access, id, outcome, done).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let base_url = &state.config.public_url;
    let outcome = requests::close(&state.db, &access, id, Closing::Withdrawn, base_url).await?;
    let done = "The request is withdrawn. Those who offered are told.";
    answered(&state, &access, id, outcome, done).await
}
