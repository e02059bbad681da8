//! Times each clock job's tick against a database (a seeded one, for figures at scale):
//! `DATABASE_URL=postgres://canopy@localhost/canopy?host=DIR/pg cargo run --release --example clock_ticks [RUNS]`.
//! The first run of each job does whatever is due; the following runs show what a tick costs when
//! nothing (or little) is due, which is what the clock pays every minute. With pg_stat_statements
//! loaded in the cluster, it also prints the database's own time and statements per tick.

use std::time::Instant;

use sqlx::PgPool;

/// Total execution time (ms) and calls of every statement so far, when pg_stat_statements is
/// there to ask.
async fn statements(db: &PgPool) -> Option<(f64, i64)> {
    sqlx::query_as(
        "SELECT COALESCE(sum(total_exec_time), 0)::float8, COALESCE(sum(calls), 0)::int8
         FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'",
    )
    .fetch_one(db)
    .await
    .ok()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL"); // ok: a measuring tool
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let db = PgPool::connect(&url).await.expect("connect"); // ok: a measuring tool
    canopy::MIGRATOR.run(&db).await.expect("migrate"); // ok: a measuring tool
    let _ = sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&db)
        .await;
    let ctx = canopy::scheduler::JobContext {
        db: db.clone(),
        base_url: "http://localhost".into(),
    };
    println!(
        "{:<18} {:>10} {:>10} {:>10} {:>8}  report of the first run",
        "job", "first ms", "median ms", "db ms", "stmts"
    );
    for job in canopy::jobs() {
        let start = Instant::now();
        let report = job.run_once(ctx.clone()).await;
        let first = start.elapsed().as_secs_f64() * 1000.0;
        let before = statements(&db).await;
        let mut times = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            job.run_once(ctx.clone()).await.expect("tick"); // ok: a measuring tool
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        let after = statements(&db).await;
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        let (db_ms, stmts) = match (before, after) {
            (Some((t0, c0)), Some((t1, c1))) => (
                format!("{:.2}", (t1 - t0) / runs as f64),
                format!("{:.1}", (c1 - c0) as f64 / runs as f64),
            ),
            _ => ("-".into(), "-".into()),
        };
        println!(
            "{:<18} {first:>10.1} {median:>10.1} {db_ms:>10} {stmts:>8}  {report:?}",
            job.name
        );
    }
}
