//! Plain SQL for CANs, memberships, roles, invitations and join requests, one file per
//! sub-resource. Every query that takes an id from a URL or form also filters by `can_id`, so an
//! id from another CAN finds nothing.

mod invitations;
mod join_requests;
mod leaving;
mod membership;
mod terms;

use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::forms::NewCan;
use super::model::{Can, MembershipStatus, Role, Stage};
use crate::error::Result;

pub use invitations::*;
pub use join_requests::*;
pub use leaving::*;
pub use membership::*;
pub use terms::*;

// ---- CANs ----------------------------------------------------------------------------------

/// Inserts the CAN; `Ok(None)` when the slug is taken.
pub async fn insert_can(
    conn: &mut PgConnection,
    can: &NewCan,
    creator: Uuid,
) -> Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO cans (id, slug, name, place, purpose, rationale, rules, time_zone, visibility, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(can.slug.as_str())
    .bind(&can.name)
    .bind(&can.place)
    .bind(&can.purpose)
    .bind(&can.rationale)
    .bind(&can.rules)
    .bind(can.time_zone.name())
    .bind(can.visibility.as_str())
    .bind(creator)
    .execute(conn)
    .await;
    match inserted {
        Ok(_) => Ok(Some(id)),
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("cans_slug_key") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn update_can(db: impl PgExecutor<'_>, id: Uuid, can: &NewCan) -> Result<()> {
    sqlx::query(
        "UPDATE cans SET name = $2, place = $3, purpose = $4, rationale = $5, rules = $6,
                         time_zone = $7, visibility = $8
         WHERE id = $1",
    )
    .bind(id)
    .bind(&can.name)
    .bind(&can.place)
    .bind(&can.purpose)
    .bind(&can.rationale)
    .bind(&can.rules)
    .bind(can.time_zone.name())
    .bind(can.visibility.as_str())
    .execute(db)
    .await?;
    Ok(())
}

/// The first of `base`, `base-2`, `base-3`, … that no CAN uses yet.
pub async fn free_slug(db: &PgPool, base: &str) -> Result<String> {
    // Leave room for "-NN" within the 60 characters a slug may have.
    let base: String = base
        .chars()
        .take(55)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string();
    let taken: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM cans WHERE slug = $1 OR slug LIKE $1 || '-%'")
            .bind(&base)
            .fetch_all(db)
            .await?;
    let free = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|s| !taken.contains(s))
        .unwrap_or(base);
    Ok(free)
}

/// Serialises changes to one CAN's leadership (the last-organiser rule needs a stable count).
pub async fn lock_can(conn: &mut PgConnection, can_id: Uuid) -> Result<()> {
    sqlx::query("SELECT 1 FROM cans WHERE id = $1 FOR UPDATE")
        .bind(can_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct MyCan {
    pub slug: String,
    pub name: String,
    pub place: String,
    pub stage: Stage,
    pub status: MembershipStatus,
    pub roles: Vec<Role>,
}

/// The CANs a member belongs to (not those they left), with their roles.
pub async fn my_cans(db: &PgPool, member_id: Uuid) -> Result<Vec<MyCan>> {
    Ok(sqlx::query_as(
        "SELECT c.slug, c.name, c.place, c.stage, m.status,
                COALESCE(array_agg(g.role ORDER BY array_position(ARRAY['organiser', 'facilitator', 'coordinator'], g.role)) FILTER (WHERE g.role IS NOT NULL), '{}') AS roles
         FROM memberships m
         JOIN cans c ON c.id = m.can_id
         LEFT JOIN role_grants g ON g.can_id = m.can_id AND g.member_id = m.member_id AND g.ended_at IS NULL
         WHERE m.member_id = $1 AND m.status <> 'left'
         GROUP BY c.id, m.status
         ORDER BY lower(c.name)",
    )
    .bind(member_id)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct ListedCan {
    pub slug: String,
    pub name: String,
    pub place: String,
    pub purpose: String,
    pub stage: Stage,
    pub members: i64,
}

/// Publicly listed CANs whose name or place contains `q`, a page at a time (one extra row tells
/// whether there is a next page).
pub async fn directory(db: &PgPool, q: &str, offset: i64, limit: i64) -> Result<Vec<ListedCan>> {
    let pattern = format!(
        "%{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Ok(sqlx::query_as(
        "SELECT c.slug, c.name, c.place, c.purpose, c.stage,
                (SELECT count(*) FROM memberships m WHERE m.can_id = c.id AND m.status = 'active') AS members
         FROM cans c
         WHERE c.visibility = 'listed' AND (c.name ILIKE $1 OR c.place ILIKE $1)
         ORDER BY lower(c.name), c.id
         OFFSET $2 LIMIT $3",
    )
    .bind(pattern)
    .bind(offset)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// A CAN this member started moments ago under this name: the first of a double submission.
pub async fn just_started(db: &PgPool, slug: &str, creator: Uuid, name: &str) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM cans WHERE slug = $1 AND created_by = $2 AND name = $3
                        AND created_at > now() - interval '10 minutes')",
    )
    .bind(slug)
    .bind(creator)
    .bind(name)
    .fetch_one(db)
    .await?)
}

pub async fn can_by_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<Can> {
    Ok(sqlx::query_as(&format!(
        "SELECT {} FROM cans c WHERE c.id = $1",
        super::model::CAN_COLUMNS
    ))
    .bind(id)
    .fetch_one(db)
    .await?)
}
