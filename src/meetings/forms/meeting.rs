//! The forms of one meeting's page and the checked values they become. Member choices are
//! checked against the CAN's active members along with the rest, so one refusal names every
//! problem.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::{date, duration, optional_id, time};
use crate::cans::queries::is_active_member;
use crate::error::Result;
use crate::meetings::model::{AgendaStatus, Rsvp};
use crate::meetings::recurrence;
use crate::web::forms::{self as webforms, FieldErrors};

const NOT_A_MEMBER: &str = "Choose an active member of this CAN.";

/// Adds the refusal to `field` when `who` is someone who is not an active member of the CAN.
async fn check_member(
    db: &PgPool,
    can_id: Uuid,
    errors: &mut FieldErrors,
    field: &'static str,
    who: Option<Option<Uuid>>,
) -> Result<()> {
    if let Some(Some(who)) = who
        && !is_active_member(db, can_id, who).await?
    {
        errors.add(field, NOT_A_MEMBER);
    }
    Ok(())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    pub date: String,
    pub time: String,
    pub duration_minutes: String,
}

/// A new time for one meeting, in the group's wall-clock time.
#[derive(Debug, Clone, Copy)]
pub struct NewTime {
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub minutes: i32,
}

impl NewTime {
    /// Its start and end as instants in `tz`.
    pub fn span(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = recurrence::instant(self.date, self.time, tz);
        (
            start,
            start + chrono::Duration::minutes(i64::from(self.minutes)),
        )
    }
}

impl MoveForm {
    /// The form as the page first shows it: the meeting's present time in `tz`.
    pub fn of(starts_at: DateTime<Utc>, minutes: i64, tz: Tz) -> Self {
        let local = starts_at.with_timezone(&tz);
        Self {
            date: local.format("%Y-%m-%d").to_string(),
            time: local.format("%H:%M").to_string(),
            duration_minutes: minutes.to_string(),
        }
    }

    /// Checks the form; `today` is the group's today (a meeting moves to today or later).
    pub fn parse(&self, today: NaiveDate) -> Result<NewTime, FieldErrors> {
        let mut errors = FieldErrors::new();
        let date = errors.check("date", date(&self.date, "the date"));
        let at = errors.check("time", time(&self.time));
        let minutes = errors.check("duration_minutes", duration(&self.duration_minutes));
        if date.is_some_and(|d| d < today || d > today + chrono::Duration::days(730)) {
            errors.add("date", "Choose a date from today to two years ahead.");
        }
        match (date, at, minutes) {
            (Some(date), Some(time), Some(minutes)) if errors.is_empty() => Ok(NewTime {
                date,
                time,
                minutes,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RsvpForm {
    pub answer: String,
}

impl RsvpForm {
    pub fn parse(&self) -> Option<Rsvp> {
        Rsvp::parse(&self.answer)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RolesForm {
    pub facilitator_id: String,
    pub note_taker_id: String,
}

/// Who facilitates and who takes notes (either may be nobody yet).
#[derive(Debug, Clone, Copy)]
pub struct Roles {
    pub facilitator: Option<Uuid>,
    pub note_taker: Option<Uuid>,
}

impl RolesForm {
    /// The form as the page first shows it: who holds the roles now.
    pub fn of(facilitator: Option<Uuid>, note_taker: Option<Uuid>) -> Self {
        let id = |who: Option<Uuid>| who.map(|i| i.to_string()).unwrap_or_default();
        Self {
            facilitator_id: id(facilitator),
            note_taker_id: id(note_taker),
        }
    }

    pub async fn check(&self, db: &PgPool, can_id: Uuid) -> Result<Result<Roles, FieldErrors>> {
        let mut errors = FieldErrors::new();
        let facilitator = errors.check("facilitator_id", optional_id(&self.facilitator_id));
        let note_taker = errors.check("note_taker_id", optional_id(&self.note_taker_id));
        check_member(db, can_id, &mut errors, "facilitator_id", facilitator).await?;
        check_member(db, can_id, &mut errors, "note_taker_id", note_taker).await?;
        Ok(match (facilitator, note_taker) {
            (Some(facilitator), Some(note_taker)) if errors.is_empty() => Ok(Roles {
                facilitator,
                note_taker,
            }),
            _ => Err(errors),
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AttendanceForm {
    pub present: Vec<String>,
}

impl AttendanceForm {
    /// The ticked people (anything that is not an id is ignored).
    pub fn present(&self) -> Vec<Uuid> {
        self.present.iter().filter_map(|p| p.parse().ok()).collect()
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct MinutesForm {
    pub minutes: String,
    pub version: String,
}

impl MinutesForm {
    /// The text, and the version it was written on (-1, matching none, when unreadable).
    pub fn parse(&self) -> Result<(String, i32), FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = errors.check(
            "minutes",
            webforms::text(&self.minutes, "the minutes", 0, 20_000),
        );
        let version = self.version.trim().parse().unwrap_or(-1);
        text.map(|t| (t, version)).ok_or(errors)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
}

impl DecisionForm {
    pub fn parse(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        errors
            .check(
                "decision",
                webforms::text(&self.decision, "the decision", 3, 1000),
            )
            .ok_or(errors)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub action_title: String,
    pub action_owner: String,
    pub action_due: String,
}

/// An action item to note.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub title: String,
    pub owner: Option<Uuid>,
    pub due_on: Option<NaiveDate>,
}

impl ActionForm {
    pub async fn check(&self, db: &PgPool, can_id: Uuid) -> Result<Result<NewAction, FieldErrors>> {
        let mut errors = FieldErrors::new();
        let title = errors.check(
            "action_title",
            webforms::line(&self.action_title, "the action", 3, 200),
        );
        let owner = errors.check("action_owner", optional_id(&self.action_owner));
        let due_on = if self.action_due.trim().is_empty() {
            Some(None)
        } else {
            errors.check(
                "action_due",
                date(&self.action_due, "the due date").map(Some),
            )
        };
        check_member(db, can_id, &mut errors, "action_owner", owner).await?;
        Ok(match (title, owner, due_on) {
            (Some(title), Some(owner), Some(due_on)) if errors.is_empty() => Ok(NewAction {
                title,
                owner,
                due_on,
            }),
            _ => Err(errors),
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AgendaForm {
    pub item_title: String,
    pub item_owner: String,
    pub item_minutes: String,
}

/// An item someone proposes for the agenda.
#[derive(Debug, Clone)]
pub struct NewAgendaItem {
    pub title: String,
    pub owner: Option<Uuid>,
    pub minutes_budget: Option<i32>,
}

impl AgendaForm {
    pub async fn check(
        &self,
        db: &PgPool,
        can_id: Uuid,
    ) -> Result<Result<NewAgendaItem, FieldErrors>> {
        let mut errors = FieldErrors::new();
        let title = errors.check(
            "item_title",
            webforms::line(&self.item_title, "the item", 3, 200),
        );
        let owner = errors.check("item_owner", optional_id(&self.item_owner));
        let minutes_budget = if self.item_minutes.trim().is_empty() {
            Some(None)
        } else {
            errors.check(
                "item_minutes",
                match self.item_minutes.trim().parse::<i32>() {
                    Ok(n) if (1..=480).contains(&n) => Ok(Some(n)),
                    _ => Err("Give the minutes as a number from 1 to 480.".to_string()),
                },
            )
        };
        check_member(db, can_id, &mut errors, "item_owner", owner).await?;
        Ok(match (title, owner, minutes_budget) {
            (Some(title), Some(owner), Some(minutes_budget)) if errors.is_empty() => {
                Ok(NewAgendaItem {
                    title,
                    owner,
                    minutes_budget,
                })
            }
            _ => Err(errors),
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AgendaChangeForm {
    pub direction: String,
    pub status: String,
}

/// What can be done to an agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgendaChange {
    Up,
    Down,
    Status(AgendaStatus),
}

impl AgendaChangeForm {
    /// A move (which wins when both are sent) or a new status; `None` for anything else.
    pub fn parse(&self) -> Option<AgendaChange> {
        match self.direction.as_str() {
            "up" => Some(AgendaChange::Up),
            "down" => Some(AgendaChange::Down),
            _ => AgendaStatus::parse(&self.status).map(AgendaChange::Status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_wins_over_a_status_and_nonsense_is_no_change() {
        let form = |direction: &str, status: &str| AgendaChangeForm {
            direction: direction.into(),
            status: status.into(),
        };
        assert_eq!(form("up", "done").parse(), Some(AgendaChange::Up));
        assert_eq!(
            form("", "dropped").parse(),
            Some(AgendaChange::Status(AgendaStatus::Dropped))
        );
        assert_eq!(form("sideways", "finished").parse(), None);
    }

    #[test]
    fn a_meeting_moves_to_today_or_within_two_years() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(); // ok: test fixture
        let form = |date: &str| MoveForm {
            date: date.into(),
            time: "19:00".into(),
            duration_minutes: "90".into(),
        };
        assert!(form("2026-11-21").parse(today).is_ok());
        for bad in ["2026-11-20", "2028-12-01", "-5000-01-01"] {
            assert!(form(bad).parse(today).unwrap_err().has("date"), "{bad}");
        }
    }
}
