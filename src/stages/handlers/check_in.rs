//! The private check-in after a meeting, for the people who were there. Mounted under the
//! meeting's URL by `stages::meeting_routes()`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::stages::care::{self, CheckedIn};
use crate::stages::forms::{CheckIn, CheckInForm, QUESTIONS};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, unprocessable};

/// One question with the score chosen so far.
pub struct Question {
    pub name: &'static str,
    pub text: &'static str,
    pub value: String,
}

fn questions(form: &CheckInForm) -> Vec<Question> {
    QUESTIONS
        .iter()
        .zip(form.answers())
        .map(|((name, text), value)| Question {
            name,
            text,
            value: value.to_string(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "stages/check_in.html")]
pub struct CheckInPage {
    ctx: Layout,
    nav: CanNav,
    id: Uuid,
    title: String,
    questions: Vec<Question>,
    note: String,
    errors: FieldErrors,
    done: bool,
}

pub async fn check_in_page(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<CheckInPage> {
    let open = care::check_in_open(&state.db, &access, id).await?;
    Ok(CheckInPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::Meetings),
        id,
        title: open.title,
        questions: questions(&CheckInForm::default()),
        note: String::new(),
        errors: FieldErrors::new(),
        done: open.done,
    })
}

pub async fn check_in(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<CheckInForm>,
) -> Result<Response> {
    let open = care::check_in_open(&state.db, &access, id).await?;
    let already = (
        FlashKind::Info,
        "You have already checked in for this meeting; one check-in each.",
    );
    let (kind, text) = if open.done {
        already
    } else {
        let check_in = match CheckIn::try_from(&form) {
            Ok(c) => c,
            Err(errors) => {
                return unprocessable(CheckInPage {
                    ctx,
                    nav: CanNav::new(&access.can, &access.membership, Section::Meetings),
                    id,
                    title: open.title,
                    questions: questions(&form),
                    note: form.note.clone(),
                    errors,
                    done: false,
                });
            }
        };
        match care::check_in(&state.db, &access, id, &check_in).await? {
            CheckedIn::Now => (
                FlashKind::Success,
                "Thank you. Only averages of three or more answers are ever shown.",
            ),
            CheckedIn::Already => already,
        }
    };
    let back = format!("/meetings/{id}");
    access.redirect(&state.db, kind, text, &back).await
}
