//! Requests to join a listed CAN.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use crate::cans::model::JoinRequestStatus;
use crate::error::Result;

/// Records a request to join and returns its id; `None` when the member already has one pending.
pub async fn insert_join_request(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    message: &str,
) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO join_requests (id, can_id, member_id, message, rules_acknowledged_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (can_id, member_id) WHERE status = 'pending' DO NOTHING
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(member_id)
    .bind(message)
    .fetch_optional(conn)
    .await?)
}

pub async fn has_pending_request(db: &PgPool, can_id: Uuid, member_id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM join_requests WHERE can_id = $1 AND member_id = $2 AND status = 'pending')",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_one(db)
    .await?)
}

/// When the member may ask this CAN again, if its organisers declined them within `days` days.
pub async fn ask_again_at(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    member_id: Uuid,
    days: i32,
) -> Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT max(decided_at) + make_interval(days => $3) FROM join_requests
         WHERE can_id = $1 AND member_id = $2 AND status = 'declined'
           AND decided_at > now() - make_interval(days => $3)",
    )
    .bind(can_id)
    .bind(member_id)
    .bind(days)
    .fetch_one(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct JoinRequestLine {
    pub id: Uuid,
    pub member_id: Uuid,
    pub display_name: String,
    pub neighbourhood: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

pub async fn pending_requests(db: &PgPool, can_id: Uuid) -> Result<Vec<JoinRequestLine>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.member_id, m.display_name, m.neighbourhood, r.message, r.created_at
         FROM join_requests r JOIN members m ON m.id = r.member_id
         WHERE r.can_id = $1 AND r.status = 'pending'
         ORDER BY r.created_at",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct DecidedRequest {
    pub member_id: Uuid,
    pub rules_acknowledged_at: DateTime<Utc>,
    pub display_name: String,
}

/// Decides a pending request of this CAN; `None` when there is no such pending request here.
pub async fn decide_request(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    decision: JoinRequestStatus,
    by: Uuid,
    reason: &str,
) -> Result<Option<DecidedRequest>> {
    Ok(sqlx::query_as(
        "UPDATE join_requests r SET status = $3, decided_by = $4, decided_at = now(), decline_reason = $5
         FROM members m
         WHERE r.can_id = $1 AND r.id = $2 AND r.status = 'pending' AND m.id = r.member_id
         RETURNING r.member_id, r.rules_acknowledged_at, m.display_name",
    )
    .bind(can_id)
    .bind(id)
    .bind(decision)
    .bind(by)
    .bind(reason)
    .fetch_optional(conn)
    .await?)
}

pub async fn join_request_exists(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM join_requests WHERE can_id = $1 AND id = $2)",
    )
    .bind(can_id)
    .bind(id)
    .fetch_one(db)
    .await?)
}

/// A request to join is moot once the person joins (another way) or leaves.
pub async fn withdraw_join_requests(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<()> {
    sqlx::query(
        "UPDATE join_requests SET status = 'withdrawn', decided_at = now()
         WHERE can_id = $1 AND member_id = $2 AND status = 'pending'",
    )
    .bind(can_id)
    .bind(member_id)
    .execute(conn)
    .await?;
    Ok(())
}
