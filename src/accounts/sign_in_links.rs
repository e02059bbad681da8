//! One-time sign-in links: when many wrong passwords are tried for an account (its ceiling in
//! `super::throttle`), its owner is mailed a link that signs them in without the password while
//! sign-ins are slowed down. At most one such mail per account per throttle window (15 minutes,
//! sliding); each link
//! works once, for [`VALID_FOR`], and is stored only as a hash of its token. Using one, or
//! changing the password, ends every other.

use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use super::{mail, queries, throttle};
use crate::error::Result;
use crate::outbox::{self, MailText};
use crate::web::session::{self, Flash, FlashKind, NewSession};
use crate::web::token;

pub const VALID_FOR: Duration = Duration::from_secs(15 * 60);

/// Mails the owner of `account` (the address typed, if an account has it) a sign-in link,
/// unless they were sent one within the throttle's window. Says nothing either way.
pub async fn warn_owner(db: &PgPool, account: &str, public_url: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    // Counted after the owner's row is locked, so parallel attempts decide one at a time.
    let Some(owner) = queries::lock_account_owner(&mut tx, account).await? else {
        return Ok(());
    };
    if queries::sign_in_link_made_within(&mut tx, owner.id, throttle::WINDOW).await? {
        return Ok(());
    }
    let secret = token::random();
    let id =
        queries::insert_sign_in_link(&mut tx, owner.id, &token::hash(&secret), VALID_FOR).await?;
    let link = format!("{public_url}/account/sign-in-link/{secret}");
    let words = mail::SignInLink {
        name: &owner.display_name,
        link: &link,
        minutes: VALID_FOR.as_secs() / 60,
    };
    let key = format!("sign-in-link:{id}");
    outbox::enqueue(&mut *tx, &words.to(&owner.email, None, Some(key))?).await?;
    tx.commit().await?;
    tracing::warn!(member_id = %owner.id, "many wrong passwords tried; the owner is mailed a sign-in link");
    Ok(())
}

/// Whether the link can still be used.
pub async fn usable(db: &PgPool, secret: &str) -> Result<bool> {
    let mut conn = db.acquire().await?;
    let found = queries::usable_sign_in_link(&mut conn, &token::hash(secret), false).await?;
    Ok(found.is_some())
}

/// Signs this browser in as the link's owner (in a new session) and ends the link and every
/// other of theirs. `None` when the link cannot be used.
pub async fn use_link(db: &PgPool, secret: &str, this_session: Uuid) -> Result<Option<NewSession>> {
    let mut tx = db.begin().await?;
    let Some(member_id) = queries::usable_sign_in_link(&mut tx, &token::hash(secret), true).await?
    else {
        return Ok(None);
    };
    queries::void_sign_in_links(&mut tx, member_id).await?;
    session::delete(&mut *tx, this_session).await?;
    let flash = Flash {
        kind: FlashKind::Success,
        text: "You are signed in. Many wrong passwords were tried for your account: if yours is \
               short or you use it anywhere else, choose a new one now."
            .into(),
    };
    let fresh = session::create(&mut *tx, Some(member_id), Some(flash)).await?;
    tx.commit().await?;
    tracing::info!(%member_id, "signed in through a one-time sign-in link");
    Ok(Some(fresh))
}
