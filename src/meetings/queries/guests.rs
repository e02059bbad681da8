//! Plain SQL for meetings open to the neighbourhood and their guests. A meeting is open when it
//! is opened itself or its series is; every query that shows something to visitors also asks
//! that it is still scheduled and ahead (the CAN's being listed is checked by the caller, which
//! has the CAN loaded, or here where no CAN is loaded — the reminder job).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::error::Result;

/// An open meeting as visitors see it. `what_to_expect` is the meeting's own words, or its
/// series' when it has none.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenMeeting {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub what_to_expect: String,
}

/// Whether a meeting is open (its own flag or its series'), for `g` joined to its series `s`.
const IS_OPEN: &str = "(g.open_to_public OR coalesce(s.open_to_public, false))";
/// The words for newcomers: the meeting's own, else its series'.
const WHAT_TO_EXPECT: &str = "CASE WHEN btrim(g.what_to_expect) <> '' THEN g.what_to_expect
                                   ELSE coalesce(s.what_to_expect, '') END";

/// Open, scheduled meetings of the CAN starting within `weeks`, soonest first: one statement,
/// each half reading through its partial index (`meetings_open_idx`, `meeting_series_open_idx`).
pub async fn open_meetings(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    weeks: i32,
) -> Result<Vec<OpenMeeting>> {
    Ok(sqlx::query_as(&format!(
        "WITH open AS (
             SELECT g.id FROM meetings g
             WHERE g.can_id = $1 AND g.open_to_public
               AND g.starts_at > now() AND g.starts_at < now() + make_interval(weeks => $2)
             UNION
             SELECT g.id FROM meeting_series os
             JOIN meetings g ON g.series_id = os.id AND g.can_id = os.can_id
             WHERE os.can_id = $1 AND os.open_to_public
               AND g.starts_at > now() AND g.starts_at < now() + make_interval(weeks => $2))
         SELECT g.id, g.title, g.starts_at, g.ends_at, g.location, {WHAT_TO_EXPECT} AS what_to_expect
         FROM open JOIN meetings g ON g.id = open.id
         LEFT JOIN meeting_series s ON s.id = g.series_id AND s.can_id = g.can_id
         WHERE g.status = 'scheduled'
         ORDER BY g.starts_at, g.id"
    ))
    .bind(can_id)
    .bind(weeks)
    .fetch_all(db)
    .await?)
}

/// One meeting of the CAN, if it is open, scheduled and ahead.
pub async fn open_meeting(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    id: Uuid,
) -> Result<Option<OpenMeeting>> {
    Ok(sqlx::query_as(&format!(
        "SELECT g.id, g.title, g.starts_at, g.ends_at, g.location, {WHAT_TO_EXPECT} AS what_to_expect
         FROM meetings g LEFT JOIN meeting_series s ON s.id = g.series_id AND s.can_id = g.can_id
         WHERE g.can_id = $1 AND g.id = $2 AND g.status = 'scheduled' AND g.starts_at > now()
           AND {IS_OPEN}"
    ))
    .bind(can_id)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// A series' or a meeting's public settings, as its settings page shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicState {
    pub title: String,
    pub open_to_public: bool,
    pub what_to_expect: String,
    /// For a meeting of a series: whether the series is open (and so this meeting with it).
    pub series_open: bool,
}

pub async fn series_state(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    id: Uuid,
) -> Result<Option<PublicState>> {
    Ok(sqlx::query_as(
        "SELECT title, open_to_public, what_to_expect, false AS series_open
         FROM meeting_series WHERE can_id = $1 AND id = $2",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

pub async fn meeting_state(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    id: Uuid,
) -> Result<Option<PublicState>> {
    Ok(sqlx::query_as(
        "SELECT g.title, g.open_to_public, g.what_to_expect, coalesce(s.open_to_public, false) AS series_open
         FROM meetings g LEFT JOIN meeting_series s ON s.id = g.series_id AND s.can_id = g.can_id
         WHERE g.can_id = $1 AND g.id = $2",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// Sets a series' public settings; false when there is no such series in the CAN.
pub async fn set_series(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    (open, what_to_expect): (bool, &str),
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE meeting_series SET open_to_public = $3, what_to_expect = $4
         WHERE can_id = $1 AND id = $2",
    )
    .bind(can_id)
    .bind(id)
    .bind(open)
    .bind(what_to_expect)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets one meeting's own public settings; false when there is no such meeting in the CAN.
pub async fn set_meeting(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    (open, what_to_expect): (bool, &str),
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE meetings SET open_to_public = $3, what_to_expect = $4
         WHERE can_id = $1 AND id = $2",
    )
    .bind(can_id)
    .bind(id)
    .bind(open)
    .bind(what_to_expect)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes a guest down, or — the same address for the same meeting — gives the one guest a new
/// link (and, until they confirm, the new name: a confirmed name is not changed by whoever knows
/// the address). A guest who had cancelled must confirm again and is reminded again; one who had
/// confirmed stays confirmed. Returns the guest's id.
pub async fn upsert_guest(
    conn: &mut PgConnection,
    can_id: Uuid,
    meeting_id: Uuid,
    (name, email): (&str, &str),
    token_hash: &[u8],
) -> Result<Uuid> {
    Ok(sqlx::query_scalar(
        "INSERT INTO meeting_guests (id, can_id, meeting_id, name, email, token_hash)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (meeting_id, lower(email)) DO UPDATE
         SET name = CASE WHEN meeting_guests.confirmed_at IS NULL OR meeting_guests.cancelled_at IS NOT NULL
                         THEN EXCLUDED.name ELSE meeting_guests.name END,
             email = EXCLUDED.email, token_hash = EXCLUDED.token_hash,
             confirmed_at = CASE WHEN meeting_guests.cancelled_at IS NULL
                                 THEN meeting_guests.confirmed_at END,
             reminder_sent_at = CASE WHEN meeting_guests.cancelled_at IS NULL
                                     THEN meeting_guests.reminder_sent_at END,
             cancelled_at = NULL
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(meeting_id)
    .bind(name)
    .bind(email)
    .bind(token_hash)
    .fetch_one(conn)
    .await?)
}

/// A guest found by their link, with the meeting they asked to come to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GuestByLink {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub name: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub what_to_expect: String,
    /// Open, scheduled and ahead: a guest may still confirm or cancel.
    pub still_open: bool,
}

/// The guest whose link hashes to `token_hash`, in this CAN (`lock`: for a change).
pub async fn guest_by_link(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    token_hash: &[u8],
    lock: bool,
) -> Result<Option<GuestByLink>> {
    let lock = if lock { "FOR UPDATE OF x" } else { "" };
    Ok(sqlx::query_as(&format!(
        "SELECT x.id, x.meeting_id, x.name, x.confirmed_at, x.cancelled_at, g.title, g.starts_at,
                g.ends_at, g.location, {WHAT_TO_EXPECT} AS what_to_expect,
                (g.status = 'scheduled' AND g.starts_at > now() AND {IS_OPEN}) AS still_open
         FROM meeting_guests x
         JOIN meetings g ON g.id = x.meeting_id AND g.can_id = x.can_id
         LEFT JOIN meeting_series s ON s.id = g.series_id AND s.can_id = g.can_id
         WHERE x.token_hash = $1 AND x.can_id = $2
         {lock}"
    ))
    .bind(token_hash)
    .bind(can_id)
    .fetch_optional(db)
    .await?)
}

pub async fn mark_confirmed(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query("UPDATE meeting_guests SET confirmed_at = now() WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_cancelled(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query("UPDATE meeting_guests SET cancelled_at = now() WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether a meeting is open, and its guests who have not cancelled (with their addresses only
/// when `with_emails`), in the order they asked: one statement for the meeting page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GuestLine {
    pub open_to_public: bool,
    pub series_open: bool,
    pub guest_id: Option<Uuid>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub confirmed: bool,
}

pub async fn guest_lines(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    meeting_id: Uuid,
    with_emails: bool,
) -> Result<Vec<GuestLine>> {
    Ok(sqlx::query_as(
        "SELECT g.open_to_public, coalesce(s.open_to_public, false) AS series_open,
                x.id AS guest_id, x.name, CASE WHEN $3 THEN x.email END AS email,
                coalesce(x.confirmed_at IS NOT NULL, false) AS confirmed
         FROM meetings g
         LEFT JOIN meeting_series s ON s.id = g.series_id AND s.can_id = g.can_id
         LEFT JOIN meeting_guests x ON x.meeting_id = g.id AND x.can_id = g.can_id
                                   AND x.cancelled_at IS NULL
         WHERE g.can_id = $1 AND g.id = $2
         ORDER BY x.created_at, x.id",
    )
    .bind(can_id)
    .bind(meeting_id)
    .bind(with_emails)
    .fetch_all(db)
    .await?)
}

/// Which of these meetings have confirmed guests (one statement for a whole series change).
pub async fn with_confirmed_guests(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    meetings: &[Uuid],
) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT meeting_id FROM meeting_guests
         WHERE can_id = $1 AND meeting_id = ANY($2)
           AND confirmed_at IS NOT NULL AND cancelled_at IS NULL",
    )
    .bind(can_id)
    .bind(meetings)
    .fetch_all(db)
    .await?)
}

/// A guest who confirmed and has not cancelled.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConfirmedGuest {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

pub async fn confirmed_guests(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    meeting_id: Uuid,
) -> Result<Vec<ConfirmedGuest>> {
    Ok(sqlx::query_as(
        "SELECT id, name, email FROM meeting_guests
         WHERE can_id = $1 AND meeting_id = $2 AND confirmed_at IS NOT NULL AND cancelled_at IS NULL
         ORDER BY lower(name), id",
    )
    .bind(can_id)
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

/// A confirmed guest to remind, with what the mail says.
#[derive(Debug, sqlx::FromRow)]
pub struct DueReminder {
    pub id: Uuid,
    pub can_id: Uuid,
    pub name: String,
    pub email: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub what_to_expect: String,
    pub slug: String,
    pub can_name: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    pub tz: chrono_tz::Tz,
    /// The meeting's sequence: a meeting moved after a reminder is reminded of again.
    pub sequence: i32,
}

/// Claims up to `batch` confirmed guests of open meetings of listed CANs starting within a day
/// and not yet reminded; another instance skips the rows claimed here. Reads through
/// `meeting_guests_due_reminder_idx`.
pub async fn claim_due_reminders(conn: &mut PgConnection, batch: i64) -> Result<Vec<DueReminder>> {
    Ok(sqlx::query_as(&format!(
        "SELECT x.id, x.can_id, x.name, x.email, g.title, g.starts_at, g.ends_at, g.location,
                {WHAT_TO_EXPECT} AS what_to_expect, c.slug, c.name AS can_name, c.time_zone AS tz,
                g.sequence
         FROM meeting_guests x
         JOIN meetings g ON g.id = x.meeting_id AND g.can_id = x.can_id
         JOIN cans c ON c.id = x.can_id
         LEFT JOIN meeting_series s ON s.id = g.series_id AND s.can_id = g.can_id
         WHERE x.confirmed_at IS NOT NULL AND x.cancelled_at IS NULL AND x.reminder_sent_at IS NULL
           AND g.status = 'scheduled' AND g.starts_at > now() AND g.starts_at <= now() + interval '24 hours'
           AND c.visibility = 'listed' AND {IS_OPEN}
         ORDER BY g.starts_at, x.id
         LIMIT $1
         FOR UPDATE OF x SKIP LOCKED"
    ))
    .bind(batch)
    .fetch_all(conn)
    .await?)
}

/// Marks a guest reminded, with the new link the reminder carries (`None`: the reminder was
/// already written, and the link they hold stays).
pub async fn mark_reminded(
    conn: &mut PgConnection,
    id: Uuid,
    token_hash: Option<&[u8]>,
) -> Result<()> {
    sqlx::query(
        "UPDATE meeting_guests SET reminder_sent_at = now(), token_hash = coalesce($2, token_hash)
         WHERE id = $1",
    )
    .bind(id)
    .bind(token_hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// After the meeting moved: the guest's new link, and whether the moved mail was their reminder
/// (the new time is within a day) or the clock is to remind them before the new time.
pub async fn moved(
    conn: &mut PgConnection,
    id: Uuid,
    token_hash: &[u8],
    reminded: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE meeting_guests
         SET token_hash = $2, reminder_sent_at = CASE WHEN $3 THEN now() END
         WHERE id = $1",
    )
    .bind(id)
    .bind(token_hash)
    .bind(reminded)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the guests of meetings that ended more than `days` ago; returns how many.
pub async fn forget_past(db: impl PgExecutor<'_>, days: i32) -> Result<u64> {
    // The mails written to them go with them (their keys begin `meeting-guest:{id}:`), once
    // sent or given up: a guest's name and address are kept nowhere after this.
    let done: i64 = sqlx::query_scalar(
        "WITH gone AS (
             DELETE FROM meeting_guests x USING meetings g
             WHERE g.id = x.meeting_id AND g.can_id = x.can_id
               AND g.ends_at < now() - make_interval(days => $1)
             RETURNING x.id, x.can_id
         ), mails AS (
             DELETE FROM outbox o USING gone
             WHERE o.can_id = gone.can_id AND o.status IN ('sent', 'failed')
               AND left(o.dedupe_key, 51) = 'meeting-guest:' || gone.id || ':'
         )
         SELECT count(*) FROM gone",
    )
    .bind(days)
    .fetch_one(db)
    .await?;
    Ok(u64::try_from(done).unwrap_or(0))
}
