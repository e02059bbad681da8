//! Notifications (issue 15, parts 3 and 4): preferences route each notification to an immediate
//! mail, the digest or nothing; immediate mails keep to the hourly limit and the rest fold into
//! one "meanwhile" mail; the inbox shows each person their own notifications only; the mail
//! settings save or refuse as a whole; one-click unsubscribe works without a session and only
//! for the person and kind it was signed for.

use axum::http::StatusCode;
use canopy::config::DEFAULT_MAIL_FROM;
use canopy::notifications::{self, Kind, Notice, Recipient, Scope};
use canopy::outbox::{self, Mailer};
use uuid::Uuid;

use crate::helpers::{Browser, TempDir, TestApp, can_with_member, start_can};

const BASE: &str = "http://localhost";

/// Tells `to` about `kind` in `can` (one notification each), as a service would in its
/// transaction. Returns the members a notification was written for.
async fn tell(app: &TestApp, kind: Kind, can: (Uuid, &str), key: &str, to: &[Uuid]) -> Vec<Uuid> {
    let notice = Notice {
        kind,
        can: Some(can),
        line: format!("Something about {key}"),
        link: format!("/things/{key}"),
        key: key.to_string(),
    };
    let recipients: Vec<Recipient> = to.iter().map(|m| Recipient::plain(*m)).collect();
    let mut tx = app.db.begin().await.unwrap();
    let written = notifications::notify(&mut tx, BASE, &notice, &recipients)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    written
}

async fn can_id(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn prefer(app: &TestApp, member: Uuid, kind: Kind, delivery: &str) {
    sqlx::query(
        "INSERT INTO notification_prefs (member_id, kind, delivery) VALUES ($1, $2, $3)
         ON CONFLICT (member_id, kind) DO UPDATE SET delivery = $3",
    )
    .bind(member)
    .bind(kind.as_str())
    .bind(delivery)
    .execute(&app.db)
    .await
    .unwrap();
}

async fn mails_to(app: &TestApp, email: &str) -> i64 {
    app.count(&format!("outbox WHERE to_address = '{email}'"))
        .await
}

async fn pref(app: &TestApp, member: Uuid, kind: Kind) -> Option<String> {
    sqlx::query_scalar("SELECT delivery FROM notification_prefs WHERE member_id = $1 AND kind = $2")
        .bind(member)
        .bind(kind.as_str())
        .fetch_optional(&app.db)
        .await
        .unwrap()
}

/// The unsubscribe path of the newest mail to `email`.
async fn unsubscribe_path_in_mail(app: &TestApp, email: &str) -> String {
    let url: String = sqlx::query_scalar(
        "SELECT unsubscribe_url FROM outbox WHERE to_address = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(&app.db)
    .await
    .unwrap();
    url.strip_prefix(BASE).unwrap().to_string()
}

/// Makes the last hour's notification mails two hours old, as if the hour had passed.
async fn an_hour_passes(app: &TestApp) {
    sqlx::query("UPDATE notification_mails SET sent_at = sent_at - interval '2 hours'")
        .execute(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn preferences_route_a_notification_to_a_mail_now_the_digest_or_nothing() {
    let (app, _olu, _mia, slug) = can_with_member("invite_only").await;
    let can = can_id(&app, &slug).await;
    let olu = app.member_id("olu@example.org").await;
    let mia = app.member_id("mia@example.org").await;
    let mut zoe_browser = app.member("zoe@example.org", "Zoe").await;
    zoe_browser.get("/").await;
    let zoe = app.member_id("zoe@example.org").await;
    // Olu keeps the default (at once), Mia wants the digest, Zoe nothing by mail.
    prefer(&app, mia, Kind::MeetingMoved, "digest").await;
    prefer(&app, zoe, Kind::MeetingMoved, "off").await;

    let written = tell(
        &app,
        Kind::MeetingMoved,
        (can, "Riverside Neighbours"),
        "moved-1",
        &[olu, mia, zoe, olu],
    )
    .await;
    assert_eq!(written.len(), 3, "one each, Olu listed twice counts once");
    let rows: Vec<(Uuid, String, bool)> = sqlx::query_as(
        "SELECT member_id, delivery, mailed_at IS NOT NULL FROM notifications ORDER BY delivery",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            (mia, "digest".to_string(), false),
            (olu, "now".to_string(), true),
            (zoe, "off".to_string(), false),
        ]
    );
    assert_eq!(mails_to(&app, "olu@example.org").await, 1);
    assert_eq!(mails_to(&app, "mia@example.org").await, 0);
    assert_eq!(mails_to(&app, "zoe@example.org").await, 0);

    // The same event again (a retried change) writes nothing twice.
    let again = tell(
        &app,
        Kind::MeetingMoved,
        (can, "Riverside Neighbours"),
        "moved-1",
        &[olu, mia, zoe],
    )
    .await;
    assert!(again.is_empty());
    assert_eq!(app.count("notifications").await, 3);
    assert_eq!(app.count("outbox").await, 1);

    // The mail: the CAN leads the subject; text and HTML; the one-click unsubscribe address.
    let (subject, html, unsubscribe): (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT subject, body_html, unsubscribe_url FROM outbox")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(subject, "[Riverside Neighbours] Something about moved-1");
    assert!(html.unwrap().contains("http://localhost/things/moved-1"));
    let unsubscribe = unsubscribe.unwrap();
    assert!(
        unsubscribe.starts_with(&format!(
            "http://localhost/unsubscribe/{olu}/meeting_moved/"
        )),
        "{unsubscribe}"
    );

    // As the folder mailer writes it: multipart/alternative with the RFC 8058 headers.
    let dir = TempDir::new("notify-mail");
    let mailer = Mailer::folder(&dir.0, DEFAULT_MAIL_FROM).unwrap();
    assert_eq!(outbox::run_once(&app.db, &mailer, 10).await.unwrap(), 1);
    let file = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "eml"))
        .expect("an .eml file");
    let eml = std::fs::read_to_string(file).unwrap();
    let head = eml
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    assert!(
        head.contains(&format!("List-Unsubscribe: <{unsubscribe}>")),
        "{head}"
    );
    assert!(
        head.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{head}"
    );
    assert!(eml.contains("multipart/alternative"), "{eml}");
    assert!(
        eml.contains("text/plain") && eml.contains("text/html"),
        "{eml}"
    );
}

#[tokio::test]
async fn the_fourth_mail_in_an_hour_waits_and_goes_out_once_folded_when_the_hour_allows() {
    let (app, _olu, _mia, slug) = can_with_member("invite_only").await;
    let can = (can_id(&app, &slug).await, "Riverside Neighbours");
    let mia = app.member_id("mia@example.org").await;
    for n in 1..=4 {
        tell(&app, Kind::OfferMade, can, &format!("ask-{n}"), &[mia]).await;
    }
    assert_eq!(mails_to(&app, "mia@example.org").await, 3, "three at once");
    let waiting: Vec<String> = sqlx::query_scalar(
        "SELECT line FROM notifications WHERE member_id = $1 AND mailed_at IS NULL",
    )
    .bind(mia)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(waiting, vec!["Something about ask-4".to_string()]);

    // Within the hour the clock sends nothing.
    let none = notifications::jobs::tick(&app.db, BASE).await.unwrap();
    assert_eq!(none, notifications::jobs::Folded::default());
    // A fifth waits behind the fourth (their order is kept).
    tell(&app, Kind::MeetingMoved, can, "moved-5", &[mia]).await;
    assert_eq!(mails_to(&app, "mia@example.org").await, 3);

    // The hour passes: two instances tick at once, and one mail carries both.
    an_hour_passes(&app).await;
    let (a, b) = tokio::join!(
        notifications::jobs::tick(&app.db, BASE),
        notifications::jobs::tick(&app.db, BASE)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.mails + b.mails, 1, "{a:?} {b:?}");
    assert_eq!(a.notifications + b.notifications, 2);
    assert_eq!(mails_to(&app, "mia@example.org").await, 4);
    let (subject, body, html, unsubscribe): (String, String, Option<String>, Option<String>) =
        sqlx::query_as(
            "SELECT subject, body_text, body_html, unsubscribe_url FROM outbox
             WHERE dedupe_key LIKE 'meanwhile:%'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(subject, "[Riverside Neighbours] 2 more things in Canopy");
    assert!(body.starts_with("While you were away…"), "{body}");
    assert!(
        body.contains(
            "[Riverside Neighbours] Something about ask-4\n  http://localhost/things/ask-4"
        ),
        "{body}"
    );
    assert!(body.contains("http://localhost/things/moved-5"), "{body}");
    assert!(
        html.unwrap()
            .contains("href=\"http://localhost/things/ask-4\"")
    );
    assert!(
        unsubscribe
            .unwrap()
            .starts_with(&format!("http://localhost/unsubscribe/{mia}/all/"))
    );
    let carried: Vec<i32> = sqlx::query_scalar(
        "SELECT carried FROM notification_mails WHERE member_id = $1 AND sent_at > now() - interval '1 hour'",
    )
    .bind(mia)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(carried, vec![2]);
    assert_eq!(
        app.count("notifications WHERE mailed_at IS NULL").await,
        0,
        "everything went out"
    );

    // Ticking again sends nothing twice.
    let again = notifications::jobs::tick(&app.db, BASE).await.unwrap();
    assert_eq!(again, notifications::jobs::Folded::default());
    assert_eq!(mails_to(&app, "mia@example.org").await, 4);
}

#[tokio::test]
async fn a_kind_turned_off_before_its_fold_is_not_folded() {
    let (app, _olu, _mia, slug) = can_with_member("invite_only").await;
    let can = (can_id(&app, &slug).await, "Riverside Neighbours");
    let mia = app.member_id("mia@example.org").await;
    for n in 1..=3 {
        tell(&app, Kind::MeetingMoved, can, &format!("moved-{n}"), &[mia]).await;
    }
    tell(&app, Kind::OfferMade, can, "ask-waits", &[mia]).await;
    assert_eq!(app.count("notifications WHERE mailed_at IS NULL").await, 1);
    // Mia stops mails about asks from the link in an earlier ask's mail (any one of hers works).
    let key = notifications::link_key(&app.db).await.unwrap();
    let path = notifications::unsubscribe_path(&key, mia, Scope::Kind(Kind::OfferMade));
    app.browser()
        .post_raw(&path, b"List-Unsubscribe=One-Click".to_vec(), &[])
        .await
        .assert_status(StatusCode::OK);
    an_hour_passes(&app).await;
    let folded = notifications::jobs::tick(&app.db, BASE).await.unwrap();
    assert_eq!(folded, notifications::jobs::Folded::default());
    assert_eq!(mails_to(&app, "mia@example.org").await, 3);
    // It is still in her inbox.
    let delivery: String =
        sqlx::query_scalar("SELECT delivery FROM notifications WHERE line LIKE '%ask-waits'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(delivery, "off");
}

/// Two people in two CANs, each told something of their own.
async fn two_people_two_cans() -> (TestApp, Browser, Browser, Uuid, Uuid, Uuid, Uuid) {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside", "riverside", "invite_only").await;
    let mut mal = app.member("mal@example.org", "Mal").await;
    start_can(&mut mal, "Hillside", "hillside", "invite_only").await;
    let (olu_id, mal_id) = (
        app.member_id("olu@example.org").await,
        app.member_id("mal@example.org").await,
    );
    let riverside = can_id(&app, "riverside").await;
    let hillside = can_id(&app, "hillside").await;
    tell(
        &app,
        Kind::OfferMade,
        (riverside, "Riverside"),
        "olus-ask",
        &[olu_id],
    )
    .await;
    tell(
        &app,
        Kind::PollOpened,
        (riverside, "Riverside"),
        "olus-poll",
        &[olu_id],
    )
    .await;
    tell(
        &app,
        Kind::OfferMade,
        (hillside, "Hillside"),
        "mals-ask",
        &[mal_id],
    )
    .await;
    let id = |line: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>("SELECT id FROM notifications WHERE line = $1")
                .bind(line)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let olus = id("Something about olus-ask").await;
    let mals = id("Something about mals-ask").await;
    (app, olu, mal, olu_id, mal_id, olus, mals)
}

#[tokio::test]
async fn each_person_sees_only_their_own_notifications_and_cannot_open_anothers() {
    let (app, mut olu, mut mal, _olu_id, _mal_id, olus, mals) = two_people_two_cans().await;
    let page = olu.get("/notifications").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Something about olus-ask")
        .assert_contains("Something about olus-poll")
        .assert_contains("<strong>Riverside</strong>")
        .assert_contains("New<span class=\"visually-hidden\">, unread:</span>")
        .assert_contains(&format!("action=\"/notifications/{olus}/open\""))
        .assert_lacks("mals-ask")
        .assert_lacks("Hillside");
    let page = mal.get("/notifications").await;
    page.assert_contains("Something about mals-ask")
        .assert_lacks("olus-");

    // Opening Mal's notification as Olu: not found, and it stays unread.
    olu.post(&format!("/notifications/{mals}/open"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    for bad in ["not-an-id", "00000000-0000-0000-0000-000000000000"] {
        olu.post(&format!("/notifications/{bad}/open"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.count("notifications WHERE read_at IS NOT NULL").await,
        0
    );

    // Opening his own marks it read and goes where it points.
    let opened = olu.post(&format!("/notifications/{olus}/open"), &[]).await;
    opened.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(opened.location(), Some("/things/olus-ask"));
    let read: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM notifications WHERE read_at IS NOT NULL")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(read, vec![olus]);
    // Mal's read-all marks only his own.
    mal.get("/notifications").await;
    mal.post("/notifications/read-all", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("notifications WHERE read_at IS NULL").await, 1);
    olu.get("/notifications")
        .await
        .assert_contains("Something about olus-poll")
        .assert_contains("Mark all read");
}

#[tokio::test]
async fn the_header_counts_unread_until_all_are_marked_read() {
    let (app, mut olu, _mal, olu_id, _mal_id, _olus, _mals) = two_people_two_cans().await;
    let home = olu.get("/").await;
    home.assert_contains(
        "Notifications <span class=\"badge\">2<span class=\"visually-hidden\"> unread</span>",
    );
    olu.get("/notifications").await;
    let done = olu.post("/notifications/read-all", &[]).await;
    done.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(done.location(), Some("/notifications"));
    let page = olu.get("/notifications").await;
    page.assert_contains("2 notifications marked read.")
        .assert_lacks("Notifications <span class=\"badge\">")
        .assert_lacks("Mark all read")
        .assert_lacks("New<span");
    let unread: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE member_id = $1 AND read_at IS NULL",
    )
    .bind(olu_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(unread, 0);
}

#[tokio::test]
async fn mark_all_read_leaves_what_arrived_after_the_page_was_shown() {
    let (app, mut olu, _mal, olu_id, _mal_id, _olus, _mals) = two_people_two_cans().await;
    let riverside = can_id(&app, "riverside").await;
    let page = olu.get("/notifications").await;
    let upto = page
        .input_value("upto")
        .expect("the form names the newest shown");
    tell(
        &app,
        Kind::RoundOpened,
        (riverside, "Riverside"),
        "later",
        &[olu_id],
    )
    .await;
    olu.post("/notifications/read-all", &[("upto", &upto)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let unread: Vec<String> = sqlx::query_scalar(
        "SELECT line FROM notifications WHERE member_id = $1 AND read_at IS NULL",
    )
    .bind(olu_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(unread, vec!["Something about later".to_string()]);
}

#[tokio::test]
async fn an_empty_inbox_says_so_and_pages_go_back_in_time() {
    let app = TestApp::new().await;
    let mut kim = app.member("kim@example.org", "Kim").await;
    kim.get("/notifications")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Nothing here yet.")
        .assert_contains("href=\"/notifications/settings\"");
    // Signed out: sent to sign in.
    let signed_out = app.browser().get("/notifications").await;
    signed_out.assert_status(StatusCode::SEE_OTHER);

    // 120 notifications: 50 a page, newest first, then older ones.
    let kim_id = app.member_id("kim@example.org").await;
    sqlx::query(
        "INSERT INTO notifications (id, member_id, kind, line, link, delivery, dedupe_key, created_at)
         SELECT gen_random_uuid(), $1, 'reach_out', 'Note number ' || i, '/', 'off', 'n' || i,
                now() - make_interval(mins => 200 - i)
         FROM generate_series(1, 120) AS i",
    )
    .bind(kim_id)
    .execute(&app.db)
    .await
    .unwrap();
    let first = kim.get("/notifications").await;
    first
        .assert_contains("Note number 120<")
        .assert_contains("Note number 71<")
        .assert_lacks("Note number 70<");
    let older = first
        .body
        .split("href=\"/notifications?before=")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("an older link")
        .to_string();
    let second = kim.get(&format!("/notifications?before={older}")).await;
    second
        .assert_contains("Note number 70<")
        .assert_contains("Note number 21<")
        .assert_lacks("Note number 71<");
    // A cursor we did not write shows the first page, never an error.
    for bad in ["nonsense", "1.2", "99999999999999999999.x", "%00"] {
        kim.get(&format!("/notifications?before={bad}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Note number 120<");
    }
}

#[tokio::test]
async fn settings_save_every_choice_together_or_refuse_with_the_input_kept() {
    let app = TestApp::new().await;
    let mut kim = app.member("kim@example.org", "Kim").await;
    let kim_id = app.member_id("kim@example.org").await;
    let page = kim.get("/notifications/settings").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<legend>You are asked to carry something, or offered a hand-off</legend>")
        .assert_contains("<h2 id=\"group-1\">Asks and answers</h2>")
        .assert_contains("id=\"offer_made\" name=\"offer_made\" value=\"now\" checked")
        .assert_contains(
            "id=\"round_closed-digest\" name=\"round_closed\" value=\"digest\" checked",
        )
        .assert_contains("id=\"weekly_digest\" name=\"weekly_digest\" value=\"yes\" checked");

    // A value we do not offer: 422, the message beside the field, the rest as sent, nothing saved.
    let refused = kim
        .post(
            "/notifications/settings",
            &[
                ("offer_made", "loud"),
                ("poll_opened", "off"),
                ("weekly_digest", "no"),
            ],
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.field_error("offer_made").as_deref(),
        Some("Choose one: a mail at once, the weekly digest, or not by mail.")
    );
    refused
        .assert_contains("id=\"poll_opened-off\" name=\"poll_opened\" value=\"off\" checked")
        .assert_contains("id=\"weekly_digest-no\" name=\"weekly_digest\" value=\"no\" checked");
    assert_eq!(app.count("notification_prefs").await, 0);
    let digest: bool = sqlx::query_scalar("SELECT weekly_digest FROM members WHERE id = $1")
        .bind(kim_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(digest, "nothing half-saved");

    // Saved: a choice other than the default is stored; the default needs no row.
    let saved = kim
        .post(
            "/notifications/settings",
            &[
                ("offer_made", "off"),
                ("poll_opened", "digest"),
                ("round_closed", "digest"),
                ("weekly_digest", "no"),
            ],
        )
        .await;
    saved.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        pref(&app, kim_id, Kind::OfferMade).await.as_deref(),
        Some("off")
    );
    assert_eq!(
        pref(&app, kim_id, Kind::PollOpened).await.as_deref(),
        Some("digest")
    );
    assert_eq!(pref(&app, kim_id, Kind::RoundClosed).await, None);
    let page = kim.get("/notifications/settings").await;
    page.assert_contains("Your mail settings are saved.")
        .assert_contains("id=\"offer_made-off\" name=\"offer_made\" value=\"off\" checked")
        .assert_contains("id=\"weekly_digest-no\" name=\"weekly_digest\" value=\"no\" checked");
    // Back to the default: the row goes.
    kim.post("/notifications/settings", &[("offer_made", "now")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(pref(&app, kim_id, Kind::OfferMade).await, None);
    assert_eq!(
        pref(&app, kim_id, Kind::PollOpened).await.as_deref(),
        Some("digest")
    );

    // The profile shows the digest and links here; its own form no longer changes it.
    let profile = kim.get("/account/profile").await;
    profile
        .assert_contains("The weekly digest is off.")
        .assert_contains("href=\"/notifications/settings\"")
        .assert_lacks("name=\"weekly_digest\"");
}

#[tokio::test]
async fn one_click_unsubscribe_works_without_a_session_for_its_person_and_kind_only() {
    let (app, _olu, _mia, slug) = can_with_member("invite_only").await;
    let can = (can_id(&app, &slug).await, "Riverside Neighbours");
    let olu = app.member_id("olu@example.org").await;
    let mia = app.member_id("mia@example.org").await;
    tell(&app, Kind::PollOpened, can, "poll-1", &[mia]).await;
    let path = unsubscribe_path_in_mail(&app, "mia@example.org").await;
    assert!(path.starts_with(&format!("/unsubscribe/{mia}/poll_opened/")));

    // Opening the link (a mail scanner does) only asks; it shows nothing about Mia.
    let mut provider = app.browser();
    let page = provider.get(&path).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Stop mails about “A poll for a meeting time opens”?")
        .assert_lacks("Mia")
        .assert_lacks("mia@example.org");
    assert_eq!(
        app.count("notification_prefs").await,
        0,
        "a GET writes nothing"
    );

    // Forged, altered or someone else's: not found, nothing written.
    let sig = path.rsplit('/').next().unwrap().to_string();
    let mut altered = sig.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    let key = notifications::link_key(&app.db).await.unwrap();
    let nobody = Uuid::now_v7();
    for bad in [
        format!("/unsubscribe/{mia}/poll_opened/{altered}"),
        format!("/unsubscribe/{mia}/meeting_moved/{sig}"),
        format!("/unsubscribe/{mia}/all/{sig}"),
        format!("/unsubscribe/{mia}/nonsense/{sig}"),
        // Mia's token on Olu: it cannot change Olu's mails.
        format!("/unsubscribe/{olu}/poll_opened/{sig}"),
        // Signed right, but for nobody we know.
        notifications::unsubscribe_path(&key, nobody, Scope::All),
        "/unsubscribe/not-an-id/all/x".to_string(),
    ] {
        let mut stranger = app.browser();
        stranger
            .get(&bad)
            .await
            .assert_status(StatusCode::NOT_FOUND);
        stranger
            .post_raw(&bad, b"List-Unsubscribe=One-Click".to_vec(), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    assert_eq!(app.count("notification_prefs").await, 0);

    // The mail provider's POST: no cookie, no CSRF token, the RFC 8058 body.
    let mut provider = app.browser();
    let done = provider
        .post_raw(&path, b"List-Unsubscribe=One-Click".to_vec(), &[])
        .await;
    done.assert_status(StatusCode::OK)
        .assert_contains("You will no longer get mails about “A poll for a meeting time opens”")
        .assert_contains("href=\"/notifications/settings\"");
    assert_eq!(
        pref(&app, mia, Kind::PollOpened).await.as_deref(),
        Some("off")
    );
    assert_eq!(
        pref(&app, olu, Kind::PollOpened).await,
        None,
        "Olu unchanged"
    );
    // Any body at all, and again: still done, nothing else changes.
    app.browser()
        .post_raw(
            &path,
            b"\xff\xfe anything".to_vec(),
            &[("content-type", "text/plain")],
        )
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(app.count("notification_prefs").await, 1);

    // The next poll reaches Mia's inbox, not her mailbox.
    let before = mails_to(&app, "mia@example.org").await;
    tell(&app, Kind::PollOpened, can, "poll-2", &[mia]).await;
    assert_eq!(mails_to(&app, "mia@example.org").await, before);
    let delivery: String =
        sqlx::query_scalar("SELECT delivery FROM notifications WHERE line LIKE '%poll-2'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(delivery, "off");
    // Other kinds still come.
    tell(&app, Kind::MeetingMoved, can, "moved-1", &[mia]).await;
    assert_eq!(mails_to(&app, "mia@example.org").await, before + 1);
}

#[tokio::test]
async fn unsubscribing_from_everything_turns_off_every_kind_and_the_digest() {
    let (app, _olu, _mia, _slug) = can_with_member("invite_only").await;
    let mia = app.member_id("mia@example.org").await;
    let key = notifications::link_key(&app.db).await.unwrap();
    let path = notifications::unsubscribe_path(&key, mia, Scope::All);
    app.browser()
        .get(&path)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Stop all mails about your CANs?");
    app.browser()
        .post_raw(&path, b"List-Unsubscribe=One-Click".to_vec(), &[])
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("nor the weekly digest");
    let off: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notification_prefs WHERE member_id = $1 AND delivery = 'off'",
    )
    .bind(mia)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(off, Kind::ALL.len() as i64);
    let digest: bool = sqlx::query_scalar("SELECT weekly_digest FROM members WHERE id = $1")
        .bind(mia)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(!digest);
    let olu = app.member_id("olu@example.org").await;
    let olus_digest: bool = sqlx::query_scalar("SELECT weekly_digest FROM members WHERE id = $1")
        .bind(olu)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(olus_digest, "only Mia's mails changed");
}

#[tokio::test]
async fn the_inbox_takes_the_same_statements_for_five_notifications_as_for_four_hundred() {
    let app = TestApp::new().await;
    let mut few = app.member("few@example.org", "Few").await;
    let mut many = app.member("many@example.org", "Many").await;
    let mut hillside = app.member("hill@example.org", "Hill").await;
    start_can(&mut hillside, "Hillside", "hillside", "invite_only").await;
    let can = can_id(&app, "hillside").await;
    for (email, n) in [("few@example.org", 5), ("many@example.org", 400)] {
        let member = app.member_id(email).await;
        sqlx::query(
            "INSERT INTO notifications (id, member_id, can_id, kind, line, link, delivery, dedupe_key, created_at)
             SELECT gen_random_uuid(), $1, $2, 'poll_opened', 'Poll number ' || i, '/', 'off', 'p' || i,
                    now() - make_interval(mins => i)
             FROM generate_series(1, $3) AS i",
        )
        .bind(member)
        .bind(can)
        .bind(n)
        .execute(&app.db)
        .await
        .unwrap();
    }
    let a = crate::budget::statements_on(&app, &mut few, "/notifications").await;
    let b = crate::budget::statements_on(&app, &mut many, "/notifications").await;
    assert_eq!(a, b, "a statement per notification?");
    assert!(a <= 10, "{a} statements");
    let page = many.get("/notifications").await;
    page.assert_contains("Older notifications");
}

/// Olu opens a poll (Tuesdays or Saturdays) through the real form (a real event of the app).
async fn open_poll(olu: &mut Browser, slug: &str, title: &str) {
    olu.get(&format!("/c/{slug}/meetings/polls/new"))
        .await
        .assert_status(StatusCode::OK);
    olu.post(
        &format!("/c/{slug}/meetings/polls"),
        &[
            ("title", title),
            ("duration_minutes", "60"),
            ("weekday", "TU"),
            ("time", "19:00"),
            ("weekday", "SA"),
            ("time", "10:00"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_real_event_reaches_the_inbox_opens_its_page_and_its_mail_unsubscribes_in_one_click() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let mia_id = app.member_id("mia@example.org").await;
    open_poll(&mut olu, &slug, "Planning").await;
    let poll: Uuid = sqlx::query_scalar("SELECT id FROM time_polls WHERE title = 'Planning'")
        .fetch_one(&app.db)
        .await
        .unwrap();

    // Mia sees it in the header and her inbox, with the CAN's name; Olu (who acted) does not.
    let page = mia.get("/notifications").await;
    page.assert_contains("Notifications <span class=\"badge\">1")
        .assert_contains("<strong>Riverside Neighbours</strong>")
        .assert_contains("Olu asks when “Planning” should meet");
    olu.get("/notifications")
        .await
        .assert_contains("Nothing here yet.");
    let id: Uuid = sqlx::query_scalar("SELECT id FROM notifications WHERE member_id = $1")
        .bind(mia_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let opened = mia.post(&format!("/notifications/{id}/open"), &[]).await;
    opened.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        opened.location(),
        Some(format!("/c/{slug}/meetings/polls/{poll}").as_str())
    );
    mia.get("/notifications")
        .await
        .assert_lacks("Notifications <span class=\"badge\">");

    // The mail she got carries her one-click link; her mail provider uses it.
    assert_eq!(mails_to(&app, "mia@example.org").await, 1);
    let path = unsubscribe_path_in_mail(&app, "mia@example.org").await;
    app.browser()
        .post_raw(&path, b"List-Unsubscribe=One-Click".to_vec(), &[])
        .await
        .assert_status(StatusCode::OK);
    open_poll(&mut olu, &slug, "Summer party").await;
    assert_eq!(
        mails_to(&app, "mia@example.org").await,
        1,
        "the next poll is in her inbox only"
    );
    mia.get("/notifications")
        .await
        .assert_contains("Olu asks when “Summer party” should meet");
}

#[tokio::test]
async fn a_digest_link_stops_the_weekly_digest_and_nothing_else() {
    let (app, _olu, _mia, _slug) = can_with_member("invite_only").await;
    let mia = app.member_id("mia@example.org").await;
    let key = notifications::link_key(&app.db).await.unwrap();
    let path = notifications::unsubscribe_path(&key, mia, Scope::Digest);
    app.browser()
        .get(&path)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Stop the weekly digest?");
    app.browser()
        .post_raw(&path, b"List-Unsubscribe=One-Click".to_vec(), &[])
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("You will no longer get the weekly digest.");
    let digest: bool = sqlx::query_scalar("SELECT weekly_digest FROM members WHERE id = $1")
        .bind(mia)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(!digest);
    assert_eq!(
        app.count("notification_prefs").await,
        0,
        "every kind as it was"
    );
}

#[tokio::test]
async fn the_inbox_shows_a_notifications_fuller_text_to_its_person_whether_or_not_it_was_mailed() {
    let (app, mut olu, mut mal, olu_id, _mal_id, _olus, _mals) = two_people_two_cans().await;
    // Olu gets reach-outs in the digest only: the word must still reach him, in the inbox.
    prefer(&app, olu_id, Kind::ReachOut, "digest").await;
    let riverside = can_id(&app, "riverside").await;
    let notice = Notice {
        kind: Kind::ReachOut,
        can: Some((riverside, "Riverside")),
        line: "Mia from Riverside is thinking of you".into(),
        link: "/c/riverside".into(),
        key: "reach-out-word".into(),
    };
    let word = "We missed you on Tuesday.\n\nSoup at mine on Friday? <b>bring bread</b>";
    let mailed_before = mails_to(&app, "olu@example.org").await;
    let mut tx = app.db.begin().await.unwrap();
    notifications::notify(
        &mut tx,
        BASE,
        &notice,
        &[Recipient::with_detail(olu_id, word.into())],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(mails_to(&app, "olu@example.org").await, mailed_before);
    olu.get("/notifications")
        .await
        .assert_contains("<summary>More<span class=\"visually-hidden\"> about: Mia from Riverside is thinking of you</span></summary>")
        .assert_contains("<p>We missed you on Tuesday.</p>")
        // Escaped, never markup.
        .assert_contains("<p>Soup at mine on Friday? &#60;b&#62;bring bread&#60;/b&#62;</p>");
    mal.get("/notifications")
        .await
        .assert_lacks("We missed you")
        .assert_lacks("thinking of you");
}

#[tokio::test]
async fn a_cursor_outside_the_calendar_the_database_holds_shows_the_first_page() {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    for cursor in [
        "-220000000000000000.0190a0a0-0000-7000-8000-000000000000",
        "253402300800000000.0190a0a0-0000-7000-8000-000000000000",
    ] {
        olu.get(&format!("/notifications?before={cursor}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Nothing here yet");
        olu.post("/notifications/read-all", &[("upto", cursor)])
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
}
