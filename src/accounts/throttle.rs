//! Slows down password guessing: after too many failed sign-ins for one account or from one
//! address within a window, further attempts are refused until the window has moved on. Kept in
//! PostgreSQL so that every app instance sees the same counts.
//!
//! An attempt is written down *before* the password is checked and counted with the others, so
//! parallel guesses cannot all slip under the limit; a successful attempt is erased again.

use std::time::Duration;

use sqlx::{PgExecutor, PgPool};

use crate::error::Result;

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const PER_ACCOUNT: i64 = 5;
pub const PER_ADDRESS: i64 = 20;

/// The rows that stand for one attempt until it proves to be a success.
pub struct Attempt {
    ids: Vec<i64>,
}

/// Records an attempt and decides whether it may go ahead: `Err(wait)` when the limit is
/// already reached (the refused attempt is not counted as a failure).
pub async fn begin(db: &PgPool, account: &str, address: &str) -> Result<Result<Attempt, Duration>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO sign_in_failures (scope, key) VALUES ('account', $1), ('address', $2) RETURNING id",
    )
    .bind(account)
    .bind(address)
    .fetch_all(db)
    .await?;
    let attempt = Attempt { ids };
    // Counting includes this attempt and every concurrent one.
    let rows: Vec<(String, i64, f64)> = sqlx::query_as(
        "SELECT scope, count(*),
                extract(epoch FROM min(failed_at) + make_interval(secs => $3) - now())::float8
         FROM sign_in_failures
         WHERE failed_at > now() - make_interval(secs => $3)
           AND ((scope = 'account' AND key = $1) OR (scope = 'address' AND key = $2))
         GROUP BY scope",
    )
    .bind(account)
    .bind(address)
    .bind(WINDOW.as_secs() as f64)
    .fetch_all(db)
    .await?;
    let wait = rows
        .into_iter()
        .filter(|(scope, count, _)| match scope.as_str() {
            "account" => *count > PER_ACCOUNT,
            _ => *count > PER_ADDRESS,
        })
        .map(|(_, _, wait)| Duration::from_secs_f64(wait.max(1.0)))
        .max();
    match wait {
        Some(wait) => {
            forget(db, &attempt).await?;
            Ok(Err(wait))
        }
        None => Ok(Ok(attempt)),
    }
}

async fn forget(db: impl PgExecutor<'_>, attempt: &Attempt) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE id = ANY($1)")
        .bind(&attempt.ids)
        .execute(db)
        .await?;
    Ok(())
}

/// A successful sign-in: this attempt was no failure, and the account's earlier failures are
/// forgiven (the address's are not).
pub async fn succeeded(db: impl PgExecutor<'_>, account: &str, attempt: Attempt) -> Result<()> {
    sqlx::query(
        "DELETE FROM sign_in_failures WHERE id = ANY($1) OR (scope = 'account' AND key = $2)",
    )
    .bind(&attempt.ids)
    .bind(account)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn purge_old(db: impl PgExecutor<'_>) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM sign_in_failures WHERE failed_at < now() - make_interval(secs => $1)",
    )
    .bind(WINDOW.as_secs() as f64)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
