//! Describing and changing a responsibility (coordinators), and progress on it (its carriers and
//! the coordinators): the form pages, and the actions that save them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::detail::{self, Kept};
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Coordinator};
use crate::cans::nav::{CanNav, Section};
use crate::error::{AppError, OrNotFound, Result};
use crate::responsibilities::editing::{self, Progressed, Saved};
use crate::responsibilities::forms::{
    NewResponsibility, Progress, ProgressForm, ResponsibilityForm, UNKNOWN_GOAL,
};
use crate::responsibilities::model::ResponsibilityKind;
use crate::responsibilities::page;
use crate::responsibilities::queries::{self, Goal};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, page_with_status, time, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "responsibilities/form.html")]
pub struct FormPage {
    ctx: Layout,
    nav: CanNav,
    form: ResponsibilityForm,
    goals: Vec<Goal>,
    errors: FieldErrors,
    past_due: bool,
    /// The responsibility being changed, or `None` when describing a new one.
    editing: Option<Uuid>,
}

async fn form_page(
    state: &AppState,
    access: &CanAccess<Coordinator>,
    ctx: Layout,
    (form, errors): (ResponsibilityForm, FieldErrors),
    editing: Option<Uuid>,
) -> Result<FormPage> {
    Ok(FormPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::Responsibilities),
        past_due: ResponsibilityForm::past_due(&errors),
        goals: queries::goals(&state.db, access.can.id).await?,
        form,
        errors,
        editing,
    })
}

/// The form with its messages, or the checked responsibility.
fn parse(
    access: &CanAccess<Coordinator>,
    form: &ResponsibilityForm,
) -> Result<NewResponsibility, FieldErrors> {
    NewResponsibility::parse(form, time::today_in(access.can.time_zone))
}

fn unknown_goal() -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add("goal_id", UNKNOWN_GOAL);
    errors
}

pub async fn new_page(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
) -> Result<FormPage> {
    let blank = (ResponsibilityForm::blank(), FieldErrors::new());
    form_page(&state, &access, ctx, blank, None).await
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Form(form): Form<ResponsibilityForm>,
) -> Result<Response> {
    let errors = match parse(&access, &form) {
        Ok(r) => match editing::create(&state.db, &access, &r).await? {
            Saved::Saved(id) => {
                let text = "The responsibility is on the board. Now find someone to carry it, and a backup.";
                return access
                    .redirect(&state.db, FlashKind::Success, text, &page(id))
                    .await;
            }
            Saved::UnknownGoal => unknown_goal(),
        },
        Err(errors) => errors,
    };
    unprocessable(form_page(&state, &access, ctx, (form, errors), None).await?)
}

pub async fn edit_page(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<FormPage> {
    let r = queries::one(&state.db, access.can.id, id)
        .await?
        .or_not_found()?;
    let filled = (ResponsibilityForm::of(&r), FieldErrors::new());
    form_page(&state, &access, ctx, filled, Some(id)).await
}

/// Changes a responsibility's description, goal, rhythm, dates or effort. A due date or term end
/// that changes gets its reminders again.
pub async fn update(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(mut form): Form<ResponsibilityForm>,
) -> Result<Response> {
    let existing = queries::one(&state.db, access.can.id, id)
        .await?
        .or_not_found()?;
    form.keep_confirmed(existing.due_on);
    let errors = match parse(&access, &form) {
        Ok(r) => match editing::update(&state.db, &access, id, &r).await? {
            Saved::Saved(id) => {
                return access
                    .redirect(&state.db, FlashKind::Success, "Saved.", &page(id))
                    .await;
            }
            Saved::UnknownGoal => unknown_goal(),
        },
        Err(errors) => errors,
    };
    unprocessable(form_page(&state, &access, ctx, (form, errors), Some(id)).await?)
}

/// Status changes and progress notes, by carriers and coordinators. A status change from a stale
/// page is refused with 409 and the note kept; a note alone is always added.
pub async fn progress(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<ProgressForm>,
) -> Result<Response> {
    let kept = |errors| Kept {
        note: form.note.clone(),
        ..Kept::errors(errors)
    };
    let progress = match Progress::parse(&form) {
        Ok(progress) => progress,
        Err(errors) => return detail::again(&state, &access, ctx, id, kept(errors)).await,
    };
    match editing::progress(&state.db, &access, id, &progress, &state.config.public_url).await? {
        Progressed::Saved => {
            access
                .redirect(&state.db, FlashKind::Success, "Saved.", &page(id))
                .await
        }
        Progressed::NotAllowed => Err(AppError::Forbidden(
            "Only its carriers and the coordinators can update a responsibility.",
        )),
        Progressed::Stale => {
            let mut errors = FieldErrors::new();
            errors.add("status", "Someone changed this responsibility while you were writing. Your note is kept below: check the status now shown and send it again.");
            let again = detail::render(&state, &access, ctx, id, kept(errors)).await?;
            page_with_status(StatusCode::CONFLICT, again)
        }
    }
}
