//! Time poll forms: offering weekly slots, answering them, choosing one.

use std::collections::HashMap;

use chrono::{NaiveTime, Weekday};
use serde::Deserialize;
use uuid::Uuid;

use super::{duration, time};
use crate::meetings::model::PollAnswer;
use crate::meetings::recurrence::parse_ical_day;
use crate::web::forms::{self, FieldErrors};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PollForm {
    pub title: String,
    pub duration_minutes: String,
    pub weekday: Vec<String>,
    pub time: Vec<String>,
}

/// One row of slot fields on the new-poll page, as typed.
#[derive(Debug, Clone, Default)]
pub struct SlotRow {
    pub day: String,
    pub time: String,
}

impl PollForm {
    /// The form as the page first shows it: two slots to start from.
    pub fn blank() -> Self {
        Self {
            title: String::new(),
            duration_minutes: "90".into(),
            weekday: vec!["TU".into(), "SA".into()],
            time: vec!["19:00".into(), "10:00".into()],
        }
    }

    /// The slots as typed, padded to six rows.
    pub fn rows(&self) -> Vec<SlotRow> {
        let mut rows: Vec<SlotRow> = self
            .weekday
            .iter()
            .zip(self.time.iter())
            .map(|(day, time)| SlotRow {
                day: day.clone(),
                time: time.clone(),
            })
            .collect();
        rows.resize(6, SlotRow::default());
        rows
    }
}

pub struct NewPoll {
    pub title: String,
    pub duration_minutes: i32,
    pub options: Vec<(Weekday, NaiveTime)>,
}

impl TryFrom<&PollForm> for NewPoll {
    type Error = FieldErrors;

    fn try_from(f: &PollForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", forms::line(&f.title, "the title", 3, 120));
        let duration_minutes = errors.check("duration_minutes", duration(&f.duration_minutes));
        let mut options = Vec::new();
        for (day, at) in f.weekday.iter().zip(f.time.iter()) {
            if day.trim().is_empty() && at.trim().is_empty() {
                continue;
            }
            match (parse_ical_day(day.trim()), time(at)) {
                (Some(d), Ok(t)) if !options.contains(&(d, t)) => options.push((d, t)),
                (Some(_), Ok(_)) => {}
                _ => errors.add("options", "Each slot needs a day and a time like 19:00."),
            }
        }
        if options.len() < 2 && !errors.has("options") {
            errors.add(
                "options",
                "Offer at least two different slots to choose from.",
            );
        }
        if options.len() > 8 {
            errors.add("options", "Offer at most eight slots.");
        }
        match (title, duration_minutes) {
            (Some(title), Some(duration_minutes)) if errors.is_empty() => Ok(Self {
                title,
                duration_minutes,
                options,
            }),
            _ => Err(errors),
        }
    }
}

/// One answer per slot, named `slot-{option id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PollAnswers {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

impl PollAnswers {
    /// The readable answers, by slot id; anything else is ignored.
    pub fn answers(&self) -> Vec<(Uuid, PollAnswer)> {
        self.fields
            .iter()
            .filter_map(|(key, value)| {
                let slot = key.strip_prefix("slot-")?.parse().ok()?;
                Some((slot, PollAnswer::parse(value)?))
            })
            .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChooseForm {
    pub option: String,
}

impl ChooseForm {
    pub fn slot(&self) -> Option<Uuid> {
        self.option.parse().ok()
    }
}
