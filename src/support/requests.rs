//! Asking the group for a hand, offering one, and closing the ask. Each change runs in one
//! transaction with the request locked, writes its activity line, and tells those it concerns
//! ([`notifications::notify`]) in the same transaction. An answer to a request that is no longer
//! open changes nothing and says why ([`Outcome::Refused`]).
//!
//! Who sees a request ([`may_see`]): every member of the CAN, or — when private — only the asker
//! and the organisers. Anyone else finds nothing: 404 for its page, and it is never in their
//! lists, counts, notifications or mail.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::NewRequest;
use super::mail::{Asked, Offered};
use super::model::{Closing, RequestStatus};
use super::page;
use super::queries::{self, NewRow, Request};
use crate::cans::access::{ActiveMember, CanAccess, Member, Requirement};
use crate::error::{AppError, OrNotFound, Result};
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::web::time;

/// Whether the caller may see `r` at all.
pub fn may_see<R: Requirement>(access: &CanAccess<R>, r: &Request) -> bool {
    !r.private || r.asker_id == access.me.id || access.membership.is_organiser()
}

/// Whether the caller sees who offered, with their notes: the asker and the organisers.
pub fn sees_offers<R: Requirement>(access: &CanAccess<R>, r: &Request) -> bool {
    r.asker_id == access.me.id || access.membership.is_organiser()
}

/// The request for its page, with who offered when the caller may see them: 404 for an id of
/// another CAN, of nothing, or of a request the caller may not see.
pub async fn for_page<R: Requirement>(
    db: &PgPool,
    access: &CanAccess<R>,
    id: Uuid,
) -> Result<(Request, Option<Vec<queries::Offer>>)> {
    let r = queries::one(db, access.can.id, access.me.id, id, false)
        .await?
        .filter(|r| may_see(access, r))
        .or_not_found()?;
    let offers = if sees_offers(access, &r) {
        Some(queries::offers(db, access.can.id, id).await?)
    } else {
        None
    };
    Ok((r, offers))
}

/// What an answer to a request came to.
#[derive(Debug)]
pub enum Outcome {
    Done,
    /// Nothing changed, and this says why.
    Refused(String),
}

/// Who "their request" is, in a sentence about the request's asker.
fn whose(r: &Request, actor: Uuid) -> String {
    if r.asker_id == actor {
        "their".into()
    } else {
        format!("{}’s", r.asker_name)
    }
}

/// Holds the caller's membership for the transaction (see [`queries::hold_membership`]) and says
/// why they may not act, if they may not: `active` when only an active member may.
async fn may_act(
    conn: &mut PgConnection,
    can_id: Uuid,
    me: Uuid,
    active: bool,
) -> Result<Option<String>> {
    Ok(
        match queries::hold_membership(conn, can_id, me).await?.as_deref() {
            Some("active") => None,
            Some("paused") if !active => None,
            Some("paused") => Some(
                "Your membership is paused: resume it from the CAN's page first. Nothing changed."
                    .into(),
            ),
            _ => Some("You are no longer a member of this CAN: nothing changed.".into()),
        },
    )
}

/// The active member asks for a hand; those who may help are told at once.
pub async fn ask(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    new: &NewRequest,
    base_url: &str,
) -> Result<Uuid> {
    let (can, me) = (&access.can, access.actor());
    let id = Uuid::now_v7();
    let mut tx = db.begin().await?;
    // Read again under a lock: leaving at the same moment must not leave an open request behind.
    if may_act(&mut tx, can.id, me.id, true).await?.is_some() {
        return Err(AppError::Forbidden(
            "Only active members can ask the group for a hand.",
        ));
    }
    let row = NewRow {
        id,
        can_id: can.id,
        asker: me.id,
        kind: new.kind,
        details: &new.details,
        needed_by: new.needed_by,
        private: new.private,
    };
    queries::insert(&mut tx, &row).await?;
    let privately = if new.private {
        " privately, of the organisers"
    } else {
        ""
    };
    let summary = format!("{} asked{privately} for {}", me.name, new.kind.phrase());
    access
        .log(&mut tx, "support.asked", ("support_request", id), summary)
        .await?;
    let told = queries::told_of_request(&mut tx, can.id, me.id, new.private).await?;
    let detail = askama::Template::render(&Asked {
        can_name: &can.name,
        asker: me.name,
        kind: new.kind,
        details: &new.details,
        needed_by: new.needed_by.map(time::date),
        private: new.private,
    })
    .map_err(AppError::internal)?;
    let line = if new.private {
        format!(
            "{} asks the organisers, privately, for {}",
            me.name,
            new.kind.phrase()
        )
    } else {
        format!("{} asks the group for {}", me.name, new.kind.phrase())
    };
    let notice = Notice {
        kind: Kind::SupportAsked,
        can: Some((can.id, &can.name)),
        line,
        link: access.path(&page(id)),
        key: format!("support:{id}:asked"),
    };
    let to: Vec<Recipient> = told
        .into_iter()
        .map(|m| Recipient::with_detail(m, detail.clone()))
        .collect();
    notifications::notify(&mut tx, base_url, &notice, &to).await?;
    tx.commit().await?;
    Ok(id)
}

/// The request, locked, if the caller may see it (404 otherwise).
async fn locked<R: Requirement>(
    conn: &mut PgConnection,
    access: &CanAccess<R>,
    id: Uuid,
) -> Result<Request> {
    queries::one(conn, access.can.id, access.me.id, id, true)
        .await?
        .filter(|r| may_see(access, r))
        .or_not_found()
}

/// Why a request can take no more answers, when it is closed.
fn closed(r: &Request) -> Option<String> {
    match r.status {
        RequestStatus::Open => None,
        RequestStatus::Met => Some("This request is already met: nothing changed.".into()),
        RequestStatus::Withdrawn => Some("This request was withdrawn: nothing changed.".into()),
    }
}

/// An active member (not the asker) offers to help, once; the asker is told.
///
/// For a private request only the asker hears of the offer, not the other organisers: they were
/// told of the request, the page shows them every offer, and a notice to each of them per offer
/// would carry someone's private ask further than the one person who must answer it.
pub async fn offer(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    note: &str,
    base_url: &str,
) -> Result<Outcome> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    if let Some(why) = may_act(&mut tx, can.id, me.id, true).await? {
        return Ok(Outcome::Refused(why));
    }
    let r = locked(&mut tx, access, id).await?;
    if let Some(why) = closed(&r) {
        return Ok(Outcome::Refused(why));
    }
    if r.asker_id == me.id {
        return Ok(Outcome::Refused(
            "This is your own request: others offer to help with it.".into(),
        ));
    }
    if !queries::add_offer(&mut tx, can.id, id, me.id, note).await? {
        return Ok(Outcome::Refused(
            "You offered to help already: nothing changed.".into(),
        ));
    }
    let summary = format!(
        "{} offered to help with {} request for {}",
        me.name,
        whose(&r, me.id),
        r.kind.phrase()
    );
    access
        .log(&mut tx, "support.offered", ("support_request", id), summary)
        .await?;
    // The asker hears of it while a member, paused included: it is their own ask, and a hard
    // week is a reason to be away.
    if queries::still_member(&mut tx, can.id, r.asker_id).await? {
        let detail = askama::Template::render(&Offered {
            can_name: &can.name,
            helper: me.name,
            kind: r.kind,
            note,
        })
        .map_err(AppError::internal)?;
        let notice = Notice {
            kind: Kind::SupportOffered,
            can: Some((can.id, &can.name)),
            line: format!(
                "{} offers to help with your request for {}",
                me.name,
                r.kind.phrase()
            ),
            link: access.path(&page(id)),
            key: format!("support:{id}:offered:{}", me.id),
        };
        let to = [Recipient::with_detail(r.asker_id, detail)];
        notifications::notify(&mut tx, base_url, &notice, &to).await?;
    }
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// The caller takes their own offer back (while the request is open).
pub async fn withdraw_offer(db: &PgPool, access: &CanAccess<Member>, id: Uuid) -> Result<Outcome> {
    let me = access.actor();
    let mut tx = db.begin().await?;
    if let Some(why) = may_act(&mut tx, access.can.id, me.id, false).await? {
        return Ok(Outcome::Refused(why));
    }
    let r = locked(&mut tx, access, id).await?;
    if let Some(why) = closed(&r) {
        return Ok(Outcome::Refused(why));
    }
    if !queries::remove_offer(&mut tx, access.can.id, id, me.id).await? {
        return Ok(Outcome::Refused(
            "You had not offered to help with this request: nothing changed.".into(),
        ));
    }
    let summary = format!(
        "{} took back their offer to help with {} request for {}",
        me.name,
        whose(&r, me.id),
        r.kind.phrase()
    );
    access
        .log(
            &mut tx,
            "support.offer_withdrawn",
            ("support_request", id),
            summary,
        )
        .await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// The asker marks their request met or withdraws it; an organiser may do it on their behalf
/// (the activity line says so). Those who offered are told (and the asker, when an organiser
/// closed it).
pub async fn close(
    db: &PgPool,
    access: &CanAccess<Member>,
    id: Uuid,
    how: Closing,
    base_url: &str,
) -> Result<Outcome> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    if let Some(why) = may_act(&mut tx, can.id, me.id, false).await? {
        return Ok(Outcome::Refused(why));
    }
    let r = locked(&mut tx, access, id).await?;
    let asker = r.asker_id == me.id;
    if !asker && !access.membership.is_organiser() {
        return Err(AppError::Forbidden(
            "Only the person who asked, or an organiser, can close a request.",
        ));
    }
    if let Some(why) = closed(&r) {
        return Ok(Outcome::Refused(why));
    }
    queries::close(&mut tx, can.id, id, how.status()).await?;
    let done = match how {
        Closing::Met => "met",
        Closing::Withdrawn => "withdrawn",
    };
    let summary = if asker {
        format!(
            "{} marked their request for {} {done}",
            me.name,
            r.kind.phrase()
        )
    } else {
        format!(
            "{} marked {}’s request for {} {done}, on {}’s behalf",
            me.name,
            r.asker_name,
            r.kind.phrase(),
            r.asker_name
        )
    };
    let action = match how {
        Closing::Met => "support.met",
        Closing::Withdrawn => "support.withdrawn",
    };
    access
        .log(&mut tx, action, ("support_request", id), summary)
        .await?;
    let told = queries::told_of_closing(&mut tx, can.id, id, me.id, !asker).await?;
    let line = match (how, asker) {
        (Closing::Met, true) => format!(
            "{}’s request for {} is met: thank you",
            r.asker_name,
            r.kind.phrase()
        ),
        (Closing::Withdrawn, true) => format!(
            "{} withdrew their request for {}: no more help is needed",
            r.asker_name,
            r.kind.phrase()
        ),
        (_, false) => format!(
            "{} marked {}’s request for {} {done}",
            me.name,
            r.asker_name,
            r.kind.phrase()
        ),
    };
    let notice = Notice {
        kind: Kind::SupportClosed,
        can: Some((can.id, &can.name)),
        line,
        link: access.path(&page(id)),
        key: format!("support:{id}:closed"),
    };
    let to: Vec<Recipient> = told.into_iter().map(Recipient::plain).collect();
    notifications::notify(&mut tx, base_url, &notice, &to).await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// A member leaves the CAN: their open requests are withdrawn and their offers on open requests
/// taken back, in the caller's transaction, with one activity line when anything changed. Those
/// who offered to help with a withdrawn request are told (someone may be about to cook a meal);
/// the leaving itself is what the rest of the group hears of. Returns how many requests and
/// offers that was, together.
pub async fn withdraw_open_for(
    conn: &mut PgConnection,
    can: &crate::cans::model::Can,
    member_id: Uuid,
    base_url: &str,
) -> Result<u64> {
    let can_id = can.id;
    let changed = queries::withdraw_open_for(conn, can_id, member_id).await?;
    for (id, kind) in &changed.withdrawn {
        let told = queries::told_of_closing(conn, can_id, *id, member_id, false).await?;
        let notice = Notice {
            kind: Kind::SupportClosed,
            can: Some((can_id, &can.name)),
            line: format!(
                "{} left {}: their request for {} is withdrawn, and no help is needed",
                changed.name,
                can.name,
                kind.phrase()
            ),
            link: format!("/c/{}{}", can.slug, page(*id)),
            key: format!("support:{id}:closed"),
        };
        let to: Vec<Recipient> = told.into_iter().map(Recipient::plain).collect();
        notifications::notify(&mut *conn, base_url, &notice, &to).await?;
    }
    let total = changed.requests + changed.offers;
    if total > 0 {
        let summary = format!(
            "On leaving, {}’s open requests for a hand ({}) were withdrawn and their offers to \
             help ({}) taken back",
            changed.name, changed.requests, changed.offers
        );
        crate::cans::activity::log(
            &mut *conn,
            can_id,
            member_id,
            "support.withdrawn_on_leaving",
            ("member", member_id),
            summary,
        )
        .await?;
    }
    Ok(u64::try_from(total).unwrap_or_default())
}
