//! Calendar feeds (RFC 5545): a CAN's meetings, a member's private feed of all their CANs'
//! meetings (behind a secret, revocable token in the URL, stored hashed), and one meeting's .ics.
//! Times are written in UTC, so no VTIMEZONE is needed; every event keeps a stable UID and a
//! SEQUENCE that grows with each change, and a cancelled occurrence says STATUS:CANCELLED.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Member};
use crate::error::{AppError, Result};
use crate::web::{CurrentMember, FlashKind, Layout, Path, redirect_with_flash, token};

#[derive(Debug, sqlx::FromRow)]
struct FeedRow {
    id: Uuid,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    location: String,
    status: String,
    sequence: i32,
    updated_at: DateTime<Utc>,
    slug: String,
    can_name: String,
}

const FEED: &str =
    "SELECT g.id, g.title, g.starts_at, g.ends_at, g.location, g.status, g.sequence, g.updated_at,
                           c.slug, c.name AS can_name
                    FROM meetings g JOIN cans c ON c.id = g.can_id";

fn calendar(name: &str, rows: &[FeedRow], base_url: &str) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    for r in rows {
        let url = format!("{base_url}/c/{}/meetings/{}", r.slug, r.id);
        let mut event = icalendar::Event::new();
        event
            .uid(&format!("meeting-{}@canopy", r.id))
            .timestamp(r.updated_at)
            .sequence(u32::try_from(r.sequence).unwrap_or(0))
            .summary(&format!("{} — {}", r.title, r.can_name))
            .starts(r.starts_at)
            .ends(r.ends_at)
            .url(&url)
            .description(&format!("Agenda, RSVP and minutes: {url}"))
            .status(if r.status == "cancelled" {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        if !r.location.is_empty() {
            event.location(&r.location);
        }
        cal.push(event.done());
    }
    cal.done().to_string()
}

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

/// Feeds reach back this far and ahead to the materialised horizon.
const FEED_PAST_DAYS: i32 = 90;

pub async fn can_feed(
    State(state): State<AppState>,
    access: CanAccess<Member>,
) -> Result<Response> {
    let rows: Vec<FeedRow> = sqlx::query_as(&format!(
        "{FEED} WHERE g.can_id = $1 AND g.starts_at > now() - make_interval(days => $2) ORDER BY g.starts_at"
    ))
    .bind(access.can.id)
    .bind(FEED_PAST_DAYS)
    .fetch_all(&state.db)
    .await?;
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
    let rows: Vec<FeedRow> = sqlx::query_as(&format!("{FEED} WHERE g.can_id = $1 AND g.id = $2"))
        .bind(access.can.id)
        .bind(id)
        .fetch_all(&state.db)
        .await?;
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
    let member: Option<Uuid> =
        sqlx::query_scalar("SELECT member_id FROM calendar_tokens WHERE token_hash = $1")
            .bind(token::hash(&secret))
            .fetch_optional(&state.db)
            .await?;
    let member = member.ok_or(AppError::NotFound)?;
    let rows: Vec<FeedRow> = sqlx::query_as(&format!(
        "{FEED} JOIN memberships m ON m.can_id = g.can_id AND m.member_id = $1 AND m.status <> 'left'
         WHERE g.starts_at > now() - make_interval(days => $2) ORDER BY g.starts_at"
    ))
    .bind(member)
    .bind(FEED_PAST_DAYS)
    .fetch_all(&state.db)
    .await?;
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
    let has_token: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM calendar_tokens WHERE member_id = $1)")
            .bind(me.id)
            .fetch_one(&state.db)
            .await?;
    Ok(SettingsPage {
        ctx,
        has_token,
        new_link: None,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RenewForm {
    action: String,
}

/// Makes a new private feed link (the old one stops working) or turns the feed off.
pub async fn renew(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    crate::web::Form(form): crate::web::Form<RenewForm>,
) -> Result<Response> {
    if form.action == "revoke" {
        sqlx::query("DELETE FROM calendar_tokens WHERE member_id = $1")
            .bind(me.id)
            .execute(&state.db)
            .await?;
        return redirect_with_flash(
            &state.db,
            me.session_id,
            FlashKind::Success,
            "Your private calendar link no longer works.",
            "/account/calendar",
        )
        .await;
    }
    let secret = token::random();
    sqlx::query(
        "INSERT INTO calendar_tokens (member_id, token_hash) VALUES ($1, $2)
         ON CONFLICT (member_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()",
    )
    .bind(me.id)
    .bind(token::hash(&secret))
    .execute(&state.db)
    .await?;
    let link = format!("{}/calendar/{secret}/canopy.ics", state.config.public_url);
    Ok(SettingsPage {
        ctx,
        has_token: true,
        new_link: Some(link),
    }
    .into_response())
}
