//! Sample data in the product: `canopy seed` fills a database with realistic groups — members
//! joining, pausing and leaving, roles granted and handed on, hopes, vision versions adopted by
//! consent, weekly meetings with attendance and people drifting away, responsibilities with
//! carriers, backups and hand-offs, check-ins and stage moves — so that pages can be tried and
//! benchmarked at 100 or 10,000 CANs, or explored by a newcomer (`--demo`).
//!
//! The data is made by set-based SQL (`sql/*.sql`, see [`steps`]), a chunk of CANs per
//! transaction, on a couple of connections at once; choices come from hashes of the CAN's number,
//! the member's slot and the week, so the same options give the same groups. Every seeded member
//! shares one password, hashed once.

mod safety;
mod steps;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::{Executor, PgPool};

/// Every seeded member's address ends with this; nothing else in a database does.
pub const EMAIL_DOMAIN: &str = "seed.canopy.test";
/// The password of every seeded member.
pub const PASSWORD: &str = "canopy-seed-garden";

/// What to make. `demo` overrides the sizes with one small, lively CAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedOptions {
    pub cans: u32,
    pub members: u32,
    pub weeks: u32,
    pub demo: bool,
    /// Seed even though the database holds members that are not seeded ones, if this names it.
    pub force_database: Option<String>,
    /// CANs per transaction (at most).
    pub chunk: u32,
    /// Connections seeding at once.
    pub workers: u32,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self {
            cans: 100,
            members: 20,
            weeks: 26,
            demo: false,
            force_database: None,
            chunk: 100,
            workers: 2,
        }
    }
}

/// The demo: one CAN of twelve with eight weeks behind it.
const DEMO: (u32, u32, u32) = (1, 12, 8);

impl SeedOptions {
    /// Reads `--cans N --members M --weeks W --demo --force-database NAME` (what follows `seed`).
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let mut opts = Self::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) => (f, Some(v.to_string())),
                None => (arg.as_str(), None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| it.next().cloned())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            let number = |name: &str, v: String| {
                v.replace('_', "")
                    .parse::<u32>()
                    .map_err(|_| format!("{name} takes a whole number, not {v:?}"))
            };
            match flag {
                "--cans" => opts.cans = number(flag, value(flag)?)?,
                "--members" => opts.members = number(flag, value(flag)?)?,
                "--weeks" => opts.weeks = number(flag, value(flag)?)?,
                "--force-database" => opts.force_database = Some(value(flag)?),
                "--demo" if inline.is_none() => opts.demo = true,
                _ => return Err(format!("unknown option {arg:?} for seed")),
            }
        }
        opts.validate()?;
        Ok(opts)
    }

    /// (CANs, members per CAN, weeks of history) that will be made.
    pub fn sizes(&self) -> (u32, u32, u32) {
        if self.demo {
            DEMO
        } else {
            (self.cans, self.members, self.weeks)
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        let (cans, members, weeks) = self.sizes();
        if !(1..=100_000).contains(&cans) {
            return Err(format!("--cans must be 1 to 100000, not {cans}"));
        }
        // Eight people make the core a group needs: two organisers, facilitators, coordinators.
        if !(8..=200).contains(&members) {
            return Err(format!("--members must be 8 to 200, not {members}"));
        }
        // Four weeks give a group its vision, a few meetings and a move on.
        if !(4..=260).contains(&weeks) {
            return Err(format!("--weeks must be 4 to 260, not {weeks}"));
        }
        if self.chunk == 0 || self.workers == 0 {
            return Err("chunk and workers must be at least 1".into());
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("{0}")]
    Invalid(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("seed step {step} failed: {source}")]
    Step { step: String, source: sqlx::Error },
    #[error("{0}")]
    Internal(String),
}

/// One account to sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub role: &'static str,
    pub email: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct SeedReport {
    pub database: String,
    pub cans: u32,
    pub members: u32,
    pub weeks: u32,
    /// Rows added, per table.
    pub rows: BTreeMap<&'static str, u64>,
    pub elapsed: Duration,
    /// CAN #1's page, e.g. `/c/seed-1`.
    pub can_path: String,
    /// An organiser, a facilitator, a coordinator and a plain member of CAN #1.
    pub accounts: Vec<Account>,
    pub password: &'static str,
}

impl SeedReport {
    pub fn total_rows(&self) -> u64 {
        self.rows.values().sum()
    }

    pub fn account(&self, role: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.role == role)
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        writeln!(
            f,
            "Seeded {} CAN{} × {} members × {} weeks into the database \"{}\" in {secs:.1} s \
             ({:.0} rows/s).",
            self.cans,
            if self.cans == 1 { "" } else { "s" },
            self.members,
            self.weeks,
            self.database,
            self.total_rows() as f64 / secs.max(0.001),
        )?;
        writeln!(f, "\nRows added:")?;
        for (table, n) in &self.rows {
            writeln!(f, "  {table:<24} {n:>10}")?;
        }
        writeln!(f, "  {:<24} {:>10}", "total", self.total_rows())?;
        writeln!(
            f,
            "\nSign in at /sign-in with any of these (every seeded member's password is {}), \
             then open {}:",
            self.password, self.can_path
        )?;
        for a in &self.accounts {
            writeln!(f, "  {:<12} {:<34} {}", a.role, a.email, a.name)?;
        }
        Ok(())
    }
}

/// Seeds `db` (already migrated). Refuses, before writing anything, a database holding real
/// members (unless `force_database` names it) or an earlier seed.
pub async fn run(db: &PgPool, opts: &SeedOptions) -> Result<SeedReport, SeedError> {
    opts.validate().map_err(SeedError::Invalid)?;
    let started = Instant::now();
    let database = safety::check(db, opts.force_database.as_deref()).await?;
    let (cans, members, weeks) = opts.sizes();
    let hash = crate::accounts::password::hash(PASSWORD)
        .await
        .map_err(|e| SeedError::Internal(format!("hashing the seed password: {e}")))?;
    // One clock for the whole run, the database's, which pages compare against too.
    let t0: DateTime<Utc> = sqlx::query_scalar("SELECT now()").fetch_one(db).await?;
    // Small seeds are split too, so that every connection has a share; a chunk is a multiple of
    // three CANs, as every third CAN shares a member with the one before it (in the same chunk).
    let chunk = opts.chunk.min(cans.div_ceil(opts.workers)).div_ceil(3) * 3;
    let chunks = cans.div_ceil(chunk);
    let job = Arc::new(Job {
        db: db.clone(),
        cans,
        members,
        weeks,
        t0,
        hash,
        chunk,
        next: AtomicU32::new(0),
        done: AtomicU32::new(0),
        failed: AtomicBool::new(false),
    });
    let workers: Vec<_> = (0..opts.workers.min(chunks))
        .map(|_| tokio::spawn(work(Arc::clone(&job))))
        .collect();
    let mut rows: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut first_error = None;
    for worker in workers {
        match worker.await {
            Ok(Ok(counts)) => {
                for (table, n) in counts {
                    *rows.entry(table).or_default() += n;
                }
            }
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(SeedError::Internal(format!("a seeding task died: {e}")));
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    // Fresh statistics, as a live database has them: without them the planner guesses that these
    // million-row tables are empty, and the first minutes of a benchmark measure bad plans.
    sqlx::query("ANALYZE").execute(db).await?;
    Ok(SeedReport {
        database,
        cans,
        members,
        weeks,
        rows,
        elapsed: started.elapsed(),
        can_path: "/c/seed-1".into(),
        accounts: accounts(db).await?,
        password: PASSWORD,
    })
}

/// What every worker shares: the plan, and which chunk comes next.
struct Job {
    db: PgPool,
    cans: u32,
    members: u32,
    weeks: u32,
    t0: DateTime<Utc>,
    hash: String,
    chunk: u32,
    next: AtomicU32,
    done: AtomicU32,
    failed: AtomicBool,
}

/// Takes chunks until there are none left (or another worker failed); returns its row counts.
async fn work(job: Arc<Job>) -> Result<Vec<(&'static str, u64)>, SeedError> {
    let mut counts = Vec::new();
    loop {
        let first = job.next.fetch_add(job.chunk, Ordering::SeqCst) + 1;
        if first > job.cans || job.failed.load(Ordering::SeqCst) {
            return Ok(counts);
        }
        let last = (first + job.chunk - 1).min(job.cans);
        match seed_chunk(&job, first, last).await {
            Ok(mut c) => counts.append(&mut c),
            Err(e) => {
                job.failed.store(true, Ordering::SeqCst);
                return Err(e);
            }
        }
        // A line at every tenth of the way.
        let size = last - first + 1;
        let done = job.done.fetch_add(size, Ordering::SeqCst) + size;
        if (done - size) * 10 / job.cans != done * 10 / job.cans {
            tracing::info!(done, of = job.cans, "seeding");
        }
    }
}

/// CANs `first..=last` in one transaction.
async fn seed_chunk(
    job: &Job,
    first: u32,
    last: u32,
) -> Result<Vec<(&'static str, u64)>, SeedError> {
    let mut tx = job.db.begin().await?;
    // The seed's statements are large and run once: compiling them (JIT) costs more than it saves.
    let conn: &mut sqlx::PgConnection = &mut tx;
    conn.execute(sqlx::raw_sql(
        "SET LOCAL jit = off;
         SET LOCAL synchronous_commit = off;
         CREATE TEMP TABLE seed_params (first_n int, last_n int, m int, w int, t0 timestamptz, pw text)
             ON COMMIT DROP;",
    ))
    .await?;
    sqlx::query("INSERT INTO seed_params VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(first as i32)
        .bind(last as i32)
        .bind(job.members as i32)
        .bind(job.weeks as i32)
        .bind(job.t0)
        .bind(&job.hash)
        .execute(&mut *conn)
        .await?;
    let mut counts = Vec::new();
    for step in steps::STEPS.iter() {
        let done = conn
            .execute(sqlx::raw_sql(step.sql))
            .await
            .map_err(|source| SeedError::Step {
                step: step.place(),
                source,
            })?;
        if let Some(table) = step.table {
            counts.push((table, done.rows_affected()));
        }
    }
    tx.commit().await?;
    Ok(counts)
}

/// CAN #1's organiser, facilitator and coordinator (the earliest still holding the role), and
/// the plain member who came to the most meetings.
async fn accounts(db: &PgPool) -> Result<Vec<Account>, SeedError> {
    let mut accounts = Vec::new();
    for role in ["organiser", "facilitator", "coordinator"] {
        let found: Option<(String, String)> = sqlx::query_as(
            "SELECT p.email, p.display_name FROM role_grants g
             JOIN cans c ON c.id = g.can_id JOIN members p ON p.id = g.member_id
             JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id
             WHERE c.slug = 'seed-1' AND g.role = $1 AND g.ended_at IS NULL
             ORDER BY g.granted_at, m.joined_at LIMIT 1",
        )
        .bind(role)
        .fetch_optional(db)
        .await?;
        if let Some((email, name)) = found {
            accounts.push(Account { role, email, name });
        }
    }
    let member: Option<(String, String)> = sqlx::query_as(
        "SELECT p.email, p.display_name FROM memberships m
         JOIN cans c ON c.id = m.can_id JOIN members p ON p.id = m.member_id
         WHERE c.slug = 'seed-1' AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.can_id = m.can_id
                           AND g.member_id = m.member_id AND g.ended_at IS NULL)
         ORDER BY (SELECT count(*) FROM attendance a WHERE a.can_id = m.can_id AND a.member_id = m.member_id) DESC,
                  m.joined_at
         LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    if let Some((email, name)) = member {
        accounts.push(Account {
            role: "member",
            email,
            name,
        });
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_read_from_the_command_line() {
        let o = SeedOptions::from_args(&args("--cans 10_000 --members=20 --weeks 26"))
            .expect("valid options");
        assert_eq!(o.sizes(), (10_000, 20, 26));
        assert_eq!(o.force_database, None);
        let o = SeedOptions::from_args(&args("--demo --force-database canopy")).expect("valid");
        assert_eq!(o.sizes(), DEMO);
        assert_eq!(o.force_database.as_deref(), Some("canopy"));
        assert_eq!(
            SeedOptions::from_args(&[]).expect("defaults").sizes(),
            (100, 20, 26)
        );
    }

    #[test]
    fn nonsense_options_are_refused_with_a_reason() {
        for (line, why) in [
            ("--cans", "needs a value"),
            ("--cans lots", "whole number"),
            ("--cans 0", "1 to 100000"),
            ("--members 3", "8 to 200"),
            ("--weeks 2", "4 to 260"),
            ("--wat", "unknown option"),
            ("--demo=yes", "unknown option"),
        ] {
            let e = SeedOptions::from_args(&args(line)).expect_err(line);
            assert!(e.contains(why), "{line}: {e}");
        }
    }
}
