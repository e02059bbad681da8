//! Goals derived from the adopted vision: everyone sees them; organisers and coordinators define
//! them and mark them achieved or set aside.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Coordinator, Member, Requirement};
use crate::cans::activity;
use crate::cans::model::Role;
use crate::cans::nav::CanNav;
use crate::error::{AppError, Result};
use crate::visioning::forms::{GoalForm, GoalStatus, GoalStatusForm, NewGoal};
use crate::visioning::queries;
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, redirect_with_flash, time};

pub struct GoalView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub status: &'static str,
    pub status_value: &'static str,
    pub created: String,
    pub others: Vec<(&'static str, &'static str)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/goals.html")]
pub struct GoalsPage {
    ctx: Layout,
    nav: CanNav,
    goals: Vec<GoalView>,
    has_vision: bool,
    vision_number: i32,
    review: String,
    can_manage: bool,
    is_organiser: bool,
    review_value: String,
    form: GoalForm,
    errors: FieldErrors,
}

async fn goals_page<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    form: GoalForm,
    errors: FieldErrors,
) -> Result<GoalsPage> {
    let can = &access.can;
    let adopted = queries::adopted_vision(&state.db, can.id).await?;
    let review_on = adopted.as_ref().and_then(|a| a.review_on);
    let m = &access.membership;
    Ok(GoalsPage {
        ctx,
        nav: CanNav::new(can, m, "goals"),
        goals: queries::goals(&state.db, can.id)
            .await?
            .into_iter()
            .map(|g| {
                let status = GoalStatus::parse(&g.status).unwrap_or(GoalStatus::Active);
                GoalView {
                    id: g.id.to_string(),
                    title: g.title,
                    description: g.description,
                    status: status.label(),
                    status_value: status.as_str(),
                    created: format!(
                        "{} by {}",
                        time::date_in(g.created_at, can.time_zone),
                        g.created_by
                    ),
                    others: GoalStatus::ALL
                        .into_iter()
                        .filter(|s| *s != status)
                        .map(|s| (s.as_str(), s.label()))
                        .collect(),
                }
            })
            .collect(),
        has_vision: adopted.is_some(),
        vision_number: adopted.as_ref().map(|a| a.number).unwrap_or(0),
        review: adopted
            .and_then(|a| a.review_on)
            .map(time::date)
            .unwrap_or_default(),
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
    goals_page(
        &state,
        &access,
        ctx,
        GoalForm::default(),
        FieldErrors::new(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Form(form): Form<GoalForm>,
) -> Result<Response> {
    let can = &access.can;
    let vision = queries::adopted_version_id(&state.db, can.id).await?;
    let parsed = NewGoal::try_from(&form).and_then(|g| match vision {
        Some(_) => Ok(g),
        None => {
            let mut errors = FieldErrors::new();
            errors.add(
                "title",
                "Goals come from the adopted vision: adopt a vision by consent first.",
            );
            Err(errors)
        }
    });
    let goal = match parsed {
        Ok(g) => g,
        Err(errors) => {
            let page = goals_page(&state, &access, ctx, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let id = queries::insert_goal(
        &mut *tx,
        can.id,
        &goal.title,
        &goal.description,
        vision,
        access.me.id,
    )
    .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "goal.created",
        ("goal", id),
        format!("{} set the goal “{}”", access.me.display_name, goal.title),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &format!("The goal “{}” is set.", goal.title),
        &format!("/c/{}/goals", can.slug),
    )
    .await
}

pub async fn set_status(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<GoalStatusForm>,
) -> Result<Response> {
    let can = &access.can;
    let status = GoalStatus::parse(&form.status)
        .ok_or(AppError::BadRequest("That is not a goal status we know."))?;
    let mut tx = state.db.begin().await?;
    let title = queries::set_goal_status(&mut *tx, can.id, id, status.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "goal.status_changed",
        ("goal", id),
        format!(
            "{} marked the goal “{title}” {}",
            access.me.display_name,
            status.label().to_lowercase()
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &format!("“{title}” is now {}.", status.label().to_lowercase()),
        &format!("/c/{}/goals", can.slug),
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    review_on: String,
}

/// Organisers set when the group next revisits its vision (a year after adoption by default).
pub async fn set_review(
    State(state): State<AppState>,
    access: CanAccess<crate::cans::access::Organiser>,
    ctx: Layout,
    Form(form): Form<ReviewForm>,
) -> Result<Response> {
    let can = &access.can;
    let today = time::today_in(can.time_zone);
    let mut errors = FieldErrors::new();
    let date = errors.check(
        "review_on",
        match chrono::NaiveDate::parse_from_str(form.review_on.trim(), "%Y-%m-%d") {
            Ok(d) if d >= today && d <= today + chrono::Duration::days(5 * 366) => Ok(d),
            Ok(_) => Err("Choose a date from today to five years ahead.".to_string()),
            Err(_) => Err("Enter the date as year-month-day, like 2027-11-01.".to_string()),
        },
    );
    let has_vision = queries::adopted_version_id(&state.db, can.id)
        .await?
        .is_some();
    if !has_vision {
        errors.add("review_on", "There is no adopted vision to review yet.");
    }
    let (Some(date), true) = (date, errors.is_empty()) else {
        let page = goals_page(&state, &access, ctx, GoalForm::default(), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE cans SET vision_review_on = $2 WHERE id = $1")
        .bind(can.id)
        .bind(date)
        .execute(&mut *tx)
        .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "vision.review_set",
        ("can", can.id),
        format!(
            "{} set the vision's review for {}",
            access.me.display_name,
            time::date(date)
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &format!("The vision is to be reviewed by {}.", time::date(date)),
        &format!("/c/{}/goals", can.slug),
    )
    .await
}
