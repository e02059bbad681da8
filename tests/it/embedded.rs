//! The embedded PostgreSQL launcher on its own: data kept between starts, clear errors.

use canopy::db::embedded::{EmbeddedError, EmbeddedPostgres, Options};
use sqlx::{Connection, PgConnection};

use crate::helpers::TempDir;

#[tokio::test]
async fn a_cluster_keeps_its_data_between_starts() {
    let dir = TempDir::new("embedded");
    let opts = Options::new(dir.0.join("pg"));

    let first = opts.clone();
    let mut pg = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&first))
        .await
        .unwrap()
        .unwrap();
    let mut conn = PgConnection::connect_with(&pg.connect_options("postgres"))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE kept (note text)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO kept VALUES ('still here')")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    tokio::task::spawn_blocking(move || pg.stop())
        .await
        .unwrap();
    assert!(
        !dir.0.join("pg/postmaster.pid").exists(),
        "a clean stop removes the pid file"
    );

    let second = opts.clone();
    let pg = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&second))
        .await
        .unwrap()
        .unwrap();
    let mut conn = PgConnection::connect_with(&pg.connect_options("postgres"))
        .await
        .unwrap();
    let note: String = sqlx::query_scalar("SELECT note FROM kept")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(note, "still here");
    conn.close().await.unwrap();
    tokio::task::spawn_blocking(move || drop(pg)).await.unwrap();
}

#[test]
fn missing_server_binaries_say_what_to_install() {
    let dir = TempDir::new("nobin");
    let mut opts = Options::new(dir.0.join("pg"));
    opts.bin_dir = Some(dir.0.join("no-such-bin"));
    let err = EmbeddedPostgres::start(&opts).unwrap_err();
    assert!(matches!(err, EmbeddedError::NoBinaries));
    let text = err.to_string();
    assert!(text.contains("apt-get install postgresql"), "{text}");
    assert!(text.contains("DATABASE_URL"), "{text}");
}

#[tokio::test]
async fn a_data_folder_with_a_very_long_path_still_gets_a_usable_socket() {
    let dir = TempDir::new("longpath");
    let deep = dir
        .0
        .join("a-folder-name-that-is-long".repeat(4))
        .join("pg");
    let opts = Options::new(&deep);
    let pg = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&opts))
        .await
        .unwrap()
        .unwrap();
    let mut conn = PgConnection::connect_with(&pg.connect_options("postgres"))
        .await
        .unwrap();
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(one, 1);
    conn.close().await.unwrap();
    tokio::task::spawn_blocking(move || drop(pg)).await.unwrap();
}

#[test]
fn a_data_folder_the_postgres_user_cannot_reach_is_explained() {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: only root hands the cluster to another user");
        return;
    }
    let dir = TempDir::new("closed");
    let closed = dir.0.join("private");
    std::fs::create_dir(&closed).unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o700)).unwrap();
    let err = EmbeddedPostgres::start(&Options::new(closed.join("pg"))).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, EmbeddedError::Unreachable { .. }), "{text}");
    assert!(text.contains("CANOPY_DATA_DIR"), "{text}");
    assert!(text.contains(&closed.display().to_string()), "{text}");
}
