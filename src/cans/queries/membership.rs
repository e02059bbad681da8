//! Memberships and leadership roles.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::withdraw_join_requests;
use crate::cans::model::{GrantEnd, MembershipStatus, Role};
use crate::error::Result;

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

/// The member's membership status in this CAN, read inside the caller's transaction.
pub async fn membership_status(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<Option<MembershipStatus>> {
    Ok(
        sqlx::query_scalar("SELECT status FROM memberships WHERE can_id = $1 AND member_id = $2")
            .bind(can_id)
            .bind(member_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Grants `role` and returns the new grant's id; `None` when the member holds it already.
pub async fn grant_role(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    role: Role,
    granted_by: Option<Uuid>,
    term_ends_on: Option<NaiveDate>,
) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO role_grants (id, can_id, member_id, role, granted_by, term_ends_on)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (can_id, member_id, role) WHERE ended_at IS NULL DO NOTHING
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(member_id)
    .bind(role)
    .bind(granted_by)
    .bind(term_ends_on)
    .fetch_optional(conn)
    .await?)
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
    .bind(role)
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

/// Moves the member's membership from one of `from` to `to`; false when it was in none of them
/// (someone, or the clock, changed it since the page was read). Only a paused membership keeps a
/// return day (`memberships_away_until_paused`): `away_until` is set for `Paused`, cleared otherwise.
pub async fn change_status(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    from: &[MembershipStatus],
    to: MembershipStatus,
    away_until: Option<NaiveDate>,
) -> Result<bool> {
    let away_until = away_until.filter(|_| to == MembershipStatus::Paused);
    let done = sqlx::query(
        "UPDATE memberships SET status = $4, status_changed_at = now(), away_until = $5
         WHERE can_id = $1 AND member_id = $2 AND status = ANY($3)",
    )
    .bind(can_id)
    .bind(member_id)
    .bind(from.iter().map(|s| s.as_str()).collect::<Vec<_>>())
    .bind(to)
    .bind(away_until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a leaving member's release opened: titles of the responsibilities nobody carries now, and
/// of those that lost their backup.
#[derive(Debug, Default)]
pub struct Released {
    pub unowned: Vec<String>,
    pub without_backup: Vec<String>,
}

/// Someone who leaves no longer carries or backs up anything: what they carried is open again
/// (the history keeps that they held it).
pub async fn release_carried(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<Released> {
    let ended: Vec<(Uuid, String, String)> = sqlx::query_as(
        "WITH ended AS (
             UPDATE carriers SET until_at = greatest(least(COALESCE(until_at, 'infinity'), now()), from_at),
                    ended_how = 'left'
             WHERE can_id = $1 AND member_id = $2 AND (until_at IS NULL OR until_at > now())
             RETURNING responsibility_id, kind)
         SELECT r.id, r.title, e.kind
         FROM ended e JOIN responsibilities r ON r.id = e.responsibility_id AND r.can_id = $1
         WHERE r.status IN ('open', 'active')
         ORDER BY lower(r.title), r.id",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_all(&mut *conn)
    .await?;
    let opened: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE responsibilities r SET status = 'open'
         WHERE r.can_id = $1 AND r.status = 'active' AND NOT EXISTS (
             SELECT 1 FROM carriers c WHERE c.responsibility_id = r.id AND c.kind = 'carrier'
               AND (c.until_at IS NULL OR c.until_at > now()))
         RETURNING r.id",
    )
    .bind(can_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut released = Released::default();
    for (id, title, kind) in ended {
        match kind.as_str() {
            "carrier" if opened.contains(&id) => released.unowned.push(title),
            "backup" => released.without_backup.push(title),
            _ => {}
        }
    }
    Ok(released)
}

/// Sets what the member offers to do at meetings and for newcomers; false when it was so already.
pub async fn set_willing(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    facilitate: bool,
    take_notes: bool,
    welcome: bool,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE memberships
         SET willing_to_facilitate = $3, willing_to_take_notes = $4, willing_to_welcome = $5
         WHERE can_id = $1 AND member_id = $2
           AND (willing_to_facilitate, willing_to_take_notes, willing_to_welcome)
               IS DISTINCT FROM ($3, $4, $5)",
    )
    .bind(can_id)
    .bind(member_id)
    .bind(facilitate)
    .bind(take_notes)
    .bind(welcome)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberLine {
    pub member_id: Uuid,
    pub display_name: String,
    pub pronouns: String,
    pub neighbourhood: String,
    pub status: MembershipStatus,
    pub joined_at: DateTime<Utc>,
    /// Ordered as [`Role::ALL`].
    pub roles: Vec<Role>,
    /// They offer to facilitate meetings, and to take notes (rotation suggests them).
    pub willing_to_facilitate: bool,
    pub willing_to_take_notes: bool,
    /// They offer to welcome newcomers (as a welcome companion).
    pub willing_to_welcome: bool,
}

const MEMBER_LINE: &str = "
    SELECT m.member_id, p.display_name, p.pronouns, p.neighbourhood, m.status, m.joined_at,
           m.willing_to_facilitate, m.willing_to_take_notes, m.willing_to_welcome,
           COALESCE(array_agg(g.role ORDER BY array_position(ARRAY['organiser', 'facilitator', 'coordinator'], g.role)) FILTER (WHERE g.role IS NOT NULL), '{}') AS roles
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
    pub role: Role,
    pub granted_at: DateTime<Utc>,
    pub granted_by: Option<String>,
    pub term_ends_on: Option<NaiveDate>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by: Option<String>,
    pub ended_how: Option<GrantEnd>,
    /// Its term has passed but it was kept: the holder is the last active organiser.
    pub term_kept: bool,
}

/// Every role the member held in the CAN, newest first.
pub async fn role_history(db: &PgPool, can_id: Uuid, member_id: Uuid) -> Result<Vec<GrantLine>> {
    Ok(sqlx::query_as(
        "SELECT g.role, g.granted_at, gb.display_name AS granted_by, g.term_ends_on,
                g.ended_at, eb.display_name AS ended_by, g.ended_how,
                g.term_kept_at IS NOT NULL AS term_kept
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
