//! Requests to join a listed CAN: asked by someone signed in (who acknowledges the rules as they
//! ask, so approval completes the membership), approved or declined by its organisers. One
//! request may be pending at a time, and after a decline the same person may not ask again for
//! [`ASK_AGAIN_AFTER_DAYS`] days (a withdrawn request does not hold them back).
//!
//! Both ends are told in the change's transaction: the CAN's organisers when someone asks, the
//! person who asked when an organiser answers.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::access::{Actor, CanAccess, Organiser};
use super::activity;
use super::forms::Join;
use super::mail;
use super::model::{Can, JoinRequestStatus};
use super::queries;
use crate::error::{AppError, Result};
use crate::notifications::{self, Kind, Notice, Recipient};

/// How long after a decline the same person may ask the same CAN again.
pub const ASK_AGAIN_AFTER_DAYS: i32 = 30;

/// What asking to join came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// The request is with the organisers now.
    Recorded,
    /// One was pending already; nothing changed.
    AlreadyPending,
    /// The organisers declined the last request lately: nothing was written, and they may ask
    /// again from this moment.
    DeclinedLately { ask_again_at: DateTime<Utc> },
}

/// When `member` may ask this CAN again, if they were declined lately.
pub async fn ask_again_at(db: &PgPool, can: &Can, member: Uuid) -> Result<Option<DateTime<Utc>>> {
    queries::ask_again_at(db, can.id, member, ASK_AGAIN_AFTER_DAYS).await
}

/// Records `member`'s request to join, unless one is pending or one was declined lately, and
/// tells the CAN's organisers.
pub async fn ask(
    db: &PgPool,
    can: &Can,
    member: Actor<'_>,
    join: &Join,
    base_url: &str,
) -> Result<Asked> {
    let mut tx = db.begin().await?;
    let declined = queries::ask_again_at(&mut *tx, can.id, member.id, ASK_AGAIN_AFTER_DAYS).await?;
    if let Some(ask_again_at) = declined {
        return Ok(Asked::DeclinedLately { ask_again_at });
    }
    let Some(id) = queries::insert_join_request(&mut tx, can.id, member.id, &join.message).await?
    else {
        return Ok(Asked::AlreadyPending);
    };
    let detail = mail::JoinRequested {
        name: member.name,
        can_name: &can.name,
        message: &join.message,
    }
    .text()?;
    let organisers: Vec<Recipient> = queries::organisers(&mut tx, can.id)
        .await?
        .into_iter()
        .filter(|o| o.id != member.id)
        .map(|o| Recipient::with_detail(o.id, detail.clone()))
        .collect();
    let notice = Notice {
        kind: Kind::JoinRequested,
        can: Some((can.id, &can.name)),
        line: format!("{} asks to join {}", member.name, can.name),
        link: format!("/c/{}/join-requests", can.slug),
        key: format!("join_request:{id}:made"),
    };
    notifications::notify(&mut tx, base_url, &notice, &organisers).await?;
    let summary = format!("{} asked to join", member.name);
    let subject = ("member", member.id);
    activity::log(
        &mut *tx,
        can.id,
        member.id,
        "join_request.created",
        subject,
        summary,
    )
    .await?;
    tx.commit().await?;
    Ok(Asked::Recorded)
}

/// What answering a request came to.
pub enum Decided {
    /// Answered now; the name of the person who asked.
    Now { name: String },
    /// Someone answered it already (a second click).
    Already,
}

/// Approves (the asker becomes a member) or declines a pending request of this CAN, and tells the
/// person who asked. An id that names no request here is not found.
pub async fn decide(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    id: Uuid,
    decision: JoinRequestStatus,
    reason: &str,
    base_url: &str,
) -> Result<Decided> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    // Only a decline carries a reason.
    let reason = match decision {
        JoinRequestStatus::Declined => reason,
        _ => "",
    };
    let Some(request) =
        queries::decide_request(&mut tx, can.id, id, decision, access.me.id, reason).await?
    else {
        drop(tx);
        return match queries::join_request_exists(db, can.id, id).await? {
            true => Ok(Decided::Already),
            false => Err(AppError::NotFound),
        };
    };
    let approved = decision == JoinRequestStatus::Approved;
    if approved {
        let acknowledged = request.rules_acknowledged_at;
        let (member, name) = (request.member_id, &request.display_name);
        // The CAN's lock before the membership row (see `invitations::join`).
        queries::lock_can(&mut tx, can.id).await?;
        if queries::add_membership(&mut tx, can.id, member, acknowledged, None).await? {
            let newcomer = Actor { id: member, name };
            crate::welcome::companions::at_joining(&mut tx, can, newcomer, base_url).await?;
        }
    }
    let summary = format!(
        "{} {} {}'s request to join",
        access.me.display_name,
        decision.as_str(),
        request.display_name
    );
    let action = match approved {
        true => "join_request.approved",
        false => "join_request.declined",
    };
    access
        .log(&mut tx, action, ("member", request.member_id), summary)
        .await?;
    let answer = mail::JoinAnswered {
        can_name: &can.name,
        approved,
        ask_again_after_days: ASK_AGAIN_AFTER_DAYS,
        reason,
    };
    let notice = Notice {
        kind: Kind::JoinAnswered,
        can: Some((can.id, &can.name)),
        line: answer.line(),
        // A new member finds their welcome page; someone declined, the other groups.
        link: match approved {
            true => access.path("/welcome"),
            false => "/c".to_string(),
        },
        key: format!("join_request:{id}:answered"),
    };
    let asker = Recipient::with_detail(request.member_id, answer.text()?);
    notifications::notify(&mut tx, base_url, &notice, &[asker]).await?;
    tx.commit().await?;
    Ok(Decided::Now {
        name: request.display_name,
    })
}
