//! Plain SQL for the health signals. Every query is scoped by `can_id`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{CHECK_IN_DAYS, LoadSnapshot, MeetingAttendance, PastTerm, RECENT, ReachedOut};
use crate::error::Result;

/// The last [`RECENT`] held meetings, newest first, with who came of those who were members then.
pub async fn attendance(db: &PgPool, can_id: Uuid) -> Result<Vec<MeetingAttendance>> {
    Ok(sqlx::query_as(
        "SELECT g.id, g.title, g.starts_at,
                (SELECT count(*) FROM attendance a JOIN memberships m ON m.can_id = a.can_id AND m.member_id = a.member_id
                  WHERE a.meeting_id = g.id AND m.joined_at <= g.ends_at
                    AND (m.status = 'active' OR m.status_changed_at > g.starts_at)) AS present,
                (SELECT count(*) FROM memberships m WHERE m.can_id = g.can_id AND m.joined_at <= g.ends_at
                    AND (m.status = 'active' OR m.status_changed_at > g.starts_at)) AS active
         FROM meetings g WHERE g.can_id = $1 AND g.status = 'held'
         ORDER BY g.starts_at DESC LIMIT $2",
    )
    .bind(can_id)
    .bind(RECENT)
    .fetch_all(db)
    .await?)
}

/// An active member and how they have been coming to meetings.
#[derive(sqlx::FromRow)]
pub struct Presence {
    pub id: Uuid,
    pub display_name: String,
    pub missed_in_a_row: bool,
    pub not_seen: bool,
    pub last_attended: Option<DateTime<Utc>>,
}

/// Each active member: missed the last `missed` held meetings in a row? not seen for `weeks`
/// weeks while meetings were held? (Counting only meetings from when they were members.)
pub async fn presence(db: &PgPool, can_id: Uuid, missed: i16, weeks: i16) -> Result<Vec<Presence>> {
    Ok(sqlx::query_as(
        "WITH recent AS (
             SELECT id, starts_at FROM meetings WHERE can_id = $1 AND status = 'held'
             ORDER BY starts_at DESC LIMIT $2),
         window_meetings AS (
             SELECT id FROM meetings WHERE can_id = $1 AND status = 'held'
               AND starts_at > now() - make_interval(weeks => $3))
         SELECT p.id, p.display_name,
                (SELECT count(*) FROM recent) = $2
                  AND NOT EXISTS (SELECT 1 FROM recent r JOIN attendance a ON a.meeting_id = r.id AND a.member_id = p.id)
                  AND greatest(m.joined_at, m.status_changed_at) < (SELECT min(starts_at) FROM recent) AS missed_in_a_row,
                EXISTS (SELECT 1 FROM window_meetings)
                  AND NOT EXISTS (SELECT 1 FROM window_meetings w JOIN attendance a ON a.meeting_id = w.id AND a.member_id = p.id)
                  AND greatest(m.joined_at, m.status_changed_at) < now() - make_interval(weeks => $3) AS not_seen,
                (SELECT max(g.starts_at) FROM attendance a JOIN meetings g ON g.id = a.meeting_id
                  WHERE a.can_id = $1 AND a.member_id = p.id) AS last_attended
         FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.status = 'active'
         ORDER BY lower(p.display_name)",
    )
    .bind(can_id)
    .bind(i64::from(missed))
    .bind(i32::from(weeks))
    .fetch_all(db)
    .await?)
}

/// The latest reach-out to each member.
pub async fn last_reach_outs(db: &PgPool, can_id: Uuid) -> Result<Vec<ReachedOut>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT ON (r.member_id) r.member_id, b.display_name AS by, r.at
         FROM reach_outs r JOIN members b ON b.id = r.by_id
         WHERE r.can_id = $1 ORDER BY r.member_id, r.at DESC",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// Who facilitated, and who took notes, at the last [`RECENT`] held meetings, by name.
pub async fn rotation(db: &PgPool, can_id: Uuid) -> Result<(Vec<String>, Vec<String>)> {
    Ok((
        held_by(db, can_id, "facilitator_id").await?,
        held_by(db, can_id, "note_taker_id").await?,
    ))
}

/// The names of those in a meeting role (`column` of `meetings`) at the last held meetings.
async fn held_by(db: &PgPool, can_id: Uuid, column: &'static str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT p.display_name FROM members p WHERE p.id IN (
             SELECT {column} FROM meetings WHERE can_id = $1 AND status = 'held'
             ORDER BY starts_at DESC LIMIT $2) ORDER BY 1"
    ))
    .bind(can_id)
    .bind(RECENT)
    .fetch_all(db)
    .await?)
}

/// Current members holding a role whose term ended before `today`.
pub async fn past_term(db: &PgPool, can_id: Uuid, today: NaiveDate) -> Result<Vec<PastTerm>> {
    Ok(sqlx::query_as(
        "SELECT p.display_name AS name, g.role, g.term_ends_on FROM role_grants g JOIN members p ON p.id = g.member_id
         JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id AND m.status <> 'left'
         WHERE g.can_id = $1 AND g.ended_at IS NULL AND g.term_ends_on < $2 ORDER BY g.term_ends_on",
    )
    .bind(can_id)
    .bind(today)
    .fetch_all(db)
    .await?)
}

/// The last eight days' load figures, newest first.
pub async fn load_history(db: &PgPool, can_id: Uuid) -> Result<Vec<LoadSnapshot>> {
    Ok(sqlx::query_as(
        "SELECT taken_on, median, overburdened, idle, single_points FROM load_snapshots
         WHERE can_id = $1 ORDER BY taken_on DESC LIMIT 8",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// Meetings due in the last 8 weeks.
#[derive(sqlx::FromRow)]
pub struct Schedule {
    pub held: i64,
    /// Cancelled after being moved.
    pub cancelled: i64,
    /// Past but not recorded as held.
    pub unrecorded: i64,
    pub with_minutes: i64,
}

pub async fn schedule(db: &PgPool, can_id: Uuid) -> Result<Schedule> {
    Ok(sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'held') AS held,
                count(*) FILTER (WHERE status = 'cancelled' AND moved) AS cancelled,
                count(*) FILTER (WHERE status = 'scheduled') AS unrecorded,
                count(*) FILTER (WHERE status = 'held' AND btrim(minutes) <> '') AS with_minutes
         FROM meetings WHERE can_id = $1 AND ends_at < now() AND starts_at > now() - interval '8 weeks'",
    )
    .bind(can_id)
    .fetch_one(db)
    .await?)
}

pub async fn review_on(db: &PgPool, can_id: Uuid) -> Result<Option<NaiveDate>> {
    Ok(
        sqlx::query_scalar("SELECT vision_review_on FROM cans WHERE id = $1")
            .bind(can_id)
            .fetch_one(db)
            .await?,
    )
}

/// A held meeting whose check-ins have closed, with how many answered and the averages.
#[derive(sqlx::FromRow)]
pub struct CheckInRow {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub answers: i64,
    pub zest: Option<f64>,
    pub able_to_act: Option<f64>,
    pub clarity: Option<f64>,
    pub worth: Option<f64>,
    pub connection: Option<f64>,
}

/// The last [`RECENT`] held meetings whose check-ins have closed, newest first.
pub async fn check_in_averages(db: &PgPool, can_id: Uuid) -> Result<Vec<CheckInRow>> {
    Ok(sqlx::query_as(
        "SELECT g.title, g.starts_at, count(c.member_id) AS answers,
                avg(c.zest)::float8 AS zest, avg(c.able_to_act)::float8 AS able_to_act,
                avg(c.clarity)::float8 AS clarity, avg(c.worth)::float8 AS worth,
                avg(c.connection)::float8 AS connection
         FROM meetings g LEFT JOIN check_ins c ON c.meeting_id = g.id
         WHERE g.can_id = $1 AND g.status = 'held' AND g.ends_at < now() - make_interval(days => $3)
         GROUP BY g.id ORDER BY g.starts_at DESC LIMIT $2",
    )
    .bind(can_id)
    .bind(RECENT)
    .bind(CHECK_IN_DAYS)
    .fetch_all(db)
    .await?)
}
