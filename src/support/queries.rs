//! The SQL of asking for a hand: one function per statement, named after what it answers. Every
//! read filters on the CAN first (`support_requests_can_idx`, `support_requests_open_idx`,
//! `support_offers_request_idx`), so a page reads one group's rows however many groups there are.
//!
//! Who may see a request is one predicate, [`VISIBLE`]: everyone in the CAN for a public one, the
//! asker and the organisers for a private one.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::model::{HelpKind, RequestStatus};
use crate::error::Result;

/// `r` is visible to the viewer `$2` (an organiser when `$3`).
const VISIBLE: &str = "(NOT r.private OR r.asker_id = $2 OR $3)";

/// How long a met request stays on the list.
const MET_SHOWN_DAYS: i32 = 30;
/// At most this many met requests are listed.
const MET_SHOWN: i64 = 20;
/// At most this many open requests are listed (oldest first).
const OPEN_SHOWN: i64 = 200;

/// A request as lists and its page show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Request {
    pub id: Uuid,
    pub asker_id: Uuid,
    pub asker_name: String,
    pub kind: HelpKind,
    pub details: String,
    pub needed_by: Option<NaiveDate>,
    pub private: bool,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// How many have offered to help.
    pub offers: i64,
    /// The viewer's own offer's note, when they offered.
    pub my_note: Option<String>,
}

const REQUEST_COLUMNS: &str = "r.id, r.asker_id, a.display_name AS asker_name, r.kind, r.details,
    r.needed_by, r.private, r.status, r.created_at, r.closed_at,
    (SELECT count(*) FROM support_offers o WHERE o.request_id = r.id AND o.can_id = r.can_id)
        AS offers,
    (SELECT o.note FROM support_offers o WHERE o.request_id = r.id AND o.can_id = r.can_id
       AND o.member_id = $2) AS my_note";

/// The requests `viewer` may see: open ones oldest first, then those met in the last
/// [`MET_SHOWN_DAYS`] days, latest first.
pub async fn visible(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    viewer: Uuid,
    organiser: bool,
) -> Result<Vec<Request>> {
    Ok(sqlx::query_as(&format!(
        "(SELECT {REQUEST_COLUMNS} FROM support_requests r JOIN members a ON a.id = r.asker_id
          WHERE r.can_id = $1 AND r.status = 'open' AND {VISIBLE}
          ORDER BY r.created_at LIMIT $4)
         UNION ALL
         (SELECT {REQUEST_COLUMNS} FROM support_requests r JOIN members a ON a.id = r.asker_id
          WHERE r.can_id = $1 AND r.status = 'met' AND {VISIBLE}
            AND r.closed_at > now() - make_interval(days => $6)
          ORDER BY r.closed_at DESC LIMIT $5)"
    ))
    .bind(can_id)
    .bind(viewer)
    .bind(organiser)
    .bind(OPEN_SHOWN)
    .bind(MET_SHOWN)
    .bind(MET_SHOWN_DAYS)
    .fetch_all(db)
    .await?)
}

/// One request of this CAN, with the viewer's own offer (whoever may see it: the caller checks).
pub async fn one(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    viewer: Uuid,
    id: Uuid,
    lock: bool,
) -> Result<Option<Request>> {
    // `FOR UPDATE OF r` keeps two answers to the same request in order.
    let lock = if lock { "FOR UPDATE OF r" } else { "" };
    Ok(sqlx::query_as(&format!(
        "SELECT {REQUEST_COLUMNS} FROM support_requests r JOIN members a ON a.id = r.asker_id
         WHERE r.can_id = $1 AND r.id = $3 {lock}"
    ))
    .bind(can_id)
    .bind(viewer)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// Someone's offer to help, as the asker and organisers see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Offer {
    pub member_id: Uuid,
    pub name: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// Who offered to help with a request, first first.
pub async fn offers(db: impl PgExecutor<'_>, can_id: Uuid, request: Uuid) -> Result<Vec<Offer>> {
    Ok(sqlx::query_as(
        "SELECT o.member_id, m.display_name AS name, o.note, o.created_at
         FROM support_offers o JOIN members m ON m.id = o.member_id
         WHERE o.request_id = $2 AND o.can_id = $1
         ORDER BY o.created_at, m.display_name",
    )
    .bind(can_id)
    .bind(request)
    .fetch_all(db)
    .await?)
}

pub struct NewRow<'a> {
    pub id: Uuid,
    pub can_id: Uuid,
    pub asker: Uuid,
    pub kind: HelpKind,
    pub details: &'a str,
    pub needed_by: Option<NaiveDate>,
    pub private: bool,
}

pub async fn insert(conn: &mut PgConnection, r: &NewRow<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO support_requests (id, can_id, asker_id, kind, details, needed_by, private)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(r.id)
    .bind(r.can_id)
    .bind(r.asker)
    .bind(r.kind)
    .bind(r.details)
    .bind(r.needed_by)
    .bind(r.private)
    .execute(conn)
    .await?;
    Ok(())
}

/// Who hears of a new request: the CAN's active members but the asker, or — for a private one —
/// its active organisers but the asker.
pub async fn told_of_request(
    conn: &mut PgConnection,
    can_id: Uuid,
    asker: Uuid,
    private: bool,
) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT m.member_id FROM memberships m
         WHERE m.can_id = $1 AND m.status = 'active' AND m.member_id <> $2
           AND (NOT $3 OR EXISTS (
               SELECT 1 FROM role_grants g
               WHERE g.can_id = m.can_id AND g.member_id = m.member_id
                 AND g.role = 'organiser' AND g.ended_at IS NULL))
         ORDER BY m.member_id",
    )
    .bind(can_id)
    .bind(asker)
    .bind(private)
    .fetch_all(conn)
    .await?)
}

/// Adds `member`'s offer; `false` when they offered already.
pub async fn add_offer(
    conn: &mut PgConnection,
    can_id: Uuid,
    request: Uuid,
    member: Uuid,
    note: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO support_offers (request_id, can_id, member_id, note)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT ON CONSTRAINT support_offers_pkey DO NOTHING",
    )
    .bind(request)
    .bind(can_id)
    .bind(member)
    .bind(note)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes `member`'s offer back; `false` when they had none.
pub async fn remove_offer(
    conn: &mut PgConnection,
    can_id: Uuid,
    request: Uuid,
    member: Uuid,
) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM support_offers WHERE request_id = $1 AND can_id = $2 AND member_id = $3",
    )
    .bind(request)
    .bind(can_id)
    .bind(member)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes an open request as met or withdrawn; `false` when it was not open.
pub async fn close(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    status: RequestStatus,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE support_requests SET status = $3, closed_at = now()
         WHERE id = $1 AND can_id = $2 AND status = 'open'",
    )
    .bind(id)
    .bind(can_id)
    .bind(status)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who hears that a request closed: those who offered, while active — and, for a private
/// request, only those who may still see it (the asker and active organisers) — but `actor`.
/// `with_asker` adds the asker (when someone else closed it), unless they left.
pub async fn told_of_closing(
    conn: &mut PgConnection,
    can_id: Uuid,
    request: Uuid,
    actor: Uuid,
    with_asker: bool,
) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT o.member_id FROM support_offers o
         JOIN support_requests r ON r.id = o.request_id AND r.can_id = o.can_id
         JOIN memberships m ON m.can_id = o.can_id AND m.member_id = o.member_id
         WHERE o.request_id = $2 AND o.can_id = $1 AND o.member_id <> $3 AND m.status = 'active'
           AND (NOT r.private OR EXISTS (
               SELECT 1 FROM role_grants g
               WHERE g.can_id = o.can_id AND g.member_id = o.member_id
                 AND g.role = 'organiser' AND g.ended_at IS NULL))
         UNION
         SELECT r.asker_id FROM support_requests r
         JOIN memberships m ON m.can_id = r.can_id AND m.member_id = r.asker_id
         WHERE $4 AND r.id = $2 AND r.can_id = $1 AND r.asker_id <> $3 AND m.status <> 'left'",
    )
    .bind(can_id)
    .bind(request)
    .bind(actor)
    .bind(with_asker)
    .fetch_all(conn)
    .await?)
}

/// Whether `member`'s membership of the CAN is current (not left): an asker who left hears of
/// nothing more.
pub async fn still_member(conn: &mut PgConnection, can_id: Uuid, member: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships
                        WHERE can_id = $1 AND member_id = $2 AND status <> 'left')",
    )
    .bind(can_id)
    .bind(member)
    .fetch_one(conn)
    .await?)
}

/// What leaving changed: the member's open requests withdrawn, and their offers on open requests
/// taken back.
pub struct LeavingChanges {
    /// The requests withdrawn, with what each asked for (those who offered are told).
    pub withdrawn: Vec<(Uuid, HelpKind)>,
    pub requests: i64,
    pub offers: i64,
    pub name: String,
}

/// The caller's membership of the CAN, read with the CAN's row share-locked for keys and then
/// the membership's row share-locked: the same order as leaving (the CAN's lock, then the
/// membership), so a request or offer and a leaving at the same moment queue instead of
/// deadlocking, and the status read is the one that holds until commit. `None`: not a member.
pub async fn hold_membership(
    conn: &mut PgConnection,
    can_id: Uuid,
    member: Uuid,
) -> Result<Option<String>> {
    sqlx::query("SELECT 1 FROM cans WHERE id = $1 FOR KEY SHARE")
        .bind(can_id)
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar(
        "SELECT status FROM memberships WHERE can_id = $1 AND member_id = $2 FOR SHARE",
    )
    .bind(can_id)
    .bind(member)
    .fetch_optional(conn)
    .await?)
}

pub async fn withdraw_open_for(
    conn: &mut PgConnection,
    can_id: Uuid,
    member: Uuid,
) -> Result<LeavingChanges> {
    let withdrawn: Vec<(Uuid, HelpKind)> = sqlx::query_as(
        "SELECT id, kind FROM support_requests
         WHERE can_id = $1 AND asker_id = $2 AND status = 'open' ORDER BY created_at FOR UPDATE",
    )
    .bind(can_id)
    .bind(member)
    .fetch_all(&mut *conn)
    .await?;
    let (requests, offers, name): (i64, i64, Option<String>) = sqlx::query_as(
        "WITH closed AS (
             UPDATE support_requests SET status = 'withdrawn', closed_at = now()
             WHERE can_id = $1 AND asker_id = $2 AND status = 'open'
             RETURNING id),
         taken AS (
             DELETE FROM support_offers o USING support_requests r
             WHERE o.can_id = $1 AND o.member_id = $2
               AND r.id = o.request_id AND r.can_id = o.can_id AND r.status = 'open'
             RETURNING o.request_id)
         SELECT (SELECT count(*) FROM closed), (SELECT count(*) FROM taken),
                (SELECT display_name FROM members WHERE id = $2)",
    )
    .bind(can_id)
    .bind(member)
    .fetch_one(conn)
    .await?;
    Ok(LeavingChanges {
        withdrawn,
        requests,
        offers,
        name: name.unwrap_or_default(),
    })
}

/// The health view's figures, raw (see `super::health`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HealthRow {
    pub made: i64,
    pub met: i64,
    pub open: i64,
    pub median_days_to_offer: Option<f64>,
    pub median_days_to_met: Option<f64>,
}

/// Requests made since `since` (private ones included: numbers only), how many are met and how
/// many still open, and the median days from asking to the first offer (of those with one) and
/// to being met (of those met).
pub async fn health(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    since: DateTime<Utc>,
    with_private: bool,
) -> Result<HealthRow> {
    Ok(sqlx::query_as(
        "SELECT count(*) AS made,
                count(*) FILTER (WHERE r.status = 'met') AS met,
                count(*) FILTER (WHERE r.status = 'open') AS open,
                percentile_cont(0.5) WITHIN GROUP (
                    ORDER BY extract(epoch FROM f.first_at - r.created_at)::float8 / 86400)
                    FILTER (WHERE f.first_at IS NOT NULL) AS median_days_to_offer,
                percentile_cont(0.5) WITHIN GROUP (
                    ORDER BY extract(epoch FROM r.closed_at - r.created_at)::float8 / 86400)
                    FILTER (WHERE r.status = 'met') AS median_days_to_met
         FROM support_requests r
         LEFT JOIN LATERAL (
             SELECT min(o.created_at) AS first_at FROM support_offers o
             WHERE o.request_id = r.id AND o.can_id = r.can_id) f ON true
         WHERE r.can_id = $1 AND r.created_at >= $2 AND (NOT r.private OR $3)",
    )
    .bind(can_id)
    .bind(since)
    .bind(with_private)
    .fetch_one(db)
    .await?)
}
