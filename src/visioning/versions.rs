//! Vision versions: saving a proposed text as the next numbered version. A text written from an
//! out-of-date view is refused, with the newer version, so the writer can merge and save again.

use sqlx::PgPool;

use super::forms::Draft;
use super::queries::{self, Version};
use crate::cans::access::{ActiveMember, CanAccess};
use crate::cans::queries::lock_can;
use crate::error::{OrNotFound, Result};

/// Why a text was not saved.
pub enum SaveRefusal {
    /// Someone saved this version while the writer was writing.
    Outdated(Version),
}

/// Saves the draft as the next version; returns its number.
pub async fn save(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    draft: &Draft,
) -> Result<Result<i32, SaveRefusal>> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    // Versions of one CAN are numbered one after another: lock the CAN while taking the next.
    lock_can(&mut tx, can.id).await?;
    let latest = queries::latest_number(&mut *tx, can.id).await?;
    if latest != draft.base_version {
        let newest = queries::version(&mut *tx, can.id, latest)
            .await?
            .or_not_found()?;
        return Ok(Err(SaveRefusal::Outdated(newest)));
    }
    let number = latest + 1;
    // The version the writer started from (when editing one), not merely the newest.
    let based_on = draft.from.filter(|n| *n > 0 && *n <= latest);
    let id =
        queries::insert_version(&mut tx, can.id, number, access.me.id, draft, based_on).await?;
    let summary = format!("{} saved vision version {number}", access.me.display_name);
    access
        .log(
            &mut tx,
            "vision.version_saved",
            ("vision_version", id),
            summary,
        )
        .await?;
    tx.commit().await?;
    Ok(Ok(number))
}
