//! The record of a meeting, kept by those who run it: who came, the minutes (with a version
//! check, so two note-takers never overwrite each other), decisions, action items (ticked off by
//! their owner too), and closing the meeting, which carries its open agenda items to the next
//! meeting of the series once. Each change runs in one transaction with its activity line.

use chrono::Utc;
use sqlx::PgPool;
use uuid::Uuid;

use super::access::{MeetingAccess, Runner};
use super::forms::NewAction;
use super::queries::{self, agenda, record};
use crate::cans::access::ActiveMember;
use crate::error::{OrNotFound, Result};

/// Attendance, and closing a meeting, wait until it is at most this near.
fn has_begun_enough(starts_at: chrono::DateTime<Utc>) -> bool {
    starts_at <= Utc::now() + chrono::Duration::hours(1)
}

pub enum AttendanceOutcome {
    /// How many are recorded as present.
    Saved(u64),
    Cancelled,
    /// Attendance is taken at or after the meeting.
    TooEarly,
}

/// Records who came (current members only) and marks a meeting that has begun as held.
pub async fn attendance(
    db: &PgPool,
    access: &MeetingAccess<Runner>,
    present: &[Uuid],
) -> Result<AttendanceOutcome> {
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    let locked = queries::lock(&mut tx, can_id, id).await?.or_not_found()?;
    if locked.status.is_cancelled() {
        return Ok(AttendanceOutcome::Cancelled);
    }
    if !has_begun_enough(locked.starts_at) {
        return Ok(AttendanceOutcome::TooEarly);
    }
    let n = record::set_attendance(&mut tx, can_id, id, present, access.me.id).await?;
    queries::mark_held(&mut tx, can_id, id, false).await?;
    let summary = format!(
        "{} recorded {n} present at “{}”",
        access.me.display_name, access.meeting.title
    );
    access
        .log(&mut tx, "meeting.attendance", ("meeting", id), summary)
        .await?;
    tx.commit().await?;
    Ok(AttendanceOutcome::Saved(n))
}

/// Minutes as saved: the text and its version (each save makes the next).
pub struct SavedMinutes {
    pub text: String,
    pub version: i32,
}

pub enum MinutesOutcome {
    Saved,
    /// Someone saved first: what they saved.
    Stale {
        latest: SavedMinutes,
    },
}

/// Saves the minutes written on `version`, unless someone saved a newer version meanwhile.
pub async fn minutes(
    db: &PgPool,
    access: &MeetingAccess<Runner>,
    text: &str,
    version: i32,
) -> Result<MinutesOutcome> {
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    if !record::save_minutes(&mut tx, (can_id, id), text, version, access.me.id).await? {
        drop(tx);
        let latest = queries::meeting(db, can_id, id)
            .await?
            .unwrap_or_else(|| access.meeting.clone());
        return Ok(MinutesOutcome::Stale {
            latest: SavedMinutes {
                text: latest.minutes,
                version: latest.minutes_version,
            },
        });
    }
    let summary = format!(
        "{} saved the minutes of “{}”",
        access.me.display_name, access.meeting.title
    );
    access
        .log(&mut tx, "meeting.minutes", ("meeting", id), summary)
        .await?;
    tx.commit().await?;
    Ok(MinutesOutcome::Saved)
}

pub async fn decide(db: &PgPool, access: &MeetingAccess<Runner>, body: &str) -> Result<()> {
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    record::insert_decision(&mut tx, (can_id, id), body, access.me.id).await?;
    let summary = format!(
        "{} recorded a decision at “{}”: {}",
        access.me.display_name, access.meeting.title, body
    );
    access
        .log(&mut tx, "meeting.decision", ("meeting", id), summary)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_action(
    db: &PgPool,
    access: &MeetingAccess<Runner>,
    action: &NewAction,
) -> Result<()> {
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    let new = record::NewAction {
        title: &action.title,
        owner: action.owner,
        due_on: action.due_on,
    };
    record::insert_action(&mut tx, (can_id, id), &new, access.me.id).await?;
    let summary = format!(
        "{} noted an action at “{}”: {}",
        access.me.display_name, access.meeting.title, action.title
    );
    access
        .log(&mut tx, "meeting.action", ("meeting", id), summary)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub enum ActionDoneOutcome {
    /// Ticked off now, or it was done already.
    Done,
    /// Only its owner, and the group's facilitators and organisers, tick it off.
    NotYours,
    NotFound,
}

/// Ticks an action item of this CAN off (it may come from an earlier meeting).
pub async fn action_done(
    db: &PgPool,
    access: &MeetingAccess<ActiveMember>,
    action: Uuid,
) -> Result<ActionDoneOutcome> {
    let can_id = access.can.id;
    let mut tx = db.begin().await?;
    let anyone = access.schedules();
    if record::mark_action_done(&mut tx, can_id, action, access.me.id, anyone).await? {
        tx.commit().await?;
        return Ok(ActionDoneOutcome::Done);
    }
    Ok(
        match record::action_status(&mut tx, can_id, action).await? {
            None => ActionDoneOutcome::NotFound,
            Some(status) if status.is_open() => ActionDoneOutcome::NotYours,
            Some(_) => ActionDoneOutcome::Done,
        },
    )
}

pub enum FinishOutcome {
    /// Closed; `carried` open items went to the series' `next` meeting (the first time only).
    Closed {
        carried: u64,
        next: Option<Uuid>,
    },
    Cancelled,
    /// A meeting is closed once it has taken place.
    NotYet,
}

/// Marks the meeting held and, the first time, carries its open agenda items forward.
pub async fn finish(db: &PgPool, access: &MeetingAccess<Runner>) -> Result<FinishOutcome> {
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    let locked = queries::lock(&mut tx, can_id, id).await?.or_not_found()?;
    if locked.status.is_cancelled() {
        return Ok(FinishOutcome::Cancelled);
    }
    if !has_begun_enough(locked.starts_at) {
        return Ok(FinishOutcome::NotYet);
    }
    queries::mark_held(&mut tx, can_id, id, true).await?;
    let (mut carried, mut next) = (0, None);
    if !locked.carried_forward
        && let Some(series_id) = access.meeting.series_id
    {
        next = queries::next_in_series(&mut tx, can_id, series_id, locked.starts_at).await?;
        if let Some(next_id) = next {
            // Lock the next meeting's agenda while adding to it.
            queries::lock(&mut tx, can_id, next_id).await?;
            carried = agenda::carry_open_items(&mut tx, can_id, id, next_id).await?;
            record::mark_carried_forward(&mut tx, id).await?;
        }
    }
    let summary = format!(
        "{} closed “{}”; {carried} open agenda item(s) carried forward",
        access.me.display_name, access.meeting.title
    );
    access
        .log(&mut tx, "meeting.finished", ("meeting", id), summary)
        .await?;
    tx.commit().await?;
    Ok(FinishOutcome::Closed { carried, next })
}
