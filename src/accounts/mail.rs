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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reset_mail_reads_as_it_always_has() {
        let mail = PasswordReset {
            name: "Ada",
            link: "https://canopy.example/account/reset/xyz",
        };
        assert_eq!(
            mail.render().unwrap(), // ok: test fixture
            "Hello Ada,\n\nSomeone (we hope you) asked to choose a new password for your Canopy account.\n\
             This link works once, for an hour:\nhttps://canopy.example/account/reset/xyz\n\n\
             If it was not you, ignore this mail: your password stays as it is.\n"
        );
    }
}
