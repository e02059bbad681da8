//! What responsibilities send people. The words are in `templates/mail/responsibilities/`; each
//! ends with an empty line because askama drops a template's last newline and these mails end
//! with one.

use askama::Template;
use chrono::NaiveDate;

use super::model::OfferKind;
use crate::outbox::MailText;
use crate::web::time;

/// What the person asked reads under the notification's line: who asks what, the note, and
/// until when they can answer (the notification mail adds the link).
#[derive(Template)]
#[template(path = "mail/responsibilities/asked.txt")]
pub struct Asked<'a> {
    pub can_name: &'a str,
    pub asked_by: &'a str,
    pub kind: OfferKind,
    pub title: &'a str,
    pub note: &'a str,
    pub overlap_days: i16,
    /// When the meeting of a note-taker ask takes place, in the CAN's zone.
    pub when: Option<&'a str>,
    /// The day the offer expires, in the CAN's zone.
    pub until: String,
}

/// What every reminder names: the responsibility, its day, and where to act on it.
pub struct Reminder<'a> {
    pub can_name: &'a str,
    pub title: &'a str,
    pub day: NaiveDate,
    pub link: &'a str,
}

impl Reminder<'_> {
    fn day(&self) -> String {
        time::date(self.day)
    }
}

/// To the carriers of a task due within two days.
#[derive(Template)]
#[template(path = "mail/responsibilities/due_soon.txt")]
pub struct DueSoon<'a>(pub Reminder<'a>);

impl MailText for DueSoon<'_> {
    fn subject(&self) -> String {
        let r = &self.0;
        format!("{}: “{}” is due {}", r.can_name, r.title, r.day())
    }
}

/// To the carriers of a task past its due date.
#[derive(Template)]
#[template(path = "mail/responsibilities/overdue.txt")]
pub struct Overdue<'a>(pub Reminder<'a>);

impl MailText for Overdue<'_> {
    fn subject(&self) -> String {
        let r = &self.0;
        format!("{}: “{}” is overdue", r.can_name, r.title)
    }
}

/// To the carriers and the coordinators of a role whose term ends within two weeks.
#[derive(Template)]
#[template(path = "mail/responsibilities/term_ending.txt")]
pub struct TermEnding<'a>(pub Reminder<'a>);

impl MailText for TermEnding<'_> {
    fn subject(&self) -> String {
        let r = &self.0;
        format!(
            "{}: the term for “{}” ends {}",
            r.can_name,
            r.title,
            r.day()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reminder() -> Reminder<'static> {
        Reminder {
            can_name: "Riverside",
            title: "Book the hall",
            day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), // ok: test fixture
            link: "https://canopy.example/c/riverside/responsibilities/1",
        }
    }

    #[test]
    fn the_request_to_carry_keeps_its_words() {
        let ask = |kind, note, overlap_days| Asked {
            can_name: "Riverside",
            asked_by: "Olu",
            kind,
            title: "Treasurer",
            note,
            overlap_days,
            when: None,
            until: "8 December 2026".into(),
        };
        let tail = "You can accept or decline until 8 December 2026. If it is too much right now, decline with a word of why — that is welcome, and helps the group spread the load.\n";
        assert_eq!(
            ask(OfferKind::Backup, "", 0).render().unwrap(), // ok: test fixture
            format!("Olu asked you to back up “Treasurer” in Riverside.\n\n{tail}")
        );
        assert_eq!(
            ask(OfferKind::Handoff, "The box is in the hall", 14)
                .render()
                .unwrap(), // ok: test fixture
            format!(
                "Olu asked you to take over “Treasurer” in Riverside.\nYou would carry it together for 14 days from the day you accept.\nTheir note: The box is in the hall\n\n{tail}"
            )
        );
    }

    #[test]
    fn reminders_keep_their_words() {
        let due = DueSoon(reminder()).to("a@example.org", None, None).unwrap(); // ok: test fixture
        assert_eq!(
            due.subject,
            "Riverside: “Book the hall” is due 1 December 2026"
        );
        assert_eq!(
            due.body,
            "“Book the hall” is due on 1 December 2026. If you need a hand, say so, or hand it on:\nhttps://canopy.example/c/riverside/responsibilities/1\n"
        );
        let late = Overdue(reminder()).to("a@example.org", None, None).unwrap(); // ok: test fixture
        assert_eq!(late.subject, "Riverside: “Book the hall” is overdue");
        assert_eq!(
            late.body,
            "“Book the hall” was due on 1 December 2026. A progress note helps everyone; if it is too much, hand it on or ask for a backup:\nhttps://canopy.example/c/riverside/responsibilities/1\n"
        );
        let term = TermEnding(reminder())
            .to("a@example.org", None, None)
            .unwrap(); // ok: test fixture
        assert_eq!(
            term.subject,
            "Riverside: the term for “Book the hall” ends 1 December 2026"
        );
        assert_eq!(
            term.body,
            "The term for “Book the hall” ends on 1 December 2026. Roles rotate: time to find who carries it next, with a hand-over:\nhttps://canopy.example/c/riverside/responsibilities/1\n"
        );
    }
}
