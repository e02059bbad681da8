//! What keeps the generator away from real data: it refuses a database that holds members who
//! are not seeded ones unless that database is named on the command line, and it refuses to put a
//! second seed on top of a first.

use sqlx::PgPool;

use super::{EMAIL_DOMAIN, SeedError};

/// Checks the database before anything is written; returns its name.
pub(super) async fn check(db: &PgPool, force_database: Option<&str>) -> Result<String, SeedError> {
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(db)
        .await?;
    let real: i64 =
        sqlx::query_scalar("SELECT count(*) FROM members WHERE lower(email) NOT LIKE $1")
            .bind(format!("%@{EMAIL_DOMAIN}"))
            .fetch_one(db)
            .await?;
    if real > 0 && force_database != Some(database.as_str()) {
        return Err(SeedError::Refused(format!(
            "the database \"{database}\" holds {real} member{} who {} not seeded: it looks like \
             real data, and the seed would add made-up people and groups beside them. Seed a fresh \
             database instead (CANOPY_DATA_DIR or DATABASE_URL), or, if you are sure, name this one: \
             --force-database {database}",
            if real == 1 { "" } else { "s" },
            if real == 1 { "is" } else { "are" },
        )));
    }
    let seeded: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM cans WHERE slug ~ '^seed-[0-9]+$')
              + (SELECT count(*) FROM members WHERE lower(email) LIKE $1)",
    )
    .bind(format!("%@{EMAIL_DOMAIN}"))
    .fetch_one(db)
    .await?;
    if seeded > 0 {
        return Err(SeedError::Refused(format!(
            "the database \"{database}\" already holds a seed (CANs named seed-N or members \
             @{EMAIL_DOMAIN}); the generator does not add a second one on top. Seed a fresh \
             database, or drop this one and seed again"
        )));
    }
    Ok(database)
}
