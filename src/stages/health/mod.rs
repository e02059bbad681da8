//! Health signals: what a caring organiser would notice — who keeps coming and who drifts away,
//! whether leadership rotates, whether the load is spread, whether meetings happen and are
//! recorded, whether the vision is due for review, and how people feel after meetings (only ever
//! as averages, and only from three answers up).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

mod queries;

pub(crate) use queries::presence_sql;

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

/// A held meeting whose check-ins are still open: no averages yet, so nobody can work out a late
/// answer from how they moved.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCheckIn {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// When its check-ins close and its averages appear (from [`CHECK_IN_FLOOR`] answers).
    pub closes_at: DateTime<Utc>,
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
    /// Recent held meetings whose check-ins are open, newest first.
    pub open_check_ins: Vec<OpenCheckIn>,
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
    let open_check_ins = held
        .iter()
        .filter(|m| m.recent && !m.closed)
        .map(|m| OpenCheckIn {
            title: m.title.clone(),
            starts_at: m.starts_at,
            closes_at: m.ends_at + chrono::Duration::days(i64::from(CHECK_IN_DAYS)),
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
        open_check_ins,
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

/// The attendance chart's box: bars stand on the axis, their count above them and their date
/// (day, then month) below, so every label sits in its own column and none overlaps another.
pub const CHART_WIDTH: u32 = 320;
pub const CHART_HEIGHT: u32 = 150;
/// Where the bars stand, and the tallest bar (100%).
pub const AXIS_Y: u32 = 114;
const TALLEST: u32 = 100;
/// Each bar's column and the bar's width within it.
const PITCH: u32 = 38;
pub const BAR_WIDTH: u32 = 28;

/// One bar of the attendance chart, with its labels (drawn as SVG text, and as its title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub percent: u32,
    /// The middle of the bar, where its labels are centred.
    pub centre: u32,
    /// "4/5": who came of those who were members then (only who came when that is too wide).
    pub count: String,
    /// "24" and "Nov", in the group's zone.
    pub day: String,
    pub month: String,
    /// "Circle, 24 November 2026: 4 of 5 came (80%)".
    pub title: String,
}

impl Bar {
    /// The count label's baseline, just above the bar.
    pub fn count_y(&self) -> u32 {
        self.y - 3
    }
}

/// A bar chart of attendance rates as SVG elements' numbers and labels. The template draws them;
/// the text table beside it carries the same numbers.
pub fn bars(attendance: &[MeetingAttendance], tz: chrono_tz::Tz) -> Vec<Bar> {
    attendance
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let height = (m.rate() * f64::from(TALLEST))
                .round()
                .clamp(0.0, f64::from(TALLEST)) as u32;
            let x = 10 + i as u32 * PITCH;
            let local = m.starts_at.with_timezone(&tz);
            let both = format!("{}/{}", m.present, m.active);
            Bar {
                x,
                y: AXIS_Y - height,
                height,
                percent: m.percent(),
                centre: x + BAR_WIDTH / 2,
                // Five characters fit a column at the chart's type size.
                count: if both.len() <= 5 {
                    both
                } else {
                    m.present.to_string()
                },
                day: local.format("%-d").to_string(),
                month: local.format("%b").to_string(),
                title: format!(
                    "{}, {}: {} of {} came ({}%)",
                    m.title,
                    crate::web::time::date_in(m.starts_at, tz),
                    m.present,
                    m.active,
                    m.percent()
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(days_ago: i64, present: i64, active: i64) -> MeetingAttendance {
        MeetingAttendance {
            id: Uuid::nil(),
            title: "Circle".into(),
            starts_at: Utc::now() - chrono::Duration::days(days_ago),
            present,
            active,
        }
    }

    #[test]
    fn eight_bars_and_their_labels_stay_in_their_own_columns_inside_the_box() {
        let attendance: Vec<_> = (0..RECENT)
            .map(|i| meeting(7 * (RECENT - i), 120 + i, 150))
            .collect();
        let bars = bars(&attendance, chrono_tz::Europe::London);
        assert_eq!(bars.len(), RECENT as usize);
        for pair in bars.windows(2) {
            assert!(pair[0].x + BAR_WIDTH < pair[1].x);
            assert_eq!(pair[1].centre - pair[0].centre, PITCH);
        }
        let last = bars.last().unwrap(); // ok: test fixture
        assert!(last.x + BAR_WIDTH <= CHART_WIDTH);
        for b in &bars {
            assert!(
                b.count.len() <= 5 && b.day.len() <= 2 && b.month.len() == 3,
                "{b:?}"
            );
            assert!(b.count_y() >= 11 && b.y + b.height == AXIS_Y);
        }
        assert_eq!(bars[0].count, "120");
        let few = bars_of(&[meeting(3, 4, 5)]);
        assert_eq!(few[0].count, "4/5");
        assert!(
            few[0].title.ends_with(": 4 of 5 came (80%)"),
            "{}",
            few[0].title
        );
        assert_eq!(few[0].height, 80);
    }

    fn bars_of(attendance: &[MeetingAttendance]) -> Vec<Bar> {
        bars(attendance, chrono_tz::UTC)
    }
}
