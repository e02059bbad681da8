//! "Forgot your password?" pages: asking for a link, and choosing a new password through it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::profile::AFTER_PASSWORD_CHANGE;
use super::signed_in_redirect;
use crate::AppState;
use crate::accounts::forms::{Email, Password};
use crate::accounts::reset;
use crate::error::Result;
use crate::web::forms::FieldErrors;
use crate::web::session::{FlashKind, Session};
use crate::web::{Form, Layout, Path, page_with_status, redirect_with_flash, unprocessable};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/forgot.html")]
pub struct ForgotPage {
    ctx: Layout,
    email: String,
    errors: FieldErrors,
}

pub async fn forgot_page(ctx: Layout) -> ForgotPage {
    ForgotPage {
        ctx,
        email: String::new(),
        errors: FieldErrors::new(),
    }
}

pub async fn forgot(
    State(state): State<AppState>,
    ctx: Layout,
    session: Session,
    Form(form): Form<ForgotForm>,
) -> Result<Response> {
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("email", message);
            let email = form.email;
            return unprocessable(ForgotPage { ctx, email, errors });
        }
    };
    reset::request_link(&state.db, &email, &state.config.public_url).await?;
    // The same words whether or not there is such an account.
    let text = "If an account uses that address, a link to choose a new password is on its way. It works for an hour.";
    redirect_with_flash(&state.db, session.id, FlashKind::Info, text, "/sign-in").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    new_password: String,
    confirm_password: String,
}

impl ResetForm {
    fn checked(&self) -> Result<Password, FieldErrors> {
        let mut errors = FieldErrors::new();
        let new = errors.check("new_password", Password::parse(&self.new_password));
        if new.is_some() && self.confirm_password != self.new_password {
            errors.add("confirm_password", "The two passwords are not the same.");
        }
        match new {
            Some(new) if errors.is_empty() => Ok(new),
            _ => Err(errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset.html")]
pub struct ResetPage {
    ctx: Layout,
    path: String,
    usable: bool,
    errors: FieldErrors,
}

/// The reset page: 410 for a link that has expired or was used, 422 with the form's messages,
/// else 200.
fn reset_page_with(
    ctx: Layout,
    path: String,
    usable: bool,
    errors: FieldErrors,
) -> Result<Response> {
    let status = match (usable, errors.is_empty()) {
        (false, _) => StatusCode::GONE,
        (true, false) => StatusCode::UNPROCESSABLE_ENTITY,
        (true, true) => StatusCode::OK,
    };
    let page = ResetPage {
        ctx,
        path,
        usable,
        errors,
    };
    page_with_status(status, page)
}

pub async fn reset_page(
    State(state): State<AppState>,
    ctx: Layout,
    Path(secret): Path<String>,
) -> Result<Response> {
    let path = format!("/account/reset/{secret}");
    let usable = reset::usable(&state.db, &secret).await?;
    reset_page_with(ctx, path, usable, FieldErrors::new())
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Layout,
    session: Session,
    Path(secret): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response> {
    let path = format!("/account/reset/{secret}");
    let new = match form.checked() {
        Ok(new) => new,
        // A link that cannot be used says so before anything about the form.
        Err(errors) => {
            let usable = reset::usable(&state.db, &secret).await?;
            let errors = if usable { errors } else { FieldErrors::new() };
            return reset_page_with(ctx, path, usable, errors);
        }
    };
    match reset::use_link(&state.db, &secret, &new, session.id).await? {
        Some(fresh) => Ok(signed_in_redirect(&state, AFTER_PASSWORD_CHANGE, &fresh)),
        None => reset_page_with(ctx, path, false, FieldErrors::new()),
    }
}
