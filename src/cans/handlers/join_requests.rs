//! Join request pages: asking to join a listed CAN from its public page, and the organisers'
//! list of requests to approve or decline.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::public::{public_declined_lately, public_with_errors};
use super::{CanNav, Section};
use crate::AppState;
use crate::cans::access::{Actor, CanAccess, CanViewer, Organiser};
use crate::cans::forms::{Join, JoinForm};
use crate::cans::join_requests::{self, Asked, Decided};
use crate::cans::model::JoinRequestStatus;
use crate::cans::queries::{self, JoinRequestLine};
use crate::error::{AppError, Result};
use crate::web::{
    CurrentMember, FlashKind, Form, Layout, Path, redirect_with_flash, time, unprocessable,
};

pub async fn create(
    State(state): State<AppState>,
    me: CurrentMember,
    viewer: CanViewer,
    ctx: Layout,
    Form(form): Form<JoinForm>,
) -> Result<Response> {
    let can = viewer.can;
    let home = format!("/c/{}", can.slug);
    let (kind, text) = if viewer.membership.is_some() {
        (FlashKind::Info, "You are already a member.".to_string())
    } else if !can.is_listed() {
        // CanViewer already hides invite-only CANs from non-members; this is belt and braces.
        return Err(AppError::NotFound);
    } else {
        let join = match Join::try_from(&form) {
            Ok(j) => j,
            Err(errors) => return public_with_errors(&state, ctx, can, errors, form.message).await,
        };
        let actor = Actor {
            id: me.id,
            name: &me.display_name,
        };
        if let Asked::DeclinedLately { ask_again_at } =
            join_requests::ask(&state.db, &can, actor, &join, &state.config.public_url).await?
        {
            return public_declined_lately(&state, ctx, can, ask_again_at).await;
        }
        let text = format!(
            "Your request to join {} is with its organisers. You will see it here once they answer.",
            can.name
        );
        (FlashKind::Success, text)
    };
    redirect_with_flash(&state.db, me.session_id, kind, &text, &home).await
}

pub struct RequestRow {
    pub id: Uuid,
    pub name: String,
    pub neighbourhood: String,
    pub message: String,
    pub asked: String,
}

impl RequestRow {
    fn new(r: JoinRequestLine, tz: chrono_tz::Tz) -> Self {
        Self {
            id: r.id,
            name: r.display_name,
            neighbourhood: r.neighbourhood,
            message: r.message,
            asked: time::date_in(r.created_at, tz),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/join_requests.html")]
pub struct ListPage {
    ctx: Layout,
    nav: CanNav,
    rows: Vec<RequestRow>,
    /// A decline refused for its reason: which request, the reason as typed, and why.
    again: Option<DeclineAgain>,
}

pub struct DeclineAgain {
    pub id: Uuid,
    pub reason: String,
    pub error: String,
}

impl ListPage {
    /// The reason to show in a request's decline field (what was typed, after a refusal).
    pub fn reason_for(&self, id: &Uuid) -> &str {
        match &self.again {
            Some(a) if a.id == *id => &a.reason,
            _ => "",
        }
    }

    pub fn error_for(&self, id: &Uuid) -> Option<&str> {
        match &self.again {
            Some(a) if a.id == *id => Some(&a.error),
            _ => None,
        }
    }
}

/// The optional word with a decline.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DeclineForm {
    pub reason: String,
}

/// Longest decline reason (the column's check says the same).
const REASON_MAX: usize = 500;

pub async fn list(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
) -> Result<ListPage> {
    list_page(&state, &access, ctx, None).await
}

async fn list_page(
    state: &AppState,
    access: &CanAccess<Organiser>,
    ctx: Layout,
    again: Option<DeclineAgain>,
) -> Result<ListPage> {
    let tz = access.can.time_zone;
    let rows = queries::pending_requests(&state.db, access.can.id).await?;
    Ok(ListPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::JoinRequests),
        rows: rows.into_iter().map(|r| RequestRow::new(r, tz)).collect(),
        again,
    })
}

async fn decide(
    state: &AppState,
    access: &CanAccess<Organiser>,
    id: Uuid,
    decision: JoinRequestStatus,
    reason: &str,
) -> Result<Response> {
    let base_url = &state.config.public_url;
    let (kind, text) =
        match join_requests::decide(&state.db, access, id, decision, reason, base_url).await? {
            Decided::Already => (FlashKind::Info, "That request was already answered.".into()),
            Decided::Now { name } if decision == JoinRequestStatus::Approved => {
                (FlashKind::Success, format!("{name} is now a member."))
            }
            Decided::Now { name } => (
                FlashKind::Success,
                format!("You declined {name}'s request."),
            ),
        };
    access
        .redirect(&state.db, kind, &text, "/join-requests")
        .await
}

pub async fn approve(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    decide(&state, &access, id, JoinRequestStatus::Approved, "").await
}

pub async fn decline(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<DeclineForm>,
) -> Result<Response> {
    let reason: String = form
        .reason
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    if reason.chars().count() > REASON_MAX {
        let again = DeclineAgain {
            id,
            reason: form.reason,
            error: format!(
                "Keep the reason to {REASON_MAX} characters (this one has {}).",
                reason.chars().count()
            ),
        };
        return unprocessable(list_page(&state, &access, ctx, Some(again)).await?);
    }
    decide(&state, &access, id, JoinRequestStatus::Declined, &reason).await
}
