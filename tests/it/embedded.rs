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
