//! Calendar downloads and subscriptions, and the page where a member makes or revokes their
//! private feed link.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Member};
use crate::error::{AppError, OrNotFound, Result};
use crate::meetings::feeds::{self, calendar};
use crate::meetings::forms::FeedLinkForm;
use crate::web::{CurrentMember, FlashKind, Form, Layout, Path, redirect_with_flash};

fn ics(body: String, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("inline"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=300"),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn can_feed(
    State(state): State<AppState>,
    access: CanAccess<Member>,
) -> Result<Response> {
    let rows = feeds::of_can(&state.db, access.can.id).await?;
    Ok(ics(
        calendar(&access.can.name, &rows, &state.config.public_url),
        &format!("{}.ics", access.can.slug),
    ))
}

pub async fn one(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let rows = feeds::one(&state.db, access.can.id, id).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(ics(
        calendar(&access.can.name, &rows, &state.config.public_url),
        "meeting.ics",
    ))
}

/// The private feed: every meeting of every CAN the token's owner currently belongs to.
pub async fn member_feed(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response> {
    let member = feeds::owner_of(&state.db, &secret).await?.or_not_found()?;
    let rows = feeds::of_member(&state.db, member).await?;
    Ok(ics(
        calendar("Canopy meetings", &rows, &state.config.public_url),
        "canopy.ics",
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/calendar_settings.html")]
pub struct SettingsPage {
    ctx: Layout,
    has_token: bool,
    new_link: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
) -> Result<SettingsPage> {
    Ok(SettingsPage {
        ctx,
        has_token: feeds::has_link(&state.db, me.id).await?,
        new_link: None,
    })
}

/// Makes a new private feed link (the old one stops working) or turns the feed off.
pub async fn renew(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Form(form): Form<FeedLinkForm>,
) -> Result<Response> {
    if form.revokes() {
        feeds::revoke_link(&state.db, me.id).await?;
        let text = "Your private calendar link no longer works.";
        return redirect_with_flash(
            &state.db,
            me.session_id,
            FlashKind::Success,
            text,
            "/account/calendar",
        )
        .await;
    }
    let secret = feeds::renew_link(&state.db, me.id).await?;
    let link = format!("{}/calendar/{secret}/canopy.ics", state.config.public_url);
    Ok(SettingsPage {
        ctx,
        has_token: true,
        new_link: Some(link),
    }
    .into_response())
}
