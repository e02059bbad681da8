//! Who holds a responsibility: volunteering, being asked (an offer, see `offers`; declining a
//! holding someone arranged before asks were offers), offering a hand-off, and stepping down. Each change runs in one transaction with its activity-log line and
//! any mail, and answers with what happened; the handlers turn that into a page.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::{Assignment, Handoff};
use super::model::{HoldingEnd, HoldingKind, OfferKind};
use super::queries::{self, holdings, holdings::EndHolding, holdings::NewHolding};
use super::{log, offers};
use crate::cans::access::{ActiveMember, CanAccess, Coordinator};
use crate::cans::queries::is_active_member;
use crate::error::{OrNotFound, Result};
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
    /// They were asked (an offer waits for their answer) and have been told.
    Asked {
        name: String,
        kind: HoldingKind,
    },
    /// The coordinator asked themselves: they hold it now.
    Took {
        kind: HoldingKind,
    },
    AlreadyHolds {
        name: String,
    },
    /// An ask to them is open already: nothing new was sent.
    AlreadyAsked {
        name: String,
    },
    /// Nobody, or someone away, gone or from elsewhere: only active members carry things.
    NotActiveMember,
    Closed,
}

/// A coordinator asks a member to carry or back up a responsibility: an offer they may accept or
/// decline, and a notification. Asking oneself takes it on at once.
pub async fn assign(
    db: &PgPool,
    access: &CanAccess<Coordinator>,
    id: Uuid,
    asked: &Assignment,
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
    if holdings::holds(&mut tx, can.id, id, target)
        .await?
        .is_some()
    {
        return Ok(Assigned::AlreadyHolds { name: person.name });
    }
    if target == me.id {
        let holding = NewHolding {
            can_id: can.id,
            responsibility: id,
            member: me.id,
            kind,
            by: me.id,
            asked: false,
            note: "",
        };
        holdings::add_holder(&mut tx, &holding).await?;
        let summary = format!("{} took on “{}” as {kind}", me.name, r.title);
        log(&mut tx, access, "responsibility.volunteered", id, summary).await?;
        tx.commit().await?;
        return Ok(Assigned::Took { kind });
    }
    let ask = offers::Ask {
        subject: offers::Subject::Responsibility(id),
        title: &r.title,
        kind: OfferKind::of(kind),
        to: target,
        note: &asked.note,
        overlap_days: 0,
        when: None,
        ends_by: None,
    };
    if offers::make(&mut tx, access, &ask, base_url)
        .await?
        .is_none()
    {
        return Ok(Assigned::AlreadyAsked { name: person.name });
    }
    let summary = format!(
        "{} asked {} to be {kind} for “{}”",
        me.name, person.name, r.title
    );
    log(&mut tx, access, "responsibility.assigned", id, summary).await?;
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
    /// Offered to them: nothing changes until they accept.
    Offered {
        name: String,
    },
    /// The receiver cannot take it (the messages say why, by field).
    Refused(FieldErrors),
    /// Only a carrier who has not already handed it on can hand it on.
    NotCarrier,
    Closed,
}

/// A carrier offers the responsibility to someone else, with a note and, if asked, some days of
/// carrying it together counted from the day they accept. Nothing changes until they do
/// (`offers::accept` hands it over).
pub async fn hand_off(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    handoff: &Handoff,
    base_url: &str,
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
    let ask = offers::Ask {
        subject: offers::Subject::Responsibility(id),
        title: &r.title,
        kind: OfferKind::Handoff,
        to,
        note: &handoff.note,
        // The form allows 0 to 60.
        overlap_days: i16::try_from(overlap).unwrap_or(0),
        when: None,
        ends_by: None,
    };
    if offers::make(&mut tx, access, &ask, base_url)
        .await?
        .is_none()
    {
        let mut errors = FieldErrors::new();
        errors.add(
            "to",
            "They have been asked already and have not answered yet.",
        );
        return Ok(HandedOff::Refused(errors));
    }
    let together = if overlap > 0 {
        format!(", carrying it together for {overlap} days once accepted")
    } else {
        String::new()
    };
    let summary = format!(
        "{} offered to hand “{}” to {name}{together}",
        me.name, r.title
    );
    log(
        &mut tx,
        access,
        "responsibility.handoff_offered",
        id,
        summary,
    )
    .await?;
    tx.commit().await?;
    Ok(HandedOff::Offered { name })
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
pub(super) async fn hand_over(
    conn: &mut PgConnection,
    giver: &EndHolding<'_>,
    to: Uuid,
) -> Result<()> {
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
