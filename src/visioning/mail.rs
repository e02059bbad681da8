//! What visioning sends people. The words are in `templates/mail/visioning/`.

use askama::Template;

use crate::outbox::MailText;

/// To every active member when a consent round opens.
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

impl MailText for RoundOpened<'_> {
    fn subject(&self) -> String {
        format!(
            "{}: do you consent to vision version {}?",
            self.can_name, self.number
        )
    }
}

/// To every active member when a round closes, adopted or not.
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

impl MailText for RoundClosed<'_> {
    fn subject(&self) -> String {
        format!(
            "{}: vision version {} {}",
            self.can_name,
            self.number,
            if self.adopted {
                "is adopted"
            } else {
                "was not adopted"
            }
        )
    }
}

/// To active members who have not answered, a day before a round closes.
#[derive(Template)]
#[template(path = "mail/visioning/closing_soon.txt")]
pub struct ClosingSoon<'a> {
    pub can_name: &'a str,
    pub number: i32,
    pub closes: String,
    pub zone: chrono_tz::Tz,
    pub link: &'a str,
}

impl MailText for ClosingSoon<'_> {
    fn subject(&self) -> String {
        format!(
            "{}: the consent round on vision version {} closes within a day",
            self.can_name, self.number
        )
    }
}
