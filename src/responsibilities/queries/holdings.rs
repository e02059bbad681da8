//! Holdings: who carries or backs up a responsibility, from when until when, and how it ended.
//! A responsibility's open ⇄ active status follows its carriers, so every change here resyncs it.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::Result;
use crate::responsibilities::model::{HoldingEnd, HoldingKind};

/// A holding to add.
#[derive(Debug, Clone, Copy)]
pub struct NewHolding<'a> {
    pub can_id: Uuid,
    pub responsibility: Uuid,
    pub member: Uuid,
    pub kind: HoldingKind,
    /// Who arranged it (the member themselves when they volunteer).
    pub by: Uuid,
    /// Someone else asked them, so they may decline it.
    pub asked: bool,
    /// The hand-over note it came with, if any ("" for none).
    pub note: &'a str,
}

/// A current holding to end.
#[derive(Debug, Clone, Copy)]
pub struct EndHolding<'a> {
    pub can_id: Uuid,
    pub responsibility: Uuid,
    pub member: Uuid,
    pub how: HoldingEnd,
    /// When it ends: `None` is now; a time ahead keeps it through a hand-off's overlap.
    pub at: Option<DateTime<Utc>>,
    /// A note to keep with it (a decline's reason, a hand-over note).
    pub note: Option<&'a str>,
}

/// Adds a holding; false when the member already holds it (as carrier or backup).
pub async fn add_holder(conn: &mut PgConnection, h: &NewHolding<'_>) -> Result<bool> {
    // Someone who holds it now (also within a hand-off's overlap) is not added twice.
    if holds(&mut *conn, h.can_id, h.responsibility, h.member)
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
    .bind(h.can_id)
    .bind(h.responsibility)
    .bind(h.member)
    .bind(h.kind)
    .bind(h.by)
    .bind(h.asked)
    .bind(h.note)
    .execute(&mut *conn)
    .await?;
    sync_status(conn, h.can_id, h.responsibility).await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the member's current holding (now, or at `at` for an overlap); returns its kind if there
/// was one.
pub async fn end_holder(
    conn: &mut PgConnection,
    e: &EndHolding<'_>,
) -> Result<Option<HoldingKind>> {
    // `None` ends it now, by the database's clock (the one "current" is measured with).
    let kind: Option<HoldingKind> = sqlx::query_scalar(
        "UPDATE carriers SET until_at = greatest(least(COALESCE(until_at, 'infinity'), COALESCE($5, now())), from_at),
                ended_how = $4, note = COALESCE($6, note)
         WHERE can_id = $1 AND responsibility_id = $2 AND member_id = $3
           AND (until_at IS NULL OR until_at > now())
         RETURNING kind",
    )
    .bind(e.can_id)
    .bind(e.responsibility)
    .bind(e.member)
    .bind(e.how)
    .bind(e.at)
    .bind(e.note)
    .fetch_optional(&mut *conn)
    .await?;
    sync_status(conn, e.can_id, e.responsibility).await?;
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
    pub kind: HoldingKind,
    pub from_at: DateTime<Utc>,
    pub until_at: Option<DateTime<Utc>>,
    pub arranged_by: Option<String>,
    pub ended_how: Option<HoldingEnd>,
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

/// How this member holds the responsibility now, if at all.
pub async fn holds(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    member_id: Uuid,
) -> Result<Option<HoldingKind>> {
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

/// Whether the member holds it now because someone else asked them (so they may decline it).
pub async fn asked(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    member_id: Uuid,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM carriers WHERE can_id = $1 AND responsibility_id = $2 AND member_id = $3
                        AND assigned AND (until_at IS NULL OR until_at > now()))",
    )
    .bind(can_id)
    .bind(id)
    .bind(member_id)
    .fetch_one(conn)
    .await?)
}

/// Whether the member carries it and has not handed it on yet (an overlap is still theirs to
/// finish, but not theirs to hand on again).
pub async fn carries_until_further_notice(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    member_id: Uuid,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM carriers WHERE can_id = $1 AND responsibility_id = $2 AND member_id = $3
                        AND kind = 'carrier' AND until_at IS NULL)",
    )
    .bind(can_id)
    .bind(id)
    .bind(member_id)
    .fetch_one(conn)
    .await?)
}
