//! Reads settings, connects (starting the embedded PostgreSQL when no DATABASE_URL is set),
//! migrates, starts the mail worker and the clock, and serves until SIGINT or SIGTERM, letting in-flight
//! requests finish. `canopy seed` connects the same way, fills the database with sample data and
//! exits; `canopy backup` and `canopy restore` dump and restore the same database.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use canopy::db::{self, embedded};
use canopy::outbox;
use canopy::seed::SeedOptions;
use canopy::{AppState, Config};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "\
Usage:
  canopy                 serve (settings from the environment; see README.md)
  canopy seed [options]  fill the database with sample CANs, print accounts to sign in with, exit
  canopy backup FILE     write the whole database to FILE (pg_dump's custom format)
  canopy restore FILE [--replace]
                         restore FILE into the database, in one transaction; the database must
                         be empty (a fresh data folder) unless --replace drops what is there
  canopy help            show this

Seed options:
  --cans N               how many CANs (default 100)
  --members M            members per CAN, 8 to 200 (default 20)
  --weeks W              weeks of meetings behind each CAN, 4 to 260 (default 26)
  --demo                 one small, lively CAN instead (12 members, 8 weeks)
  --force-database NAME  seed even though the database holds members that are not seeded ones,
                         if NAME is that database's name

The seed connects as the server does (DATABASE_URL, or the embedded cluster in CANOPY_DATA_DIR)
and migrates first. It refuses a database holding real members unless --force-database names it,
and it refuses a database that already holds a seed: there is no appending; seed a fresh one.
";

enum Command {
    Serve,
    Seed(SeedOptions),
    Backup(std::path::PathBuf),
    Restore {
        file: std::path::PathBuf,
        replace: bool,
    },
    Help,
}

impl Command {
    fn from_args(args: &[String]) -> Result<Self, String> {
        match args.first().map(String::as_str) {
            None => Ok(Self::Serve),
            Some("seed") => SeedOptions::from_args(&args[1..]).map(Self::Seed),
            Some("backup") => match &args[1..] {
                [file] => Ok(Self::Backup(file.into())),
                _ => Err("backup takes one FILE".into()),
            },
            Some("restore") => match &args[1..] {
                [file] => Ok(Self::Restore {
                    file: file.into(),
                    replace: false,
                }),
                [file, flag] if flag == "--replace" => Ok(Self::Restore {
                    file: file.into(),
                    replace: true,
                }),
                _ => Err("restore takes one FILE and, optionally, --replace".into()),
            },
            Some("help" | "--help" | "-h") => Ok(Self::Help),
            Some(other) => Err(format!("unknown command {other:?}")),
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match Command::from_args(&args) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(c) => c,
        Err(e) => {
            eprintln!("canopy: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // The seed's statements are meant to be long: sqlx's slow-statement warnings would be noise.
    let default_filter = match command {
        Command::Seed(_) => "info,sqlx=error",
        _ => "info,sqlx=warn,tower_http=info",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)),
        )
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("canopy: {e}");
            return ExitCode::FAILURE;
        }
    };

    // Started on the main thread, before the runtime: the cluster is bound to its guardian
    // thread and stopped when `cluster` is dropped at the end of main.
    let cluster = if config.database_url.is_none() {
        tracing::info!(data_dir = %config.data_dir.display(), "starting the embedded PostgreSQL");
        let mut options = embedded::Options::new(&config.data_dir);
        options.bin_dir = config.pg_bin.clone();
        match embedded::EmbeddedPostgres::start(&options) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("canopy: could not start the embedded PostgreSQL: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("canopy: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Serve => serve(config, cluster.as_ref()).await,
            Command::Seed(opts) => seed(config, cluster.as_ref(), &opts).await,
            Command::Backup(file) => backup(&config, cluster.as_ref(), file).await,
            Command::Restore { file, replace } => {
                restore(&config, cluster.as_ref(), file, replace).await
            }
            Command::Help => Ok(()),
        }
    });
    // Let stray tasks (housekeeping, the mail worker) end before the database goes away.
    runtime.shutdown_timeout(Duration::from_secs(5));
    drop(cluster);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("canopy: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(
    mut config: Config,
    cluster: Option<&embedded::EmbeddedPostgres>,
) -> Result<(), Box<dyn std::error::Error>> {
    // Checked before connecting, so that a wrong mail setting stops the start-up early.
    let mailer = outbox::Mailer::from_config(&config)?;
    let pool = connect(&config, cluster).await?;
    outbox::spawn_worker(pool.clone(), mailer);

    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| {
            format!(
                "could not listen on {} ({e}); set CANOPY_BIND to another address",
                config.bind
            )
        })?;
    config.follow_bound_address(listener.local_addr()?);
    let url = config.public_url.clone();
    canopy::scheduler::spawn(pool.clone(), &url, canopy::jobs());
    let state = AppState::new(pool.clone(), config);

    tracing::info!("Canopy is ready: open {url}");
    println!("Canopy is ready: open {url}");
    axum::serve(
        listener,
        canopy::app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped serving; closing the database pool");
    pool.close().await;
    Ok(())
}

/// The database as configured (DATABASE_URL, or the embedded cluster's own), migrated.
async fn connect(
    config: &Config,
    cluster: Option<&embedded::EmbeddedPostgres>,
) -> Result<PgPool, Box<dyn std::error::Error>> {
    let options: PgConnectOptions = match (&config.database_url, cluster) {
        (Some(url), _) => url.parse()?,
        (None, Some(cluster)) => {
            db::ensure_database(cluster.connect_options("postgres"), db::EMBEDDED_DATABASE).await?;
            cluster.connect_options(db::EMBEDDED_DATABASE)
        }
        (None, None) => return Err("no database: set DATABASE_URL".into()),
    };
    let pool = db::pool(options).await?;
    canopy::MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// `canopy seed`: sample data, then the report with accounts to sign in with.
async fn seed(
    config: Config,
    cluster: Option<&embedded::EmbeddedPostgres>,
    opts: &SeedOptions,
) -> Result<(), Box<dyn std::error::Error>> {
    let pool = connect(&config, cluster).await?;
    let report = canopy::seed::run(&pool, opts).await;
    pool.close().await;
    println!("{}", report?);
    Ok(())
}

/// The database as pg_dump and pg_restore reach it: DATABASE_URL, or the embedded cluster's.
async fn conninfo(
    config: &Config,
    cluster: Option<&embedded::EmbeddedPostgres>,
) -> Result<String, Box<dyn std::error::Error>> {
    match (&config.database_url, cluster) {
        (Some(url), _) => Ok(url.clone()),
        (None, Some(cluster)) => {
            db::ensure_database(cluster.connect_options("postgres"), db::EMBEDDED_DATABASE).await?;
            Ok(cluster.conninfo(db::EMBEDDED_DATABASE))
        }
        (None, None) => Err("no database: set DATABASE_URL".into()),
    }
}

/// `canopy backup FILE`.
async fn backup(
    config: &Config,
    cluster: Option<&embedded::EmbeddedPostgres>,
    file: std::path::PathBuf,
) -> Result<(), Box<dyn std::error::Error>> {
    let conninfo = conninfo(config, cluster).await?;
    let bin = config.pg_bin.clone();
    let target = file.clone();
    tokio::task::spawn_blocking(move || db::backup::dump(&conninfo, bin.as_deref(), &target))
        .await??;
    println!("Backed up to {}", file.display());
    Ok(())
}

/// `canopy restore FILE [--replace]`: refuses a database that has tables unless told to replace
/// them, then migrates the restored copy (a backup from an older version gets the new schema).
async fn restore(
    config: &Config,
    cluster: Option<&embedded::EmbeddedPostgres>,
    file: std::path::PathBuf,
    replace: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let conninfo = conninfo(config, cluster).await?;
    let pool = db::pool(match (&config.database_url, cluster) {
        (Some(url), _) => url.parse()?,
        (None, Some(cluster)) => cluster.connect_options(db::EMBEDDED_DATABASE),
        (None, None) => return Err("no database: set DATABASE_URL".into()),
    })
    .await?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&pool)
    .await?;
    if tables > 0 && !replace {
        pool.close().await;
        return Err(format!(
            "the database already has {tables} tables; restoring would mix two databases. \
             Pass --replace to drop what is there first, or point CANOPY_DATA_DIR at a fresh folder"
        )
        .into());
    }
    let bin = config.pg_bin.clone();
    let source = file.clone();
    tokio::task::spawn_blocking(move || {
        db::backup::restore(&conninfo, bin.as_deref(), &source, replace)
    })
    .await??;
    canopy::MIGRATOR.run(&pool).await?;
    pool.close().await;
    println!("Restored from {}", file.display());
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
