use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::forms::{
    Credentials, NewMember, PasswordChange, PasswordForm, ProfileForm, ProfileUpdate, SignInForm,
    SignUpForm,
};
use super::{password, queries, throttle};
use crate::AppState;
use crate::error::Result;
use crate::web::forms::{FieldErrors, time_zone_names};
use crate::web::session::{self, Flash, FlashKind, Session};
use crate::web::{ClientAddress, CurrentMember, Form, Layout, Query, safe_next};

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
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let member = match NewMember::try_from(&form) {
        Ok(member) => member,
        Err(errors) => return Ok(invalid(form, errors)),
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
        return Ok(invalid(form, taken()));
    }
    let hash = password::hash(member.password.expose()).await?;

    let mut tx = state.db.begin().await?;
    let Some(member_id) = queries::insert_member(&mut *tx, &member, &hash).await? else {
        drop(tx);
        return Ok(invalid(form, taken()));
    };
    // Signing in starts a new session: the anonymous one (and its token) is discarded.
    session::delete(&mut *tx, session.id).await?;
    let welcome = Flash {
        kind: FlashKind::Success,
        text: format!("Welcome to Canopy, {}.", member.display_name),
    };
    let new_session = session::create(&mut *tx, Some(member_id), Some(welcome)).await?;
    tx.commit().await?;
    tracing::info!(%member_id, "member signed up");
    Ok(signed_in_redirect(&state, &next, &new_session))
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
        Err(errors) => return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(errors)).into_response()),
    };
    let account = credentials.email.throttle_key();

    let attempt = match throttle::begin(&state.db, &account, &address).await? {
        Ok(attempt) => attempt,
        Err(wait) => {
            let minutes = wait.as_secs().div_ceil(60);
            let mut errors = FieldErrors::new();
            errors.add(
            "form",
            format!(
                "Too many failed sign-ins. For your account's safety, wait {minutes} minute{} and \
                 try again, or ask an organiser for help.",
                if minutes == 1 { "" } else { "s" }
            ),
        );
            let mut response = (StatusCode::TOO_MANY_REQUESTS, page(errors)).into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.as_secs().to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(response);
        }
    };

    let found = queries::credentials(&state.db, &credentials.email).await?;
    let (member_id, stored) = match found {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let matches = password::verify(&credentials.password, stored).await?;
    let Some(member_id) = member_id.filter(|_| matches) else {
        // The attempt stays recorded: it was a failure.
        let mut errors = FieldErrors::new();
        // The same words whether the email is unknown or the password wrong.
        errors.add(
            "form",
            "That email and password do not match an account. Check both and try again.",
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(errors)).into_response());
    };

    let mut tx = state.db.begin().await?;
    throttle::succeeded(&mut *tx, &account, attempt).await?;
    session::delete(&mut *tx, session.id).await?;
    let new_session = session::create(&mut *tx, Some(member_id), None).await?;
    tx.commit().await?;
    Ok(signed_in_redirect(&state, &next, &new_session))
}

pub async fn sign_out(State(state): State<AppState>, session: Session) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    session::delete(&mut *tx, session.id).await?;
    // A fresh anonymous session carries the goodbye and the next page's CSRF token.
    let goodbye = Flash {
        kind: FlashKind::Info,
        text: "You have signed out.".into(),
    };
    let new_session = session::create(&mut *tx, None, Some(goodbye)).await?;
    tx.commit().await?;
    Ok(signed_in_redirect(&state, "/", &new_session))
}

fn signed_in_redirect(state: &AppState, to: &str, new_session: &session::NewSession) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::cookie(new_session, state.config.secure_cookies()),
    );
    response
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/profile.html")]
pub struct ProfilePage {
    ctx: Layout,
    email: String,
    form: ProfileForm,
    errors: FieldErrors,
    time_zones: &'static [&'static str],
}

pub async fn profile_page(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
) -> Result<Response> {
    let p = queries::profile(&state.db, me.id).await?;
    Ok(ProfilePage {
        ctx,
        email: p.email,
        form: ProfileForm {
            weekly_digest: if p.weekly_digest {
                "yes".into()
            } else {
                String::new()
            },
            display_name: p.display_name,
            pronouns: p.pronouns,
            neighbourhood: p.neighbourhood,
            skills: p.skills,
            time_zone: p.time_zone,
        },
        errors: FieldErrors::new(),
        time_zones: time_zone_names(),
    }
    .into_response())
}

pub async fn update_profile(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Form(form): Form<ProfileForm>,
) -> Result<Response> {
    let update = match ProfileUpdate::try_from(&form) {
        Ok(u) => u,
        Err(errors) => {
            let email = queries::profile(&state.db, me.id).await?.email;
            let page = ProfilePage {
                ctx,
                email,
                form,
                errors,
                time_zones: time_zone_names(),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    queries::update_profile(&state.db, me.id, &update).await?;
    session::set_flash(
        &state.db,
        me.session_id,
        FlashKind::Success,
        "Your profile is saved.",
    )
    .await?;
    Ok(Redirect::to("/account/profile").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/password.html")]
pub struct PasswordPage {
    ctx: Layout,
    errors: FieldErrors,
}

pub async fn password_page(_me: CurrentMember, ctx: Layout) -> PasswordPage {
    PasswordPage {
        ctx,
        errors: FieldErrors::new(),
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let invalid = |errors| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            PasswordPage { ctx, errors },
        )
    };
    let change = match PasswordChange::try_from(&form) {
        Ok(c) => c,
        Err(errors) => return Ok(invalid(errors).into_response()),
    };
    let stored = queries::password_hash(&state.db, me.id).await?;
    if !password::verify(&change.current, Some(stored)).await? {
        let mut errors = FieldErrors::new();
        errors.add("current_password", "That is not your current password.");
        return Ok(invalid(errors).into_response());
    }
    let hash = password::hash(change.new.expose()).await?;

    // A new password also ends every other session, in case the old one was known to someone;
    // this browser gets a new session id too.
    let mut tx = state.db.begin().await?;
    queries::set_password_hash(&mut *tx, me.id, &hash).await?;
    session::delete(&mut *tx, me.session_id).await?;
    let ended = session::delete_others(&mut *tx, me.id, me.session_id).await?;
    let text = match ended {
        0 => "Your password is changed.".to_string(),
        1 => "Your password is changed, and your other signed-in browser was signed out.".into(),
        n => format!(
            "Your password is changed, and your {n} other signed-in browsers were signed out."
        ),
    };
    let flash = Flash {
        kind: FlashKind::Success,
        text,
    };
    let new_session = session::create(&mut *tx, Some(me.id), Some(flash)).await?;
    tx.commit().await?;
    Ok(signed_in_redirect(&state, "/account/profile", &new_session))
}
