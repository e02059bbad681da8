//! The one clock. Each feature registers its periodic jobs here (`Job::new`), and every app
//! instance runs them all: a job claims its rows with `FOR UPDATE SKIP LOCKED` (or a unique key),
//! so however many instances tick, each reminder, close or digest happens once.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

use crate::error::Result;

/// What a job gets each time it runs.
#[derive(Clone)]
pub struct JobContext {
    pub db: PgPool,
    /// The public address, for links in mails.
    pub base_url: Arc<str>,
}

type Run = dyn Fn(JobContext) -> Pin<Box<dyn Future<Output = Result<Option<String>>> + Send>>
    + Send
    + Sync;

/// A named piece of periodic work.
#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    run: Arc<Run>,
}

impl Job {
    /// `run` returns a report; one that differs from its `Default` (something was done) is
    /// logged, an idle one is not.
    pub fn new<F, Fut, R>(name: &'static str, every: Duration, run: F) -> Self
    where
        F: Fn(JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R>> + Send + 'static,
        R: Debug + Default + PartialEq,
    {
        let run = Arc::new(run);
        Self {
            name,
            every,
            run: Arc::new(move |ctx| {
                let run = Arc::clone(&run);
                Box::pin(async move {
                    let report = run(ctx).await?;
                    Ok((report != R::default()).then(|| format!("{report:?}")))
                })
            }),
        }
    }

    /// Runs the job once now (what the clock does at each tick).
    pub async fn run_once(&self, ctx: JobContext) -> Result<Option<String>> {
        (self.run)(ctx).await
    }
}

/// Starts one task per job, each on its own interval, until the pool is closed.
pub fn spawn(db: PgPool, base_url: &str, jobs: Vec<Job>) {
    let ctx = JobContext {
        db,
        base_url: Arc::from(base_url),
    };
    for job in jobs {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(job.every);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if ctx.db.is_closed() {
                    break;
                }
                match job.run_once(ctx.clone()).await {
                    Ok(Some(report)) => tracing::info!(job = job.name, %report, "job ran"),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(job = job.name, error = %e, "job failed"),
                }
            }
        });
    }
}
