//! Visioning, the first stage: members share hopes, draft a vision from them in numbered
//! versions, and adopt one by consent; goals are derived from the adopted vision.

pub mod diff;
pub mod forms;
mod handlers;
pub mod mail;
pub mod queries;
pub mod rounds;

use axum::Router;
use axum::routing::{get, post};

use std::time::Duration;

use crate::AppState;
use crate::scheduler::{Job, JobContext};
use handlers::{consent, goals, hopes, versions};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c/{slug}/vision", get(hopes::vision_page))
        .route("/c/{slug}/vision/hopes", post(hopes::add))
        .route(
            "/c/{slug}/vision/hopes/{id}/edit",
            get(hopes::edit_page).post(hopes::edit),
        )
        .route(
            "/c/{slug}/vision/hopes/{id}/withdraw",
            post(hopes::withdraw),
        )
        .route("/c/{slug}/vision/quorum", post(hopes::set_quorum))
        .route("/c/{slug}/vision/review", post(goals::set_review))
        .route("/c/{slug}/vision/drafts/new", get(versions::draft_page))
        .route("/c/{slug}/vision/drafts", post(versions::save_draft))
        .route("/c/{slug}/vision/versions/{number}", get(versions::page))
        .route("/c/{slug}/vision/compare", get(versions::compare))
        .route(
            "/c/{slug}/vision/versions/{number}/rounds",
            post(consent::open),
        )
        .route("/c/{slug}/vision/rounds/{id}", get(consent::page))
        .route("/c/{slug}/vision/rounds/{id}/answer", post(consent::answer))
        .route("/c/{slug}/vision/rounds/{id}/close", post(consent::close))
        .route("/c/{slug}/goals", get(goals::list).post(goals::create))
        .route("/c/{slug}/goals/{id}/status", post(goals::set_status))
}

/// The clock's work for visioning: close rounds that are due, remind those who have not answered.
pub fn jobs() -> Vec<Job> {
    vec![Job::new(
        "consent rounds",
        Duration::from_secs(60),
        |ctx: JobContext| async move { rounds::tick(&ctx.db, &ctx.base_url).await },
    )]
}
