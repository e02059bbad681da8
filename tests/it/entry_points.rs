//! Issue 17's ways into a discussion: "This resonates" on someone's hope (a toggle, counted, with
//! whether you pressed it), "Replies (N)" under each hope, and "Discussion (N)" on a
//! responsibility's and a meeting's page, counting only comments nobody deleted or hid.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, start_can, team};

/// The card of hope `id` on the vision page: from its `<li>` to the end of it.
fn card(page: &str, id: Uuid) -> &str {
    let start = page
        .find(&format!("id=\"hope-{id}\""))
        .unwrap_or_else(|| panic!("hope {id} is not listed:\n{page}"));
    let rest = &page[start..];
    &rest[..rest.find("</li>").expect("the card ends")]
}

/// Shares a hope through the form and returns its id.
async fn share(app: &TestApp, b: &mut Browser, slug: &str, body: &str) -> Uuid {
    b.get(&format!("/c/{slug}/vision")).await;
    b.post(&format!("/c/{slug}/vision/hopes"), &[("body", body)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    sqlx::query_scalar("SELECT id FROM hopes WHERE body = $1")
        .bind(body)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn can_id(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Comments on one subject written straight into the table: two visible (the latest two hours
/// ago), one deleted by its author and one hidden by an organiser (both more recent, so neither the
/// count nor "last" may come from them). `subject` is `hope_id`, `responsibility_id` or
/// `meeting_id`.
async fn comments_on(
    app: &TestApp,
    can: Uuid,
    author: Uuid,
    organiser: Uuid,
    subject: &str,
    id: Uuid,
) {
    let sql = format!(
        "INSERT INTO comments (id, can_id, author_id, {subject}, body, created_at, deleted_at,
                               hidden_at, hidden_by, hidden_reason)
         VALUES (gen_random_uuid(), $1, $2, $3, 'First thought', now() - interval '1 day', NULL, NULL, NULL, ''),
                (gen_random_uuid(), $1, $2, $3, 'Second thought', now() - interval '2 hours 5 minutes', NULL, NULL, NULL, ''),
                (gen_random_uuid(), $1, $2, $3, 'Taken back', now() - interval '1 hour', now(), NULL, NULL, ''),
                (gen_random_uuid(), $1, $2, $3, 'Rude', now() - interval '10 minutes', NULL, now(), $4, 'Breaks the rules')"
    );
    sqlx::query(&sql)
        .bind(can)
        .bind(author)
        .bind(id)
        .bind(organiser)
        .execute(&app.db)
        .await
        .unwrap();
}

/// Rows that a press (or a GET) could write: resonances, activity lines, notifications, mail.
async fn written(app: &TestApp) -> [i64; 4] {
    [
        app.count("hope_resonances").await,
        app.count("activity_log").await,
        app.count("notifications").await,
        app.count("outbox").await,
    ]
}

#[tokio::test]
async fn members_say_a_hope_resonates_and_can_take_it_back() {
    let (app, mut olu, mut others, slug) =
        team(&[("mia@example.org", "Mia"), ("noor@example.org", "Noor")]).await;
    let [mia, noor] = &mut others[..] else {
        unreachable!()
    };
    let hope = share(&app, mia, &slug, "A shared garden on the corner").await;
    let vision = format!("/c/{slug}/vision");
    let resonate = format!("/c/{slug}/vision/hopes/{hope}/resonate");

    // Before anyone presses: the button, not pressed, and no count.
    let page = olu.get(&vision).await;
    page.assert_status(StatusCode::OK);
    let c = card(&page.body, hope);
    assert!(c.contains(&format!("action=\"{resonate}\"")), "{c}");
    assert!(c.contains("aria-pressed=\"false\">This resonates"), "{c}");
    assert!(!c.contains("resonates with"), "{c}");
    let before = written(&app).await;

    // Olu presses: back to the hope, counted, and his button now says he pressed it.
    let pressed = olu.post(&resonate, &[]).await;
    pressed.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        pressed.location(),
        Some(format!("/c/{slug}/vision#hope-{hope}").as_str())
    );
    assert_eq!(app.count("hope_resonances").await, 1);
    assert_eq!(
        app.count("activity_log WHERE action = 'hope.resonated'")
            .await,
        1
    );
    let page = olu.get(&vision).await;
    page.assert_contains("this hope resonates with you");
    let c = card(&page.body, hope);
    assert!(c.contains("resonates with 1"), "{c}");
    assert!(
        c.contains("aria-pressed=\"true\">Take back “this resonates”"),
        "{c}"
    );

    // Noor presses too: two. Each sees their own press; the count is the same for both.
    noor.get(&vision).await;
    noor.post(&resonate, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    for b in [&mut olu, &mut *noor] {
        let page = b.get(&vision).await;
        let c = card(&page.body, hope);
        assert!(c.contains("resonates with 2"), "{c}");
        assert!(c.contains("aria-pressed=\"true\""), "{c}");
    }

    // Olu presses again: taken back, and the line says so.
    olu.post(&resonate, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = olu.get(&vision).await;
    page.assert_contains("You took back “this resonates”.");
    let c = card(&page.body, hope);
    assert!(c.contains("resonates with 1"), "{c}");
    assert!(c.contains("aria-pressed=\"false\">This resonates"), "{c}");
    let left: Vec<Uuid> = sqlx::query_scalar("SELECT member_id FROM hope_resonances")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(left, vec![app.member_named("Noor").await]);
    let taken_back: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM activity_log WHERE action = 'hope.resonance_taken_back' AND subject_id = $1",
    )
    .bind(hope)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(taken_back, 1);

    // Three presses, three activity lines, and nothing else: no notification, no mail.
    let after = written(&app).await;
    assert_eq!(after[0], before[0] + 1, "one resonance stands");
    assert_eq!(after[1], before[1] + 3, "a line per press");
    assert_eq!(
        after[2..],
        before[2..],
        "nobody is notified or mailed per press"
    );
}

#[tokio::test]
async fn the_author_sees_how_many_it_resonates_with_but_has_no_button() {
    let (app, mut olu, mut others, slug) =
        team(&[("mia@example.org", "Mia"), ("noor@example.org", "Noor")]).await;
    let [mia, noor] = &mut others[..] else {
        unreachable!()
    };
    let hope = share(&app, mia, &slug, "Nobody eating alone on Sundays").await;
    let resonate = format!("/c/{slug}/vision/hopes/{hope}/resonate");
    olu.get(&format!("/c/{slug}/vision")).await;
    olu.post(&resonate, &[]).await;
    noor.get(&format!("/c/{slug}/vision")).await;
    noor.post(&resonate, &[]).await;

    let page = mia.get(&format!("/c/{slug}/vision")).await;
    let c = card(&page.body, hope);
    assert!(c.contains("resonates with 2"), "{c}");
    assert!(
        !c.contains("/resonate\""),
        "no button on one's own hope: {c}"
    );
    assert!(!c.contains("aria-pressed"), "{c}");
    assert!(
        c.contains("/edit\""),
        "her own hope's actions are still there: {c}"
    );

    // Pressing it anyway is refused, and changes nothing.
    let before = written(&app).await;
    mia.post(&resonate, &[])
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("your own hope");
    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn a_withdrawn_hope_or_one_of_another_can_is_not_found() {
    let (app, mut olu, mut others, slug) = team(&[("mia@example.org", "Mia")]).await;
    let mia = &mut others[0];
    let withdrawn = share(&app, mia, &slug, "A bench by the river").await;
    mia.post(&format!("/c/{slug}/vision/hopes/{withdrawn}/withdraw"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // Another CAN, with a hope of its own.
    let mut mal = app.member("mal@example.org", "Mal").await;
    start_can(&mut mal, "Hillside", "hillside", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let theirs = share(&app, &mut mal, "hillside", "A hillside orchard").await;

    olu.get(&format!("/c/{slug}/vision")).await;
    let before = written(&app).await;
    for path in [
        format!("/c/{slug}/vision/hopes/{withdrawn}/resonate"),
        format!("/c/{slug}/vision/hopes/{theirs}/resonate"),
        format!("/c/hillside/vision/hopes/{theirs}/resonate"),
        format!("/c/{slug}/vision/hopes/{}/resonate", Uuid::now_v7()),
        format!("/c/{slug}/vision/hopes/not-an-id/resonate"),
    ] {
        olu.post(&path, &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    assert_eq!(written(&app).await, before);
    // And Hillside's page is not reachable either way.
    olu.get("/c/hillside/vision")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_active_members_may_press_it() {
    let (app, _olu, mut others, slug) = team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("pat@example.org", "Pat"),
    ])
    .await;
    let [mia, noor, pat] = &mut others[..] else {
        unreachable!()
    };
    let hope = share(&app, mia, &slug, "Evening walks for anyone").await;
    let resonate = format!("/c/{slug}/vision/hopes/{hope}/resonate");
    noor.get(&format!("/c/{slug}/vision")).await;
    pat.get(&format!("/c/{slug}/vision")).await;
    sqlx::query("UPDATE memberships SET status = 'paused' WHERE member_id = $1")
        .bind(app.member_named("Noor").await)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE memberships SET status = 'left' WHERE member_id = $1")
        .bind(app.member_named("Pat").await)
        .execute(&app.db)
        .await
        .unwrap();

    // Paused: they may look (the count and the replies, no button) but not press.
    let page = noor.get(&format!("/c/{slug}/vision")).await;
    page.assert_status(StatusCode::OK);
    let c = card(&page.body, hope);
    assert!(!c.contains("/resonate\""), "{c}");
    assert!(
        c.contains(&format!("href=\"/c/{slug}/threads/hope/{hope}\"")),
        "{c}"
    );
    let before = written(&app).await;
    noor.post(&resonate, &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Someone who left is no member any more: the CAN's pages are not found for them, as
    // everywhere else in Canopy.
    pat.post(&resonate, &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn replies_and_discussions_count_only_visible_comments_and_link_to_their_threads() {
    let (app, mut olu, mut others, slug) = team(&[("mia@example.org", "Mia")]).await;
    let mia = &mut others[0];
    let can = can_id(&app, &slug).await;
    let (olu_id, mia_id) = (app.member_named("Olu").await, app.member_named("Mia").await);
    let talked = share(&app, mia, &slug, "A repair café once a month").await;
    let quiet = share(&app, mia, &slug, "Street trees watered in summer").await;
    let (responsibility, quiet_responsibility, meeting, quiet_meeting) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    for (id, title) in [
        (responsibility, "Book the hall"),
        (quiet_responsibility, "Keep the key"),
    ] {
        sqlx::query(
            "INSERT INTO responsibilities (id, can_id, title, kind, created_by)
             VALUES ($1, $2, $3, 'task', $4)",
        )
        .bind(id)
        .bind(can)
        .bind(title)
        .bind(olu_id)
        .execute(&app.db)
        .await
        .unwrap();
    }
    for id in [meeting, quiet_meeting] {
        sqlx::query(
            "INSERT INTO meetings (id, can_id, title, starts_at, ends_at)
             VALUES ($1, $2, 'Monthly meeting', now() + interval '2 days', now() + interval '2 days 1 hour')",
        )
        .bind(id)
        .bind(can)
        .execute(&app.db)
        .await
        .unwrap();
    }
    comments_on(&app, can, mia_id, olu_id, "hope_id", talked).await;
    comments_on(
        &app,
        can,
        mia_id,
        olu_id,
        "responsibility_id",
        responsibility,
    )
    .await;
    comments_on(&app, can, mia_id, olu_id, "meeting_id", meeting).await;
    assert_eq!(app.count("comments").await, 12);

    let before = written(&app).await;
    let comments = app.count("comments").await;

    // The vision page: "Replies (N)" under each hope, to its thread.
    let page = olu.get(&format!("/c/{slug}/vision")).await;
    page.assert_status(StatusCode::OK);
    let c = card(&page.body, talked);
    assert!(
        c.contains(&format!(
            "<a href=\"/c/{slug}/threads/hope/{talked}\">Replies (2)"
        )),
        "{c}"
    );
    let c = card(&page.body, quiet);
    assert!(
        c.contains(&format!(
            "<a href=\"/c/{slug}/threads/hope/{quiet}\">Replies (0)"
        )),
        "{c}"
    );

    // The responsibility's page: "Discussion (N)", and when the latest visible one was written.
    let page = olu
        .get(&format!("/c/{slug}/responsibilities/{responsibility}"))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains(&format!(
            "<a href=\"/c/{slug}/threads/responsibility/{responsibility}\">Discussion (2)</a>"
        ))
        .assert_contains("Z\">2 hours ago</time>");
    let page = olu
        .get(&format!(
            "/c/{slug}/responsibilities/{quiet_responsibility}"
        ))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains(&format!(
            "<a href=\"/c/{slug}/threads/responsibility/{quiet_responsibility}\">Discussion (0)</a>"
        ))
        .assert_lacks("<time datetime");

    // The meeting's page: the same.
    let page = mia.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains(&format!(
            "<a href=\"/c/{slug}/threads/meeting/{meeting}\">Discussion (2)</a>"
        ))
        .assert_contains("Z\">2 hours ago</time>");
    let page = mia
        .get(&format!("/c/{slug}/meetings/{quiet_meeting}"))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains(&format!(
            "<a href=\"/c/{slug}/threads/meeting/{quiet_meeting}\">Discussion (0)</a>"
        ))
        .assert_lacks("<time datetime");

    // Reading the pages wrote nothing.
    assert_eq!(written(&app).await, before);
    assert_eq!(app.count("comments").await, comments);
}
