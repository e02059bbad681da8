//! Plain SQL for consent rounds and their answers. Every query is scoped by `can_id` or by a
//! round already found in the CAN. A round is on a vision version or on a proposal; the queries
//! that read `ROUND` (joined to its version) see vision rounds only, the rest serve both. Answers
//! count only when given to the round's current text (`text_version`, which an amendment raises).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::{Round, Tally};
use crate::cans::model::MembershipStatus;
use crate::error::Result;
use crate::visioning::model::{Answer, RoundOutcome};

const ROUND: &str = "SELECT r.id, r.can_id, r.version_id, v.number AS version_number,
                            m.display_name AS opened_by, r.opened_at, r.closes_at, r.closed_at,
                            r.outcome, r.quorum_num, r.quorum_den, r.active_at_close, r.answered_at_close,
                            r.endorse_at_close, r.stand_aside_at_close, r.object_at_close
                     FROM consent_rounds r
                     JOIN vision_versions v ON v.id = r.version_id AND v.can_id = r.can_id
                     JOIN members m ON m.id = r.opened_by";

pub async fn round(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<Option<Round>> {
    Ok(
        sqlx::query_as(&format!("{ROUND} WHERE r.can_id = $1 AND r.id = $2"))
            .bind(can_id)
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn rounds(db: &PgPool, can_id: Uuid) -> Result<Vec<Round>> {
    Ok(sqlx::query_as(&format!(
        "{ROUND} WHERE r.can_id = $1 ORDER BY r.opened_at DESC"
    ))
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

pub async fn open_round_of(db: &PgPool, can_id: Uuid) -> Result<Option<Round>> {
    Ok(sqlx::query_as(&format!(
        "{ROUND} WHERE r.can_id = $1 AND r.closed_at IS NULL"
    ))
    .bind(can_id)
    .fetch_optional(db)
    .await?)
}

/// Whether the version is the group's vision now.
pub async fn is_current_vision(
    conn: &mut PgConnection,
    can_id: Uuid,
    version_id: Uuid,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT vision_version_id IS NOT DISTINCT FROM $2 FROM cans WHERE id = $1",
    )
    .bind(can_id)
    .bind(version_id)
    .fetch_one(conn)
    .await?)
}

/// The CAN's vision round whose time is up but which is not closed yet, if any.
pub async fn due_round(conn: &mut PgConnection, can_id: Uuid) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM consent_rounds
         WHERE can_id = $1 AND closed_at IS NULL AND closes_at <= now() AND version_id IS NOT NULL",
    )
    .bind(can_id)
    .fetch_optional(conn)
    .await?)
}

/// What a round decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A vision version (at most one open vision round per CAN).
    Vision(Uuid),
    /// A proposal (one round for its whole life; amendments raise the round's `text_version`).
    Proposal(Uuid),
}

pub struct NewRound {
    pub id: Uuid,
    pub subject: Subject,
    pub opened_by: Uuid,
    pub closes_at: DateTime<Utc>,
    pub quorum: (i16, i16),
}

/// Inserts the round; false when another vision round of the CAN is open.
pub async fn insert_round(conn: &mut PgConnection, can_id: Uuid, r: &NewRound) -> Result<bool> {
    let (version_id, proposal_id) = match r.subject {
        Subject::Vision(id) => (Some(id), None),
        Subject::Proposal(id) => (None, Some(id)),
    };
    let inserted = sqlx::query(
        "INSERT INTO consent_rounds
             (id, can_id, version_id, proposal_id, opened_by, closes_at, quorum_num, quorum_den)
         VALUES ($1, $2, $3, $8, $4, $5, $6, $7)",
    )
    .bind(r.id)
    .bind(can_id)
    .bind(version_id)
    .bind(r.opened_by)
    .bind(r.closes_at)
    .bind(r.quorum.0)
    .bind(r.quorum.1)
    .bind(proposal_id)
    .execute(conn)
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("consent_rounds_one_open_key") => {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether the round takes answers now, share-locking it so a concurrent close waits for the
/// answer; `None` when there is no such round in the CAN.
pub async fn lock_open_for_answer(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
) -> Result<Option<bool>> {
    Ok(sqlx::query_scalar(
        "SELECT closed_at IS NULL AND closes_at > now() FROM consent_rounds
         WHERE can_id = $1 AND id = $2 FOR SHARE",
    )
    .bind(can_id)
    .bind(round_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// One answer at a time per member and round, until the end of the transaction.
pub async fn lock_answering(
    conn: &mut PgConnection,
    round_id: Uuid,
    member_id: Uuid,
) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text || $2::text, 0))")
        .bind(round_id)
        .bind(member_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The member's answer so far, if any, and whether it was given to the round's current text.
pub async fn answer_of(
    conn: &mut PgConnection,
    round_id: Uuid,
    member_id: Uuid,
) -> Result<Option<(Answer, String, bool)>> {
    Ok(sqlx::query_as(
        "SELECT a.answer, a.reason, a.text_version = r.text_version
         FROM consent_answers a JOIN consent_rounds r ON r.id = a.round_id
         WHERE a.round_id = $1 AND a.member_id = $2",
    )
    .bind(round_id)
    .bind(member_id)
    .fetch_optional(conn)
    .await?)
}

/// Records (or replaces) the member's answer, to the round's current text, and keeps it in the
/// round's history.
pub async fn record_answer(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
    member_id: Uuid,
    (answer, reason): (Answer, &str),
) -> Result<()> {
    sqlx::query(
        "INSERT INTO consent_answers (round_id, can_id, member_id, answer, reason, text_version)
         SELECT $1, $2, $3, $4, $5, r.text_version FROM consent_rounds r WHERE r.id = $1
         ON CONFLICT (round_id, member_id) DO UPDATE
             SET answer = EXCLUDED.answer, reason = EXCLUDED.reason, answered_at = now(),
                 text_version = EXCLUDED.text_version",
    )
    .bind(round_id)
    .bind(can_id)
    .bind(member_id)
    .bind(answer)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO consent_answer_history (round_id, can_id, member_id, answer, reason, text_version)
         SELECT $1, $2, $3, $4, $5, r.text_version FROM consent_rounds r WHERE r.id = $1",
    )
    .bind(round_id)
    .bind(can_id)
    .bind(member_id)
    .bind(answer)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerLine {
    pub member_id: Uuid,
    pub name: String,
    pub answer: Answer,
    pub reason: String,
    pub answered_at: DateTime<Utc>,
    pub member_status: MembershipStatus,
    /// The text version the answer was given to.
    pub text_version: i32,
    /// Given to the round's current text (an answer to an earlier text no longer counts: its
    /// author is asked to answer again).
    pub current: bool,
}

/// Everyone's latest answer: to the current text first, objections first.
pub async fn answers(db: &PgPool, round_id: Uuid) -> Result<Vec<AnswerLine>> {
    Ok(sqlx::query_as(
        "SELECT a.member_id, p.display_name AS name, a.answer, a.reason, a.answered_at,
                m.status AS member_status, a.text_version, a.text_version = r.text_version AS current
         FROM consent_answers a
         JOIN consent_rounds r ON r.id = a.round_id
         JOIN members p ON p.id = a.member_id
         JOIN memberships m ON m.can_id = a.can_id AND m.member_id = a.member_id
         WHERE a.round_id = $1
         ORDER BY (a.text_version = r.text_version) DESC, (a.answer = 'object') DESC, a.answered_at",
    )
    .bind(round_id)
    .fetch_all(db)
    .await?)
}

/// Who has answered the round's current text (whatever their membership now).
pub async fn answered(db: impl PgExecutor<'_>, round_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT a.member_id FROM consent_answers a
         JOIN consent_rounds r ON r.id = a.round_id AND a.text_version = r.text_version
         WHERE a.round_id = $1",
    )
    .bind(round_id)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct HistoryLine {
    pub name: String,
    pub answer: Answer,
    pub reason: String,
    pub answered_at: DateTime<Utc>,
    /// The text version the answer was given to.
    pub text_version: i32,
}

/// Every answer given in the round, in order (changed ones included).
pub async fn history(db: &PgPool, round_id: Uuid) -> Result<Vec<HistoryLine>> {
    Ok(sqlx::query_as(
        "SELECT p.display_name AS name, h.answer, h.reason, h.answered_at, h.text_version
         FROM consent_answer_history h JOIN members p ON p.id = h.member_id
         WHERE h.round_id = $1 ORDER BY h.id",
    )
    .bind(round_id)
    .fetch_all(db)
    .await?)
}

/// The count of answers to the round's current text (an amendment sets earlier ones aside).
pub async fn tally(db: impl PgExecutor<'_>, can_id: Uuid, round_id: Uuid) -> Result<Tally> {
    Ok(sqlx::query_as(
        "SELECT (SELECT count(*) FROM memberships WHERE can_id = $1 AND status = 'active') AS active,
                count(a.member_id) FILTER (WHERE m.status = 'active') AS answered,
                count(*) FILTER (WHERE a.answer = 'endorse' AND m.status = 'active') AS endorse,
                count(*) FILTER (WHERE a.answer = 'stand_aside' AND m.status = 'active') AS stand_aside,
                count(*) FILTER (WHERE a.answer = 'object') AS object
         FROM consent_answers a
         JOIN consent_rounds r ON r.id = a.round_id AND r.text_version = a.text_version
         JOIN memberships m ON m.can_id = a.can_id AND m.member_id = a.member_id
         WHERE a.round_id = $2",
    )
    .bind(can_id)
    .bind(round_id)
    .fetch_one(db)
    .await?)
}

/// The count of answers to the round's current text among `present` (those at a meeting where
/// the round is closed): they are the quorum's whole; an objection from anyone still blocks.
pub async fn tally_among(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    round_id: Uuid,
    present: &[Uuid],
) -> Result<Tally> {
    Ok(sqlx::query_as(
        "SELECT (SELECT count(*) FROM memberships
                 WHERE can_id = $1 AND status = 'active' AND member_id = ANY($3)) AS active,
                count(a.member_id) FILTER (WHERE m.status = 'active' AND a.member_id = ANY($3)) AS answered,
                count(*) FILTER (WHERE a.answer = 'endorse' AND m.status = 'active' AND a.member_id = ANY($3)) AS endorse,
                count(*) FILTER (WHERE a.answer = 'stand_aside' AND m.status = 'active' AND a.member_id = ANY($3)) AS stand_aside,
                count(*) FILTER (WHERE a.answer = 'object') AS object
         FROM consent_answers a
         JOIN consent_rounds r ON r.id = a.round_id AND r.text_version = a.text_version
         JOIN memberships m ON m.can_id = a.can_id AND m.member_id = a.member_id
         WHERE a.round_id = $2",
    )
    .bind(can_id)
    .bind(round_id)
    .bind(present)
    .fetch_one(db)
    .await?)
}

/// Locks an open round for a change of its text (`FOR UPDATE`: an answer being given waits, and
/// then lands on the new text) and raises its text version; returns the new version, or `None`
/// when the round is closed.
pub async fn raise_text_version(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
) -> Result<Option<i32>> {
    Ok(sqlx::query_scalar(
        "UPDATE consent_rounds SET text_version = text_version + 1
         WHERE can_id = $1 AND id = $2 AND closed_at IS NULL AND closes_at > now()
         RETURNING text_version",
    )
    .bind(can_id)
    .bind(round_id)
    .fetch_optional(conn)
    .await?)
}

/// Those who have answered the round at all (to any text).
pub async fn answerers(db: impl PgExecutor<'_>, round_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(
        sqlx::query_scalar("SELECT member_id FROM consent_answers WHERE round_id = $1")
            .bind(round_id)
            .fetch_all(db)
            .await?,
    )
}

/// The standing objections to the round's current text: who, and why.
pub async fn objections(db: impl PgExecutor<'_>, round_id: Uuid) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT p.display_name, a.reason
         FROM consent_answers a
         JOIN consent_rounds r ON r.id = a.round_id AND r.text_version = a.text_version
         JOIN members p ON p.id = a.member_id
         WHERE a.round_id = $1 AND a.answer = 'object'
         ORDER BY a.answered_at",
    )
    .bind(round_id)
    .fetch_all(db)
    .await?)
}

/// An open round being closed, with what its mails need. A vision round has its version (and
/// number); a proposal's round its proposal.
#[derive(Debug, sqlx::FromRow)]
pub struct Closing {
    pub version_id: Option<Uuid>,
    pub number: Option<i32>,
    pub proposal_id: Option<Uuid>,
    pub quorum_num: i16,
    pub quorum_den: i16,
    pub slug: String,
    pub name: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    pub time_zone: chrono_tz::Tz,
}

/// Locks the round if it is still open; `None` when it is closed (or not the CAN's).
pub async fn lock_for_close(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
) -> Result<Option<Closing>> {
    Ok(sqlx::query_as(
        "SELECT r.version_id, v.number, r.proposal_id, r.quorum_num, r.quorum_den, c.slug, c.name,
                c.time_zone
         FROM consent_rounds r
         LEFT JOIN vision_versions v ON v.id = r.version_id AND v.can_id = r.can_id
         JOIN cans c ON c.id = r.can_id
         WHERE r.can_id = $1 AND r.id = $2 AND r.closed_at IS NULL
         FOR UPDATE OF r",
    )
    .bind(can_id)
    .bind(round_id)
    .fetch_optional(conn)
    .await?)
}

/// Closes the round with its outcome and the count it was decided on.
pub async fn record_close(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
    closed_by: Option<Uuid>,
    outcome: RoundOutcome,
    t: Tally,
) -> Result<()> {
    sqlx::query(
        "UPDATE consent_rounds
         SET closed_at = now(), closed_by = $3, outcome = $4, active_at_close = $5, answered_at_close = $6,
             endorse_at_close = $7, stand_aside_at_close = $8, object_at_close = $9
         WHERE can_id = $1 AND id = $2",
    )
    .bind(can_id)
    .bind(round_id)
    .bind(closed_by)
    .bind(outcome)
    .bind(t.active as i32)
    .bind(t.answered as i32)
    .bind(t.endorse as i32)
    .bind(t.stand_aside as i32)
    .bind(t.object as i32)
    .execute(conn)
    .await?;
    Ok(())
}

/// Makes the version the CAN's vision, to be reviewed on `review_on`.
pub async fn adopt(
    conn: &mut PgConnection,
    can_id: Uuid,
    version_id: Uuid,
    review_on: NaiveDate,
) -> Result<()> {
    sqlx::query("UPDATE vision_versions SET adopted_at = now() WHERE can_id = $1 AND id = $2")
        .bind(can_id)
        .bind(version_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE cans SET vision_version_id = $2, vision_adopted_at = now(), vision_review_on = $3
         WHERE id = $1",
    )
    .bind(can_id)
    .bind(version_id)
    .bind(review_on)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Claims a round whose time is up (any CAN's), skipping rounds another instance holds.
pub async fn claim_due(conn: &mut PgConnection) -> Result<Option<(Uuid, Uuid)>> {
    Ok(sqlx::query_as(
        "SELECT id, can_id FROM consent_rounds
         WHERE closed_at IS NULL AND closes_at <= now()
         ORDER BY closes_at LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .fetch_optional(conn)
    .await?)
}

/// A round closing within a day that has not had its reminder: a vision round (with its version
/// number) or a proposal's (with the proposal and its title).
#[derive(sqlx::FromRow)]
pub struct ClosingSoon {
    pub round_id: Uuid,
    pub can_id: Uuid,
    pub number: Option<i32>,
    pub proposal_id: Option<Uuid>,
    pub title: Option<String>,
    pub closes_at: DateTime<Utc>,
    pub slug: String,
    pub name: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    pub tz: chrono_tz::Tz,
}

/// Claims a round that closes within a day (only rounds longer than a day get a reminder; a
/// shorter one was just announced).
pub async fn claim_closing_soon(conn: &mut PgConnection) -> Result<Option<ClosingSoon>> {
    Ok(sqlx::query_as(
        "SELECT r.id AS round_id, r.can_id, v.number, r.proposal_id, p.title, r.closes_at, c.slug,
                c.name, c.time_zone AS tz
         FROM consent_rounds r
         LEFT JOIN vision_versions v ON v.id = r.version_id AND v.can_id = r.can_id
         LEFT JOIN proposals p ON p.id = r.proposal_id AND p.can_id = r.can_id
         JOIN cans c ON c.id = r.can_id
         WHERE r.closed_at IS NULL AND r.reminder_sent_at IS NULL
           AND r.closes_at > now() AND r.closes_at <= now() + interval '24 hours'
           AND r.closes_at - r.opened_at > interval '24 hours'
         LIMIT 1 FOR UPDATE OF r SKIP LOCKED",
    )
    .fetch_optional(conn)
    .await?)
}

pub async fn mark_reminded(conn: &mut PgConnection, round_id: Uuid) -> Result<()> {
    sqlx::query("UPDATE consent_rounds SET reminder_sent_at = now() WHERE id = $1")
        .bind(round_id)
        .execute(conn)
        .await?;
    Ok(())
}
