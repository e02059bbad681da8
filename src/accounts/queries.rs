//! Plain SQL for accounts.

use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::forms::{Email, NewMember, ProfileUpdate};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Profile {
    pub email: String,
    pub display_name: String,
    pub pronouns: String,
    pub neighbourhood: String,
    pub skills: String,
    pub time_zone: String,
    pub weekly_digest: bool,
}

/// Inserts the member; `Ok(None)` when the email is already taken (in any letter case).
pub async fn insert_member(
    db: impl PgExecutor<'_>,
    member: &NewMember,
    password_hash: &str,
) -> Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO members (id, email, display_name, password_hash, time_zone)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(member.email.as_str())
    .bind(&member.display_name)
    .bind(password_hash)
    .bind(member.time_zone.name())
    .execute(db)
    .await;
    match inserted {
        Ok(_) => Ok(Some(id)),
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("members_email_key") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn email_taken(db: &PgPool, email: &Email) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM members WHERE lower(email) = lower($1))")
            .bind(email.as_str())
            .fetch_one(db)
            .await?,
    )
}

/// The member's id and password hash, looked up by email in any letter case.
pub async fn credentials(db: &PgPool, email: &Email) -> Result<Option<(Uuid, String)>> {
    Ok(
        sqlx::query_as("SELECT id, password_hash FROM members WHERE lower(email) = lower($1)")
            .bind(email.as_str())
            .fetch_optional(db)
            .await?,
    )
}

pub async fn password_hash(db: &PgPool, id: Uuid) -> Result<String> {
    Ok(
        sqlx::query_scalar("SELECT password_hash FROM members WHERE id = $1")
            .bind(id)
            .fetch_one(db)
            .await?,
    )
}

pub async fn set_password_hash(db: impl PgExecutor<'_>, id: Uuid, hash: &str) -> Result<()> {
    sqlx::query("UPDATE members SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn profile(db: &PgPool, id: Uuid) -> Result<Profile> {
    Ok(sqlx::query_as(
        "SELECT email, display_name, pronouns, neighbourhood, skills, time_zone, weekly_digest
         FROM members WHERE id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await?)
}

pub async fn update_profile(db: &PgPool, id: Uuid, update: &ProfileUpdate) -> Result<()> {
    sqlx::query(
        "UPDATE members
         SET display_name = $2, pronouns = $3, neighbourhood = $4, skills = $5, time_zone = $6
         WHERE id = $1",
    )
    .bind(id)
    .bind(&update.display_name)
    .bind(&update.pronouns)
    .bind(&update.neighbourhood)
    .bind(&update.skills)
    .bind(update.time_zone.name())
    .execute(db)
    .await?;
    Ok(())
}

// ---- Password resets -----------------------------------------------------------------------

/// Someone who may be sent a reset link: the account with this address (locked, so links are
/// counted one request at a time) and how many links it got in the last hour.
#[derive(Debug, sqlx::FromRow)]
pub struct ResetCandidate {
    pub id: Uuid,
    pub display_name: String,
    pub recent_links: i64,
}

pub async fn reset_candidate(
    conn: &mut PgConnection,
    email: &Email,
) -> Result<Option<ResetCandidate>> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.display_name,
                (SELECT count(*) FROM password_resets r WHERE r.member_id = m.id AND r.created_at > now() - interval '1 hour')
                    AS recent_links
         FROM members m WHERE lower(m.email) = lower($1) FOR UPDATE",
    )
    .bind(email.as_str())
    .fetch_optional(conn)
    .await?)
}

/// Stores a reset link (its token's hash), valid for an hour.
pub async fn insert_reset(
    conn: &mut PgConnection,
    id: Uuid,
    member_id: Uuid,
    token_hash: &[u8],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO password_resets (id, member_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 hour')",
    )
    .bind(id)
    .bind(member_id)
    .bind(token_hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// The reset a token names, as (reset, member), if it can still be used; `lock` holds it for the
/// rest of the transaction.
pub async fn usable_reset(
    conn: &mut PgConnection,
    token_hash: &[u8],
    lock: bool,
) -> Result<Option<(Uuid, Uuid)>> {
    let sql = format!(
        "SELECT id, member_id FROM password_resets
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() {}",
        if lock { "FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_as(&sql)
        .bind(token_hash)
        .fetch_optional(conn)
        .await?)
}

/// Marks every unused reset link of the member used: one link sets a password and ends the
/// others, and a password changed on the profile page ends them all.
pub async fn use_resets(conn: &mut PgConnection, member_id: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE password_resets SET used_at = now() WHERE member_id = $1 AND used_at IS NULL",
    )
    .bind(member_id)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- One-time sign-in links ----------------------------------------------------------------

/// The owner of an account under attack, who may be mailed a sign-in link.
#[derive(Debug, sqlx::FromRow)]
pub struct AccountOwner {
    pub id: Uuid,
    pub display_name: String,
    /// As stored: the mail goes where the owner said, not where the attacker typed.
    pub email: String,
}

/// The owner of the account with this address (in any letter case), locked for the rest of the
/// transaction so that sign-in links are decided one attempt at a time.
pub async fn lock_account_owner(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<AccountOwner>> {
    Ok(sqlx::query_as(
        "SELECT id, display_name, email FROM members WHERE lower(email) = lower($1)
         FOR NO KEY UPDATE",
    )
    .bind(email)
    .fetch_optional(conn)
    .await?)
}

/// Whether a sign-in link was made for the member within `window`.
pub async fn sign_in_link_made_within(
    conn: &mut PgConnection,
    member_id: Uuid,
    window: std::time::Duration,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sign_in_links
                        WHERE member_id = $1 AND created_at > now() - make_interval(secs => $2))",
    )
    .bind(member_id)
    .bind(window.as_secs_f64())
    .fetch_one(conn)
    .await?)
}

/// Stores a sign-in link (its token's hash), valid for `valid_for`.
pub async fn insert_sign_in_link(
    conn: &mut PgConnection,
    member_id: Uuid,
    token_hash: &[u8],
    valid_for: std::time::Duration,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO sign_in_links (id, member_id, token_hash, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
    )
    .bind(id)
    .bind(member_id)
    .bind(token_hash)
    .bind(valid_for.as_secs_f64())
    .execute(conn)
    .await?;
    Ok(id)
}

/// The member a sign-in link's token names, if the link can still be used; `lock` holds it for
/// the rest of the transaction.
pub async fn usable_sign_in_link(
    conn: &mut PgConnection,
    token_hash: &[u8],
    lock: bool,
) -> Result<Option<Uuid>> {
    let sql = format!(
        "SELECT member_id FROM sign_in_links
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() {}",
        if lock { "FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(token_hash)
        .fetch_optional(conn)
        .await?)
}

/// Ends every unused sign-in link of the member (one was used, or the password changed).
pub async fn void_sign_in_links(conn: &mut PgConnection, member_id: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE sign_in_links SET used_at = now() WHERE member_id = $1 AND used_at IS NULL",
    )
    .bind(member_id)
    .execute(conn)
    .await?;
    Ok(())
}
