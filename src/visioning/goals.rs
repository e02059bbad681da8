//! Goals drawn from the adopted vision (set and marked by coordinators and organisers), and the
//! date the group next reviews its vision (set by organisers).

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use super::forms::NewGoal;
use super::model::GoalStatus;
use super::queries;
use crate::cans::access::{CanAccess, Coordinator, Organiser};
use crate::error::{OrNotFound, Result};
use crate::web::time;

/// Goals and review dates need an adopted vision.
pub struct NoVision;

pub async fn create(
    db: &PgPool,
    access: &CanAccess<Coordinator>,
    goal: &NewGoal,
) -> Result<Result<Uuid, NoVision>> {
    let can = &access.can;
    let Some(vision) = queries::adopted_version_id(db, can.id).await? else {
        return Ok(Err(NoVision));
    };
    let mut tx = db.begin().await?;
    let (title, description) = (&goal.title, &goal.description);
    let by = access.me.id;
    let id = queries::insert_goal(&mut *tx, can.id, title, description, Some(vision), by).await?;
    let summary = format!("{} set the goal “{title}”", access.me.display_name);
    access
        .log(&mut tx, "goal.created", ("goal", id), summary)
        .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Marks the goal; returns its title. Another CAN's goal is not found.
pub async fn set_status(
    db: &PgPool,
    access: &CanAccess<Coordinator>,
    id: Uuid,
    status: GoalStatus,
) -> Result<String> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    let title = queries::set_goal_status(&mut *tx, can.id, id, status)
        .await?
        .or_not_found()?;
    let summary = format!(
        "{} marked the goal “{title}” {}",
        access.me.display_name,
        status.label().to_lowercase()
    );
    access
        .log(&mut tx, "goal.status_changed", ("goal", id), summary)
        .await?;
    tx.commit().await?;
    Ok(title)
}

pub async fn set_review(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    on: NaiveDate,
) -> Result<Result<(), NoVision>> {
    let can = &access.can;
    if queries::adopted_version_id(db, can.id).await?.is_none() {
        return Ok(Err(NoVision));
    }
    let mut tx = db.begin().await?;
    queries::set_review_on(&mut *tx, can.id, on).await?;
    let summary = format!(
        "{} set the vision's review for {}",
        access.me.display_name,
        time::date(on)
    );
    access
        .log(&mut tx, "vision.review_set", ("can", can.id), summary)
        .await?;
    tx.commit().await?;
    Ok(Ok(()))
}
