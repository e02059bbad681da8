//! What visioning tells people: the lines of its notifications, and the fuller words under them
//! in the mail (`templates/mail/visioning/`).

use askama::Template;

/// The detail of the "round opened" notification.
#[derive(Template)]
#[template(path = "mail/visioning/round_opened.txt")]
pub struct RoundOpened<'a> {
    pub can_name: &'a str,
    pub opened_by: &'a str,
    pub number: i32,
    pub link: &'a str,
    pub closes: String,
    pub zone: chrono_tz::Tz,
}

/// The notification line of an opened round.
pub fn opened_line(number: i32) -> String {
    format!("Do you consent to vision version {number}?")
}

/// The detail of the "round closed" notification, adopted or not.
#[derive(Template)]
#[template(path = "mail/visioning/round_closed.txt")]
pub struct RoundClosed<'a> {
    pub can_name: &'a str,
    pub number: i32,
    pub adopted: bool,
    /// The activity line of the close: what was decided on what count.
    pub summary: &'a str,
    pub link: &'a str,
}

impl RoundClosed<'_> {
    /// The notification line: the outcome.
    pub fn line(&self) -> String {
        format!(
            "Vision version {} {}",
            self.number,
            if self.adopted {
                "is adopted"
            } else {
                "was not adopted"
            }
        )
    }
}

/// The detail of the "round closing" notification, to active members who have not answered, a
/// day before a round closes.
#[derive(Template)]
#[template(path = "mail/visioning/closing_soon.txt")]
pub struct ClosingSoon<'a> {
    pub can_name: &'a str,
    pub number: i32,
    pub closes: String,
    pub zone: chrono_tz::Tz,
    pub link: &'a str,
}

/// The notification line of a round closing soon, to those who have not answered.
pub fn closing_line(number: i32) -> String {
    format!(
        "The consent round on vision version {number} closes within a day: you have not answered yet"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_mails_read_as_they_always_have() {
        let opened = RoundOpened {
            can_name: "Riverside",
            opened_by: "Olu",
            number: 2,
            link: "https://c.example/r",
            closes: "1 March 2027, 20:00".into(),
            zone: chrono_tz::Europe::London,
        };
        assert_eq!(
            opened.render().unwrap(), // ok: test fixture
            "Olu opened a consent round on version 2 of Riverside's shared vision.\n\n\
             Read it and answer — endorse, stand aside, or object with your reason — here:\nhttps://c.example/r\n\n\
             The round closes 1 March 2027, 20:00 (Europe/London).\n"
        );
        let closed = RoundClosed {
            can_name: "Riverside",
            number: 2,
            adopted: false,
            summary: "The consent round on vision version 2 closed: not adopted",
            link: "https://c.example/r",
        };
        assert_eq!(
            closed.render().unwrap(), // ok: test fixture
            "The consent round on vision version 2 closed: not adopted.\n\n\
             See the round and everyone's reasons:\nhttps://c.example/r\n"
        );
        assert_eq!(closed.line(), "Vision version 2 was not adopted");
        let soon = ClosingSoon {
            can_name: "Riverside",
            number: 2,
            closes: "1 March 2027, 20:00".into(),
            zone: chrono_tz::Europe::London,
            link: "https://c.example/r",
        };
        assert_eq!(
            soon.render().unwrap(), // ok: test fixture
            "You have not answered yet. The round closes 1 March 2027, 20:00 (Europe/London); \
             your voice counts towards the quorum.\n\nhttps://c.example/r\n"
        );
    }
}
