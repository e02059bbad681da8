//! The stage guide and the sustaining dashboard: where the group is on the way from visioning to
//! organizing to sustaining, the next steps computed from its own data, the transitions log, the
//! health view, check-ins after meetings, and the weekly digest.

pub mod attention;
pub mod care;
pub mod digest;
pub mod forms;
pub mod guide;
mod handlers;
pub mod health;
pub mod mail;
pub mod moves;
pub mod queries;
pub mod snapshots;

use axum::Router;
use axum::routing::{get, post};

use std::time::Duration;

use crate::AppState;
use crate::scheduler::{Job, JobContext};
use handlers::{check_in, health as health_pages, stage};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c/{slug}/stage", get(stage::stage_page))
        .route("/c/{slug}/stage/move", post(stage::move_stage))
        .route("/c/{slug}/stage/criteria", post(stage::set_criteria))
        .route("/c/{slug}/health", get(health_pages::health_page))
        .route("/c/{slug}/health/reach-out", post(health_pages::reach_out))
}

/// The one URL under a meeting that this area answers: the private check-in after it. The
/// meetings router mounts it, so that router still names every meeting URL.
pub fn meeting_routes() -> Router<AppState> {
    Router::new().route(
        "/c/{slug}/meetings/{id}/check-in",
        get(check_in::check_in_page).post(check_in::check_in),
    )
}

/// The clock's work for stages: the weekly digest (once per member and week, for all their
/// CANs) and the daily load snapshots (once per CAN and day; checked every 10 minutes, so a CAN's point is
/// taken within minutes of its midnight, and at start).
pub fn jobs() -> Vec<Job> {
    vec![
        Job::new(
            "weekly digest",
            Duration::from_secs(900),
            |ctx: JobContext| async move {
                digest::tick(&ctx.db, &ctx.base_url, chrono::Utc::now().date_naive()).await
            },
        ),
        Job::new(
            "load snapshots",
            Duration::from_secs(600),
            |ctx: JobContext| async move { snapshots::tick(&ctx.db, chrono::Utc::now()).await },
        ),
    ]
}
