//! A CAN's overview at `/c/{slug}`: for members, where the group is and what comes next, its
//! vision, the next meeting and who is in it; for everyone else, the public page of a listed CAN.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use uuid::Uuid;

use super::waiting::{self, Waiting};
use crate::AppState;
use crate::cans::access::CanViewer;
use crate::cans::model::{Can, Membership, MembershipStatus, Role, StageMark};
use crate::cans::nav::{CanNav, Section};
use crate::cans::queries::{self as cans, MemberLine};
use crate::error::Result;
use crate::meetings::queries::upcoming as queries;
use crate::stages::attention::Viewer;
use crate::stages::guide::{self, Step};
use crate::web::{Layout, time};

/// A member as the overview lists them.
pub struct MemberBadge {
    pub member_id: Uuid,
    pub name: String,
    pub roles: Vec<Role>,
    pub away: bool,
}

impl MemberBadge {
    fn new(m: MemberLine) -> Self {
        Self {
            away: m.status == MembershipStatus::Paused,
            member_id: m.member_id,
            name: m.display_name,
            roles: m.roles,
        }
    }
}

/// The adopted vision: its text and the day it was adopted.
pub struct VisionSummary {
    pub body: String,
    pub adopted: String,
}

/// The next meeting, in the group's zone.
pub struct MeetingSummary {
    pub id: Uuid,
    pub title: String,
    pub when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/can.html")]
pub struct OverviewPage {
    ctx: Layout,
    nav: CanNav,
    can: Can,
    stages: Vec<StageMark>,
    members: Vec<MemberBadge>,
    my_roles: Vec<Role>,
    paused: bool,
    /// "14 January 2027": the day they said they would be back, while away.
    away_until: Option<String>,
    /// What waits on the caller in this CAN (join requests among them, for organisers).
    waiting: Vec<Waiting>,
    /// The list is of this CAN only: no need to name it.
    show_can: bool,
    created: String,
    vision: Option<VisionSummary>,
    /// The stage guide as this member may read it (who drifts only to organisers and facilitators).
    steps: Vec<Step>,
    next_meeting: Option<MeetingSummary>,
}

pub async fn overview(
    State(state): State<AppState>,
    viewer: CanViewer,
    ctx: Layout,
) -> Result<Response> {
    match viewer.membership {
        Some(membership) => Ok(members_page(&state, ctx, viewer.can, membership)
            .await?
            .into_response()),
        None => crate::cans::public_page(&state, ctx, viewer.can, viewer.me.as_ref()).await,
    }
}

/// Each area's part of the overview, asked for in turn.
async fn members_page(
    state: &AppState,
    ctx: Layout,
    can: Can,
    membership: Membership,
) -> Result<OverviewPage> {
    let db = &state.db;
    let tz = can.time_zone;
    let waiting = waiting::for_member(db, membership.member_id, Some(can.id), Utc::now()).await?;
    let members = cans::members(db, can.id).await?;
    let vision = crate::visioning::queries::adopted_vision(db, can.id)
        .await?
        .map(|v| VisionSummary {
            body: v.body,
            adopted: time::date_in(v.adopted_at, tz),
        });
    let next_meeting = queries::next_meeting(db, can.id)
        .await?
        .map(|g| MeetingSummary {
            when: crate::meetings::when(g.starts_at, g.ends_at, tz),
            id: g.id,
            title: g.title,
        });
    Ok(OverviewPage {
        ctx,
        vision,
        steps: guide::next_steps(db, &can, Viewer::of(&membership)).await?,
        next_meeting,
        nav: CanNav::new(&can, &membership, Section::Overview),
        created: time::date_in(can.created_at, tz),
        my_roles: membership.roles.clone(),
        paused: !membership.is_active(),
        away_until: membership.away_until.map(time::date),
        waiting,
        show_can: false,
        members: members
            .into_iter()
            .filter(|m| m.status != MembershipStatus::Left)
            .map(MemberBadge::new)
            .collect(),
        stages: can.stage_path(),
        can,
    })
}
