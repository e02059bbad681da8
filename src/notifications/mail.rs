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
