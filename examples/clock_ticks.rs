//! Times each clock job's tick against a database (a seeded one, for figures at scale):
//! `DATABASE_URL=postgres://canopy@localhost/canopy?host=DIR/pg cargo run --release --example clock_ticks [RUNS]`.
//! The first run of each job does whatever is due; the following runs show what a tick costs when
//! nothing (or little) is due, which is what the clock pays every minute.

use std::time::Instant;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL"); // ok: a measuring tool
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let db = sqlx::PgPool::connect(&url).await.expect("connect"); // ok: a measuring tool
    canopy::MIGRATOR.run(&db).await.expect("migrate"); // ok: a measuring tool
    let ctx = canopy::scheduler::JobContext {
        db,
        base_url: "http://localhost".into(),
    };
    println!(
        "{:<20} {:>12} {:>12}  report of the first run",
        "job", "first ms", "median ms"
    );
    for job in canopy::jobs() {
        let start = Instant::now();
        let report = job.run_once(ctx.clone()).await;
        let first = start.elapsed().as_secs_f64() * 1000.0;
        let mut times = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            job.run_once(ctx.clone()).await.expect("tick"); // ok: a measuring tool
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        println!("{:<20} {first:>12.1} {median:>12.1}  {report:?}", job.name);
    }
}
