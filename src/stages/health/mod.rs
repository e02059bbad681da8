//! Health signals: what a caring organiser would notice — who keeps coming and who drifts away,
//! whether leadership rotates, whether the load is spread, whether meetings happen and are
//! recorded, whether the vision is due for review, and how people feel after meetings (only ever
//! as averages, and only from three answers up).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

mod queries;

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

#[derive(Debug, Clone, PartialEq)]
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
    pub last_reach_out: Option<ReachedOut>,
}

/// The latest time someone checked in with a member.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachedOut {
    pub by: String,
    pub at: DateTime<Utc>,
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

/// The load figures of one day, taken by the clock (`stages::snapshots`) so the view can show
/// how they changed.
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

/// The health signals of one CAN, with the CAN's thresholds they were judged by: five statements
/// whatever its size and history. A GET: it writes nothing (the load-over-time points are taken
/// by the clock, `stages::snapshots`).
pub async fn compute(db: &PgPool, can_id: Uuid, today: NaiveDate) -> Result<(Criteria, Health)> {
    let summary = queries::summary(db, can_id).await?;
    let c = &summary.criteria;
    let held = queries::held_meetings(db, can_id).await?;
    let drifting = drifting(db, can_id, c).await?;
    let past_term = queries::past_term(db, can_id, today).await?;
    let loads = resp::loads(db, can_id).await?;
    let load_history = summary.load_history();
    let median = load::median(&loads.iter().map(|l| l.load).collect::<Vec<_>>());
    let names = |keep: &dyn Fn(&resp::MemberLoad) -> bool| {
        loads
            .iter()
            .filter(|l| keep(l))
            .map(|l| l.name.clone())
            .collect()
    };
    let (facilitators, note_takers) = held
        .first()
        .map(|m| (m.facilitators.clone(), m.note_takers.clone()))
        .unwrap_or_default();
    // Oldest first, as the chart and the table read.
    let attendance = held
        .iter()
        .rev()
        .filter(|m| m.recent)
        .map(|m| MeetingAttendance {
            id: m.id,
            title: m.title.clone(),
            starts_at: m.starts_at,
            present: m.present,
            active: m.active,
        })
        .collect();
    let check_ins = held
        .iter()
        .rev()
        .filter(|m| m.check_ins_shown)
        .map(|m| CheckInAverage {
            title: m.title.clone(),
            starts_at: m.starts_at,
            answers: m.answers,
            // Averages only from [`CHECK_IN_FLOOR`] answers up.
            averages: (m.answers >= CHECK_IN_FLOOR).then(|| {
                [m.zest, m.able_to_act, m.clarity, m.worth, m.connection].map(|a| a.unwrap_or(0.0))
            }),
        })
        .collect();
    let health = Health {
        attendance,
        drifting,
        facilitators,
        note_takers,
        past_term,
        median_load: median,
        overburdened: names(&|l| load::overburdened(l.load, median)),
        idle: names(&|l| l.count == 0),
        single_points: summary.single_points,
        load_history,
        held: summary.held,
        cancelled: summary.cancelled,
        unrecorded: summary.unrecorded,
        with_minutes: summary.with_minutes,
        review_on: summary.review_on,
        check_ins,
    };
    Ok((summary.criteria, health))
}

/// Active members who missed the last `drift_missed` held meetings in a row, or were not seen
/// for `drift_weeks` weeks while meetings were held, with who last reached out to them.
async fn drifting(db: &PgPool, can_id: Uuid, c: &Criteria) -> Result<Vec<Drifting>> {
    let presence = queries::presence(db, can_id, c.drift_missed, c.drift_weeks).await?;
    Ok(presence
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
            last_reach_out: r
                .reached_by
                .zip(r.reached_at)
                .map(|(by, at)| ReachedOut { by, at }),
        })
        .collect())
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
