//! "Forgot your password?": a single-use link, valid for an hour, mailed through the outbox. The
//! answer to the request never says whether an account exists, and at most three links go to one
//! account per hour. Using a link sets the new password and signs out every other browser.

use sqlx::PgPool;
use uuid::Uuid;

use super::forms::{Email, Password};
use super::{mail, password, queries};
use crate::error::Result;
use crate::outbox::{self, MailText};
use crate::web::session::{self, Flash, FlashKind, NewSession};
use crate::web::token;

pub const LINKS_PER_HOUR: i64 = 3;

/// Mails a reset link to the account with this address, if there is one and it has not had
/// [`LINKS_PER_HOUR`] links in the last hour. Says nothing either way.
pub async fn request_link(db: &PgPool, email: &Email, public_url: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    if let Some(member) = queries::reset_candidate(&mut tx, email).await?
        && member.recent_links < LINKS_PER_HOUR
    {
        let secret = token::random();
        let id = Uuid::now_v7();
        queries::insert_reset(&mut tx, id, member.id, &token::hash(&secret)).await?;
        let link = format!("{public_url}/account/reset/{secret}");
        let words = mail::PasswordReset {
            name: &member.display_name,
            link: &link,
        };
        let key = format!("password-reset:{id}");
        outbox::enqueue(&mut *tx, &words.to(email.as_str(), None, Some(key))?).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether the link can still be used.
pub async fn usable(db: &PgPool, secret: &str) -> Result<bool> {
    let mut conn = db.acquire().await?;
    Ok(
        queries::usable_reset(&mut conn, &token::hash(secret), false)
            .await?
            .is_some(),
    )
}

/// Sets the new password through the link, ends every link (reset and sign-in) and every
/// session of the member (this browser's too), and signs this browser in afresh. `None` when the link cannot be used.
pub async fn use_link(
    db: &PgPool,
    secret: &str,
    new: &Password,
    this_session: Uuid,
) -> Result<Option<NewSession>> {
    let mut tx = db.begin().await?;
    let Some((_, member_id)) = queries::usable_reset(&mut tx, &token::hash(secret), true).await?
    else {
        return Ok(None);
    };
    let hash = password::hash(new.expose()).await?;
    queries::set_password_hash(&mut *tx, member_id, &hash).await?;
    queries::use_resets(&mut tx, member_id).await?;
    queries::void_sign_in_links(&mut tx, member_id).await?;
    // Every signed-in browser is signed out.
    session::delete(&mut *tx, this_session).await?;
    session::delete_others(&mut *tx, member_id, this_session).await?;
    let flash = Flash {
        kind: FlashKind::Success,
        text: "Your new password is set, and any other browsers were signed out.".into(),
    };
    let fresh = session::create(&mut *tx, Some(member_id), Some(flash)).await?;
    tx.commit().await?;
    Ok(Some(fresh))
}
