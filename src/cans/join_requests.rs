//! Requests to join a listed CAN: asked by someone signed in (who acknowledges the rules as they
//! ask, so approval completes the membership), approved or declined by its organisers. One
//! request may be pending at a time, and after a decline the same person may not ask again for
//! [`ASK_AGAIN_AFTER_DAYS`] days (a withdrawn request does not hold them back).

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::access::{Actor, CanAccess, Organiser};
use super::activity;
use super::forms::Join;
use super::model::{Can, JoinRequestStatus};
use super::queries;
use crate::error::{AppError, Result};

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

/// Records `member`'s request to join, unless one is pending or one was declined lately.
pub async fn ask(db: &PgPool, can: &Can, member: Actor<'_>, join: &Join) -> Result<Asked> {
    let mut tx = db.begin().await?;
    let declined = queries::ask_again_at(&mut *tx, can.id, member.id, ASK_AGAIN_AFTER_DAYS).await?;
    if let Some(ask_again_at) = declined {
        return Ok(Asked::DeclinedLately { ask_again_at });
    }
    if !queries::insert_join_request(&mut tx, can.id, member.id, &join.message).await? {
        return Ok(Asked::AlreadyPending);
    }
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

/// Approves (the asker becomes a member) or declines a pending request of this CAN. An id that
/// names no request here is not found.
pub async fn decide(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    id: Uuid,
    decision: JoinRequestStatus,
) -> Result<Decided> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    let Some(request) =
        queries::decide_request(&mut tx, can.id, id, decision, access.me.id).await?
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
        queries::add_membership(&mut tx, can.id, request.member_id, acknowledged, None).await?;
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
    tx.commit().await?;
    Ok(Decided::Now {
        name: request.display_name,
    })
}
