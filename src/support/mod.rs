//! Protection as care: a member asks the group for a hand (a meal, a ride, childcare, a visit,
//! someone to talk to), openly to every member or privately to the organisers; others offer to
//! help; the asker marks it met or withdraws it. The health view counts how the group answers.

pub mod forms;
mod handlers;
pub mod health;
pub mod mail;
pub mod model;
pub mod queries;
pub mod requests;

use axum::Router;
use axum::routing::{get, post};
use uuid::Uuid;

use crate::AppState;

pub use health::{SupportHealth, health};
pub use requests::withdraw_open_for;

/// A request's own page, as a path inside its CAN.
pub fn page(id: Uuid) -> String {
    format!("/support/{id}")
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/c/{slug}/support",
            get(handlers::list).post(handlers::create),
        )
        .route("/c/{slug}/support/{id}", get(handlers::request_page))
        .route("/c/{slug}/support/{id}/offer", post(handlers::offer))
        .route(
            "/c/{slug}/support/{id}/offer/withdraw",
            post(handlers::withdraw_offer),
        )
        .route("/c/{slug}/support/{id}/met", post(handlers::met))
        .route("/c/{slug}/support/{id}/withdraw", post(handlers::withdraw))
}
