//! Leaving and time away: what a member's leaving would hand back, the departures organisers
//! read, and the members the clock brings back from time away.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::error::Result;

/// What leaving would change for a member, read for the confirmation page (one statement).
#[derive(Debug, sqlx::FromRow)]
pub struct LeavingPreview {
    /// Titles of the open or active responsibilities they carry, and those they back up.
    pub carries: Vec<String>,
    pub backs_up: Vec<String>,
    /// Open asks made by them or to them (to carry, back up, hand off), withdrawn on leaving.
    pub open_asks: i64,
    /// The CAN's active organisers (with them, if they are one).
    pub active_organisers: i64,
}

pub async fn leaving_preview(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<LeavingPreview> {
    Ok(sqlx::query_as(
        "WITH held AS (
             SELECT r.title, c.kind
             FROM carriers c
             JOIN responsibilities r ON r.id = c.responsibility_id AND r.can_id = c.can_id
             WHERE c.can_id = $1 AND c.member_id = $2
               AND (c.until_at IS NULL OR c.until_at > now())
               AND r.status IN ('open', 'active'))
         SELECT
             ARRAY(SELECT title FROM held WHERE kind = 'carrier' ORDER BY lower(title)) AS carries,
             ARRAY(SELECT title FROM held WHERE kind = 'backup' ORDER BY lower(title)) AS backs_up,
             (SELECT count(*) FROM offers o
              WHERE o.can_id = $1 AND o.status = 'open'
                AND (o.to_member = $2 OR o.from_member = $2)) AS open_asks,
             (SELECT count(*) FROM role_grants g
              JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id
              WHERE g.can_id = $1 AND g.role = 'organiser' AND g.ended_at IS NULL
                AND m.status = 'active') AS active_organisers",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_one(db)
    .await?)
}

/// Records that the member left, with their reason (empty when they gave none); returns its id.
pub async fn insert_departure(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    reason: &str,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO departures (id, can_id, member_id, reason) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(can_id)
        .bind(member_id)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(id)
}

/// One leaving, as the organisers' member directory shows it.
#[derive(Debug, sqlx::FromRow)]
pub struct Departure {
    pub member_id: Uuid,
    pub reason: String,
    pub left_at: DateTime<Utc>,
}

/// Every leaving in the CAN, newest first. For organisers only: the reasons are theirs to read.
pub async fn departures(db: impl PgExecutor<'_>, can_id: Uuid) -> Result<Vec<Departure>> {
    Ok(sqlx::query_as(
        "SELECT member_id, reason, left_at FROM departures
         WHERE can_id = $1
         ORDER BY left_at DESC, id DESC",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// The CAN's active organisers and coordinators: who hears that a member left.
#[derive(Debug, sqlx::FromRow)]
pub struct Lead {
    pub id: Uuid,
    pub organiser: bool,
    pub coordinator: bool,
}

pub async fn organisers_and_coordinators(
    conn: &mut PgConnection,
    can_id: Uuid,
) -> Result<Vec<Lead>> {
    Ok(sqlx::query_as(
        "SELECT g.member_id AS id,
                bool_or(g.role = 'organiser') AS organiser,
                bool_or(g.role = 'coordinator') AS coordinator
         FROM role_grants g
         JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id
         WHERE g.can_id = $1 AND g.ended_at IS NULL AND m.status = 'active'
           AND g.role IN ('organiser', 'coordinator')
         GROUP BY g.member_id
         ORDER BY g.member_id",
    )
    .bind(can_id)
    .fetch_all(conn)
    .await?)
}

/// Sets the return day of a member who is away (and only then); false when it was so already.
pub async fn set_away_until(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    until: Option<NaiveDate>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE memberships SET away_until = $3
         WHERE can_id = $1 AND member_id = $2 AND status = 'paused'
           AND away_until IS DISTINCT FROM $3",
    )
    .bind(can_id)
    .bind(member_id)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A member whose return day has come, claimed by the clock.
#[derive(Debug, sqlx::FromRow)]
pub struct Returning {
    pub can_id: Uuid,
    pub member_id: Uuid,
    pub away_until: NaiveDate,
    pub name: String,
    pub slug: String,
    pub can_name: String,
}

/// Claims up to `batch` members who are away and whose return day is today or before in their
/// CAN's zone, skipping rows another instance (or the member themselves) holds. The first bound
/// is the same condition widened to any zone's today (never more than a day after UTC's), so the
/// partial index on `away_until` finds the few candidates.
pub async fn claim_returning(conn: &mut PgConnection, batch: i64) -> Result<Vec<Returning>> {
    Ok(sqlx::query_as(CLAIM_RETURNING)
        .bind(batch)
        .fetch_all(conn)
        .await?)
}

/// The claim's statement (a test reads it from here to check its plan uses the index).
const CLAIM_RETURNING: &str = "SELECT m.can_id, m.member_id, m.away_until, p.display_name AS name,
       c.slug, c.name AS can_name
FROM memberships m
JOIN cans c ON c.id = m.can_id
JOIN members p ON p.id = m.member_id
WHERE m.away_until IS NOT NULL
  AND m.away_until <= (now() AT TIME ZONE 'UTC')::date + 1
  AND m.away_until <= (now() AT TIME ZONE c.time_zone)::date
  AND m.status = 'paused'
ORDER BY m.away_until, m.id
LIMIT $1
FOR UPDATE OF m, c SKIP LOCKED";
