//! What welcoming newcomers tells people. The words are in `templates/mail/welcome/`; each ends
//! with an empty line because askama drops a template's last newline and these mails end with one.
//! Both reach people as notifications: a short line and the template's text as the mail's detail.

use askama::Template;

use crate::error::{AppError, Result};

fn detail(t: &(impl Template + ?Sized)) -> Result<String> {
    Ok(t.render()
        .map_err(AppError::internal)?
        .trim_end()
        .to_string())
}

/// To the member chosen to welcome a newcomer.
#[derive(Template)]
#[template(path = "mail/welcome/to_companion.txt")]
pub struct ToCompanion<'a> {
    pub newcomer: &'a str,
    pub can_name: &'a str,
    /// Who chose them, when an organiser did (rotation at joining otherwise).
    pub by: Option<&'a str>,
}

impl ToCompanion<'_> {
    pub fn line(&self) -> String {
        format!(
            "You are {}'s welcome companion in {}",
            self.newcomer, self.can_name
        )
    }

    pub fn text(&self) -> Result<String> {
        detail(self)
    }
}

/// To the newcomer, when someone else chose their companion.
#[derive(Template)]
#[template(path = "mail/welcome/to_newcomer.txt")]
pub struct ToNewcomer<'a> {
    pub companion: &'a str,
    pub can_name: &'a str,
    pub by: &'a str,
}

impl ToNewcomer<'_> {
    pub fn line(&self) -> String {
        format!(
            "{} is your welcome companion in {}",
            self.companion, self.can_name
        )
    }

    pub fn text(&self) -> Result<String> {
        detail(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_companion_hears_who_to_welcome_and_who_asked() {
        let words = ToCompanion {
            newcomer: "Noor",
            can_name: "Riverside",
            by: Some("Olu"),
        };
        assert_eq!(
            words.line(),
            "You are Noor's welcome companion in Riverside"
        );
        let text = words.text().unwrap(); // ok: test fixture
        assert!(text.contains("Olu asked you to welcome Noor"), "{text}");
        let rotation = ToCompanion { by: None, ..words };
        let text = rotation.text().unwrap(); // ok: test fixture
        assert!(text.contains("Noor has just joined Riverside"), "{text}");
    }

    #[test]
    fn the_newcomer_hears_who_welcomes_them() {
        let words = ToNewcomer {
            companion: "Ana",
            can_name: "Riverside",
            by: "Olu",
        };
        assert_eq!(words.line(), "Ana is your welcome companion in Riverside");
        assert!(words.text().unwrap().contains("Olu asked Ana")); // ok: test fixture
    }
}
