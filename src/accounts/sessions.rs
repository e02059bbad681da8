//! Signing up, in and out, and changing one's password: each ends the browser's session and
//! starts a new one (so a session id never survives a change of who is signed in), in one
//! transaction with the change itself.

use sqlx::PgPool;
use uuid::Uuid;

use super::forms::{Credentials, NewMember};
use super::{password, queries, throttle};
use crate::error::Result;
use crate::web::session::{self, Flash, FlashKind, NewSession};

/// Makes the account and signs it in; `None` when the address is taken (by a racing sign-up).
pub async fn sign_up(
    db: &PgPool,
    member: &NewMember,
    password_hash: &str,
    old_session: Uuid,
) -> Result<Option<NewSession>> {
    let mut tx = db.begin().await?;
    let Some(member_id) = queries::insert_member(&mut *tx, member, password_hash).await? else {
        return Ok(None);
    };
    // Signing in starts a new session: the anonymous one (and its token) is discarded.
    session::delete(&mut *tx, old_session).await?;
    let welcome = Flash {
        kind: FlashKind::Success,
        text: format!("Welcome to Canopy, {}.", member.display_name),
    };
    let new_session = session::create(&mut *tx, Some(member_id), Some(welcome)).await?;
    tx.commit().await?;
    tracing::info!(%member_id, "member signed up");
    Ok(Some(new_session))
}

/// The member these credentials are for, if the password matches. An unknown address costs the
/// same work as a wrong password, so timing tells nothing.
pub async fn check_password(db: &PgPool, credentials: &Credentials) -> Result<Option<Uuid>> {
    let found = queries::credentials(db, &credentials.email).await?;
    let (member_id, stored) = found.unzip();
    let matches = password::verify(&credentials.password, stored).await?;
    Ok(member_id.filter(|_| matches))
}

/// Signs in the member whose credentials matched, clearing the account's failed attempts.
pub async fn sign_in(
    db: &PgPool,
    account: &str,
    attempt: throttle::Attempt,
    member_id: Uuid,
    old_session: Uuid,
) -> Result<NewSession> {
    let mut tx = db.begin().await?;
    throttle::succeeded(&mut *tx, account, attempt).await?;
    session::delete(&mut *tx, old_session).await?;
    let new_session = session::create(&mut *tx, Some(member_id), None).await?;
    tx.commit().await?;
    Ok(new_session)
}

/// Ends the session; a fresh anonymous one carries the goodbye and the next page's CSRF token.
pub async fn sign_out(db: &PgPool, old_session: Uuid) -> Result<NewSession> {
    let mut tx = db.begin().await?;
    session::delete(&mut *tx, old_session).await?;
    let goodbye = Flash {
        kind: FlashKind::Info,
        text: "You have signed out.".into(),
    };
    let new_session = session::create(&mut *tx, None, Some(goodbye)).await?;
    tx.commit().await?;
    Ok(new_session)
}

/// Stores the new password. It also ends every other session, in case the old one was known to
/// someone; this browser gets a new session id too.
pub async fn change_password(
    db: &PgPool,
    member_id: Uuid,
    password_hash: &str,
    this_session: Uuid,
) -> Result<NewSession> {
    let mut tx = db.begin().await?;
    queries::set_password_hash(&mut *tx, member_id, password_hash).await?;
    session::delete(&mut *tx, this_session).await?;
    let ended = session::delete_others(&mut *tx, member_id, this_session).await?;
    let text = match ended {
        0 => "Your password is changed.".to_string(),
        1 => "Your password is changed, and your other signed-in browser was signed out.".into(),
        n => format!(
            "Your password is changed, and your {n} other signed-in browsers were signed out."
        ),
    };
    let flash = Flash {
        kind: FlashKind::Success,
        text,
    };
    let new_session = session::create(&mut *tx, Some(member_id), Some(flash)).await?;
    tx.commit().await?;
    Ok(new_session)
}
