//! Plain SQL for discussion. Every query is scoped by `can_id`; a thread's comments are found by
//! their subject's column (one index each), never by a query per comment.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::Subject;
use crate::error::Result;
use crate::meetings::model::MeetingStatus;
use crate::proposals::model::ProposalStatus;
use crate::responsibilities::model::ResponsibilityStatus;

/// The column(s) naming `subject` in `comments`, as `c.<column> = $n` with the subject's ids
/// bound from `$first` on. The column names are fixed words, never input.
fn subject_filter(subject: &Subject, first: usize) -> String {
    match subject {
        Subject::Proposal(_) => format!("c.proposal_id = ${first}"),
        Subject::Objection { .. } => format!(
            "c.objection_round_id = ${first} AND c.objection_member_id = ${}",
            first + 1
        ),
        Subject::Hope(_) => format!("c.hope_id = ${first}"),
        Subject::Responsibility(_) => format!("c.responsibility_id = ${first}"),
        Subject::Meeting(_) => format!("c.meeting_id = ${first}"),
    }
}

type Args<'q> = sqlx::postgres::PgArguments;

fn bind_subject<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Postgres, O, Args<'q>>,
    subject: &Subject,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, Args<'q>> {
    match *subject {
        Subject::Objection { round, member } => q.bind(round).bind(member),
        Subject::Proposal(id)
        | Subject::Hope(id)
        | Subject::Responsibility(id)
        | Subject::Meeting(id) => q.bind(id),
    }
}

// ---- Subjects --------------------------------------------------------------------------------

#[derive(Debug, sqlx::FromRow)]
pub struct ProposalRow {
    pub title: String,
    pub status: ProposalStatus,
    pub author_id: Uuid,
    pub author: String,
}

pub async fn proposal(db: impl PgExecutor<'_>, can: Uuid, id: Uuid) -> Result<Option<ProposalRow>> {
    Ok(sqlx::query_as(
        "SELECT p.title, p.status, p.author_id, m.display_name AS author
         FROM proposals p JOIN members m ON m.id = p.author_id
         WHERE p.can_id = $1 AND p.id = $2",
    )
    .bind(can)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct ObjectionRow {
    pub objector: String,
    /// The objection still stands (the answer is still "object").
    pub standing: bool,
    /// The objection's reason: the standing one, or the last one given.
    pub reason: String,
    pub proposal_id: Option<Uuid>,
    pub proposal_title: Option<String>,
    pub version_number: Option<i32>,
    pub round_open: bool,
}

/// The objection of `member` in `round` of this CAN: an answer that is, or once was, "object".
pub async fn objection(
    db: impl PgExecutor<'_>,
    can: Uuid,
    round: Uuid,
    member: Uuid,
) -> Result<Option<ObjectionRow>> {
    Ok(sqlx::query_as(
        "SELECT m.display_name AS objector, a.answer = 'object' AS standing,
                CASE WHEN a.answer = 'object' THEN a.reason
                     ELSE coalesce(
                        (SELECT h.reason FROM consent_answer_history h
                         WHERE h.round_id = a.round_id AND h.member_id = a.member_id
                           AND h.answer = 'object'
                         ORDER BY h.id DESC LIMIT 1), '') END AS reason,
                r.proposal_id, p.title AS proposal_title, v.number AS version_number,
                r.closed_at IS NULL AS round_open
         FROM consent_answers a
         JOIN consent_rounds r ON r.id = a.round_id AND r.can_id = a.can_id
         JOIN members m ON m.id = a.member_id
         LEFT JOIN proposals p ON p.id = r.proposal_id
         LEFT JOIN vision_versions v ON v.id = r.version_id
         WHERE a.can_id = $1 AND a.round_id = $2 AND a.member_id = $3
           AND (a.answer = 'object'
                OR EXISTS (SELECT 1 FROM consent_answer_history h
                           WHERE h.round_id = a.round_id AND h.member_id = a.member_id
                             AND h.answer = 'object'))",
    )
    .bind(can)
    .bind(round)
    .bind(member)
    .fetch_optional(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct HopeRow {
    pub body: String,
    pub author_id: Uuid,
    pub author: String,
    pub created_at: DateTime<Utc>,
    /// How many members said "this resonates".
    pub resonances: i64,
}

/// A hope of this CAN that is not withdrawn, with how many it resonates with.
pub async fn hope(db: impl PgExecutor<'_>, can: Uuid, id: Uuid) -> Result<Option<HopeRow>> {
    Ok(sqlx::query_as(
        "SELECT h.body, h.author_id, m.display_name AS author, h.created_at,
                (SELECT count(*) FROM hope_resonances r WHERE r.hope_id = h.id) AS resonances
         FROM hopes h JOIN members m ON m.id = h.author_id
         WHERE h.can_id = $1 AND h.id = $2 AND h.withdrawn_at IS NULL",
    )
    .bind(can)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct ResponsibilityRow {
    pub title: String,
    pub status: ResponsibilityStatus,
    /// Its current carriers (not backups), ids and names in the same order.
    pub carrier_ids: Vec<Uuid>,
    pub carriers: Vec<String>,
}

pub async fn responsibility(
    db: impl PgExecutor<'_>,
    can: Uuid,
    id: Uuid,
) -> Result<Option<ResponsibilityRow>> {
    Ok(sqlx::query_as(
        "SELECT r.title, r.status,
                coalesce(array_agg(k.member_id ORDER BY k.from_at) FILTER (WHERE k.id IS NOT NULL),
                         '{}') AS carrier_ids,
                coalesce(array_agg(m.display_name ORDER BY k.from_at) FILTER (WHERE k.id IS NOT NULL),
                         '{}') AS carriers
         FROM responsibilities r
         LEFT JOIN carriers k ON k.responsibility_id = r.id AND k.kind = 'carrier'
                             AND k.from_at <= now() AND (k.until_at IS NULL OR k.until_at > now())
         LEFT JOIN members m ON m.id = k.member_id
         WHERE r.can_id = $1 AND r.id = $2
         GROUP BY r.id",
    )
    .bind(can)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct MeetingRow {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: MeetingStatus,
    pub facilitator_id: Option<Uuid>,
}

pub async fn meeting(db: impl PgExecutor<'_>, can: Uuid, id: Uuid) -> Result<Option<MeetingRow>> {
    Ok(sqlx::query_as(
        "SELECT title, starts_at, ends_at, status, facilitator_id
         FROM meetings WHERE can_id = $1 AND id = $2",
    )
    .bind(can)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

// ---- Comments --------------------------------------------------------------------------------

/// A comment as its thread shows it to one viewer. The body is empty unless the viewer may read
/// it: never for a removed comment, and for a hidden one only for its author and the organisers.
#[derive(Debug, sqlx::FromRow)]
pub struct ThreadComment {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub hidden: bool,
    /// Only for those who may read the body.
    pub hidden_reason: String,
}

/// The thread's comments, oldest first, as `viewer` may see them (`organiser`: they are one).
pub async fn thread(
    db: impl PgExecutor<'_>,
    can: Uuid,
    subject: &Subject,
    viewer: Uuid,
    organiser: bool,
) -> Result<Vec<ThreadComment>> {
    let sql = format!(
        "SELECT c.id, c.author_id, m.display_name AS author,
                CASE WHEN c.deleted_at IS NULL AND (c.hidden_at IS NULL OR c.author_id = $2 OR $3)
                     THEN c.body ELSE '' END AS body,
                c.created_at, c.edited_at,
                c.deleted_at IS NOT NULL AS deleted, c.hidden_at IS NOT NULL AS hidden,
                CASE WHEN c.author_id = $2 OR $3 THEN c.hidden_reason ELSE '' END AS hidden_reason
         FROM comments c JOIN members m ON m.id = c.author_id
         WHERE c.can_id = $1 AND {}
         ORDER BY c.created_at, c.id",
        subject_filter(subject, 4)
    );
    let q = sqlx::query_as(&sql).bind(can).bind(viewer).bind(organiser);
    Ok(bind_subject(q, subject).fetch_all(db).await?)
}

/// One comment, whoever may see it (the services decide).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Comment {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub hidden: bool,
    pub hidden_reason: String,
    pub proposal_id: Option<Uuid>,
    pub objection_round_id: Option<Uuid>,
    pub objection_member_id: Option<Uuid>,
    pub hope_id: Option<Uuid>,
    pub responsibility_id: Option<Uuid>,
    pub meeting_id: Option<Uuid>,
}

impl Comment {
    /// What it hangs on (the schema guarantees exactly one).
    pub fn subject(&self) -> Option<Subject> {
        if let Some(id) = self.proposal_id {
            Some(Subject::Proposal(id))
        } else if let (Some(round), Some(member)) =
            (self.objection_round_id, self.objection_member_id)
        {
            Some(Subject::Objection { round, member })
        } else if let Some(id) = self.hope_id {
            Some(Subject::Hope(id))
        } else if let Some(id) = self.responsibility_id {
            Some(Subject::Responsibility(id))
        } else {
            self.meeting_id.map(Subject::Meeting)
        }
    }
}

const COMMENT_COLUMNS: &str = "c.id, c.author_id, m.display_name AS author, c.body, c.created_at,
    c.edited_at, c.deleted_at IS NOT NULL AS deleted, c.hidden_at IS NOT NULL AS hidden,
    c.hidden_reason, c.proposal_id, c.objection_round_id, c.objection_member_id, c.hope_id,
    c.responsibility_id, c.meeting_id";

/// The comment `id` of this CAN.
pub async fn comment(db: impl PgExecutor<'_>, can: Uuid, id: Uuid) -> Result<Option<Comment>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COMMENT_COLUMNS} FROM comments c JOIN members m ON m.id = c.author_id
         WHERE c.can_id = $1 AND c.id = $2"
    ))
    .bind(can)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// The comment `id` of this CAN, locked for a change.
pub async fn lock_comment(conn: &mut PgConnection, can: Uuid, id: Uuid) -> Result<Option<Comment>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COMMENT_COLUMNS} FROM comments c JOIN members m ON m.id = c.author_id
         WHERE c.can_id = $1 AND c.id = $2 FOR UPDATE OF c"
    ))
    .bind(can)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    can: Uuid,
    author: Uuid,
    subject: &Subject,
    body: &str,
) -> Result<()> {
    let (proposal, round, objector, hope, responsibility, meeting) = match *subject {
        Subject::Proposal(id) => (Some(id), None, None, None, None, None),
        Subject::Objection { round, member } => (None, Some(round), Some(member), None, None, None),
        Subject::Hope(id) => (None, None, None, Some(id), None, None),
        Subject::Responsibility(id) => (None, None, None, None, Some(id), None),
        Subject::Meeting(id) => (None, None, None, None, None, Some(id)),
    };
    sqlx::query(
        "INSERT INTO comments (id, can_id, author_id, proposal_id, objection_round_id,
                               objection_member_id, hope_id, responsibility_id, meeting_id, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(can)
    .bind(author)
    .bind(proposal)
    .bind(round)
    .bind(objector)
    .bind(hope)
    .bind(responsibility)
    .bind(meeting)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps the text as it was (written when it was posted or last edited), then puts the new one.
pub async fn edit(conn: &mut PgConnection, can: Uuid, old: &Comment, body: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO comment_edits (comment_id, can_id, body, written_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(old.id)
    .bind(can)
    .bind(&old.body)
    .bind(old.edited_at.unwrap_or(old.created_at))
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE comments SET body = $3, edited_at = now() WHERE can_id = $1 AND id = $2")
        .bind(can)
        .bind(old.id)
        .bind(body)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, can: Uuid, id: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE comments SET deleted_at = now()
         WHERE can_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(can)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Hides the comment; returns when (a second hiding later is a new event for its author).
pub async fn hide(
    conn: &mut PgConnection,
    can: Uuid,
    id: Uuid,
    by: Uuid,
    reason: &str,
) -> Result<DateTime<Utc>> {
    Ok(sqlx::query_scalar(
        "UPDATE comments SET hidden_at = now(), hidden_by = $3, hidden_reason = $4
         WHERE can_id = $1 AND id = $2
         RETURNING hidden_at",
    )
    .bind(can)
    .bind(id)
    .bind(by)
    .bind(reason)
    .fetch_one(conn)
    .await?)
}

pub async fn unhide(conn: &mut PgConnection, can: Uuid, id: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE comments SET hidden_at = NULL, hidden_by = NULL, hidden_reason = ''
         WHERE can_id = $1 AND id = $2",
    )
    .bind(can)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An earlier text of a comment.
#[derive(Debug, sqlx::FromRow)]
pub struct EarlierText {
    pub body: String,
    pub written_at: DateTime<Utc>,
    pub replaced_at: DateTime<Utc>,
}

/// A comment's earlier texts, oldest first.
pub async fn earlier_texts(
    db: impl PgExecutor<'_>,
    can: Uuid,
    comment: Uuid,
) -> Result<Vec<EarlierText>> {
    Ok(sqlx::query_as(
        "SELECT body, written_at, replaced_at FROM comment_edits
         WHERE comment_id = $1 AND can_id = $2 ORDER BY id",
    )
    .bind(comment)
    .bind(can)
    .fetch_all(db)
    .await?)
}

// ---- People ----------------------------------------------------------------------------------

/// The caller's membership status, held for the transaction (leaving at the same moment waits).
pub async fn hold_membership(
    conn: &mut PgConnection,
    can: Uuid,
    member: Uuid,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT status FROM memberships WHERE can_id = $1 AND member_id = $2 FOR SHARE",
    )
    .bind(can)
    .bind(member)
    .fetch_optional(conn)
    .await?)
}

/// The CAN's active members with their display names (whom a mention can reach).
pub async fn active_members(conn: &mut PgConnection, can: Uuid) -> Result<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.display_name FROM memberships s JOIN members m ON m.id = s.member_id
         WHERE s.can_id = $1 AND s.status = 'active'",
    )
    .bind(can)
    .fetch_all(conn)
    .await?)
}

/// Of `people` and everyone who commented in the thread, those still members of the CAN.
pub async fn still_members_of_thread(
    conn: &mut PgConnection,
    can: Uuid,
    subject: &Subject,
    people: &[Uuid],
) -> Result<Vec<Uuid>> {
    let sql = format!(
        "SELECT s.member_id FROM memberships s
         WHERE s.can_id = $1 AND s.status <> 'left'
           AND s.member_id IN (SELECT unnest($2::uuid[])
                               UNION SELECT c.author_id FROM comments c
                                     WHERE c.can_id = $1 AND {})",
        subject_filter(subject, 3)
    );
    let q = sqlx::query_as::<_, (Uuid,)>(&sql).bind(can).bind(people);
    Ok(bind_subject(q, subject)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}
