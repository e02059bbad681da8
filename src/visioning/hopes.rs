//! Hopes: each active member shares, edits and withdraws their own, and says of others' hopes
//! that they resonate with them; organisers set the quorum a consent round needs. Every change is
//! logged.

use sqlx::PgPool;
use uuid::Uuid;

use super::forms::quorum_words;
use super::queries;
use crate::cans::access::{ActiveMember, CanAccess, Organiser};
use crate::error::{AppError, Result};

pub async fn add(db: &PgPool, access: &CanAccess<ActiveMember>, body: &str) -> Result<Uuid> {
    let (can, me) = (&access.can, &access.me);
    let mut tx = db.begin().await?;
    let id = queries::insert_hope(&mut *tx, can.id, me.id, body).await?;
    let summary = format!("{} shared a hope", me.display_name);
    access
        .log(&mut tx, "hope.added", ("hope", id), summary)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes the caller's own hope; anyone else's (or a withdrawn one) is not found.
pub async fn edit(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    body: &str,
) -> Result<()> {
    let (can, me) = (&access.can, &access.me);
    let mut tx = db.begin().await?;
    if !queries::update_hope(&mut *tx, can.id, me.id, id, body).await? {
        return Err(AppError::NotFound);
    }
    let summary = format!("{} edited their hope", me.display_name);
    access
        .log(&mut tx, "hope.edited", ("hope", id), summary)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws the caller's own hope (versions that drew on it still show it).
pub async fn withdraw(db: &PgPool, access: &CanAccess<ActiveMember>, id: Uuid) -> Result<()> {
    let (can, me) = (&access.can, &access.me);
    let mut tx = db.begin().await?;
    if !queries::withdraw_hope(&mut *tx, can.id, me.id, id).await? {
        return Err(AppError::NotFound);
    }
    let summary = format!("{} withdrew a hope", me.display_name);
    access
        .log(&mut tx, "hope.withdrawn", ("hope", id), summary)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What pressing "This resonates" on a hope did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resonance {
    /// The hope now resonates with the caller (or already did: a double submission).
    Added,
    /// The caller took their "this resonates" back.
    TakenBack,
    /// It is the caller's own hope: only the others say whether it resonates with them.
    OwnHope,
}

/// Toggles the caller's "this resonates" on someone else's standing hope of this CAN (a withdrawn
/// hope, or one of another CAN, is not found), with its activity line, in one transaction. The
/// author is told nothing per press: they see the count on their own hope, and nowhere else.
pub async fn resonate(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
) -> Result<Resonance> {
    let (can, me) = (&access.can, &access.me);
    let mut tx = db.begin().await?;
    let hope = queries::standing_hope(&mut tx, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if hope.author_id == me.id {
        return Ok(Resonance::OwnHope);
    }
    let (outcome, action, summary) =
        if queries::delete_resonance(&mut *tx, can.id, id, me.id).await? {
            let summary = format!(
                "{} took back “this resonates” on {}'s hope",
                me.display_name, hope.author
            );
            (Resonance::TakenBack, "hope.resonance_taken_back", summary)
        } else if queries::insert_resonance(&mut *tx, can.id, id, me.id).await? {
            let summary = format!("{}'s hope resonates with {}", hope.author, me.display_name);
            (Resonance::Added, "hope.resonated", summary)
        } else {
            // Another press of the same person got there first; it wrote the line.
            return Ok(Resonance::Added);
        };
    access.log(&mut tx, action, ("hope", id), summary).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Sets the share of active members that must answer a consent round (from the next round).
pub async fn set_quorum(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    (num, den): (i16, i16),
) -> Result<()> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    queries::set_quorum(&mut *tx, can.id, num, den).await?;
    let summary = format!(
        "{} set the quorum for adopting the vision to {} of active members",
        access.me.display_name,
        quorum_words(num, den)
    );
    access
        .log(&mut tx, "can.quorum_changed", ("can", can.id), summary)
        .await?;
    tx.commit().await?;
    Ok(())
}
