//! Plain SQL for the inbox, the mail settings and the one-click unsubscribe: one function per
//! statement, each answering for one member only (every statement names `member_id`).

use chrono::{DateTime, Datelike, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::{Delivery, Kind};
use crate::error::Result;

/// The inbox shows this many per page, newest first.
pub const PAGE_SIZE: i64 = 50;

/// One line of the inbox.
#[derive(Debug, sqlx::FromRow)]
pub struct Entry {
    pub id: Uuid,
    pub kind: Kind,
    pub can_name: Option<String>,
    pub line: String,
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// Where a page of the inbox starts: strictly older than this notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    /// `?before=` as the "older" link writes it: microseconds since 1970, a dot, the id.
    pub fn parse(raw: &str) -> Option<Self> {
        let (micros, id) = raw.trim().split_once('.')?;
        let created_at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        // Only times PostgreSQL can hold: a cursor we did not write must not reach the database
        // as an error.
        if !(1..=9999).contains(&created_at.year()) {
            return None;
        }
        Some(Self {
            created_at,
            id: id.parse().ok()?,
        })
    }

    pub fn of(entry: &Entry) -> Self {
        Self {
            created_at: entry.created_at,
            id: entry.id,
        }
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.created_at.timestamp_micros(), self.id)
    }
}

/// A page of this member's notifications, newest first, one more than [`PAGE_SIZE`] when there
/// are older ones. The CAN's name rides along (a join, not a query per row).
pub async fn page(
    db: impl PgExecutor<'_>,
    member: Uuid,
    before: Option<Cursor>,
) -> Result<Vec<Entry>> {
    Ok(sqlx::query_as(
        "SELECT n.id, n.kind, c.name AS can_name, n.line, n.detail, n.created_at, n.read_at IS NOT NULL AS read
         FROM notifications n LEFT JOIN cans c ON c.id = n.can_id
         WHERE n.member_id = $1
           AND ($2::timestamptz IS NULL OR (n.created_at <= $2 AND (n.created_at, n.id) < ($2, $3)))
         ORDER BY n.created_at DESC, n.id DESC
         LIMIT $4",
    )
    .bind(member)
    .bind(before.map(|c| c.created_at))
    .bind(before.map(|c| c.id))
    .bind(PAGE_SIZE + 1)
    .fetch_all(db)
    .await?)
}

/// Marks one of this member's notifications read and gives back its link; `None` when the id is
/// not theirs.
pub async fn open(db: impl PgExecutor<'_>, member: Uuid, id: Uuid) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "UPDATE notifications SET read_at = COALESCE(read_at, now())
         WHERE id = $1 AND member_id = $2
         RETURNING link",
    )
    .bind(id)
    .bind(member)
    .fetch_optional(db)
    .await?)
}

/// Marks this member's unread notifications read: those up to `upto` (the newest the page
/// showed, so that one arriving meanwhile stays unread), or all of them. Returns how many.
pub async fn read_all(db: impl PgExecutor<'_>, member: Uuid, upto: Option<Cursor>) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = now()
         WHERE member_id = $1 AND read_at IS NULL
           AND ($2::timestamptz IS NULL OR (created_at <= $2 AND (created_at, id) <= ($2, $3)))",
    )
    .bind(member)
    .bind(upto.map(|c| c.created_at))
    .bind(upto.map(|c| c.id))
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// What the settings page shows: the member's stored choices (kinds without one follow their
/// default) and whether they want the weekly digest. `None`: no such member.
#[derive(Debug, sqlx::FromRow)]
pub struct Stored {
    pub weekly_digest: bool,
    pub kinds: Vec<String>,
    pub deliveries: Vec<String>,
}

pub async fn stored(db: impl PgExecutor<'_>, member: Uuid) -> Result<Option<Stored>> {
    Ok(sqlx::query_as(
        "SELECT m.weekly_digest,
                COALESCE(array_agg(p.kind ORDER BY p.kind) FILTER (WHERE p.kind IS NOT NULL), '{}') AS kinds,
                COALESCE(array_agg(p.delivery ORDER BY p.kind) FILTER (WHERE p.kind IS NOT NULL), '{}') AS deliveries
         FROM members m LEFT JOIN notification_prefs p ON p.member_id = m.id
         WHERE m.id = $1
         GROUP BY m.id",
    )
    .bind(member)
    .fetch_optional(db)
    .await?)
}

/// Stores these choices for the member (a kind's default is stored as no row, so a member who
/// never chose otherwise follows the default), and moves their notifications still waiting for
/// an immediate mail to what they chose now: turned to the digest or off, they are not folded
/// into a "meanwhile" mail. Returns false when there is no such member (nothing written).
pub async fn save_choices(
    tx: &mut PgConnection,
    member: Uuid,
    choices: &[(Kind, Delivery)],
) -> Result<bool> {
    if !member_exists(&mut *tx, member).await? {
        return Ok(false);
    }
    let (chosen, defaults): (Vec<_>, Vec<_>) = choices
        .iter()
        .partition(|(kind, delivery)| *delivery != kind.default_delivery());
    let kinds: Vec<&str> = chosen.iter().map(|(k, _)| k.as_str()).collect();
    let deliveries: Vec<&str> = chosen.iter().map(|(_, d)| d.as_str()).collect();
    sqlx::query(
        "INSERT INTO notification_prefs (member_id, kind, delivery)
         SELECT $1, x.kind, x.delivery FROM unnest($2::text[], $3::text[]) AS x (kind, delivery)
         ON CONFLICT ON CONSTRAINT notification_prefs_pkey
         DO UPDATE SET delivery = EXCLUDED.delivery, updated_at = now()
         WHERE notification_prefs.delivery <> EXCLUDED.delivery",
    )
    .bind(member)
    .bind(&kinds)
    .bind(&deliveries)
    .execute(&mut *tx)
    .await?;
    let back: Vec<&str> = defaults.iter().map(|(k, _)| k.as_str()).collect();
    sqlx::query("DELETE FROM notification_prefs WHERE member_id = $1 AND kind = ANY($2)")
        .bind(member)
        .bind(&back)
        .execute(&mut *tx)
        .await?;
    let all_kinds: Vec<&str> = choices.iter().map(|(k, _)| k.as_str()).collect();
    let all_deliveries: Vec<&str> = choices.iter().map(|(_, d)| d.as_str()).collect();
    sqlx::query(
        "UPDATE notifications n SET delivery = x.delivery
         FROM unnest($2::text[], $3::text[]) AS x (kind, delivery)
         WHERE n.member_id = $1 AND n.delivery = 'now' AND n.mailed_at IS NULL
           AND n.kind = x.kind AND x.delivery <> 'now'",
    )
    .bind(member)
    .bind(&all_kinds)
    .bind(&all_deliveries)
    .execute(&mut *tx)
    .await?;
    Ok(true)
}

/// Locks the member's row against a concurrent change of their settings; false when there is no
/// such member.
async fn member_exists(db: impl PgExecutor<'_>, member: Uuid) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i32>("SELECT 1 FROM members WHERE id = $1 FOR NO KEY UPDATE")
            .bind(member)
            .fetch_optional(db)
            .await?
            .is_some(),
    )
}

pub async fn set_weekly_digest(db: impl PgExecutor<'_>, member: Uuid, on: bool) -> Result<()> {
    sqlx::query("UPDATE members SET weekly_digest = $2 WHERE id = $1")
        .bind(member)
        .bind(on)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether this member exists (an unsubscribe link for nobody is not found).
pub async fn is_member(db: impl PgExecutor<'_>, member: Uuid) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i32>("SELECT 1 FROM members WHERE id = $1")
            .bind(member)
            .fetch_optional(db)
            .await?
            .is_some(),
    )
}

// ---- The "meanwhile" fold ------------------------------------------------------------------

/// Members with immediate notifications waiting whose hour has room for another mail, oldest
/// waiting first (the partial index `notifications_waiting_idx` finds them), leaving out those
/// this tick has tried already (so people locked by another instance cannot hide the rest).
pub async fn members_to_fold(
    db: impl PgExecutor<'_>,
    per_hour: i64,
    limit: i64,
    tried: &[Uuid],
) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT w.member_id FROM (
             SELECT member_id, min(created_at) AS since FROM notifications
             WHERE delivery = 'now' AND mailed_at IS NULL AND NOT (member_id = ANY($3))
             GROUP BY member_id) w
         WHERE (SELECT count(*) FROM notification_mails nm
                WHERE nm.member_id = w.member_id AND nm.sent_at > now() - interval '1 hour') < $1
         ORDER BY w.since, w.member_id
         LIMIT $2",
    )
    .bind(per_hour)
    .bind(limit)
    .bind(tried)
    .fetch_all(db)
    .await?)
}

/// One waiting notification, locked for this fold.
#[derive(Debug, sqlx::FromRow)]
pub struct Waiting {
    pub id: Uuid,
    pub can_id: Option<Uuid>,
    pub can_name: Option<String>,
    pub line: String,
    pub link: String,
}

/// The member's waiting immediate notifications, oldest first, locked; rows another instance is
/// folding are skipped, so each goes out once.
pub async fn claim_waiting(db: impl PgExecutor<'_>, member: Uuid) -> Result<Vec<Waiting>> {
    Ok(sqlx::query_as(
        "SELECT n.id, n.can_id, c.name AS can_name, n.line, n.link
         FROM notifications n LEFT JOIN cans c ON c.id = n.can_id
         WHERE n.member_id = $1 AND n.delivery = 'now' AND n.mailed_at IS NULL
         ORDER BY n.created_at, n.id
         FOR UPDATE OF n SKIP LOCKED",
    )
    .bind(member)
    .fetch_all(db)
    .await?)
}

/// Where a fold goes and whether the hour still has room (read inside the fold's transaction).
#[derive(Debug, sqlx::FromRow)]
pub struct FoldTo {
    pub email: String,
    pub sent: i64,
}

pub async fn fold_to(db: impl PgExecutor<'_>, member: Uuid) -> Result<Option<FoldTo>> {
    Ok(sqlx::query_as(
        "SELECT m.email,
                (SELECT count(*) FROM notification_mails nm
                 WHERE nm.member_id = m.id AND nm.sent_at > now() - interval '1 hour') AS sent
         FROM members m WHERE m.id = $1",
    )
    .bind(member)
    .fetch_optional(db)
    .await?)
}
