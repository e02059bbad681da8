//! Changes to one occurrence of a meeting: moving or cancelling it alone (the rest of its series
//! stays), who facilitates and takes notes, and members' answers to "are you coming?". Each runs
//! in one transaction with its activity line.

use sqlx::PgPool;

use super::access::MeetingAccess;
use super::forms::{NewTime, Roles};
use super::model::Rsvp;
use super::{queries, when};
use crate::cans::access::{ActiveMember, Facilitator};
use crate::error::Result;
use crate::web::time;

pub enum MoveOutcome {
    Moved,
    /// Held or cancelled meetings stay where they were.
    NotScheduled,
}

/// Moves this meeting only; calendars see the change and the reminder goes out again.
pub async fn move_to(
    db: &PgPool,
    access: &MeetingAccess<Facilitator>,
    to: NewTime,
) -> Result<MoveOutcome> {
    let tz = access.can.time_zone;
    let span = to.span(tz);
    let mut tx = db.begin().await?;
    if !queries::move_to(&mut tx, access.can.id, access.id(), span).await? {
        return Ok(MoveOutcome::NotScheduled);
    }
    let summary = format!(
        "{} moved “{}” to {}",
        access.me.display_name,
        access.meeting.title,
        when(span.0, span.1, tz)
    );
    access
        .log(&mut tx, "meeting.moved", ("meeting", access.id()), summary)
        .await?;
    tx.commit().await?;
    Ok(MoveOutcome::Moved)
}

pub enum CancelOutcome {
    Cancelled,
    NotScheduled,
}

/// Cancels this meeting only; the other meetings of its series are unchanged.
pub async fn cancel(db: &PgPool, access: &MeetingAccess<Facilitator>) -> Result<CancelOutcome> {
    let mut tx = db.begin().await?;
    if !queries::cancel(&mut tx, access.can.id, access.id()).await? {
        return Ok(CancelOutcome::NotScheduled);
    }
    let g = &access.meeting;
    let summary = format!(
        "{} cancelled “{}” on {}",
        access.me.display_name,
        g.title,
        time::date_in(g.starts_at, access.can.time_zone)
    );
    access
        .log(&mut tx, "meeting.cancelled", ("meeting", g.id), summary)
        .await?;
    tx.commit().await?;
    Ok(CancelOutcome::Cancelled)
}

pub enum RsvpOutcome {
    Answered(Rsvp),
    /// A cancelled meeting takes no answers.
    Cancelled,
}

pub async fn rsvp(
    db: &PgPool,
    access: &MeetingAccess<ActiveMember>,
    answer: Rsvp,
) -> Result<RsvpOutcome> {
    let mut tx = db.begin().await?;
    let locked = queries::lock(&mut tx, access.can.id, access.id()).await?;
    if locked.is_none_or(|g| g.status.is_cancelled()) {
        return Ok(RsvpOutcome::Cancelled);
    }
    queries::set_rsvp(&mut *tx, access.can.id, access.id(), access.me.id, answer).await?;
    tx.commit().await?;
    Ok(RsvpOutcome::Answered(answer))
}

/// Sets who facilitates and who takes notes (both already checked to be active members).
pub async fn set_roles(
    db: &PgPool,
    access: &MeetingAccess<Facilitator>,
    roles: Roles,
) -> Result<()> {
    let mut tx = db.begin().await?;
    queries::set_roles(
        &mut tx,
        access.can.id,
        access.id(),
        roles.facilitator,
        roles.note_taker,
    )
    .await?;
    let summary = format!(
        "{} set who facilitates and takes notes at “{}”",
        access.me.display_name, access.meeting.title
    );
    access
        .log(
            &mut tx,
            "meeting.roles_set",
            ("meeting", access.id()),
            summary,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}
