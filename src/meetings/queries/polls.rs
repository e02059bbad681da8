//! Plain SQL for time polls: the poll, its weekly slots, and members' answers.

use chrono::NaiveTime;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::Result;
use crate::meetings::model::PollAnswer;

/// A poll as the meetings list names it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollLine {
    pub id: Uuid,
    pub title: String,
    pub open: bool,
}

pub async fn recent(db: &PgPool, can_id: Uuid, limit: i64) -> Result<Vec<PollLine>> {
    Ok(sqlx::query_as(
        "SELECT id, title, closed_at IS NULL AS open FROM time_polls WHERE can_id = $1
         ORDER BY created_at DESC LIMIT $2",
    )
    .bind(can_id)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Poll {
    pub title: String,
    pub duration_minutes: i32,
    pub open: bool,
    /// The series started from the chosen slot.
    pub series_id: Option<Uuid>,
}

const POLL: &str =
    "SELECT title, duration_minutes, closed_at IS NULL AS open, series_id FROM time_polls
                    WHERE can_id = $1 AND id = $2";

pub async fn poll(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<Option<Poll>> {
    Ok(sqlx::query_as(POLL)
        .bind(can_id)
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// The poll, locked while a slot is chosen (so it is chosen once).
pub async fn lock(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<Option<Poll>> {
    Ok(sqlx::query_as(&format!("{POLL} FOR UPDATE"))
        .bind(can_id)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

pub async fn insert(
    conn: &mut PgConnection,
    (can_id, id): (Uuid, Uuid),
    title: &str,
    duration_minutes: i32,
    by: Uuid,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO time_polls (id, can_id, title, duration_minutes, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(can_id)
    .bind(title)
    .bind(duration_minutes)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// One weekly slot the poll offers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Slot {
    pub id: Uuid,
    /// ISO weekday, Monday 1 to Sunday 7.
    pub weekday: i16,
    pub start_time: NaiveTime,
}

pub async fn insert_slot(
    conn: &mut PgConnection,
    (can_id, poll_id): (Uuid, Uuid),
    weekday: i16,
    at: NaiveTime,
    position: i32,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO time_poll_options (id, can_id, poll_id, weekday, start_time, position) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(poll_id)
    .bind(weekday)
    .bind(at)
    .bind(position)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn slots(db: &PgPool, can_id: Uuid, poll_id: Uuid) -> Result<Vec<Slot>> {
    Ok(sqlx::query_as(
        "SELECT id, weekday, start_time FROM time_poll_options WHERE can_id = $1 AND poll_id = $2
         ORDER BY position",
    )
    .bind(can_id)
    .bind(poll_id)
    .fetch_all(db)
    .await?)
}

pub async fn slot(
    conn: &mut PgConnection,
    (can_id, poll_id): (Uuid, Uuid),
    id: Uuid,
) -> Result<Option<Slot>> {
    Ok(sqlx::query_as(
        "SELECT id, weekday, start_time FROM time_poll_options
         WHERE can_id = $1 AND poll_id = $2 AND id = $3",
    )
    .bind(can_id)
    .bind(poll_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Answer {
    pub option_id: Uuid,
    pub member_id: Uuid,
    pub name: String,
    pub answer: PollAnswer,
}

pub async fn answers(db: &PgPool, can_id: Uuid, poll_id: Uuid) -> Result<Vec<Answer>> {
    Ok(sqlx::query_as(
        "SELECT a.option_id, a.member_id, p.display_name AS name, a.answer FROM time_poll_answers a
         JOIN members p ON p.id = a.member_id WHERE a.can_id = $1 AND a.poll_id = $2
         ORDER BY lower(p.display_name)",
    )
    .bind(can_id)
    .bind(poll_id)
    .fetch_all(db)
    .await?)
}

/// Active members who have not answered yet.
pub async fn waiting(db: &PgPool, can_id: Uuid, poll_id: Uuid) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT p.display_name FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM time_poll_answers a WHERE a.poll_id = $2 AND a.member_id = m.member_id)
         ORDER BY lower(p.display_name)",
    )
    .bind(can_id)
    .bind(poll_id)
    .fetch_all(db)
    .await?)
}

/// Records (or changes) an answer; a slot of another poll or CAN is ignored.
pub async fn set_answer(
    conn: &mut PgConnection,
    (can_id, poll_id): (Uuid, Uuid),
    member: Uuid,
    (slot, answer): (Uuid, PollAnswer),
) -> Result<()> {
    sqlx::query(
        "INSERT INTO time_poll_answers (option_id, poll_id, can_id, member_id, answer)
         SELECT o.id, o.poll_id, o.can_id, $4, $5 FROM time_poll_options o
         WHERE o.id = $1 AND o.poll_id = $2 AND o.can_id = $3
         ON CONFLICT (option_id, member_id) DO UPDATE SET answer = EXCLUDED.answer",
    )
    .bind(slot)
    .bind(poll_id)
    .bind(can_id)
    .bind(member)
    .bind(answer)
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes the poll with the series started from its chosen slot.
pub async fn close(
    conn: &mut PgConnection,
    (can_id, id): (Uuid, Uuid),
    series_id: Uuid,
) -> Result<()> {
    sqlx::query(
        "UPDATE time_polls SET closed_at = now(), series_id = $3 WHERE can_id = $1 AND id = $2",
    )
    .bind(can_id)
    .bind(id)
    .bind(series_id)
    .execute(conn)
    .await?;
    Ok(())
}
