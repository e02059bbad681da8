//! Putting a proposal to the CAN: the proposal, its first text and its consent round are written
//! in one transaction, and every other active member is told a round is open.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::cans::access::{ActiveMember, CanAccess};
use crate::cans::queries::active_members;
use crate::error::Result;
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::visioning::queries::quorum;
use crate::visioning::rounds::{NewRound, Subject, insert_round};

/// Where a proposal was put: a meeting, and optionally the agenda item it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtMeeting {
    pub meeting_id: Uuid,
    pub agenda_item_id: Option<Uuid>,
}

/// A proposal as parsed from its form; the ids it links to are checked to belong to the CAN
/// before this is built (a foreign key with `can_id` backs that up).
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub title: String,
    pub body: String,
    pub closes_at: DateTime<Utc>,
    pub goal_id: Option<Uuid>,
    pub responsibility_id: Option<Uuid>,
    pub meeting: Option<AtMeeting>,
}

/// Puts the proposal to the CAN and opens its consent round; returns the proposal's id.
pub async fn create(
    db: &sqlx::PgPool,
    access: &CanAccess<ActiveMember>,
    new: &NewProposal,
    base_url: &str,
) -> Result<Uuid> {
    let (can, me) = (&access.can, &access.me);
    let id = Uuid::now_v7();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO proposals (id, can_id, author_id, title, body, goal_id, responsibility_id,
                                meeting_id, agenda_item_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(can.id)
    .bind(me.id)
    .bind(&new.title)
    .bind(&new.body)
    .bind(new.goal_id)
    .bind(new.responsibility_id)
    .bind(new.meeting.map(|m| m.meeting_id))
    .bind(new.meeting.and_then(|m| m.agenda_item_id))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO proposal_versions (proposal_id, can_id, number, title, body, author_id)
         VALUES ($1, $2, 1, $3, $4, $5)",
    )
    .bind(id)
    .bind(can.id)
    .bind(&new.title)
    .bind(&new.body)
    .bind(me.id)
    .execute(&mut *tx)
    .await?;
    let round = NewRound {
        id: Uuid::now_v7(),
        subject: Subject::Proposal(id),
        opened_by: me.id,
        closes_at: new.closes_at,
        quorum: quorum(&mut *tx, can.id).await?,
    };
    // Only vision rounds are one at a time; a proposal's round always goes in.
    insert_round(&mut tx, can.id, &round).await?;
    let summary = format!("{} proposed “{}”", me.display_name, new.title);
    access
        .log(&mut tx, "proposal.opened", ("proposal", id), summary)
        .await?;
    let to: Vec<Recipient> = active_members(&mut *tx, can.id)
        .await?
        .into_iter()
        .filter(|p| p.id != me.id)
        .map(|p| Recipient::plain(p.id))
        .collect();
    let notice = Notice {
        kind: Kind::RoundOpened,
        can: Some((can.id, &can.name)),
        line: format!(
            "{} proposes “{}”: endorse, stand aside or object",
            me.display_name, new.title
        ),
        link: access.path(&format!("/proposals/{id}")),
        key: format!("proposal:{id}:opened"),
    };
    notifications::notify(&mut tx, base_url, &notice, &to).await?;
    tx.commit().await?;
    Ok(id)
}
