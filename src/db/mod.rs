//! The connection pool, migrations, and the embedded cluster used when no `DATABASE_URL` is set.

pub mod backup;
pub mod embedded;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Name of the application database inside the embedded cluster.
pub const EMBEDDED_DATABASE: &str = "canopy";

/// Connections one instance opens at most.
pub const MAX_CONNECTIONS: u32 = 16;

/// How long a request waits for a connection. When the database is down, sqlx keeps retrying
/// the connection (with back-off) until this runs out, then the request answers 503: short, so
/// that nobody stares at a hanging page, and long enough that a busy pool is not mistaken for an
/// outage. PgConnectOptions has no connect timeout of its own; this deadline covers connecting.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// A connection idle longer than this is pinged before it is handed out.
pub const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// The pool's settings, for [`pool`] and for tests that build a pool without connecting.
///
/// sqlx pings every connection before handing it out by default: a round trip per statement on
/// top of the statement's own, which on this machine cost as much CPU as the queries (context
/// switches between the server and PostgreSQL). A connection that answered a moment ago is as
/// good as pinged; one idle for a while may have been cut (a database restart, a proxy's idle
/// timeout), so that one is pinged, and a dead one is dropped for a fresh one. A connection cut
/// while busy fails its statement, which answers 503 like any outage.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for < PING_IF_IDLE_FOR {
                    return Ok(true);
                }
                Ok(conn.ping().await.is_ok())
            })
        })
}

pub async fn pool(options: PgConnectOptions) -> Result<PgPool, sqlx::Error> {
    pool_options().connect_with(options).await
}

/// Creates `database` on the server behind `admin` if it does not exist yet.
pub async fn ensure_database(admin: PgConnectOptions, database: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect_with(&admin.database("postgres")).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(database)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        // Identifiers cannot be bound as parameters; the name is ours, quote it anyway.
        let quoted = database.replace('"', "\"\"");
        sqlx::query(&format!(r#"CREATE DATABASE "{quoted}""#))
            .execute(&mut conn)
            .await?;
    }
    conn.close().await
}

/// An IANA time-zone name as stored in a text column. Rows decode it straight into a
/// `chrono_tz::Tz` (`#[sqlx(try_from = "ZoneName")]`), so a zone is parsed once, where it is
/// loaded, and a name we cannot read is an error rather than a silent fall back to UTC.
#[derive(Debug, Clone, sqlx::Type)]
#[sqlx(transparent)]
pub struct ZoneName(pub String);

impl TryFrom<ZoneName> for chrono_tz::Tz {
    type Error = String;

    fn try_from(name: ZoneName) -> Result<Self, Self::Error> {
        name.0
            .parse()
            .map_err(|_| format!("unknown time zone {:?} in the database", name.0))
    }
}
