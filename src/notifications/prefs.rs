//! Changing how notifications reach someone: the settings page's save and the one-click
//! unsubscribe. Each is one transaction; nothing is half-saved.
//!
//! A choice applies from now on, including to immediate notifications still waiting for the
//! hourly limit: a kind turned to the digest or off before its "meanwhile" mail went out is not
//! folded into it (it waits for the digest, or stays in the inbox only). Someone who just said
//! "stop" should not get one more mail about it.

use sqlx::PgPool;
use uuid::Uuid;

use super::forms::Settings;
use super::{Delivery, Kind, Scope, queries};
use crate::error::Result;

/// Saves the settings form's changes. False: no such member (nothing written).
pub async fn save(db: &PgPool, member: Uuid, settings: &Settings) -> Result<bool> {
    let mut tx = db.begin().await?;
    if !queries::save_choices(&mut tx, member, &settings.choices).await? {
        return Ok(false);
    }
    if let Some(on) = settings.weekly_digest {
        queries::set_weekly_digest(&mut *tx, member, on).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// What a one-click unsubscribe turns off: the link's kind, or for `all` every kind *and* the
/// weekly digest (the mail that carries an `all` link is the "meanwhile" fold, sent because
/// there was a lot; "stop all of these" means no more mail about what happens in Canopy).
/// Account mails (sign-in links, password resets) and invitations are not notifications and still
/// come. False: no such member (nothing written).
/// A `digest` link turns off the weekly digest only.
pub async fn unsubscribe(db: &PgPool, member: Uuid, scope: Scope) -> Result<bool> {
    let choices: Vec<(Kind, Delivery)> = match scope {
        Scope::Kind(kind) => vec![(kind, Delivery::Off)],
        Scope::All => Kind::ALL.iter().map(|k| (*k, Delivery::Off)).collect(),
        Scope::Digest => Vec::new(),
    };
    let mut tx = db.begin().await?;
    if !queries::save_choices(&mut tx, member, &choices).await? {
        return Ok(false);
    }
    if matches!(scope, Scope::All | Scope::Digest) {
        queries::set_weekly_digest(&mut *tx, member, false).await?;
    }
    tx.commit().await?;
    Ok(true)
}
