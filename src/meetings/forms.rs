//! Meeting forms and the checked values they become: scheduling a series or a one-off meeting
//! here, the forms of one meeting's page in `meeting`, time polls in `polls`.

mod meeting;
mod polls;

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use uuid::Uuid;

use super::recurrence::{self, Repeat, parse_ical_day};
use super::series::SeriesRow;
use crate::web::forms::{self, FieldErrors};

pub use meeting::{
    ActionForm, AgendaChange, AgendaChangeForm, AgendaForm, AttendanceForm, DecisionForm,
    MinutesForm, MoveForm, NewAction, NewAgendaItem, NewTime, Roles, RolesForm, RsvpForm,
};
pub use polls::{ChooseForm, NewPoll, PollAnswers, PollForm, SlotRow};

/// The value a ticked "rotate roles" box sends.
pub const TICKED: &str = "yes";

/// A choice of how often, as the schedule form offers it. The form comes in two steps: first
/// the kind (links, so it works without JavaScript), then only that kind's fields.
#[derive(Debug, PartialEq, Eq)]
pub struct RepeatChoice {
    pub value: &'static str,
    pub label: &'static str,
    /// Whether a series (which keeps repeating) may have it.
    pub repeats: bool,
}

impl RepeatChoice {
    /// The choice named `value`, if it is one a new meeting (`editing` false) or a series being
    /// changed (`editing` true) may take.
    pub fn find(value: &str, editing: bool) -> Option<&'static RepeatChoice> {
        REPEATS
            .iter()
            .find(|r| r.value == value && (r.repeats || !editing))
    }

    pub fn is(&self, value: &str) -> bool {
        self.value == value
    }
}

/// `?repeat=weekly` on the schedule form: the kind chosen in the first step.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KindQuery {
    pub repeat: Option<String>,
}

pub const REPEATS: [RepeatChoice; 4] = [
    RepeatChoice {
        value: "once",
        label: "Once",
        repeats: false,
    },
    RepeatChoice {
        value: "weekly",
        label: "Every week, or every few weeks",
        repeats: true,
    },
    RepeatChoice {
        value: "monthly_nth",
        label: "Monthly on a weekday (e.g. the second Tuesday)",
        repeats: true,
    },
    RepeatChoice {
        value: "monthly_date",
        label: "Monthly on a date",
        repeats: true,
    },
];

/// What the calendar settings form asks for.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FeedLinkForm {
    pub action: String,
}

impl FeedLinkForm {
    /// Turn the private feed off (else: make a new link).
    pub fn revokes(&self) -> bool {
        self.action == "revoke"
    }
}

pub const MIN_MINUTES: i32 = 5;
pub const MAX_MINUTES: i32 = 720;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ScheduleForm {
    pub title: String,
    /// weekly | monthly_nth | monthly_date | once
    pub repeat: String,
    pub interval: String,
    pub weekday: String,
    pub nth: String,
    pub month_day: String,
    pub starts_on: String,
    pub start_time: String,
    pub duration_minutes: String,
    pub until_on: String,
    pub location: String,
    pub agenda_template: String,
    pub rotate_roles: String,
}

impl ScheduleForm {
    pub fn blank(today: NaiveDate) -> Self {
        Self {
            repeat: "weekly".into(),
            interval: "1".into(),
            weekday: "TU".into(),
            nth: "2".into(),
            month_day: "1".into(),
            starts_on: (today + chrono::Duration::days(7))
                .format("%Y-%m-%d")
                .to_string(),
            start_time: "19:00".into(),
            duration_minutes: "90".into(),
            rotate_roles: TICKED.into(),
            ..Default::default()
        }
    }

    /// The form for changing a series, filled with what it is now.
    pub fn from_series(s: &SeriesRow, today: NaiveDate) -> Self {
        let mut form = Self::blank(today);
        form.title = s.title.clone();
        match Repeat::from_rrule(&s.rrule) {
            Some(Repeat::Weekly { interval, weekday }) => {
                form.repeat = "weekly".into();
                form.interval = interval.to_string();
                form.weekday = recurrence::ical(weekday).into();
            }
            Some(Repeat::MonthlyNth { nth, weekday }) => {
                form.repeat = "monthly_nth".into();
                form.nth = nth.to_string();
                form.weekday = recurrence::ical(weekday).into();
            }
            Some(Repeat::MonthlyDate { day }) => {
                form.repeat = "monthly_date".into();
                form.month_day = day.to_string();
            }
            None => {}
        }
        form.starts_on = s.starts_on.format("%Y-%m-%d").to_string();
        form.until_on = s
            .until_on
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        form.start_time = s.start_time.format("%H:%M").to_string();
        form.duration_minutes = s.duration_minutes.to_string();
        form.location = s.location.clone();
        form.agenda_template = s.agenda_template.clone();
        form.rotate_roles = if s.rotate_roles {
            TICKED.into()
        } else {
            String::new()
        };
        form
    }

    /// How often the group meets: `Some(None)` for once; `None` (with the errors) if unclear.
    fn repeat(&self, errors: &mut FieldErrors) -> Option<Option<Repeat>> {
        let weekday = || {
            parse_ical_day(self.weekday.trim())
                .ok_or_else(|| "Choose a day of the week.".to_string())
        };
        match self.repeat.as_str() {
            "once" => Some(None),
            "weekly" => {
                let interval = errors.check(
                    "interval",
                    match self.interval.trim().parse::<u8>() {
                        Ok(n) if (1..=8).contains(&n) => Ok(n),
                        _ => Err("Meet every 1 to 8 weeks.".to_string()),
                    },
                );
                let weekday = errors.check("weekday", weekday());
                interval
                    .zip(weekday)
                    .map(|(interval, weekday)| Some(Repeat::Weekly { interval, weekday }))
            }
            "monthly_nth" => {
                let nth = errors.check(
                    "nth",
                    match self.nth.trim().parse::<i8>() {
                        Ok(n) if (1..=4).contains(&n) || n == -1 => Ok(n),
                        _ => Err("Choose first, second, third, fourth or last.".to_string()),
                    },
                );
                let weekday = errors.check("weekday", weekday());
                nth.zip(weekday)
                    .map(|(nth, weekday)| Some(Repeat::MonthlyNth { nth, weekday }))
            }
            "monthly_date" => errors
                .check(
                    "month_day",
                    match self.month_day.trim().parse::<u8>() {
                        Ok(n) if (1..=31).contains(&n) => Ok(n),
                        _ => Err("Enter a day of the month from 1 to 31.".to_string()),
                    },
                )
                .map(|day| Some(Repeat::MonthlyDate { day })),
            _ => {
                errors.add("repeat", "Choose how often the group meets.");
                None
            }
        }
    }

    /// Whether the "rotate roles" box is ticked.
    pub fn rotates(&self) -> bool {
        self.rotate_roles == TICKED
    }
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub title: String,
    /// `None` for a one-off meeting.
    pub repeat: Option<Repeat>,
    pub starts_on: NaiveDate,
    pub start_time: NaiveTime,
    pub duration_minutes: i32,
    pub until_on: Option<NaiveDate>,
    pub location: String,
    pub agenda_template: String,
    pub rotate_roles: bool,
}

pub fn date(raw: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("Enter {what} as year-month-day, like 2027-03-01."))
}

pub fn time(raw: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| "Enter the time as hours:minutes, like 19:00.".to_string())
}

pub fn duration(raw: &str) -> Result<i32, String> {
    match raw.trim().parse::<i32>() {
        Ok(n) if (MIN_MINUTES..=MAX_MINUTES).contains(&n) => Ok(n),
        _ => Err(format!(
            "A meeting lasts from {MIN_MINUTES} minutes to {} hours: enter minutes.",
            MAX_MINUTES / 60
        )),
    }
}

impl Schedule {
    /// Checks the form; `today` is the group's today, for one-off meetings that must lie ahead.
    pub fn parse(f: &ScheduleForm, today: NaiveDate) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", forms::line(&f.title, "the title", 3, 120));
        let starts_on = errors.check("starts_on", date(&f.starts_on, "the first date"));
        let start_time = errors.check("start_time", time(&f.start_time));
        let duration_minutes = errors.check("duration_minutes", duration(&f.duration_minutes));
        let location = errors.check(
            "location",
            forms::line(&f.location, "the place or link", 0, 300),
        );
        let agenda_template = errors.check(
            "agenda_template",
            forms::text(&f.agenda_template, "the agenda template", 0, 2000),
        );
        if agenda_template
            .as_ref()
            .is_some_and(|t| t.lines().count() > 20)
        {
            errors.add(
                "agenda_template",
                "An agenda template has at most 20 lines.",
            );
        }
        let repeat = f.repeat(&mut errors);
        // A one-off meeting has no last date (its form does not ask for one).
        let until_on = if f.until_on.trim().is_empty() || matches!(repeat, Some(None)) {
            Some(None)
        } else {
            errors.check("until_on", date(&f.until_on, "the last date").map(Some))
        };
        if let (Some(start), Some(Some(until))) = (starts_on, until_on)
            && until < start
        {
            errors.add("until_on", "The series cannot end before it starts.");
        }
        if let (Some(start), Some(None)) = (starts_on, repeat)
            && start < today
        {
            errors.add("starts_on", "A one-off meeting needs a date from today on.");
        }
        if let (Some(start), Some(Some(repeat)), Some(Some(until))) = (starts_on, repeat, until_on)
            && !errors.has("until_on")
            && let Some(message) = no_meeting_left(&repeat, start, until, today)
        {
            errors.add("until_on", message);
        }
        if starts_on.is_some_and(|s| s > today + chrono::Duration::days(730)) {
            errors.add("starts_on", "Choose a date within the next two years.");
        }
        if starts_on.is_some_and(|s| s < today - chrono::Duration::days(366)) {
            errors.add("starts_on", "Choose a first date from the past year on.");
        }
        match (
            title,
            repeat,
            starts_on,
            start_time,
            duration_minutes,
            until_on,
            location,
            agenda_template,
        ) {
            (
                Some(title),
                Some(repeat),
                Some(starts_on),
                Some(start_time),
                Some(duration_minutes),
                Some(until_on),
                Some(location),
                Some(agenda_template),
            ) if errors.is_empty() => Ok(Self {
                title,
                repeat,
                starts_on,
                start_time,
                duration_minutes,
                until_on,
                location,
                agenda_template,
                rotate_roles: f.rotates(),
            }),
            _ => Err(errors),
        }
    }

    /// Like [`Schedule::parse`], for a series being changed: it must keep repeating.
    pub fn parse_series(f: &ScheduleForm, today: NaiveDate) -> Result<Self, FieldErrors> {
        let s = Self::parse(f, today)?;
        if s.repeat.is_none() {
            let mut errors = FieldErrors::new();
            errors.add(
                "repeat",
                "A series keeps repeating; to stop it, give it a last date.",
            );
            return Err(errors);
        }
        Ok(s)
    }
}

/// Why a series with this last date would have no meeting left, if it would: the last date has
/// passed, or no date of the rule falls between the first date (or today) and the last.
fn no_meeting_left(
    repeat: &Repeat,
    starts_on: NaiveDate,
    until: NaiveDate,
    today: NaiveDate,
) -> Option<String> {
    if until < today {
        return Some(format!(
            "The last date, {}, has passed: choose today or later, or leave it empty to keep meeting.",
            crate::web::time::date(until)
        ));
    }
    let from = starts_on.max(today);
    // Every rule we make falls at least every two months, so a year is plenty to look at.
    let to = until.min(from + chrono::Duration::days(400));
    match recurrence::dates(&repeat.rrule(), starts_on, Some(until), from, to) {
        Ok(days) if days.is_empty() => Some(format!(
            "No meeting falls between {} and {}: choose a later last date.",
            crate::web::time::date(from),
            crate::web::time::date(until)
        )),
        _ => None,
    }
}

/// An optional member id from a select ("" for nobody).
pub fn optional_id(raw: &str) -> Result<Option<Uuid>, String> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        raw.trim()
            .parse()
            .map(Some)
            .map_err(|_| "Choose someone from the list.".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap() // ok: test fixture
    }

    #[test]
    fn absurd_durations_and_reversed_ranges_are_refused() {
        let mut f = ScheduleForm::blank(today());
        f.title = "Weekly circle".into();
        for bad in ["0", "-5", "100000", "ninety"] {
            f.duration_minutes = bad.into();
            assert!(
                Schedule::parse(&f, today())
                    .unwrap_err()
                    .has("duration_minutes"),
                "{bad}"
            );
        }
        f.duration_minutes = "90".into();
        f.until_on = "2026-11-01".into();
        assert!(Schedule::parse(&f, today()).unwrap_err().has("until_on"));
        f.until_on.clear();
        assert!(Schedule::parse(&f, today()).is_ok());
        f.repeat = "yearly".into();
        assert!(Schedule::parse(&f, today()).unwrap_err().has("repeat"));
    }

    #[test]
    fn a_series_that_has_already_ended_or_holds_no_meeting_is_refused() {
        let mut f = ScheduleForm::blank(today());
        f.title = "Weekly circle".into();
        f.starts_on = "2026-11-03".into();
        f.until_on = "2026-11-17".into();
        let errors = Schedule::parse(&f, today()).unwrap_err();
        assert_eq!(
            errors.get("until_on"),
            Some(
                "The last date, 17 November 2026, has passed: choose today or later, or leave it empty to keep meeting."
            )
        );
        // Tuesdays from the 24th: nothing between Saturday 21st and Monday 23rd.
        f.until_on = "2026-11-23".into();
        assert_eq!(
            Schedule::parse(&f, today()).unwrap_err().get("until_on"),
            Some(
                "No meeting falls between 21 November 2026 and 23 November 2026: choose a later last date."
            )
        );
        f.until_on = "2026-11-24".into();
        assert!(Schedule::parse(&f, today()).is_ok());
        f.repeat = "once".into();
        f.until_on = "2026-11-01".into();
        f.starts_on = "2026-11-28".into();
        let once = Schedule::parse(&f, today()).unwrap(); // ok: test
        assert_eq!(once.until_on, None, "a one-off meeting has no last date");
    }

    #[test]
    fn a_one_off_meeting_lies_ahead() {
        let mut f = ScheduleForm::blank(today());
        f.title = "Street party planning".into();
        f.repeat = "once".into();
        f.starts_on = "2026-11-01".into();
        assert!(Schedule::parse(&f, today()).unwrap_err().has("starts_on"));
    }
}

// Meetings open to the neighbourhood (issue 14): the facilitator's settings and a visitor's
// "I'll come".
mod public;
pub use public::{GuestForm, NewGuest, PublicForm, PublicSettings};
