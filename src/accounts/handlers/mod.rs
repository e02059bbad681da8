//! Signing up, signing in and out (the member's profile and password, and forgotten passwords,
//! have their own files).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub mod profile;
pub mod reset;
pub mod sign_in_link;

use super::forms::{Credentials, NewMember, SignInForm, SignUpForm};
use super::sessions::{self, SignIn, SignUp};
use super::throttle::Refusal;
use crate::AppState;
use crate::error::Result;
use crate::web::forms::{FieldErrors, time_zone_names};
use crate::web::session::{self, Session};
use crate::web::{
    ClientAddress, Form, Layout, Query, safe_next, time, too_many_requests, unprocessable,
};

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
    ClientAddress(address): ClientAddress,
    Form(mut form): Form<SignUpForm>,
) -> Result<Response> {
    let next = safe_next(Some(&form.next));
    let page = |mut form: SignUpForm, errors| {
        // A password is never sent back to the browser.
        form.password.clear();
        SignUpPage {
            ctx: ctx.clone(),
            next: next.clone(),
            form,
            errors,
            time_zones: time_zone_names(),
        }
    };
    let member = match NewMember::try_from(&form) {
        Ok(member) => member,
        Err(errors) => return unprocessable(page(form, errors)),
    };
    let limits = &state.config.sign_ups;
    let mut errors = FieldErrors::new();
    match sessions::sign_up(&state.db, &member, limits, &address, session.id).await? {
        SignUp::Welcome(new_session) => Ok(signed_in_redirect(&state, &next, &new_session)),
        SignUp::EmailTaken => {
            errors.add(
                "email",
                "An account with this email already exists. Sign in instead, or use another address.",
            );
            form.email = member.email.as_str().to_string();
            unprocessable(page(form, errors))
        }
        SignUp::TooMany { wait, from_here } => {
            let wait_words = time::wait_words(wait);
            let text = if from_here {
                format!(
                    "Several accounts have been made from your network in the last hour, the most \
                     we allow. Try again in {wait_words}; nothing was saved."
                )
            } else {
                format!(
                    "Many people are signing up right now. Try again in {wait_words}; nothing was \
                     saved."
                )
            };
            errors.add("form", text);
            too_many_requests(page(form, errors), wait)
        }
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
    let public_url = &state.config.public_url;
    let mut errors = FieldErrors::new();
    match sessions::sign_in(&state.db, &credentials, &address, session.id, public_url).await? {
        SignIn::Welcome(new_session) => Ok(signed_in_redirect(&state, &next, &new_session)),
        SignIn::NoMatch => {
            // The same words whether the email is unknown or the password wrong.
            errors.add(
                "form",
                "That email and password do not match an account. Check both and try again.",
            );
            unprocessable(page(errors))
        }
        SignIn::Refused(Refusal::Locked(wait)) => {
            errors.add(
                "form",
                format!(
                    "Too many failed sign-ins. For your account's safety, wait {} and try again, \
                     or ask an organiser for help.",
                    time::wait_words(wait)
                ),
            );
            too_many_requests(page(errors), wait)
        }
        SignIn::Refused(Refusal::Slowed(wait)) => {
            // Said whether or not an account has this address: the link goes only to one that does.
            errors.add(
                "form",
                format!(
                    "Many wrong passwords have been tried for this account, so its sign-ins are \
                     slowed down: try again in {}. If it is your account, look in your mail for \
                     a link that signs you in without your password.",
                    time::wait_words(wait)
                ),
            );
            too_many_requests(page(errors), wait)
        }
    }
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
