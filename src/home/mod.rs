//! The pages that gather every area's news in one place: the front page (for a signed-in member,
//! their dashboard across CANs) and a CAN's overview at `/c/{slug}`. Each area answers for its
//! own part through a small public function; this module only composes them, so no area has to
//! import the others.

mod can;
mod dashboard;
pub mod waiting;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/c/{slug}", get(can::overview))
}
