//! Distributed responsibilities: who carries what, with backups, hand-offs kept as history, a
//! board with filters, the load view that spots the overburdened and the idle, and reminders.
//! Distribution and protection are the point: nobody carries too much, nothing rests on one person.

pub mod forms;
mod handlers;
pub mod jobs;
pub mod load;
pub mod queries;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/c/{slug}/responsibilities",
            get(handlers::board).post(handlers::create),
        )
        .route("/c/{slug}/responsibilities/new", get(handlers::new_page))
        .route("/c/{slug}/responsibilities/{id}", get(handlers::page))
        .route(
            "/c/{slug}/responsibilities/{id}/edit",
            get(handlers::edit_page).post(handlers::update),
        )
        .route(
            "/c/{slug}/responsibilities/{id}/volunteer",
            post(handlers::volunteer),
        )
        .route(
            "/c/{slug}/responsibilities/{id}/assign",
            post(handlers::assign),
        )
        .route(
            "/c/{slug}/responsibilities/{id}/decline",
            post(handlers::decline),
        )
        .route(
            "/c/{slug}/responsibilities/{id}/handoff",
            post(handlers::handoff),
        )
        .route(
            "/c/{slug}/responsibilities/{id}/step-down",
            post(handlers::step_down),
        )
        .route(
            "/c/{slug}/responsibilities/{id}/progress",
            post(handlers::progress),
        )
        .route("/c/{slug}/load", get(handlers::load_view))
        .route(
            "/c/{slug}/meetings/{id}/actions/{action}/responsibility",
            post(handlers::from_action_item),
        )
}
