//! Visioning, the first stage: members share hopes, draft a vision from them in numbered
//! versions, and adopt one by consent; goals are derived from the adopted vision.

pub mod diff;
pub mod forms;
pub mod goals;
mod handlers;
pub mod hopes;
pub mod mail;
pub mod model;
pub mod queries;
pub mod rounds;
pub mod versions;

use axum::Router;
use axum::routing::{get, post};

use std::time::Duration;

use crate::AppState;
use crate::scheduler::{Job, JobContext};
use handlers::{consent, goals as goal_pages, hopes as hope_pages, versions as version_pages};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c/{slug}/vision", get(hope_pages::vision_page))
        .route("/c/{slug}/vision/hopes", post(hope_pages::add))
        .route(
            "/c/{slug}/vision/hopes/{id}/edit",
            get(hope_pages::edit_page).post(hope_pages::edit),
        )
        .route(
            "/c/{slug}/vision/hopes/{id}/withdraw",
            post(hope_pages::withdraw),
        )
        .route(
            "/c/{slug}/vision/hopes/{id}/resonate",
            post(hope_pages::resonate),
        )
        .route("/c/{slug}/vision/quorum", post(hope_pages::set_quorum))
        .route("/c/{slug}/vision/review", post(goal_pages::set_review))
        .route(
            "/c/{slug}/vision/drafts/new",
            get(version_pages::draft_page),
        )
        .route("/c/{slug}/vision/drafts", post(version_pages::save_draft))
        .route(
            "/c/{slug}/vision/versions/{number}",
            get(version_pages::page),
        )
        .route("/c/{slug}/vision/compare", get(version_pages::compare))
        .route(
            "/c/{slug}/vision/versions/{number}/rounds",
            post(consent::open),
        )
        .route("/c/{slug}/vision/rounds/{id}", get(consent::page))
        .route("/c/{slug}/vision/rounds/{id}/answer", post(consent::answer))
        .route("/c/{slug}/vision/rounds/{id}/close", post(consent::close))
        .route(
            "/c/{slug}/goals",
            get(goal_pages::list).post(goal_pages::create),
        )
        .route("/c/{slug}/goals/{id}/status", post(goal_pages::set_status))
}

/// The clock's work for visioning: close rounds that are due, remind those who have not answered.
pub fn jobs() -> Vec<Job> {
    vec![Job::new(
        "consent rounds",
        Duration::from_secs(60),
        |ctx: JobContext| async move { rounds::tick(&ctx.db, &ctx.base_url).await },
    )]
}
