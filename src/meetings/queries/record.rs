//! Plain SQL for the record of a meeting: who came, the minutes, decisions and action items.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::Result;
use crate::meetings::model::ActionStatus;
use crate::web::time;

/// Sets who came to `present` (current members of this CAN only); returns how many are recorded.
pub async fn set_attendance(
    conn: &mut PgConnection,
    can_id: Uuid,
    meeting_id: Uuid,
    present: &[Uuid],
    by: Uuid,
) -> Result<u64> {
    // Unticked current members are removed; people who have since left keep their record.
    sqlx::query(
        "DELETE FROM attendance a USING memberships m
         WHERE a.meeting_id = $1 AND a.can_id = $2 AND m.can_id = a.can_id AND m.member_id = a.member_id
           AND m.status <> 'left' AND NOT (a.member_id = ANY($3))",
    )
    .bind(meeting_id)
    .bind(can_id)
    .bind(present)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by)
         SELECT $1, $2, m.member_id, $4 FROM memberships m
         WHERE m.can_id = $2 AND m.member_id = ANY($3) AND m.status <> 'left'
         ON CONFLICT (meeting_id, member_id) DO NOTHING",
    )
    .bind(meeting_id)
    .bind(can_id)
    .bind(present)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    let done: i64 =
        sqlx::query_scalar("SELECT count(*) FROM attendance WHERE meeting_id = $1 AND can_id = $2")
            .bind(meeting_id)
            .bind(can_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(done as u64)
}

/// Saves the minutes if they are still at `version`; false when someone saved first.
pub async fn save_minutes(
    conn: &mut PgConnection,
    (can_id, meeting_id): (Uuid, Uuid),
    text: &str,
    version: i32,
    by: Uuid,
) -> Result<bool> {
    let saved = sqlx::query(
        "UPDATE meetings SET minutes = $3, minutes_version = minutes_version + 1, minutes_updated_by = $5,
                minutes_updated_at = now()
         WHERE can_id = $1 AND id = $2 AND minutes_version = $4",
    )
    .bind(can_id)
    .bind(meeting_id)
    .bind(text)
    .bind(version)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(saved.rows_affected() == 1)
}

/// Remembers that a meeting's open items went forward, so closing it again carries nothing twice.
pub async fn mark_carried_forward(conn: &mut PgConnection, meeting_id: Uuid) -> Result<()> {
    sqlx::query("UPDATE meetings SET carried_forward = true WHERE id = $1")
        .bind(meeting_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Decision {
    pub body: String,
    /// The agenda item under way when it was recorded.
    pub agenda_item_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub meeting_title: String,
    pub meeting_starts_at: DateTime<Utc>,
}

pub async fn decisions(db: &PgPool, meeting_id: Uuid) -> Result<Vec<Decision>> {
    Ok(sqlx::query_as(
        "SELECT d.body, d.agenda_item_id, d.created_at, g.title AS meeting_title, g.starts_at AS meeting_starts_at
         FROM decisions d JOIN meetings g ON g.id = d.meeting_id
         WHERE d.meeting_id = $1 ORDER BY d.created_at",
    )
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

/// Decisions of the series' (or CAN's) earlier meetings, newest first.
pub async fn earlier_decisions(
    db: &PgPool,
    can_id: Uuid,
    series_id: Option<Uuid>,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Decision>> {
    Ok(sqlx::query_as(
        "SELECT d.body, d.agenda_item_id, d.created_at, g.title AS meeting_title, g.starts_at AS meeting_starts_at
         FROM decisions d JOIN meetings g ON g.id = d.meeting_id
         WHERE d.can_id = $1 AND g.starts_at < $3 AND ($2::uuid IS NULL OR g.series_id = $2)
         ORDER BY g.starts_at DESC, d.created_at DESC LIMIT $4",
    )
    .bind(can_id)
    .bind(series_id)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

pub async fn insert_decision(
    conn: &mut PgConnection,
    (can_id, meeting_id): (Uuid, Uuid),
    body: &str,
    by: Uuid,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO decisions (id, can_id, meeting_id, body, recorded_by, agenda_item_id)
         VALUES ($1, $2, $3, $4, $5, (SELECT id FROM agenda_items
                                      WHERE meeting_id = $3 AND started_at IS NOT NULL AND status = 'open'))",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(meeting_id)
    .bind(body)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionItem {
    pub id: Uuid,
    pub meeting_id: Uuid,
    /// The agenda item under way when it was noted.
    pub agenda_item_id: Option<Uuid>,
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: ActionStatus,
    pub from_meeting: String,
    pub from_starts_at: DateTime<Utc>,
}

impl ActionItem {
    /// "21 November 2026", when it has a due date.
    pub fn due(&self) -> Option<String> {
        self.due_on.map(time::date)
    }
}

const ACTION: &str = "
    SELECT a.id, a.meeting_id, a.agenda_item_id, a.title, a.owner_id, o.display_name AS owner, a.due_on, a.status,
           g.title AS from_meeting, g.starts_at AS from_starts_at
    FROM action_items a JOIN meetings g ON g.id = a.meeting_id
    LEFT JOIN members o ON o.id = a.owner_id";

pub async fn actions_of(db: &PgPool, meeting_id: Uuid) -> Result<Vec<ActionItem>> {
    Ok(sqlx::query_as(&format!(
        "{ACTION} WHERE a.meeting_id = $1 ORDER BY a.created_at"
    ))
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

/// Open action items from the series' (or CAN's) earlier meetings: they carry forward.
pub async fn open_earlier_actions(
    db: &PgPool,
    can_id: Uuid,
    series_id: Option<Uuid>,
    before: DateTime<Utc>,
) -> Result<Vec<ActionItem>> {
    Ok(sqlx::query_as(&format!(
        "{ACTION} WHERE a.can_id = $1 AND a.status = 'open' AND g.starts_at < $3
                  AND ($2::uuid IS NULL OR g.series_id = $2)
         ORDER BY a.due_on NULLS LAST, a.created_at"
    ))
    .bind(can_id)
    .bind(series_id)
    .bind(before)
    .fetch_all(db)
    .await?)
}

/// An action item to note at a meeting.
pub struct NewAction<'a> {
    pub title: &'a str,
    pub owner: Option<Uuid>,
    pub due_on: Option<NaiveDate>,
}

pub async fn insert_action(
    conn: &mut PgConnection,
    (can_id, meeting_id): (Uuid, Uuid),
    action: &NewAction<'_>,
    by: Uuid,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO action_items (id, can_id, meeting_id, title, owner_id, due_on, created_by, agenda_item_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT id FROM agenda_items
                                              WHERE meeting_id = $3 AND started_at IS NOT NULL AND status = 'open'))",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(meeting_id)
    .bind(action.title)
    .bind(action.owner)
    .bind(action.due_on)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ticks an open action off if `member` owns it or `anyone` may; true when it was ticked.
pub async fn mark_action_done(
    conn: &mut PgConnection,
    can_id: Uuid,
    action: Uuid,
    member: Uuid,
    anyone: bool,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE action_items a SET status = 'done', done_at = now()
         WHERE a.can_id = $1 AND a.id = $2 AND a.status = 'open'
           AND (a.owner_id = $3 OR $4)",
    )
    .bind(can_id)
    .bind(action)
    .bind(member)
    .bind(anyone)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn action_status(
    conn: &mut PgConnection,
    can_id: Uuid,
    action: Uuid,
) -> Result<Option<ActionStatus>> {
    Ok(
        sqlx::query_scalar("SELECT status FROM action_items WHERE can_id = $1 AND id = $2")
            .bind(can_id)
            .bind(action)
            .fetch_optional(conn)
            .await?,
    )
}
