//! Stage forms as they arrive and the checked values they become.

use serde::Deserialize;
use uuid::Uuid;

use super::guide::Criteria;
use crate::cans::model::Stage;
use crate::error::{AppError, Result};
use crate::web::forms::{self, FieldErrors};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    pub to: String,
    pub note: String,
}

/// A move of the group one stage on, or one back for renewal, with the organiser's note.
pub struct StageMove {
    pub from: Stage,
    pub to: Stage,
    pub note: String,
}

impl StageMove {
    /// A stage we do not know, or one that is not a step away, is a request no page of ours
    /// sends (400); a note's problems are the form's (422).
    pub fn parse(f: &MoveForm, from: Stage) -> Result<Result<Self, FieldErrors>> {
        let to = Stage::parse(&f.to).ok_or(AppError::BadRequest("That is not a stage we know."))?;
        let (previous, next) = from.neighbours();
        if Some(to) != next && Some(to) != previous {
            return Err(AppError::BadRequest("A group moves one stage at a time."));
        }
        let mut errors = FieldErrors::new();
        Ok(
            match errors.check("note", forms::text(&f.note, "the note", 0, 2000)) {
                Some(note) => Ok(Self { from, to, note }),
                None => Err(errors),
            },
        )
    }

    pub fn is_forward(&self) -> bool {
        self.from.next() == Some(self.to)
    }
}

/// The thresholds' form fields: the saved values, or what was typed when it was refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CriteriaForm {
    pub hope_share_percent: String,
    pub hope_min: String,
    pub held_meetings_min: String,
    pub drift_missed: String,
    pub drift_weeks: String,
}

impl From<Criteria> for CriteriaForm {
    fn from(c: Criteria) -> Self {
        Self {
            hope_share_percent: c.hope_share_percent.to_string(),
            hope_min: c.hope_min.to_string(),
            held_meetings_min: c.held_meetings_min.to_string(),
            drift_missed: c.drift_missed.to_string(),
            drift_weeks: c.drift_weeks.to_string(),
        }
    }
}

fn number(raw: &str, min: i16, max: i16) -> Result<i16, String> {
    match raw.trim().parse::<i16>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("Enter a number from {min} to {max}.")),
    }
}

impl TryFrom<&CriteriaForm> for Criteria {
    type Error = FieldErrors;

    fn try_from(f: &CriteriaForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let values = (
            errors.check("hope_share_percent", number(&f.hope_share_percent, 1, 100)),
            errors.check("hope_min", number(&f.hope_min, 1, 50)),
            errors.check("held_meetings_min", number(&f.held_meetings_min, 1, 50)),
            errors.check("drift_missed", number(&f.drift_missed, 1, 20)),
            errors.check("drift_weeks", number(&f.drift_weeks, 1, 52)),
        );
        match values {
            (Some(hope_share_percent), Some(hope_min), Some(held), Some(missed), Some(weeks)) => {
                Ok(Self {
                    hope_share_percent,
                    hope_min,
                    held_meetings_min: held,
                    drift_missed: missed,
                    drift_weeks: weeks,
                })
            }
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ReachOutForm {
    pub member_id: String,
    pub note: String,
    /// A word to the member themselves: sent to them, never shown to the group.
    pub word: String,
}

/// The longest word to the member reached out to.
pub const WORD_MAX: usize = 500;

/// Someone checked in with a member who seems to drift away: a note for the group, and
/// optionally a word to the member (which only they read).
pub struct ReachOut {
    pub member_id: Uuid,
    pub note: String,
    pub word: Option<String>,
}

impl ReachOut {
    /// A member id that is not one names nobody (404); the note is optional and kept short; a
    /// word that is too long or unstorable is the form's problem (422, keyed `word`).
    pub fn parse(f: &ReachOutForm) -> Result<Result<Self, FieldErrors>> {
        let member_id = f.member_id.trim().parse().map_err(|_| AppError::NotFound)?;
        let note = f
            .note
            .trim()
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .take(500)
            .collect();
        let mut errors = FieldErrors::new();
        Ok(
            match errors.check(
                "word",
                forms::text(&f.word, "your word to them", 0, WORD_MAX),
            ) {
                Some(word) => Ok(Self {
                    member_id,
                    note,
                    word: (!word.is_empty()).then_some(word),
                }),
                None => Err(errors),
            },
        )
    }
}

/// The five questions after a meeting: (field name, question).
pub const QUESTIONS: [(&str, &str); 5] = [
    ("zest", "Zest: how much energy do you leave with?"),
    (
        "able_to_act",
        "Able to act: do you feel you can do something about what matters?",
    ),
    (
        "clarity",
        "Clarity: how clear are you about yourself and the others?",
    ),
    ("worth", "Sense of worth: did you feel valued?"),
    ("connection", "Connection: do you want more of this?"),
];

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    pub zest: String,
    pub able_to_act: String,
    pub clarity: String,
    pub worth: String,
    pub connection: String,
    pub note: String,
}

impl CheckInForm {
    /// The answer given to each question, in the order of [`QUESTIONS`].
    pub fn answers(&self) -> [&str; 5] {
        [
            &self.zest,
            &self.able_to_act,
            &self.clarity,
            &self.worth,
            &self.connection,
        ]
    }
}

/// A check-in: five scores from 1 to 5 (in the order of [`QUESTIONS`]) and a private note.
pub struct CheckIn {
    pub scores: [i16; 5],
    pub note: String,
}

impl TryFrom<&CheckInForm> for CheckIn {
    type Error = FieldErrors;

    fn try_from(f: &CheckInForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut scores = [0i16; 5];
        for (((field, _), raw), score) in QUESTIONS.iter().zip(f.answers()).zip(&mut scores) {
            let parsed = match raw.trim().parse::<i16>() {
                Ok(n) if (1..=5).contains(&n) => Ok(n),
                _ => Err("Choose a score from 1 to 5.".to_string()),
            };
            *score = errors.check(field, parsed).unwrap_or(0);
        }
        let note = errors.check("note", forms::text(&f.note, "your note", 0, 1000));
        match note {
            Some(note) if errors.is_empty() => Ok(Self { scores, note }),
            _ => Err(errors),
        }
    }
}
