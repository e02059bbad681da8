//! Plain SQL for the health signals. Every query is scoped by `can_id`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{CHECK_IN_DAYS, LoadSnapshot, PastTerm, RECENT};
use crate::error::Result;
use crate::stages::guide::Criteria;

/// A held meeting among the last [`RECENT`] (`recent`), or among the last [`RECENT`] whose
/// check-ins have closed (`check_ins_shown`), or both.
#[derive(sqlx::FromRow)]
pub struct HeldMeeting {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub recent: bool,
    /// Everyone marked present, whatever their membership has become since.
    pub present: i64,
    /// Members at the time: joined before it began and not paused or gone by then, and anyone
    /// marked present.
    pub active: i64,
    /// Its check-ins have closed ([`CHECK_IN_DAYS`] after it ended).
    pub closed: bool,
    pub check_ins_shown: bool,
    pub answers: i64,
    pub zest: Option<f64>,
    pub able_to_act: Option<f64>,
    pub clarity: Option<f64>,
    pub worth: Option<f64>,
    pub connection: Option<f64>,
    /// The same on every row: who facilitated, and who took notes, at the recent meetings.
    pub facilitators: Vec<String>,
    pub note_takers: Vec<String>,
}

/// Everything the view shows about held meetings in one statement, newest first: attendance and
/// rotation of the last [`RECENT`], check-in averages of the last [`RECENT`] whose check-ins have
/// closed (the two sets overlap; they differ by the meetings of the last week).
///
/// Who came counts every attendance row: someone marked present came, even if they joined the
/// CAN after the meeting (a group recording its past meetings) or have left since. Who could
/// have come is read from each membership as it stands: `joined_at` and, for those paused or
/// gone now, when that last changed (`status_changed_at`) — the table keeps no fuller history.
pub async fn held_meetings(db: &PgPool, can_id: Uuid) -> Result<Vec<HeldMeeting>> {
    Ok(sqlx::query_as(
        "WITH held AS (
             SELECT g.id, g.can_id, g.title, g.starts_at, g.ends_at, g.facilitator_id, g.note_taker_id,
                    row_number() OVER (ORDER BY g.starts_at DESC) <= $2 AS recent,
                    g.ends_at < now() - make_interval(days => $3) AS closed,
                    row_number() OVER (PARTITION BY g.ends_at < now() - make_interval(days => $3)
                                       ORDER BY g.starts_at DESC) AS closed_rank
             FROM meetings g WHERE g.can_id = $1 AND g.status = 'held'),
         shown AS (SELECT * FROM held WHERE recent OR (closed AND closed_rank <= $2))
         SELECT h.id, h.title, h.starts_at, h.ends_at, h.recent,
                (SELECT count(*) FROM attendance a WHERE a.meeting_id = h.id AND a.can_id = $1) AS present,
                (SELECT count(*) FROM memberships m
                  WHERE m.can_id = $1
                    AND ((m.joined_at <= h.starts_at
                          AND (m.status = 'active' OR m.status_changed_at > h.starts_at))
                         OR EXISTS (SELECT 1 FROM attendance a
                                    WHERE a.meeting_id = h.id AND a.member_id = m.member_id))) AS active,
                h.closed,
                h.closed AND h.closed_rank <= $2 AS check_ins_shown,
                ci.answers, ci.zest, ci.able_to_act, ci.clarity, ci.worth, ci.connection,
                ARRAY(SELECT p.display_name FROM members p
                      WHERE p.id IN (SELECT facilitator_id FROM shown WHERE recent) ORDER BY 1) AS facilitators,
                ARRAY(SELECT p.display_name FROM members p
                      WHERE p.id IN (SELECT note_taker_id FROM shown WHERE recent) ORDER BY 1) AS note_takers
         FROM shown h
         CROSS JOIN LATERAL (
             SELECT count(c.member_id) AS answers,
                    avg(c.zest)::float8 AS zest, avg(c.able_to_act)::float8 AS able_to_act,
                    avg(c.clarity)::float8 AS clarity, avg(c.worth)::float8 AS worth,
                    avg(c.connection)::float8 AS connection
             FROM check_ins c WHERE c.meeting_id = h.id) ci
         ORDER BY h.starts_at DESC",
    )
    .bind(can_id)
    .bind(RECENT)
    .bind(CHECK_IN_DAYS)
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
    /// Who last reached out to them, and when.
    pub reached_by: Option<String>,
    pub reached_at: Option<DateTime<Utc>>,
}

/// Each active member: missed the last `missed` held meetings in a row? not seen for `weeks`
/// weeks while meetings were held? (Counting only meetings from when they were members.) With
/// who last reached out to them.
pub async fn presence(db: &PgPool, can_id: Uuid, missed: i16, weeks: i16) -> Result<Vec<Presence>> {
    Ok(sqlx::query_as(&presence_sql("$1", "$2", "$3"))
        .bind(can_id)
        .bind(i64::from(missed))
        .bind(i32::from(weeks))
        .fetch_all(db)
        .await?)
}

/// The text of [`presence`], with the CAN, the meetings missed in a row (bigint) and the weeks
/// (integer) as SQL expressions, so that the stage guide reads presence the same way inside its
/// one statement.
pub fn presence_sql(can: &str, missed: &str, weeks: &str) -> String {
    // One pass over the CAN's meetings and attendance (not a look-up per member and meeting):
    // each member's last meeting, and whether they came to any of the recent held ones.
    format!(
        "WITH g AS (
             SELECT id, starts_at, status = 'held' AS held,
                    CASE WHEN status = 'held' THEN
                        row_number() OVER (PARTITION BY status = 'held' ORDER BY starts_at DESC) END AS held_rank
             FROM meetings WHERE can_id = {can}),
         recent AS (SELECT count(*) AS n, min(starts_at) AS since FROM g WHERE held_rank <= {missed}),
         came AS (
             SELECT a.member_id, max(g.starts_at) AS last_attended,
                    bool_or(g.held_rank <= {missed}) AS recently,
                    bool_or(g.held AND g.starts_at > now() - make_interval(weeks => {weeks})) AS in_window
             FROM attendance a JOIN g ON g.id = a.meeting_id
             WHERE a.can_id = {can} GROUP BY a.member_id)
         SELECT p.id, p.display_name,
                rc.n = {missed} AND NOT coalesce(came.recently, false)
                  AND greatest(m.joined_at, m.status_changed_at) < rc.since AS missed_in_a_row,
                EXISTS (SELECT 1 FROM g WHERE held AND starts_at > now() - make_interval(weeks => {weeks}))
                  AND NOT coalesce(came.in_window, false)
                  AND greatest(m.joined_at, m.status_changed_at) < now() - make_interval(weeks => {weeks}) AS not_seen,
                came.last_attended,
                o.reached_by, o.reached_at
         FROM memberships m JOIN members p ON p.id = m.member_id
         CROSS JOIN recent rc
         LEFT JOIN came ON came.member_id = m.member_id
         LEFT JOIN LATERAL (
             SELECT b.display_name AS reached_by, r.at AS reached_at
             FROM reach_outs r JOIN members b ON b.id = r.by_id
             -- Someone checking in with themselves has not been reached: it would hide them.
             WHERE r.can_id = {can} AND r.member_id = p.id AND r.by_id <> r.member_id
             ORDER BY r.at DESC LIMIT 1) o ON true
         WHERE m.can_id = {can} AND m.status = 'active'
         ORDER BY lower(p.display_name)"
    )
}

/// Current members holding a role whose term ended before `today`. The day is compared here,
/// not in SQL: with the day as a parameter PostgreSQL re-planned the statement on every call
/// (planning cost twenty times the run), and a CAN has a handful of terms.
pub async fn past_term(db: &PgPool, can_id: Uuid, today: NaiveDate) -> Result<Vec<PastTerm>> {
    let terms: Vec<PastTerm> = sqlx::query_as(
        "SELECT p.display_name AS name, g.role, g.term_ends_on FROM role_grants g JOIN members p ON p.id = g.member_id
         JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id AND m.status <> 'left'
         WHERE g.can_id = $1 AND g.ended_at IS NULL AND g.term_ends_on IS NOT NULL ORDER BY g.term_ends_on",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?;
    Ok(terms
        .into_iter()
        .filter(|t| t.term_ends_on < today)
        .collect())
}

/// The CAN's thresholds, its meetings due in the last 8 weeks, the vision's review date, the
/// single points of failure and the load figures of the last eight snapshots, in one statement.
#[derive(sqlx::FromRow)]
pub struct Summary {
    #[sqlx(flatten)]
    pub criteria: Criteria,
    pub held: i64,
    /// Cancelled after being moved.
    pub cancelled: i64,
    /// Past but not recorded as held.
    pub unrecorded: i64,
    pub with_minutes: i64,
    pub review_on: Option<NaiveDate>,
    /// Active responsibilities resting on one carrier with no backup, in the board's order.
    pub single_points: Vec<String>,
    /// The last eight snapshots, oldest first, column by column.
    pub snapshot_days: Vec<NaiveDate>,
    pub snapshot_medians: Vec<f64>,
    pub snapshot_overburdened: Vec<i32>,
    pub snapshot_idle: Vec<i32>,
    pub snapshot_single_points: Vec<i32>,
}

impl Summary {
    /// The snapshots as rows, oldest first.
    pub fn load_history(&self) -> Vec<LoadSnapshot> {
        (0..self.snapshot_days.len())
            .map(|i| LoadSnapshot {
                taken_on: self.snapshot_days[i],
                median: self.snapshot_medians[i],
                overburdened: self.snapshot_overburdened[i],
                idle: self.snapshot_idle[i],
                single_points: self.snapshot_single_points[i],
            })
            .collect()
    }
}

pub async fn summary(db: &PgPool, can_id: Uuid) -> Result<Summary> {
    Ok(sqlx::query_as(&format!(
        "SELECT c.hope_share_percent, c.hope_min, c.held_meetings_min, c.drift_missed, c.drift_weeks,
                s.held, s.cancelled, s.unrecorded, s.with_minutes, c.vision_review_on AS review_on,
                ARRAY(SELECT h.title FROM ({holders}) h
                      WHERE h.status = 'active' AND h.carriers = 1 AND h.backups = 0
                      ORDER BY h.due_on NULLS LAST, lower(h.title)) AS single_points,
                COALESCE(l.days, '{{}}') AS snapshot_days,
                COALESCE(l.medians, '{{}}') AS snapshot_medians,
                COALESCE(l.overburdened, '{{}}') AS snapshot_overburdened,
                COALESCE(l.idle, '{{}}') AS snapshot_idle,
                COALESCE(l.single_points, '{{}}') AS snapshot_single_points
         FROM cans c, LATERAL (
             SELECT count(*) FILTER (WHERE status = 'held') AS held,
                    count(*) FILTER (WHERE status = 'cancelled' AND moved) AS cancelled,
                    count(*) FILTER (WHERE status = 'scheduled') AS unrecorded,
                    count(*) FILTER (WHERE status = 'held' AND btrim(minutes) <> '') AS with_minutes
             FROM meetings WHERE can_id = $1 AND ends_at < now()
               AND starts_at > now() - interval '8 weeks') s,
         LATERAL (
             SELECT array_agg(taken_on ORDER BY taken_on) AS days,
                    array_agg(median ORDER BY taken_on) AS medians,
                    array_agg(overburdened ORDER BY taken_on) AS overburdened,
                    array_agg(idle ORDER BY taken_on) AS idle,
                    array_agg(single_points ORDER BY taken_on) AS single_points
             FROM (SELECT * FROM load_snapshots WHERE can_id = $1
                   ORDER BY taken_on DESC LIMIT 8) last) l
         WHERE c.id = $1",
        holders = crate::responsibilities::queries::holder_counts()
    ))
    .bind(can_id)
    .fetch_one(db)
    .await?)
}
