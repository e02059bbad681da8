//! A listed CAN's public page: what it is for, its rules, the meetings open to the neighbourhood
//! in the coming weeks, and the way to ask to join. Members see the overview at the same address
//! instead (`crate::home`).

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use chrono::{DateTime, Utc};

use crate::AppState;
use crate::cans::join_requests;
use crate::cans::model::{Can, StageMark};
use crate::cans::queries;
use crate::error::Result;
use crate::meetings::guests::{self, OpenMeetingLine};
use crate::web::forms::FieldErrors;
use crate::web::{CurrentMember, Layout, time, too_many_requests, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "cans/public.html")]
pub struct PublicPage {
    ctx: Layout,
    can: Can,
    stages: Vec<StageMark>,
    active_members: usize,
    signed_in: bool,
    request_pending: bool,
    /// After a decline: the day (in the CAN's zone) from which they may ask again.
    ask_again_from: Option<String>,
    next: String,
    errors: FieldErrors,
    message: String,
    /// Meetings open to the neighbourhood in the coming weeks (`meetings::guests`).
    open_meetings: Vec<OpenMeetingLine>,
}

/// Where the visitor stands with joining.
#[derive(Default)]
struct Asking {
    signed_in: bool,
    request_pending: bool,
    ask_again_at: Option<DateTime<Utc>>,
}

async fn public_page_for(
    state: &AppState,
    ctx: Layout,
    can: Can,
    asking: Asking,
    (errors, message): (FieldErrors, String),
) -> Result<PublicPage> {
    let active_members = queries::active_members(&state.db, can.id).await?.len();
    let open_meetings = guests::upcoming_open(&state.db, &can).await?;
    Ok(PublicPage {
        open_meetings,
        ctx,
        active_members,
        signed_in: asking.signed_in,
        request_pending: asking.request_pending,
        ask_again_from: asking
            .ask_again_at
            .map(|at| time::date_in(at, can.time_zone)),
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
    let asking = match me {
        Some(me) => Asking {
            signed_in: true,
            request_pending: queries::has_pending_request(&state.db, can.id, me.id).await?,
            ask_again_at: join_requests::ask_again_at(&state.db, &can, me.id).await?,
        },
        None => Asking::default(),
    };
    let form = (FieldErrors::new(), String::new());
    let page = public_page_for(state, ctx, can, asking, form).await?;
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
    let asking = Asking {
        signed_in: true,
        ..Asking::default()
    };
    unprocessable(public_page_for(state, ctx, can, asking, (errors, message)).await?)
}

/// The public page again after a request refused because the organisers declined one lately
/// (429, `Retry-After` until they may ask again).
pub async fn public_declined_lately(
    state: &AppState,
    ctx: Layout,
    can: Can,
    ask_again_at: DateTime<Utc>,
) -> Result<Response> {
    let wait = (ask_again_at - Utc::now()).to_std().unwrap_or_default();
    let asking = Asking {
        signed_in: true,
        request_pending: false,
        ask_again_at: Some(ask_again_at),
    };
    let form = (FieldErrors::new(), String::new());
    too_many_requests(public_page_for(state, ctx, can, asking, form).await?, wait)
}
