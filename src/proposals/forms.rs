//! Proposal forms and the checked values they become. The closing time is read as the vision's
//! consent rounds read theirs (`visioning::forms::closing_time`), and answers are the vision's
//! own answer form (`visioning::forms::{AnswerForm, Consent}`).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::visioning::forms::{RoundForm, closing_time};
use crate::web::forms::{self, FieldErrors};

pub const TITLE_MAX: usize = 120;
pub const BODY_MAX: usize = 5000;
pub const NOTE_MAX: usize = 1000;
pub const REASON_MAX: usize = 1000;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ProposalForm {
    pub title: String,
    pub body: String,
    pub closes_on: String,
    pub closes_time: String,
    /// A goal or responsibility as `goal:{id}` / `responsibility:{id}` (one select), or empty.
    pub about: String,
    pub meeting: String,
    pub agenda_item: String,
}

/// What the proposal is about, when anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Goal(Uuid),
    Responsibility(Uuid),
}

/// The ids the form names; a value that is no id at all names nothing we have (404).
pub struct Links {
    pub about: Option<About>,
    pub meeting: Option<Uuid>,
    pub agenda_item: Option<Uuid>,
}

/// Reads the linked ids; `None` when one is not an id (the page answers 404).
pub fn links(f: &ProposalForm) -> Option<Links> {
    let id = |raw: &str| -> Option<Option<Uuid>> {
        match raw.trim() {
            "" => Some(None),
            s => s.parse().ok().map(Some),
        }
    };
    let about = match f.about.trim().split_once(':') {
        None if f.about.trim().is_empty() => None,
        Some(("goal", g)) => Some(About::Goal(g.parse().ok()?)),
        Some(("responsibility", r)) => Some(About::Responsibility(r.parse().ok()?)),
        _ => return None,
    };
    let meeting = id(&f.meeting)?;
    let agenda_item = id(&f.agenda_item)?;
    if agenda_item.is_some() && meeting.is_none() {
        return None;
    }
    Some(Links {
        about,
        meeting,
        agenda_item,
    })
}

/// The checked texts and closing time of a new proposal.
pub struct Draft {
    pub title: String,
    pub body: String,
    pub closes_at: DateTime<Utc>,
}

pub fn draft(
    f: &ProposalForm,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<Draft, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = errors.check("title", forms::line(&f.title, "a title", 1, TITLE_MAX));
    let body = errors.check("body", forms::text(&f.body, "the proposal", 1, BODY_MAX));
    let round = RoundForm {
        closes_on: f.closes_on.clone(),
        closes_time: f.closes_time.clone(),
    };
    let closes_at = match closing_time(&round, tz, now) {
        Ok(at) => Some(at),
        Err(e) => {
            for (field, message) in e.iter() {
                errors.add(field, message);
            }
            None
        }
    };
    match (title, body, closes_at) {
        (Some(title), Some(body), Some(closes_at)) => Ok(Draft {
            title,
            body,
            closes_at,
        }),
        _ => Err(errors),
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AmendForm {
    pub title: String,
    pub body: String,
    pub note: String,
}

/// A new text of a proposal, and what changed.
pub struct Amendment {
    pub title: String,
    pub body: String,
    pub note: String,
}

impl TryFrom<&AmendForm> for Amendment {
    type Error = FieldErrors;

    fn try_from(f: &AmendForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", forms::line(&f.title, "a title", 1, TITLE_MAX));
        let body = errors.check("body", forms::text(&f.body, "the proposal", 1, BODY_MAX));
        let note = errors.check(
            "note",
            forms::text(&f.note, "what changed and why", 1, NOTE_MAX),
        );
        match (title, body, note) {
            (Some(title), Some(body), Some(note)) => Ok(Self { title, body, note }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    pub withdraw_reason: String,
}

pub fn withdraw_reason(f: &WithdrawForm) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    errors
        .check(
            "withdraw_reason",
            forms::text(&f.withdraw_reason, "why you withdraw it", 1, REASON_MAX),
        )
        .ok_or(errors)
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    /// "1" when closed at the proposal's meeting (those present are the quorum).
    pub at_meeting: String,
}

impl CloseForm {
    pub fn at_meeting(&self) -> bool {
        self.at_meeting.trim() == "1"
    }
}

/// `?meeting=..&agenda_item=..` on the new-proposal form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    pub meeting: String,
    pub agenda_item: String,
}

/// `?page=N` on the list (decided proposals, newest first).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub page: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_must_be_ids_and_an_item_needs_its_meeting() {
        let mut f = ProposalForm::default();
        assert!(links(&f).is_some_and(|l| l.about.is_none() && l.meeting.is_none()));
        f.about = "goal:nonsense".into();
        assert!(links(&f).is_none());
        f.about = format!("responsibility:{}", Uuid::nil());
        assert_eq!(
            links(&f).and_then(|l| l.about),
            Some(About::Responsibility(Uuid::nil()))
        );
        f.agenda_item = Uuid::nil().to_string();
        assert!(links(&f).is_none());
    }
}
