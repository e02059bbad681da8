//! Signing up, in and out, and changing one's password: each ends the browser's session and
//! starts a new one (so a session id never survives a change of who is signed in), in one
//! transaction with the change itself. Sign-ups and failed sign-ins are limited (`crate::rate`,
//! `super::throttle`).

use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use super::forms::{Credentials, NewMember};
use super::throttle::{self, Refusal};
use super::{password, queries, sign_in_links};
use crate::config::SignUpLimits;
use crate::error::Result;
use crate::rate::{self, Limit, Scope};
use crate::web::session::{self, Flash, FlashKind, NewSession};

/// What signing up came to.
pub enum SignUp {
    /// The account is made and this browser signed in to it.
    Welcome(NewSession),
    /// An account has this address already (perhaps made a moment ago by a racing sign-up).
    EmailTaken,
    /// Too many accounts were made lately: from this client's address (`from_here`), or from
    /// anywhere.
    TooMany { wait: Duration, from_here: bool },
}

/// Makes the account and signs it in. Every account costs an Argon2 hash, so accounts are limited
/// per client address and in all (`config::SignUpLimits`), counted before hashing; a taken
/// address is answered before either, as it costs nothing.
pub async fn sign_up(
    db: &PgPool,
    member: &NewMember,
    limits: &SignUpLimits,
    address: &str,
    old_session: Uuid,
) -> Result<SignUp> {
    if queries::email_taken(db, &member.email).await? {
        return Ok(SignUp::EmailTaken);
    }
    let counted = [
        Limit {
            scope: Scope::SignUpAddress,
            key: address,
            max: limits.per_address_per_hour,
            window: Duration::from_secs(3600),
        },
        Limit {
            scope: Scope::SignUp,
            key: "",
            max: limits.per_minute,
            window: Duration::from_secs(60),
        },
    ];
    if let Err(exceeded) = rate::admit(db, &counted).await? {
        let from_here = exceeded.scope == Scope::SignUpAddress;
        let wait = exceeded.wait;
        tracing::warn!(address, from_here, "sign-up refused: too many lately");
        return Ok(SignUp::TooMany { wait, from_here });
    }
    let password_hash = password::hash(member.password.expose()).await?;
    let mut tx = db.begin().await?;
    let Some(member_id) = queries::insert_member(&mut *tx, member, &password_hash).await? else {
        return Ok(SignUp::EmailTaken);
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
    Ok(SignUp::Welcome(new_session))
}

/// The member these credentials are for, if the password matches. An unknown address costs the
/// same work as a wrong password, so timing tells nothing.
async fn check_password(db: &PgPool, credentials: &Credentials) -> Result<Option<Uuid>> {
    let found = queries::credentials(db, &credentials.email).await?;
    let (member_id, stored) = found.unzip();
    let matches = password::verify(&credentials.password, stored).await?;
    Ok(member_id.filter(|_| matches))
}

/// What a sign-in came to.
pub enum SignIn {
    /// Signed in, in a new session.
    Welcome(NewSession),
    /// No account has this address and password (the same answer for either half wrong).
    NoMatch,
    /// Not checked at all: too many failures lately (`throttle`).
    Refused(Refusal),
}

/// Checks the credentials under the throttle and signs the member in. The attempt is recorded
/// (and committed) before the password is checked, so that parallel guesses see each other;
/// it stays recorded as a failure unless the password matches. When the account is past its
/// ceiling, its owner is mailed a one-time sign-in link.
pub async fn sign_in(
    db: &PgPool,
    credentials: &Credentials,
    address: &str,
    old_session: Uuid,
    public_url: &str,
) -> Result<SignIn> {
    let account = credentials.email.throttle_key();
    let check = throttle::begin(db, &account, address).await?;
    if check.besieged {
        sign_in_links::warn_owner(db, &account, public_url).await?;
    }
    let attempt = match check.attempt {
        Ok(attempt) => attempt,
        Err(refusal) => return Ok(SignIn::Refused(refusal)),
    };
    let Some(member_id) = check_password(db, credentials).await? else {
        return Ok(SignIn::NoMatch);
    };
    let mut tx = db.begin().await?;
    throttle::succeeded(&mut tx, attempt).await?;
    session::delete(&mut *tx, old_session).await?;
    let new_session = session::create(&mut *tx, Some(member_id), None).await?;
    tx.commit().await?;
    Ok(SignIn::Welcome(new_session))
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

/// Stores the new password. In case the old one was known to someone, it also ends every other
/// session and every reset or sign-in link still outstanding; this browser gets a new session
/// id too.
pub async fn change_password(
    db: &PgPool,
    member_id: Uuid,
    password_hash: &str,
    this_session: Uuid,
) -> Result<NewSession> {
    let mut tx = db.begin().await?;
    queries::set_password_hash(&mut *tx, member_id, password_hash).await?;
    queries::use_resets(&mut tx, member_id).await?;
    queries::void_sign_in_links(&mut tx, member_id).await?;
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
