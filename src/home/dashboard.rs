//! The front page: what Canopy is for someone new; for a signed-in member, their dashboard with
//! what is waiting on them, the CANs they belong to, the meetings coming up and what they carry.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use uuid::Uuid;

use super::waiting::{self, Waiting};
use crate::AppState;
use crate::cans::model::MembershipStatus;
use crate::cans::queries::{self as cans, MyCan};
use crate::error::Result;
use crate::meetings::queries::upcoming::{self as queries, Upcoming};
use crate::responsibilities::model::HoldingKind;
use crate::web::{Layout, SignedIn, time};

/// A meeting coming up, in the member's own zone.
pub struct ComingUp {
    pub meeting: Upcoming,
    pub when: String,
}

/// A responsibility the member carries or backs up.
pub struct Carried {
    pub slug: String,
    pub id: Uuid,
    pub title: String,
    pub can_name: String,
    pub kind: HoldingKind,
    pub due: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    ctx: Layout,
    cans: Vec<MyCan>,
    mine: Vec<Carried>,
    upcoming: Vec<ComingUp>,
    waiting: Vec<Waiting>,
    /// The list spans CANs, so each item names its CAN.
    show_can: bool,
}

/// A member's dashboard, in parts.
#[derive(Default)]
struct Dashboard {
    cans: Vec<MyCan>,
    mine: Vec<Carried>,
    upcoming: Vec<ComingUp>,
    waiting: Vec<Waiting>,
}

pub async fn page(State(state): State<AppState>, ctx: Layout) -> Result<HomePage> {
    let d = match &ctx.member {
        Some(m) => dashboard(&state, m).await?,
        None => Dashboard::default(),
    };
    Ok(HomePage {
        ctx,
        cans: d.cans,
        mine: d.mine,
        upcoming: d.upcoming,
        waiting: d.waiting,
        show_can: true,
    })
}

async fn dashboard(state: &AppState, m: &SignedIn) -> Result<Dashboard> {
    let waiting = waiting::for_member(&state.db, m.id, None, chrono::Utc::now()).await?;
    let cans = cans::my_cans(&state.db, m.id).await?;
    let mine = crate::responsibilities::queries::mine(&state.db, m.id)
        .await?
        .into_iter()
        .map(|r| Carried {
            kind: r.kind,
            slug: r.slug,
            id: r.id,
            title: r.title,
            can_name: r.can_name,
            due: r.due_on.map(time::date),
        })
        .collect();
    let upcoming = queries::upcoming_for(&state.db, m.id)
        .await?
        .into_iter()
        .map(|meeting| ComingUp {
            when: crate::meetings::when(meeting.starts_at, meeting.ends_at, m.time_zone),
            meeting,
        })
        .collect();
    Ok(Dashboard {
        cans,
        mine,
        upcoming,
        waiting,
    })
}
