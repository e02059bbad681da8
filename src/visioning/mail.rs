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
