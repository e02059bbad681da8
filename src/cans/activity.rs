//! The append-only activity log: every state-changing action in a CAN leaves a line saying who
//! did what to which record, written in the same transaction as the change itself.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::error::Result;

pub struct Entry<'a> {
    pub can_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<Uuid>,
    pub summary: String,
}

pub async fn record(db: impl PgExecutor<'_>, e: Entry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO activity_log (can_id, actor_id, action, subject_type, subject_id, summary)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(e.can_id)
    .bind(e.actor_id)
    .bind(e.action)
    .bind(e.subject_type)
    .bind(e.subject_id)
    .bind(e.summary)
    .execute(db)
    .await?;
    Ok(())
}

/// Shorthand for [`record`]: `actor` did `action` to `subject` (its kind and id) in the CAN.
pub async fn log(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    actor: Uuid,
    action: &str,
    (subject_type, subject_id): (&str, Uuid),
    summary: String,
) -> Result<()> {
    record(
        db,
        Entry {
            can_id,
            actor_id: Some(actor),
            action,
            subject_type,
            subject_id: Some(subject_id),
            summary,
        },
    )
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct Line {
    pub id: i64,
    pub action: String,
    pub summary: String,
    pub at: DateTime<Utc>,
}

pub const PAGE_SIZE: i64 = 50;

/// One page of a CAN's log, newest first; `before` is the id where the previous page ended.
pub async fn page(db: &PgPool, can_id: Uuid, before: Option<i64>) -> Result<Vec<Line>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.action, a.summary, a.at
         FROM activity_log a
         WHERE a.can_id = $1 AND ($2::bigint IS NULL OR a.id < $2)
         ORDER BY a.id DESC
         LIMIT $3",
    )
    .bind(can_id)
    .bind(before)
    .bind(PAGE_SIZE + 1)
    .fetch_all(db)
    .await?)
}
