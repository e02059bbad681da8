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

/// To the owner of an account for which many wrong passwords were tried: a way in meanwhile.
#[derive(Template)]
#[template(path = "mail/accounts/sign_in_link.txt")]
pub struct SignInLink<'a> {
    pub name: &'a str,
    pub link: &'a str,
    pub minutes: u64,
}

impl MailText for SignInLink<'_> {
    fn subject(&self) -> String {
        "Someone is trying passwords for your Canopy account".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_link_mail_says_what_happened_and_how_long_the_link_works() {
        let mail = SignInLink {
            name: "Ada",
            link: "https://canopy.example/account/sign-in-link/xyz",
            minutes: 15,
        };
        assert_eq!(
            mail.render().unwrap(), // ok: test fixture
            "Hello Ada,\n\nMany wrong passwords have just been tried for your Canopy account: perhaps someone is trying to\n\
             guess it. To keep it safe, sign-ins to your account are slowed down for a while.\n\n\
             If you need to sign in meanwhile, this link signs you in without your password.\n\
             It works once, for 15 minutes:\nhttps://canopy.example/account/sign-in-link/xyz\n\n\
             Once you are in, choose a new password if yours is short or you use it anywhere else.\n\
             If it was you who mistyped, all is well: your password stays as it is.\n"
        );
        assert_eq!(
            mail.subject(),
            "Someone is trying passwords for your Canopy account"
        );
    }

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
