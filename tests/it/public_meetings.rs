//! Meetings open to the neighbourhood (issue 14): a listed CAN opens a series or a meeting, a
//! signed-out visitor sees it on the public page and says "I'll come" with a name and an address,
//! confirms through the mailed link (whose GET changes nothing), and the facilitator sees the guest
//! on the meeting page and the sign-in sheet; reminders, cancelling and forgetting; invite-only
//! CANs expose nothing; limits, bad input and other CANs' ids.

use axum::http::StatusCode;
use chrono::Utc;
use uuid::Uuid;

use crate::helpers::{Browser, Page, TestApp, can_with_member, own_address, start_can};

const EXPECT: &str = "Tea first, then a round of names. Nobody has to speak.";

fn next_tuesday() -> String {
    let today = Utc::now().date_naive();
    canopy::meetings::recurrence::next_weekday(
        today + chrono::Duration::days(1),
        chrono::Weekday::Tue,
    )
    .format("%Y-%m-%d")
    .to_string()
}

/// Olu schedules the weekly circle (Tuesdays 19:00 from next week, in the community hall);
/// returns the series and its first meeting.
async fn weekly_circle(app: &TestApp, olu: &mut Browser, slug: &str) -> (Uuid, Uuid) {
    olu.get(&format!("/c/{slug}/meetings/new"))
        .await
        .assert_status(StatusCode::OK);
    let starts = next_tuesday();
    olu.post(
        &format!("/c/{slug}/meetings"),
        &[
            ("title", "Weekly circle"),
            ("repeat", "weekly"),
            ("interval", "1"),
            ("weekday", "TU"),
            ("nth", "2"),
            ("month_day", "1"),
            ("starts_on", starts.as_str()),
            ("start_time", "19:00"),
            ("duration_minutes", "90"),
            ("until_on", ""),
            ("location", "The community hall"),
            ("agenda_template", "Check-in round"),
            ("rotate_roles", "yes"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    sqlx::query_as(
        "SELECT g.series_id, g.id FROM meetings g JOIN cans c ON c.id = g.can_id
         WHERE c.slug = $1 AND g.series_id IS NOT NULL ORDER BY g.starts_at LIMIT 1",
    )
    .bind(slug)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// Olu opens the series to the neighbourhood through its settings page.
async fn open_series(olu: &mut Browser, slug: &str, series: Uuid) -> Page {
    let path = format!("/c/{slug}/meetings/series/{series}/public");
    olu.get(&path).await.assert_status(StatusCode::OK);
    olu.post(
        &path,
        &[("open_to_public", "yes"), ("what_to_expect", EXPECT)],
    )
    .await
}

/// A listed CAN (Olu organises, Mia is a member) whose weekly circle is open to the
/// neighbourhood. Returns (app, Olu, Mia, slug, series, first meeting).
async fn open_circle() -> (TestApp, Browser, Browser, String, Uuid, Uuid) {
    let (app, mut olu, mia, slug) = can_with_member("listed").await;
    let (series, meeting) = weekly_circle(&app, &mut olu, &slug).await;
    open_series(&mut olu, &slug, series)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    (app, olu, mia, slug, series, meeting)
}

/// A signed-out visitor from an address of their own.
fn visitor(app: &TestApp) -> Browser {
    let mut b = app.browser();
    b.address = Some(own_address());
    b
}

async fn say_ill_come(b: &mut Browser, slug: &str, meeting: Uuid, name: &str, email: &str) -> Page {
    let path = format!("/c/{slug}/visit/{meeting}");
    b.get(&path).await.assert_status(StatusCode::OK);
    b.post(&path, &[("name", name), ("email", email)]).await
}

/// A visitor who said "I'll come" and confirmed through the mailed link; returns them and the link.
async fn confirmed_guest(
    app: &TestApp,
    slug: &str,
    meeting: Uuid,
    name: &str,
    email: &str,
) -> (Browser, String) {
    let mut b = visitor(app);
    say_ill_come(&mut b, slug, meeting, name, email)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let (_, confirmation) = last_mail(app, email).await;
    let link = link_in(&confirmation, "/guests/");
    b.get(&link).await;
    b.post(&format!("{link}/confirm"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    (b, link)
}

/// Puts the meeting 20 hours from now, inside the reminder's day, as the clock would find it.
async fn due_in_20_hours(app: &TestApp, meeting: Uuid) {
    sqlx::query(
        "UPDATE meetings SET starts_at = now() + interval '20 hours', ends_at = now() + interval '21 hours'
         WHERE id = $1",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
}

/// The newest mail to `to`: (subject, body).
async fn last_mail(app: &TestApp, to: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT subject, body_text FROM outbox WHERE to_address = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// The first link in `body` whose path contains `part`, as a path on our app.
fn link_in(body: &str, part: &str) -> String {
    body.lines()
        .map(str::trim)
        .find(|l| l.starts_with("http://localhost/") && l.contains(part))
        .unwrap_or_else(|| panic!("no link with {part:?} in:\n{body}"))
        .trim_start_matches("http://localhost")
        .to_string()
}

/// (confirmed, cancelled, reminded) of the guest with this address.
async fn guest_state(app: &TestApp, email: &str) -> (bool, bool, bool) {
    sqlx::query_as(
        "SELECT confirmed_at IS NOT NULL, cancelled_at IS NOT NULL, reminder_sent_at IS NOT NULL
         FROM meeting_guests WHERE lower(email) = lower($1)",
    )
    .bind(email)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn opening_a_series_in_a_listed_can_shows_its_meetings_to_visitors() {
    let (app, mut olu, mut mia, slug) = can_with_member("listed").await;
    let (series, meeting) = weekly_circle(&app, &mut olu, &slug).await;
    let mut sam = visitor(&app);
    sam.get(&format!("/c/{slug}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("Meetings you can come to");
    sam.get(&format!("/c/{slug}/visit/{meeting}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // A plain member may not open it; the facilitators' link is on the series page.
    mia.get(&format!("/c/{slug}/meetings/series/{series}/public"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    olu.get(&format!("/c/{slug}/meetings/series/{series}"))
        .await
        .assert_contains(&format!("/c/{slug}/meetings/series/{series}/public"));
    let saved = open_series(&mut olu, &slug, series).await;
    saved.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location(),
        Some(format!("/c/{slug}/meetings/series/{series}").as_str())
    );
    olu.get(&format!("/c/{slug}/meetings/series/{series}/public"))
        .await
        .assert_contains(" checked")
        .assert_contains(EXPECT);

    let page = sam.get(&format!("/c/{slug}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Meetings you can come to")
        .assert_contains("Weekly circle")
        .assert_contains("19:00–20:30")
        .assert_contains("(Europe/London)")
        .assert_contains("The community hall")
        .assert_contains(EXPECT)
        .assert_contains(&format!("/c/{slug}/visit/{meeting}"))
        .assert_contains(&format!("/c/{slug}/public.ics"))
        .assert_contains("Add to your calendar");
    // Eight weeks of Tuesdays, not the whole materialised horizon.
    let listed = page.body.matches(&format!("/c/{slug}/visit/")).count();
    assert!((7..=8).contains(&listed), "{listed} meetings listed");

    // A cancelled occurrence is not offered.
    olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    olu.post(&format!("/c/{slug}/meetings/{meeting}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    sam.get(&format!("/c/{slug}"))
        .await
        .assert_lacks(&format!("/c/{slug}/visit/{meeting}"));
    sam.get(&format!("/c/{slug}/visit/{meeting}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // The meeting page says it is open; the activity log says who opened it.
    let second: Uuid = sqlx::query_scalar(
        "SELECT id FROM meetings WHERE series_id = $1 AND status = 'scheduled' ORDER BY starts_at LIMIT 1",
    )
    .bind(series)
    .fetch_one(&app.db)
    .await
    .unwrap();
    mia.get(&format!("/c/{slug}/meetings/{second}"))
        .await
        .assert_contains("Open to the neighbourhood");
    olu.get(&format!("/c/{slug}/activity"))
        .await
        .assert_contains("Olu opened “Weekly circle” to the neighbourhood");
    // Saving it again unchanged writes no second line.
    open_series(&mut olu, &slug, series)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("activity_log WHERE action = 'series.public'")
            .await,
        1
    );
}

#[tokio::test]
async fn one_meeting_can_be_opened_alone_without_its_series() {
    let (app, mut olu, _mia, slug) = can_with_member("listed").await;
    let (_series, meeting) = weekly_circle(&app, &mut olu, &slug).await;
    let path = format!("/c/{slug}/meetings/{meeting}/public");
    olu.get(&format!("/c/{slug}/meetings/{meeting}"))
        .await
        .assert_contains(&path);
    olu.get(&path).await.assert_status(StatusCode::OK);
    olu.post(
        &path,
        &[
            ("open_to_public", "yes"),
            ("what_to_expect", "Just this once."),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = visitor(&app).get(&format!("/c/{slug}")).await;
    page.assert_contains("Just this once.");
    assert_eq!(page.body.matches(&format!("/c/{slug}/visit/")).count(), 1);

    // Closing it again is always allowed.
    olu.get(&path).await;
    olu.post(&path, &[("what_to_expect", "")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    visitor(&app)
        .get(&format!("/c/{slug}"))
        .await
        .assert_lacks("Meetings you can come to");
}

#[tokio::test]
async fn invite_only_cans_expose_nothing() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let (series, meeting) = weekly_circle(&app, &mut olu, &slug).await;
    let refused = open_series(&mut olu, &slug, series).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .field_error("open_to_public")
            .is_some_and(|m| m.contains("Only a listed CAN")),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(EXPECT), "what was typed is kept");
    let path = format!("/c/{slug}/meetings/{meeting}/public");
    olu.get(&path).await.assert_contains("invite-only");
    olu.post(&path, &[("open_to_public", "yes"), ("what_to_expect", "")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("meeting_series WHERE open_to_public").await, 0);
    assert_eq!(app.count("meetings WHERE open_to_public").await, 0);

    // Even with the flags set behind its back (or left from when it was listed), nothing shows.
    sqlx::query("UPDATE meeting_series SET open_to_public = true")
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE meetings SET open_to_public = true")
        .execute(&app.db)
        .await
        .unwrap();
    let mut sam = visitor(&app);
    sam.get(&format!("/c/{slug}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    sam.get(&format!("/c/{slug}/visit/{meeting}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    sam.get(&format!("/c/{slug}/guests/anything"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // Nor to a signed-in outsider, nor to a member (the visitors' page is for listed CANs).
    let mut noor = app.member("noor@example.org", "Noor").await;
    noor.get(&format!("/c/{slug}/visit/{meeting}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    olu.get(&format!("/c/{slug}/visit/{meeting}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.count("meeting_guests").await, 0);
}

#[tokio::test]
async fn a_visitor_says_ill_come_confirms_by_mail_and_the_facilitator_sees_them() {
    let (app, mut olu, mut mia, slug, _series, meeting) = open_circle().await;
    let mut sam = visitor(&app);
    sam.get(&format!("/c/{slug}/visit/{meeting}"))
        .await
        .assert_contains("Weekly circle")
        .assert_contains(EXPECT)
        .assert_contains("The community hall");
    let asked = say_ill_come(&mut sam, &slug, meeting, "Sam Visitor", "sam@example.org").await;
    asked.assert_status(StatusCode::SEE_OTHER);
    sam.get(asked.location().unwrap())
        .await
        .assert_contains("we have sent a link to sam@example.org");
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (false, false, false)
    );

    let (subject, body) = last_mail(&app, "sam@example.org").await;
    assert!(subject.contains("Weekly circle"), "{subject}");
    assert!(body.contains("19:00–20:30 (Europe/London)"), "{body}");
    assert!(body.contains("Where: The community hall"), "{body}");
    assert!(body.contains("I can't come after all"), "{body}");
    let link = link_in(&body, "/guests/");
    let token = link.rsplit('/').next().unwrap().to_string();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM meeting_guests")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(stored, token.as_bytes(), "only a hash of the link is kept");
    assert_eq!(stored, canopy::web::token::hash(&token));

    // Opening the link (as a mail scanner would) changes nothing; the button does.
    let mut sams_phone = visitor(&app);
    let before: Vec<(Uuid, Option<chrono::DateTime<Utc>>)> =
        sqlx::query_as("SELECT id, confirmed_at FROM meeting_guests")
            .fetch_all(&app.db)
            .await
            .unwrap();
    sams_phone
        .get(&link)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Yes, I'll come")
        .assert_contains("Sam Visitor");
    sams_phone.get(&link).await.assert_status(StatusCode::OK);
    let after: Vec<(Uuid, Option<chrono::DateTime<Utc>>)> =
        sqlx::query_as("SELECT id, confirmed_at FROM meeting_guests")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(before, after);
    assert_eq!(
        app.count("activity_log WHERE action LIKE 'meeting.guest%'")
            .await,
        0
    );
    let confirmed = sams_phone.post(&format!("{link}/confirm"), &[]).await;
    confirmed.assert_status(StatusCode::SEE_OTHER);
    sams_phone
        .get(confirmed.location().unwrap())
        .await
        .assert_contains("you're on the list");
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (true, false, false)
    );
    // The link confirms once.
    sams_phone.post(&format!("{link}/confirm"), &[]).await;
    sams_phone
        .get(&link)
        .await
        .assert_contains("You had already confirmed");
    assert_eq!(
        app.count("activity_log WHERE action = 'meeting.guest_confirmed'")
            .await,
        1
    );

    // Someone else asks and does not confirm.
    let mut ray = visitor(&app);
    say_ill_come(&mut ray, &slug, meeting, "Ray", "ray@example.org")
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // The facilitator sees Sam with the address; Ray, who has not shown the address is his, is
    // counted but not named. A plain member sees names only.
    let page = olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    page.assert_contains("Guests (not members)")
        .assert_contains("Sam Visitor")
        .assert_contains("sam@example.org")
        .assert_contains("1 more has asked to come and not confirmed yet")
        .assert_lacks("Ray")
        .assert_lacks("ray@example.org");
    mia.get(&format!("/c/{slug}/meetings/{meeting}"))
        .await
        .assert_contains("Sam Visitor")
        .assert_lacks("sam@example.org")
        .assert_lacks("ray@example.org");
    // The sign-in sheet has the confirmed guest.
    let pack = olu.get(&format!("/c/{slug}/meetings/{meeting}/pack")).await;
    pack.assert_contains("Sam Visitor <span class=\"muted\">(guest)</span>")
        .assert_lacks("Ray <span")
        .assert_lacks("sam@example.org");
    // For the mails when a meeting moves or is cancelled.
    let can_id: Uuid = sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let guests = canopy::meetings::guests::confirmed_guests(&app.db, can_id, meeting)
        .await
        .unwrap();
    assert_eq!(guests.len(), 1);
    assert_eq!(
        (guests[0].name.as_str(), guests[0].email.as_str()),
        ("Sam Visitor", "sam@example.org")
    );
}

#[tokio::test]
async fn the_same_address_twice_is_one_guest_and_a_new_link() {
    let (app, _olu, _mia, slug, _series, meeting) = open_circle().await;
    let mut sam = visitor(&app);
    say_ill_come(&mut sam, &slug, meeting, "Sam", "sam@example.org")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let first = link_in(&last_mail(&app, "sam@example.org").await.1, "/guests/");
    say_ill_come(&mut sam, &slug, meeting, "Sam V.", "SAM@example.org")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("meeting_guests").await, 1);
    assert_eq!(app.count("outbox").await, 2);
    let second = link_in(&last_mail(&app, "SAM@example.org").await.1, "/guests/");
    // The newer link replaces the older one.
    sam.get(&first).await.assert_status(StatusCode::NOT_FOUND);
    sam.get(&second)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Sam V.");
}

#[tokio::test]
async fn bad_input_is_refused_beside_the_field_with_what_was_typed_kept() {
    let (app, mut olu, _mia, slug, series, meeting) = open_circle().await;
    let mut sam = visitor(&app);
    let page = say_ill_come(&mut sam, &slug, meeting, "  ", "sam@example.org").await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("name").as_deref(),
        Some("Enter your name.")
    );
    assert_eq!(
        page.input_value("email").as_deref(),
        Some("sam@example.org")
    );

    let page = say_ill_come(&mut sam, &slug, meeting, "Sam", "sam at example").await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("email").is_some(), "{}", page.body);
    assert_eq!(page.input_value("name").as_deref(), Some("Sam"));

    let long = "S".repeat(101);
    let page = say_ill_come(&mut sam, &slug, meeting, &long, "sam@example.org").await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("name")
            .is_some_and(|m| m.contains("at most 100")),
        "{}",
        page.body
    );
    assert_eq!(page.input_value("name"), Some(long));
    assert_eq!(app.count("meeting_guests").await, 0);
    assert_eq!(app.count("outbox").await, 0);

    // The settings: at most 2000 characters of what to expect.
    let path = format!("/c/{slug}/meetings/series/{series}/public");
    olu.get(&path).await;
    let words = "Tea. ".repeat(401);
    let page = olu
        .post(
            &path,
            &[("open_to_public", "yes"), ("what_to_expect", &words)],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("what_to_expect")
            .is_some_and(|m| m.contains("at most 2000")),
        "{}",
        page.body
    );
    page.assert_contains(words.trim());
}

#[tokio::test]
async fn too_many_sign_ups_are_refused_with_429() {
    let (app, _olu, _mia, slug, _series, meeting) = open_circle().await;
    // One address asked for again and again: mails to it are limited.
    let mut sam = visitor(&app);
    for _ in 0..canopy::meetings::guests::MAILS_PER_EMAIL_PER_HOUR {
        say_ill_come(&mut sam, &slug, meeting, "Sam", "sam@example.org")
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let mut elsewhere = visitor(&app);
    let page = say_ill_come(&mut elsewhere, &slug, meeting, "Sam", "Sam@Example.org").await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.contains_key("retry-after"));
    assert!(
        page.field_error("email")
            .is_some_and(|m| m.contains("several links to this address")),
        "{}",
        page.body
    );
    assert_eq!(page.input_value("name").as_deref(), Some("Sam"));
    assert_eq!(
        app.count("outbox").await,
        canopy::meetings::guests::MAILS_PER_EMAIL_PER_HOUR
    );

    // One client address signing up many people.
    let mut flood = visitor(&app);
    for i in 0..canopy::meetings::guests::SIGN_UPS_PER_ADDRESS_PER_HOUR {
        say_ill_come(
            &mut flood,
            &slug,
            meeting,
            "Someone",
            &format!("p{i}@example.org"),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    let page = say_ill_come(
        &mut flood,
        &slug,
        meeting,
        "Someone",
        "one-more@example.org",
    )
    .await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains("from your network");
    assert_eq!(
        app.count("meeting_guests WHERE email = 'one-more@example.org'")
            .await,
        0
    );
}

#[tokio::test]
async fn another_cans_meeting_is_not_found_through_this_can() {
    let (app, _olu, _mia, slug, series, meeting) = open_circle().await;
    let mut hal = app.member("hal@example.org", "Hal").await;
    start_can(&mut hal, "Hillside", "hillside", "listed")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut sam = visitor(&app);
    sam.get(&format!("/c/hillside/visit/{meeting}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    sam.get(&format!("/c/{slug}/visit/{meeting}"))
        .await
        .assert_status(StatusCode::OK);
    sam.post(
        &format!("/c/hillside/visit/{meeting}"),
        &[("name", "Sam"), ("email", "sam@example.org")],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    hal.get(&format!("/c/hillside/meetings/{meeting}/public"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    hal.get(&format!("/c/hillside/meetings/series/{series}/public"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    hal.get("/c/hillside").await;
    hal.post(
        &format!("/c/hillside/meetings/series/{series}/public"),
        &[("what_to_expect", "")],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    // A guest's link works only under its own CAN.
    say_ill_come(&mut sam, &slug, meeting, "Sam", "sam@example.org")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let link = link_in(&last_mail(&app, "sam@example.org").await.1, "/guests/");
    let token = link.rsplit('/').next().unwrap();
    sam.get(&format!("/c/hillside/guests/{token}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    sam.post(&format!("/c/hillside/guests/{token}/confirm"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (false, false, false)
    );
    assert_eq!(app.count("meeting_series WHERE open_to_public").await, 1);
}

#[tokio::test]
async fn a_confirmed_guest_is_reminded_once_can_cancel_and_is_forgotten_weeks_later() {
    let (app, mut olu, _mia, slug, _series, meeting) = open_circle().await;
    assert!(
        canopy::meetings::jobs()
            .iter()
            .any(|j| j.name == "meeting guests"),
        "the job is on the clock"
    );
    let (mut sam, link) = confirmed_guest(&app, &slug, meeting, "Sam", "sam@example.org").await;
    // Ray never confirms, so is never reminded.
    let mut ray = visitor(&app);
    say_ill_come(&mut ray, &slug, meeting, "Ray", "ray@example.org")
        .await
        .assert_status(StatusCode::SEE_OTHER);

    let base = "http://localhost";
    let tick = || canopy::meetings::guests::tick(&app.db, base);
    assert_eq!(tick().await.unwrap().reminded, 0, "not yet: days ahead");
    due_in_20_hours(&app, meeting).await;
    let (a, b) = tokio::join!(tick(), tick());
    assert_eq!(a.unwrap().reminded + b.unwrap().reminded, 1);
    assert_eq!(tick().await.unwrap().reminded, 0, "once");
    let (subject, reminder) = last_mail(&app, "sam@example.org").await;
    assert!(
        subject.ends_with("is today") || subject.ends_with("is tomorrow"),
        "{subject}"
    );
    assert!(reminder.contains("Where: The community hall"), "{reminder}");
    assert!(reminder.contains(EXPECT), "{reminder}");
    assert!(reminder.contains("(Europe/London)"), "{reminder}");
    assert_eq!(
        app.count("outbox WHERE to_address = 'ray@example.org'")
            .await,
        1,
        "only the confirmation"
    );

    // The reminder's cancel link replaces the earlier one, and works.
    let cancel = link_in(&reminder, "/cancel");
    sam.get(&link).await.assert_status(StatusCode::NOT_FOUND);
    sam.get(&cancel)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("I can't come after all");
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (true, false, true)
    );
    sam.post(&cancel, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (true, true, true)
    );
    sam.get(&cancel)
        .await
        .assert_contains("you have told the group you can't come");
    olu.get(&format!("/c/{slug}/meetings/{meeting}"))
        .await
        .assert_lacks("sam@example.org")
        // Ray never confirmed: counted, not named.
        .assert_contains("1 more has asked to come and not confirmed yet")
        .assert_lacks("ray@example.org");
    let pack = olu.get(&format!("/c/{slug}/meetings/{meeting}/pack")).await;
    pack.assert_lacks("(guest)");
    olu.get(&format!("/c/{slug}/activity"))
        .await
        .assert_contains("A visitor can no longer come to “Weekly circle”");

    // Four weeks after the meeting, nothing of the guests is kept.
    sqlx::query(
        "UPDATE meetings SET status = 'held', starts_at = now() - interval '27 days',
                ends_at = now() - interval '27 days' + interval '90 minutes' WHERE id = $1",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(tick().await.unwrap().forgotten, 0, "kept a little longer");
    sqlx::query(
        "UPDATE meetings SET starts_at = now() - interval '29 days',
                ends_at = now() - interval '29 days' + interval '90 minutes' WHERE id = $1",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    // The mails to them, once sent, go with them.
    sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = now()
         WHERE to_address IN ('sam@example.org', 'ray@example.org')",
    )
    .execute(&app.db)
    .await
    .unwrap();
    assert!(
        app.count("outbox WHERE to_address IN ('sam@example.org', 'ray@example.org')")
            .await
            >= 3
    );
    assert_eq!(tick().await.unwrap().forgotten, 2);
    assert_eq!(app.count("meeting_guests").await, 0);
    assert_eq!(
        app.count("outbox WHERE to_address IN ('sam@example.org', 'ray@example.org')")
            .await,
        0,
        "nor the mails to them"
    );
}

#[tokio::test]
async fn a_guest_reminded_before_a_move_is_reminded_again_before_the_new_time() {
    let (app, mut olu, _mia, slug, _series, meeting) = open_circle().await;
    let (_sam, _) = confirmed_guest(&app, &slug, meeting, "Sam", "sam@example.org").await;
    let tick = || canopy::meetings::guests::tick(&app.db, "http://localhost");
    due_in_20_hours(&app, meeting).await;
    assert_eq!(tick().await.unwrap().reminded, 1);

    // Moved a week on: the moved mail, and its "can't come" link is the one that works.
    let later = Utc::now() + chrono::Duration::days(7);
    let local = later.with_timezone(&chrono_tz::Europe::London);
    olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{meeting}/move"),
        &[
            ("date", local.format("%Y-%m-%d").to_string().as_str()),
            ("time", "19:00"),
            ("duration_minutes", "90"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let (subject, moved) = last_mail(&app, "sam@example.org").await;
    assert!(subject.ends_with("has moved"), "{subject}");
    assert_eq!(tick().await.unwrap().reminded, 0, "a week ahead: not yet");

    // The day before the new time, reminded again (a new mail), with a link that works.
    due_in_20_hours(&app, meeting).await;
    assert_eq!(tick().await.unwrap().reminded, 1);
    let (subject, reminder) = last_mail(&app, "sam@example.org").await;
    assert!(
        subject.ends_with("is today") || subject.ends_with("is tomorrow"),
        "{subject}"
    );
    let mut sam = visitor(&app);
    sam.get(&link_in(&reminder, "/cancel"))
        .await
        .assert_status(StatusCode::OK);
    // The moved mail's link was replaced by the reminder's.
    sam.get(&link_in(&moved, "/cancel"))
        .await
        .assert_lacks("I can't come after all</button>");
}

#[tokio::test]
async fn a_pending_guest_can_say_they_cannot_come_from_the_confirmation_mail() {
    let (app, mut olu, _mia, slug, _series, meeting) = open_circle().await;
    let mut sam = visitor(&app);
    say_ill_come(&mut sam, &slug, meeting, "Sam", "sam@example.org")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let (_, body) = last_mail(&app, "sam@example.org").await;
    let cancel = link_in(&body, "/cancel");
    sam.get(&cancel)
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("Yes, I'll come");
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (false, false, false)
    );
    sam.post(&cancel, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (false, true, false)
    );
    // Cancelled for good through this link: confirming it now changes nothing.
    let link = link_in(&body, "/guests/");
    sam.post(&format!("{link}/confirm"), &[]).await;
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (false, true, false)
    );
    olu.get(&format!("/c/{slug}/meetings/{meeting}"))
        .await
        .assert_lacks("sam@example.org");
    // Asking again brings them back, to confirm afresh.
    say_ill_come(&mut sam, &slug, meeting, "Sam", "sam@example.org")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (false, false, false)
    );
}

#[tokio::test]
async fn confirmed_guests_hear_when_the_meeting_moves_or_is_cancelled() {
    let (app, mut olu, _mia, slug, _series, meeting) = open_circle().await;
    let (mut sam, _) = confirmed_guest(&app, &slug, meeting, "Sam", "sam@example.org").await;
    // Ray never confirmed: he hears nothing more.
    let mut ray = visitor(&app);
    say_ill_come(&mut ray, &slug, meeting, "Ray", "ray@example.org")
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // Moved a week later, at 18:30: one mail with both times and a fresh "can't come" link; the
    // reminder will come before the new time.
    let next_week = (chrono::NaiveDate::parse_from_str(&next_tuesday(), "%Y-%m-%d").unwrap()
        + chrono::Duration::days(7))
    .format("%Y-%m-%d")
    .to_string();
    olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{meeting}/move"),
        &[
            ("date", next_week.as_str()),
            ("time", "18:30"),
            ("duration_minutes", "90"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let (subject, body) = last_mail(&app, "sam@example.org").await;
    assert_eq!(
        subject, "Weekly circle with Riverside Neighbours has moved",
        "{body}"
    );
    assert!(body.contains("Was: ") && body.contains("19:00"), "{body}");
    assert!(body.contains("Now: ") && body.contains("18:30"), "{body}");
    let new_link = link_in(&body, "/cancel");
    assert_eq!(
        guest_state(&app, "sam@example.org").await,
        (true, false, false)
    );
    assert_eq!(
        app.count("outbox WHERE to_address = 'ray@example.org'")
            .await,
        1,
        "only the confirmation"
    );

    // Cancelled: one more mail, pointing to the other open meetings.
    olu.post(&format!("/c/{slug}/meetings/{meeting}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let (subject, body) = last_mail(&app, "sam@example.org").await;
    assert_eq!(
        subject, "Cancelled: Weekly circle with Riverside Neighbours",
        "{body}"
    );
    assert!(body.contains(&format!("/c/{slug}")), "{body}");
    assert_eq!(
        app.count("outbox WHERE to_address = 'sam@example.org'")
            .await,
        3,
        "confirmation, moved, cancelled"
    );
    // The link from the moved mail still lets Sam say so (it replaced the first one).
    sam.get(&new_link).await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn a_series_change_tells_the_guests_of_the_meetings_it_moves() {
    let (app, mut olu, _mia, slug, series, meeting) = open_circle().await;
    let _sam = confirmed_guest(&app, &slug, meeting, "Sam", "sam@example.org").await;
    let edit = format!("/c/{slug}/meetings/series/{series}/edit");
    olu.get(&edit).await.assert_status(StatusCode::OK);
    let starts = next_tuesday();
    olu.post(
        &edit,
        &[
            ("title", "Weekly circle"),
            ("repeat", "weekly"),
            ("interval", "1"),
            ("weekday", "TU"),
            ("nth", "2"),
            ("month_day", "1"),
            ("starts_on", starts.as_str()),
            ("start_time", "18:00"),
            ("duration_minutes", "90"),
            ("until_on", ""),
            ("location", "The community hall"),
            ("agenda_template", "Check-in round"),
            ("rotate_roles", "yes"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let (subject, body) = last_mail(&app, "sam@example.org").await;
    assert_eq!(subject, "Weekly circle with Riverside Neighbours has moved");
    assert!(body.contains("19:00") && body.contains("18:00"), "{body}");
    link_in(&body, "/cancel");
}

#[tokio::test]
async fn many_networks_together_meet_the_groups_own_limit() {
    let (app, _olu, _mia, slug, _series, meeting) = open_circle().await;
    let per_network = canopy::meetings::guests::SIGN_UPS_PER_ADDRESS_PER_HOUR;
    let per_group = canopy::meetings::guests::SIGN_UPS_PER_CAN_PER_HOUR;
    let mut n = 0;
    while n < per_group {
        let mut b = visitor(&app);
        for _ in 0..per_network.min(per_group - n) {
            say_ill_come(
                &mut b,
                &slug,
                meeting,
                "Someone",
                &format!("g{n}@example.org"),
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
            n += 1;
        }
    }
    let mut fresh = visitor(&app);
    let page = say_ill_come(&mut fresh, &slug, meeting, "Someone", "late@example.org").await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains("for this group&#39;s meetings");
    assert_eq!(
        app.count("meeting_guests WHERE email = 'late@example.org'")
            .await,
        0
    );
}
