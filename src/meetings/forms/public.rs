//! Forms of meetings open to the neighbourhood: a facilitator's settings for a series or a
//! meeting, and a visitor's "I'll come" (a name and an email address, no account).

use serde::Deserialize;

use super::TICKED;
use crate::accounts::forms::Email;
use crate::web::forms::{self, FieldErrors};

/// The longest "what to expect" (the column's CHECK says the same).
pub const WHAT_TO_EXPECT_MAX: usize = 2000;
/// The longest name a visitor may give (the column's CHECK says the same).
pub const GUEST_NAME_MAX: usize = 100;

/// "Open to the neighbourhood" and "What to expect", as submitted.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PublicForm {
    /// `yes` when ticked, absent otherwise.
    pub open_to_public: String,
    pub what_to_expect: String,
}

impl PublicForm {
    pub fn of(open: bool, what_to_expect: &str) -> Self {
        Self {
            open_to_public: if open { TICKED.into() } else { String::new() },
            what_to_expect: what_to_expect.to_string(),
        }
    }

    pub fn ticked(&self) -> bool {
        self.open_to_public == TICKED
    }
}

/// Checked settings: whether newcomers may come, and what they can expect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicSettings {
    pub open: bool,
    pub what_to_expect: String,
}

impl TryFrom<&PublicForm> for PublicSettings {
    type Error = FieldErrors;

    fn try_from(form: &PublicForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let open = match form.open_to_public.as_str() {
            "" => Some(false),
            TICKED => Some(true),
            _ => {
                errors.add("open_to_public", "Tick the box, or leave it empty.");
                None
            }
        };
        let what_to_expect = errors.check(
            "what_to_expect",
            forms::text(
                &form.what_to_expect,
                "what to expect",
                0,
                WHAT_TO_EXPECT_MAX,
            ),
        );
        match (open, what_to_expect) {
            (Some(open), Some(what_to_expect)) if errors.is_empty() => Ok(Self {
                open,
                what_to_expect,
            }),
            _ => Err(errors),
        }
    }
}

/// A visitor's "I'll come", as submitted.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct GuestForm {
    pub name: String,
    pub email: String,
}

/// A visitor who may be written down as a guest.
#[derive(Debug, Clone)]
pub struct NewGuest {
    pub name: String,
    pub email: Email,
}

impl TryFrom<&GuestForm> for NewGuest {
    type Error = FieldErrors;

    fn try_from(form: &GuestForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check(
            "name",
            forms::line(&form.name, "your name", 1, GUEST_NAME_MAX),
        );
        let email = errors.check("email", Email::parse(&form.email));
        match (name, email) {
            (Some(name), Some(email)) => Ok(Self { name, email }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_keep_what_to_expect_within_its_length() {
        let form = PublicForm {
            open_to_public: "yes".into(),
            what_to_expect: "  Tea, a round of names, then the agenda.  ".into(),
        };
        let settings = PublicSettings::try_from(&form).unwrap(); // ok: test
        assert!(settings.open);
        assert_eq!(
            settings.what_to_expect,
            "Tea, a round of names, then the agenda."
        );
        let long = PublicForm {
            open_to_public: String::new(),
            what_to_expect: "x".repeat(WHAT_TO_EXPECT_MAX + 1),
        };
        let errors = PublicSettings::try_from(&long).unwrap_err(); // ok: test
        assert!(errors.has("what_to_expect"));
    }

    #[test]
    fn a_guest_needs_a_name_and_an_address() {
        let errors = NewGuest::try_from(&GuestForm {
            name: " ".into(),
            email: "not an address".into(),
        })
        .unwrap_err(); // ok: test
        assert!(errors.has("name") && errors.has("email"));
        let guest = NewGuest::try_from(&GuestForm {
            name: "Sam".into(),
            email: "sam@example.org".into(),
        })
        .unwrap(); // ok: test
        assert_eq!(guest.email.as_str(), "sam@example.org");
    }
}
