//! Slows down password guessing: after too many failed sign-ins for one account or from one
//! address within a window, further attempts are refused until the window has moved on. Kept in
//! PostgreSQL so that every app instance sees the same counts.

use std::time::Duration;

use sqlx::{PgExecutor, PgPool};

use crate::error::Result;

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const PER_ACCOUNT: i64 = 5;
pub const PER_ADDRESS: i64 = 20;

/// How long the caller must wait before trying again, if they must.
pub async fn wait_needed(db: &PgPool, account: &str, address: &str) -> Result<Option<Duration>> {
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
    Ok(rows
        .into_iter()
        .filter(|(scope, count, _)| match scope.as_str() {
            "account" => *count >= PER_ACCOUNT,
            _ => *count >= PER_ADDRESS,
        })
        .map(|(_, _, wait)| Duration::from_secs_f64(wait.max(1.0)))
        .max())
}

pub async fn record_failure(db: &PgPool, account: &str, address: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_failures (scope, key) VALUES ('account', $1), ('address', $2)",
    )
    .bind(account)
    .bind(address)
    .execute(db)
    .await?;
    Ok(())
}

/// A successful sign-in forgives the account's earlier failures (not the address's).
pub async fn forgive_account(db: impl PgExecutor<'_>, account: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE scope = 'account' AND key = $1")
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
