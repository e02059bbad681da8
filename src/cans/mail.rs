//! What the CAN area sends people. The words are in `templates/mail/cans/`.

use askama::Template;

use crate::outbox::MailText;

/// To the person an organiser invites by address.
#[derive(Template)]
#[template(path = "mail/cans/invitation.txt")]
pub struct Invitation<'a> {
    pub inviter: &'a str,
    pub can_name: &'a str,
    pub place: &'a str,
    pub purpose: &'a str,
    pub link: &'a str,
    pub days: i32,
}

impl MailText for Invitation<'_> {
    fn subject(&self) -> String {
        format!(
            "{} invites you to join {} on Canopy",
            self.inviter, self.can_name
        )
    }
}
