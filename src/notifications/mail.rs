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
