//! What the CAN area sends people. The words are in `templates/mail/cans/`; each ends with an
//! empty line because askama drops a template's last newline and these mails end with one.
//! Most of them reach people as notifications: a short line (the inbox entry and, after the
//! CAN's name, the mail's subject) and the template's text as the mail's detail.

use askama::Template;
use chrono::NaiveDate;

use super::model::Role;
use crate::error::{AppError, Result};
use crate::outbox::MailText;
use crate::web::time;

/// A notification's detail: the rendered text without the trailing newline (the notification
/// mail places it between its own lines).
pub(crate) fn detail(t: &(impl Template + ?Sized)) -> Result<String> {
    Ok(t.render()
        .map_err(AppError::internal)?
        .trim_end()
        .to_string())
}

/// To each organiser when someone asks to join: who, and what they wrote.
#[derive(Template)]
#[template(path = "mail/cans/join_requested.txt")]
pub struct JoinRequested<'a> {
    pub name: &'a str,
    pub can_name: &'a str,
    pub message: &'a str,
}

impl JoinRequested<'_> {
    pub fn text(&self) -> Result<String> {
        detail(self)
    }
}

/// To the person who asked to join, once an organiser answered.
#[derive(Template)]
#[template(path = "mail/cans/join_answered.txt")]
pub struct JoinAnswered<'a> {
    pub can_name: &'a str,
    pub approved: bool,
    pub ask_again_after_days: i32,
    /// The organisers' word on a decline (may be empty).
    pub reason: &'a str,
}

impl JoinAnswered<'_> {
    pub fn line(&self) -> String {
        match self.approved {
            true => format!(
                "Welcome to {}: your request to join was approved",
                self.can_name
            ),
            false => format!("Your request to join {} was declined", self.can_name),
        }
    }

    pub fn text(&self) -> Result<String> {
        detail(self)
    }
}

/// To a member an organiser gave a role: what it asks of them, and its term.
#[derive(Template)]
#[template(path = "mail/cans/role_granted.txt")]
pub struct RoleGranted<'a> {
    pub by: &'a str,
    pub can_name: &'a str,
    pub role: Role,
    pub term_ends_on: Option<NaiveDate>,
}

impl RoleGranted<'_> {
    pub fn line(&self) -> String {
        format!(
            "{} named you {} of {}",
            self.by,
            self.role.as_str(),
            self.can_name
        )
    }

    fn until(&self) -> Option<String> {
        self.term_ends_on.map(time::date)
    }

    pub fn text(&self) -> Result<String> {
        detail(self)
    }
}

/// To the holder when an organiser renewed their term.
pub struct TermRenewed<'a> {
    pub by: &'a str,
    pub can_name: &'a str,
    pub role: Role,
    pub until: NaiveDate,
}

impl TermRenewed<'_> {
    pub fn line(&self) -> String {
        format!(
            "{} renewed your term as {} of {} until {}",
            self.by,
            self.role.as_str(),
            self.can_name,
            time::date(self.until)
        )
    }
}

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

    /// Whose term, at the start of a line.
    fn whose(&self) -> String {
        if self.to_holder {
            "Your".into()
        } else {
            format!("{}'s", self.holder)
        }
    }
}

/// A mail about a term, as a notification: its line (after the CAN's name in the subject) and
/// its text as the detail, so the mail keeps its words.
pub trait TermText: Template {
    fn line(&self) -> String;

    fn text(&self) -> Result<String> {
        detail(self)
    }
}

/// To the holder and the organisers, two weeks before a term ends.
#[derive(Template)]
#[template(path = "mail/cans/term_ending.txt")]
pub struct TermEnding<'a>(pub Term<'a>);

impl TermText for TermEnding<'_> {
    fn line(&self) -> String {
        let t = &self.0;
        format!("{} term as {} ends {}", t.whose(), t.role.as_str(), t.day())
    }
}

/// To the holder and the organisers when the clock has ended a role at the end of its term.
#[derive(Template)]
#[template(path = "mail/cans/term_ended.txt")]
pub struct TermEnded<'a>(pub Term<'a>);

impl TermText for TermEnded<'_> {
    fn line(&self) -> String {
        let t = &self.0;
        format!("{} term as {} has ended", t.whose(), t.role.as_str())
    }
}

/// To the organisers (in practice the holder) when the last active organiser's term has passed:
/// the role is kept until someone renews it or another organiser is named.
#[derive(Template)]
#[template(path = "mail/cans/term_kept.txt")]
pub struct TermKept<'a>(pub Term<'a>);

impl TermText for TermKept<'_> {
    fn line(&self) -> String {
        let t = &self.0;
        format!(
            "{} term as {} has ended; renew it or name another organiser",
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
        let mail = TermEnding(term(true));
        assert_eq!(
            crate::notifications::subject(Some("Riverside"), &mail.line()),
            "[Riverside] Your term as facilitator ends 1 December 2026"
        );
        assert_eq!(
            mail.text().unwrap(), // ok: test fixture
            "Your term as facilitator in Riverside ends on 1 December 2026.\n\n\
             Roles rotate, so that leadership is shared. Talk with the group about handing it on, \
             with time to show the next person the ropes, or about another term, which an \
             organiser can give on your page:\nhttps://canopy.example/c/riverside/members/1"
        );
        let mail = TermEnding(term(false));
        assert_eq!(
            mail.line(),
            "Mia's term as facilitator ends 1 December 2026"
        );
        let text = mail.text().unwrap(); // ok: test fixture
        assert!(
            text.starts_with("Mia's term as facilitator in Riverside ends on 1 December 2026.\n"),
            "{text}"
        );
        assert!(text.contains("renew the term on Mia's page:\nhttps://"));

        let mail = TermEnded(term(true));
        assert_eq!(mail.line(), "Your term as facilitator has ended");
        let text = mail.text().unwrap(); // ok: test fixture
        assert!(text.contains("Thank you for carrying it."), "{text}");
        let mail = TermEnded(term(false));
        assert_eq!(mail.line(), "Mia's term as facilitator has ended");
        let text = mail.text().unwrap(); // ok: test fixture
        assert!(text.ends_with("another term):\nhttps://canopy.example/c/riverside/members/1"));

        let kept = Term {
            role: Role::Organiser,
            ..term(true)
        };
        let mail = TermKept(kept);
        assert_eq!(
            mail.line(),
            "Your term as organiser has ended; renew it or name another organiser"
        );
        assert_eq!(
            mail.text().unwrap(), // ok: test fixture
            "Your term as organiser of Riverside ended on 1 December 2026. You are its only \
             active organiser, and a CAN always keeps one, so the role stays with you for now.\n\n\
             Renew your term, or name another organiser (your role then ends at the next \
             check):\nhttps://canopy.example/c/riverside/members/1"
        );
    }

    #[test]
    fn join_and_role_notifications_say_what_happened_and_what_is_next() {
        let asked = JoinRequested {
            name: "Ama",
            can_name: "Riverside",
            message: "I live on Mill Lane",
        };
        assert_eq!(
            asked.text().unwrap(), // ok: test fixture
            "Ama asks to join Riverside, and has read and acknowledged its rules for \
             participation.\n\nThey wrote:\nI live on Mill Lane\n\n\
             Welcome them, or decline, on the join requests page."
        );
        let silent = JoinRequested {
            message: "",
            ..asked
        };
        assert_eq!(
            silent.text().unwrap(), // ok: test fixture
            "Ama asks to join Riverside, and has read and acknowledged its rules for \
             participation.\n\nWelcome them, or decline, on the join requests page."
        );

        let welcome = JoinAnswered {
            can_name: "Riverside",
            approved: true,
            ask_again_after_days: 30,
            reason: "",
        };
        assert_eq!(
            welcome.line(),
            "Welcome to Riverside: your request to join was approved"
        );
        let text = welcome.text().unwrap(); // ok: test fixture
        assert!(
            text.starts_with("The organisers of Riverside welcomed you"),
            "{text}"
        );
        let declined = JoinAnswered {
            approved: false,
            ..welcome
        };
        assert_eq!(
            declined.line(),
            "Your request to join Riverside was declined"
        );
        assert!(declined.text().unwrap().contains("ask again after 30 days")); // ok: test fixture
        let with_reason = JoinAnswered {
            reason: "We are only for Elm Street's houses.",
            ..declined
        };
        let text = with_reason.text().unwrap(); // ok: test fixture
        assert!(
            text.contains("They said:\n\nWe are only for Elm Street's houses.\n"),
            "{text}"
        );

        let granted = RoleGranted {
            by: "Olu",
            can_name: "Riverside",
            role: Role::Coordinator,
            term_ends_on: NaiveDate::from_ymd_opt(2027, 6, 30),
        };
        assert_eq!(granted.line(), "Olu named you coordinator of Riverside");
        let text = granted.text().unwrap(); // ok: test fixture
        assert!(
            text.starts_with(
                "Olu named you coordinator of Riverside, for a term until 30 June 2027.\n\n\
                 Coordinators keep the map"
            ),
            "{text}"
        );
        let open = RoleGranted {
            term_ends_on: None,
            ..granted
        };
        assert!(open.text().unwrap().contains("with no set end.")); // ok: test fixture
    }
}
