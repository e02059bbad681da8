//! Calendar downloads and subscriptions (a CAN's, a member's private one, a listed CAN's public
//! one, one meeting's), and the page where a member makes or revokes their
//! private feed link.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Member};
use crate::error::{AppError, OrNotFound, Result};
use crate::meetings::feeds::{self, Audience, CalendarInfo, calendar};
use crate::meetings::forms::FeedLinkForm;
use crate::web::{CurrentMember, FlashKind, Form, Layout, Path, redirect_with_flash, time};

fn ics(body: String, filename: &str) -> Response {
    ics_with(body, filename, "private, max-age=300")
}

fn ics_with(body: String, filename: &str, cache: &'static str) -> Response {
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("inline"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        body,
    )
        .into_response()
}

fn members_calendar<'a>(name: &'a str, zone: Tz, base_url: &'a str) -> CalendarInfo<'a> {
    CalendarInfo {
        name,
        zone,
        base_url,
        audience: Audience::Members,
        today: time::today_in(zone),
    }
}

pub async fn can_feed(
    State(state): State<AppState>,
    access: CanAccess<Member>,
) -> Result<Response> {
    let feed = feeds::of_can(&state.db, access.can.id).await?;
    let info = members_calendar(
        &access.can.name,
        access.can.time_zone,
        &state.config.public_url,
    );
    Ok(ics(
        calendar(&info, &feed),
        &format!("{}.ics", access.can.slug),
    ))
}

pub async fn one(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let feed = feeds::one(&state.db, access.can.id, id).await?;
    if feed.meetings.is_empty() {
        return Err(AppError::NotFound);
    }
    let info = members_calendar(
        &access.can.name,
        access.can.time_zone,
        &state.config.public_url,
    );
    Ok(ics(calendar(&info, &feed), "meeting.ics"))
}

/// The private feed: every series and meeting of every CAN the token's owner currently belongs
/// to, shown in the owner's own zone.
pub async fn member_feed(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response> {
    let owner = feeds::owner_of(&state.db, &secret).await?.or_not_found()?;
    let feed = feeds::of_member(&state.db, owner.id).await?;
    let info = members_calendar("Canopy meetings", owner.time_zone, &state.config.public_url);
    Ok(ics(calendar(&info, &feed), "canopy.ics"))
}

/// A listed CAN's meetings open to the neighbourhood, for anyone: no sign-in, no member names.
/// An unknown or invite-only CAN is 404, whatever its meetings say.
pub async fn public_feed(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response> {
    let can = feeds::listed_can(&state.db, &slug).await?.or_not_found()?;
    let feed = feeds::public_of(&state.db, can.id).await?;
    let info = CalendarInfo {
        name: &can.name,
        zone: can.time_zone,
        base_url: &state.config.public_url,
        audience: Audience::Public,
        today: time::today_in(can.time_zone),
    };
    Ok(ics_with(
        calendar(&info, &feed),
        &format!("{}-public.ics", can.slug),
        "public, max-age=300",
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
