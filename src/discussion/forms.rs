//! The comment box and the organisers' "hide" form, and the checked values they become.

use serde::Deserialize;

use crate::web::forms::{self, FieldErrors};

/// The longest comment kept (`comments_body_length`).
pub const BODY_MAX: usize = 4000;
/// The longest reason for hiding a comment (`comments_hidden`).
pub const REASON_MAX: usize = 500;

/// A comment as typed, to post or as edited.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    pub body: String,
}

/// A comment's checked words: trimmed, 1 to [`BODY_MAX`] characters, line breaks as `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body(String);

impl Body {
    pub fn parse(f: &CommentForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let normal = f.body.replace("\r\n", "\n").replace('\r', "\n");
        match forms::text(&normal, "your comment", 1, BODY_MAX) {
            Ok(body) => Ok(Self(body)),
            Err(message) => {
                errors.add("body", message);
                Err(errors)
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An organiser's reason for hiding a comment, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct HideForm {
    pub reason: String,
}

/// Why a comment is hidden: one line or a few, 1 to [`REASON_MAX`] characters, shown to its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub fn parse(f: &HideForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        match forms::text(&f.reason, "the reason", 1, REASON_MAX) {
            Ok(reason) => Ok(Self(reason)),
            Err(message) => {
                errors.add("reason", message);
                Err(errors)
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_is_trimmed_and_kept_within_its_length() {
        let ok = Body::parse(&CommentForm {
            body: "  Hello\r\nthere  ".into(),
        })
        .unwrap(); // ok: test fixture
        assert_eq!(ok.as_str(), "Hello\nthere");
        let empty = Body::parse(&CommentForm {
            body: "  \n ".into(),
        })
        .unwrap_err();
        assert_eq!(empty.get("body"), Some("Enter your comment."));
        let long = Body::parse(&CommentForm {
            body: "x".repeat(BODY_MAX + 1),
        })
        .unwrap_err();
        assert!(long.get("body").unwrap().contains("at most 4000")); // ok: test fixture
        assert!(
            Body::parse(&CommentForm {
                body: "é".repeat(BODY_MAX)
            })
            .is_ok()
        );
    }

    #[test]
    fn a_reason_is_needed_to_hide() {
        assert!(Reason::parse(&HideForm { reason: " ".into() }).is_err());
        assert!(
            Reason::parse(&HideForm {
                reason: "x".repeat(REASON_MAX + 1)
            })
            .is_err()
        );
        assert_eq!(
            Reason::parse(&HideForm {
                reason: " Insults ".into()
            })
            .unwrap() // ok: test fixture
            .as_str(),
            "Insults"
        );
    }
}
