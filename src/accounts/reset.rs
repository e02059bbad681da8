//! "Forgot your password?": a single-use link, valid for an hour, mailed through the outbox. The
//! answer to the request never says whether an account exists, and at most three links go to one
//! account per hour. Using a link sets the new password and signs out every other browser.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::forms::{Email, Password};
use super::password;
use crate::AppState;
use crate::error::Result;
use crate::outbox::{self, NewMail};
use crate::web::forms::FieldErrors;
use crate::web::session::{self, Flash, FlashKind, Session};
use crate::web::{Form, Layout, Path, redirect_with_flash, token};

pub const LINKS_PER_HOUR: i64 = 3;

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
            let page = ForgotPage {
                ctx,
                email: form.email,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let member: Option<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT m.id, m.display_name,
                (SELECT count(*) FROM password_resets r WHERE r.member_id = m.id AND r.created_at > now() - interval '1 hour')
         FROM members m WHERE lower(m.email) = lower($1) FOR UPDATE",
    )
    .bind(email.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((member_id, name, recent)) = member
        && recent < LINKS_PER_HOUR
    {
        let secret = token::random();
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO password_resets (id, member_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 hour')",
        )
        .bind(id)
        .bind(member_id)
        .bind(token::hash(&secret))
        .execute(&mut *tx)
        .await?;
        outbox::enqueue(
            &mut *tx,
            &NewMail {
                can_id: None,
                to: email.as_str().to_string(),
                subject: "Choose a new Canopy password".into(),
                body: format!(
                    "Hello {name},\n\nSomeone (we hope you) asked to choose a new password for your Canopy account.\n\
                     This link works once, for an hour:\n{}/account/reset/{secret}\n\n\
                     If it was not you, ignore this mail: your password stays as it is.\n",
                    state.config.public_url
                ),
                dedupe_key: Some(format!("password-reset:{id}")),
            },
        )
        .await?;
    }
    tx.commit().await?;
    // The same words whether or not there is such an account.
    redirect_with_flash(
        &state.db,
        session.id,
        FlashKind::Info,
        "If an account uses that address, a link to choose a new password is on its way. It works for an hour.",
        "/sign-in",
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    new_password: String,
    confirm_password: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset.html")]
pub struct ResetPage {
    ctx: Layout,
    path: String,
    usable: bool,
    errors: FieldErrors,
}

/// The reset a token names, if it can still be used.
async fn usable(
    conn: &mut sqlx::PgConnection,
    secret: &str,
    lock: bool,
) -> Result<Option<(Uuid, Uuid)>> {
    let sql = format!(
        "SELECT id, member_id FROM password_resets
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() {}",
        if lock { "FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_as(&sql)
        .bind(token::hash(secret))
        .fetch_optional(conn)
        .await?)
}

pub async fn reset_page(
    State(state): State<AppState>,
    ctx: Layout,
    Path(secret): Path<String>,
) -> Result<Response> {
    let mut conn = state.db.acquire().await?;
    let ok = usable(&mut conn, &secret, false).await?.is_some();
    let page = ResetPage {
        ctx,
        path: format!("/account/reset/{secret}"),
        usable: ok,
        errors: FieldErrors::new(),
    };
    Ok(if ok {
        page.into_response()
    } else {
        (StatusCode::GONE, page).into_response()
    })
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Layout,
    session: Session,
    Path(secret): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response> {
    let path = format!("/account/reset/{secret}");
    let mut errors = FieldErrors::new();
    let new = errors.check("new_password", Password::parse(&form.new_password));
    if new.is_some() && form.confirm_password != form.new_password {
        errors.add("confirm_password", "The two passwords are not the same.");
    }
    let mut tx = state.db.begin().await?;
    let Some((reset_id, member_id)) = usable(&mut tx, &secret, true).await? else {
        let page = ResetPage {
            ctx,
            path,
            usable: false,
            errors: FieldErrors::new(),
        };
        return Ok((StatusCode::GONE, page).into_response());
    };
    let (Some(new), true) = (new, errors.is_empty()) else {
        drop(tx);
        let page = ResetPage {
            ctx,
            path,
            usable: true,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hash = password::hash(new.expose()).await?;
    sqlx::query("UPDATE members SET password_hash = $2 WHERE id = $1")
        .bind(member_id)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE password_resets SET used_at = now() WHERE id = $1")
        .bind(reset_id)
        .execute(&mut *tx)
        .await?;
    // Every link sent earlier stops working, and so does every signed-in browser.
    sqlx::query(
        "UPDATE password_resets SET used_at = now() WHERE member_id = $1 AND used_at IS NULL",
    )
    .bind(member_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE member_id = $1 OR id = $2")
        .bind(member_id)
        .bind(session.id)
        .execute(&mut *tx)
        .await?;
    let fresh = session::create(
        &mut *tx,
        Some(member_id),
        Some(Flash {
            kind: FlashKind::Success,
            text: "Your new password is set, and any other browsers were signed out.".into(),
        }),
    )
    .await?;
    tx.commit().await?;
    let mut response = axum::response::Redirect::to("/").into_response();
    response.headers_mut().insert(
        axum::http::header::SET_COOKIE,
        session::cookie(&fresh, state.config.secure_cookies()),
    );
    Ok(response)
}
