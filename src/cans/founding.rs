//! Starting a CAN (its founder becomes its first organiser) and changing its details.

use sqlx::PgPool;

use super::access::{Actor, CanAccess, Organiser};
use super::activity;
use super::forms::NewCan;
use super::model::Role;
use super::queries;
use crate::error::Result;

/// What starting a CAN came to.
pub enum Started {
    /// Made now.
    New,
    /// A double submission: the first one already made this CAN.
    Already,
    /// The address cannot be had (another CAN uses it); `free` is one nobody uses yet.
    SlugTaken { free: String },
}

/// Starts the CAN with `founder` as its first member and organiser.
pub async fn start(db: &PgPool, founder: Actor<'_>, new: &NewCan) -> Result<Started> {
    let mut tx = db.begin().await?;
    let Some(can_id) = queries::insert_can(&mut tx, new, founder.id).await? else {
        drop(tx);
        let slug = new.slug.as_str();
        if queries::just_started(db, slug, founder.id, &new.name).await? {
            return Ok(Started::Already);
        }
        let free = queries::free_slug(db, slug).await?;
        return Ok(Started::SlugTaken { free });
    };
    queries::add_membership(&mut tx, can_id, founder.id, chrono::Utc::now(), None).await?;
    // The founder names themselves: nobody is told of their own act.
    queries::grant_role(
        &mut tx,
        can_id,
        founder.id,
        Role::Organiser,
        Some(founder.id),
        None,
    )
    .await?;
    activity::log(
        &mut *tx,
        can_id,
        founder.id,
        "can.created",
        ("can", can_id),
        format!("{} started {}", founder.name, new.name),
    )
    .await?;
    tx.commit().await?;
    Ok(Started::New)
}

/// Saves the CAN's details (its address stays: links to it are out in the world).
pub async fn update(db: &PgPool, access: &CanAccess<Organiser>, new: &NewCan) -> Result<()> {
    let mut tx = db.begin().await?;
    queries::update_can(&mut *tx, access.can.id, new).await?;
    let summary = format!("{} updated the CAN's details", access.me.display_name);
    access
        .log(&mut tx, "can.updated", ("can", access.can.id), summary)
        .await?;
    tx.commit().await?;
    Ok(())
}
