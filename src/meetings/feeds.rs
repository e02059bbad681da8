//! Calendar feeds (RFC 5545): a CAN's meetings, a member's private feed of all their CANs'
//! meetings (behind a secret, revocable token in the URL, stored hashed), and one meeting's .ics.
//! Times are written in UTC, so no VTIMEZONE is needed; every event keeps a stable UID and a
//! SEQUENCE that grows with each change, and a cancelled occurrence says STATUS:CANCELLED.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use sqlx::PgPool;
use uuid::Uuid;

use super::model::MeetingStatus;
use crate::error::Result;
use crate::web::token;

#[derive(Debug, sqlx::FromRow)]
pub struct FeedRow {
    id: Uuid,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    location: String,
    status: MeetingStatus,
    sequence: i32,
    updated_at: DateTime<Utc>,
    slug: String,
    can_name: String,
}

const FEED: &str =
    "SELECT g.id, g.title, g.starts_at, g.ends_at, g.location, g.status, g.sequence, g.updated_at,
                           c.slug, c.name AS can_name
                    FROM meetings g JOIN cans c ON c.id = g.can_id";

/// Feeds reach back this far and ahead to the materialised horizon.
const FEED_PAST_DAYS: i32 = 90;

/// The calendar named `name` with `rows` as events, each linking to its page under `base_url`.
pub fn calendar(name: &str, rows: &[FeedRow], base_url: &str) -> String {
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
            .status(if r.status.is_cancelled() {
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

/// A CAN's meetings from [`FEED_PAST_DAYS`] ago on.
pub async fn of_can(db: &PgPool, can_id: Uuid) -> Result<Vec<FeedRow>> {
    Ok(sqlx::query_as(&format!(
        "{FEED} WHERE g.can_id = $1 AND g.starts_at > now() - make_interval(days => $2) ORDER BY g.starts_at"
    ))
    .bind(can_id)
    .bind(FEED_PAST_DAYS)
    .fetch_all(db)
    .await?)
}

/// One meeting of the CAN (none when the id is another CAN's).
pub async fn one(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<Vec<FeedRow>> {
    Ok(
        sqlx::query_as(&format!("{FEED} WHERE g.can_id = $1 AND g.id = $2"))
            .bind(can_id)
            .bind(id)
            .fetch_all(db)
            .await?,
    )
}

/// Every meeting of every CAN the member currently belongs to, from [`FEED_PAST_DAYS`] ago on.
pub async fn of_member(db: &PgPool, member: Uuid) -> Result<Vec<FeedRow>> {
    Ok(sqlx::query_as(&format!(
        "{FEED} JOIN memberships m ON m.can_id = g.can_id AND m.member_id = $1 AND m.status <> 'left'
         WHERE g.starts_at > now() - make_interval(days => $2) ORDER BY g.starts_at"
    ))
    .bind(member)
    .bind(FEED_PAST_DAYS)
    .fetch_all(db)
    .await?)
}

/// Whose private feed the secret in a feed URL opens, if anyone's.
pub async fn owner_of(db: &PgPool, secret: &str) -> Result<Option<Uuid>> {
    Ok(
        sqlx::query_scalar("SELECT member_id FROM calendar_tokens WHERE token_hash = $1")
            .bind(token::hash(secret))
            .fetch_optional(db)
            .await?,
    )
}

pub async fn has_link(db: &PgPool, member: Uuid) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM calendar_tokens WHERE member_id = $1)")
            .bind(member)
            .fetch_one(db)
            .await?,
    )
}

/// Makes the member a new private feed secret (the old one stops working) and returns it.
pub async fn renew_link(db: &PgPool, member: Uuid) -> Result<String> {
    let secret = token::random();
    sqlx::query(
        "INSERT INTO calendar_tokens (member_id, token_hash) VALUES ($1, $2)
         ON CONFLICT (member_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()",
    )
    .bind(member)
    .bind(token::hash(&secret))
    .execute(db)
    .await?;
    Ok(secret)
}

/// Turns the member's private feed off.
pub async fn revoke_link(db: &PgPool, member: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM calendar_tokens WHERE member_id = $1")
        .bind(member)
        .execute(db)
        .await?;
    Ok(())
}
