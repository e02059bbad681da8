//! What a responsibility says and where it stands: describing one (by hand or from a meeting's
//! action item), changing it, and progress — notes and status changes, reopening included. Each
//! change runs in one transaction with its activity-log line and answers with what happened.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::{NewResponsibility, Progress};
use super::log;
use super::model::{HoldingKind, ResponsibilityKind};
use super::queries::{self, holdings, holdings::NewHolding};
use crate::cans::access::{ActiveMember, CanAccess, Coordinator, Facilitator, Requirement};
use crate::cans::queries::is_active_member;
use crate::error::{OrNotFound, Result};

pub enum Saved {
    Saved(Uuid),
    /// The goal named is not one of this CAN's.
    UnknownGoal,
}

/// Whether the goal it serves, if any, is one of this CAN's.
async fn goal_is_ours(
    conn: &mut PgConnection,
    can_id: Uuid,
    r: &NewResponsibility,
) -> Result<bool> {
    match r.goal_id {
        Some(goal) => queries::goal_exists(conn, can_id, goal).await,
        None => Ok(true),
    }
}

/// A coordinator puts a new responsibility on the board.
pub async fn create(
    db: &PgPool,
    access: &CanAccess<Coordinator>,
    r: &NewResponsibility,
) -> Result<Saved> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    if !goal_is_ours(&mut tx, can.id, r).await? {
        return Ok(Saved::UnknownGoal);
    }
    let id = queries::insert(&mut tx, can.id, r, me.id, None).await?;
    let summary = format!("{} described the responsibility “{}”", me.name, r.title);
    log(&mut tx, access, "responsibility.created", id, summary).await?;
    tx.commit().await?;
    Ok(Saved::Saved(id))
}

/// A coordinator changes a responsibility's description, goal, rhythm, dates or effort.
pub async fn update(
    db: &PgPool,
    access: &CanAccess<Coordinator>,
    id: Uuid,
    r: &NewResponsibility,
) -> Result<Saved> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    if !goal_is_ours(&mut tx, can.id, r).await? {
        return Ok(Saved::UnknownGoal);
    }
    queries::update(&mut tx, can.id, id, r).await?;
    let summary = format!("{} changed “{}”", me.name, r.title);
    log(&mut tx, access, "responsibility.updated", id, summary).await?;
    tx.commit().await?;
    Ok(Saved::Saved(id))
}

pub enum Progressed {
    Saved,
    /// Only its carriers and the coordinators update a responsibility.
    NotAllowed,
    /// The status changed since the writer's page was shown; nothing was saved.
    Stale,
}

/// A progress note, a status change (closing it as done or dropped, or reopening it), or both,
/// by a carrier or a coordinator. A done or dropped responsibility keeps who carried it (that is
/// its history); it no longer counts towards anyone's load, which counts active ones only.
pub async fn progress(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    p: &Progress,
    base_url: &str,
) -> Result<Progressed> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    let r = queries::one(&mut *tx, can.id, id).await?.or_not_found()?;
    let carrying = holdings::holds(&mut tx, can.id, id, me.id).await? == Some(HoldingKind::Carrier);
    if !(carrying || Coordinator::accepts(&access.membership)) {
        return Ok(Progressed::NotAllowed);
    }
    if let Some(status) = p.status {
        if !queries::set_status(&mut tx, can.id, id, status, p.version).await? {
            return Ok(Progressed::Stale);
        }
        // Reopened, it is open or active by whether anyone carries it.
        holdings::sync_status(&mut tx, can.id, id).await?;
        // Closed, nobody is asked to take it on any more.
        if !status.is_current() {
            super::offers::withdraw_on(&mut tx, access, id, base_url).await?;
        }
    }
    queries::insert_note(&mut tx, can.id, id, me.id, &p.note, p.status).await?;
    let to = p.status.map(|s| format!(" to {s}")).unwrap_or_default();
    let summary = format!("{} updated “{}”{to}", me.name, r.title);
    log(&mut tx, access, "responsibility.progress", id, summary).await?;
    tx.commit().await?;
    Ok(Progressed::Saved)
}

pub enum FromAction {
    Made(Uuid),
    /// The action item had become this responsibility already.
    Existing(Uuid),
}

/// A meeting's action item becomes a task on the board, carried by its owner if it has one who is
/// an active member.
pub async fn from_action_item(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    meeting: Uuid,
    action: Uuid,
) -> Result<FromAction> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    let item = queries::lock_action_item(&mut tx, can.id, meeting, action)
        .await?
        .or_not_found()?;
    if let Some(existing) = queries::made_from(&mut tx, can.id, action).await? {
        return Ok(FromAction::Existing(existing));
    }
    let r = NewResponsibility {
        title: item.title.chars().take(120).collect(),
        description: "From a meeting's action item.".into(),
        kind: ResponsibilityKind::Task,
        goal_id: None,
        cadence: String::new(),
        due_on: item.due_on,
        term_ends_on: None,
        effort: 1,
    };
    let id = queries::insert(&mut tx, can.id, &r, me.id, Some(action)).await?;
    if let Some(owner) = item.owner_id
        && is_active_member(&mut *tx, can.id, owner).await?
    {
        let holding = NewHolding {
            can_id: can.id,
            responsibility: id,
            member: owner,
            kind: HoldingKind::Carrier,
            by: me.id,
            asked: owner != me.id,
            note: "",
        };
        holdings::add_holder(&mut tx, &holding).await?;
    }
    let summary = format!(
        "{} put the action “{}” on the responsibilities board",
        me.name, r.title
    );
    log(&mut tx, access, "responsibility.from_action", id, summary).await?;
    tx.commit().await?;
    Ok(FromAction::Made(id))
}
