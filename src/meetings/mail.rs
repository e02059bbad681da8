//! What meetings send people. The words are in `templates/mail/meetings/`.
//!
//! Mails about a meeting's time speak in the recipient's terms: "today" and "tomorrow" are true
//! in the recipient's own zone, and when that zone is not the group's the time is given in both.

use std::fmt;

use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::outbox::MailText;

/// The day of a meeting as its recipient would say it, in their own zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Day {
    Today,
    Tomorrow,
    /// "Tuesday 24 November 2026".
    On(String),
}

impl Day {
    /// The day `start` falls on, seen at `now` from `tz`.
    pub fn of(start: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> Self {
        let (day, today) = (
            start.with_timezone(&tz).date_naive(),
            now.with_timezone(&tz).date_naive(),
        );
        if day == today {
            Self::Today
        } else if today.succ_opt() == Some(day) {
            Self::Tomorrow
        } else {
            Self::On(day.format("%A %-d %B %Y").to_string())
        }
    }
}

/// "today", "tomorrow" or "on Tuesday 24 November 2026".
impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Today => f.write_str("today"),
            Self::Tomorrow => f.write_str("tomorrow"),
            Self::On(date) => write!(f, "on {date}"),
        }
    }
}

/// A day before a meeting, to those it concerns (see [`super::queries::concerned`]).
#[derive(Template)]
#[template(path = "mail/meetings/meeting_reminder.txt")]
pub struct MeetingReminder<'a> {
    pub can_name: &'a str,
    pub title: &'a str,
    /// When, in the group's zone (see [`super::when`]).
    pub when: String,
    pub zone: Tz,
    /// When, in the recipient's zone if it differs (see [`super::when_for_viewer`]).
    pub your_time: Option<String>,
    /// Empty when the meeting has no place yet.
    pub location: &'a str,
    pub link: &'a str,
    /// The meeting's day, in the recipient's zone.
    pub day: Day,
}

impl MailText for MeetingReminder<'_> {
    fn subject(&self) -> String {
        format!("{}: {} is {}", self.can_name, self.title, self.day)
    }
}

/// When a meeting is moved, to the members it concerns: the detail of their "meeting moved"
/// notification, in their own zone. It carries the reminder when the new time is already within
/// the reminder's window.
#[derive(Template)]
#[template(path = "mail/meetings/meeting_moved.txt")]
pub struct MeetingMoved<'a> {
    pub can_name: &'a str,
    pub title: &'a str,
    /// The old time and the new, in the group's zone.
    pub was: String,
    pub now: String,
    pub zone: Tz,
    /// The new time in the recipient's zone if it differs.
    pub your_time: Option<String>,
    pub location: &'a str,
    pub link: &'a str,
    /// The new day, and the new start time ("18:00"), in the recipient's zone.
    pub day: Day,
    pub at: String,
    /// This mail is the reminder (no other follows).
    pub reminds: bool,
}

/// The notification line of a move (the inbox's entry and the mail's subject): the new time in
/// the recipient's zone, without "today" or "tomorrow", which an inbox would keep past their day.
pub fn moved_line(title: &str, start: DateTime<Utc>, group: Tz, viewer: Tz) -> String {
    format!("“{title}” has moved to {}", moment(start, group, viewer))
}

/// The notification line of a cancelled meeting, in the recipient's zone.
pub fn cancelled_line(title: &str, start: DateTime<Utc>, group: Tz, viewer: Tz) -> String {
    format!("“{title}” on {} is cancelled", moment(start, group, viewer))
}

/// The notification line of a changed series: "“Weekly circle” has changed: it now meets every
/// Wednesday, 18:30 (Europe/London)".
pub fn series_changed_line(title: &str, rule: &str, zone: Tz) -> String {
    format!("“{title}” has changed: it now meets {rule} ({zone})")
}

/// "Tuesday 24 November 2026 at 19:00" in the viewer's zone, "… your time" when it is not the
/// group's.
fn moment(at: DateTime<Utc>, group: Tz, viewer: Tz) -> String {
    let local = at.with_timezone(&viewer).format("%A %-d %B %Y at %H:%M");
    if group == viewer {
        local.to_string()
    } else {
        format!("{local} your time")
    }
}

/// When a series changes what its members would notice (dates, time, place, name): the detail of
/// one "series changed" notification to each active member, instead of one per meeting moved.
#[derive(Template)]
#[template(path = "mail/meetings/series_changed.txt")]
pub struct SeriesChanged<'a> {
    pub can_name: &'a str,
    pub who: &'a str,
    pub title: &'a str,
    pub was_title: &'a str,
    /// "every Tuesday, 19:00 to 20:30 (Europe/London)", now and before.
    pub now: String,
    pub was: String,
    pub location: &'a str,
    /// The next meeting, in words, if the series has one.
    pub next: Option<String>,
    /// Planned meetings cancelled because the new rule no longer falls on their dates.
    pub cancelled: usize,
    pub link: &'a str,
}

/// When a meeting is cancelled, to the members it concerned: the detail of their "meeting
/// cancelled" notification.
#[derive(Template)]
#[template(path = "mail/meetings/meeting_cancelled.txt")]
pub struct MeetingCancelled<'a> {
    pub can_name: &'a str,
    pub title: &'a str,
    pub when: String,
    pub zone: Tz,
    pub your_time: Option<String>,
    pub link: &'a str,
    /// The day it would have been, in the recipient's zone.
    pub day: Day,
    /// One meeting of a series (the others are unchanged).
    pub in_series: bool,
}

/// When a poll for a meeting time opens: the detail of the "poll opened" notification, the
/// weekly times offered as the recipient reads them.
#[derive(Template)]
#[template(path = "mail/meetings/poll_opened.txt")]
pub struct PollOpened<'a> {
    pub who: &'a str,
    pub title: &'a str,
    /// "Tuesdays 19:00 (Europe/London)", with the recipient's own time after it when their zone
    /// differs.
    pub slots: Vec<String>,
}

/// The notification line of an opened poll.
pub fn poll_opened_line(who: &str, title: &str) -> String {
    format!("{who} asks when “{title}” should meet")
}

/// The notification line of a closed poll: the weekly time chosen, in the group's zone, and the
/// first date.
pub fn poll_closed_line(title: &str, rule: &str, zone: Tz, first: chrono::NaiveDate) -> String {
    format!(
        "“{title}” will meet {rule} ({zone}), from {}",
        first.format("%A %-d %B %Y")
    )
}

/// To the note-taker, the day after a held meeting whose minutes are still empty.
#[derive(Template)]
#[template(path = "mail/meetings/minutes_missing.txt")]
pub struct MinutesMissing<'a> {
    pub title: &'a str,
    /// The meeting's date in the group's zone.
    pub date: String,
    pub link: &'a str,
}

impl MailText for MinutesMissing<'_> {
    fn subject(&self) -> String {
        format!("Minutes for {} are not recorded yet", self.title)
    }
}

/// To a visitor who said "I'll come": the link that confirms it.
#[derive(Template)]
#[template(path = "mail/meetings/guest_confirm.txt")]
pub struct GuestConfirm<'a> {
    pub name: &'a str,
    pub can_name: &'a str,
    pub title: &'a str,
    /// When, in the group's zone (see [`super::when`]).
    pub when: String,
    pub zone: Tz,
    pub location: &'a str,
    pub link: &'a str,
    pub cancel_link: &'a str,
}

impl MailText for GuestConfirm<'_> {
    fn subject(&self) -> String {
        format!("Please confirm: {} with {}", self.title, self.can_name)
    }
}

/// To a confirmed guest, the day before.
#[derive(Template)]
#[template(path = "mail/meetings/guest_reminder.txt")]
pub struct GuestReminder<'a> {
    pub name: &'a str,
    pub can_name: &'a str,
    pub title: &'a str,
    /// "today", "tomorrow" or "on 24 November 2026".
    pub day: String,
    pub when: String,
    pub zone: Tz,
    pub location: &'a str,
    pub what_to_expect: &'a str,
    pub cancel_link: &'a str,
}

impl MailText for GuestReminder<'_> {
    fn subject(&self) -> String {
        format!("{}: {} is {}", self.can_name, self.title, self.day)
    }
}

/// To a confirmed guest when the meeting moves.
#[derive(Template)]
#[template(path = "mail/meetings/guest_moved.txt")]
pub struct GuestMoved<'a> {
    pub name: &'a str,
    pub can_name: &'a str,
    pub title: &'a str,
    pub was: String,
    pub when: String,
    pub zone: Tz,
    pub location: &'a str,
    pub cancel_link: &'a str,
}

impl MailText for GuestMoved<'_> {
    fn subject(&self) -> String {
        format!("{} with {} has moved", self.title, self.can_name)
    }
}

/// To a confirmed guest when the meeting is cancelled.
#[derive(Template)]
#[template(path = "mail/meetings/guest_cancelled.txt")]
pub struct GuestCancelled<'a> {
    pub name: &'a str,
    pub can_name: &'a str,
    pub title: &'a str,
    pub when: String,
    pub zone: Tz,
    pub public_page: &'a str,
}

impl MailText for GuestCancelled<'_> {
    fn subject(&self) -> String {
        format!("Cancelled: {} with {}", self.title, self.can_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reminder_reads_as_it_always_has() {
        let tz = chrono_tz::Europe::London;
        for location in ["", "The community hall"] {
            let mail = MeetingReminder {
                can_name: "Riverside",
                title: "Weekly circle",
                when: "Tuesday 24 November 2026, 19:00–20:30".into(),
                zone: tz,
                your_time: None,
                location,
                link: "http://localhost/c/riverside/meetings/1",
                day: Day::Tomorrow,
            };
            let where_line = if location.is_empty() {
                String::new()
            } else {
                format!("Where: {location}")
            };
            let expected = format!(
                "Weekly circle\nTuesday 24 November 2026, 19:00–20:30 ({tz})\n{where_line}\n\nThe agenda, and your answer (yes / no / maybe):\nhttp://localhost/c/riverside/meetings/1\n"
            );
            assert_eq!(mail.render().unwrap(), expected); // ok: test
            assert_eq!(mail.subject(), "Riverside: Weekly circle is tomorrow");
        }
    }

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc() // ok: test fixture
    }

    #[test]
    fn today_and_tomorrow_are_true_in_the_recipients_zone() {
        let (london, tokyo, new_york) = (
            chrono_tz::Europe::London,
            chrono_tz::Asia::Tokyo,
            chrono_tz::America::New_York,
        );
        // Monday 20:00 in London; the meeting Tuesday 10:00 London = Tuesday 19:00 in Tokyo
        // (where it is already Tuesday 05:00) = Tuesday 05:00 in New York (Monday 15:00 now).
        let now = at("2026-11-23T20:00:00Z");
        let start = at("2026-11-24T10:00:00Z");
        assert_eq!(Day::of(start, now, london), Day::Tomorrow);
        assert_eq!(Day::of(start, now, tokyo), Day::Today);
        assert_eq!(Day::of(start, now, new_york), Day::Tomorrow);
        // Within 24 hours yet two dates ahead: over the night the clocks go forward.
        let now = at("2027-03-27T23:30:00Z"); // Saturday 23:30 in London
        let start = at("2027-03-28T23:15:00Z"); // Monday 00:15 (BST)
        assert_eq!(
            Day::of(start, now, london),
            Day::On("Monday 29 March 2027".into())
        );
        let mail = MeetingReminder {
            can_name: "Riverside",
            title: "Weekly circle",
            when: "Monday 29 March 2027, 00:15–01:00".into(),
            zone: london,
            your_time: Some(
                "Sunday 28 March 2027, 19:15–20:00 your time (America/New_York)".into(),
            ),
            location: "",
            link: "http://localhost/c/riverside/meetings/1",
            day: Day::of(start, now, london),
        };
        assert_eq!(
            mail.subject(),
            "Riverside: Weekly circle is on Monday 29 March 2027"
        );
        assert!(
            mail.render()
                .unwrap() // ok: test
                .contains("(Europe/London)\nSunday 28 March 2027, 19:15–20:00 your time (America/New_York)\n")
        );
    }

    #[test]
    fn a_moved_meeting_says_from_when_to_when_and_whether_it_is_the_reminder() {
        let mail = |reminds| MeetingMoved {
            can_name: "Riverside",
            title: "Weekly circle",
            was: "Tuesday 24 November 2026, 19:00–20:30".into(),
            now: "Wednesday 25 November 2026, 18:00–19:00".into(),
            zone: chrono_tz::Europe::London,
            your_time: None,
            location: "The library",
            link: "http://localhost/c/riverside/meetings/1",
            day: Day::Tomorrow,
            at: "18:00".into(),
            reminds,
        };
        let (london, tokyo) = (chrono_tz::Europe::London, chrono_tz::Asia::Tokyo);
        let start = at("2026-11-25T18:00:00Z");
        assert_eq!(
            moved_line("Weekly circle", start, london, london),
            "“Weekly circle” has moved to Wednesday 25 November 2026 at 18:00"
        );
        assert_eq!(
            moved_line("Weekly circle", start, london, tokyo),
            "“Weekly circle” has moved to Thursday 26 November 2026 at 03:00 your time"
        );
        assert_eq!(
            mail(true).render().unwrap(), // ok: test
            "Weekly circle has moved from Tuesday 24 November 2026, 19:00–20:30 to Wednesday 25 November 2026, 18:00–19:00 (Europe/London).\nWhere: The library\n\nIt is tomorrow: this mail is your reminder.\n\nThe agenda, and your answer (yes / no / maybe):\nhttp://localhost/c/riverside/meetings/1\n"
        );
        assert!(
            mail(false)
                .render()
                .unwrap() // ok: test fixture
                .contains("You will get a reminder the day before.")
        ); // ok: test
        let cancelled = MeetingCancelled {
            can_name: "Riverside",
            title: "Weekly circle",
            when: "Tuesday 24 November 2026, 19:00–20:30".into(),
            zone: chrono_tz::Europe::London,
            your_time: None,
            link: "http://localhost/c/riverside/meetings/1",
            day: Day::On("Tuesday 24 November 2026".into()),
            in_series: true,
        };
        assert_eq!(
            cancelled_line("Weekly circle", at("2026-11-24T19:00:00Z"), london, london),
            "“Weekly circle” on Tuesday 24 November 2026 at 19:00 is cancelled"
        );
        assert_eq!(
            cancelled.render().unwrap(), // ok: test
            "Weekly circle on Tuesday 24 November 2026, 19:00–20:30 (Europe/London) is cancelled.\nThe other meetings of the series are unchanged.\n\nThe meeting's page:\nhttp://localhost/c/riverside/meetings/1\n"
        );
    }

    #[test]
    fn a_poll_tells_its_times_and_its_outcome() {
        let opened = PollOpened {
            who: "Olu",
            title: "Planning",
            slots: vec![
                "Tuesdays 19:00 (Europe/London)".into(),
                "Saturdays 10:00 (Europe/London), Saturdays 19:00 your time (Asia/Tokyo)".into(),
            ],
        };
        assert_eq!(
            opened.render().unwrap(), // ok: test
            "Olu would like to find a time for “Planning”. The times offered, each week:\n- Tuesdays 19:00 (Europe/London)\n- Saturdays 10:00 (Europe/London), Saturdays 19:00 your time (Asia/Tokyo)\n\nAnswer yes, if need be, or no for each time; a facilitator then chooses the time that suits most.\n"
        );
        assert_eq!(
            poll_opened_line("Olu", "Planning"),
            "Olu asks when “Planning” should meet"
        );
        let first = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(); // ok: test fixture
        assert_eq!(
            poll_closed_line(
                "Planning",
                "every Saturday, 10:00",
                chrono_tz::Europe::London,
                first
            ),
            "“Planning” will meet every Saturday, 10:00 (Europe/London), from Saturday 5 December 2026"
        );
    }

    #[test]
    fn the_minutes_nudge_reads_as_it_always_has() {
        let mail = MinutesMissing {
            title: "Weekly circle",
            date: "24 November 2026".into(),
            link: "http://localhost/c/riverside/meetings/1#minutes",
        };
        assert_eq!(
            mail.render().unwrap(), // ok: test
            "You took notes at Weekly circle on 24 November 2026. Nothing said in a meeting should be lost: please add the minutes here:\nhttp://localhost/c/riverside/meetings/1#minutes\n"
        );
        assert_eq!(
            mail.subject(),
            "Minutes for Weekly circle are not recorded yet"
        );
    }

    #[test]
    fn the_guest_reminder_names_place_time_and_what_newcomers_find() {
        let tz = chrono_tz::Europe::London;
        let mail = GuestReminder {
            name: "Sam",
            can_name: "Riverside",
            title: "Weekly circle",
            day: "tomorrow".into(),
            when: "Tuesday 24 November 2026, 19:00–20:30".into(),
            zone: tz,
            location: "The community hall",
            what_to_expect: "Tea and a round of names.",
            cancel_link: "http://localhost/c/riverside/guests/t/cancel",
        };
        let text = mail.render().unwrap(); // ok: test
        assert!(text.contains("Tuesday 24 November 2026, 19:00–20:30 (Europe/London)"));
        assert!(text.contains("Where: The community hall"));
        assert!(text.contains("Tea and a round of names."));
        assert!(text.contains("http://localhost/c/riverside/guests/t/cancel"));
        assert_eq!(mail.subject(), "Riverside: Weekly circle is tomorrow");
    }
}
