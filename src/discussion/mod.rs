//! Talking things through: plain-text comments on a CAN's proposals, objections (a thread per
//! objector's answer in a round), hopes, responsibilities and meetings. Comments keep their edit
//! history; the author may delete theirs ("Comment removed" stays in its place); organisers may
//! hide one that breaks the rules for participation, with a reason the author sees. Mentions of a
//! member by name and replies in a thread reach people through notifications.

pub mod comments;
pub mod forms;
mod handlers;
pub mod mail;
pub mod queries;
pub mod subjects;
pub mod text;

use axum::Router;
use axum::routing::{get, post};
use uuid::Uuid;

use crate::AppState;

/// Thread pages (read by members, posted to by active members) and the actions on a comment.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/c/{slug}/threads/objection/{round}/{member}",
            get(handlers::objection_thread).post(handlers::post_objection),
        )
        .route(
            "/c/{slug}/threads/proposal/{id}",
            get(handlers::thread).post(handlers::post_thread),
        )
        .route(
            "/c/{slug}/threads/hope/{id}",
            get(handlers::thread).post(handlers::post_thread),
        )
        .route(
            "/c/{slug}/threads/responsibility/{id}",
            get(handlers::thread).post(handlers::post_thread),
        )
        .route(
            "/c/{slug}/threads/meeting/{id}",
            get(handlers::thread).post(handlers::post_thread),
        )
        .route(
            "/c/{slug}/comments/{id}/edit",
            get(handlers::edit_page).post(handlers::edit),
        )
        .route("/c/{slug}/comments/{id}/delete", post(handlers::delete))
        .route("/c/{slug}/comments/{id}/hide", post(handlers::hide))
        .route("/c/{slug}/comments/{id}/unhide", post(handlers::unhide))
        .route("/c/{slug}/comments/{id}/history", get(handlers::history))
}

/// What a thread hangs on: exactly one thing of the CAN (the `comments` row's one subject).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Proposal(Uuid),
    /// The objection of `member` in consent round `round` (a vision or a proposal round).
    Objection {
        round: Uuid,
        member: Uuid,
    },
    Hope(Uuid),
    Responsibility(Uuid),
    Meeting(Uuid),
}

impl Subject {
    /// The one-id subject a thread route names by its kind (`proposal`, `hope`, `responsibility`,
    /// `meeting`: the segment after `threads`); an objection is named by two ids, so it has its
    /// own route.
    pub fn of_kind(kind: &str, id: Uuid) -> Option<Subject> {
        match kind {
            "proposal" => Some(Subject::Proposal(id)),
            "hope" => Some(Subject::Hope(id)),
            "responsibility" => Some(Subject::Responsibility(id)),
            "meeting" => Some(Subject::Meeting(id)),
            _ => None,
        }
    }
}

/// The thread page of `subject` in the CAN `slug`: `/c/{slug}/threads/proposal/{id}`,
/// `/c/{slug}/threads/objection/{round}/{member}`, `…/hope/{id}`, `…/responsibility/{id}`,
/// `…/meeting/{id}`. A comment's anchor on it is `#comment-{id}`.
pub fn thread_path(slug: &str, subject: &Subject) -> String {
    match subject {
        Subject::Proposal(id) => format!("/c/{slug}/threads/proposal/{id}"),
        Subject::Objection { round, member } => {
            format!("/c/{slug}/threads/objection/{round}/{member}")
        }
        Subject::Hope(id) => format!("/c/{slug}/threads/hope/{id}"),
        Subject::Responsibility(id) => format!("/c/{slug}/threads/responsibility/{id}"),
        Subject::Meeting(id) => format!("/c/{slug}/threads/meeting/{id}"),
    }
}

/// A comment's place on its thread page: `thread_path(..)#comment-{id}`.
pub fn comment_path(slug: &str, subject: &Subject, comment: Uuid) -> String {
    format!("{}#comment-{comment}", thread_path(slug, subject))
}
