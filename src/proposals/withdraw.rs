//! Withdrawing an open proposal (its author, or a facilitator or organiser), with a reason: its
//! round ends without a decision, and everyone who answered is told.

use askama::Template;
use sqlx::PgPool;
use uuid::Uuid;

use super::amend::may_change;
use super::mail;
use super::queries;
use crate::cans::access::{ActiveMember, CanAccess};
use crate::error::{AppError, Result};
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::visioning::rounds;

#[derive(Debug, PartialEq, Eq)]
pub enum WithdrawOutcome {
    Withdrawn,
    /// It was decided or withdrawn already.
    Closed,
    NotAllowed,
}

/// Withdraws the proposal; `None` when it is not the CAN's.
pub async fn withdraw(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    reason: &str,
    base_url: &str,
) -> Result<Option<WithdrawOutcome>> {
    let (can, me) = (&access.can, &access.me);
    let mut tx = db.begin().await?;
    let Some(p) = queries::lock(&mut tx, can.id, id).await? else {
        return Ok(None);
    };
    // Once its time is up, the count decides it: it is no longer withdrawn.
    if !p.status.is_open() || p.due {
        return Ok(Some(WithdrawOutcome::Closed));
    }
    if !may_change(access, p.author_id) {
        return Ok(Some(WithdrawOutcome::NotAllowed));
    }
    if rounds::withdraw_in(&mut tx, can.id, p.round_id, access.actor())
        .await?
        .is_none()
    {
        return Ok(Some(WithdrawOutcome::Closed));
    }
    queries::withdraw(&mut tx, can.id, id, me.id, reason).await?;
    let summary = format!("{} withdrew “{}”: {reason}", me.display_name, p.title);
    access
        .log(&mut tx, "proposal.withdrawn", ("proposal", id), summary)
        .await?;
    let path = access.path(&format!("/proposals/{id}"));
    let link = format!("{base_url}{path}");
    let detail = mail::Withdrawn {
        can_name: &can.name,
        by: &me.display_name,
        title: &p.title,
        reason,
        link: &link,
    }
    .render()
    .map_err(AppError::internal)?;
    let to: Vec<Recipient> = rounds::answerers(&mut *tx, p.round_id)
        .await?
        .into_iter()
        .filter(|m| *m != me.id)
        .map(|m| Recipient::with_detail(m, detail.clone()))
        .collect();
    let notice = Notice {
        kind: Kind::RoundClosed,
        can: Some((can.id, &can.name)),
        line: format!("{} withdrew “{}”", me.display_name, p.title),
        link: path,
        key: format!("proposal:{id}:closed"),
    };
    notifications::notify(&mut tx, base_url, &notice, &to).await?;
    tx.commit().await?;
    Ok(Some(WithdrawOutcome::Withdrawn))
}
