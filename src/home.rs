//! The front page: what Canopy is for someone new; for a signed-in member, their dashboard with
//! the CANs they belong to.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::AppState;
use crate::cans::model::{MembershipStatus, Role, Stage};
use crate::cans::queries;
use crate::error::Result;
use crate::web::Layout;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

pub struct DashboardCan {
    pub slug: String,
    pub name: String,
    pub place: String,
    pub stage: &'static str,
    pub roles: Vec<&'static str>,
    pub away: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Layout,
    cans: Vec<DashboardCan>,
    /// (can slug, responsibility id, title, CAN name, as carrier or backup, due)
    mine: Vec<(String, String, String, String, String, String)>,
    /// (can slug, meeting id, title, CAN name, when in the member's zone, my answer)
    upcoming: Vec<(String, String, String, String, String, String)>,
}

/// (can slug, meeting id, title, CAN name, starts, ends, my answer)
type UpcomingRow = (
    String,
    uuid::Uuid,
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
    Option<String>,
);

async fn home(State(state): State<AppState>, ctx: Layout) -> Result<HomePage> {
    let cans = match &ctx.member {
        Some(m) => queries::my_cans(&state.db, m.id)
            .await?
            .into_iter()
            .map(|c| DashboardCan {
                stage: Stage::parse(&c.stage).label(),
                roles: Role::ALL
                    .into_iter()
                    .filter(|r| c.roles.iter().any(|s| s == r.as_str()))
                    .map(Role::label)
                    .collect(),
                away: MembershipStatus::parse(&c.status) == MembershipStatus::Paused,
                slug: c.slug,
                name: c.name,
                place: c.place,
            })
            .collect(),
        None => Vec::new(),
    };
    let mine = match &ctx.member {
        Some(m) => crate::responsibilities::queries::mine(&state.db, m.id)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.slug,
                    r.id.to_string(),
                    r.title,
                    r.can_name,
                    r.kind,
                    r.due_on.map(crate::web::time::date).unwrap_or_default(),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let upcoming = match &ctx.member {
        Some(m) => {
            let rows: Vec<UpcomingRow> =
                sqlx::query_as(
                    "SELECT c.slug, g.id, g.title, c.name, g.starts_at, g.ends_at, r.answer
                     FROM meetings g JOIN cans c ON c.id = g.can_id
                     JOIN memberships ms ON ms.can_id = g.can_id AND ms.member_id = $1 AND ms.status <> 'left'
                     LEFT JOIN rsvps r ON r.meeting_id = g.id AND r.member_id = $1
                     WHERE g.status = 'scheduled' AND g.ends_at > now()
                     ORDER BY g.starts_at LIMIT 5",
                )
                .bind(m.id)
                .fetch_all(&state.db)
                .await?;
            rows.into_iter()
                .map(|(slug, id, title, can, starts, ends, answer)| {
                    (
                        slug,
                        id.to_string(),
                        title,
                        can,
                        crate::meetings::when(starts, ends, m.time_zone),
                        answer.unwrap_or_default(),
                    )
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok(HomePage {
        ctx,
        cans,
        mine,
        upcoming,
    })
}
