//! Community action networks: starting one, its home page and the public directory, invitations
//! and join requests, members with shared leadership roles and their terms, and the activity log.

pub mod access;
pub mod activity;
pub mod forms;
pub mod founding;
mod handlers;
pub mod invitations;
pub mod join_requests;
pub mod leaving;
pub mod mail;
pub mod membership;
pub mod model;
pub mod nav;
pub mod queries;
pub mod terms;

use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::scheduler::{Job, JobContext};
use handlers::{can, members, own, roles};
use handlers::{invitations as invitation_pages, join_requests as join_request_pages};

pub use handlers::public::public_page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c", get(can::directory))
        .route("/c/new", get(can::new_page).post(can::create))
        .route(
            "/c/{slug}/settings",
            get(can::settings_page).post(can::update),
        )
        .route("/c/{slug}/activity", get(can::activity))
        .route("/c/{slug}/members", get(members::directory))
        .route("/c/{slug}/members/{member_id}", get(members::page))
        .route(
            "/c/{slug}/members/{member_id}/roles",
            post(roles::grant_role),
        )
        .route(
            "/c/{slug}/members/{member_id}/roles/{role}/end",
            post(roles::end_role),
        )
        .route(
            "/c/{slug}/members/{member_id}/roles/{role}/renew",
            post(roles::renew_role),
        )
        .route(
            "/c/{slug}/membership/pause",
            get(own::pause_page).post(own::pause),
        )
        .route("/c/{slug}/membership/resume", post(own::resume))
        .route(
            "/c/{slug}/membership/leave",
            get(own::leave_page).post(own::leave),
        )
        .route("/c/{slug}/membership/willing", post(own::willing))
        .route(
            "/c/{slug}/invitations",
            get(invitation_pages::list).post(invitation_pages::create),
        )
        .route(
            "/c/{slug}/invitations/{id}/revoke",
            post(invitation_pages::revoke),
        )
        .route(
            "/join/{token}",
            get(invitation_pages::join_page).post(invitation_pages::join),
        )
        .route(
            "/c/{slug}/join-requests",
            get(join_request_pages::list).post(join_request_pages::create),
        )
        .route(
            "/c/{slug}/join-requests/{id}/approve",
            post(join_request_pages::approve),
        )
        .route(
            "/c/{slug}/join-requests/{id}/decline",
            post(join_request_pages::decline),
        )
}

/// The clock's work for CANs: role terms (a reminder two weeks ahead, the end once a term has
/// passed), and members coming back on the day they gave. Both are days long, so a check every
/// few minutes is on time.
pub fn jobs() -> Vec<Job> {
    vec![
        Job::new(
            "role terms",
            Duration::from_secs(300),
            |ctx: JobContext| async move { terms::tick(&ctx.db, &ctx.base_url).await },
        ),
        Job::new(
            "time away ends",
            Duration::from_secs(300),
            |ctx: JobContext| async move { leaving::away::tick(&ctx.db, &ctx.base_url).await },
        ),
    ]
}
