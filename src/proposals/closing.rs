//! What a proposal's round closing does: the proposal is adopted (and becomes a decision of the
//! CAN, and of its meeting when it was put at one) or not adopted.

use sqlx::PgConnection;

use super::model::ProposalStatus;
use crate::error::Result;
use crate::visioning::rounds::Closed;

/// Called by the consent machinery in the transaction that closed the proposal's round.
pub async fn round_closed(
    conn: &mut PgConnection,
    closed: &Closed<'_>,
    _base_url: &str,
) -> Result<()> {
    let status = match closed.outcome.is_adopted() {
        true => ProposalStatus::Adopted,
        false => ProposalStatus::NotAdopted,
    };
    sqlx::query(
        "UPDATE proposals SET status = $3, closed_at = now() WHERE can_id = $1 AND id = $2 AND status = 'open'",
    )
    .bind(closed.can_id)
    .bind(closed.proposal_id)
    .bind(status)
    .execute(&mut *conn)
    .await?;
    if status == ProposalStatus::Adopted {
        // The decision reads as the proposal's title; its page holds the adopted text.
        sqlx::query(
            "INSERT INTO decisions (id, can_id, meeting_id, agenda_item_id, proposal_id, body, recorded_by)
             SELECT $3, p.can_id, p.meeting_id, p.agenda_item_id, p.id, p.title, coalesce($4, p.author_id)
             FROM proposals p WHERE p.can_id = $1 AND p.id = $2",
        )
        .bind(closed.can_id)
        .bind(closed.proposal_id)
        .bind(uuid::Uuid::now_v7())
        .bind(closed.closed_by.map(|c| c.id))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
