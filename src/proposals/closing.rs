//! How a proposal's round ends: closed by the clock, by a facilitator's hand, or at its meeting
//! once everyone present has answered (all through the consent machinery's `close_among`); and
//! what closing does: the proposal is adopted (and becomes a decision of the CAN, and of its
//! meeting when it was put at one) or not adopted, with an activity line and a notice to every
//! active member but the one who closed it.

use askama::Template;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::mail;
use super::model::{ProposalStatus, outcome_words};
use super::queries::{self, CLOSED_AT_MEETING};
use crate::cans::access::{ActiveMember, CanAccess};
use crate::cans::activity;
use crate::cans::model::Role;
use crate::cans::queries::active_members;
use crate::error::{AppError, Result};
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::visioning::model::RoundOutcome;
use crate::visioning::rounds::{self, Closed, close_among};

/// Called by the consent machinery in the transaction that closed the proposal's round.
pub async fn round_closed(
    conn: &mut PgConnection,
    closed: &Closed<'_>,
    base_url: &str,
) -> Result<()> {
    let status = match closed.outcome.is_adopted() {
        true => ProposalStatus::Adopted,
        false => ProposalStatus::NotAdopted,
    };
    let (title, slug, can_name): (String, String, String) = sqlx::query_as(
        "UPDATE proposals p SET status = $3, closed_at = now()
         FROM cans c
         WHERE p.can_id = $1 AND p.id = $2 AND p.status = 'open' AND c.id = p.can_id
         RETURNING p.title, c.slug, c.name",
    )
    .bind(closed.can_id)
    .bind(closed.proposal_id)
    .bind(status)
    .fetch_one(&mut *conn)
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
    let t = closed.tally;
    let whom = match closed.at_meeting {
        true => "present",
        false => "active members",
    };
    let summary = format!(
        "“{title}” closed{}{}: {} ({} of {} {whom} answered, {} needed; {} objection{})",
        closed
            .closed_by
            .map(|c| format!(" ({} closed it)", c.name))
            .unwrap_or_default(),
        if closed.at_meeting {
            " at its meeting"
        } else {
            ""
        },
        outcome_words(closed.outcome),
        t.answered,
        t.active,
        closed.needed,
        t.object,
        if t.object == 1 { "" } else { "s" },
    );
    activity::record(
        &mut *conn,
        activity::Entry {
            can_id: closed.can_id,
            actor_id: closed.closed_by.map(|c| c.id),
            action: match closed.at_meeting {
                true => CLOSED_AT_MEETING,
                false => "proposal.closed",
            },
            subject_type: "proposal",
            subject_id: Some(closed.proposal_id),
            summary: summary.clone(),
        },
    )
    .await?;
    let objections = match closed.outcome {
        RoundOutcome::Blocked => rounds::objections(&mut *conn, closed.round_id).await?,
        _ => Vec::new(),
    };
    let path = format!("/c/{slug}/proposals/{}", closed.proposal_id);
    let link = format!("{base_url}{path}");
    let detail = mail::Closed {
        summary: &summary,
        objections: &objections,
        link: &link,
    }
    .render()
    .map_err(AppError::internal)?;
    let closer = closed.closed_by.map(|c| c.id);
    let to: Vec<Recipient> = active_members(&mut *conn, closed.can_id)
        .await?
        .into_iter()
        .filter(|p| Some(p.id) != closer)
        .map(|p| Recipient::with_detail(p.id, detail.clone()))
        .collect();
    let line = match closed.outcome.is_adopted() {
        true => format!("“{title}” is adopted: a decision of the CAN"),
        false => format!("“{title}” was not adopted"),
    };
    let notice = Notice {
        kind: Kind::RoundClosed,
        can: Some((closed.can_id, &can_name)),
        line,
        link: path,
        key: format!("proposal:{}:closed", closed.proposal_id),
    };
    notifications::notify(conn, base_url, &notice, &to).await?;
    Ok(())
}

/// How a request to close a proposal ended.
#[derive(Debug)]
pub enum CloseOutcome {
    Closed(RoundOutcome),
    /// It was closed (or withdrawn) already.
    AlreadyClosed,
    /// Only facilitators (and, at its meeting, the meeting's facilitator) close proposals.
    NotAllowed,
    /// Closing at a meeting, for a proposal not put at one.
    NoMeeting,
    /// Closing at the meeting before anyone was recorded present.
    NobodyPresent,
    /// Closing at the meeting while these people present have not answered the current text.
    Waiting(Vec<String>),
}

/// Closes the proposal now: by hand (facilitators and organisers; the CAN's quorum), or at its
/// meeting (also the meeting's facilitator) once everyone recorded present has answered its
/// current text — those present are then the quorum. `None` when it is not the CAN's.
pub async fn close(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    at_meeting: bool,
    base_url: &str,
) -> Result<Option<CloseOutcome>> {
    let (can_id, m) = (access.can.id, &access.membership);
    let mut tx = db.begin().await?;
    let Some(p) = queries::lock(&mut tx, can_id, id).await? else {
        return Ok(None);
    };
    let facilitates = m.has(Role::Facilitator) || m.has(Role::Organiser);
    if !p.status.is_open() {
        return Ok(Some(CloseOutcome::AlreadyClosed));
    }
    let present = match (at_meeting, p.meeting_id) {
        (false, _) if !facilitates => return Ok(Some(CloseOutcome::NotAllowed)),
        (false, _) => None,
        (true, None) => return Ok(Some(CloseOutcome::NoMeeting)),
        (true, Some(meeting_id)) => {
            if !facilitates && p.meeting_facilitator_id != Some(access.me.id) {
                return Ok(Some(CloseOutcome::NotAllowed));
            }
            let (present, waiting) =
                queries::present_and_waiting(&mut tx, meeting_id, p.round_id).await?;
            if present.is_empty() {
                return Ok(Some(CloseOutcome::NobodyPresent));
            }
            if !waiting.is_empty() {
                return Ok(Some(CloseOutcome::Waiting(waiting)));
            }
            Some(present)
        }
    };
    let outcome = close_among(
        &mut tx,
        can_id,
        p.round_id,
        Some(access.actor()),
        present.as_deref(),
        base_url,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(match outcome {
        Some(o) => CloseOutcome::Closed(o),
        None => CloseOutcome::AlreadyClosed,
    }))
}
