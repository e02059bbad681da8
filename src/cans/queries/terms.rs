//! Role terms: what the clock claims (a term ending soon, a term passed), and a grant renewed.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::Person;
use crate::cans::model::Role;
use crate::error::Result;

/// A grant whose term the clock is acting on, with what its mails and log line name.
#[derive(Debug, sqlx::FromRow)]
pub struct Term {
    pub grant_id: Uuid,
    pub can_id: Uuid,
    pub member_id: Uuid,
    pub role: Role,
    pub term_ends_on: NaiveDate,
    pub holder_name: String,
    pub slug: String,
    pub can_name: String,
}

const TERM: &str = "
    SELECT g.id AS grant_id, g.can_id, g.member_id, g.role, g.term_ends_on,
           p.display_name AS holder_name, c.slug, c.name AS can_name
    FROM role_grants g
    JOIN cans c ON c.id = g.can_id
    JOIN members p ON p.id = g.member_id";

/// Claims an active grant whose term ends within `days` of today in its CAN's zone and whose
/// holder has not been reminded, skipping grants another instance holds.
pub async fn claim_term_ending_soon(conn: &mut PgConnection, days: i32) -> Result<Option<Term>> {
    // The first two bounds are the same window widened to any zone's today (never more than a day
    // from UTC's), so the index on term_ends_on can find the few candidates.
    Ok(sqlx::query_as(&format!(
        "{TERM}
         WHERE g.ended_at IS NULL AND g.term_reminder_sent_at IS NULL
           AND g.term_ends_on >= (now() AT TIME ZONE 'UTC')::date - 1
           AND g.term_ends_on <= (now() AT TIME ZONE 'UTC')::date + 1 + $1
           AND g.term_ends_on BETWEEN (now() AT TIME ZONE c.time_zone)::date
                                  AND (now() AT TIME ZONE c.time_zone)::date + $1
         ORDER BY g.term_ends_on
         LIMIT 1 FOR UPDATE OF g SKIP LOCKED"
    ))
    .bind(days)
    .fetch_optional(conn)
    .await?)
}

pub async fn mark_term_reminded(conn: &mut PgConnection, grant_id: Uuid) -> Result<()> {
    sqlx::query("UPDATE role_grants SET term_reminder_sent_at = now() WHERE id = $1")
        .bind(grant_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Claims an active grant whose term ended before today in its CAN's zone, with the CAN's row
/// (as `lock_can` takes it), skipping either when another transaction holds it — so the clock
/// never waits on a leadership change, nor one on the clock. `done` are the grants this run has
/// already decided. A grant kept as the last organiser's waits until there is another active
/// organiser; the end itself re-checks that under the lock.
pub async fn claim_term_passed(conn: &mut PgConnection, done: &[Uuid]) -> Result<Option<Term>> {
    Ok(sqlx::query_as(&format!(
        "{TERM}
         WHERE g.ended_at IS NULL
           AND g.term_ends_on < (now() AT TIME ZONE 'UTC')::date + 1
           AND g.term_ends_on < (now() AT TIME ZONE c.time_zone)::date
           AND NOT (g.id = ANY($1))
           AND (g.term_kept_at IS NULL OR EXISTS (
                SELECT 1 FROM role_grants o
                JOIN memberships m ON m.can_id = o.can_id AND m.member_id = o.member_id
                WHERE o.can_id = g.can_id AND o.role = 'organiser' AND o.ended_at IS NULL
                  AND m.status = 'active' AND o.id <> g.id))
         ORDER BY g.term_ends_on
         LIMIT 1 FOR UPDATE OF g, c SKIP LOCKED"
    ))
    .bind(done)
    .fetch_optional(conn)
    .await?)
}

/// Ends a grant because its term ended: nobody ended it, so `ended_by` stays empty.
pub async fn end_for_term(conn: &mut PgConnection, grant_id: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE role_grants SET ended_at = now(), ended_by = NULL, ended_how = 'term_ended'
         WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(grant_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that the grant outlived its term as the last active organiser's; false when that was
/// recorded before (the organisers have been told).
pub async fn mark_term_kept(conn: &mut PgConnection, grant_id: Uuid) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE role_grants SET term_kept_at = now() WHERE id = $1 AND term_kept_at IS NULL",
    )
    .bind(grant_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The CAN's active organisers (active members holding the role), to tell about a term.
pub async fn organisers(conn: &mut PgConnection, can_id: Uuid) -> Result<Vec<Person>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.email, p.display_name AS name
         FROM role_grants g
         JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id
         JOIN members p ON p.id = g.member_id
         WHERE g.can_id = $1 AND g.role = 'organiser' AND g.ended_at IS NULL AND m.status = 'active'
         ORDER BY p.display_name, p.id",
    )
    .bind(can_id)
    .fetch_all(conn)
    .await?)
}

/// The member's active grant of `role`, locked for renewal.
#[derive(Debug, sqlx::FromRow)]
pub struct CurrentGrant {
    pub id: Uuid,
    pub term_ends_on: Option<NaiveDate>,
}

pub async fn current_grant(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    role: Role,
) -> Result<Option<CurrentGrant>> {
    Ok(sqlx::query_as(
        "SELECT id, term_ends_on FROM role_grants
         WHERE can_id = $1 AND member_id = $2 AND role = $3 AND ended_at IS NULL
         FOR UPDATE",
    )
    .bind(can_id)
    .bind(member_id)
    .bind(role)
    .fetch_optional(conn)
    .await?)
}

/// Ends a grant because an organiser renewed it (the next term is a new grant).
pub async fn end_for_renewal(conn: &mut PgConnection, grant_id: Uuid, by: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE role_grants SET ended_at = now(), ended_by = $2, ended_how = 'renewed'
         WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(grant_id)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}
