//! Goals derived from the adopted vision: everyone sees them; organisers and coordinators define
//! them and mark them achieved or set aside; organisers set when the vision is reviewed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Coordinator, Member, Organiser, Requirement};
use crate::cans::model::Role;
use crate::cans::nav::{CanNav, Section};
use crate::error::{AppError, Result};
use crate::visioning::forms::{self, GoalForm, GoalStatus, GoalStatusForm, NewGoal, ReviewForm};
use crate::visioning::goals::{self, NoVision};
use crate::visioning::queries::{self, Goal};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, time, unprocessable};

pub struct GoalView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub status: GoalStatus,
    pub created: String,
    pub created_by: String,
}

impl GoalView {
    fn new(g: Goal, tz: chrono_tz::Tz) -> Self {
        Self {
            id: g.id,
            title: g.title,
            description: g.description,
            status: g.status,
            created: time::date_in(g.created_at, tz),
            created_by: g.created_by,
        }
    }

    /// The statuses it can be marked as.
    pub fn others(&self) -> impl Iterator<Item = GoalStatus> + '_ {
        GoalStatus::ALL.into_iter().filter(|s| *s != self.status)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/goals.html")]
pub struct GoalsPage {
    ctx: Layout,
    nav: CanNav,
    goals: Vec<GoalView>,
    /// The adopted vision's number, if there is one.
    vision_number: Option<i32>,
    review_on: Option<NaiveDate>,
    can_manage: bool,
    is_organiser: bool,
    /// The review date's field: the saved date, or what was typed when it was refused.
    review_value: String,
    form: GoalForm,
    errors: FieldErrors,
}

impl GoalsPage {
    fn review(&self) -> Option<String> {
        self.review_on.map(time::date)
    }
}

async fn goals_page<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    form: GoalForm,
    errors: FieldErrors,
) -> Result<GoalsPage> {
    let (can, m) = (&access.can, &access.membership);
    let adopted = queries::adopted_vision(&state.db, can.id).await?;
    let review_on = adopted.as_ref().and_then(|a| a.review_on);
    let goals = queries::goals(&state.db, can.id).await?;
    Ok(GoalsPage {
        ctx,
        nav: CanNav::new(can, m, Section::Goals),
        goals: goals
            .into_iter()
            .map(|g| GoalView::new(g, can.time_zone))
            .collect(),
        vision_number: adopted.map(|a| a.number),
        review_on,
        can_manage: m.is_active() && (m.has(Role::Organiser) || m.has(Role::Coordinator)),
        is_organiser: m.is_organiser(),
        review_value: review_on
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        form,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<GoalsPage> {
    let (form, errors) = (GoalForm::default(), FieldErrors::new());
    goals_page(&state, &access, ctx, form, errors).await
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Form(form): Form<GoalForm>,
) -> Result<Response> {
    let refused = match NewGoal::try_from(&form) {
        Ok(goal) => match goals::create(&state.db, &access, &goal).await? {
            Ok(_) => {
                let text = format!("The goal “{}” is set.", goal.title);
                return access
                    .redirect(&state.db, FlashKind::Success, &text, "/goals")
                    .await;
            }
            Err(NoVision) => {
                let mut errors = FieldErrors::new();
                errors.add(
                    "title",
                    "Goals come from the adopted vision: adopt a vision by consent first.",
                );
                errors
            }
        },
        Err(errors) => errors,
    };
    unprocessable(goals_page(&state, &access, ctx, form, refused).await?)
}

pub async fn set_status(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<GoalStatusForm>,
) -> Result<Response> {
    let status = GoalStatus::parse(&form.status)
        .ok_or(AppError::BadRequest("That is not a goal status we know."))?;
    let title = goals::set_status(&state.db, &access, id, status).await?;
    let text = format!("“{title}” is now {}.", status.label().to_lowercase());
    access
        .redirect(&state.db, FlashKind::Success, &text, "/goals")
        .await
}

/// Organisers set when the group next revisits its vision (a year after adoption by default).
pub async fn set_review(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Form(form): Form<ReviewForm>,
) -> Result<Response> {
    let today = time::today_in(access.can.time_zone);
    let errors = match forms::review_date(&form, today) {
        Ok(date) => match goals::set_review(&state.db, &access, date).await? {
            Ok(()) => {
                let text = format!("The vision is to be reviewed by {}.", time::date(date));
                return access
                    .redirect(&state.db, FlashKind::Success, &text, "/goals")
                    .await;
            }
            Err(NoVision) => {
                let mut errors = FieldErrors::new();
                errors.add("review_on", "There is no adopted vision to review yet.");
                errors
            }
        },
        Err(errors) => errors,
    };
    let form = GoalForm::default();
    unprocessable(goals_page(&state, &access, ctx, form, errors).await?)
}
