//! The stage guide: where the group is, the next steps, moving on (or back) and the thresholds.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

use crate::AppState;
use crate::cans::access::{CanAccess, Member, Organiser, Requirement};
use crate::cans::model::{Stage, StageMark};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::stages::attention::Viewer;
use crate::stages::forms::{CriteriaForm, MoveForm, StageMove};
use crate::stages::guide::{self, Criteria, Step};
use crate::stages::moves::{self, Moved};
use crate::stages::queries::{self, Transition};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, time, unprocessable};

/// A move on the timeline.
pub struct TimelineEntry {
    pub when: String,
    pub who: String,
    pub from: Stage,
    pub to: Stage,
    pub note: Option<String>,
    /// Moved on before every step was done.
    pub early: bool,
}

impl TimelineEntry {
    fn new(t: Transition, tz: chrono_tz::Tz) -> Self {
        Self {
            when: time::datetime_in(t.moved_at, tz),
            early: !t.criteria_met && t.from_stage.next() == Some(t.to_stage),
            who: t.moved_by,
            from: t.from_stage,
            to: t.to_stage,
            note: Some(t.note).filter(|n| !n.is_empty()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "stages/stage.html")]
pub struct StagePage {
    ctx: Layout,
    nav: CanNav,
    stages: Vec<StageMark>,
    /// The steps towards the next stage, then what needs attention now, as the viewer may read it.
    steps: Vec<Step>,
    ready: bool,
    /// No next stage: the guide lists only what needs attention.
    sustaining: bool,
    next: Option<Stage>,
    previous: Option<Stage>,
    is_organiser: bool,
    criteria: Criteria,
    /// The thresholds' fields: the saved values, or what was typed when it was refused.
    criteria_form: CriteriaForm,
    timeline: Vec<TimelineEntry>,
    errors: FieldErrors,
    note: String,
}

/// What the page shows again after a refused form: the messages and what was typed.
#[derive(Default)]
struct Refused {
    errors: FieldErrors,
    note: String,
    criteria: Option<CriteriaForm>,
}

async fn stage_page_for<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    refused: Refused,
) -> Result<StagePage> {
    let can = &access.can;
    let (criteria, facts) = guide::assess(&state.db, can.id).await?;
    let viewer = Viewer::of(&access.membership);
    let today = time::today_in(can.time_zone);
    let steps = guide::guide(can.stage, &facts, &criteria, viewer, today, &can.slug);
    let (previous, next) = can.stage.neighbours();
    let timeline = queries::transitions(&state.db, can.id).await?;
    Ok(StagePage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Stage),
        stages: can.stage_path(),
        ready: guide::ready(&steps),
        sustaining: can.stage == Stage::Sustaining,
        steps,
        next,
        previous,
        is_organiser: access.membership.is_organiser(),
        criteria_form: refused.criteria.unwrap_or_else(|| criteria.into()),
        criteria,
        timeline: timeline
            .into_iter()
            .map(|t| TimelineEntry::new(t, can.time_zone))
            .collect(),
        errors: refused.errors,
        note: refused.note,
    })
}

pub async fn stage_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<StagePage> {
    stage_page_for(&state, &access, ctx, Refused::default()).await
}

/// Organisers move the group one stage on (with a reason when the steps are not all done) or
/// back for renewal.
pub async fn move_stage(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let refuse = |errors, note| Refused {
        errors,
        note,
        criteria: None,
    };
    let mv = match StageMove::parse(&form, access.can.stage)? {
        Ok(mv) => mv,
        Err(errors) => {
            let refused = refuse(errors, form.note);
            return unprocessable(stage_page_for(&state, &access, ctx, refused).await?);
        }
    };
    let (kind, text) = match moves::move_stage(&state.db, &access, &mv).await? {
        Ok(Moved::Now) => {
            let stage = mv.to.label().to_lowercase();
            let text = format!("The group is now in the {stage} stage.");
            (FlashKind::Success, text)
        }
        Ok(Moved::Already) => {
            let text = "Someone moved the group just now; nothing more was changed.";
            (FlashKind::Info, text.to_string())
        }
        Err(refusal) => {
            let mut errors = FieldErrors::new();
            errors.add("note", refusal.message());
            let refused = refuse(errors, form.note);
            return unprocessable(stage_page_for(&state, &access, ctx, refused).await?);
        }
    };
    access.redirect(&state.db, kind, &text, "/stage").await
}

pub async fn set_criteria(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Form(form): Form<CriteriaForm>,
) -> Result<Response> {
    let criteria = match Criteria::try_from(&form) {
        Ok(c) => c,
        Err(errors) => {
            let refused = Refused {
                errors,
                note: String::new(),
                criteria: Some(form),
            };
            return unprocessable(stage_page_for(&state, &access, ctx, refused).await?);
        }
    };
    moves::set_criteria(&state.db, &access, &criteria).await?;
    let text = "The thresholds are saved; everyone sees them.";
    access
        .redirect(&state.db, FlashKind::Success, text, "/stage#criteria")
        .await
}
