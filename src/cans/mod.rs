//! Community action networks: starting one, its home page and the public directory, invitations
//! and join requests, members with shared leadership roles, and the activity log.

pub mod access;
pub mod activity;
pub mod forms;
mod handlers;
pub mod model;
pub mod nav;
pub mod queries;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use handlers::{can, invitations, join_requests, members};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c", get(can::directory))
        .route("/c/new", get(can::new_page).post(can::create))
        .route("/c/{slug}", get(can::home))
        .route(
            "/c/{slug}/settings",
            get(can::settings_page).post(can::update),
        )
        .route("/c/{slug}/activity", get(can::activity))
        .route("/c/{slug}/members", get(members::directory))
        .route("/c/{slug}/members/{member_id}", get(members::page))
        .route(
            "/c/{slug}/members/{member_id}/roles",
            post(members::grant_role),
        )
        .route(
            "/c/{slug}/members/{member_id}/roles/{role}/end",
            post(members::end_role),
        )
        .route("/c/{slug}/membership/pause", post(members::pause))
        .route("/c/{slug}/membership/resume", post(members::resume))
        .route("/c/{slug}/membership/leave", post(members::leave))
        .route(
            "/c/{slug}/invitations",
            get(invitations::list).post(invitations::create),
        )
        .route(
            "/c/{slug}/invitations/{id}/revoke",
            post(invitations::revoke),
        )
        .route(
            "/join/{token}",
            get(invitations::join_page).post(invitations::join),
        )
        .route(
            "/c/{slug}/join-requests",
            get(join_requests::list).post(join_requests::create),
        )
        .route(
            "/c/{slug}/join-requests/{id}/approve",
            post(join_requests::approve),
        )
        .route(
            "/c/{slug}/join-requests/{id}/decline",
            post(join_requests::decline),
        )
}
