//! What meetings send people. The words are in `templates/mail/meetings/`.

use askama::Template;

use crate::outbox::MailText;

/// The day before a meeting, to those who said yes and those who have not answered.
#[derive(Template)]
#[template(path = "mail/meetings/meeting_tomorrow.txt")]
pub struct MeetingTomorrow<'a> {
    pub can_name: &'a str,
    pub title: &'a str,
    /// When, in the group's zone (see [`super::when`]).
    pub when: String,
    pub zone: chrono_tz::Tz,
    /// Empty when the meeting has no place yet.
    pub location: &'a str,
    pub link: &'a str,
}

impl MailText for MeetingTomorrow<'_> {
    fn subject(&self) -> String {
        format!("{}: {} is tomorrow", self.can_name, self.title)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reminder_reads_as_it_always_has() {
        let tz = chrono_tz::Europe::London;
        for location in ["", "The community hall"] {
            let mail = MeetingTomorrow {
                can_name: "Riverside",
                title: "Weekly circle",
                when: "Tuesday 24 November 2026, 19:00–20:30".into(),
                zone: tz,
                location,
                link: "http://localhost/c/riverside/meetings/1",
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
}
