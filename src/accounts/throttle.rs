//! Slows down password guessing without handing anyone a way to lock an owner out.
//!
//! Failed sign-ins are counted per account *and address*: [`PER_ACCOUNT_ADDRESS`] failures from
//! one address lock that address out of that account for the rest of the [`WINDOW`], and
//! [`PER_ADDRESS`] failures from one address lock it out of every account. Across all addresses
//! an account has a higher ceiling, [`PER_ACCOUNT`]: past it, attempts for the account are slowed
//! to one every [`SLOWED_SPACING`] from anywhere rather than refused for the whole window, and its
//! owner is mailed a one-time sign-in link (`super::sign_in_links`).
//!
//! The counts live in PostgreSQL (`crate::rate`), so every instance agrees. An attempt is written
//! down before the password is checked, so parallel guesses cannot slip under a limit; a refused
//! attempt is taken back (it is no failure), and a successful one forgives the failures from its
//! own address.

use std::time::Duration;

use sqlx::{PgConnection, PgPool};

use crate::error::Result;
use crate::rate::{self, Limit, Recorded, Scope};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures for one account from one address before that address is locked out of it.
pub const PER_ACCOUNT_ADDRESS: i64 = 5;
/// Failures from one address, whatever the accounts, before it is locked out of all of them.
pub const PER_ADDRESS: i64 = 20;
/// Failures for one account from anywhere before its sign-ins are slowed down.
pub const PER_ACCOUNT: i64 = 50;
/// Past [`PER_ACCOUNT`], one attempt for the account in this long, from any address: guessing
/// goes on no faster than the ceiling's own pace.
pub const SLOWED_SPACING: Duration = Duration::from_secs(WINDOW.as_secs() / PER_ACCOUNT as u64);

/// The events that stand for one attempt until it proves to be a success.
pub struct Attempt {
    recorded: Recorded,
    pair: String,
}

/// Why an attempt may not go ahead, and how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures from this address (for this account, or for any).
    Locked(Duration),
    /// The account is past its ceiling: attempts from anywhere wait their turn.
    Slowed(Duration),
}

/// What [`begin`] decided.
pub struct Check {
    pub attempt: Result<Attempt, Refusal>,
    /// The account is past its ceiling: someone is trying many passwords for it.
    pub besieged: bool,
}

/// `account` is the address typed (in lower case), `address` the client's.
fn pair_key(account: &str, address: &str) -> String {
    format!("{address} {account}")
}

/// Records an attempt and decides whether it may go ahead.
pub async fn begin(db: &PgPool, account: &str, address: &str) -> Result<Check> {
    let pair = pair_key(account, address);
    let recorded = rate::record(
        db,
        &[
            (Scope::SignInAccount, account),
            (Scope::SignInAccountAddress, &pair),
            (Scope::SignInAddress, address),
        ],
    )
    .await?;
    let limit = |scope, key, max, window| Limit {
        scope,
        key,
        max,
        window,
    };
    let mut locked = None;
    for limit in [
        limit(
            Scope::SignInAccountAddress,
            &pair,
            PER_ACCOUNT_ADDRESS,
            WINDOW,
        ),
        limit(Scope::SignInAddress, address, PER_ADDRESS, WINDOW),
    ] {
        let tally = rate::tally(db, &limit).await?;
        if tally.exceeds(&limit) {
            locked = locked.max(Some(tally.wait));
        }
    }
    let ceiling = limit(Scope::SignInAccount, account, PER_ACCOUNT, WINDOW);
    let besieged = rate::tally(db, &ceiling).await?.exceeds(&ceiling);
    let mut slowed = None;
    if besieged {
        let turn = limit(Scope::SignInAccount, account, 1, SLOWED_SPACING);
        let tally = rate::tally(db, &turn).await?;
        slowed = tally.exceeds(&turn).then_some(tally.wait);
    }
    let refusal = match (locked, slowed) {
        (Some(wait), _) => Some(Refusal::Locked(wait)),
        (None, Some(wait)) => Some(Refusal::Slowed(wait)),
        (None, None) => None,
    };
    let attempt = match refusal {
        Some(refusal) => {
            rate::forget(db, recorded).await?;
            Err(refusal)
        }
        None => Ok(Attempt { recorded, pair }),
    };
    Ok(Check { attempt, besieged })
}

/// A successful sign-in: this attempt was no failure, and the earlier failures from this address
/// for this account are forgiven (those from elsewhere, and this address's for other accounts,
/// are not).
pub async fn succeeded(conn: &mut PgConnection, attempt: Attempt) -> Result<()> {
    rate::forget(&mut *conn, attempt.recorded).await?;
    rate::forget_all(&mut *conn, Scope::SignInAccountAddress, &attempt.pair).await?;
    Ok(())
}
