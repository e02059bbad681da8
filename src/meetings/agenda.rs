//! A meeting's agenda: members propose items; those who run the meeting reorder them and mark
//! them done or dropped. Each change holds the meeting's lock, so positions stay distinct.

use sqlx::PgPool;
use uuid::Uuid;

use super::access::{MeetingAccess, Runner};
use super::forms::{AgendaChange, NewAgendaItem};
use super::queries::{self, agenda};
use crate::cans::access::ActiveMember;
use crate::error::{OrNotFound, Result};

pub enum AddOutcome {
    Added,
    /// A cancelled meeting takes no items; propose it for another one.
    Cancelled,
}

pub async fn add(
    db: &PgPool,
    access: &MeetingAccess<ActiveMember>,
    item: &NewAgendaItem,
) -> Result<AddOutcome> {
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    let locked = queries::lock(&mut tx, can_id, id).await?.or_not_found()?;
    if locked.status.is_cancelled() {
        return Ok(AddOutcome::Cancelled);
    }
    let new = agenda::NewItem {
        can_id,
        meeting_id: id,
        title: &item.title,
        owner: item.owner,
        minutes_budget: item.minutes_budget,
        proposed_by: access.me.id,
    };
    agenda::append(&mut tx, &new).await?;
    let summary = format!(
        "{} proposed “{}” for “{}”",
        access.me.display_name, item.title, access.meeting.title
    );
    access
        .log(&mut tx, "meeting.agenda_item", ("meeting", id), summary)
        .await?;
    tx.commit().await?;
    Ok(AddOutcome::Added)
}

/// Moves an item up or down one place, or sets its status. An item of another meeting is 404.
pub async fn change(
    db: &PgPool,
    access: &MeetingAccess<Runner>,
    item: Uuid,
    change: AgendaChange,
) -> Result<()> {
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    queries::lock(&mut tx, can_id, id).await?.or_not_found()?;
    let position = agenda::lock_item(&mut tx, can_id, id, item)
        .await?
        .or_not_found()?;
    match change {
        AgendaChange::Up | AgendaChange::Down => {
            let earlier = change == AgendaChange::Up;
            if let Some((other, other_position)) =
                agenda::neighbour(&mut tx, id, position, earlier).await?
            {
                agenda::set_position(&mut tx, item, other_position).await?;
                agenda::set_position(&mut tx, other, position).await?;
            }
        }
        AgendaChange::Status(status) => agenda::set_status(&mut tx, item, status).await?,
    }
    // Ordering it is looking at it: the proposals so far are no longer waiting to be ordered.
    agenda::mark_reviewed(&mut tx, can_id, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Those who run the meeting say the agenda's order is right as it is: the proposals so far no
/// longer wait on them to be ordered.
pub async fn reviewed(db: &PgPool, access: &MeetingAccess<Runner>) -> Result<()> {
    let mut tx = db.begin().await?;
    queries::lock(&mut tx, access.can.id, access.id())
        .await?
        .or_not_found()?;
    agenda::mark_reviewed(&mut tx, access.can.id, access.id()).await?;
    tx.commit().await?;
    Ok(())
}

pub enum NextOutcome {
    /// The item now under way (the one before it, if any, is done).
    Started(String),
    /// The last item is done: nothing is left on the agenda.
    Finished,
    /// A cancelled meeting is not run.
    Cancelled,
    /// Someone else moved on since the page was shown (or the press came twice): nothing changes.
    AlreadyMoved,
}

/// "Next item": marks the item under way done and starts the clock of the next open one (the
/// first one, when none is under way yet).
/// `from` is the item the person saw under way (`None`: none was), so two presses — or two
/// people running the meeting — move on once, not twice.
pub async fn next(
    db: &PgPool,
    access: &MeetingAccess<Runner>,
    from: Option<Uuid>,
) -> Result<NextOutcome> {
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    let locked = queries::lock(&mut tx, can_id, id).await?.or_not_found()?;
    if locked.status.is_cancelled() {
        return Ok(NextOutcome::Cancelled);
    }
    let current = agenda::lock_current(&mut tx, id).await?;
    if current != from {
        return Ok(NextOutcome::AlreadyMoved);
    }
    if let Some(current) = current {
        agenda::finish(&mut tx, current).await?;
    }
    let outcome = match agenda::next_untouched(&mut tx, id).await? {
        Some((item, title)) => {
            agenda::start(&mut tx, item).await?;
            let summary = format!(
                "{} took up “{title}” at “{}”",
                access.me.display_name, access.meeting.title
            );
            access
                .log(&mut tx, "meeting.agenda_next", ("meeting", id), summary)
                .await?;
            NextOutcome::Started(title)
        }
        None => NextOutcome::Finished,
    };
    tx.commit().await?;
    Ok(outcome)
}

pub enum NoteOutcome {
    Saved,
    /// Notes go against the item under way, and none is.
    NothingUnderWay,
}

/// Keeps a note against the item under way (replacing its earlier note).
pub async fn note(db: &PgPool, access: &MeetingAccess<Runner>, text: &str) -> Result<NoteOutcome> {
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    queries::lock(&mut tx, can_id, id).await?.or_not_found()?;
    let Some(current) = agenda::lock_current(&mut tx, id).await? else {
        return Ok(NoteOutcome::NothingUnderWay);
    };
    agenda::set_notes(&mut tx, current, text).await?;
    let summary = format!(
        "{} kept a note on the item under way at “{}”",
        access.me.display_name, access.meeting.title
    );
    access
        .log(&mut tx, "meeting.agenda_note", ("meeting", id), summary)
        .await?;
    tx.commit().await?;
    Ok(NoteOutcome::Saved)
}
