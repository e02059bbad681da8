//! Visioning forms and the checked values they become.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;
use uuid::Uuid;

pub use super::model::{Answer, GoalStatus};
use crate::web::forms::{self, FieldErrors};

pub const HOPE_MAX: usize = 500;
pub const VISION_MAX: usize = 10_000;
pub const REASON_MAX: usize = 1_000;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct HopeForm {
    pub body: String,
}

pub fn hope(f: &HopeForm) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    match errors.check("body", forms::text(&f.body, "your hope", 1, HOPE_MAX)) {
        Some(body) => Ok(body),
        None => Err(errors),
    }
}

/// A proposed vision text. `hope` repeats, one per hope the text draws on.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DraftForm {
    pub body: String,
    pub note: String,
    pub hope: Vec<String>,
    /// The newest version number the writer had seen when they opened the form ("0": none).
    pub base_version: String,
    /// The version being edited, if any.
    pub from: String,
}

pub struct Draft {
    pub body: String,
    pub note: String,
    pub hopes: Vec<Uuid>,
    pub base_version: i32,
    pub from: Option<i32>,
}

impl TryFrom<&DraftForm> for Draft {
    type Error = FieldErrors;

    fn try_from(f: &DraftForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let body = errors.check(
            "body",
            forms::text(&f.body, "the vision text", 1, VISION_MAX),
        );
        let note = errors.check("note", forms::line(&f.note, "the note", 0, 200));
        // Hope ids come from our own checkboxes; one that is not an id is simply not a hope.
        let hopes = f.hope.iter().filter_map(|h| h.parse().ok()).collect();
        let base_version = f.base_version.trim().parse().unwrap_or(0);
        let from = f.from.trim().parse().ok();
        match (body, note) {
            (Some(body), Some(note)) => Ok(Self {
                body,
                note,
                hopes,
                base_version,
                from,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RoundForm {
    pub closes_on: String,
    pub closes_time: String,
}

/// When a round closes: a local date and time in the CAN's zone, from an hour to 60 days ahead.
pub fn closing_time(
    f: &RoundForm,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = errors.check(
        "closes_on",
        NaiveDate::parse_from_str(f.closes_on.trim(), "%Y-%m-%d")
            .map_err(|_| "Enter the closing date as year-month-day, like 2027-03-01.".to_string()),
    );
    let time = errors.check(
        "closes_time",
        NaiveTime::parse_from_str(f.closes_time.trim(), "%H:%M")
            .map_err(|_| "Enter the closing time as hours:minutes, like 20:00.".to_string()),
    );
    let (Some(date), Some(time)) = (date, time) else {
        return Err(errors);
    };
    // A time skipped by a clock change has no instant; take the next valid one.
    let local = date.and_time(time);
    let at = tz
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc));
    match at {
        Some(at) if at < now + chrono::Duration::hours(1) => {
            errors.add(
                "closes_on",
                "Give people at least an hour: choose a later closing time.",
            );
            Err(errors)
        }
        Some(at) if at > now + chrono::Duration::days(60) => {
            errors.add("closes_on", "A round can stay open for at most 60 days.");
            Err(errors)
        }
        Some(at) => Ok(at),
        None => {
            errors.add(
                "closes_time",
                "That time does not exist on that day in the group's time zone.",
            );
            Err(errors)
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub answer: String,
    pub reason: String,
}

#[derive(Debug)]
pub struct Consent {
    pub answer: Answer,
    pub reason: String,
}

impl TryFrom<&AnswerForm> for Consent {
    type Error = FieldErrors;

    fn try_from(f: &AnswerForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let answer = errors.check(
            "answer",
            Answer::parse(&f.answer)
                .ok_or_else(|| "Choose endorse, stand aside or object.".to_string()),
        );
        let reason = errors.check(
            "reason",
            forms::text(&f.reason, "your reason", 0, REASON_MAX),
        );
        if answer == Some(Answer::Object) && reason.as_deref().is_some_and(str::is_empty) {
            errors.add(
                "reason",
                "An objection needs a reason: say what harm you see, so the group can work with it.",
            );
        }
        match (answer, reason) {
            (Some(answer), Some(reason)) if errors.is_empty() => Ok(Self { answer, reason }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct GoalForm {
    pub title: String,
    pub description: String,
}

pub struct NewGoal {
    pub title: String,
    pub description: String,
}

impl TryFrom<&GoalForm> for NewGoal {
    type Error = FieldErrors;

    fn try_from(f: &GoalForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", forms::line(&f.title, "the goal", 3, 120));
        let description = errors.check(
            "description",
            forms::text(&f.description, "the description", 0, 2000),
        );
        match (title, description) {
            (Some(title), Some(description)) => Ok(Self { title, description }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct GoalStatusForm {
    pub status: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub review_on: String,
}

/// When the group next revisits its vision: from today to five years ahead.
pub fn review_date(f: &ReviewForm, today: NaiveDate) -> Result<NaiveDate, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = errors.check(
        "review_on",
        match NaiveDate::parse_from_str(f.review_on.trim(), "%Y-%m-%d") {
            Ok(d) if d >= today && d <= today + chrono::Duration::days(5 * 366) => Ok(d),
            Ok(_) => Err("Choose a date from today to five years ahead.".to_string()),
            Err(_) => Err("Enter the date as year-month-day, like 2027-11-01.".to_string()),
        },
    );
    date.ok_or(errors)
}

/// Quorum choices offered to organisers: (numerator, denominator, words).
pub const QUORUM_CHOICES: [(i16, i16, &str); 5] = [
    (1, 2, "half"),
    (2, 3, "two thirds"),
    (3, 4, "three quarters"),
    (4, 5, "four fifths"),
    (1, 1, "everyone"),
];

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct QuorumForm {
    pub quorum: String,
}

pub fn quorum(f: &QuorumForm) -> Option<(i16, i16)> {
    QUORUM_CHOICES
        .iter()
        .find(|(n, d, _)| format!("{n}/{d}") == f.quorum.trim())
        .map(|(n, d, _)| (*n, *d))
}

pub fn quorum_words(num: i16, den: i16) -> String {
    QUORUM_CHOICES
        .iter()
        .find(|(n, d, _)| *n == num && *d == den)
        .map(|(_, _, w)| w.to_string())
        .unwrap_or_else(|| format!("{num}/{den}"))
}

/// How many of `active` members must answer for the quorum `num/den` (rounded up, exactly).
pub fn needed(active: i64, num: i16, den: i16) -> i64 {
    let (num, den) = (i64::from(num), i64::from(den.max(1)));
    (active * num + den - 1) / den
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_thirds_of_three_is_two_and_of_two_is_two() {
        assert_eq!(needed(3, 2, 3), 2);
        assert_eq!(needed(2, 2, 3), 2);
        assert_eq!(needed(50, 2, 3), 34);
        assert_eq!(needed(6, 2, 3), 4);
        assert_eq!(needed(0, 2, 3), 0);
        assert_eq!(needed(7, 1, 1), 7);
    }

    #[test]
    fn an_objection_needs_a_reason() {
        let f = AnswerForm {
            answer: "object".into(),
            reason: "  ".into(),
        };
        assert!(Consent::try_from(&f).unwrap_err().has("reason"));
        let f = AnswerForm {
            answer: "stand_aside".into(),
            reason: "".into(),
        };
        assert!(Consent::try_from(&f).is_ok());
    }

    #[test]
    fn closing_times_are_read_in_the_groups_zone() {
        let now = Utc.with_ymd_and_hms(2026, 3, 20, 12, 0, 0).unwrap(); // ok: test fixture
        let f = RoundForm {
            closes_on: "2026-03-30".into(),
            closes_time: "19:00".into(),
        };
        // Berlin is on summer time (UTC+2) by 30 March 2026.
        let at = closing_time(&f, chrono_tz::Europe::Berlin, now).unwrap(); // ok: test fixture
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 3, 30, 17, 0, 0).unwrap()); // ok: test fixture
        let past = RoundForm {
            closes_on: "2026-03-20".into(),
            closes_time: "12:30".into(),
        };
        assert!(closing_time(&past, chrono_tz::UTC, now).is_err());
    }
}
