//! Scheduling: a regular series or a one-off meeting, and changing a series (future, not
//! individually moved occurrences follow; see `series`). Each runs in one transaction with its
//! activity line.

use sqlx::PgPool;
use uuid::Uuid;

use super::forms::Schedule;
use super::series;
use crate::cans::access::{CanAccess, Facilitator};
use crate::error::{AppError, OrNotFound, Result};
use crate::web::time;

/// What scheduling made.
pub enum Scheduled {
    Series(Uuid),
    Meeting(Uuid),
}

pub async fn create(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    schedule: &Schedule,
) -> Result<Scheduled> {
    let can = &access.can;
    let today = time::today_in(can.time_zone);
    let mut tx = db.begin().await?;
    let made = match series::create(
        &mut tx,
        can.id,
        can.time_zone,
        schedule,
        access.me.id,
        today,
    )
    .await?
    {
        (Some(id), _) => Scheduled::Series(id),
        (None, Some(id)) => Scheduled::Meeting(id),
        (None, None) => return Err(AppError::internal("scheduling made nothing")),
    };
    let (action, subject_type, subject_id) = match made {
        Scheduled::Series(id) => ("meeting_series.created", "meeting_series", id),
        Scheduled::Meeting(id) => ("meeting.created", "meeting", id),
    };
    let repeat = schedule
        .repeat
        .map(|r| format!(", {}", r.describe()))
        .unwrap_or_default();
    let summary = format!(
        "{} scheduled “{}”{repeat}",
        access.me.display_name, schedule.title
    );
    access
        .log(&mut tx, action, (subject_type, subject_id), summary)
        .await?;
    tx.commit().await?;
    Ok(made)
}

/// What changing a series did beyond the series itself.
pub struct Edited {
    /// Future meetings without an agenda that now start with the series' template.
    pub agendas_filled: usize,
}

/// Changes a series and applies the change to its future, the agenda template included (to
/// future meetings that have no agenda yet).
pub async fn edit(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    id: Uuid,
    schedule: &Schedule,
) -> Result<Edited> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    let before = series::series(&mut tx, can.id, id).await?.or_not_found()?;
    // The series keeps the zone it was made in (the CAN's may have changed since): its dates
    // and "today" are in that zone, as the clock that extends it reads them.
    let today = time::today_in(before.time_zone);
    series::update(&mut tx, id, can.id, schedule).await?;
    let changed = series::series(&mut tx, can.id, id).await?.or_not_found()?;
    series::reschedule(&mut tx, &changed, today).await?;
    let agendas_filled = series::apply_template(&mut tx, &changed, access.me.id).await?;
    let summary = format!(
        "{} changed the series “{}”",
        access.me.display_name, schedule.title
    );
    access
        .log(
            &mut tx,
            "meeting_series.updated",
            ("meeting_series", id),
            summary,
        )
        .await?;
    tx.commit().await?;
    Ok(Edited { agendas_filled })
}
