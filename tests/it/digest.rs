//! The weekly digest for everyone who wants it (issue 15): one mail per person per week for all
//! their CANs, with what happened (notifications kept for the digest, then marked mailed), what
//! is coming in the next seven days, what waits on them, and the stage part for organisers and
//! coordinators. Opted out → none; nothing to say → none; two ticks send one.

use axum::http::StatusCode;
use chrono::Utc;
use uuid::Uuid;

use crate::helpers::{TestApp, invite_link, join, start_can, team};

async fn exec(app: &TestApp, sql: &str, ids: &[Uuid]) {
    let mut q = sqlx::query(sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// The digest mails in the outbox: (to, subject, text, html, unsubscribe).
async fn digests(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    sqlx::query_as(
        "SELECT to_address, subject, body_text, body_html, unsubscribe_url FROM outbox
         WHERE dedupe_key LIKE 'digest:%' ORDER BY to_address",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn everyone_who_wants_it_gets_one_digest_a_week_with_their_news_and_nothing_else() {
    // Riverside: Olu organises; Mia and Pat are members; Pat turned the digest off.
    let (app, mut olu, _people, slug) =
        team(&[("mia@example.org", "Mia"), ("pat@example.org", "Pat")]).await;
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (o, m, p) = (
        app.member_named("Olu").await,
        app.member_named("Mia").await,
        app.member_named("Pat").await,
    );
    exec(
        &app,
        "UPDATE members SET weekly_digest = false WHERE id = $1",
        &[p],
    )
    .await;
    // Quiet Close: Olu organises it too; Sam is its only other member, and nothing happens there.
    start_can(&mut olu, "Quiet Close", "quiet-close", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let link = invite_link(&mut olu, "quiet-close", "2", "").await;
    let mut sam = app.member("sam@example.org", "Sam").await;
    join(&mut sam, &link)
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // A poll Mia heard of through a notification she keeps for the digest, and a meeting in
    // three days (coming up, and waiting on an answer from everyone in Riverside).
    let poll = Uuid::now_v7();
    exec(
        &app,
        "INSERT INTO time_polls (id, can_id, title, created_by) VALUES ($1, $2, 'When shall we meet?', $3)",
        &[poll, can, o],
    )
    .await;
    let notification = Uuid::now_v7();
    exec(
        &app,
        "INSERT INTO notifications (id, member_id, can_id, kind, line, link, delivery, dedupe_key)
         VALUES ($1, $2, $3, 'poll_opened', 'Olu opened a poll: When shall we meet?',
                 '/c/riverside-neighbours/meetings/polls/' || $4::text, 'digest', 'poll:' || $4::text)",
        &[notification, m, can, poll],
    )
    .await;
    exec(
        &app,
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at)
         VALUES ($1, $2, 'Street meeting', now() + interval '3 days', now() + interval '3 days 90 minutes')",
        &[Uuid::now_v7(), can],
    )
    .await;

    let today = Utc::now().date_naive();
    let base = "http://localhost";
    let (a, b) = tokio::join!(
        canopy::stages::digest::tick(&app.db, base, today),
        canopy::stages::digest::tick(&app.db, base, today)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2, "Olu and Mia, once each");
    assert_eq!(
        canopy::stages::digest::tick(&app.db, base, today)
            .await
            .unwrap(),
        0
    );

    let mails = digests(&app).await;
    let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
    // Pat opted out; Sam had nothing to be told.
    assert_eq!(to, ["mia@example.org", "olu@example.org"]);

    let (_, subject, text, html, unsubscribe) = &mails[0];
    assert_eq!(subject, "[Riverside Neighbours] Your week in Canopy");
    for part in [
        "Hello Mia,",
        "What happened this week:",
        "Olu opened a poll: When shall we meet?",
        "Coming up in the next 7 days:",
        "- [Riverside Neighbours] Street meeting, ",
        "Waiting on you:",
        "Are you coming to “Street meeting”?",
        "Say which times suit you in the poll “When shall we meet?”",
        "http://localhost/c/riverside-neighbours/meetings/polls/",
        "Choose which mails you get: http://localhost/notifications/settings",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
    // A plain member gets no stage part.
    assert!(!text.contains("stage"), "{text}");
    assert!(html.contains("<h2 style=\"font-size: 1.1rem;\">Waiting on you</h2>"));
    assert!(html.contains("Are you coming to “Street meeting”?"));
    assert!(
        unsubscribe.starts_with(&format!("http://localhost/unsubscribe/{m}/digest/")),
        "{unsubscribe}"
    );
    assert!(text.contains(&format!("Stop the weekly digest: {unsubscribe}")));
    // The notification went out with the digest.
    let mailed: Option<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT mailed_at FROM notifications WHERE id = $1")
            .bind(notification)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(mailed.is_some());

    // Olu: one mail for both CANs, with each one's stage part; Mia's notification is not his.
    let (_, subject, text, _, _) = &mails[1];
    assert_eq!(subject, "Your week in Canopy");
    assert!(
        text.contains("Riverside Neighbours is in the visioning stage."),
        "{text}"
    );
    assert!(
        text.contains("Quiet Close is in the visioning stage."),
        "{text}"
    );
    assert!(
        text.contains("http://localhost/c/quiet-close/stage"),
        "{text}"
    );
    assert!(
        text.contains("Are you coming to “Street meeting”?"),
        "{text}"
    );
    assert!(!text.contains("What happened this week"), "{text}");

    // Next week Mia is told only what is new: the notification is not told twice.
    let next_week = today + chrono::Duration::days(7);
    canopy::stages::digest::tick(&app.db, base, next_week)
        .await
        .unwrap();
    let again: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE dedupe_key = $1")
        .bind(format!(
            "digest:{m}:{}",
            canopy::stages::digest::week_of(next_week)
        ))
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(!again.contains("Olu opened a poll"), "{again}");
    assert!(again.contains("Say which times suit you"), "{again}");
}

#[tokio::test]
async fn a_member_with_nothing_to_be_told_gets_no_digest() {
    let (app, _olu, _people, _slug) = team(&[("mia@example.org", "Mia")]).await;
    let today = Utc::now().date_naive();
    canopy::stages::digest::tick(&app.db, "http://localhost", today)
        .await
        .unwrap();
    let to: Vec<String> = digests(&app).await.into_iter().map(|m| m.0).collect();
    // Olu organises (the stage part is news for him); Mia has nothing coming or waiting.
    assert_eq!(to, ["olu@example.org"]);
}
