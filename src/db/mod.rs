//! The connection pool, migrations, and the embedded cluster used when no `DATABASE_URL` is set.

pub mod backup;
pub mod embedded;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Name of the application database inside the embedded cluster.
pub const EMBEDDED_DATABASE: &str = "canopy";

pub async fn pool(options: PgConnectOptions) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
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
