//! A meeting's action item made into a responsibility (mounted under the meeting's URL by
//! `responsibilities::meeting_routes`).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Facilitator};
use crate::error::Result;
use crate::responsibilities::editing::{self, FromAction};
use crate::responsibilities::page;
use crate::web::{FlashKind, Path};

/// A meeting's action item becomes a task on the board, carried by its owner if it has one. An
/// item made into one already leads to it.
pub async fn from_action_item(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    Path((_slug, meeting, action)): Path<(String, Uuid, Uuid)>,
) -> Result<Response> {
    match editing::from_action_item(&state.db, &access, meeting, action).await? {
        FromAction::Made(id) => {
            let text = "The action item is now a responsibility on the board.";
            access
                .redirect(&state.db, FlashKind::Success, text, &page(id))
                .await
        }
        FromAction::Existing(id) => Ok(Redirect::to(&access.path(&page(id))).into_response()),
    }
}
