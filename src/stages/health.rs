//! Health signals: what a caring organiser would notice — who keeps coming and who drifts away,
//! whether leadership rotates, whether the load is spread, whether meetings happen and are
//! recorded, whether the vision is due for review, and how people feel after meetings (only ever
//! as averages, and only from three answers up).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::guide::Criteria;
use crate::cans::model::Role;
use crate::error::Result;
use crate::responsibilities::{load, queries as resp};

/// How many recent held meetings the signals look at.
pub const RECENT: i64 = 8;
/// Check-in averages are shown only from this many answers, so nobody's scores can be inferred.
pub const CHECK_IN_FLOOR: i64 = 3;
/// Check-ins are open this many days after a meeting; averages appear only once they have closed,
/// so nobody can work out a late answer from how the average moved.
pub const CHECK_IN_DAYS: i32 = 7;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MeetingAttendance {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub present: i64,
    pub active: i64,
}

impl MeetingAttendance {
    /// The rate as a whole percentage.
    pub fn percent(&self) -> u32 {
        (self.rate() * 100.0).round() as u32
    }

    pub fn rate(&self) -> f64 {
        if self.active == 0 {
            0.0
        } else {
            self.present as f64 / self.active as f64
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Drifting {
    pub member_id: Uuid,
    pub name: String,
    pub reason: String,
    pub last_attended: Option<DateTime<Utc>>,
    pub last_reach_out: Option<(String, DateTime<Utc>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckInAverage {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub answers: i64,
    /// zest, able to act, clarity, worth, connection — `None` below the floor.
    pub averages: Option<[f64; 5]>,
}

/// Someone holding a role past the end of its term.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PastTerm {
    pub name: String,
    pub role: Role,
    pub term_ends_on: NaiveDate,
}

/// The load figures of one day, remembered so the view can show how they changed.
#[derive(Debug, Clone, Copy, PartialEq, sqlx::FromRow)]
pub struct LoadSnapshot {
    pub taken_on: NaiveDate,
    pub median: f64,
    pub overburdened: i32,
    pub idle: i32,
    pub single_points: i32,
}

impl LoadSnapshot {
    /// "21 November 2026".
    pub fn day(&self) -> String {
        crate::web::time::date(self.taken_on)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Health {
    pub attendance: Vec<MeetingAttendance>,
    pub drifting: Vec<Drifting>,
    pub facilitators: Vec<String>,
    pub note_takers: Vec<String>,
    pub past_term: Vec<PastTerm>,
    pub median_load: f64,
    pub overburdened: Vec<String>,
    pub idle: Vec<String>,
    pub single_points: Vec<String>,
    pub load_history: Vec<LoadSnapshot>,
    /// Held of those due in the last 8 weeks (held, cancelled after moving, not recorded).
    pub held: i64,
    pub cancelled: i64,
    pub unrecorded: i64,
    pub with_minutes: i64,
    pub review_on: Option<NaiveDate>,
    pub check_ins: Vec<CheckInAverage>,
}

#[derive(sqlx::FromRow)]
struct DriftRow {
    id: Uuid,
    display_name: String,
    missed_in_a_row: bool,
    not_seen: bool,
    last_attended: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct CheckInRow {
    title: String,
    starts_at: DateTime<Utc>,
    answers: i64,
    zest: Option<f64>,
    able_to_act: Option<f64>,
    clarity: Option<f64>,
    worth: Option<f64>,
    connection: Option<f64>,
}

pub async fn compute(db: &PgPool, can_id: Uuid, c: &Criteria, today: NaiveDate) -> Result<Health> {
    let attendance: Vec<MeetingAttendance> = sqlx::query_as(
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
    .await?;
    let mut attendance = attendance;
    attendance.reverse();

    // Drifting: missed the last `drift_missed` held meetings in a row, or not seen for
    // `drift_weeks` weeks while meetings were held (counting only people who were members then).
    let rows: Vec<DriftRow> = sqlx::query_as(
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
    .bind(i64::from(c.drift_missed))
    .bind(i32::from(c.drift_weeks))
    .fetch_all(db)
    .await?;
    let reach_outs: Vec<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT DISTINCT ON (r.member_id) r.member_id, b.display_name, r.at
         FROM reach_outs r JOIN members b ON b.id = r.by_id
         WHERE r.can_id = $1 ORDER BY r.member_id, r.at DESC",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?;
    let drifting = rows
        .into_iter()
        .filter(|r| r.missed_in_a_row || r.not_seen)
        .map(|r| Drifting {
            member_id: r.id,
            name: r.display_name,
            reason: match (r.missed_in_a_row, r.not_seen) {
                (true, true) => format!(
                    "missed the last {} meetings and not seen for {} weeks",
                    c.drift_missed, c.drift_weeks
                ),
                (true, false) => format!("missed the last {} meetings in a row", c.drift_missed),
                _ => format!("not seen at a meeting for {} weeks", c.drift_weeks),
            },
            last_attended: r.last_attended,
            last_reach_out: reach_outs
                .iter()
                .find(|(member, _, _)| *member == r.id)
                .map(|(_, by, at)| (by.clone(), *at)),
        })
        .collect();

    let (facilitators, note_takers): (Vec<String>, Vec<String>) = {
        let f: Vec<String> = sqlx::query_scalar(
            "SELECT p.display_name FROM members p WHERE p.id IN (
                 SELECT facilitator_id FROM meetings WHERE can_id = $1 AND status = 'held'
                 ORDER BY starts_at DESC LIMIT $2) ORDER BY 1",
        )
        .bind(can_id)
        .bind(RECENT)
        .fetch_all(db)
        .await?;
        let n: Vec<String> = sqlx::query_scalar(
            "SELECT p.display_name FROM members p WHERE p.id IN (
                 SELECT note_taker_id FROM meetings WHERE can_id = $1 AND status = 'held'
                 ORDER BY starts_at DESC LIMIT $2) ORDER BY 1",
        )
        .bind(can_id)
        .bind(RECENT)
        .fetch_all(db)
        .await?;
        (f, n)
    };
    let past_term: Vec<PastTerm> = sqlx::query_as(
        "SELECT p.display_name AS name, g.role, g.term_ends_on FROM role_grants g JOIN members p ON p.id = g.member_id
         JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id AND m.status <> 'left'
         WHERE g.can_id = $1 AND g.ended_at IS NULL AND g.term_ends_on < $2 ORDER BY g.term_ends_on",
    )
    .bind(can_id)
    .bind(today)
    .fetch_all(db)
    .await?;

    let loads = resp::loads(db, can_id).await?;
    let median_load = load::median(&loads.iter().map(|l| l.load).collect::<Vec<_>>());
    let all = resp::all(db, can_id).await?;
    let single_points: Vec<String> = all
        .iter()
        .filter(|r| r.status == "active" && r.carriers.len() == 1 && r.backups.is_empty())
        .map(|r| r.title.clone())
        .collect();
    let overburdened: Vec<String> = loads
        .iter()
        .filter(|l| load::overburdened(l.load, median_load))
        .map(|l| l.name.clone())
        .collect();
    let idle: Vec<String> = loads
        .iter()
        .filter(|l| l.count == 0)
        .map(|l| l.name.clone())
        .collect();
    // Remember today's figures, so the view can show how the load changed over time.
    sqlx::query(
        "INSERT INTO load_snapshots (can_id, taken_on, median, overburdened, idle, single_points)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (can_id, taken_on) DO UPDATE SET median = EXCLUDED.median, overburdened = EXCLUDED.overburdened,
             idle = EXCLUDED.idle, single_points = EXCLUDED.single_points",
    )
    .bind(can_id)
    .bind(today)
    .bind(median_load)
    .bind(overburdened.len() as i32)
    .bind(idle.len() as i32)
    .bind(single_points.len() as i32)
    .execute(db)
    .await?;
    let mut load_history: Vec<LoadSnapshot> = sqlx::query_as(
        "SELECT taken_on, median, overburdened, idle, single_points FROM load_snapshots
         WHERE can_id = $1 ORDER BY taken_on DESC LIMIT 8",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?;
    load_history.reverse();

    let (held, cancelled, unrecorded, with_minutes): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'held'),
                count(*) FILTER (WHERE status = 'cancelled' AND moved),
                count(*) FILTER (WHERE status = 'scheduled'),
                count(*) FILTER (WHERE status = 'held' AND btrim(minutes) <> '')
         FROM meetings WHERE can_id = $1 AND ends_at < now() AND starts_at > now() - interval '8 weeks'",
    )
    .bind(can_id)
    .fetch_one(db)
    .await?;
    let review_on: Option<NaiveDate> =
        sqlx::query_scalar("SELECT vision_review_on FROM cans WHERE id = $1")
            .bind(can_id)
            .fetch_one(db)
            .await?;

    let check_rows: Vec<CheckInRow> = sqlx::query_as(
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
    .await?;
    let mut check_ins: Vec<CheckInAverage> = check_rows
        .into_iter()
        .map(|r| CheckInAverage {
            averages: (r.answers >= CHECK_IN_FLOOR).then(|| {
                [r.zest, r.able_to_act, r.clarity, r.worth, r.connection].map(|a| a.unwrap_or(0.0))
            }),
            title: r.title,
            starts_at: r.starts_at,
            answers: r.answers,
        })
        .collect();
    check_ins.reverse();

    Ok(Health {
        attendance,
        drifting,
        facilitators,
        note_takers,
        past_term,
        median_load,
        overburdened,
        idle,
        single_points,
        load_history,
        held,
        cancelled,
        unrecorded,
        with_minutes,
        review_on,
        check_ins,
    })
}

/// One bar of the attendance chart, in a 320×120 box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub percent: u32,
}

/// A bar chart of attendance rates as SVG elements' numbers. The template draws them; the text
/// table beside it carries the same numbers.
pub fn bars(attendance: &[MeetingAttendance]) -> Vec<Bar> {
    attendance
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let height = (m.rate() * 100.0).round().clamp(0.0, 100.0) as u32;
            Bar {
                x: 10 + i as u32 * 38,
                y: 110 - height,
                height,
                percent: m.percent(),
            }
        })
        .collect()
}
