//! The CAN's proposals: the open ones first (closing soonest, with the caller's own answer), then
//! the decided ones, newest first, a page at a time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::Utc;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Member};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::proposals::forms::ListQuery;
use crate::proposals::model::ProposalStatus;
use crate::proposals::queries;
use crate::visioning::model::Answer;
use crate::web::{Layout, Query, time};

/// Decided proposals per page.
pub const PER_PAGE: i64 = 20;

pub struct OpenView {
    pub id: Uuid,
    pub title: String,
    pub author: String,
    pub closes: String,
    pub my_answer: Option<Answer>,
    pub earlier: bool,
}

pub struct DecidedView {
    pub id: Uuid,
    pub title: String,
    pub author: String,
    pub status: ProposalStatus,
    pub closed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "proposals/list.html")]
pub struct ListPage {
    ctx: Layout,
    nav: CanNav,
    open: Vec<OpenView>,
    decided: Vec<DecidedView>,
    page: i64,
    older: bool,
    can_propose: bool,
}

pub async fn list(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Query(q): Query<ListQuery>,
) -> Result<ListPage> {
    let (can, db) = (&access.can, &state.db);
    let tz = can.time_zone;
    let page = q.page.trim().parse::<i64>().unwrap_or(1).clamp(1, 10_000);
    let open = match page {
        1 => queries::open_list(db, can.id, access.me.id).await?,
        _ => Vec::new(),
    };
    let mut decided =
        queries::decided_list(db, can.id, PER_PAGE + 1, (page - 1) * PER_PAGE).await?;
    let older = decided.len() as i64 > PER_PAGE;
    decided.truncate(PER_PAGE as usize);
    let now = Utc::now();
    Ok(ListPage {
        nav: CanNav::new(can, &access.membership, Section::Proposals),
        open: open
            .into_iter()
            .map(|p| OpenView {
                id: p.id,
                title: p.title,
                author: p.author,
                closes: match p.closes_at > now {
                    true => time::datetime_in(p.closes_at, tz),
                    false => "now (its time is up)".into(),
                },
                my_answer: p.my_answer,
                earlier: p.my_answer_earlier,
            })
            .collect(),
        decided: decided
            .into_iter()
            .map(|p| DecidedView {
                id: p.id,
                title: p.title,
                author: p.author,
                status: p.status,
                closed: p
                    .closed_at
                    .map(|t| time::date_in(t, tz))
                    .unwrap_or_default(),
            })
            .collect(),
        page,
        older,
        can_propose: access.membership.is_active(),
        ctx,
    })
}
