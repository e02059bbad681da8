//! Accounts: signing up, signing in and out, the member's profile and password.

pub mod forms;
mod handlers;
pub mod mail;
pub mod password;
pub mod queries;
pub mod reset;
pub mod sessions;
pub mod sign_in_links;
pub mod throttle;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use handlers::{profile, reset as reset_pages, sign_in_link};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/sign-up",
            get(handlers::sign_up_page).post(handlers::sign_up),
        )
        .route(
            "/sign-in",
            get(handlers::sign_in_page).post(handlers::sign_in),
        )
        .route("/sign-out", post(handlers::sign_out))
        .route(
            "/account/forgot",
            get(reset_pages::forgot_page).post(reset_pages::forgot),
        )
        .route(
            "/account/reset/{token}",
            get(reset_pages::reset_page).post(reset_pages::reset),
        )
        .route(
            "/account/sign-in-link/{token}",
            get(sign_in_link::link_page).post(sign_in_link::use_link),
        )
        .route(
            "/account/profile",
            get(profile::profile_page).post(profile::update_profile),
        )
        .route(
            "/account/password",
            get(profile::password_page).post(profile::change_password),
        )
}
