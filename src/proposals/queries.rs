//! Plain SQL for proposals: each statement is scoped by the CAN and reads through an index on the
//! CAN, the proposal or the round, so a page's cost follows the proposal, not the number of CANs.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::model::ProposalStatus;
use crate::error::Result;
use crate::visioning::model::{Answer, RoundOutcome};

/// A proposal with its round, what it links to, and how many visible comments its thread has.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Proposal {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author: String,
    pub title: String,
    pub body: String,
    pub version: i32,
    pub status: ProposalStatus,
    pub goal_id: Option<Uuid>,
    pub goal_title: Option<String>,
    pub responsibility_id: Option<Uuid>,
    pub responsibility_title: Option<String>,
    pub meeting_id: Option<Uuid>,
    pub meeting_title: Option<String>,
    pub meeting_facilitator_id: Option<Uuid>,
    pub agenda_item_title: Option<String>,
    pub created_at: DateTime<Utc>,
    pub withdrawn_by: Option<String>,
    pub withdrawn_reason: String,
    pub round_id: Uuid,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub outcome: Option<RoundOutcome>,
    pub quorum_num: i16,
    pub quorum_den: i16,
    pub active_at_close: Option<i32>,
    pub answered_at_close: Option<i32>,
    pub endorse_at_close: Option<i32>,
    pub stand_aside_at_close: Option<i32>,
    pub object_at_close: Option<i32>,
    /// Visible comments on the proposal's thread.
    pub discussion: i64,
    /// It was closed at its meeting (the quorum was those present).
    pub closed_at_meeting: bool,
}

impl Proposal {
    /// Open for answers: not closed, and its closing time not yet passed.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && self.closes_at > now
    }

    /// Its time is up but the clock has not closed it yet.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && self.closes_at <= now
    }
}

/// The activity action of a proposal closed at its meeting (the page reads it to say so).
pub const CLOSED_AT_MEETING: &str = "proposal.closed_at_meeting";

pub async fn proposal(db: impl PgExecutor<'_>, can_id: Uuid, id: Uuid) -> Result<Option<Proposal>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.author_id, a.display_name AS author, p.title, p.body, p.version, p.status,
                p.goal_id, g.title AS goal_title, p.responsibility_id, r.title AS responsibility_title,
                p.meeting_id, mt.title AS meeting_title, mt.facilitator_id AS meeting_facilitator_id,
                ai.title AS agenda_item_title, p.created_at, w.display_name AS withdrawn_by,
                p.withdrawn_reason, cr.id AS round_id, cr.closes_at, cr.closed_at, cr.outcome,
                cr.quorum_num, cr.quorum_den, cr.active_at_close, cr.answered_at_close,
                cr.endorse_at_close, cr.stand_aside_at_close, cr.object_at_close,
                (SELECT count(*) FROM comments c
                 WHERE c.proposal_id = p.id AND c.deleted_at IS NULL AND c.hidden_at IS NULL) AS discussion,
                (cr.closed_at IS NOT NULL AND p.meeting_id IS NOT NULL AND EXISTS (
                    SELECT 1 FROM activity_log l
                    WHERE l.can_id = p.can_id AND l.subject_id = p.id AND l.action = $3)) AS closed_at_meeting
         FROM proposals p
         JOIN members a ON a.id = p.author_id
         JOIN consent_rounds cr ON cr.proposal_id = p.id AND cr.can_id = p.can_id
         LEFT JOIN goals g ON g.id = p.goal_id
         LEFT JOIN responsibilities r ON r.id = p.responsibility_id
         LEFT JOIN meetings mt ON mt.id = p.meeting_id
         LEFT JOIN agenda_items ai ON ai.id = p.agenda_item_id
         LEFT JOIN members w ON w.id = p.withdrawn_by
         WHERE p.can_id = $1 AND p.id = $2",
    )
    .bind(can_id)
    .bind(id)
    .bind(CLOSED_AT_MEETING)
    .fetch_optional(db)
    .await?)
}

/// The proposal and its round, the round locked for a change (amend, withdraw, close), if it is
/// the CAN's. The round is locked, not the proposal: every change to a proposal (the clock's
/// close included) takes its round's lock first, so they queue in one order.
#[derive(Debug, sqlx::FromRow)]
pub struct Locked {
    pub author_id: Uuid,
    pub title: String,
    pub body: String,
    pub version: i32,
    pub status: ProposalStatus,
    pub round_id: Uuid,
    pub meeting_id: Option<Uuid>,
    pub meeting_facilitator_id: Option<Uuid>,
    /// Its round's time is up (the clock, or the next visit, decides it).
    pub due: bool,
}

pub async fn lock(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<Option<Locked>> {
    Ok(sqlx::query_as(
        "SELECT p.author_id, p.title, p.body, p.version, p.status, cr.id AS round_id, p.meeting_id,
                mt.facilitator_id AS meeting_facilitator_id, cr.closes_at <= now() AS due
         FROM proposals p
         JOIN consent_rounds cr ON cr.proposal_id = p.id AND cr.can_id = p.can_id
         LEFT JOIN meetings mt ON mt.id = p.meeting_id
         WHERE p.can_id = $1 AND p.id = $2
         FOR UPDATE OF cr",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// One text of a proposal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Version {
    pub number: i32,
    pub title: String,
    pub body: String,
    pub author: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// Every text the proposal has had, first to last.
pub async fn versions(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<Vec<Version>> {
    Ok(sqlx::query_as(
        "SELECT v.number, v.title, v.body, m.display_name AS author, v.note, v.created_at
         FROM proposal_versions v JOIN members m ON m.id = v.author_id
         WHERE v.can_id = $1 AND v.proposal_id = $2 ORDER BY v.number",
    )
    .bind(can_id)
    .bind(id)
    .fetch_all(db)
    .await?)
}

/// Writes a new text of the proposal and makes it the current one.
pub async fn amend(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    (number, title, body, note): (i32, &str, &str, &str),
    author_id: Uuid,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO proposal_versions (proposal_id, can_id, number, title, body, author_id, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(can_id)
    .bind(number)
    .bind(title)
    .bind(body)
    .bind(author_id)
    .bind(note)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE proposals SET title = $3, body = $4, version = $5 WHERE can_id = $1 AND id = $2",
    )
    .bind(can_id)
    .bind(id)
    .bind(title)
    .bind(body)
    .bind(number)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn withdraw(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    by: Uuid,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE proposals SET status = 'withdrawn', closed_at = now(), withdrawn_by = $3,
                withdrawn_reason = $4
         WHERE can_id = $1 AND id = $2 AND status = 'open'",
    )
    .bind(can_id)
    .bind(id)
    .bind(by)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// The number of visible comments on each objection's thread in the round, by objector.
pub async fn objection_threads(db: &PgPool, round_id: Uuid) -> Result<Vec<(Uuid, i64)>> {
    Ok(sqlx::query_as(
        "SELECT objection_member_id, count(*) FROM comments
         WHERE objection_round_id = $1 AND deleted_at IS NULL AND hidden_at IS NULL
         GROUP BY objection_member_id",
    )
    .bind(round_id)
    .fetch_all(db)
    .await?)
}

/// An open proposal on the list, with the caller's own answer.
#[derive(Debug, sqlx::FromRow)]
pub struct OpenLine {
    pub id: Uuid,
    pub title: String,
    pub author: String,
    pub closes_at: DateTime<Utc>,
    pub my_answer: Option<Answer>,
    /// The caller's answer was given to an earlier text.
    pub my_answer_earlier: bool,
}

/// The CAN's open proposals, closing soonest first, with `member`'s answer.
pub async fn open_list(db: &PgPool, can_id: Uuid, member: Uuid) -> Result<Vec<OpenLine>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.title, m.display_name AS author, r.closes_at, a.answer AS my_answer,
                coalesce(a.text_version <> r.text_version, false) AS my_answer_earlier
         FROM proposals p
         JOIN members m ON m.id = p.author_id
         JOIN consent_rounds r ON r.proposal_id = p.id AND r.can_id = p.can_id
         LEFT JOIN consent_answers a ON a.round_id = r.id AND a.member_id = $2
         WHERE p.can_id = $1 AND p.status = 'open'
         ORDER BY r.closes_at, p.id",
    )
    .bind(can_id)
    .bind(member)
    .fetch_all(db)
    .await?)
}

/// A decided proposal on the list.
#[derive(Debug, sqlx::FromRow)]
pub struct DecidedLine {
    pub id: Uuid,
    pub title: String,
    pub author: String,
    pub status: ProposalStatus,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The CAN's decided proposals, newest first: `limit` of them after skipping `offset`.
pub async fn decided_list(
    db: &PgPool,
    can_id: Uuid,
    limit: i64,
    offset: i64,
) -> Result<Vec<DecidedLine>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.title, m.display_name AS author, p.status, p.closed_at
         FROM proposals p JOIN members m ON m.id = p.author_id
         WHERE p.can_id = $1 AND p.status <> 'open'
         ORDER BY p.created_at DESC, p.id DESC
         LIMIT $2 OFFSET $3",
    )
    .bind(can_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?)
}

/// What the new-proposal form offers: the CAN's active goals and open responsibilities.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
}

pub async fn choices(db: &PgPool, can_id: Uuid) -> Result<Vec<Choice>> {
    Ok(sqlx::query_as(
        "SELECT id, title AS name, 'goal' AS kind FROM goals WHERE can_id = $1 AND status = 'active'
         UNION ALL
         SELECT id, title, 'responsibility' FROM responsibilities
         WHERE can_id = $1 AND status IN ('open', 'active')
         ORDER BY kind, name",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// Whether the goal is one of the CAN's active goals.
pub async fn active_goal(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM goals WHERE can_id = $1 AND id = $2 AND status = 'active')",
    )
    .bind(can_id)
    .bind(id)
    .fetch_one(db)
    .await?)
}

/// Whether the responsibility is one of the CAN's open ones.
pub async fn open_responsibility(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM responsibilities
                        WHERE can_id = $1 AND id = $2 AND status IN ('open', 'active'))",
    )
    .bind(can_id)
    .bind(id)
    .fetch_one(db)
    .await?)
}

/// A meeting of the CAN (and, when asked, one of its agenda items): their titles.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingLink {
    pub meeting_title: String,
    pub item_title: Option<String>,
}

/// The meeting and agenda item, if the meeting is the CAN's and the item the meeting's.
pub async fn meeting_link(
    db: &PgPool,
    can_id: Uuid,
    meeting_id: Uuid,
    item_id: Option<Uuid>,
) -> Result<Option<MeetingLink>> {
    Ok(sqlx::query_as(
        "SELECT g.title AS meeting_title, a.title AS item_title
         FROM meetings g
         LEFT JOIN agenda_items a ON a.id = $3 AND a.meeting_id = g.id
         WHERE g.can_id = $1 AND g.id = $2 AND ($3::uuid IS NULL OR a.id IS NOT NULL)",
    )
    .bind(can_id)
    .bind(meeting_id)
    .bind(item_id)
    .fetch_optional(db)
    .await?)
}

/// A proposal put at a meeting, with how many of those present have answered its current text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AtMeetingLine {
    pub id: Uuid,
    pub title: String,
    pub status: ProposalStatus,
    pub agenda_item_id: Option<Uuid>,
    pub present: i64,
    pub answered: i64,
}

pub async fn at_meeting(db: &PgPool, can_id: Uuid, meeting_id: Uuid) -> Result<Vec<AtMeetingLine>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.title, p.status, p.agenda_item_id,
                (SELECT count(*) FROM attendance t WHERE t.meeting_id = $2) AS present,
                (SELECT count(*) FROM attendance t
                 JOIN consent_answers a ON a.round_id = r.id AND a.member_id = t.member_id
                                       AND a.text_version = r.text_version
                 WHERE t.meeting_id = $2) AS answered
         FROM proposals p JOIN consent_rounds r ON r.proposal_id = p.id AND r.can_id = p.can_id
         WHERE p.can_id = $1 AND p.meeting_id = $2
         ORDER BY p.created_at, p.id",
    )
    .bind(can_id)
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

/// Those recorded present at the meeting, and those of them who have not answered the round's
/// current text (by name).
pub async fn present_and_waiting(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    round_id: Uuid,
) -> Result<(Vec<Uuid>, Vec<String>)> {
    let rows: Vec<(Uuid, String, bool)> = sqlx::query_as(
        "SELECT t.member_id, m.display_name,
                EXISTS (SELECT 1 FROM consent_answers a JOIN consent_rounds r ON r.id = a.round_id
                        WHERE a.round_id = $2 AND a.member_id = t.member_id
                          AND a.text_version = r.text_version) AS answered
         FROM attendance t JOIN members m ON m.id = t.member_id
         WHERE t.meeting_id = $1
         ORDER BY lower(m.display_name)",
    )
    .bind(meeting_id)
    .bind(round_id)
    .fetch_all(conn)
    .await?;
    let present = rows.iter().map(|(id, _, _)| *id).collect();
    let waiting = rows
        .into_iter()
        .filter(|(_, _, answered)| !answered)
        .map(|(_, name, _)| name)
        .collect();
    Ok((present, waiting))
}
