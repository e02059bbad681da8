//! Plain SQL for responsibilities. Every query that takes an id from a URL or form filters by
//! `can_id`. "Current" holders have started and not ended (a hand-off's overlap ends in future).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, PgExecutor, PgPool, Postgres};
use uuid::Uuid;

use super::forms::NewResponsibility;
use super::model::{HoldingKind, ResponsibilityKind, ResponsibilityStatus};
use crate::cans::queries::Person;
use crate::error::Result;

pub mod holdings;
pub mod offers;

pub const CURRENT: &str = "c.from_at <= now() AND (c.until_at IS NULL OR c.until_at > now())";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub kind: ResponsibilityKind,
    pub goal_id: Option<Uuid>,
    pub goal: Option<String>,
    pub cadence: String,
    pub due_on: Option<NaiveDate>,
    pub term_ends_on: Option<NaiveDate>,
    pub effort: i16,
    pub status: ResponsibilityStatus,
    pub version: i32,
    pub carriers: Vec<String>,
    pub carrier_ids: Vec<Uuid>,
    pub backups: Vec<String>,
    pub backup_ids: Vec<Uuid>,
    /// Its open offers (asks and hand-offs waiting for an answer), oldest first: ids, to whom,
    /// and until when, side by side.
    pub offer_ids: Vec<Uuid>,
    pub offered_to: Vec<String>,
    pub offered_to_ids: Vec<Uuid>,
    pub offered_until: Vec<DateTime<Utc>>,
}

/// An open offer as the board and the page show it: "offered to Noor (until 8 December 2026)".
#[derive(Debug, Clone)]
pub struct Offered {
    pub id: Uuid,
    pub name: String,
    pub to: Uuid,
    pub until: DateTime<Utc>,
}

impl Row {
    /// A current task past its due date.
    pub fn is_overdue(&self, today: &NaiveDate) -> bool {
        self.status.is_current() && self.due_on.is_some_and(|d| d < *today)
    }

    /// Active, resting on one carrier, with no backup.
    pub fn is_single_point(&self) -> bool {
        self.status == ResponsibilityStatus::Active
            && self.carriers.len() == 1
            && self.backups.is_empty()
    }

    /// Current, and no active member carries it.
    pub fn is_unowned(&self) -> bool {
        self.status.is_current() && self.carriers.is_empty()
    }

    /// Current, and nobody backs it up.
    pub fn lacks_backup(&self) -> bool {
        self.status.is_current() && self.backups.is_empty()
    }

    /// Its open offers, oldest first.
    pub fn offers(&self) -> Vec<Offered> {
        self.offer_ids
            .iter()
            .zip(&self.offered_to)
            .zip(&self.offered_to_ids)
            .zip(&self.offered_until)
            .map(|(((id, name), to), until)| Offered {
                id: *id,
                name: name.clone(),
                to: *to,
                until: *until,
            })
            .collect()
    }

    /// Whether the member carries it or backs it up.
    pub fn involves(&self, member: Uuid) -> bool {
        self.carrier_ids.contains(&member) || self.backup_ids.contains(&member)
    }
}

fn select() -> String {
    format!(
        "SELECT r.id, r.title, r.description, r.kind, r.goal_id, g.title AS goal, r.cadence, r.due_on,
                r.term_ends_on, r.effort, r.status, r.version,
                COALESCE(array_agg(p.display_name ORDER BY p.display_name) FILTER (WHERE c.kind = 'carrier'), '{{}}') AS carriers,
                COALESCE(array_agg(p.id ORDER BY p.display_name) FILTER (WHERE c.kind = 'carrier'), '{{}}') AS carrier_ids,
                COALESCE(array_agg(p.display_name ORDER BY p.display_name) FILTER (WHERE c.kind = 'backup'), '{{}}') AS backups,
                COALESCE(array_agg(p.id ORDER BY p.display_name) FILTER (WHERE c.kind = 'backup'), '{{}}') AS backup_ids,
                {offer_ids}, {offered_to}, {offered_to_ids}, {offered_until}
         FROM responsibilities r
         LEFT JOIN goals g ON g.id = r.goal_id AND g.can_id = r.can_id
         {holders}
         LEFT JOIN members p ON p.id = c.member_id",
        holders = current_holders(),
        offer_ids = open_offers("o.id", "offer_ids"),
        offered_to = open_offers("t.display_name", "offered_to"),
        offered_to_ids = open_offers("o.to_member", "offered_to_ids"),
        offered_until = open_offers("o.expires_at", "offered_until"),
    )
}

/// One column of `r`'s open offers not yet past their time, as an array (oldest first). Each is
/// a subquery on `offers_responsibility_idx`, inside the page's one statement.
fn open_offers(value: &str, name: &str) -> String {
    format!(
        "COALESCE((SELECT array_agg({value} ORDER BY o.created_at, o.id) FROM offers o
                   JOIN members t ON t.id = o.to_member
                   WHERE o.responsibility_id = r.id AND o.can_id = r.can_id
                     AND o.status = 'open' AND o.expires_at > now()), '{{}}') AS {name}"
    )
}

/// One row per responsibility of the CAN `$1` (columns `id, title, status, due_on, carriers,
/// backups`), counting its current holders who are active members — the same holders [`all`]
/// lists — for pages that need only the counts (the stage guide's "unowned", the health view's
/// single points of failure) inside a larger statement.
pub fn holder_counts() -> String {
    format!(
        "SELECT r.id, r.title, r.status, r.due_on,
                count(c.id) FILTER (WHERE c.kind = 'carrier') AS carriers,
                count(c.id) FILTER (WHERE c.kind = 'backup') AS backups
         FROM responsibilities r
         {holders}
         WHERE r.can_id = $1
         GROUP BY r.id",
        holders = current_holders()
    )
}

/// The join from `r` (responsibilities) to `c`, its current carriers and backups who are active
/// members: who holds a responsibility, for every page that shows or counts it.
fn current_holders() -> String {
    format!(
        "LEFT JOIN carriers c ON c.responsibility_id = r.id AND {CURRENT}
             AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.can_id = c.can_id
                         AND ms.member_id = c.member_id AND ms.status = 'active')"
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
    /// How they hold it, carrier or backup.
    pub kind: HoldingKind,
    pub due_on: Option<NaiveDate>,
    pub status: ResponsibilityStatus,
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
    let insert = sqlx::query(
        "INSERT INTO responsibilities (id, can_id, title, description, kind, goal_id, cadence, due_on,
                                       term_ends_on, effort, action_item_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(can_id);
    described(insert, r)
        .bind(action_item)
        .bind(by)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Binds what a responsibility says, as `$3` to `$10` (after the two ids).
fn described<'q>(
    q: Query<'q, Postgres, PgArguments>,
    r: &'q NewResponsibility,
) -> Query<'q, Postgres, PgArguments> {
    q.bind(&r.title)
        .bind(&r.description)
        .bind(r.kind)
        .bind(r.goal_id)
        .bind(&r.cadence)
        .bind(r.due_on)
        .bind(r.term_ends_on)
        .bind(r.effort)
}

/// Changes what a responsibility says. A due date or term end that changes gets its reminders
/// again.
pub async fn update(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    r: &NewResponsibility,
) -> Result<()> {
    let update = sqlx::query(
        "UPDATE responsibilities SET title = $3, description = $4, kind = $5, goal_id = $6, cadence = $7,
                due_on = $8, term_ends_on = $9, effort = $10, version = version + 1,
                due_reminder_sent_at = CASE WHEN due_on IS NOT DISTINCT FROM $8 THEN due_reminder_sent_at END,
                overdue_reminder_sent_at = CASE WHEN due_on IS NOT DISTINCT FROM $8 THEN overdue_reminder_sent_at END,
                term_reminder_sent_at = CASE WHEN term_ends_on IS NOT DISTINCT FROM $9 THEN term_reminder_sent_at END
         WHERE can_id = $1 AND id = $2",
    )
    .bind(can_id)
    .bind(id);
    described(update, r).execute(conn).await?;
    Ok(())
}

/// Sets a status if the row is still at `version` (the one the writer saw); false when someone
/// changed it meanwhile.
pub async fn set_status(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    status: ResponsibilityStatus,
    version: i32,
) -> Result<bool> {
    let changed = sqlx::query(
        "UPDATE responsibilities SET status = $3, version = version + 1
         WHERE can_id = $1 AND id = $2 AND version = $4",
    )
    .bind(can_id)
    .bind(id)
    .bind(status)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

pub async fn insert_note(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    author: Uuid,
    body: &str,
    status_change: Option<ResponsibilityStatus>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO progress_notes (id, can_id, responsibility_id, author_id, body, status_change)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(id)
    .bind(author)
    .bind(body)
    .bind(status_change)
    .execute(conn)
    .await?;
    Ok(())
}

/// A member by id: name and address (for mails and flash messages).
pub async fn person(conn: &mut PgConnection, member_id: Uuid) -> Result<Person> {
    Ok(
        sqlx::query_as("SELECT id, email, display_name AS name FROM members WHERE id = $1")
            .bind(member_id)
            .fetch_one(conn)
            .await?,
    )
}

#[derive(Debug, sqlx::FromRow)]
pub struct Note {
    pub author: String,
    pub body: String,
    pub status_change: Option<ResponsibilityStatus>,
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

/// The responsibility's discussion: how many visible comments (neither deleted by their author
/// nor hidden by an organiser) and when the latest of them was written.
pub async fn discussion(
    db: &PgPool,
    can_id: Uuid,
    id: Uuid,
) -> Result<(i64, Option<DateTime<Utc>>)> {
    Ok(sqlx::query_as(
        "SELECT count(*), max(created_at) FROM comments
         WHERE can_id = $1 AND responsibility_id = $2 AND deleted_at IS NULL AND hidden_at IS NULL",
    )
    .bind(can_id)
    .bind(id)
    .fetch_one(db)
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

/// A goal a responsibility can serve.
#[derive(Debug, sqlx::FromRow)]
pub struct Goal {
    pub id: Uuid,
    pub title: String,
}

pub async fn goals(db: &PgPool, can_id: Uuid) -> Result<Vec<Goal>> {
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

/// Locks the responsibility for the rest of the transaction (one change at a time: two hand-offs
/// from two tabs cannot both happen); its status, or `None` when there is no such responsibility.
pub async fn lock(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
) -> Result<Option<ResponsibilityStatus>> {
    Ok(sqlx::query_scalar(
        "SELECT status FROM responsibilities WHERE can_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// A meeting's action item, locked while it becomes a responsibility.
#[derive(Debug, sqlx::FromRow)]
pub struct ActionItem {
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<NaiveDate>,
}

pub async fn lock_action_item(
    conn: &mut PgConnection,
    can_id: Uuid,
    meeting: Uuid,
    action: Uuid,
) -> Result<Option<ActionItem>> {
    Ok(sqlx::query_as(
        "SELECT title, owner_id, due_on FROM action_items
         WHERE can_id = $1 AND meeting_id = $2 AND id = $3 FOR UPDATE",
    )
    .bind(can_id)
    .bind(meeting)
    .bind(action)
    .fetch_optional(conn)
    .await?)
}

/// The responsibility an action item already became, if it did.
pub async fn made_from(
    conn: &mut PgConnection,
    can_id: Uuid,
    action: Uuid,
) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM responsibilities WHERE can_id = $1 AND action_item_id = $2",
    )
    .bind(can_id)
    .bind(action)
    .fetch_optional(conn)
    .await?)
}
