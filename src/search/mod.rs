//! Finding things inside a CAN: the search page over its proposals, decisions, meetings and
//! minutes, hopes, comments and responsibilities (PostgreSQL full-text search in the CAN's
//! language, over an index the database keeps exact with triggers: see the migration
//! `20261201000410_search.sql`), and the decisions page, which lists every decision of the CAN —
//! the minutes' and adopted proposals' — newest first, narrowed by words through the same index.

mod handlers;
pub mod highlight;
pub mod queries;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c/{slug}/search", get(handlers::search))
        .route("/c/{slug}/decisions", get(handlers::decisions))
}

/// The most characters a search may have.
pub const MAX_QUERY: usize = 200;

/// The words typed in the box, trimmed; too long, or holding characters no text has, refused
/// with the message shown beside the box.
pub fn parse_words(raw: &str) -> Result<String, String> {
    crate::web::forms::text(raw, "your search", 0, MAX_QUERY)
}
