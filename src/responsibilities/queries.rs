//! Plain SQL for responsibilities. Every query that takes an id from a URL or form filters by
//! `can_id`. "Current" holders have started and not ended (a hand-off's overlap ends in future).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::forms::NewResponsibility;
use crate::error::Result;

pub const CURRENT: &str = "c.from_at <= now() AND (c.until_at IS NULL OR c.until_at > now())";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub goal_id: Option<Uuid>,
    pub goal: Option<String>,
    pub cadence: String,
    pub due_on: Option<NaiveDate>,
    pub term_ends_on: Option<NaiveDate>,
    pub effort: i16,
    pub status: String,
    pub version: i32,
    pub carriers: Vec<String>,
    pub carrier_ids: Vec<Uuid>,
    pub backups: Vec<String>,
    pub backup_ids: Vec<Uuid>,
}

fn select() -> String {
    format!(
        "SELECT r.id, r.title, r.description, r.kind, r.goal_id, g.title AS goal, r.cadence, r.due_on,
                r.term_ends_on, r.effort, r.status, r.version,
                COALESCE(array_agg(p.display_name ORDER BY p.display_name) FILTER (WHERE c.kind = 'carrier'), '{{}}') AS carriers,
                COALESCE(array_agg(p.id ORDER BY p.display_name) FILTER (WHERE c.kind = 'carrier'), '{{}}') AS carrier_ids,
                COALESCE(array_agg(p.display_name ORDER BY p.display_name) FILTER (WHERE c.kind = 'backup'), '{{}}') AS backups,
                COALESCE(array_agg(p.id ORDER BY p.display_name) FILTER (WHERE c.kind = 'backup'), '{{}}') AS backup_ids
         FROM responsibilities r
         LEFT JOIN goals g ON g.id = r.goal_id AND g.can_id = r.can_id
         LEFT JOIN carriers c ON c.responsibility_id = r.id AND {CURRENT}
             AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.can_id = c.can_id
                         AND ms.member_id = c.member_id AND ms.status = 'active')
         LEFT JOIN members p ON p.id = c.member_id"
    )
}

pub async fn all(db: &PgPool, can_id: Uuid) -> Result<Vec<Row>> {
    Ok(sqlx::query_as(&format!(
        "{} WHERE r.can_id = $1 GROUP BY r.id, g.title ORDER BY r.status = 'done' OR r.status = 'dropped', r.due_on NULLS LAST, lower(r.title)",
        select()
    ))
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

pub async fn one(db: impl PgExecutor<'_>, can_id: Uuid, id: Uuid) -> Result<Option<Row>> {
    Ok(sqlx::query_as(&format!(
        "{} WHERE r.can_id = $1 AND r.id = $2 GROUP BY r.id, g.title",
        select()
    ))
    .bind(can_id)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// The responsibilities a member carries or backs up in any of their CANs (for the dashboard).
#[derive(Debug, sqlx::FromRow)]
pub struct Mine {
    pub id: Uuid,
    pub title: String,
    pub slug: String,
    pub can_name: String,
    pub kind: String,
    pub due_on: Option<NaiveDate>,
    pub status: String,
}

pub async fn mine(db: &PgPool, member_id: Uuid) -> Result<Vec<Mine>> {
    Ok(sqlx::query_as(&format!(
        "SELECT DISTINCT r.id, r.title, k.slug, k.name AS can_name, c.kind, r.due_on, r.status
         FROM carriers c JOIN responsibilities r ON r.id = c.responsibility_id AND r.can_id = c.can_id
         JOIN cans k ON k.id = r.can_id
         JOIN memberships m ON m.can_id = r.can_id AND m.member_id = c.member_id AND m.status <> 'left'
         WHERE c.member_id = $1 AND {CURRENT} AND r.status IN ('open', 'active')
         ORDER BY r.due_on NULLS LAST, r.title"
    ))
    .bind(member_id)
    .fetch_all(db)
    .await?)
}

pub async fn insert(
    conn: &mut PgConnection,
    can_id: Uuid,
    r: &NewResponsibility,
    by: Uuid,
    action_item: Option<Uuid>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO responsibilities (id, can_id, title, description, kind, goal_id, cadence, due_on,
                                       term_ends_on, effort, action_item_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(can_id)
    .bind(&r.title)
    .bind(&r.description)
    .bind(if r.ongoing { "ongoing" } else { "task" })
    .bind(r.goal_id)
    .bind(&r.cadence)
    .bind(r.due_on)
    .bind(r.term_ends_on)
    .bind(r.effort)
    .bind(action_item)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Is this an active member of the CAN (the only people who can carry something)?
pub async fn active_member(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT p.display_name FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.member_id = $2 AND m.status = 'active'",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_optional(conn)
    .await?)
}

/// Adds a holding; false when the member already holds it (as carrier or backup).
#[allow(clippy::too_many_arguments)]
pub async fn add_holder(
    conn: &mut PgConnection,
    can_id: Uuid,
    responsibility_id: Uuid,
    member_id: Uuid,
    kind: &str,
    arranged_by: Uuid,
    assigned: bool,
    note: &str,
) -> Result<bool> {
    // Someone who holds it now (also within a hand-off's overlap) is not added twice.
    if holds(&mut *conn, can_id, responsibility_id, member_id)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let done = sqlx::query(
        "INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, arranged_by, assigned, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (responsibility_id, member_id) WHERE until_at IS NULL DO NOTHING",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(responsibility_id)
    .bind(member_id)
    .bind(kind)
    .bind(arranged_by)
    .bind(assigned)
    .bind(note)
    .execute(&mut *conn)
    .await?;
    sync_status(conn, can_id, responsibility_id).await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the member's open holding (now, or at `at` for an overlap); returns its kind if there was one.
pub async fn end_holder(
    conn: &mut PgConnection,
    can_id: Uuid,
    responsibility_id: Uuid,
    member_id: Uuid,
    how: &str,
    at: Option<DateTime<Utc>>,
    note: Option<&str>,
) -> Result<Option<String>> {
    // `None` ends it now, by the database's clock (the one "current" is measured with).
    let kind: Option<String> = sqlx::query_scalar(
        "UPDATE carriers SET until_at = greatest(least(COALESCE(until_at, 'infinity'), COALESCE($5, now())), from_at),
                ended_how = $4, note = COALESCE($6, note)
         WHERE can_id = $1 AND responsibility_id = $2 AND member_id = $3
           AND (until_at IS NULL OR until_at > now())
         RETURNING kind",
    )
    .bind(can_id)
    .bind(responsibility_id)
    .bind(member_id)
    .bind(how)
    .bind(at)
    .bind(note)
    .fetch_optional(&mut *conn)
    .await?;
    sync_status(conn, can_id, responsibility_id).await?;
    Ok(kind)
}

/// Open ⇄ active follows whether anyone carries it (done and dropped stay as they are).
pub async fn sync_status(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE responsibilities r SET status = CASE
             WHEN EXISTS (SELECT 1 FROM carriers c WHERE c.responsibility_id = r.id AND c.kind = 'carrier'
                          AND (c.until_at IS NULL OR c.until_at > now())) THEN 'active' ELSE 'open' END
         WHERE r.can_id = $1 AND r.id = $2 AND r.status IN ('open', 'active')",
    )
    .bind(can_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct Holding {
    pub name: String,
    pub kind: String,
    pub from_at: DateTime<Utc>,
    pub until_at: Option<DateTime<Utc>>,
    pub arranged_by: Option<String>,
    pub ended_how: Option<String>,
    pub note: String,
}

pub async fn history(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<Vec<Holding>> {
    Ok(sqlx::query_as(
        "SELECT p.display_name AS name, c.kind, c.from_at, c.until_at, a.display_name AS arranged_by,
                c.ended_how, c.note
         FROM carriers c JOIN members p ON p.id = c.member_id LEFT JOIN members a ON a.id = c.arranged_by
         WHERE c.can_id = $1 AND c.responsibility_id = $2 ORDER BY c.from_at, c.id",
    )
    .bind(can_id)
    .bind(id)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct Note {
    pub author: String,
    pub body: String,
    pub status_change: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn notes(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<Vec<Note>> {
    Ok(sqlx::query_as(
        "SELECT p.display_name AS author, n.body, n.status_change, n.created_at
         FROM progress_notes n JOIN members p ON p.id = n.author_id
         WHERE n.can_id = $1 AND n.responsibility_id = $2 ORDER BY n.created_at DESC",
    )
    .bind(can_id)
    .bind(id)
    .fetch_all(db)
    .await?)
}

/// How this member holds the responsibility now ("carrier" or "backup"), if at all.
pub async fn holds(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    member_id: Uuid,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT c.kind FROM carriers c WHERE c.can_id = $1 AND c.responsibility_id = $2 AND c.member_id = $3
           AND (c.until_at IS NULL OR c.until_at > now()) ORDER BY c.from_at DESC LIMIT 1",
    )
    .bind(can_id)
    .bind(id)
    .bind(member_id)
    .fetch_optional(conn)
    .await?)
}

/// Active members with their current load and skills (for the load view).
#[derive(Debug, sqlx::FromRow)]
pub struct MemberLoad {
    pub id: Uuid,
    pub name: String,
    pub skills: String,
    pub load: i64,
    pub count: i64,
}

pub async fn loads(db: &PgPool, can_id: Uuid) -> Result<Vec<MemberLoad>> {
    Ok(sqlx::query_as(&format!(
        "SELECT p.id, p.display_name AS name, p.skills,
                COALESCE(sum(r.effort) FILTER (WHERE r.id IS NOT NULL), 0)::bigint AS load,
                count(r.id) AS count
         FROM memberships m JOIN members p ON p.id = m.member_id
         LEFT JOIN carriers c ON c.can_id = m.can_id AND c.member_id = m.member_id AND c.kind = 'carrier' AND {CURRENT}
         LEFT JOIN responsibilities r ON r.id = c.responsibility_id AND r.status = 'active'
         WHERE m.can_id = $1 AND m.status = 'active'
         GROUP BY p.id ORDER BY lower(p.display_name)"
    ))
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

pub async fn goals(db: &PgPool, can_id: Uuid) -> Result<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, title FROM goals WHERE can_id = $1 AND status = 'active' ORDER BY created_at",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

pub async fn goal_exists(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM goals WHERE can_id = $1 AND id = $2)")
            .bind(can_id)
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

pub async fn active_members(db: &PgPool, can_id: Uuid) -> Result<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.display_name FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.status = 'active' ORDER BY lower(p.display_name)",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// Locks the responsibility for the rest of the transaction; `Some(true)` while open or active.
pub async fn lock_open(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<Option<bool>> {
    let status: Option<String> = sqlx::query_scalar(
        "SELECT status FROM responsibilities WHERE can_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(status.map(|s| s == "open" || s == "active"))
}
