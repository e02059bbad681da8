//! Welcome companions: a member who offered to welcome newcomers is chosen, one per newcomer, by
//! rotation as the newcomer joins (the willing member chosen least recently, ties by name), or by
//! an organiser on the newcomers page (a named willing member, or the next in rotation). The
//! companion is told; so is the newcomer, when someone else made the choice.

use chrono::Utc;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::Choice;
use super::mail::{ToCompanion, ToNewcomer};
use super::queries;
use crate::cans::access::{Actor, CanAccess, Organiser};
use crate::cans::activity;
use crate::cans::model::Can;
use crate::cans::queries as cans;
use crate::error::{AppError, Result};
use crate::notifications::{self, Kind, Notice, Recipient};

/// Chooses the newcomer's companion by rotation, in the transaction that makes them a member
/// (joining by a link, an approved request, or rejoining after leaving), and tells the companion.
/// With nobody willing, the newcomer has none yet (and the organisers choose one later).
pub async fn at_joining(
    conn: &mut PgConnection,
    can: &Can,
    newcomer: Actor<'_>,
    base_url: &str,
) -> Result<()> {
    // Joinings one after another each see the choice before: rotation stays fair.
    cans::lock_can(conn, can.id).await?;
    let next = queries::rotation(&mut *conn, can.id, newcomer.id, None)
        .await?
        .into_iter()
        .next();
    queries::set_companion(conn, can.id, newcomer.id, next.as_ref().map(|w| w.id)).await?;
    let Some(companion) = next else {
        return Ok(());
    };
    let summary = format!(
        "{} is {}'s welcome companion (next in rotation)",
        companion.name, newcomer.name
    );
    let subject = ("member", newcomer.id);
    activity::log(
        &mut *conn,
        can.id,
        newcomer.id,
        "welcome.companion_chosen",
        subject,
        summary,
    )
    .await?;
    let words = ToCompanion {
        newcomer: newcomer.name,
        can_name: &can.name,
        by: None,
    };
    let notice = Notice {
        kind: Kind::CompanionChosen,
        can: Some((can.id, &can.name)),
        line: words.line(),
        link: format!("/c/{}/newcomers", can.slug),
        key: choice_key(can.id, newcomer.id),
    };
    let to = Recipient::with_detail(companion.id, words.text()?);
    notifications::notify(conn, base_url, &notice, &[to]).await?;
    Ok(())
}

/// One choice of a companion: unique per newcomer and moment.
fn choice_key(can_id: Uuid, newcomer: Uuid) -> String {
    format!(
        "companion:{can_id}:{newcomer}:{}",
        Utc::now().timestamp_micros()
    )
}

/// What an organiser's choice came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Chosen {
    /// `companion` welcomes `newcomer` now.
    Now { newcomer: String, companion: String },
    /// They were the companion already (or the only one willing): nothing changed.
    Unchanged { newcomer: String, companion: String },
    /// Not a choice that can be made; nothing changed.
    Refused(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The member named is not an active member of this CAN who offers to welcome newcomers, or
    /// is the newcomer.
    NotWilling,
    /// Rotation found nobody: no active member offers to welcome newcomers.
    NobodyWilling,
}

impl Refusal {
    /// Beside the field.
    pub fn message(self) -> &'static str {
        match self {
            Self::NotWilling => {
                "Choose one of the members who offer to welcome newcomers (not the newcomer themselves)."
            }
            Self::NobodyWilling => {
                "Nobody offers to welcome newcomers yet. Members offer on their own member page, under “I am willing to”."
            }
        }
    }
}

/// An organiser chooses the companion of `member_id` (a current member of this CAN; anyone else
/// is not found): a named willing member, or the next in rotation.
pub async fn choose(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    member_id: Uuid,
    choice: Choice,
    base_url: &str,
) -> Result<Chosen> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    cans::lock_can(&mut tx, can.id).await?;
    let newcomer = queries::newcomer(&mut tx, can.id, member_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let willing = queries::rotation(&mut *tx, can.id, member_id, newcomer.companion_id).await?;
    let picked = match choice {
        Choice::Member(id) => willing.into_iter().find(|w| w.id == id),
        Choice::Rotate => willing.into_iter().next(),
    };
    let Some(companion) = picked else {
        return Ok(Chosen::Refused(match choice {
            Choice::Member(_) => Refusal::NotWilling,
            Choice::Rotate => Refusal::NobodyWilling,
        }));
    };
    if newcomer.companion_id == Some(companion.id) {
        return Ok(Chosen::Unchanged {
            newcomer: newcomer.name,
            companion: companion.name,
        });
    }
    queries::set_companion(&mut tx, can.id, member_id, Some(companion.id)).await?;
    let how = match choice {
        Choice::Member(_) => "",
        Choice::Rotate => " (next in rotation)",
    };
    let summary = format!(
        "{} asked {} to welcome {}{how}",
        access.me.display_name, companion.name, newcomer.name
    );
    access
        .log(
            &mut tx,
            "welcome.companion_chosen",
            ("member", member_id),
            summary,
        )
        .await?;
    let me = access.me.id;
    let key = choice_key(can.id, member_id);
    if companion.id != me {
        let words = ToCompanion {
            newcomer: &newcomer.name,
            can_name: &can.name,
            by: Some(&access.me.display_name),
        };
        let notice = Notice {
            kind: Kind::CompanionChosen,
            can: Some((can.id, &can.name)),
            line: words.line(),
            link: access.path("/newcomers"),
            key: key.clone(),
        };
        let to = Recipient::with_detail(companion.id, words.text()?);
        notifications::notify(&mut tx, base_url, &notice, &[to]).await?;
    }
    if member_id != me {
        let words = ToNewcomer {
            companion: &companion.name,
            can_name: &can.name,
            by: &access.me.display_name,
        };
        let notice = Notice {
            kind: Kind::CompanionChosen,
            can: Some((can.id, &can.name)),
            line: words.line(),
            link: access.path("/welcome"),
            key,
        };
        let to = Recipient::with_detail(member_id, words.text()?);
        notifications::notify(&mut tx, base_url, &notice, &[to]).await?;
    }
    tx.commit().await?;
    Ok(Chosen::Now {
        newcomer: newcomer.name,
        companion: companion.name,
    })
}
