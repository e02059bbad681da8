//! Rate limits counted in PostgreSQL (the `rate_events` table), so that every app instance sees
//! the same counts and instances stay stateless.
//!
//! An event is written down *before* the work it stands for and then counted with every other
//! event in its window, so parallel requests see each other and cannot all slip under a limit.
//! A refused request takes its events back ([`forget`]): being refused costs nothing and counts
//! for nothing.

use std::time::Duration;

use sqlx::{PgExecutor, PgPool};

use crate::error::Result;

/// What is counted; the text values are the `rate_events_scope` CHECK constraint's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Scope {
    /// A failed sign-in for an account (keyed by its address in lower case), from anywhere.
    SignInAccount,
    /// A failed sign-in for an account from one client address.
    SignInAccountAddress,
    /// A failed sign-in from one client address, for any account.
    SignInAddress,
    /// An account made from one client address.
    SignUpAddress,
    /// An account made, from anywhere (one key for all).
    SignUp,
    /// A visitor's "I'll come" to an open meeting, from one client address.
    GuestAddress,
    /// A visitor's "I'll come", for one email address (in lower case).
    GuestEmail,
    /// A visitor's "I'll come" to any of one CAN's meetings (keyed by the CAN's id), from anywhere.
    GuestCan,
}

/// No limit looks further back than this; older events are purged.
pub const LONGEST_WINDOW: Duration = Duration::from_secs(3600);

/// At most `max` events of `scope` for `key` within `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit<'a> {
    pub scope: Scope,
    pub key: &'a str,
    pub max: i64,
    pub window: Duration,
}

/// How a limit stands, counting the events just recorded.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    pub count: i64,
    /// How long until the oldest counted event leaves the window (at least a second).
    pub wait: Duration,
}

impl Tally {
    pub fn exceeds(&self, limit: &Limit<'_>) -> bool {
        self.count > limit.max
    }
}

/// Events written down, standing for one request until it is refused or proves harmless.
#[derive(Debug)]
pub struct Recorded {
    ids: Vec<i64>,
}

/// Writes one event now for each (scope, key).
pub async fn record(db: impl PgExecutor<'_>, events: &[(Scope, &str)]) -> Result<Recorded> {
    let (scopes, keys): (Vec<Scope>, Vec<&str>) = events.iter().copied().unzip();
    let scopes: Vec<String> = scopes.iter().map(|s| s.as_str().to_string()).collect();
    let ids = sqlx::query_scalar(
        "INSERT INTO rate_events (scope, key)
         SELECT * FROM unnest($1::text[], $2::text[])
         RETURNING id",
    )
    .bind(scopes)
    .bind(keys)
    .fetch_all(db)
    .await?;
    Ok(Recorded { ids })
}

/// Counts the events of `limit`'s scope and key within its window (concurrent ones included).
pub async fn tally(db: impl PgExecutor<'_>, limit: &Limit<'_>) -> Result<Tally> {
    debug_assert!(
        limit.window <= LONGEST_WINDOW,
        "{limit:?} outlives the purge"
    );
    let (count, wait): (i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*),
                extract(epoch FROM min(at) + make_interval(secs => $3) - now())::float8
         FROM rate_events
         WHERE scope = $1 AND key = $2 AND at > now() - make_interval(secs => $3)",
    )
    .bind(limit.scope)
    .bind(limit.key)
    .bind(limit.window.as_secs_f64())
    .fetch_one(db)
    .await?;
    Ok(Tally {
        count,
        wait: Duration::from_secs_f64(wait.unwrap_or(1.0).max(1.0).ceil()),
    })
}

/// A limit a request went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub scope: Scope,
    /// How long until the limit has room again.
    pub wait: Duration,
}

/// Records one event for each limit's (scope, key) and checks them all. When any is exceeded the
/// events are taken back and the answer is the exceeded limit with the longest wait.
pub async fn admit(db: &PgPool, limits: &[Limit<'_>]) -> Result<Result<Recorded, Exceeded>> {
    let mut events: Vec<(Scope, &str)> = Vec::new();
    for event in limits.iter().map(|l| (l.scope, l.key)) {
        if !events.contains(&event) {
            events.push(event);
        }
    }
    let recorded = record(db, &events).await?;
    let mut worst: Option<Exceeded> = None;
    for limit in limits {
        let tally = tally(db, limit).await?;
        if tally.exceeds(limit) && worst.is_none_or(|w| w.wait < tally.wait) {
            worst = Some(Exceeded {
                scope: limit.scope,
                wait: tally.wait,
            });
        }
    }
    match worst {
        Some(exceeded) => {
            forget(db, recorded).await?;
            Ok(Err(exceeded))
        }
        None => Ok(Ok(recorded)),
    }
}

/// Takes the events back: the request they stood for was refused or was harmless.
pub async fn forget(db: impl PgExecutor<'_>, recorded: Recorded) -> Result<()> {
    sqlx::query("DELETE FROM rate_events WHERE id = ANY($1)")
        .bind(&recorded.ids)
        .execute(db)
        .await?;
    Ok(())
}

/// Takes back every event of `scope` for `key` (e.g. a successful sign-in forgives the failures
/// from its own address).
pub async fn forget_all(db: impl PgExecutor<'_>, scope: Scope, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM rate_events WHERE scope = $1 AND key = $2")
        .bind(scope)
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes events no limit counts any more; any instance may run it at any time.
pub async fn purge_old(db: impl PgExecutor<'_>) -> Result<u64> {
    let done = sqlx::query("DELETE FROM rate_events WHERE at < now() - make_interval(secs => $1)")
        .bind(LONGEST_WINDOW.as_secs_f64())
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignInAccount => "sign_in_account",
            Self::SignInAccountAddress => "sign_in_account_address",
            Self::SignInAddress => "sign_in_address",
            Self::SignUpAddress => "sign_up_address",
            Self::SignUp => "sign_up",
            Self::GuestAddress => "guest_address",
            Self::GuestEmail => "guest_email",
            Self::GuestCan => "guest_can",
        }
    }
}
