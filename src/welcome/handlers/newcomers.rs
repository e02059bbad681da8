//! `GET /c/{slug}/newcomers` and the organisers' choice of a newcomer's companion. Organisers see
//! every newcomer and those who have not come to anything after 30 days; a welcome companion sees
//! their own newcomers only; anyone else is refused.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Member, Organiser, Requirement};
use crate::cans::model::MembershipStatus;
use crate::cans::nav::{CanNav, Section};
use crate::error::{AppError, Result};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, time, unprocessable};
use crate::welcome::companions::{self, Chosen};
use crate::welcome::forms::{Choice, CompanionForm, ROTATE};
use crate::welcome::queries::{self, Arrival, Willing};
use crate::welcome::{LOOK_BACK_DAYS, NEWCOMER_DAYS};

/// A newcomer as the page lists them.
pub struct NewcomerLine {
    pub id: Uuid,
    pub name: String,
    pub arrived: String,
    pub away: bool,
    pub companion: Option<(Uuid, String)>,
    /// Their companion is no longer an active member.
    pub companion_gone: bool,
    pub came: bool,
    pub hoped: bool,
    pub said_yes: bool,
    /// What the choice form selects: the companion now, or what was just submitted.
    pub selected: String,
    /// This newcomer's choice was refused: their field carries the message (and is the one the
    /// error summary links to).
    pub failed: bool,
    /// The field's id on the page.
    pub field: String,
}

/// Someone who joined more than 30 days ago and has not come to a meeting.
pub struct NotComeLine {
    pub id: Uuid,
    pub name: String,
    pub arrived: String,
    /// "Olu on 3 December 2026".
    pub reached: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "welcome/newcomers.html")]
pub struct NewcomersPage {
    ctx: Layout,
    nav: CanNav,
    /// Organisers see everyone and choose companions; a companion sees their own newcomers.
    organiser: bool,
    newcomers: Vec<NewcomerLine>,
    not_come: Vec<NotComeLine>,
    willing: Vec<Willing>,
    errors: FieldErrors,
    newcomer_days: i32,
    look_back_days: i32,
    rotate: &'static str,
}

/// A refused choice, shown again beside that newcomer's field.
struct Refused<'a> {
    member_id: Uuid,
    typed: &'a str,
    errors: FieldErrors,
}

async fn render(
    state: &AppState,
    access: &CanAccess<impl Requirement>,
    ctx: Layout,
    refused: Option<Refused<'_>>,
) -> Result<NewcomersPage> {
    let (can, db) = (&access.can, &state.db);
    let organiser = access.membership.is_organiser();
    if !organiser && !queries::welcomes(db, can.id, access.me.id).await? {
        return Err(AppError::Forbidden(
            "Only the CAN's organisers and welcome companions see its newcomers.",
        ));
    }
    let tz = can.time_zone;
    let (days, companion) = match organiser {
        true => (LOOK_BACK_DAYS, None),
        false => (NEWCOMER_DAYS, Some(access.me.id)),
    };
    let arrivals = queries::arrivals(db, can.id, days, companion).await?;
    let willing = match organiser {
        true => queries::rotation(db, can.id, Uuid::nil(), None).await?,
        false => Vec::new(),
    };
    let since = chrono::Utc::now() - chrono::Duration::days(NEWCOMER_DAYS.into());
    let (recent, older): (Vec<Arrival>, Vec<Arrival>) =
        arrivals.into_iter().partition(|a| a.arrived_at > since);
    let newcomers = recent
        .into_iter()
        .map(|a| {
            let failed = refused.as_ref().is_some_and(|r| r.member_id == a.member_id);
            let selected = match &refused {
                Some(r) if failed => r.typed.to_string(),
                _ => a
                    .companion_id
                    .filter(|_| a.companion_active)
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| ROTATE.to_string()),
            };
            NewcomerLine {
                id: a.member_id,
                arrived: time::date_in(a.arrived_at, tz),
                away: a.status == MembershipStatus::Paused,
                companion_gone: a.companion_id.is_some() && !a.companion_active,
                companion: a.companion_id.zip(a.companion_name),
                came: a.came,
                hoped: a.hoped,
                said_yes: a.said_yes,
                name: a.name,
                selected,
                failed,
                field: match failed {
                    true => "companion".to_string(),
                    false => format!("companion-{}", a.member_id),
                },
            }
        })
        .collect();
    let not_come = older
        .into_iter()
        .filter(|a| a.status == MembershipStatus::Active && !a.came)
        .map(|a| NotComeLine {
            id: a.member_id,
            arrived: time::date_in(a.arrived_at, tz),
            reached: a
                .reached_at
                .zip(a.reached_by)
                .map(|(at, by)| format!("{by} on {}", time::date_in(at, tz))),
            name: a.name,
        })
        .collect();
    let errors = refused.map(|r| r.errors).unwrap_or_default();
    Ok(NewcomersPage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Newcomers),
        organiser,
        newcomers,
        not_come,
        willing,
        errors,
        newcomer_days: NEWCOMER_DAYS,
        look_back_days: LOOK_BACK_DAYS,
        rotate: ROTATE,
    })
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<NewcomersPage> {
    render(&state, &access, ctx, None).await
}

pub async fn choose(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Path((_slug, member_id)): Path<(String, Uuid)>,
    Form(form): Form<CompanionForm>,
) -> Result<Response> {
    let refuse = |errors| Refused {
        member_id,
        typed: form.companion.trim(),
        errors,
    };
    let choice = match Choice::try_from(&form) {
        Ok(c) => c,
        Err(errors) => {
            // A newcomer who names nothing here is not found, before anything about the form.
            if !crate::cans::queries::is_current_member(&state.db, access.can.id, member_id).await?
            {
                return Err(AppError::NotFound);
            }
            return unprocessable(render(&state, &access, ctx, Some(refuse(errors))).await?);
        }
    };
    let base_url = &state.config.public_url;
    let (kind, text) = match companions::choose(&state.db, &access, member_id, choice, base_url)
        .await?
    {
        Chosen::Now {
            newcomer,
            companion,
        } => (
            FlashKind::Success,
            format!("{companion} is now {newcomer}'s welcome companion."),
        ),
        Chosen::Unchanged {
            newcomer,
            companion,
        } => (
            FlashKind::Info,
            format!("{companion} is {newcomer}'s welcome companion already: nothing to change."),
        ),
        Chosen::Refused(why) => {
            let mut errors = FieldErrors::new();
            errors.add("companion", why.message());
            return unprocessable(render(&state, &access, ctx, Some(refuse(errors))).await?);
        }
    };
    access.redirect(&state.db, kind, &text, "/newcomers").await
}
