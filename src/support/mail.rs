//! What the people told of a request read under the notification's line (the notification mail
//! adds the link).

use askama::Template;

use super::model::HelpKind;

/// To those who may help: who asks for what, by when, in their words.
#[derive(Template)]
#[template(path = "mail/support/asked.txt")]
pub struct Asked<'a> {
    pub can_name: &'a str,
    pub asker: &'a str,
    pub kind: HelpKind,
    pub details: &'a str,
    /// The day it is needed by, as people read it.
    pub needed_by: Option<String>,
    pub private: bool,
}

/// To the asker: who offers, with their note.
#[derive(Template)]
#[template(path = "mail/support/offered.txt")]
pub struct Offered<'a> {
    pub can_name: &'a str,
    pub helper: &'a str,
    pub kind: HelpKind,
    pub note: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ask_reads_as_a_neighbour_would_say_it() {
        let asked = Asked {
            can_name: "Riverside",
            asker: "Mia",
            kind: HelpKind::Meal,
            details: "Two portions, no nuts",
            needed_by: Some("4 December 2026".into()),
            private: false,
        };
        assert_eq!(
            asked.render().unwrap(), // ok: test fixture
            "Mia asks Riverside for a meal, needed by 4 December 2026.\n\nIn their words: Two \
             portions, no nuts\n\nIf you can help, offer on the request's page; Mia will see your \
             offer and your note.\n"
        );
        let private = Asked {
            kind: HelpKind::Talk,
            details: "",
            needed_by: None,
            private: true,
            ..asked
        };
        assert_eq!(
            private.render().unwrap(), // ok: test fixture
            "Mia asks the organisers of Riverside, privately, for someone to talk to.\n\nOnly Mia \
             and the organisers see this request.\n\nIf you can help, offer on the request's \
             page; Mia will see your offer and your note.\n"
        );
    }

    #[test]
    fn the_offer_carries_its_note() {
        let offered = Offered {
            can_name: "Riverside",
            helper: "Ana",
            kind: HelpKind::Ride,
            note: "I have a car on Tuesdays",
        };
        assert_eq!(
            offered.render().unwrap(), // ok: test fixture
            "Ana offers to help with your request for a ride in Riverside.\n\nTheir note: I have \
             a car on Tuesdays\n\nWhen the help has come, mark the request met on its page, so \
             those who offered know.\n"
        );
    }
}
