//! A private PostgreSQL cluster started from the locally installed server binaries, so that
//! `cargo run` needs no database set up by hand. It listens only on a Unix socket inside its own
//! folder, runs as an unprivileged user when we are root (PostgreSQL refuses root), and dies with
//! the process that started it, even when that process is killed with SIGKILL.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;

/// The role `initdb` creates as superuser; the app connects as it through the socket (trust auth,
/// which is safe only because nothing listens on TCP and the socket folder is private).
pub const SUPERUSER: &str = "canopy";

/// A Unix socket path must fit in `sun_path` (108 bytes including the NUL).
const MAX_SOCKET_PATH: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "no PostgreSQL server binaries found (looked for `initdb` and `postgres` in CANOPY_PG_BIN, \
         on PATH and under /usr/lib/postgresql/*/bin). Install them (on Debian: `apt-get install postgresql`) or set \
         DATABASE_URL to use an existing PostgreSQL server"
    )]
    NoBinaries,
    #[error(
        "running as root, and PostgreSQL refuses to run as root: create an unprivileged `postgres` \
         user (on Debian `apt-get install postgresql` does), run Canopy as a normal user, or set \
         DATABASE_URL"
    )]
    NoUnprivilegedUser,
    #[error(
        "the postgres user cannot reach the data folder {data_dir}: {blocked} is closed to other \
         users. Set CANOPY_DATA_DIR to a folder it can reach (e.g. /var/lib/canopy/postgres), or \
         open the folder for traversal (chmod o+x {blocked})"
    )]
    Unreachable { data_dir: String, blocked: String },
    #[error("{action} failed: {source}")]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },
    #[error("{what} failed; its output:\n{output}")]
    Command { what: String, output: String },
    #[error("PostgreSQL did not become ready within {0:?}; see {1}")]
    NotReady(Duration, String),
}

fn io_err(action: impl Into<String>) -> impl FnOnce(io::Error) -> EmbeddedError {
    let action = action.into();
    move |source| EmbeddedError::Io { action, source }
}

/// How to start a cluster.
#[derive(Debug, Clone)]
pub struct Options {
    pub data_dir: PathBuf,
    /// Folder holding `initdb` and `postgres`; searched for when `None`.
    pub bin_dir: Option<PathBuf>,
    /// Extra `-c name=value` server settings (tests turn durability off for speed).
    pub settings: Vec<(String, String)>,
}

impl Options {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            bin_dir: None,
            // The cluster's data lives on local SSD and, for the pages of one CAN, in memory: a
            // random read costs about what a sequential one does. With the default (4) the
            // planner read whole tables of a small database (hundreds of CANs) rather than the
            // few rows of one CAN through its index, five times slower (docs/performance.md).
            settings: vec![("random_page_cost".into(), "1.1".into())],
        }
    }

    /// Settings that trade crash safety for speed: for throwaway test clusters only.
    pub fn for_tests(mut self) -> Self {
        for (k, v) in [
            ("fsync", "off"),
            ("synchronous_commit", "off"),
            ("full_page_writes", "off"),
            ("max_connections", "200"),
        ] {
            self.settings.push((k.into(), v.into()));
        }
        self
    }
}

/// A running cluster. Dropping it stops the cluster (fast shutdown) if we started it.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    socket_dir: PathBuf,
    pid: Option<u32>,
    /// Signalled by the guardian thread when postgres exits (a Mutex keeps the type `Sync`).
    exited: Option<Mutex<mpsc::Receiver<()>>>,
}

struct RunAs {
    uid: u32,
    gid: u32,
}

impl EmbeddedPostgres {
    /// Starts the cluster in `opts.data_dir`, creating it with `initdb` on first use. Blocking:
    /// call it before the runtime starts or inside `spawn_blocking`.
    pub fn start(opts: &Options) -> Result<Self, EmbeddedError> {
        let bin = bin_dir(opts.bin_dir.as_deref()).ok_or(EmbeddedError::NoBinaries)?;
        let run_as = unprivileged_user()?;

        fs::create_dir_all(&opts.data_dir)
            .map_err(io_err(format!("creating {}", opts.data_dir.display())))?;
        let data_dir = opts
            .data_dir
            .canonicalize()
            .map_err(io_err(format!("resolving {}", opts.data_dir.display())))?;
        if let Some(u) = &run_as {
            check_reachable(&data_dir, u)?;
        }
        give_to(&data_dir, run_as.as_ref())?;

        let socket_dir = socket_dir_for(&data_dir);
        if socket_dir != data_dir {
            fs::create_dir_all(&socket_dir)
                .map_err(io_err(format!("creating {}", socket_dir.display())))?;
            give_to(&socket_dir, run_as.as_ref())?;
        }
        let log_path = log_path_for(&data_dir);

        if !data_dir.join("PG_VERSION").exists() {
            let mut cmd = Command::new(bin.join("initdb"));
            cmd.arg("-D")
                .arg(&data_dir)
                .args([
                    "--auth=trust",
                    "-U",
                    SUPERUSER,
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ])
                .args(["--no-instructions"]);
            as_user(&mut cmd, run_as.as_ref());
            let out = cmd.output().map_err(io_err("running initdb"))?;
            if !out.status.success() {
                return Err(EmbeddedError::Command {
                    what: "initdb".into(),
                    output: format!(
                        "{}{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    ),
                });
            }
        }

        // A cluster left over by a process that died may still be shutting down: wait for it.
        wait_for_stale_postmaster(&data_dir);

        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io_err(format!("opening {}", log_path.display())))?;
        let log_start = log.metadata().map(|m| m.len()).unwrap_or(0);
        let mut cmd = Command::new(bin.join("postgres"));
        cmd.arg("-D")
            .arg(&data_dir)
            .arg("-k")
            .arg(&socket_dir)
            .args(["-c", "listen_addresses="]);
        for (k, v) in &opts.settings {
            cmd.arg("-c").arg(format!("{k}={v}"));
        }
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io_err("duplicating log file"))?)
            .stderr(log)
            // Own process group: a Ctrl-C in the terminal must reach only our server, which then
            // stops the cluster after in-flight requests have finished.
            .process_group(0);
        as_user(&mut cmd, run_as.as_ref());
        // SAFETY: prctl and getppid are async-signal-safe; this runs in the child after the uid
        // change (which would otherwise clear the death signal) and before exec.
        let parent = std::process::id() as libc::pid_t;
        unsafe {
            cmd.pre_exec(move || {
                // Fast shutdown when whoever started us dies, however it died.
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT as libc::c_ulong) != 0 {
                    return Err(io::Error::last_os_error());
                }
                if libc::getppid() != parent {
                    return Err(io::Error::other("parent exited before postgres started"));
                }
                Ok(())
            });
        }

        // The death signal fires when the *thread* that forked the child exits, so fork from a
        // thread that lives exactly as long as the child: it waits on it.
        let (started_tx, started_rx) = mpsc::channel();
        let (exited_tx, exited_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("postgres-guardian".into())
            .spawn(move || match cmd.spawn() {
                Ok(mut child) => {
                    let _ = started_tx.send(Ok(child.id()));
                    let _ = child.wait();
                    let _ = exited_tx.send(());
                }
                Err(e) => {
                    let _ = started_tx.send(Err(e));
                }
            })
            .map_err(io_err("spawning the postgres guardian thread"))?;
        let pid = started_rx
            .recv()
            .map_err(|_| io::Error::other("guardian thread died"))
            .and_then(|r| r)
            .map_err(io_err("starting postgres"))?;

        let cluster = Self {
            data_dir,
            socket_dir,
            pid: Some(pid),
            exited: Some(Mutex::new(exited_rx)),
        };
        cluster.wait_ready(&log_path, log_start)?;
        Ok(cluster)
    }

    fn wait_ready(&self, log_path: &Path, log_start: u64) -> Result<(), EmbeddedError> {
        let limit = Duration::from_secs(60);
        let began = Instant::now();
        loop {
            if let Some(rx) = &self.exited
                && rx.lock().is_ok_and(|rx| rx.try_recv().is_ok())
            {
                return Err(EmbeddedError::Command {
                    what: "postgres".into(),
                    output: read_log_from(log_path, log_start),
                });
            }
            if postmaster_status(&self.data_dir).as_deref() == Some("ready")
                && self.socket_dir.join(".s.PGSQL.5432").exists()
            {
                return Ok(());
            }
            if began.elapsed() > limit {
                return Err(EmbeddedError::NotReady(
                    limit,
                    log_path.display().to_string(),
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Connection options for `database` on this cluster (through its socket).
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .host(&self.socket_dir.to_string_lossy())
            .username(SUPERUSER)
            .database(database)
    }

    /// A libpq connection string for `database` on this cluster (for pg_dump and pg_restore).
    pub fn conninfo(&self, database: &str) -> String {
        format!(
            "host={} user={SUPERUSER} dbname={database}",
            self.socket_dir.display()
        )
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Fast shutdown: open transactions are rolled back, a checkpoint is written. Blocking.
    pub fn stop(&mut self) {
        let Some(pid) = self.pid.take() else { return };
        // SAFETY: signalling a pid we spawned and have not yet seen exit.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGINT);
        }
        if let Some(rx) = self.exited.take().and_then(|m| m.into_inner().ok())
            && rx.recv_timeout(Duration::from_secs(30)).is_err()
        {
            // SAFETY: as above; immediate shutdown as a last resort.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGQUIT);
            }
            let _ = rx.recv_timeout(Duration::from_secs(10));
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Where postgres writes its log: beside the data folder, not inside it (initdb wants it empty).
pub fn log_path_for(data_dir: &Path) -> PathBuf {
    let name = data_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "postgres".into());
    data_dir.with_file_name(format!("{name}.log"))
}

fn socket_dir_for(data_dir: &Path) -> PathBuf {
    if data_dir.join(".s.PGSQL.5432").as_os_str().len() <= MAX_SOCKET_PATH {
        return data_dir.to_path_buf();
    }
    // A deep checkout: fall back to a short folder named after the data folder's path.
    use sha2::Digest;
    let digest = sha2::Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let tag: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir().join(format!("canopy-pg-{tag}"))
}

fn read_log_from(path: &Path, offset: u64) -> String {
    let mut text = String::new();
    if let Ok(mut f) = fs::File::open(path) {
        let _ = f.seek(SeekFrom::Start(offset));
        let _ = f.read_to_string(&mut text);
    }
    text
}

/// The 8th line of `postmaster.pid` is the server's status ("starting", "ready", "stopping").
fn postmaster_status(data_dir: &Path) -> Option<String> {
    let text = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    text.lines().nth(7).map(|l| l.trim().to_string())
}

fn wait_for_stale_postmaster(data_dir: &Path) {
    let Ok(text) = fs::read_to_string(data_dir.join("postmaster.pid")) else {
        return;
    };
    let Some(pid) = text
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<i32>().ok())
    else {
        return;
    };
    let began = Instant::now();
    // SAFETY: signal 0 only checks that the process exists.
    while unsafe { libc::kill(pid, 0) } == 0 && began.elapsed() < Duration::from_secs(30) {
        tracing::info!(
            pid,
            "waiting for a previous PostgreSQL to finish shutting down"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn has_server_binaries(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

/// The folder of PostgreSQL's client and server programs (`pg_dump`, `pg_restore`, `initdb`…):
/// `CANOPY_PG_BIN`'s choice when given, else PATH, else the newest under /usr/lib/postgresql.
pub fn bin_dir(configured: Option<&Path>) -> Option<PathBuf> {
    match configured {
        Some(dir) => Some(dir.to_path_buf()).filter(|d| has_server_binaries(d)),
        None => find_bin_dir(),
    }
}

fn find_bin_dir() -> Option<PathBuf> {
    let has_both = |d: &Path| has_server_binaries(d);
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_both(&dir) {
                return Some(dir);
            }
        }
    }
    // Debian keeps server binaries out of PATH; prefer the newest major version.
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_both(&bin).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, dir)| dir)
}

fn unprivileged_user() -> Result<Option<RunAs>, EmbeddedError> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = c"postgres";
    // SAFETY: getpwnam returns a pointer into static storage or null; we copy the ids out at once
    // and start-up is single-threaded at this point as far as passwd lookups go.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return Err(EmbeddedError::NoUnprivilegedUser);
    }
    // SAFETY: pw is non-null and points to a valid passwd record.
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Ok(Some(RunAs { uid, gid }))
}

fn as_user(cmd: &mut Command, run_as: Option<&RunAs>) {
    if let Some(u) = run_as {
        // std drops supplementary groups itself when root sets a uid.
        cmd.uid(u.uid).gid(u.gid);
        cmd.env("HOME", "/tmp");
    }
    // Avoid a cwd the unprivileged user cannot enter (e.g. under /root).
    cmd.current_dir("/");
}

/// PostgreSQL runs as another user than ours: every folder above its data folder must let that
/// user pass, or initdb fails with a confusing "permission denied" deep in its output.
fn check_reachable(data_dir: &Path, u: &RunAs) -> Result<(), EmbeddedError> {
    use std::os::unix::fs::MetadataExt;
    for dir in data_dir.ancestors().skip(1) {
        let Ok(meta) = fs::metadata(dir) else {
            continue;
        };
        let mode = meta.mode();
        let passes = if meta.uid() == u.uid {
            mode & 0o100 != 0
        } else if meta.gid() == u.gid {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        if !passes {
            return Err(EmbeddedError::Unreachable {
                data_dir: data_dir.display().to_string(),
                blocked: dir.display().to_string(),
            });
        }
    }
    Ok(())
}

fn give_to(dir: &Path, run_as: Option<&RunAs>) -> Result<(), EmbeddedError> {
    if let Some(u) = run_as {
        std::os::unix::fs::chown(dir, Some(u.uid), Some(u.gid)).map_err(io_err(format!(
            "giving {} to the postgres user",
            dir.display()
        )))?;
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(io_err(format!("making {} private", dir.display())))
}
