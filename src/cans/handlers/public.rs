//! A listed CAN's public page: what it is for, its rules, and the way to ask to join. Members
//! see the overview at the same address instead (`crate::home`).

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::cans::model::{Can, StageMark};
use crate::cans::queries;
use crate::error::Result;
use crate::web::forms::FieldErrors;
use crate::web::{CurrentMember, Layout, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "cans/public.html")]
pub struct PublicPage {
    ctx: Layout,
    can: Can,
    stages: Vec<StageMark>,
    active_members: usize,
    signed_in: bool,
    request_pending: bool,
    next: String,
    errors: FieldErrors,
    message: String,
}

async fn public_page_for(
    state: &AppState,
    ctx: Layout,
    can: Can,
    signed_in: bool,
    request_pending: bool,
    (errors, message): (FieldErrors, String),
) -> Result<PublicPage> {
    let active_members = queries::active_members(&state.db, can.id).await?.len();
    Ok(PublicPage {
        ctx,
        active_members,
        signed_in,
        request_pending,
        next: format!("/c/{}", can.slug),
        stages: can.stage_path(),
        can,
        errors,
        message,
    })
}

/// The public page of a listed CAN for someone who is not a member (perhaps signed out).
pub async fn public_page(
    state: &AppState,
    ctx: Layout,
    can: Can,
    me: Option<&CurrentMember>,
) -> Result<Response> {
    let request_pending = match me {
        Some(me) => queries::has_pending_request(&state.db, can.id, me.id).await?,
        None => false,
    };
    let form = (FieldErrors::new(), String::new());
    let page = public_page_for(state, ctx, can, me.is_some(), request_pending, form).await?;
    Ok(page.into_response())
}

/// The public page again with the join request's errors and message (422).
pub async fn public_with_errors(
    state: &AppState,
    ctx: Layout,
    can: Can,
    errors: FieldErrors,
    message: String,
) -> Result<Response> {
    unprocessable(public_page_for(state, ctx, can, true, false, (errors, message)).await?)
}
