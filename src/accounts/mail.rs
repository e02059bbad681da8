//! What accounts send people. The words are in `templates/mail/accounts/`.

use askama::Template;

use crate::outbox::MailText;

/// The link to choose a new password.
#[derive(Template)]
#[template(path = "mail/accounts/password_reset.txt")]
pub struct PasswordReset<'a> {
    pub name: &'a str,
    pub link: &'a str,
}

impl MailText for PasswordReset<'_> {
    fn subject(&self) -> String {
        "Choose a new Canopy password".into()
    }
}
