//! Plain SQL for visioning. Every query is scoped by `can_id`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::model::GoalStatus;
use crate::error::Result;

// ---- Hopes ---------------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Hope {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited: bool,
}

/// The CAN's hopes that are not withdrawn, oldest first.
pub async fn hopes(db: &PgPool, can_id: Uuid) -> Result<Vec<Hope>> {
    Ok(sqlx::query_as(
        "SELECT h.id, h.author_id, m.display_name AS author, h.body, h.created_at,
                h.updated_at > h.created_at + interval '1 second' AS edited
         FROM hopes h JOIN members m ON m.id = h.author_id
         WHERE h.can_id = $1 AND h.withdrawn_at IS NULL
         ORDER BY h.created_at, h.id",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// A hope as the vision page lists it, with what its entry points show: how many members said it
/// resonates with them (and whether the viewer did), and how many visible replies its thread has.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedHope {
    #[sqlx(flatten)]
    pub hope: Hope,
    pub resonances: i64,
    pub resonated: bool,
    pub replies: i64,
}

/// The CAN's hopes that are not withdrawn, oldest first, each with its resonances and visible
/// replies counted in this one statement (subqueries on `hope_resonances`' key and
/// `comments_hope_idx`; replies deleted by their author or hidden by an organiser do not count).
pub async fn hope_list(db: &PgPool, can_id: Uuid, viewer: Uuid) -> Result<Vec<ListedHope>> {
    Ok(sqlx::query_as(
        "SELECT h.id, h.author_id, m.display_name AS author, h.body, h.created_at,
                h.updated_at > h.created_at + interval '1 second' AS edited,
                (SELECT count(*) FROM hope_resonances r
                 WHERE r.hope_id = h.id AND r.can_id = h.can_id) AS resonances,
                EXISTS (SELECT 1 FROM hope_resonances r
                        WHERE r.hope_id = h.id AND r.member_id = $2) AS resonated,
                (SELECT count(*) FROM comments k
                 WHERE k.hope_id = h.id AND k.can_id = h.can_id
                   AND k.deleted_at IS NULL AND k.hidden_at IS NULL) AS replies
         FROM hopes h JOIN members m ON m.id = h.author_id
         WHERE h.can_id = $1 AND h.withdrawn_at IS NULL
         ORDER BY h.created_at, h.id",
    )
    .bind(can_id)
    .bind(viewer)
    .fetch_all(db)
    .await?)
}

/// A hope someone may say resonates with them: standing (not withdrawn) and of this CAN. Locks
/// it against a withdrawal in the same moment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StandingHope {
    pub author_id: Uuid,
    pub author: String,
}

pub async fn standing_hope(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
) -> Result<Option<StandingHope>> {
    Ok(sqlx::query_as(
        "SELECT h.author_id, m.display_name AS author
         FROM hopes h JOIN members m ON m.id = h.author_id
         WHERE h.can_id = $1 AND h.id = $2 AND h.withdrawn_at IS NULL
         FOR SHARE OF h",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Takes back the member's "this resonates" on the hope; whether there was one.
pub async fn delete_resonance(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    hope_id: Uuid,
    member_id: Uuid,
) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM hope_resonances WHERE can_id = $1 AND hope_id = $2 AND member_id = $3",
    )
    .bind(can_id)
    .bind(hope_id)
    .bind(member_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the member's "this resonates" on the hope; false when it was there already (a double
/// submission that raced this one).
pub async fn insert_resonance(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    hope_id: Uuid,
    member_id: Uuid,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO hope_resonances (hope_id, can_id, member_id) VALUES ($1, $2, $3)
         ON CONFLICT ON CONSTRAINT hope_resonances_pkey DO NOTHING",
    )
    .bind(hope_id)
    .bind(can_id)
    .bind(member_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_hope(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    author: Uuid,
    body: &str,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO hopes (id, can_id, author_id, body) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(can_id)
        .bind(author)
        .bind(body)
        .execute(db)
        .await?;
    Ok(id)
}

/// The author's own hope (not withdrawn), or `None`.
pub async fn own_hope(db: &PgPool, can_id: Uuid, author: Uuid, id: Uuid) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT body FROM hopes WHERE can_id = $1 AND author_id = $2 AND id = $3 AND withdrawn_at IS NULL",
    )
    .bind(can_id)
    .bind(author)
    .bind(id)
    .fetch_optional(db)
    .await?)
}

pub async fn update_hope(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    author: Uuid,
    id: Uuid,
    body: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE hopes SET body = $4
         WHERE can_id = $1 AND author_id = $2 AND id = $3 AND withdrawn_at IS NULL",
    )
    .bind(can_id)
    .bind(author)
    .bind(id)
    .bind(body)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn withdraw_hope(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    author: Uuid,
    id: Uuid,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE hopes SET withdrawn_at = now()
         WHERE can_id = $1 AND author_id = $2 AND id = $3 AND withdrawn_at IS NULL",
    )
    .bind(can_id)
    .bind(author)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The members who have a hope standing (not withdrawn).
pub async fn hope_authors(db: &PgPool, can_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT author_id FROM hopes WHERE can_id = $1 AND withdrawn_at IS NULL",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

// ---- Versions ------------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Version {
    pub id: Uuid,
    pub number: i32,
    pub body: String,
    pub note: String,
    pub author: String,
    pub based_on: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub adopted_at: Option<DateTime<Utc>>,
}

const VERSION: &str = "SELECT v.id, v.number, v.body, v.note, m.display_name AS author, v.based_on,
                              v.created_at, v.adopted_at
                       FROM vision_versions v JOIN members m ON m.id = v.author_id";

pub async fn versions(db: &PgPool, can_id: Uuid) -> Result<Vec<Version>> {
    Ok(sqlx::query_as(&format!(
        "{VERSION} WHERE v.can_id = $1 ORDER BY v.number DESC"
    ))
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

pub async fn version(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    number: i32,
) -> Result<Option<Version>> {
    Ok(
        sqlx::query_as(&format!("{VERSION} WHERE v.can_id = $1 AND v.number = $2"))
            .bind(can_id)
            .bind(number)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn latest_number(db: impl PgExecutor<'_>, can_id: Uuid) -> Result<i32> {
    Ok(
        sqlx::query_scalar(
            "SELECT COALESCE(max(number), 0) FROM vision_versions WHERE can_id = $1",
        )
        .bind(can_id)
        .fetch_one(db)
        .await?,
    )
}

/// Inserts version `number`, linking only those of `hopes` that belong to this CAN.
pub async fn insert_version(
    conn: &mut PgConnection,
    can_id: Uuid,
    number: i32,
    author: Uuid,
    draft: &super::forms::Draft,
    based_on: Option<i32>,
) -> Result<Uuid> {
    let (body, note, hopes) = (&draft.body, &draft.note, &draft.hopes);
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO vision_versions (id, can_id, number, body, note, author_id, based_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(can_id)
    .bind(number)
    .bind(body)
    .bind(note)
    .bind(author)
    .bind(based_on)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO vision_version_hopes (version_id, hope_id, can_id)
         SELECT $1, h.id, h.can_id FROM hopes h
         WHERE h.can_id = $2 AND h.id = ANY($3) AND h.withdrawn_at IS NULL",
    )
    .bind(id)
    .bind(can_id)
    .bind(hopes)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// The hopes a version draws on (withdrawn ones included: the version was written from them).
pub async fn version_hopes(db: &PgPool, can_id: Uuid, version_id: Uuid) -> Result<Vec<Hope>> {
    Ok(sqlx::query_as(
        "SELECT h.id, h.author_id, m.display_name AS author, h.body, h.created_at,
                h.updated_at > h.created_at + interval '1 second' AS edited
         FROM vision_version_hopes vh
         JOIN hopes h ON h.id = vh.hope_id AND h.can_id = vh.can_id
         JOIN members m ON m.id = h.author_id
         WHERE vh.can_id = $1 AND vh.version_id = $2
         ORDER BY h.created_at",
    )
    .bind(can_id)
    .bind(version_id)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Adopted {
    pub number: i32,
    pub body: String,
    pub adopted_at: DateTime<Utc>,
    pub review_on: Option<NaiveDate>,
}

pub async fn adopted_vision(db: &PgPool, can_id: Uuid) -> Result<Option<Adopted>> {
    Ok(sqlx::query_as(
        "SELECT v.number, v.body, c.vision_adopted_at AS adopted_at, c.vision_review_on AS review_on
         FROM cans c JOIN vision_versions v ON v.id = c.vision_version_id AND v.can_id = c.id
         WHERE c.id = $1",
    )
    .bind(can_id)
    .fetch_optional(db)
    .await?)
}

pub async fn quorum(db: impl PgExecutor<'_>, can_id: Uuid) -> Result<(i16, i16)> {
    Ok(
        sqlx::query_as("SELECT quorum_num, quorum_den FROM cans WHERE id = $1")
            .bind(can_id)
            .fetch_one(db)
            .await?,
    )
}

pub async fn set_quorum(db: impl PgExecutor<'_>, can_id: Uuid, num: i16, den: i16) -> Result<()> {
    sqlx::query("UPDATE cans SET quorum_num = $2, quorum_den = $3 WHERE id = $1")
        .bind(can_id)
        .bind(num)
        .bind(den)
        .execute(db)
        .await?;
    Ok(())
}

// ---- Goals ---------------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Goal {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub status: GoalStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

pub async fn goals(db: &PgPool, can_id: Uuid) -> Result<Vec<Goal>> {
    Ok(sqlx::query_as(
        "SELECT g.id, g.title, g.description, g.status, g.created_at, m.display_name AS created_by
         FROM goals g JOIN members m ON m.id = g.created_by
         WHERE g.can_id = $1
         ORDER BY (g.status <> 'active'), g.created_at",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

pub async fn insert_goal(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    title: &str,
    description: &str,
    vision_version_id: Option<Uuid>,
    by: Uuid,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO goals (id, can_id, title, description, vision_version_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(can_id)
    .bind(title)
    .bind(description)
    .bind(vision_version_id)
    .bind(by)
    .execute(db)
    .await?;
    Ok(id)
}

/// Sets a goal's status; `None` when the goal is not this CAN's.
pub async fn set_goal_status(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    id: Uuid,
    status: GoalStatus,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "UPDATE goals SET status = $3 WHERE can_id = $1 AND id = $2 RETURNING title",
    )
    .bind(can_id)
    .bind(id)
    .bind(status)
    .fetch_optional(db)
    .await?)
}

pub async fn adopted_version_id(db: impl PgExecutor<'_>, can_id: Uuid) -> Result<Option<Uuid>> {
    Ok(
        sqlx::query_scalar("SELECT vision_version_id FROM cans WHERE id = $1")
            .bind(can_id)
            .fetch_one(db)
            .await?,
    )
}

/// When the group next revisits its vision.
pub async fn set_review_on(db: impl PgExecutor<'_>, can_id: Uuid, on: NaiveDate) -> Result<()> {
    sqlx::query("UPDATE cans SET vision_review_on = $2 WHERE id = $1")
        .bind(can_id)
        .bind(on)
        .execute(db)
        .await?;
    Ok(())
}
