//! Distributed responsibilities: who carries what, with backups, hand-offs kept as history, a
//! board with filters, the load view that spots the overburdened and the idle, and reminders.
//! Distribution and protection are the point: nobody carries too much, nothing rests on one person.

pub mod editing;
pub mod forms;
mod handlers;
pub mod holding;
pub mod jobs;
pub mod load;
pub mod mail;
pub mod model;
pub mod offers;
pub mod queries;

use axum::Router;
use axum::routing::{get, post};

use std::time::Duration;

use sqlx::PgConnection;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Requirement};
use crate::error::Result;
use crate::scheduler::{Job, JobContext};

/// A responsibility's own page, as a path inside its CAN (`access.path`, `access.redirect`).
pub fn page(id: Uuid) -> String {
    format!("/responsibilities/{id}")
}

/// The caller's activity-log line about responsibility `id`, in the change's transaction.
async fn log<R: Requirement>(
    conn: &mut PgConnection,
    access: &CanAccess<R>,
    action: &str,
    id: Uuid,
    summary: String,
) -> Result<()> {
    access
        .log(conn, action, ("responsibility", id), summary)
        .await
}

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
        .route("/c/{slug}/offers/{id}", get(handlers::offer_page))
        .route("/c/{slug}/offers/{id}/accept", post(handlers::accept))
        .route(
            "/c/{slug}/offers/{id}/decline",
            post(handlers::decline_offer),
        )
        .route("/c/{slug}/offers/{id}/withdraw", post(handlers::withdraw))
}

/// The one URL under a meeting that this area answers: turning the meeting's action item into a
/// responsibility. The meetings router mounts it, so that router still names every meeting URL.
pub fn meeting_routes() -> Router<AppState> {
    Router::new().route(
        "/c/{slug}/meetings/{id}/actions/{action}/responsibility",
        post(handlers::from_action_item),
    )
}

/// The clock's work for responsibilities: due soon, overdue and term-ending reminders, and asks
/// that expire unanswered.
pub fn jobs() -> Vec<Job> {
    vec![
        Job::new(
            "responsibilities",
            Duration::from_secs(60),
            |ctx: JobContext| async move { jobs::tick(&ctx.db, &ctx.base_url).await },
        ),
        Job::new(
            "offers expire",
            Duration::from_secs(60),
            |ctx: JobContext| async move { offers::expire(&ctx.db, &ctx.base_url).await },
        ),
    ]
}
