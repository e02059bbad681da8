//! Responsibility forms and the checked values they become.

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use crate::web::forms::{self, FieldErrors};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ResponsibilityForm {
    pub title: String,
    pub description: String,
    pub kind: String,
    pub goal_id: String,
    pub cadence: String,
    pub due_on: String,
    pub term_ends_on: String,
    pub effort: String,
    /// "yes" when the writer confirms a due date in the past.
    pub confirm_past: String,
}

#[derive(Debug, Clone)]
pub struct NewResponsibility {
    pub title: String,
    pub description: String,
    pub ongoing: bool,
    pub goal_id: Option<Uuid>,
    pub cadence: String,
    pub due_on: Option<NaiveDate>,
    pub term_ends_on: Option<NaiveDate>,
    pub effort: i16,
}

fn optional_date(raw: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) if (2000..=2200).contains(&chrono::Datelike::year(&d)) => Ok(Some(d)),
        Ok(_) => Err(format!("Enter {what} between the years 2000 and 2200.")),
        Err(_) => Err(format!("Enter {what} as year-month-day, like 2027-03-01.")),
    }
}

impl NewResponsibility {
    /// Checks the form. A task due in the past is refused unless `confirm_past` says the date is
    /// meant (it may be catching up on something already late).
    pub fn parse(f: &ResponsibilityForm, today: NaiveDate) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", forms::line(&f.title, "the title", 3, 120));
        let description = errors.check(
            "description",
            forms::text(&f.description, "the description", 0, 2000),
        );
        let ongoing = match f.kind.as_str() {
            "ongoing" => Some(true),
            "task" => Some(false),
            _ => {
                errors.add("kind", "Choose an ongoing role or a one-off task.");
                None
            }
        };
        let goal_id = if f.goal_id.trim().is_empty() {
            Some(None)
        } else {
            errors.check(
                "goal_id",
                f.goal_id
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| "Choose a goal from the list.".to_string()),
            )
        };
        let cadence = errors.check("cadence", forms::line(&f.cadence, "the rhythm", 0, 120));
        let due_on = errors.check("due_on", optional_date(&f.due_on, "the due date"));
        let term_ends_on = errors.check(
            "term_ends_on",
            optional_date(&f.term_ends_on, "the term's end"),
        );
        let effort = errors.check(
            "effort",
            match f.effort.trim().parse::<i16>() {
                Ok(n) if (1..=5).contains(&n) => Ok(n),
                _ => Err("Estimate the effort from 1 (light) to 5 (heavy).".to_string()),
            },
        );
        if let (Some(false), Some(Some(due))) = (ongoing, due_on)
            && due < today
            && f.confirm_past != "yes"
        {
            errors.add(
                "due_on",
                "That due date is already past. If it is right (the task is late), tick the box below to save anyway.",
            );
        }
        if ongoing == Some(false) && term_ends_on.flatten().is_some() {
            errors.add(
                "term_ends_on",
                "A term belongs to an ongoing role; a task has a due date.",
            );
        }
        match (
            title,
            description,
            ongoing,
            goal_id,
            cadence,
            due_on,
            term_ends_on,
            effort,
        ) {
            (
                Some(title),
                Some(description),
                Some(ongoing),
                Some(goal_id),
                Some(cadence),
                Some(due_on),
                Some(term_ends_on),
                Some(effort),
            ) if errors.is_empty() => Ok(Self {
                title,
                description,
                ongoing,
                goal_id,
                cadence: if ongoing { cadence } else { String::new() },
                due_on: if ongoing { None } else { due_on },
                term_ends_on: if ongoing { term_ends_on } else { None },
                effort,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    pub member_id: String,
    pub kind: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DeclineForm {
    pub reason: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct HandoffForm {
    pub to: String,
    pub handoff_note: String,
    pub overlap_days: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ProgressForm {
    pub status: String,
    pub note: String,
    pub version: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct VolunteerForm {
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap() // ok: test fixture
    }

    fn task(due: &str, confirm: &str) -> ResponsibilityForm {
        ResponsibilityForm {
            title: "Book the hall".into(),
            kind: "task".into(),
            due_on: due.into(),
            effort: "1".into(),
            confirm_past: confirm.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_past_due_date_needs_confirming() {
        assert!(
            NewResponsibility::parse(&task("2026-11-01", ""), today())
                .unwrap_err()
                .has("due_on")
        );
        assert!(NewResponsibility::parse(&task("2026-11-01", "yes"), today()).is_ok());
        assert!(NewResponsibility::parse(&task("2026-12-01", ""), today()).is_ok());
    }

    #[test]
    fn effort_is_one_to_five() {
        let mut f = task("", "");
        f.effort = "9".into();
        assert!(
            NewResponsibility::parse(&f, today())
                .unwrap_err()
                .has("effort")
        );
    }
}
