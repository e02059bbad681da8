//! What proposals tell people: the lines of their notifications, and the fuller words under them
//! in the mail (`templates/mail/proposals/`).

use askama::Template;

/// The detail of the "round closing" reminder, a day before a proposal closes, to active members
/// who have not answered its current text.
#[derive(Template)]
#[template(path = "mail/proposals/closing_soon.txt")]
pub struct ClosingSoon<'a> {
    pub can_name: &'a str,
    pub title: &'a str,
    pub closes: String,
    pub zone: chrono_tz::Tz,
    pub link: &'a str,
}

/// The line of a proposal's reminder.
pub fn closing_line(title: &str) -> String {
    format!("“{title}” closes within a day: you have not answered yet")
}

/// The detail of the "round closed" notice of a proposal: the outcome on its count, and the
/// standing objections when one blocked it.
#[derive(Template)]
#[template(path = "mail/proposals/round_closed.txt")]
pub struct Closed<'a> {
    pub summary: &'a str,
    /// Who objected, and why.
    pub objections: &'a [(String, String)],
    pub link: &'a str,
}

/// The detail of the notice to those who answered an amended proposal.
#[derive(Template)]
#[template(path = "mail/proposals/amended.txt")]
pub struct Amended<'a> {
    pub can_name: &'a str,
    pub by: &'a str,
    pub title: &'a str,
    pub version: i32,
    pub note: &'a str,
    pub link: &'a str,
}

/// The detail of the notice to those who answered a withdrawn proposal.
#[derive(Template)]
#[template(path = "mail/proposals/withdrawn.txt")]
pub struct Withdrawn<'a> {
    pub can_name: &'a str,
    pub by: &'a str,
    pub title: &'a str,
    pub reason: &'a str,
    pub link: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocked_proposal_mail_lists_the_standing_objections() {
        let objections = vec![("Mia".to_string(), "Too loud at night".to_string())];
        let mail = Closed {
            summary: "“Quiet hours” was not adopted: an objection stood",
            objections: &objections,
            link: "https://c.example/p",
        };
        assert_eq!(
            mail.render().unwrap(), // ok: test fixture
            "“Quiet hours” was not adopted: an objection stood.\n\n\
             The objections that stood:\n- Mia: Too loud at night\n\n\
             See the proposal and everyone's reasons:\nhttps://c.example/p\n"
        );
    }

    #[test]
    fn an_amendment_asks_to_answer_again() {
        let mail = Amended {
            can_name: "Riverside",
            by: "Olu",
            title: "Quiet hours",
            version: 2,
            note: "From 22:00, not 21:00",
            link: "https://c.example/p",
        };
        let text = mail.render().unwrap(); // ok: test fixture
        assert!(text.contains("now version 2"));
        assert!(text.contains("answer again:\nhttps://c.example/p\n"));
    }
}
