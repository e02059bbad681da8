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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_names_the_place_only_when_there_is_one() {
        let mut mail = Invitation {
            inviter: "Olu",
            can_name: "Riverside Neighbours",
            place: "Riverside",
            purpose: "Meals and tools.",
            link: "https://canopy.example/join/abc",
            days: 14,
        };
        let text = mail.render().unwrap(); // ok: test fixture
        assert_eq!(
            text,
            "Hello,\n\nOlu invites you to join Riverside Neighbours (Riverside) on Canopy.\n\n\
             What it is for:\nMeals and tools.\n\n\
             To join, open this link, sign in or create an account, and read the group's rules for \
             participation:\nhttps://canopy.example/join/abc\n\n\
             The link works for 14 days. If you were not expecting this, you can ignore it.\n"
        );
        mail.place = "";
        let text = mail.render().unwrap(); // ok: test fixture
        assert!(
            text.contains("join Riverside Neighbours on Canopy."),
            "{text}"
        );
        assert_eq!(
            mail.subject(),
            "Olu invites you to join Riverside Neighbours on Canopy"
        );
    }
}
