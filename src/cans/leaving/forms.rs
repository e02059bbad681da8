//! The leaving and time-away forms, turned into checked values.

use chrono::{Months, NaiveDate};
use serde::Deserialize;

use crate::web::forms::{self, FieldErrors};
use crate::web::time;

/// How long a private reason for the organisers may be (`departures_reason_length`).
pub const REASON_MAX: usize = 1000;

/// The confirmation page's form: the confirmation itself, and an optional reason.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct LeaveForm {
    pub confirm: String,
    pub reason: String,
}

impl LeaveForm {
    /// Sent from the confirmation page (a bare POST, e.g. an old page's button, is not).
    pub fn confirmed(&self) -> bool {
        self.confirm == "yes"
    }
}

/// A confirmed leaving, with the member's word for the organisers (empty when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    pub reason: String,
}

impl TryFrom<&LeaveForm> for Leave {
    type Error = FieldErrors;

    fn try_from(f: &LeaveForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        match errors.check(
            "reason",
            forms::text(&f.reason, "your reason", 0, REASON_MAX),
        ) {
            Some(reason) => Ok(Self { reason }),
            None => Err(errors),
        }
    }
}

/// "I'm away for a while": the day they expect to be back, or nothing when they don't know yet.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PauseForm {
    pub until: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Away {
    /// The day the clock makes them active again (in the CAN's zone).
    pub until: Option<NaiveDate>,
}

impl Away {
    /// A day after `today` (the CAN's) and at most a year on, or empty.
    pub fn parse(f: &PauseForm, today: NaiveDate) -> Result<Self, FieldErrors> {
        let raw = f.until.trim();
        if raw.is_empty() {
            return Ok(Self { until: None });
        }
        let latest = latest_return(today);
        let until = match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) if d <= today => Err(format!(
                "Choose a day after today ({} where the group is), or leave it empty.",
                time::date(today)
            )),
            Ok(d) if d > latest => Err(format!(
                "Choose a day within a year (by {}). If you don't know yet, leave it empty.",
                time::date(latest)
            )),
            Ok(d) => Ok(d),
            Err(_) => Err(
                "Enter the day as year-month-day, like 2027-01-14, or leave it empty.".to_string(),
            ),
        };
        let mut errors = FieldErrors::new();
        match errors.check("until", until) {
            Some(d) => Ok(Self { until: Some(d) }),
            None => Err(errors),
        }
    }
}

/// The last return day a member may give: a year from today.
pub fn latest_return(today: NaiveDate) -> NaiveDate {
    today.checked_add_months(Months::new(12)).unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap() // ok: test fixture
    }

    fn away(raw: &str) -> Result<Away, FieldErrors> {
        Away::parse(
            &PauseForm {
                until: raw.to_string(),
            },
            day(2026, 12, 1),
        )
    }

    #[test]
    fn a_return_day_is_after_today_and_within_a_year_or_empty() {
        assert_eq!(away("").unwrap().until, None); // ok: test fixture
        assert_eq!(away("  ").unwrap().until, None); // ok: test fixture
        assert_eq!(away("2026-12-02").unwrap().until, Some(day(2026, 12, 2))); // ok: test fixture
        assert_eq!(away("2027-12-01").unwrap().until, Some(day(2027, 12, 1))); // ok: test fixture
        for bad in [
            "2026-12-01",
            "2026-11-30",
            "2027-12-02",
            "soon",
            "2027-02-30",
        ] {
            assert!(away(bad).unwrap_err().has("until"), "{bad}");
        }
    }

    #[test]
    fn a_reason_is_optional_and_at_most_a_thousand_characters() {
        let leave = |reason: String| {
            Leave::try_from(&LeaveForm {
                confirm: "yes".into(),
                reason,
            })
        };
        assert_eq!(leave(String::new()).unwrap().reason, ""); // ok: test fixture
        assert_eq!(leave("x".repeat(1000)).unwrap().reason.len(), 1000); // ok: test fixture
        assert!(leave("x".repeat(1001)).unwrap_err().has("reason"));
    }
}
