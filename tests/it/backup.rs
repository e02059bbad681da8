//! Backup and restore: a populated database dumped with `canopy backup`'s code, restored into an
//! empty database, and every page of the CAN renders the same bytes there (but for the CSRF
//! token and the calendar's stamp of when it was made).

use axum::http::StatusCode;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::helpers::{Browser, TempDir, TestApp, can_with_member};

/// Takes out what differs between two renderings of the same data: the CSRF token and the
/// calendar's DTSTAMP (when the feed was made).
fn stable(body: &str) -> String {
    let csrf = regex_lite::Regex::new(r#"name="csrf_token" value="[^"]*""#).unwrap();
    let stamp = regex_lite::Regex::new(r"(?m)^DTSTAMP:.*$").unwrap();
    let body = csrf.replace_all(body, r#"name="csrf_token" value="""#);
    stamp.replace_all(&body, "DTSTAMP:").into_owned()
}

async fn pages(b: &mut Browser, paths: &[String]) -> Vec<(String, StatusCode, String)> {
    let mut out = Vec::new();
    for path in paths {
        let page = b.get(path).await;
        out.push((path.clone(), page.status, stable(&page.body)));
    }
    out
}

#[tokio::test]
async fn a_restored_backup_renders_every_page_the_same() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    // Some life in the CAN: hopes, a meeting series with an agenda, a responsibility.
    for (b, hope) in [
        (&mut olu, "A shared tool library"),
        (&mut mia, "Dinner once a month"),
    ] {
        b.get(&format!("/c/{slug}/vision")).await;
        b.post(&format!("/c/{slug}/vision/hopes"), &[("body", hope)])
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let next_week = (chrono::Utc::now().date_naive() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    olu.get(&format!("/c/{slug}/meetings/new")).await;
    olu.post(
        &format!("/c/{slug}/meetings"),
        &[
            ("title", "Weekly circle"),
            ("repeat", "weekly"),
            ("interval", "1"),
            ("weekday", "TU"),
            ("nth", "2"),
            ("month_day", "1"),
            ("starts_on", &next_week),
            ("start_time", "19:00"),
            ("duration_minutes", "90"),
            ("until_on", ""),
            ("location", "The hall"),
            ("agenda_template", "Check-in round"),
            ("rotate_roles", "yes"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/c/{slug}/responsibilities/new")).await;
    olu.post(
        &format!("/c/{slug}/responsibilities"),
        &[
            ("title", "Keep the tool shed"),
            ("description", "Open it on Saturdays"),
            ("kind", "ongoing"),
            ("goal_id", ""),
            ("cadence", "weekly"),
            ("due_on", ""),
            ("term_ends_on", ""),
            ("effort", "2"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let meeting: Uuid = sqlx::query_scalar("SELECT id FROM meetings ORDER BY starts_at LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let resp: Uuid = sqlx::query_scalar("SELECT id FROM responsibilities")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mia_id = app.member_id("mia@example.org").await;

    let dir = TempDir::new("backup");
    let file = dir.0.join("canopy.dump");
    canopy::db::backup::dump(&app.conninfo(), None, &file).unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() > 0);

    // An empty database on the same server, restored from the file.
    let restored_name = format!("restored_{}", Uuid::now_v7().simple());
    let admin = (*app.db.connect_options()).clone().database("postgres");
    let mut conn = PgConnection::connect_with(&admin).await.unwrap();
    sqlx::query(&format!(
        "CREATE DATABASE {restored_name} TEMPLATE template0"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let restored_pool =
        sqlx::PgPool::connect_with((*app.db.connect_options()).clone().database(&restored_name))
            .await
            .unwrap();
    let restored = TestApp::on_pool(restored_pool);
    canopy::db::backup::restore(&restored.conninfo(), None, &file, false).unwrap();
    // Restoring over a database that has data needs the explicit replace, and then works.
    assert!(canopy::db::backup::restore(&restored.conninfo(), None, &file, false).is_err());
    canopy::db::backup::restore(&restored.conninfo(), None, &file, true).unwrap();

    let paths: Vec<String> = [
        "/".to_string(),
        format!("/c/{slug}"),
        format!("/c/{slug}/members"),
        format!("/c/{slug}/members/{mia_id}"),
        format!("/c/{slug}/activity"),
        format!("/c/{slug}/vision"),
        format!("/c/{slug}/goals"),
        format!("/c/{slug}/meetings"),
        format!("/c/{slug}/meetings/{meeting}"),
        format!("/c/{slug}/meetings/{meeting}/pack"),
        format!("/c/{slug}/meetings/{meeting}/event.ics"),
        format!("/c/{slug}/calendar.ics"),
        format!("/c/{slug}/responsibilities"),
        format!("/c/{slug}/responsibilities/{resp}"),
        format!("/c/{slug}/load"),
        format!("/c/{slug}/stage"),
        format!("/c/{slug}/health"),
        "/account/profile".to_string(),
    ]
    .into();
    let before = pages(&mut olu, &paths).await;
    let mut olu_there = olu.same_session_on(&restored);
    let after = pages(&mut olu_there, &paths).await;
    for ((path, status, body), (_, status_after, body_after)) in before.iter().zip(&after) {
        assert_eq!(*status, StatusCode::OK, "{path}");
        assert_eq!(status, status_after, "{path}");
        assert_eq!(body, body_after, "{path} differs after the restore");
    }
}
