//! Plain SQL for meetings. Every query that takes an id from a URL or form filters by `can_id`.
//! This file holds the meeting itself, its occurrence (time, status, roles) and who comes; the
//! agenda, the record of the meeting and time polls have their own files.

pub mod agenda;
pub mod guests;
pub mod polls;
pub mod record;
pub mod upcoming;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::model::{MeetingStatus, Rsvp};
use crate::cans::model::MembershipStatus;
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Meeting {
    pub id: Uuid,
    pub can_id: Uuid,
    pub series_id: Option<Uuid>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub status: MeetingStatus,
    pub moved: bool,
    pub sequence: i32,
    pub facilitator_id: Option<Uuid>,
    pub facilitator: Option<String>,
    pub note_taker_id: Option<Uuid>,
    pub note_taker: Option<String>,
    pub minutes: String,
    pub minutes_version: i32,
    pub updated_at: DateTime<Utc>,
    pub rotate_roles: Option<bool>,
    /// Opened to the neighbourhood on its own, or with its series.
    pub open_to_public: bool,
    pub series_open: bool,
    /// Whether any visitor said they'd come (and has not cancelled): the page reads the guests
    /// only then.
    pub has_guests: bool,
    /// Its discussion's visible comments (neither deleted by their author nor hidden by an
    /// organiser) and when the latest was written. Only [`meeting`] reads them (for the meeting's
    /// page, in the statement that loads it); lists leave them at none.
    #[sqlx(default)]
    pub comments: i64,
    #[sqlx(default)]
    pub last_comment_at: Option<DateTime<Utc>>,
}

impl Meeting {
    /// A call link rather than a place.
    pub fn location_is_link(&self) -> bool {
        self.location.starts_with("https://") || self.location.starts_with("http://")
    }

    pub fn duration_minutes(&self) -> i64 {
        (self.ends_at - self.starts_at).num_minutes()
    }
}

const MEETING: &str = "
    SELECT g.id, g.can_id, g.series_id, g.title, g.starts_at, g.ends_at, g.location, g.status, g.moved,
           g.sequence, g.facilitator_id, f.display_name AS facilitator, g.note_taker_id,
           n.display_name AS note_taker, g.minutes, g.minutes_version, g.updated_at, s.rotate_roles,
           g.open_to_public, coalesce(s.open_to_public, false) AS series_open,
           EXISTS (SELECT 1 FROM meeting_guests x
                   WHERE x.meeting_id = g.id AND x.can_id = g.can_id AND x.cancelled_at IS NULL) AS has_guests
    FROM meetings g
    LEFT JOIN members f ON f.id = g.facilitator_id
    LEFT JOIN members n ON n.id = g.note_taker_id
    LEFT JOIN meeting_series s ON s.id = g.series_id";

/// One meeting of the CAN, with its discussion's summary (`comments_meeting_idx`).
pub async fn meeting(db: impl PgExecutor<'_>, can_id: Uuid, id: Uuid) -> Result<Option<Meeting>> {
    Ok(sqlx::query_as(&format!(
        "SELECT g.*, d.comments, d.last_comment_at
         FROM ({MEETING} WHERE g.can_id = $1 AND g.id = $2) g
         CROSS JOIN LATERAL (
             SELECT count(*) AS comments, max(k.created_at) AS last_comment_at FROM comments k
             WHERE k.meeting_id = g.id AND k.can_id = g.can_id
               AND k.deleted_at IS NULL AND k.hidden_at IS NULL) d"
    ))
    .bind(can_id)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// Meetings of a CAN between two instants, in order.
pub async fn between(
    db: &PgPool,
    can_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Meeting>> {
    Ok(sqlx::query_as(&format!(
        "{MEETING} WHERE g.can_id = $1 AND g.starts_at >= $2 AND g.starts_at < $3 ORDER BY g.starts_at"
    ))
    .bind(can_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?)
}

pub async fn recent(db: &PgPool, can_id: Uuid, limit: i64) -> Result<Vec<Meeting>> {
    Ok(sqlx::query_as(&format!(
        "{MEETING} WHERE g.can_id = $1 AND g.starts_at < now() ORDER BY g.starts_at DESC LIMIT $2"
    ))
    .bind(can_id)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

pub async fn of_series(db: &PgPool, can_id: Uuid, series_id: Uuid) -> Result<Vec<Meeting>> {
    Ok(sqlx::query_as(&format!(
        "{MEETING} WHERE g.can_id = $1 AND g.series_id = $2 ORDER BY g.starts_at"
    ))
    .bind(can_id)
    .bind(series_id)
    .fetch_all(db)
    .await?)
}

/// The series' next scheduled occurrence after `after`.
pub async fn next_in_series(
    conn: &mut PgConnection,
    can_id: Uuid,
    series_id: Uuid,
    after: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM meetings WHERE can_id = $1 AND series_id = $2 AND starts_at > $3
           AND status = 'scheduled' ORDER BY starts_at LIMIT 1",
    )
    .bind(can_id)
    .bind(series_id)
    .bind(after)
    .fetch_optional(conn)
    .await?)
}

/// A meeting's row as locked for a change: one change at a time per meeting (so agenda
/// positions stay distinct and a meeting is closed once).
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Locked {
    pub status: MeetingStatus,
    pub starts_at: DateTime<Utc>,
    pub carried_forward: bool,
}

pub async fn lock(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<Option<Locked>> {
    Ok(sqlx::query_as(
        "SELECT status, starts_at, carried_forward FROM meetings
         WHERE can_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// What a move changed: the time it had, and whether the reminder's window has already come for
/// the new time (then the mail about the move is the reminder).
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Moved {
    pub was_start: DateTime<Utc>,
    pub was_end: DateTime<Utc>,
    pub sequence: i32,
    pub reminds: bool,
}

/// Moves a scheduled meeting; `None` when it is not scheduled or already at that time.
/// Calendars see a new sequence. The reminder is marked sent when the new time lies within
/// `window` (the mail about the move carries it), else cleared so the clock reminds at the new
/// time.
pub async fn move_to(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    window: chrono::Duration,
) -> Result<Option<Moved>> {
    Ok(sqlx::query_as(
        "UPDATE meetings g SET starts_at = $3, ends_at = $4, moved = true, sequence = g.sequence + 1,
                reminder_sent_at = CASE WHEN $3 <= now() + make_interval(secs => $5) THEN now() END
         FROM (SELECT id, starts_at, ends_at FROM meetings WHERE can_id = $1 AND id = $2 FOR UPDATE) was
         WHERE g.id = was.id AND g.status = 'scheduled'
           AND (was.starts_at, was.ends_at) IS DISTINCT FROM ($3, $4)
         RETURNING was.starts_at AS was_start, was.ends_at AS was_end, g.sequence,
                   g.reminder_sent_at IS NOT NULL AS reminds",
    )
    .bind(can_id)
    .bind(id)
    .bind(start)
    .bind(end)
    .bind(window.num_seconds() as f64)
    .fetch_optional(conn)
    .await?)
}

/// A cancelled meeting's time, as it stood when cancelled, and its new sequence.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Cancelled {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub sequence: i32,
}

/// After a move: the "no" answers to the old time are forgotten.
pub async fn forget_declines(
    conn: &mut PgConnection,
    can_id: Uuid,
    meeting_id: Uuid,
) -> Result<()> {
    sqlx::query("DELETE FROM rsvps WHERE can_id = $1 AND meeting_id = $2 AND answer = 'no'")
        .bind(can_id)
        .bind(meeting_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Cancels a scheduled meeting; `None` when it was not scheduled.
pub async fn cancel(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<Option<Cancelled>> {
    Ok(sqlx::query_as(
        // Its series' SEQUENCE grows too: the series' event gains an EXDATE, and calendar
        // programs take a changed recurrence set only with a higher SEQUENCE (RFC 5545 3.8.7.4).
        "WITH gone AS (
             UPDATE meetings SET status = 'cancelled', moved = true, sequence = sequence + 1
             WHERE can_id = $1 AND id = $2 AND status = 'scheduled'
             RETURNING starts_at, ends_at, sequence, series_id
         ), series AS (
             UPDATE meeting_series SET sequence = sequence + 1
             WHERE can_id = $1 AND id = (SELECT series_id FROM gone)
         )
         SELECT starts_at, ends_at, sequence FROM gone",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Someone a meeting's reminders and changes are mailed to, with the zone their mail speaks in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    /// Unique among a meeting's recipients (part of each mail's idempotency key).
    pub id: Uuid,
    pub email: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    pub time_zone: chrono_tz::Tz,
}

/// Those a meeting concerns: the CAN's active members who said yes or maybe, or have not
/// answered (not those who said no). Reminders, and the "moved" and "cancelled" notifications,
/// all go to them (guests hear through `guests::tell`); this is the one place to widen the list.
pub async fn concerned(
    conn: &mut PgConnection,
    can_id: Uuid,
    meeting_id: Uuid,
) -> Result<Vec<Recipient>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.email, p.time_zone FROM memberships m JOIN members p ON p.id = m.member_id
         LEFT JOIN rsvps r ON r.meeting_id = $2 AND r.member_id = m.member_id
         WHERE m.can_id = $1 AND m.status = 'active' AND (r.answer IS NULL OR r.answer <> 'no')
         ORDER BY p.id",
    )
    .bind(can_id)
    .bind(meeting_id)
    .fetch_all(conn)
    .await?)
}

pub async fn set_roles(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    facilitator: Option<Uuid>,
    note_taker: Option<Uuid>,
) -> Result<()> {
    sqlx::query(
        "UPDATE meetings SET facilitator_id = $3, note_taker_id = $4, sequence = sequence + 1
         WHERE can_id = $1 AND id = $2",
    )
    .bind(can_id)
    .bind(id)
    .bind(facilitator)
    .bind(note_taker)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a scheduled meeting held (once it has begun, or `always`).
pub async fn mark_held(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    always: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE meetings SET status = 'held'
         WHERE can_id = $1 AND id = $2 AND ($3 OR (status = 'scheduled' AND starts_at <= now()))",
    )
    .bind(can_id)
    .bind(id)
    .bind(always)
    .execute(conn)
    .await?;
    Ok(())
}

/// Everyone in the CAN who is not gone: the people a meeting page lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub status: MembershipStatus,
    pub rsvp: Option<Rsvp>,
    pub present: bool,
}

impl Person {
    pub fn is_active(&self) -> bool {
        self.status == MembershipStatus::Active
    }

    /// Beside the name on the attendance list.
    pub fn answer_words(&self) -> &'static str {
        self.rsvp.map(Rsvp::said).unwrap_or("no answer")
    }
}

pub async fn people(db: &PgPool, can_id: Uuid, meeting_id: Uuid) -> Result<Vec<Person>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.display_name AS name, m.status, r.answer AS rsvp,
                EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = $2 AND a.member_id = p.id) AS present
         FROM memberships m JOIN members p ON p.id = m.member_id
         LEFT JOIN rsvps r ON r.meeting_id = $2 AND r.member_id = p.id
         WHERE m.can_id = $1 AND (m.status <> 'left'
               OR EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = $2 AND a.member_id = p.id))
         ORDER BY lower(p.display_name)",
    )
    .bind(can_id)
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

pub async fn set_rsvp(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    meeting_id: Uuid,
    member_id: Uuid,
    answer: Rsvp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rsvps (meeting_id, can_id, member_id, answer) VALUES ($1, $2, $3, $4)
         ON CONFLICT (meeting_id, member_id) DO UPDATE SET answer = EXCLUDED.answer, updated_at = now()",
    )
    .bind(meeting_id)
    .bind(can_id)
    .bind(member_id)
    .bind(answer)
    .execute(db)
    .await?;
    Ok(())
}

/// Someone the rotation suggests.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Suggested {
    pub id: Uuid,
    pub display_name: String,
}

/// Rotation's suggestion for a meeting, one-off or of a series: among active members who have
/// not said no to it, a facilitator from those who offer to facilitate or hold the facilitator
/// role, and a note-taker (never the same person) from those who offer to take notes or hold the
/// facilitator or organiser role — in each role whoever served in it least recently before this
/// meeting (never first), then least often, then by name. `None` when either role finds nobody.
/// A facilitator who is the only possible note-taker is chosen last, so both roles are filled
/// whenever two people can fill them.
///
/// One statement with only ids as parameters: with the time and flags as parameters PostgreSQL
/// re-planned it on every call, and planning cost three times the run.
pub async fn suggest(
    db: &PgPool,
    can_id: Uuid,
    meeting_id: Uuid,
) -> Result<Option<(Suggested, Suggested)>> {
    let row: Option<(Uuid, String, Uuid, String)> = sqlx::query_as(
        "WITH this AS (SELECT starts_at FROM meetings WHERE id = $2 AND can_id = $1),
         served AS (
             SELECT x.facilitator_id, x.note_taker_id, x.starts_at FROM meetings x, this
             WHERE x.can_id = $1 AND x.starts_at < this.starts_at AND x.status <> 'cancelled'
               AND (x.facilitator_id IS NOT NULL OR x.note_taker_id IS NOT NULL)),
         facilitated AS (SELECT facilitator_id AS id, max(starts_at) AS last, count(*) AS times
                         FROM served WHERE facilitator_id IS NOT NULL GROUP BY 1),
         took_notes AS (SELECT note_taker_id AS id, max(starts_at) AS last, count(*) AS times
                        FROM served WHERE note_taker_id IS NOT NULL GROUP BY 1),
         candidates AS (
             SELECT p.id, p.display_name,
                    m.willing_to_facilitate OR r.facilitator AS facilitates,
                    m.willing_to_take_notes OR r.facilitator OR r.organiser AS takes_notes,
                    f.last AS last_facilitated, coalesce(f.times, 0) AS times_facilitated,
                    n.last AS last_took_notes, coalesce(n.times, 0) AS times_took_notes
             FROM memberships m JOIN members p ON p.id = m.member_id
             CROSS JOIN LATERAL (
                 SELECT coalesce(bool_or(g.role = 'facilitator'), false) AS facilitator,
                        coalesce(bool_or(g.role = 'organiser'), false) AS organiser
                 FROM role_grants g
                 WHERE g.can_id = m.can_id AND g.member_id = m.member_id AND g.ended_at IS NULL) r
             LEFT JOIN facilitated f ON f.id = m.member_id
             LEFT JOIN took_notes n ON n.id = m.member_id
             WHERE m.can_id = $1 AND m.status = 'active'
               AND NOT EXISTS (SELECT 1 FROM rsvps v WHERE v.meeting_id = $2 AND v.member_id = m.member_id
                               AND v.answer = 'no')),
         f AS (SELECT c.id, c.display_name FROM candidates c WHERE c.facilitates
               ORDER BY NOT EXISTS (SELECT 1 FROM candidates o WHERE o.takes_notes AND o.id <> c.id),
                        c.last_facilitated NULLS FIRST, c.times_facilitated, lower(c.display_name), c.id
               LIMIT 1),
         n AS (SELECT id, display_name FROM candidates WHERE takes_notes AND id NOT IN (SELECT id FROM f)
               ORDER BY last_took_notes NULLS FIRST, times_took_notes, lower(display_name), id LIMIT 1)
         SELECT f.id, f.display_name, n.id, n.display_name FROM f, n",
    )
    .bind(can_id)
    .bind(meeting_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(f, f_name, n, n_name)| {
        (
            Suggested {
                id: f,
                display_name: f_name,
            },
            Suggested {
                id: n,
                display_name: n_name,
            },
        )
    }))
}

/// Of `members`, those whose notification `key` is written but not mailed.
pub async fn not_mailed(conn: &mut PgConnection, key: &str, members: &[Uuid]) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT member_id FROM notifications
         WHERE member_id = ANY($1) AND dedupe_key = $2 AND mailed_at IS NULL",
    )
    .bind(members)
    .bind(key)
    .fetch_all(conn)
    .await?)
}

/// The CAN's active members, with the zone their mail speaks in.
pub async fn active_with_zones(conn: &mut PgConnection, can_id: Uuid) -> Result<Vec<Recipient>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.email, p.time_zone FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.status = 'active'
         ORDER BY p.id",
    )
    .bind(can_id)
    .fetch_all(conn)
    .await?)
}
