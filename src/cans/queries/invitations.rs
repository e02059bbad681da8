//! Invitation links (only their tokens' hashes are stored).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::cans::forms::NewInvitation;
use crate::error::Result;

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

/// Holds the sender's row and then the CAN's until the transaction ends, so that invitation
/// mails from one sender, or to one CAN, are counted one at a time (parallel posts wait here and
/// then count what the first one wrote). `NO KEY UPDATE` leaves rows that merely refer to the
/// CAN or the member free to be written meanwhile.
pub async fn lock_for_mailing(conn: &mut PgConnection, can_id: Uuid, sender: Uuid) -> Result<()> {
    sqlx::query("SELECT 1 FROM members WHERE id = $1 FOR NO KEY UPDATE")
        .bind(sender)
        .execute(&mut *conn)
        .await?;
    sqlx::query("SELECT 1 FROM cans WHERE id = $1 FOR NO KEY UPDATE")
        .bind(can_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Invitation mails of the last day that limit another one, with (in seconds) how long until
/// each count has room again.
#[derive(Debug, sqlx::FromRow)]
pub struct MailedLately {
    /// Until the sender's account is an hour old (zero or less once it is).
    pub account_young_for: f64,
    pub by_can: i64,
    pub can_room_in: Option<f64>,
    pub by_sender: i64,
    pub sender_room_in: Option<f64>,
    /// `Some` when this address was mailed an invitation to this CAN in the last day.
    pub address_room_in: Option<f64>,
}

pub async fn mailed_lately(
    conn: &mut PgConnection,
    can_id: Uuid,
    sender: Uuid,
    email: &str,
) -> Result<MailedLately> {
    Ok(sqlx::query_as(
        "SELECT extract(epoch FROM m.created_at + interval '1 hour' - now())::float8
                    AS account_young_for,
                c.n AS by_can,
                extract(epoch FROM c.oldest + interval '1 day' - now())::float8 AS can_room_in,
                s.n AS by_sender,
                extract(epoch FROM s.oldest + interval '1 day' - now())::float8 AS sender_room_in,
                extract(epoch FROM a.latest + interval '1 day' - now())::float8 AS address_room_in
         FROM members m,
              (SELECT count(*) AS n, min(created_at) AS oldest FROM invitations
               WHERE can_id = $1 AND email IS NOT NULL
                 AND created_at > now() - interval '1 day') c,
              (SELECT count(*) AS n, min(created_at) AS oldest FROM invitations
               WHERE created_by = $2 AND email IS NOT NULL
                 AND created_at > now() - interval '1 day') s,
              (SELECT max(created_at) AS latest FROM invitations
               WHERE can_id = $1 AND email IS NOT NULL AND lower(email) = lower($3)
                 AND created_at > now() - interval '1 day') a
         WHERE m.id = $2",
    )
    .bind(can_id)
    .bind(sender)
    .bind(email)
    .fetch_one(conn)
    .await?)
}
