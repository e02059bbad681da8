//! Pathways of engagement: each member's path, computed from what they did (joined → shared a
//! hope → came to a meeting → answered a consent round → carried a task → backs up an ongoing
//! responsibility → carries one → facilitated or took notes → holds a shared role), and the next
//! invitation for each, chosen from the group's real openings. Organisers and coordinators see
//! the whole group at `/pathways` and send invitations as offers; each member sees only their own
//! path, privately, on their own member page.

pub mod forms;
mod handlers;
pub mod invite;
pub mod openings;
pub mod overview;
pub mod path;
pub mod queries;
pub mod suggest;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub use handlers::{MOVED_DAYS, NextStep, OwnPath, OwnStep, own_path};
pub use path::came_but_carry_nothing;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c/{slug}/pathways", get(handlers::page))
        .route("/c/{slug}/pathways/invite", post(handlers::invite))
}
