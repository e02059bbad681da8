//! The "I need a hand" form and the offer's note, and the checked values they become.

use chrono::{Datelike, NaiveDate, TimeDelta};
use serde::Deserialize;

use super::model::HelpKind;
use crate::web::forms::{self, FieldErrors};

/// The longest details a request keeps (`support_requests_details_length`).
pub const DETAILS_MAX: usize = 2000;
/// The longest note an offer keeps (`support_offers_note_length`).
pub const NOTE_MAX: usize = 1000;
/// How far ahead "needed by" may be.
pub const NEEDED_WITHIN_DAYS: i64 = 365;
/// The value of the ticked "Only the organisers see this" box.
pub const TICKED: &str = "yes";

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub kind: String,
    pub details: String,
    pub needed_by: String,
    pub private: String,
}

impl RequestForm {
    pub fn is_private(&self) -> bool {
        self.private == TICKED
    }
}

/// A checked request for a hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub kind: HelpKind,
    pub details: String,
    pub needed_by: Option<NaiveDate>,
    pub private: bool,
}

impl NewRequest {
    /// Checks the form against `today` in the CAN's zone: a "needed by" day is not in the past
    /// and at most a year ahead.
    pub fn parse(f: &RequestForm, today: NaiveDate) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = HelpKind::parse(&f.kind);
        if kind.is_none() {
            errors.add("kind", "Choose what kind of hand you need.");
        }
        let details = errors.check(
            "details",
            forms::text(&f.details, "the details", 0, DETAILS_MAX),
        );
        let needed_by = errors.check("needed_by", needed_by(&f.needed_by, today));
        if f.private != TICKED && !f.private.is_empty() {
            errors.add("private", "Tick the box, or leave it empty.");
        }
        match (kind, details, needed_by) {
            (Some(kind), Some(details), Some(needed_by)) if errors.is_empty() => Ok(Self {
                kind,
                details,
                needed_by,
                private: f.is_private(),
            }),
            _ => Err(errors),
        }
    }
}

fn needed_by(raw: &str, today: NaiveDate) -> Result<Option<NaiveDate>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2200).contains(&d.year()))
        .ok_or_else(|| "Enter the day as year-month-day, like 2027-03-01.".to_string())?;
    if day < today {
        return Err("That day is already past. Choose today or a later day.".into());
    }
    if day > today + TimeDelta::days(NEEDED_WITHIN_DAYS) {
        return Err("Choose a day within the next year.".into());
    }
    Ok(Some(day))
}

/// An offer to help: an optional note to the person who asked.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct OfferForm {
    pub note: String,
}

impl OfferForm {
    pub fn note(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        errors
            .check("note", forms::text(&self.note, "the note", 0, NOTE_MAX))
            .ok_or(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str, details: &str, needed_by: &str, private: &str) -> RequestForm {
        RequestForm {
            kind: kind.into(),
            details: details.into(),
            needed_by: needed_by.into(),
            private: private.into(),
        }
    }

    const TODAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(); // ok: test fixture

    #[test]
    fn a_plain_request_needs_only_its_kind() {
        assert_eq!(
            NewRequest::parse(&form("talk", "  ", "", ""), TODAY),
            Ok(NewRequest {
                kind: HelpKind::Talk,
                details: String::new(),
                needed_by: None,
                private: false,
            })
        );
    }

    #[test]
    fn needed_by_is_today_to_a_year_ahead() {
        let ok = |d: &str| NewRequest::parse(&form("meal", "", d, "yes"), TODAY);
        assert_eq!(
            ok("2026-12-01").unwrap().needed_by, // ok: test fixture
            Some(TODAY),
            "today is fine"
        );
        assert!(ok("2027-12-01").is_ok());
        for bad in [
            "2026-11-30",
            "2027-12-02",
            "tomorrow",
            "2026-13-01",
            "9999-01-01",
        ] {
            let errors = ok(bad).unwrap_err();
            assert!(errors.has("needed_by"), "{bad}");
        }
    }

    #[test]
    fn every_problem_is_reported_beside_its_field() {
        let long = "x".repeat(DETAILS_MAX + 1);
        let errors =
            NewRequest::parse(&form("money", &long, "yesterday", "maybe"), TODAY).unwrap_err();
        for field in ["kind", "details", "needed_by", "private"] {
            assert!(errors.has(field), "{field}");
        }
    }

    #[test]
    fn an_offer_note_is_optional_and_at_most_a_thousand_characters() {
        let note = |n: &str| OfferForm { note: n.into() }.note();
        assert_eq!(note(""), Ok(String::new()));
        assert!(note(&"é".repeat(NOTE_MAX)).is_ok());
        assert!(note(&"é".repeat(NOTE_MAX + 1)).is_err());
    }
}
