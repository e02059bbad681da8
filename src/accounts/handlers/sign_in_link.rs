//! The one-time sign-in link mailed to the owner of an account under attack. Opening it shows a
//! button; only pressing it signs in, so a mail scanner that fetches links cannot use it up.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::signed_in_redirect;
use crate::AppState;
use crate::accounts::sign_in_links;
use crate::error::Result;
use crate::web::session::Session;
use crate::web::{Layout, Path, page_with_status};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/sign_in_link.html")]
pub struct SignInLinkPage {
    ctx: Layout,
    path: String,
    usable: bool,
}

/// The page: 200 with the button, 410 for a link that has expired or was used.
fn page_for(ctx: Layout, secret: &str, usable: bool) -> Result<Response> {
    let status = if usable {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let path = format!("/account/sign-in-link/{secret}");
    page_with_status(status, SignInLinkPage { ctx, path, usable })
}

pub async fn link_page(
    State(state): State<AppState>,
    ctx: Layout,
    Path(secret): Path<String>,
) -> Result<Response> {
    let usable = sign_in_links::usable(&state.db, &secret).await?;
    page_for(ctx, &secret, usable)
}

pub async fn use_link(
    State(state): State<AppState>,
    ctx: Layout,
    session: Session,
    Path(secret): Path<String>,
) -> Result<Response> {
    match sign_in_links::use_link(&state.db, &secret, session.id).await? {
        Some(fresh) => Ok(signed_in_redirect(&state, "/account/profile", &fresh)),
        None => page_for(ctx, &secret, false),
    }
}
