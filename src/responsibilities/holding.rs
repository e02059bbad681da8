//! Who holds a responsibility: volunteering, being asked (and declining), handing it on with an
//! overlap, and stepping down. Each change runs in one transaction with its activity-log line and
//! any mail, and answers with what happened; the handlers turn that into a page.

use chrono::Utc;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::{Assignment, Handoff};
use super::model::{HoldingEnd, HoldingKind};
use super::queries::{self, holdings, holdings::EndHolding, holdings::NewHolding};
use super::{log, mail, page};
use crate::cans::access::{ActiveMember, CanAccess, Coordinator};
use crate::cans::queries::is_active_member;
use crate::error::{OrNotFound, Result};
use crate::outbox::{self, MailText};
use crate::web::forms::FieldErrors;

/// Locks the responsibility for the rest of the transaction (one change at a time: two hand-offs
/// from two tabs cannot both happen) and says whether it is still to be carried. 404 when there
/// is no such responsibility in this CAN.
async fn still_current(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<bool> {
    Ok(queries::lock(conn, can_id, id)
        .await?
        .or_not_found()?
        .is_current())
}

pub enum Volunteered {
    /// The member now holds it this way.
    Took {
        kind: HoldingKind,
        title: String,
    },
    AlreadyHolds,
    /// Done or dropped: nobody takes it on.
    Closed,
}

/// An active member takes a responsibility on, as carrier or backup.
pub async fn volunteer(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    kind: HoldingKind,
) -> Result<Volunteered> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    if !still_current(&mut tx, can.id, id).await? {
        return Ok(Volunteered::Closed);
    }
    let r = queries::one(&mut *tx, can.id, id).await?.or_not_found()?;
    let holding = NewHolding {
        can_id: can.id,
        responsibility: id,
        member: me.id,
        kind,
        by: me.id,
        asked: false,
        note: "",
    };
    if !holdings::add_holder(&mut tx, &holding).await? {
        return Ok(Volunteered::AlreadyHolds);
    }
    let summary = format!("{} took on “{}” as {kind}", me.name, r.title);
    log(&mut tx, access, "responsibility.volunteered", id, summary).await?;
    tx.commit().await?;
    Ok(Volunteered::Took {
        kind,
        title: r.title,
    })
}

pub enum Assigned {
    /// They hold it now, have been told, and may decline.
    Asked {
        name: String,
        kind: HoldingKind,
    },
    AlreadyHolds {
        name: String,
    },
    /// Nobody, or someone away, gone or from elsewhere: only active members carry things.
    NotActiveMember,
    Closed,
}

/// A coordinator asks a member to carry or back up a responsibility; the member is mailed and may
/// decline with a reason.
pub async fn assign(
    db: &PgPool,
    access: &CanAccess<Coordinator>,
    id: Uuid,
    asked: Assignment,
    base_url: &str,
) -> Result<Assigned> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    if !still_current(&mut tx, can.id, id).await? {
        return Ok(Assigned::Closed);
    }
    let Some(target) = asked.member else {
        return Ok(Assigned::NotActiveMember);
    };
    if !is_active_member(&mut *tx, can.id, target).await? {
        return Ok(Assigned::NotActiveMember);
    }
    let r = queries::one(&mut *tx, can.id, id).await?.or_not_found()?;
    let person = queries::person(&mut tx, target).await?;
    let kind = asked.kind;
    let holding = NewHolding {
        can_id: can.id,
        responsibility: id,
        member: target,
        kind,
        by: me.id,
        asked: target != me.id,
        note: "",
    };
    if !holdings::add_holder(&mut tx, &holding).await? {
        return Ok(Assigned::AlreadyHolds { name: person.name });
    }
    let summary = format!(
        "{} asked {} to be {kind} for “{}”",
        me.name, person.name, r.title
    );
    log(&mut tx, access, "responsibility.assigned", id, summary).await?;
    let link = format!("{base_url}{}", access.path(&page(id)));
    let mail = mail::Asked {
        can_name: &can.name,
        asked_by: me.name,
        kind,
        title: &r.title,
        link: &link,
    };
    // Asked again later (after a decline), they are told again.
    let key = format!(
        "responsibility:{id}:assigned:{target}:{}",
        Utc::now().timestamp()
    );
    outbox::enqueue(&mut *tx, &mail.to(&person.email, Some(can.id), Some(key))?).await?;
    tx.commit().await?;
    Ok(Assigned::Asked {
        name: person.name,
        kind,
    })
}

pub enum Declined {
    Declined,
    /// Only a holding someone else arranged can be declined (a volunteer steps down instead).
    NotAsked,
}

/// The member declines what they were asked to hold, saying why.
pub async fn decline(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    reason: &str,
) -> Result<Declined> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    let r = queries::one(&mut *tx, can.id, id).await?.or_not_found()?;
    if !holdings::asked(&mut tx, can.id, id, me.id).await? {
        return Ok(Declined::NotAsked);
    }
    let end = EndHolding {
        can_id: can.id,
        responsibility: id,
        member: me.id,
        how: HoldingEnd::Declined,
        at: None,
        note: Some(reason),
    };
    if holdings::end_holder(&mut tx, &end).await?.is_none() {
        return Ok(Declined::NotAsked);
    }
    let summary = format!("{} declined “{}”: {reason}", me.name, r.title);
    log(&mut tx, access, "responsibility.declined", id, summary).await?;
    tx.commit().await?;
    Ok(Declined::Declined)
}

pub enum HandedOff {
    Handed {
        name: String,
    },
    /// The receiver cannot take it (the messages say why, by field).
    Refused(FieldErrors),
    /// Only a carrier who has not already handed it on can hand it on.
    NotCarrier,
    Closed,
}

/// A carrier hands the responsibility to someone else, with a note and, if asked, some days of
/// carrying it together. The history keeps both holdings.
pub async fn hand_off(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    handoff: &Handoff,
) -> Result<HandedOff> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    if !still_current(&mut tx, can.id, id).await? {
        return Ok(HandedOff::Closed);
    }
    if !holdings::carries_until_further_notice(&mut tx, can.id, id, me.id).await? {
        return Ok(HandedOff::NotCarrier);
    }
    let to = handoff.to;
    if let Some(errors) = refusal(&mut tx, can.id, id, to).await? {
        return Ok(HandedOff::Refused(errors));
    }
    let r = queries::one(&mut *tx, can.id, id).await?.or_not_found()?;
    let name = queries::person(&mut tx, to).await?.name;
    let overlap = handoff.overlap_days;
    // With no overlap the old holding ends at once; with one, it ends that many days from now.
    let until = (overlap > 0).then(|| Utc::now() + chrono::Duration::days(overlap));
    let mine = EndHolding {
        can_id: can.id,
        responsibility: id,
        member: me.id,
        how: HoldingEnd::HandedOff,
        at: until,
        note: Some(&handoff.note),
    };
    hand_over(&mut tx, &mine, to).await?;
    let together = if overlap > 0 {
        format!(", carrying it together for {overlap} days")
    } else {
        String::new()
    };
    let summary = format!("{} handed “{}” to {name}{together}", me.name, r.title);
    log(&mut tx, access, "responsibility.handed_off", id, summary).await?;
    tx.commit().await?;
    Ok(HandedOff::Handed { name })
}

/// Why `to` cannot take the responsibility on, if they cannot.
async fn refusal(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    to: Uuid,
) -> Result<Option<FieldErrors>> {
    let mut errors = FieldErrors::new();
    if !is_active_member(&mut *conn, can_id, to).await? {
        errors.add("to", "Choose an active member of this CAN.");
    } else if holdings::holds(conn, can_id, id, to).await? == Some(HoldingKind::Carrier) {
        errors.add("to", "They carry it already.");
    }
    Ok((!errors.is_empty()).then_some(errors))
}

/// The hand-over itself: the giver's holding ends (now, or after the overlap), a backup who takes
/// over stops being the backup, and the receiver carries it with the hand-over note.
async fn hand_over(conn: &mut PgConnection, giver: &EndHolding<'_>, to: Uuid) -> Result<()> {
    holdings::end_holder(&mut *conn, giver).await?;
    let backup = EndHolding {
        member: to,
        how: HoldingEnd::SteppedDown,
        at: None,
        note: None,
        ..*giver
    };
    holdings::end_holder(&mut *conn, &backup).await?;
    let theirs = NewHolding {
        can_id: giver.can_id,
        responsibility: giver.responsibility,
        member: to,
        kind: HoldingKind::Carrier,
        by: giver.member,
        asked: false,
        note: giver.note.unwrap_or_default(),
    };
    holdings::add_holder(conn, &theirs).await?;
    Ok(())
}

pub enum SteppedDown {
    SteppedDown,
    NotHolding,
}

/// The member stops carrying or backing up the responsibility.
pub async fn step_down(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
) -> Result<SteppedDown> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    let r = queries::one(&mut *tx, can.id, id).await?.or_not_found()?;
    let end = EndHolding {
        can_id: can.id,
        responsibility: id,
        member: me.id,
        how: HoldingEnd::SteppedDown,
        at: None,
        note: None,
    };
    if holdings::end_holder(&mut tx, &end).await?.is_none() {
        return Ok(SteppedDown::NotHolding);
    }
    let summary = format!("{} stepped down from “{}”", me.name, r.title);
    log(&mut tx, access, "responsibility.stepped_down", id, summary).await?;
    tx.commit().await?;
    Ok(SteppedDown::SteppedDown)
}
