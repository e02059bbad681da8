//! One responsibility's page: what it is, who carries it, the forms for whoever may act on it,
//! its notes and who has held it. The actions re-render it (422 or 409) with what was typed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono_tz::Tz;
use uuid::Uuid;

use super::filters;
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Coordinator, Member, Requirement};
use crate::cans::nav::{CanNav, Section};
use crate::cans::queries::{Person, active_members};
use crate::error::{OrNotFound, Result};
use crate::responsibilities::forms::{AssignForm, HandoffForm};
use crate::responsibilities::model::HoldingKind;
use crate::responsibilities::queries::{self, Note, Row, holdings, holdings::Holding};
use crate::thread_links::DiscussionLink;
use crate::web::forms::FieldErrors;
use crate::web::{Layout, Path, time, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "responsibilities/detail.html")]
pub struct DetailPage {
    ctx: Layout,
    nav: CanNav,
    r: Row,
    overdue: bool,
    tz: Tz,
    history: Vec<Holding>,
    notes: Vec<Note>,
    /// Whom a coordinator may ask, and a carrier hand it to.
    members: Vec<Person>,
    /// The viewer (an offer to them links to its answer).
    me: Uuid,
    /// How the viewer holds it, if they do.
    mine: Option<HoldingKind>,
    /// The viewer holds it because someone asked them, so they may decline.
    asked: bool,
    can_coordinate: bool,
    can_update: bool,
    can_take_part: bool,
    errors: FieldErrors,
    note: String,
    reason: String,
    handoff: HandoffForm,
    assign: AssignForm,
    /// The way into its discussion (`_discussion_link.html`).
    discussion: DiscussionLink,
}

/// What a refused action keeps for the page shown again: its messages and what was typed.
#[derive(Default)]
pub struct Kept {
    pub errors: FieldErrors,
    pub note: String,
    pub reason: String,
    pub handoff: HandoffForm,
    pub assign: AssignForm,
}

impl Kept {
    pub fn errors(errors: FieldErrors) -> Self {
        Self {
            errors,
            ..Self::default()
        }
    }
}

pub async fn render<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    id: Uuid,
    kept: Kept,
) -> Result<DetailPage> {
    let (can, m) = (&access.can, &access.membership);
    let r = queries::one(&state.db, can.id, id).await?.or_not_found()?;
    let mut conn = state.db.acquire().await?;
    let mine = holdings::holds(&mut conn, can.id, id, access.me.id).await?;
    let asked = holdings::asked(&mut conn, can.id, id, access.me.id).await?;
    drop(conn);
    let (comments, last_at) = queries::discussion(&state.db, can.id, id).await?;
    let coordinates = Coordinator::accepts(m);
    let active = ActiveMember::accepts(m);
    Ok(DetailPage {
        nav: CanNav::new(can, m, Section::Responsibilities),
        overdue: r.is_overdue(&time::today_in(can.time_zone)),
        tz: can.time_zone,
        history: holdings::history(&state.db, can.id, id).await?,
        notes: queries::notes(&state.db, can.id, id).await?,
        members: active_members(&state.db, can.id).await?,
        me: access.me.id,
        mine,
        asked,
        can_coordinate: coordinates,
        can_update: active && (mine == Some(HoldingKind::Carrier) || coordinates),
        can_take_part: active,
        errors: kept.errors,
        note: kept.note,
        reason: kept.reason,
        handoff: kept.handoff,
        assign: kept.assign,
        discussion: DiscussionLink::new(
            access.path(&format!("/threads/responsibility/{id}")),
            comments,
            last_at,
            can.time_zone,
        ),
        r,
        ctx,
    })
}

/// The page again with 422: the form's messages beside its fields.
pub async fn again<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    id: Uuid,
    kept: Kept,
) -> Result<Response> {
    unprocessable(render(state, access, ctx, id, kept).await?)
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<DetailPage> {
    render(&state, &access, ctx, id, Kept::default()).await
}
