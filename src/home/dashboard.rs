//! The front page: what Canopy is for someone new; for a signed-in member, their dashboard with
//! the CANs they belong to, the meetings coming up and what they carry.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use uuid::Uuid;

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
}

pub async fn page(State(state): State<AppState>, ctx: Layout) -> Result<HomePage> {
    let (cans, mine, upcoming) = match &ctx.member {
        Some(m) => dashboard(&state, m).await?,
        None => Default::default(),
    };
    Ok(HomePage {
        ctx,
        cans,
        mine,
        upcoming,
    })
}

async fn dashboard(
    state: &AppState,
    m: &SignedIn,
) -> Result<(Vec<MyCan>, Vec<Carried>, Vec<ComingUp>)> {
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
    Ok((cans, mine, upcoming))
}
