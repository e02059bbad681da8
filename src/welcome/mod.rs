//! Welcoming newcomers: the page a member lands on when they join (the vision or the hopes so
//! far, the next meeting with its RSVP, their welcome companion, one small first way to help),
//! welcome companions chosen by rotation or by the organisers, and the newcomers page (each
//! newcomer's first 30 days, and those who have not come to anything after 30 days).

pub mod companions;
pub mod forms;
mod handlers;
pub mod mail;
pub mod queries;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// A member is a newcomer for this many days after they join.
pub const NEWCOMER_DAYS: i32 = 30;
/// The "not come to anything" list looks back this far: people who joined longer ago than this
/// and never came are the health view's drifting members, not newcomers any more.
pub const LOOK_BACK_DAYS: i32 = 180;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c/{slug}/welcome", get(handlers::welcome::page))
        .route("/c/{slug}/newcomers", get(handlers::newcomers::page))
        .route(
            "/c/{slug}/newcomers/{member_id}/companion",
            post(handlers::newcomers::choose),
        )
}
