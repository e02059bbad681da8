//! Opening a series or one meeting to the neighbourhood: a small settings page for each, for the
//! group's facilitators and organisers. Only a listed CAN may open meetings.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Facilitator};
use crate::cans::nav::{CanNav, Section};
use crate::error::{OrNotFound, Result};
use crate::meetings::access::MeetingAccess;
use crate::meetings::forms::{PublicForm, PublicSettings};
use crate::meetings::guests::{self, PublicState, Saved};
use crate::meetings::queries::guests as q;
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, unprocessable};

/// Said beside the box when an invite-only CAN tries to open a meeting.
const NOT_LISTED: &str = "Only a listed CAN can open its meetings to the neighbourhood. This CAN \
     is invite-only: an organiser can list it in the CAN's settings first.";

#[derive(Template, WebTemplate)]
#[template(path = "meetings/public_settings.html")]
pub struct PublicSettingsPage {
    ctx: Layout,
    nav: CanNav,
    /// "series" or "meeting": what the page is about.
    kind: &'static str,
    title: String,
    /// Where the form posts, and where "back" goes.
    action: String,
    back: String,
    listed: bool,
    /// For a meeting of an open series: it is open with its series whatever the box says.
    series_open: bool,
    form: PublicForm,
    errors: FieldErrors,
}

fn page<R: crate::cans::access::Requirement>(
    access: &CanAccess<R>,
    ctx: Layout,
    (kind, base): (&'static str, String),
    state: &PublicState,
    form: PublicForm,
    errors: FieldErrors,
) -> PublicSettingsPage {
    PublicSettingsPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::Meetings),
        kind,
        title: state.title.clone(),
        action: access.path(&format!("{base}/public")),
        back: access.path(&base),
        listed: access.can.is_listed(),
        series_open: state.series_open,
        form,
        errors,
    }
}

pub async fn series_page(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<PublicSettingsPage> {
    let now = q::series_state(&state.db, access.can.id, id)
        .await?
        .or_not_found()?;
    let form = PublicForm::of(now.open_to_public, &now.what_to_expect);
    let base = format!("/meetings/series/{id}");
    Ok(page(
        &access,
        ctx,
        ("series", base),
        &now,
        form,
        FieldErrors::new(),
    ))
}

pub async fn series_save(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<PublicForm>,
) -> Result<Response> {
    let now = q::series_state(&state.db, access.can.id, id)
        .await?
        .or_not_found()?;
    let base = format!("/meetings/series/{id}");
    let errors = match PublicSettings::try_from(&form) {
        Ok(settings) => match guests::set_series(&state.db, &access, id, &settings)
            .await?
            .or_not_found()?
        {
            Saved::Saved => {
                let text = saved_words(settings.open, "series");
                return access
                    .redirect(&state.db, FlashKind::Success, text, &base)
                    .await;
            }
            Saved::NotListed => not_listed(),
        },
        Err(errors) => errors,
    };
    unprocessable(page(&access, ctx, ("series", base), &now, form, errors))
}

pub async fn meeting_page(
    State(state): State<AppState>,
    access: MeetingAccess<Facilitator>,
    ctx: Layout,
) -> Result<PublicSettingsPage> {
    let now = q::meeting_state(&state.db, access.can.id, access.id())
        .await?
        .or_not_found()?;
    let form = PublicForm::of(now.open_to_public, &now.what_to_expect);
    let base = format!("/meetings/{}", access.id());
    Ok(page(
        &access.access,
        ctx,
        ("meeting", base),
        &now,
        form,
        FieldErrors::new(),
    ))
}

pub async fn meeting_save(
    State(state): State<AppState>,
    access: MeetingAccess<Facilitator>,
    ctx: Layout,
    Form(form): Form<PublicForm>,
) -> Result<Response> {
    let now = q::meeting_state(&state.db, access.can.id, access.id())
        .await?
        .or_not_found()?;
    let base = format!("/meetings/{}", access.id());
    let errors = match PublicSettings::try_from(&form) {
        Ok(settings) => match guests::set_meeting(&state.db, &access, &settings).await? {
            Saved::Saved => {
                let text = saved_words(settings.open, "meeting");
                return access
                    .redirect(&state.db, FlashKind::Success, text, &base)
                    .await;
            }
            Saved::NotListed => not_listed(),
        },
        Err(errors) => errors,
    };
    unprocessable(page(
        &access.access,
        ctx,
        ("meeting", base),
        &now,
        form,
        errors,
    ))
}

fn not_listed() -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add("open_to_public", NOT_LISTED);
    errors
}

fn saved_words(open: bool, kind: &str) -> &'static str {
    match (open, kind) {
        (true, "series") => {
            "Saved: the series' meetings are open to the neighbourhood and show on the CAN's public page."
        }
        (true, _) => {
            "Saved: this meeting is open to the neighbourhood and shows on the CAN's public page."
        }
        (false, _) => "Saved: not open to the neighbourhood.",
    }
}
