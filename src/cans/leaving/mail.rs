//! What leaving and time away tell people, as notifications: a line, and the words in
//! `templates/mail/cans/` as its detail.

use askama::Template;

use crate::cans::mail::detail;
use crate::error::Result;

/// To the organisers (with the leaver's reason) and the coordinators (without it) when a member
/// leaves: who left, and what nobody carries now.
#[derive(Template)]
#[template(path = "mail/cans/member_left.txt")]
pub struct MemberLeft<'a> {
    pub name: &'a str,
    pub can_name: &'a str,
    /// Their private word; `None` for coordinators, who never read it.
    pub reason: Option<&'a str>,
    pub unowned: &'a [String],
    pub without_backup: &'a [String],
}

impl MemberLeft<'_> {
    /// The inbox line: the organisers' names the person; the coordinators' names what is open.
    pub fn line(&self) -> String {
        match (self.reason, self.unowned) {
            (Some(_), _) | (None, []) => format!("{} left {}", self.name, self.can_name),
            (None, [one]) => format!("{} left: “{one}” is now unowned", self.name),
            (None, many) => format!(
                "{} left: {} responsibilities are now unowned",
                self.name,
                many.len()
            ),
        }
    }

    /// The reason, when there is one to show (organisers only).
    fn said(&self) -> Option<&str> {
        self.reason.map(str::trim).filter(|r| !r.is_empty())
    }

    pub fn text(&self) -> Result<String> {
        detail(self)
    }
}

/// To the member the clock brought back on the day they gave.
#[derive(Template)]
#[template(path = "mail/cans/away_ended.txt")]
pub struct AwayEnded<'a> {
    pub can_name: &'a str,
}

impl AwayEnded<'_> {
    pub fn line(&self) -> String {
        format!("Welcome back to {}", self.can_name)
    }

    pub fn text(&self) -> Result<String> {
        detail(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisers_read_the_reason_and_coordinators_what_is_open() {
        let unowned = vec!["Flyers".to_string(), "Garden rota".to_string()];
        let backup = vec!["Treasurer".to_string()];
        let to_organiser = MemberLeft {
            name: "Mia",
            can_name: "Riverside",
            reason: Some("Moving away, with thanks."),
            unowned: &unowned,
            without_backup: &backup,
        };
        let text = to_organiser.text().unwrap(); // ok: test fixture
        assert_eq!(to_organiser.line(), "Mia left Riverside");
        assert!(text.contains("Moving away, with thanks."), "{text}");
        assert!(text.contains("- Flyers\n- Garden rota"), "{text}");
        assert!(text.contains("- Treasurer"), "{text}");
        let to_coordinator = MemberLeft {
            reason: None,
            ..to_organiser
        };
        let text = to_coordinator.text().unwrap(); // ok: test fixture
        assert_eq!(
            to_coordinator.line(),
            "Mia left: 2 responsibilities are now unowned"
        );
        assert!(!text.contains("Moving away"), "{text}");
        assert!(text.contains("- Flyers\n- Garden rota"), "{text}");
    }
}
