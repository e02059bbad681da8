//! Signing up, signing in and out (the member's profile and password, and forgotten passwords,
//! have their own files).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub mod profile;
pub mod reset;

use super::forms::{Credentials, NewMember, SignInForm, SignUpForm};
use super::{password, queries, sessions, throttle};
use crate::AppState;
use crate::error::Result;
use crate::web::forms::{FieldErrors, time_zone_names};
use crate::web::session::{self, Session};
use crate::web::{ClientAddress, Form, Layout, Query, safe_next, unprocessable};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/sign_up.html")]
pub struct SignUpPage {
    ctx: Layout,
    next: String,
    form: SignUpForm,
    errors: FieldErrors,
    time_zones: &'static [&'static str],
}

pub async fn sign_up_page(
    State(state): State<AppState>,
    ctx: Layout,
    Query(query): Query<NextQuery>,
) -> Response {
    let next = safe_next(Some(&query.next));
    if ctx.member.is_some() {
        return Redirect::to(&next).into_response();
    }
    SignUpPage {
        ctx,
        next,
        form: SignUpForm {
            time_zone: state.config.default_time_zone.name().to_string(),
            ..Default::default()
        },
        errors: FieldErrors::new(),
        time_zones: time_zone_names(),
    }
    .into_response()
}

pub async fn sign_up(
    State(state): State<AppState>,
    ctx: Layout,
    session: Session,
    Form(mut form): Form<SignUpForm>,
) -> Result<Response> {
    let next = safe_next(Some(&form.next));
    let invalid = |mut form: SignUpForm, errors| {
        // A password is never sent back to the browser.
        form.password.clear();
        let page = SignUpPage {
            ctx: ctx.clone(),
            next: next.clone(),
            form,
            errors,
            time_zones: time_zone_names(),
        };
        unprocessable(page)
    };
    let member = match NewMember::try_from(&form) {
        Ok(member) => member,
        Err(errors) => return invalid(form, errors),
    };
    let taken = || {
        let mut errors = FieldErrors::new();
        errors.add(
            "email",
            "An account with this email already exists. Sign in instead, or use another address.",
        );
        errors
    };
    // Checked before hashing so a taken address costs no Argon2 work; the unique index below
    // still decides when two sign-ups race.
    if queries::email_taken(&state.db, &member.email).await? {
        form.email = member.email.as_str().to_string();
        return invalid(form, taken());
    }
    let hash = password::hash(member.password.expose()).await?;
    match sessions::sign_up(&state.db, &member, &hash, session.id).await? {
        Some(new_session) => Ok(signed_in_redirect(&state, &next, &new_session)),
        None => invalid(form, taken()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/sign_in.html")]
pub struct SignInPage {
    ctx: Layout,
    email: String,
    next: String,
    errors: FieldErrors,
}

pub async fn sign_in_page(ctx: Layout, Query(query): Query<NextQuery>) -> Response {
    let next = safe_next(Some(&query.next));
    if ctx.member.is_some() {
        return Redirect::to(&next).into_response();
    }
    SignInPage {
        ctx,
        email: String::new(),
        next,
        errors: FieldErrors::new(),
    }
    .into_response()
}

pub async fn sign_in(
    State(state): State<AppState>,
    ctx: Layout,
    session: Session,
    ClientAddress(address): ClientAddress,
    Form(form): Form<SignInForm>,
) -> Result<Response> {
    let next = safe_next(Some(&form.next));
    let page = |errors| SignInPage {
        ctx: ctx.clone(),
        email: form.email.trim().to_string(),
        next: next.clone(),
        errors,
    };
    let credentials = match Credentials::try_from(&form) {
        Ok(c) => c,
        Err(errors) => return unprocessable(page(errors)),
    };
    let account = credentials.email.throttle_key();
    let attempt = match throttle::begin(&state.db, &account, &address).await? {
        Ok(attempt) => attempt,
        Err(wait) => return Ok(too_many(page(FieldErrors::new()), wait)),
    };
    let Some(member_id) = sessions::check_password(&state.db, &credentials).await? else {
        // The attempt stays recorded: it was a failure. The same words whether the email is
        // unknown or the password wrong.
        let mut errors = FieldErrors::new();
        errors.add(
            "form",
            "That email and password do not match an account. Check both and try again.",
        );
        return unprocessable(page(errors));
    };
    let new_session =
        sessions::sign_in(&state.db, &account, attempt, member_id, session.id).await?;
    Ok(signed_in_redirect(&state, &next, &new_session))
}

/// 429 with the sign-in form, saying how long to wait (also in `Retry-After`).
fn too_many(mut page: SignInPage, wait: std::time::Duration) -> Response {
    let minutes = wait.as_secs().div_ceil(60);
    page.errors.add(
        "form",
        format!(
            "Too many failed sign-ins. For your account's safety, wait {minutes} minute{} and \
             try again, or ask an organiser for help.",
            if minutes == 1 { "" } else { "s" }
        ),
    );
    let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

pub async fn sign_out(State(state): State<AppState>, session: Session) -> Result<Response> {
    let new_session = sessions::sign_out(&state.db, session.id).await?;
    Ok(signed_in_redirect(&state, "/", &new_session))
}

/// Sends the browser on with its new session's cookie.
pub(super) fn signed_in_redirect(
    state: &AppState,
    to: &str,
    new_session: &session::NewSession,
) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::cookie(new_session, state.config.secure_cookies()),
    );
    response
}
