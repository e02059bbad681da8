//! Backup and restore with PostgreSQL's own tools: `pg_dump` in its custom format (compressed,
//! restorable table by table) and `pg_restore` in one transaction, so a restore that fails
//! half-way leaves the target as it was. Works the same for the embedded cluster and for a
//! `DATABASE_URL`, given a libpq connection string.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("pg_dump and pg_restore were not found (set CANOPY_PG_BIN to their folder)")]
    NoTools,
    #[error("{tool} failed ({status}): {stderr}")]
    Failed {
        tool: &'static str,
        status: String,
        stderr: String,
    },
    #[error("could not run {tool}: {source}")]
    Spawn {
        tool: &'static str,
        source: std::io::Error,
    },
}

/// The tool beside the server binaries the embedded cluster uses, so versions match: in their
/// folder, or where that folder's `initdb` link points (PATH may hold links to the server alone).
fn tool(bin_dir: Option<&Path>, name: &str) -> Result<PathBuf, BackupError> {
    let dir = super::embedded::bin_dir(bin_dir).ok_or(BackupError::NoTools)?;
    let linked = std::fs::canonicalize(dir.join("initdb"))
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    [Some(dir), linked]
        .into_iter()
        .flatten()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(BackupError::NoTools)
}

fn run(tool_name: &'static str, mut cmd: Command) -> Result<(), BackupError> {
    let out = cmd.output().map_err(|source| BackupError::Spawn {
        tool: tool_name,
        source,
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Failed {
            tool: tool_name,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// Writes the whole database behind `conninfo` to `file` (custom format).
pub fn dump(conninfo: &str, bin_dir: Option<&Path>, file: &Path) -> Result<(), BackupError> {
    let mut cmd = Command::new(tool(bin_dir, "pg_dump")?);
    cmd.arg("--format=custom")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--file")
        .arg(file)
        .arg("--dbname")
        .arg(conninfo);
    run("pg_dump", cmd)
}

/// Restores `file` into the database behind `conninfo`. With `replace`, what is there is dropped
/// first; without it the database must be empty. One transaction: all of it or nothing.
pub fn restore(
    conninfo: &str,
    bin_dir: Option<&Path>,
    file: &Path,
    replace: bool,
) -> Result<(), BackupError> {
    let mut cmd = Command::new(tool(bin_dir, "pg_restore")?);
    cmd.arg("--no-owner")
        .arg("--no-privileges")
        .arg("--single-transaction")
        .arg("--exit-on-error");
    if replace {
        cmd.arg("--clean").arg("--if-exists");
    }
    cmd.arg("--dbname").arg(conninfo).arg(file);
    run("pg_restore", cmd)
}
