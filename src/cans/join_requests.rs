//! Requests to join a listed CAN: asked by someone signed in (who acknowledges the rules as they
//! ask, so approval completes the membership), approved or declined by its organisers.

use sqlx::PgPool;
use uuid::Uuid;

use super::access::{Actor, CanAccess, Organiser};
use super::activity;
use super::forms::Join;
use super::model::{Can, JoinRequestStatus};
use super::queries;
use crate::error::{AppError, Result};

/// Records `member`'s request to join (a second one while the first is pending changes nothing).
pub async fn ask(db: &PgPool, can: &Can, member: Actor<'_>, join: &Join) -> Result<()> {
    let mut tx = db.begin().await?;
    if queries::insert_join_request(&mut tx, can.id, member.id, &join.message).await? {
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
    }
    tx.commit().await?;
    Ok(())
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
