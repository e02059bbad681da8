//! Accounts: signing up, signing in and out, the member's profile and password.

pub mod forms;
mod handlers;
pub mod password;
pub mod queries;
pub mod reset;
pub mod throttle;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

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
            get(reset::forgot_page).post(reset::forgot),
        )
        .route(
            "/account/reset/{token}",
            get(reset::reset_page).post(reset::reset),
        )
        .route(
            "/account/profile",
            get(handlers::profile_page).post(handlers::update_profile),
        )
        .route(
            "/account/password",
            get(handlers::password_page).post(handlers::change_password),
        )
}
