//! Everyday decisions by consent: any active member puts a proposal to the CAN; it runs the
//! vision's consent machinery (`crate::visioning::rounds`: the same answers, tally, quorum and
//! blocking objection), can be amended while open, and, once adopted, becomes a decision of the
//! CAN (and of its meeting, when it was put at one).

pub mod amend;
pub mod closing;
pub mod create;
pub mod forms;
mod handlers;
pub mod mail;
pub mod model;
pub mod queries;
pub mod withdraw;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use handlers::{change, list, new, page};

pub use closing::round_closed;
pub use create::{AtMeeting, NewProposal, create};

/// The proposals' pages. The clock's work (closing due proposals, the day-before reminder) is the
/// consent rounds' job (`visioning::jobs`), which serves proposals too.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c/{slug}/proposals", get(list::list))
        .route(
            "/c/{slug}/proposals/new",
            get(new::form).post(new::create_proposal),
        )
        .route("/c/{slug}/proposals/{id}", get(page::page))
        .route("/c/{slug}/proposals/{id}/answer", post(page::answer))
        .route(
            "/c/{slug}/proposals/{id}/amend",
            get(change::amend_form).post(change::amend),
        )
        .route("/c/{slug}/proposals/{id}/withdraw", post(change::withdraw))
        .route("/c/{slug}/proposals/{id}/close", post(change::close))
}
