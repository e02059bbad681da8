//! Responsibility forms and the checked values they become.

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::model::{HoldingKind, ResponsibilityKind, ResponsibilityStatus};
use super::queries::Row;
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

impl ResponsibilityForm {
    /// A new responsibility's form: an ongoing role of light effort.
    pub fn blank() -> Self {
        Self {
            kind: ResponsibilityKind::Ongoing.as_str().into(),
            effort: "1".into(),
            ..Self::default()
        }
    }

    /// The form filled in with what a responsibility says now.
    pub fn of(r: &Row) -> Self {
        let date = |d: Option<NaiveDate>| d.map(|d| d.format(DATE).to_string()).unwrap_or_default();
        Self {
            title: r.title.clone(),
            description: r.description.clone(),
            kind: r.kind.as_str().into(),
            goal_id: r.goal_id.map(|g| g.to_string()).unwrap_or_default(),
            cadence: r.cadence.clone(),
            due_on: date(r.due_on),
            term_ends_on: date(r.term_ends_on),
            effort: r.effort.to_string(),
            confirm_past: String::new(),
        }
    }

    /// A due date the responsibility already had needs no new confirmation when it is past.
    pub fn keep_confirmed(&mut self, existing: Option<NaiveDate>) {
        if existing.map(|d| d.format(DATE).to_string()) == Some(self.due_on.trim().to_string()) {
            self.confirm_past = CONFIRMED.into();
        }
    }

    /// Whether the form asks to confirm a due date in the past.
    pub fn past_due(errors: &FieldErrors) -> bool {
        errors.get("due_on") == Some(PAST_DUE)
    }
}

/// How dates are written in forms.
const DATE: &str = "%Y-%m-%d";
/// The value of the "the date is right" checkbox.
const CONFIRMED: &str = "yes";
const PAST_DUE: &str = "That due date is already past. If it is right (the task is late), tick the box below to save anyway.";
/// The message for a goal that is not one of this CAN's.
pub const UNKNOWN_GOAL: &str = "Choose a goal from the list.";

#[derive(Debug, Clone)]
pub struct NewResponsibility {
    pub title: String,
    pub description: String,
    pub kind: ResponsibilityKind,
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
    match NaiveDate::parse_from_str(raw.trim(), DATE) {
        Ok(d) if (2000..=2200).contains(&chrono::Datelike::year(&d)) => Ok(Some(d)),
        Ok(_) => Err(format!("Enter {what} between the years 2000 and 2200.")),
        Err(_) => Err(format!("Enter {what} as year-month-day, like 2027-03-01.")),
    }
}

fn optional_goal(raw: &str) -> Result<Option<Uuid>, String> {
    match raw.trim() {
        "" => Ok(None),
        id => id.parse().map(Some).map_err(|_| UNKNOWN_GOAL.to_string()),
    }
}

fn effort(raw: &str) -> Result<i16, String> {
    match raw.trim().parse::<i16>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err("Estimate the effort from 1 (light) to 5 (heavy).".to_string()),
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
        let kind = ResponsibilityKind::parse(&f.kind);
        if kind.is_none() {
            errors.add("kind", "Choose an ongoing role or a one-off task.");
        }
        let goal_id = errors.check("goal_id", optional_goal(&f.goal_id));
        let cadence = errors.check("cadence", forms::line(&f.cadence, "the rhythm", 0, 120));
        let due_on = errors.check("due_on", optional_date(&f.due_on, "the due date"));
        let term_ends_on = errors.check(
            "term_ends_on",
            optional_date(&f.term_ends_on, "the term's end"),
        );
        let effort = errors.check("effort", effort(&f.effort));
        let task = kind == Some(ResponsibilityKind::Task);
        if let (true, Some(Some(due))) = (task, due_on)
            && due < today
            && f.confirm_past != CONFIRMED
        {
            errors.add("due_on", PAST_DUE);
        }
        if task && term_ends_on.flatten().is_some() {
            errors.add(
                "term_ends_on",
                "A term belongs to an ongoing role; a task has a due date.",
            );
        }
        let (Some(title), Some(description), Some(kind), Some(goal_id)) =
            (title, description, kind, goal_id)
        else {
            return Err(errors);
        };
        let (Some(cadence), Some(due_on), Some(term_ends_on), Some(effort), true) =
            (cadence, due_on, term_ends_on, effort, errors.is_empty())
        else {
            return Err(errors);
        };
        // A role has a rhythm and a term; a task has a due date.
        let ongoing = kind == ResponsibilityKind::Ongoing;
        Ok(Self {
            title,
            description,
            kind,
            goal_id,
            cadence: if ongoing { cadence } else { String::new() },
            due_on: if ongoing { None } else { due_on },
            term_ends_on: if ongoing { term_ends_on } else { None },
            effort,
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    pub member_id: String,
    pub kind: String,
    pub ask_note: String,
}

/// Whom a coordinator asks, as what, and with what word to them. A member id that does not parse
/// names nobody (the service answers that the same way as for someone who is not an active
/// member).
#[derive(Debug, Clone)]
pub struct Assignment {
    pub member: Option<Uuid>,
    pub kind: HoldingKind,
    pub note: String,
}

impl Assignment {
    pub fn parse(f: &AssignForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let note = errors.check(
            "ask_note",
            forms::text(&f.ask_note, "the note", 0, OFFER_TEXT_MAX),
        );
        match note {
            Some(note) if errors.is_empty() => Ok(Self {
                member: f.member_id.trim().parse().ok(),
                kind: HoldingKind::chosen(&f.kind),
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// The longest note or reason an offer keeps (`offers_note_length`, `offers_reason_length`).
pub const OFFER_TEXT_MAX: usize = 1000;

/// An answer to an offer: a decline's optional reason.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub reason: String,
}

impl AnswerForm {
    /// The reason, which may be empty.
    pub fn reason(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        errors
            .check(
                "reason",
                forms::text(&self.reason, "the reason", 0, OFFER_TEXT_MAX),
            )
            .ok_or(errors)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DeclineForm {
    pub reason: String,
}

impl DeclineForm {
    /// The reason, which a decline needs.
    pub fn reason(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        errors
            .check("reason", forms::text(&self.reason, "a reason", 1, 500))
            .ok_or(errors)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct HandoffForm {
    pub to: String,
    pub handoff_note: String,
    pub overlap_days: String,
}

/// A hand-off as far as the form alone can tell: to someone other than the one handing it on,
/// with a note and 0 to 60 days of carrying it together. Whether the receiver may take it is for
/// the service to say.
#[derive(Debug, Clone)]
pub struct Handoff {
    pub to: Uuid,
    pub note: String,
    pub overlap_days: i64,
}

impl Handoff {
    pub fn parse(f: &HandoffForm, me: Uuid) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let note = errors.check(
            "handoff_note",
            // The note travels on the offer until it is accepted: the offer's limit.
            forms::text(&f.handoff_note, "the hand-over note", 0, OFFER_TEXT_MAX),
        );
        let overlap_days = errors.check(
            "overlap_days",
            match f.overlap_days.trim() {
                "" => Ok(0),
                s => match s.parse::<i64>() {
                    Ok(n) if (0..=60).contains(&n) => Ok(n),
                    _ => Err("Overlap is 0 to 60 days.".to_string()),
                },
            },
        );
        let to = match f.to.trim().parse::<Uuid>() {
            Ok(to) if to == me => {
                errors.add("to", "You already carry it: hand it to someone else.");
                None
            }
            Ok(to) => Some(to),
            Err(_) => {
                errors.add("to", "Choose who takes it on.");
                None
            }
        };
        match (to, note, overlap_days) {
            (Some(to), Some(note), Some(overlap_days)) if errors.is_empty() => Ok(Self {
                to,
                note,
                overlap_days,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ProgressForm {
    pub status: String,
    pub note: String,
    pub version: String,
}

/// A progress note, a status change, or both. `version` is the one the writer's page showed:
/// a status change from a stale page is refused.
#[derive(Debug, Clone)]
pub struct Progress {
    pub status: Option<ResponsibilityStatus>,
    pub note: String,
    pub version: i32,
}

impl Progress {
    pub fn parse(f: &ProgressForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let note = errors.check("note", forms::text(&f.note, "the note", 0, 2000));
        let status = match f.status.as_str() {
            "" | "unchanged" => Some(None),
            s => match ResponsibilityStatus::parse(s) {
                Some(status) => Some(Some(status)),
                None => {
                    errors.add("status", "Choose a status from the list.");
                    None
                }
            },
        };
        if matches!(status, Some(None)) && note.as_deref().is_some_and(str::is_empty) {
            errors.add("note", "Write a note or change the status.");
        }
        match (note, status) {
            (Some(note), Some(status)) if errors.is_empty() => Ok(Self {
                status,
                note,
                version: f.version.trim().parse().unwrap_or(-1),
            }),
            _ => Err(errors),
        }
    }
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

    #[test]
    fn a_hand_off_needs_someone_else_and_a_short_overlap() {
        let me = Uuid::now_v7();
        let form = |to: String, overlap: &str| HandoffForm {
            to,
            handoff_note: String::new(),
            overlap_days: overlap.into(),
        };
        assert!(
            Handoff::parse(&form(me.to_string(), "0"), me)
                .unwrap_err()
                .has("to")
        );
        assert!(
            Handoff::parse(&form(Uuid::now_v7().to_string(), "61"), me)
                .unwrap_err()
                .has("overlap_days")
        );
        let ok = Handoff::parse(&form(Uuid::now_v7().to_string(), ""), me).unwrap();
        assert_eq!(ok.overlap_days, 0);
    }

    #[test]
    fn progress_needs_a_note_or_a_status_change() {
        let form = |status: &str, note: &str| ProgressForm {
            status: status.into(),
            note: note.into(),
            version: "3".into(),
        };
        assert!(
            Progress::parse(&form("unchanged", ""))
                .unwrap_err()
                .has("note")
        );
        assert!(
            Progress::parse(&form("finished", "x"))
                .unwrap_err()
                .has("status")
        );
        let p = Progress::parse(&form("dropped", "")).unwrap();
        assert_eq!(
            (p.status, p.version),
            (Some(ResponsibilityStatus::Dropped), 3)
        );
    }
}
