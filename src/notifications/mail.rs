//! The words of notification mails: each one both as plain text and as simple HTML (askama
//! escapes the HTML version), with the same footer saying why it came and how to stop it.

use askama::Template;

use crate::error::{AppError, Result};

/// One notification, mailed at once.
pub struct One<'a> {
    pub can_name: Option<&'a str>,
    pub line: &'a str,
    /// The fuller text for this person, if the event has one; plain text, paragraphs split by a
    /// blank line.
    pub detail: Option<&'a str>,
    /// Absolute address of the page to see and answer it.
    pub link: String,
    /// Absolute address of the mail settings.
    pub settings: String,
    pub kind_label: &'static str,
}

impl One<'_> {
    pub fn text(&self, unsubscribe: &str) -> Result<String> {
        OneText {
            m: self,
            unsubscribe,
        }
        .render()
        .map_err(AppError::internal)
    }

    pub fn html(&self, unsubscribe: &str) -> Result<String> {
        OneHtml {
            m: self,
            unsubscribe,
        }
        .render()
        .map_err(AppError::internal)
    }

    /// The detail as paragraphs of lines, for the HTML part.
    pub fn paragraphs(&self) -> Vec<Vec<&str>> {
        paragraphs(self.detail.unwrap_or_default())
    }
}

/// Plain text as paragraphs (split at blank lines) of lines.
pub fn paragraphs(text: &str) -> Vec<Vec<&str>> {
    text.split("\n\n")
        .map(|p| {
            p.lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[derive(Template)]
#[template(path = "mail/notifications/one.txt")]
struct OneText<'a> {
    m: &'a One<'a>,
    unsubscribe: &'a str,
}

#[derive(Template)]
#[template(path = "mail/notifications/one.html")]
struct OneHtml<'a> {
    m: &'a One<'a>,
    unsubscribe: &'a str,
}

/// The "meanwhile" fold: everything that waited for the hourly limit, in one mail.
pub struct Meanwhile<'a> {
    pub lines: Vec<MeanwhileLine<'a>>,
    /// Waiting notifications beyond those listed (they are in the inbox).
    pub more: usize,
    /// Absolute address of the inbox.
    pub inbox: String,
    /// Absolute address of the mail settings.
    pub settings: String,
}

/// One folded notification: its CAN, its line and the absolute address to answer it.
pub struct MeanwhileLine<'a> {
    pub can_name: Option<&'a str>,
    pub line: &'a str,
    pub link: String,
}

impl Meanwhile<'_> {
    /// How many notifications the mail carries.
    pub fn count(&self) -> usize {
        self.lines.len() + self.more
    }

    /// "5 more things in Canopy" (the subject; a CAN leads it when they all come from one).
    pub fn headline(&self) -> String {
        match self.count() {
            1 => "1 more thing in Canopy".to_string(),
            n => format!("{n} more things in Canopy"),
        }
    }

    /// The CAN all the lines are about, when they are about one.
    pub fn single_can(&self) -> Option<&str> {
        let first = self.lines.first()?.can_name?;
        self.lines
            .iter()
            .all(|l| l.can_name == Some(first))
            .then_some(first)
    }

    pub fn text(&self, unsubscribe: &str) -> Result<String> {
        MeanwhileText {
            m: self,
            unsubscribe,
        }
        .render()
        .map_err(AppError::internal)
    }

    pub fn html(&self, unsubscribe: &str) -> Result<String> {
        MeanwhileHtml {
            m: self,
            unsubscribe,
        }
        .render()
        .map_err(AppError::internal)
    }
}

#[derive(Template)]
#[template(path = "mail/notifications/meanwhile.txt")]
struct MeanwhileText<'a> {
    m: &'a Meanwhile<'a>,
    unsubscribe: &'a str,
}

#[derive(Template)]
#[template(path = "mail/notifications/meanwhile.html")]
struct MeanwhileHtml<'a> {
    m: &'a Meanwhile<'a>,
    unsubscribe: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fold_reads_as_a_short_list_with_its_cans_and_links() {
        let m = Meanwhile {
            lines: vec![
                MeanwhileLine {
                    can_name: Some("Elm Street"),
                    line: "Ana asked you to carry “Flyers”",
                    link: "https://canopy.example/c/elm/offers/1".into(),
                },
                MeanwhileLine {
                    can_name: None,
                    line: "A member reached out to you",
                    link: "https://canopy.example/x".into(),
                },
            ],
            more: 3,
            inbox: "https://canopy.example/notifications".into(),
            settings: "https://canopy.example/notifications/settings".into(),
        };
        assert_eq!(m.headline(), "5 more things in Canopy");
        assert_eq!(m.single_can(), None);
        let text = m
            .text("https://canopy.example/unsubscribe/u/all/s")
            .unwrap();
        assert_eq!(
            text,
            "While you were away…

5 more things in Canopy:

- [Elm Street] Ana asked you to carry “Flyers”
  https://canopy.example/c/elm/offers/1

- A member reached out to you
  https://canopy.example/x

…and 3 more in your notifications: https://canopy.example/notifications

All your notifications: https://canopy.example/notifications

--
These waited because you had already had several mails from Canopy this hour: we fold the rest into one.
Choose which mails you get: https://canopy.example/notifications/settings
Stop all these mails: https://canopy.example/unsubscribe/u/all/s
"
        );
        let html = m
            .html("https://canopy.example/unsubscribe/u/all/s")
            .unwrap();
        assert!(
            html.contains("Ana asked you to carry “Flyers”</a>"),
            "{html}"
        );
        assert!(html.contains("<span style=\"color: #4a5a4a;\">Elm Street:</span>"));
    }
}
