//! The search page's and the decisions page's SQL: one statement each, whatever the CAN holds.
//! The words are read with `websearch_to_tsquery` in the CAN's own language (its configuration
//! comes from `search_config(cans.language)`, the function the index is built with).

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::Result;

/// What a search result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum EntryKind {
    Proposal,
    Decision,
    Meeting,
    Hope,
    Comment,
    Responsibility,
}

impl EntryKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposal => "Proposal",
            Self::Decision => "Decision",
            Self::Meeting => "Meeting",
            Self::Hope => "Hope",
            Self::Comment => "Comment",
            Self::Responsibility => "Responsibility",
        }
    }
}

/// Where a decision or a comment leads: its proposal or meeting, or the thread it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum ParentKind {
    Proposal,
    Meeting,
    Objection,
    Hope,
    Responsibility,
}

/// One result, best first.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Hit {
    pub kind: EntryKind,
    pub subject_id: Uuid,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub parent_kind: Option<ParentKind>,
    pub parent_id: Option<Uuid>,
    pub parent_member_id: Option<Uuid>,
    /// `ts_headline`'s output, with the request's markers: NOT safe HTML until escaped.
    pub snippet: String,
}

/// Texts up to this many characters are shown whole in a snippet; longer ones in fragments.
pub const WHOLE_UP_TO: i32 = 300;

/// `ts_headline`'s options: for short texts, and for long ones (see [`super::highlight`]).
pub struct Headline<'a> {
    pub whole: &'a str,
    pub fragments: &'a str,
}

/// Up to `limit` results for `words` in the CAN, from `offset`: ranked by `ts_rank_cd` (a title
/// match weighs more than a body match), the newest first among equals. The snippet is made for
/// the page's rows only.
pub async fn search(
    db: &PgPool,
    can_id: Uuid,
    words: &str,
    limit: i64,
    offset: i64,
    headline: &Headline<'_>,
) -> Result<Vec<Hit>> {
    Ok(sqlx::query_as(
        "WITH q AS (
             SELECT search_config(c.language) AS cfg,
                    websearch_to_tsquery(search_config(c.language), $2) AS query
             FROM cans c WHERE c.id = $1),
         hits AS (
             SELECT e.kind, e.subject_id, e.title, e.body, e.created_at, e.parent_kind, e.parent_id,
                    e.parent_member_id, ts_rank_cd(e.tsv, q.query) AS rank
             FROM q JOIN search_entries e ON e.can_id = $1 AND e.tsv @@ q.query
             ORDER BY rank DESC, e.created_at DESC, e.subject_id
             LIMIT $3 OFFSET $4)
         SELECT h.kind, h.subject_id, h.title, h.created_at, h.parent_kind, h.parent_id,
                h.parent_member_id,
                CASE WHEN char_length(t.text) <= $7 THEN ts_headline(q.cfg, t.text, q.query, $6)
                     ELSE ts_headline(q.cfg, t.text, q.query, $5) END AS snippet
         FROM hits h CROSS JOIN q
         CROSS JOIN LATERAL (SELECT CASE WHEN h.body <> '' THEN h.body ELSE h.title END AS text) t
         ORDER BY h.rank DESC, h.created_at DESC, h.subject_id",
    )
    .bind(can_id)
    .bind(words)
    .bind(limit)
    .bind(offset)
    .bind(headline.fragments)
    .bind(headline.whole)
    .bind(WHOLE_UP_TO)
    .fetch_all(db)
    .await?)
}

/// One decision of the CAN, with what it came from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DecisionRow {
    pub id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub meeting_id: Option<Uuid>,
    pub meeting_title: Option<String>,
    pub meeting_starts_at: Option<DateTime<Utc>>,
    pub proposal_id: Option<Uuid>,
    pub proposal_title: Option<String>,
    /// The tally the proposal's round was closed on.
    pub endorsed: Option<i32>,
    pub stood_aside: Option<i32>,
    pub objected: Option<i32>,
    pub active: Option<i32>,
    /// With words to find: the decision's text with them marked (NOT safe HTML until escaped).
    pub snippet: Option<String>,
}

/// Up to `limit` decisions of the CAN, newest first, older than the decision `before` when given;
/// with `words`, only those whose text matches them.
pub async fn decisions(
    db: &PgPool,
    can_id: Uuid,
    before: Option<Uuid>,
    words: &str,
    limit: i64,
    headline: &Headline<'_>,
) -> Result<Vec<DecisionRow>> {
    Ok(sqlx::query_as(
        "WITH q AS (
             SELECT search_config(c.language) AS cfg,
                    websearch_to_tsquery(search_config(c.language), $3) AS query
             FROM cans c WHERE c.id = $1)
         SELECT d.id, d.body, d.created_at, d.meeting_id, m.title AS meeting_title,
                m.starts_at AS meeting_starts_at, d.proposal_id, p.title AS proposal_title,
                r.endorse_at_close AS endorsed, r.stand_aside_at_close AS stood_aside,
                r.object_at_close AS objected, r.active_at_close AS active,
                CASE WHEN $3 = '' THEN NULL
                     WHEN char_length(d.body) <= $7 THEN ts_headline(q.cfg, d.body, q.query, $6)
                     ELSE ts_headline(q.cfg, d.body, q.query, $5) END AS snippet
         FROM q CROSS JOIN decisions d
         LEFT JOIN meetings m ON m.id = d.meeting_id
         LEFT JOIN proposals p ON p.id = d.proposal_id
         LEFT JOIN consent_rounds r ON r.proposal_id = d.proposal_id
         WHERE d.can_id = $1
           AND ($2::uuid IS NULL
                OR (d.created_at, d.id) < (SELECT b.created_at, b.id FROM decisions b
                                           WHERE b.can_id = $1 AND b.id = $2))
           AND ($3 = '' OR EXISTS (SELECT 1 FROM search_entries e
                                   WHERE e.kind = 'decision' AND e.subject_id = d.id
                                     AND e.tsv @@ q.query))
         ORDER BY d.created_at DESC, d.id DESC
         LIMIT $4",
    )
    .bind(can_id)
    .bind(before)
    .bind(words)
    .bind(limit)
    .bind(headline.fragments)
    .bind(headline.whole)
    .bind(WHOLE_UP_TO)
    .fetch_all(db)
    .await?)
}
