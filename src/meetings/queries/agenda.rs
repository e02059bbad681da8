//! Plain SQL for agendas: the items of a meeting, in order, and the open ones carried forward.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::Result;
use crate::meetings::model::AgendaStatus;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgendaItem {
    pub id: Uuid,
    pub position: i32,
    pub title: String,
    pub owner: Option<String>,
    pub minutes_budget: Option<i32>,
    pub status: AgendaStatus,
    /// Carried over from an earlier meeting.
    pub carried: bool,
    /// Who put it on the agenda.
    pub proposer_id: Uuid,
    pub proposer: String,
    /// When the meeting took it up (the run view's clock), and when it was finished.
    pub started_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub notes: String,
}

impl AgendaItem {
    /// Under way now: taken up and not yet finished.
    pub fn is_current(&self) -> bool {
        self.started_at.is_some() && self.status.is_open()
    }
}

pub async fn agenda(db: &PgPool, meeting_id: Uuid) -> Result<Vec<AgendaItem>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.position, a.title, o.display_name AS owner, a.minutes_budget, a.status,
                a.carried_from IS NOT NULL AS carried, a.proposed_by AS proposer_id, p.display_name AS proposer,
                a.started_at, a.done_at, a.notes
         FROM agenda_items a LEFT JOIN members o ON o.id = a.owner_id
         JOIN members p ON p.id = a.proposed_by
         WHERE a.meeting_id = $1 ORDER BY a.position, a.created_at",
    )
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

/// An item to put at the end of a meeting's agenda.
pub struct NewItem<'a> {
    pub can_id: Uuid,
    pub meeting_id: Uuid,
    pub title: &'a str,
    pub owner: Option<Uuid>,
    pub minutes_budget: Option<i32>,
    pub proposed_by: Uuid,
}

/// Appends an item (the caller holds the meeting's lock, so positions stay distinct).
pub async fn append(conn: &mut PgConnection, item: &NewItem<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO agenda_items (id, can_id, meeting_id, position, title, owner_id, minutes_budget, proposed_by)
         VALUES ($1, $2, $3, (SELECT COALESCE(max(position), 0) + 1 FROM agenda_items WHERE meeting_id = $3), $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(item.can_id)
    .bind(item.meeting_id)
    .bind(item.title)
    .bind(item.owner)
    .bind(item.minutes_budget)
    .bind(item.proposed_by)
    .execute(conn)
    .await?;
    Ok(())
}

/// The item's position, locked for a change; `None` when the meeting has no such item.
pub async fn lock_item(
    conn: &mut PgConnection,
    can_id: Uuid,
    meeting_id: Uuid,
    item: Uuid,
) -> Result<Option<i32>> {
    Ok(sqlx::query_scalar(
        "SELECT position FROM agenda_items WHERE can_id = $1 AND meeting_id = $2 AND id = $3 FOR UPDATE",
    )
    .bind(can_id)
    .bind(meeting_id)
    .bind(item)
    .fetch_optional(conn)
    .await?)
}

/// The item just before (`earlier`) or after `position`, locked: its id and position.
pub async fn neighbour(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    position: i32,
    earlier: bool,
) -> Result<Option<(Uuid, i32)>> {
    let (compare, order) = if earlier { ("<", "DESC") } else { (">", "ASC") };
    Ok(sqlx::query_as(&format!(
        "SELECT id, position FROM agenda_items WHERE meeting_id = $1 AND position {compare} $2
         ORDER BY position {order} LIMIT 1 FOR UPDATE"
    ))
    .bind(meeting_id)
    .bind(position)
    .fetch_optional(conn)
    .await?)
}

pub async fn set_position(conn: &mut PgConnection, item: Uuid, position: i32) -> Result<()> {
    sqlx::query("UPDATE agenda_items SET position = $2 WHERE id = $1")
        .bind(item)
        .bind(position)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets an item's status. Finishing one that was under way stops its clock; opening one again
/// clears its clock (it starts afresh when the meeting comes back to it).
/// Someone who runs the meeting has looked at its agenda's order (see `meetings.agenda_reviewed_at`).
pub async fn mark_reviewed(conn: &mut PgConnection, can_id: Uuid, meeting: Uuid) -> Result<()> {
    sqlx::query("UPDATE meetings SET agenda_reviewed_at = now() WHERE can_id = $1 AND id = $2")
        .bind(can_id)
        .bind(meeting)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_status(conn: &mut PgConnection, item: Uuid, status: AgendaStatus) -> Result<()> {
    sqlx::query(
        "UPDATE agenda_items SET status = $2,
                done_at = CASE WHEN $2 = 'open' THEN NULL WHEN started_at IS NOT NULL THEN coalesce(done_at, greatest(statement_timestamp(), started_at)) END,
                started_at = CASE WHEN $2 = 'open' THEN NULL ELSE started_at END
         WHERE id = $1",
    )
        .bind(item)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

/// Copies the open items of meeting `from` to the end of meeting `to`'s agenda, skipping titles
/// already there; returns how many were carried.
pub async fn carry_open_items(
    conn: &mut PgConnection,
    can_id: Uuid,
    from: Uuid,
    to: Uuid,
) -> Result<u64> {
    let done = sqlx::query(
        "INSERT INTO agenda_items (id, can_id, meeting_id, position, title, owner_id, minutes_budget, proposed_by, carried_from)
         SELECT gen_random_uuid(), a.can_id, $3,
                (SELECT COALESCE(max(position), 0) FROM agenda_items WHERE meeting_id = $3) + row_number() OVER (ORDER BY a.position),
                a.title, a.owner_id, a.minutes_budget, a.proposed_by, a.id
         FROM agenda_items a WHERE a.can_id = $1 AND a.meeting_id = $2 AND a.status = 'open'
           AND NOT EXISTS (SELECT 1 FROM agenda_items b WHERE b.meeting_id = $3 AND b.title = a.title)",
    )
    .bind(can_id)
    .bind(from)
    .bind(to)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The item under way in a meeting, locked: its id.
pub async fn lock_current(conn: &mut PgConnection, meeting_id: Uuid) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM agenda_items
         WHERE meeting_id = $1 AND started_at IS NOT NULL AND status = 'open' FOR UPDATE",
    )
    .bind(meeting_id)
    .fetch_optional(conn)
    .await?)
}

/// The first open item the meeting has not taken up yet: its id and title.
pub async fn next_untouched(
    conn: &mut PgConnection,
    meeting_id: Uuid,
) -> Result<Option<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, title FROM agenda_items
         WHERE meeting_id = $1 AND started_at IS NULL AND status = 'open'
         ORDER BY position, created_at LIMIT 1 FOR UPDATE",
    )
    .bind(meeting_id)
    .fetch_optional(conn)
    .await?)
}

/// Starts an item's clock.
pub async fn start(conn: &mut PgConnection, item: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE agenda_items SET started_at = statement_timestamp(), done_at = NULL WHERE id = $1",
    )
    .bind(item)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks an item under way done and stops its clock.
pub async fn finish(conn: &mut PgConnection, item: Uuid) -> Result<()> {
    sqlx::query("UPDATE agenda_items SET status = 'done', done_at = greatest(statement_timestamp(), started_at)
         WHERE id = $1")
        .bind(item)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_notes(conn: &mut PgConnection, item: Uuid, notes: &str) -> Result<()> {
    sqlx::query("UPDATE agenda_items SET notes = $2 WHERE id = $1")
        .bind(item)
        .bind(notes)
        .execute(conn)
        .await?;
    Ok(())
}
