//! What the CAN area sends people. The words are in `templates/mail/cans/`; each ends with an
//! empty line because askama drops a template's last newline and these mails end with one.

use askama::Template;
use chrono::NaiveDate;

use super::model::Role;
use crate::outbox::MailText;
use crate::web::time;

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

/// What every mail about a role's term names: whose term, which role, its end, and the holder's
/// page (where organisers renew it). The holder reads "your term"; organisers read the name.
#[derive(Clone, Copy)]
pub struct Term<'a> {
    pub can_name: &'a str,
    pub holder: &'a str,
    pub role: Role,
    pub day: NaiveDate,
    pub link: &'a str,
    pub to_holder: bool,
}

impl Term<'_> {
    fn day(&self) -> String {
        time::date(self.day)
    }

    fn whose(&self) -> String {
        if self.to_holder {
            "your".into()
        } else {
            format!("{}'s", self.holder)
        }
    }
}

/// To the holder and the organisers, two weeks before a term ends.
#[derive(Template)]
#[template(path = "mail/cans/term_ending.txt")]
pub struct TermEnding<'a>(pub Term<'a>);

impl MailText for TermEnding<'_> {
    fn subject(&self) -> String {
        let t = &self.0;
        format!(
            "{}: {} term as {} ends {}",
            t.can_name,
            t.whose(),
            t.role.as_str(),
            t.day()
        )
    }
}

/// To the holder and the organisers when the clock has ended a role at the end of its term.
#[derive(Template)]
#[template(path = "mail/cans/term_ended.txt")]
pub struct TermEnded<'a>(pub Term<'a>);

impl MailText for TermEnded<'_> {
    fn subject(&self) -> String {
        let t = &self.0;
        format!(
            "{}: {} term as {} has ended",
            t.can_name,
            t.whose(),
            t.role.as_str()
        )
    }
}

/// To the organisers (in practice the holder) when the last active organiser's term has passed:
/// the role is kept until someone renews it or another organiser is named.
#[derive(Template)]
#[template(path = "mail/cans/term_kept.txt")]
pub struct TermKept<'a>(pub Term<'a>);

impl MailText for TermKept<'_> {
    fn subject(&self) -> String {
        let t = &self.0;
        format!(
            "{}: {} term as {} has ended; renew it or name another organiser",
            t.can_name,
            t.whose(),
            t.role.as_str()
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

    fn term(to_holder: bool) -> Term<'static> {
        Term {
            can_name: "Riverside",
            holder: "Mia",
            role: Role::Facilitator,
            day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), // ok: test fixture
            link: "https://canopy.example/c/riverside/members/1",
            to_holder,
        }
    }

    #[test]
    fn term_mails_keep_their_words_for_the_holder_and_the_organisers() {
        let to = "a@example.org";
        let mail = TermEnding(term(true)).to(to, None, None).unwrap(); // ok: test fixture
        assert_eq!(
            mail.subject,
            "Riverside: your term as facilitator ends 1 December 2026"
        );
        assert_eq!(
            mail.body,
            "Your term as facilitator in Riverside ends on 1 December 2026.\n\n\
             Roles rotate, so that leadership is shared. Talk with the group about handing it on, \
             with time to show the next person the ropes, or about another term, which an \
             organiser can give on your page:\nhttps://canopy.example/c/riverside/members/1\n"
        );
        let mail = TermEnding(term(false)).to(to, None, None).unwrap(); // ok: test fixture
        assert_eq!(
            mail.subject,
            "Riverside: Mia's term as facilitator ends 1 December 2026"
        );
        assert!(
            mail.body
                .starts_with("Mia's term as facilitator in Riverside ends on 1 December 2026.\n"),
            "{}",
            mail.body
        );
        assert!(
            mail.body
                .contains("renew the term on Mia's page:\nhttps://")
        );

        let mail = TermEnded(term(true)).to(to, None, None).unwrap(); // ok: test fixture
        assert_eq!(
            mail.subject,
            "Riverside: your term as facilitator has ended"
        );
        assert!(
            mail.body.contains("Thank you for carrying it."),
            "{}",
            mail.body
        );
        let mail = TermEnded(term(false)).to(to, None, None).unwrap(); // ok: test fixture
        assert_eq!(
            mail.subject,
            "Riverside: Mia's term as facilitator has ended"
        );
        assert!(
            mail.body
                .ends_with("another term):\nhttps://canopy.example/c/riverside/members/1\n")
        );

        let kept = Term {
            role: Role::Organiser,
            ..term(true)
        };
        let mail = TermKept(kept).to(to, None, None).unwrap(); // ok: test fixture
        assert_eq!(
            mail.subject,
            "Riverside: your term as organiser has ended; renew it or name another organiser"
        );
        assert_eq!(
            mail.body,
            "Your term as organiser of Riverside ended on 1 December 2026. You are its only \
             active organiser, and a CAN always keeps one, so the role stays with you for now.\n\n\
             Renew your term, or name another organiser (your role then ends at the next \
             check):\nhttps://canopy.example/c/riverside/members/1\n"
        );
    }
}
