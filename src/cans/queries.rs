//! Plain SQL for CANs, memberships, roles, invitations and join requests. Every query that takes an
//! id from a URL or form also filters by `can_id`, so an id from another CAN finds nothing.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::forms::{NewCan, NewInvitation};
use super::model::{MembershipStatus, Role};
use crate::error::Result;

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
    pub stage: String,
    pub status: String,
    pub roles: Vec<String>,
}

/// The CANs a member belongs to (not those they left), with their roles.
pub async fn my_cans(db: &PgPool, member_id: Uuid) -> Result<Vec<MyCan>> {
    Ok(sqlx::query_as(
        "SELECT c.slug, c.name, c.place, c.stage, m.status,
                COALESCE(array_agg(g.role ORDER BY g.role) FILTER (WHERE g.role IS NOT NULL), '{}') AS roles
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
    pub stage: String,
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

// ---- Memberships and roles -----------------------------------------------------------------

/// Makes the member a current member (joining, or rejoining after leaving) with the rules
/// acknowledged at `acknowledged_at`. Returns false when they already are a current member.
pub async fn add_membership(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    acknowledged_at: DateTime<Utc>,
    invitation_id: Option<Uuid>,
) -> Result<bool> {
    // `xmax = 0` tells a fresh row from one brought back from 'left'.
    let added: Option<bool> = sqlx::query_scalar(
        "INSERT INTO memberships (id, can_id, member_id, rules_acknowledged_at, invitation_id)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT memberships_can_member_key DO UPDATE
             SET status = 'active', rules_acknowledged_at = EXCLUDED.rules_acknowledged_at,
                 invitation_id = EXCLUDED.invitation_id, status_changed_at = now()
             WHERE memberships.status = 'left'
         RETURNING (xmax = 0)",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(member_id)
    .bind(acknowledged_at)
    .bind(invitation_id)
    .fetch_optional(&mut *conn)
    .await?;
    if added == Some(false) {
        // Someone coming back starts without the roles they once held (the history keeps them).
        sqlx::query(
            "UPDATE role_grants SET ended_at = now()
             WHERE can_id = $1 AND member_id = $2 AND ended_at IS NULL",
        )
        .bind(can_id)
        .bind(member_id)
        .execute(&mut *conn)
        .await?;
    }
    if added.is_some() {
        withdraw_join_requests(&mut *conn, can_id, member_id).await?;
    }
    Ok(added.is_some())
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

/// The member's membership status in this CAN, read inside the caller's transaction.
pub async fn membership_status(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT status FROM memberships WHERE can_id = $1 AND member_id = $2")
            .bind(can_id)
            .bind(member_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Grants `role`; false when the member holds it already.
pub async fn grant_role(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    role: Role,
    granted_by: Option<Uuid>,
    term_ends_on: Option<NaiveDate>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO role_grants (id, can_id, member_id, role, granted_by, term_ends_on)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (can_id, member_id, role) WHERE ended_at IS NULL DO NOTHING",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(member_id)
    .bind(role.as_str())
    .bind(granted_by)
    .bind(term_ends_on)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the member's active grant of `role` (or of every role when `None`); returns how many ended.
pub async fn end_roles(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    role: Option<Role>,
    ended_by: Uuid,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE role_grants SET ended_at = now(), ended_by = $4
         WHERE can_id = $1 AND member_id = $2 AND ended_at IS NULL
           AND ($3::text IS NULL OR role = $3)",
    )
    .bind(can_id)
    .bind(member_id)
    .bind(role.map(Role::as_str))
    .bind(ended_by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Active organisers of the CAN, as the caller's transaction sees them. Checked *after* a change
/// (under `lock_can`): a change that leaves none is rolled back.
pub async fn active_organisers(conn: &mut PgConnection, can_id: Uuid) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM role_grants g
         JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id
         WHERE g.can_id = $1 AND g.role = 'organiser' AND g.ended_at IS NULL AND m.status = 'active'",
    )
    .bind(can_id)
    .fetch_one(conn)
    .await?)
}

pub async fn set_status(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    status: MembershipStatus,
) -> Result<()> {
    sqlx::query(
        "UPDATE memberships SET status = $3, status_changed_at = now()
         WHERE can_id = $1 AND member_id = $2",
    )
    .bind(can_id)
    .bind(member_id)
    .bind(status.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberLine {
    pub member_id: Uuid,
    pub display_name: String,
    pub pronouns: String,
    pub neighbourhood: String,
    pub status: String,
    pub joined_at: DateTime<Utc>,
    pub roles: Vec<String>,
}

const MEMBER_LINE: &str = "
    SELECT m.member_id, p.display_name, p.pronouns, p.neighbourhood, m.status, m.joined_at,
           COALESCE(array_agg(g.role ORDER BY g.role) FILTER (WHERE g.role IS NOT NULL), '{}') AS roles
    FROM memberships m
    JOIN members p ON p.id = m.member_id
    LEFT JOIN role_grants g ON g.can_id = m.can_id AND g.member_id = m.member_id AND g.ended_at IS NULL
    WHERE m.can_id = $1";

/// Everyone who is or was a member, current members first.
pub async fn members(db: &PgPool, can_id: Uuid) -> Result<Vec<MemberLine>> {
    Ok(sqlx::query_as(&format!(
        "{MEMBER_LINE}
         GROUP BY m.id, p.id
         ORDER BY (m.status = 'left'), (m.status = 'paused'), lower(p.display_name)"
    ))
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

pub async fn member(db: &PgPool, can_id: Uuid, member_id: Uuid) -> Result<Option<MemberLine>> {
    Ok(sqlx::query_as(&format!(
        "{MEMBER_LINE} AND m.member_id = $2
         GROUP BY m.id, p.id"
    ))
    .bind(can_id)
    .bind(member_id)
    .fetch_optional(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct GrantLine {
    pub role: String,
    pub granted_at: DateTime<Utc>,
    pub granted_by: Option<String>,
    pub term_ends_on: Option<NaiveDate>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by: Option<String>,
}

/// Every role the member held in the CAN, newest first.
pub async fn role_history(db: &PgPool, can_id: Uuid, member_id: Uuid) -> Result<Vec<GrantLine>> {
    Ok(sqlx::query_as(
        "SELECT g.role, g.granted_at, gb.display_name AS granted_by, g.term_ends_on,
                g.ended_at, eb.display_name AS ended_by
         FROM role_grants g
         LEFT JOIN members gb ON gb.id = g.granted_by
         LEFT JOIN members eb ON eb.id = g.ended_by
         WHERE g.can_id = $1 AND g.member_id = $2
         ORDER BY g.granted_at DESC",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_all(db)
    .await?)
}

// ---- Invitations ---------------------------------------------------------------------------

pub async fn insert_invitation(
    conn: &mut PgConnection,
    can_id: Uuid,
    invitation: &NewInvitation,
    token_hash: &[u8],
    created_by: Uuid,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO invitations (id, can_id, token_hash, email, note, max_uses, expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7), $8)",
    )
    .bind(id)
    .bind(can_id)
    .bind(token_hash)
    .bind(invitation.email.as_ref().map(|e| e.as_str()))
    .bind(&invitation.note)
    .bind(invitation.max_uses)
    .bind(invitation.expires_in_days)
    .bind(created_by)
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationLine {
    pub id: Uuid,
    pub email: Option<String>,
    pub note: String,
    pub max_uses: i32,
    pub uses: i32,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

pub async fn invitations(db: &PgPool, can_id: Uuid) -> Result<Vec<InvitationLine>> {
    Ok(sqlx::query_as(
        "SELECT i.id, i.email, i.note, i.max_uses, i.uses, i.expires_at, i.revoked_at,
                i.created_at, m.display_name AS created_by
         FROM invitations i JOIN members m ON m.id = i.created_by
         WHERE i.can_id = $1
         ORDER BY i.created_at DESC
         LIMIT 200",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// Revokes an invitation of this CAN; false when there is none with that id (in this CAN). Its
/// mail, if still waiting in the outbox, is not sent.
pub async fn revoke_invitation(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    by: Uuid,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = now(), revoked_by = $3
         WHERE can_id = $1 AND id = $2 AND revoked_at IS NULL",
    )
    .bind(can_id)
    .bind(id)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        sqlx::query(
            "UPDATE outbox SET status = 'failed', last_error = 'invitation revoked before it was sent'
             WHERE can_id = $1 AND dedupe_key = 'invitation:' || $2::text AND status = 'pending'",
        )
        .bind(can_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(done.rows_affected() == 1)
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

pub async fn join_request_exists(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM join_requests WHERE can_id = $1 AND id = $2)",
    )
    .bind(can_id)
    .bind(id)
    .fetch_one(db)
    .await?)
}

pub async fn invitation_exists(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM invitations WHERE can_id = $1 AND id = $2)",
    )
    .bind(can_id)
    .bind(id)
    .fetch_one(db)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationByToken {
    pub id: Uuid,
    pub can_id: Uuid,
    pub max_uses: i32,
    pub uses: i32,
    pub expired: bool,
    pub revoked: bool,
}

/// Finds an invitation by its token's hash; `lock` holds it for the rest of the transaction so
/// two people cannot both take the last use.
pub async fn invitation_by_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
    lock: bool,
) -> Result<Option<InvitationByToken>> {
    let sql = format!(
        "SELECT id, can_id, max_uses, uses, expires_at <= now() AS expired,
                revoked_at IS NOT NULL AS revoked
         FROM invitations WHERE token_hash = $1 {}",
        if lock { "FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_as(&sql)
        .bind(token_hash)
        .fetch_optional(conn)
        .await?)
}

/// Counts a use of an invitation found by its token (so already known to be the right CAN's).
pub async fn use_invitation(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query("UPDATE invitations SET uses = uses + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- Join requests -------------------------------------------------------------------------

/// Records a request to join; false when the member already has one pending.
pub async fn insert_join_request(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    message: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO join_requests (id, can_id, member_id, message, rules_acknowledged_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (can_id, member_id) WHERE status = 'pending' DO NOTHING",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(member_id)
    .bind(message)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
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
    approve: bool,
    by: Uuid,
) -> Result<Option<DecidedRequest>> {
    Ok(sqlx::query_as(
        "UPDATE join_requests r SET status = $3, decided_by = $4, decided_at = now()
         FROM members m
         WHERE r.can_id = $1 AND r.id = $2 AND r.status = 'pending' AND m.id = r.member_id
         RETURNING r.member_id, r.rules_acknowledged_at, m.display_name",
    )
    .bind(can_id)
    .bind(id)
    .bind(if approve { "approved" } else { "declined" })
    .bind(by)
    .fetch_optional(conn)
    .await?)
}

pub async fn can_by_id(db: impl PgExecutor<'_>, id: Uuid) -> Result<super::model::Can> {
    Ok(sqlx::query_as(&format!(
        "SELECT {} FROM cans c WHERE c.id = $1",
        super::model::CAN_COLUMNS
    ))
    .bind(id)
    .fetch_one(db)
    .await?)
}

/// Someone to tell: an active member's id, address and name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

/// The CAN's active members (not those away for a while, nor those who left): the one answer to
/// "who takes part here", for mails, pickers and counts alike.
pub async fn active_members(db: impl PgExecutor<'_>, can_id: Uuid) -> Result<Vec<Person>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.email, p.display_name AS name
         FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.status = 'active'
         ORDER BY p.display_name, p.id",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// Whether `member_id` is an active member of the CAN (who may be given a role or a task).
pub async fn is_active_member(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships
                        WHERE can_id = $1 AND member_id = $2 AND status = 'active')",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_one(db)
    .await?)
}

pub async fn is_current_member(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships WHERE can_id = $1 AND member_id = $2 AND status <> 'left')",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_one(db)
    .await?)
}
