//! Leaving with dignity and time away (issue 16): leaving is confirmed on a page that says what it
//! hands back; the member's reason reaches the organisers and nobody else; what they carried is
//! unowned and the coordinators are told; the door stays open (a listed CAN's request, a new
//! link). "I'm away for a while" names a return day, checked in the CAN's zone, and the clock
//! brings the member back on that day, once.

use axum::http::StatusCode;
use chrono::{Days, NaiveDate, Utc};
use uuid::Uuid;

use canopy::cans::leaving::away;

use crate::helpers::{Browser, TestApp, can_with_member, invite_link, join, team};

const BASE: &str = "http://localhost";
const REASON: &str = "Moving to Leeds for work; thank you all, truly.";

async fn status(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar(
        "SELECT m.status FROM memberships m JOIN members p ON p.id = m.member_id WHERE p.email = $1",
    )
    .bind(email)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn away_until(app: &TestApp, email: &str) -> Option<NaiveDate> {
    sqlx::query_scalar(
        "SELECT m.away_until FROM memberships m JOIN members p ON p.id = m.member_id WHERE p.email = $1",
    )
    .bind(email)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// A responsibility of the CAN carried (or backed up) by the people given, as `(email, kind)`.
async fn carried(app: &TestApp, title: &str, holders: &[(&str, &str)]) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO responsibilities (id, can_id, title, kind, created_by, status)
         SELECT $1, c.id, $2, 'ongoing', c.created_by, 'active' FROM cans c",
    )
    .bind(id)
    .bind(title)
    .execute(&app.db)
    .await
    .unwrap();
    for (email, kind) in holders {
        sqlx::query(
            "INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind)
             SELECT $1, r.can_id, r.id, p.id, $3 FROM responsibilities r, members p
             WHERE r.id = $2 AND p.email = $4",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(kind)
        .bind(email)
        .execute(&app.db)
        .await
        .unwrap();
    }
    id
}

async fn grant(olu: &mut Browser, app: &TestApp, slug: &str, email: &str, role: &str) {
    let id = app.member_id(email).await;
    olu.get(&format!("/c/{slug}/members/{id}")).await;
    olu.post(&format!("/c/{slug}/members/{id}/roles"), &[("role", role)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

/// The notifications of `kind` each person got: (email, line, detail), by address.
async fn told(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT p.email, n.line, COALESCE(n.detail, '') FROM notifications n
         JOIN members p ON p.id = n.member_id
         WHERE n.kind = $1 ORDER BY p.email",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// Olu organises; Mia (a coordinator too) will leave; Noor coordinates; Pat is a member. Mia
/// carries "Flyers" alone, carries "Garden rota" with Pat, and backs up "Treasurer" (Pat's).
async fn mia_carries_things() -> (TestApp, Browser, Vec<Browser>, String) {
    let (app, mut olu, others, slug) = team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("pat@example.org", "Pat"),
    ])
    .await;
    grant(&mut olu, &app, &slug, "mia@example.org", "coordinator").await;
    grant(&mut olu, &app, &slug, "noor@example.org", "coordinator").await;
    let mia = "mia@example.org";
    let pat = "pat@example.org";
    carried(&app, "Flyers", &[(mia, "carrier")]).await;
    carried(&app, "Garden rota", &[(mia, "carrier"), (pat, "carrier")]).await;
    carried(&app, "Treasurer", &[(pat, "carrier"), (mia, "backup")]).await;
    (app, olu, others, slug)
}

#[tokio::test]
async fn leaving_shows_what_it_hands_back_and_asks_for_confirmation() {
    let (app, _olu, mut others, slug) = mia_carries_things().await;
    let mia = &mut others[0];
    let page = mia.get(&format!("/c/{slug}")).await;
    page.assert_contains(&format!("href=\"/c/{slug}/membership/leave\""))
        .assert_contains(&format!("href=\"/c/{slug}/membership/pause\""))
        .assert_lacks(&format!("action=\"/c/{slug}/membership/leave\""));
    let page = mia.get(&format!("/c/{slug}/membership/leave")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Leave Riverside Neighbours?")
        .assert_contains("You carry “Flyers” and “Garden rota”")
        .assert_contains("You back up “Treasurer”")
        .assert_contains("Your role ends: coordinator.")
        .assert_contains("name=\"confirm\" value=\"yes\"")
        .assert_contains("Only the organisers read it")
        .assert_contains("ask an organiser for a new invitation link")
        .assert_contains(&format!(
            "<a href=\"/c/{slug}\">No, stay in Riverside Neighbours</a>"
        ));

    // Without the page's confirmation nothing changes: back to the page.
    let page = mia
        .post(
            &format!("/c/{slug}/membership/leave"),
            &[("reason", REASON)],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some(format!("/c/{slug}/membership/leave").as_str())
    );
    assert_eq!(status(&app, "mia@example.org").await, "active");
    assert_eq!(app.count("departures").await, 0);
    assert_eq!(app.count("carriers WHERE until_at IS NOT NULL").await, 0);

    // A reason over 1000 characters: 422, the text kept beside the field, nothing changed.
    let long = "a".repeat(1001);
    let page = mia
        .post(
            &format!("/c/{slug}/membership/leave"),
            &[("confirm", "yes"), ("reason", &long)],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains(&long);
    assert!(
        page.field_error("reason").unwrap().contains("at most 1000"),
        "{:?}",
        page.field_error("reason")
    );
    assert_eq!(status(&app, "mia@example.org").await, "active");
    assert_eq!(app.count("departures").await, 0);
}

#[tokio::test]
async fn the_reason_reaches_the_organisers_alone_and_the_coordinators_hear_what_is_unowned() {
    let (app, mut olu, mut others, slug) = mia_carries_things().await;
    let mia_id = app.member_id("mia@example.org").await;
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/membership/leave")).await;
    let page = mia
        .post(
            &format!("/c/{slug}/membership/leave"),
            &[("confirm", "yes"), ("reason", REASON)],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/"));
    mia.get("/")
        .await
        .assert_contains("You have left Riverside Neighbours")
        .assert_contains("ask an organiser for a new invitation link");

    // What the database holds: one departure with the reason; roles ended; carrying released.
    let (reason,): (String,) = sqlx::query_as("SELECT reason FROM departures WHERE member_id = $1")
        .bind(mia_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(reason, REASON);
    assert_eq!(status(&app, "mia@example.org").await, "left");
    assert_eq!(
        app.count(&format!(
            "role_grants WHERE member_id = '{mia_id}' AND ended_at IS NULL"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "carriers WHERE member_id = '{mia_id}' AND until_at IS NULL"
        ))
        .await,
        0
    );
    let statuses: Vec<(String, String)> =
        sqlx::query_as("SELECT title, status FROM responsibilities ORDER BY title")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(
        statuses,
        [
            ("Flyers".into(), "open".into()),
            ("Garden rota".into(), "active".into()),
            ("Treasurer".into(), "active".into())
        ]
    );

    // Olu (organiser) reads the reason and what is open; Noor (coordinator) what is open, not
    // the reason; Pat and Mia hear nothing of it.
    let notes = told(&app, "member_left").await;
    assert_eq!(notes.len(), 2, "{notes:?}");
    let (to, line, detail) = &notes[0];
    assert_eq!(
        (to.as_str(), line.as_str()),
        ("noor@example.org", "Mia left: “Flyers” is now unowned")
    );
    assert!(
        detail.contains("- Flyers") && detail.contains("- Treasurer"),
        "{detail}"
    );
    assert!(!detail.contains("Leeds"), "{detail}");
    let (to, line, detail) = &notes[1];
    assert_eq!(
        (to.as_str(), line.as_str()),
        ("olu@example.org", "Mia left Riverside Neighbours")
    );
    assert!(detail.contains(REASON), "{detail}");
    assert!(detail.contains("- Flyers"), "{detail}");
    // Nobody's mail but the organiser's carries the reason.
    assert_eq!(
        app.count("outbox WHERE body_text LIKE '%Leeds%' AND to_address <> 'olu@example.org'")
            .await,
        0
    );
    // Nor the activity log: it says she left, and nothing of why.
    assert_eq!(
        app.count("activity_log WHERE summary LIKE '%Leeds%'").await,
        0
    );
    assert_eq!(
        app.count("activity_log WHERE summary = 'Mia left the CAN'")
            .await,
        1
    );

    // The organiser sees the reason among former members; nobody else sees it anywhere.
    olu.get(&format!("/c/{slug}/members"))
        .await
        .assert_contains("Former members")
        .assert_contains(REASON);
    olu.get(&format!("/c/{slug}/activity"))
        .await
        .assert_contains("Mia left the CAN")
        .assert_lacks("Leeds");
    let noor = &mut others[1];
    for path in [
        format!("/c/{slug}/members"),
        format!("/c/{slug}/members/{mia_id}"),
        format!("/c/{slug}"),
        "/notifications".to_string(),
    ] {
        noor.get(&path)
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("Leeds");
    }
    noor.get("/notifications")
        .await
        .assert_contains("Mia left: “Flyers” is now unowned");
    let pat = &mut others[2];
    pat.get(&format!("/c/{slug}/members"))
        .await
        .assert_contains("Former members")
        .assert_lacks("Leeds");
}

#[tokio::test]
async fn the_only_organiser_still_cannot_leave() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let page = olu.get(&format!("/c/{slug}/membership/leave")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("You are the only active organiser")
        .assert_lacks("name=\"confirm\"");
    olu.get(&format!("/c/{slug}/membership/pause"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("You are the only active organiser")
        .assert_lacks("name=\"until\"");
    olu.post(
        &format!("/c/{slug}/membership/leave"),
        &[("confirm", "yes"), ("reason", "Tired")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/c/{slug}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("You are the only active organiser");
    assert_eq!(status(&app, "olu@example.org").await, "active");
    assert_eq!(app.count("departures").await, 0);
    assert_eq!(
        app.count("notifications WHERE kind = 'member_left'").await,
        0
    );
    assert_eq!(
        app.count("role_grants WHERE role = 'organiser' AND ended_at IS NULL")
            .await,
        1
    );
}

/// Mia has left, after carrying "Flyers" and coordinating: she is no longer a member.
async fn mia_left(app: &TestApp, olu: &mut Browser, mia: &mut Browser, slug: &str) {
    grant(olu, app, slug, "mia@example.org", "coordinator").await;
    carried(app, "Flyers", &[("mia@example.org", "carrier")]).await;
    mia.get(&format!("/c/{slug}/membership/leave")).await;
    mia.post(
        &format!("/c/{slug}/membership/leave"),
        &[("confirm", "yes"), ("reason", "")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(app, "mia@example.org").await, "left");
    mia.get(&format!("/c/{slug}/members"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

/// Active again, with no old role and nothing carried, and her leaving still on record.
async fn back_with_a_clean_slate(app: &TestApp, olu: &mut Browser, mia: &mut Browser, slug: &str) {
    let mia_id = app.member_id("mia@example.org").await;
    assert_eq!(status(app, "mia@example.org").await, "active");
    assert_eq!(
        app.count(&format!(
            "role_grants WHERE member_id = '{mia_id}' AND ended_at IS NULL"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "role_grants WHERE member_id = '{mia_id}' AND ended_at IS NOT NULL"
        ))
        .await,
        1,
        "the history keeps the role she held"
    );
    assert_eq!(
        app.count(&format!(
            "carriers WHERE member_id = '{mia_id}' AND until_at IS NULL"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count("departures").await,
        1,
        "the leaving stays on record"
    );
    mia.get(&format!("/c/{slug}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("You are a member.");
    olu.get(&format!("/c/{slug}/members"))
        .await
        .assert_lacks("Former members");
}

#[tokio::test]
async fn someone_who_left_a_listed_can_asks_to_join_again_and_is_welcomed_back() {
    let (app, mut olu, mut mia, slug) = can_with_member("listed").await;
    mia_left(&app, &mut olu, &mut mia, &slug).await;
    mia.get("/")
        .await
        .assert_contains("ask to join again from the page of Riverside Neighbours.");
    mia.get(&format!("/c/{slug}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Ask to join");
    mia.post(
        &format!("/c/{slug}/join-requests"),
        &[
            ("message", "I'm back in town"),
            ("acknowledge_rules", "yes"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let request: Uuid = sqlx::query_scalar("SELECT id FROM join_requests WHERE status = 'pending'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.get(&format!("/c/{slug}/join-requests")).await;
    olu.post(&format!("/c/{slug}/join-requests/{request}/approve"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    back_with_a_clean_slate(&app, &mut olu, &mut mia, &slug).await;
}

#[tokio::test]
async fn someone_who_left_an_invite_only_can_comes_back_with_a_new_link() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    mia_left(&app, &mut olu, &mut mia, &slug).await;
    mia.get("/")
        .await
        .assert_contains("ask an organiser for a new invitation link");
    let link = invite_link(&mut olu, &slug, "1", "").await;
    join(&mut mia, &link)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    back_with_a_clean_slate(&app, &mut olu, &mut mia, &slug).await;
}

/// Today where the CAN is.
async fn today_of_can(app: &TestApp) -> NaiveDate {
    let zone: String = sqlx::query_scalar("SELECT time_zone FROM cans")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    Utc::now().with_timezone(&tz).date_naive()
}

async fn move_can_to(app: &TestApp, zone: &str) {
    sqlx::query("UPDATE cans SET time_zone = $1")
        .bind(zone)
        .execute(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn away_until_a_day_the_home_says_so_and_resuming_clears_it() {
    let (app, _olu, mut mia, slug) = can_with_member("invite_only").await;
    // Far east of UTC: "today" is the group's, not the server's.
    move_can_to(&app, "Pacific/Kiritimati").await;
    let today = today_of_can(&app).await;
    let page = mia.get(&format!("/c/{slug}/membership/pause")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("What being away means")
        .assert_contains("Rotation skips you")
        .assert_contains("What you carry stays yours")
        .assert_contains("Pacific/Kiritimati")
        .assert_contains("name=\"until\"");
    let back = today + Days::new(30);
    let page = mia
        .post(
            &format!("/c/{slug}/membership/pause"),
            &[("until", &back.to_string())],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(&app, "mia@example.org").await, "paused");
    assert_eq!(away_until(&app, "mia@example.org").await, Some(back));
    let day = back.format("%-d %B %Y").to_string();
    mia.get(&format!("/c/{slug}"))
        .await
        .assert_contains(&format!("You are away until {day}."))
        .assert_contains(&format!("action=\"/c/{slug}/membership/resume\""));
    // The page offers to change the day, with the day filled in.
    let page = mia.get(&format!("/c/{slug}/membership/pause")).await;
    assert_eq!(page.input_value("until"), Some(back.to_string()));

    mia.post(&format!("/c/{slug}/membership/resume"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(&app, "mia@example.org").await, "active");
    assert_eq!(away_until(&app, "mia@example.org").await, None);
    mia.get(&format!("/c/{slug}"))
        .await
        .assert_lacks("You are away")
        .assert_contains(&format!("href=\"/c/{slug}/membership/pause\""));

    // "I don't know yet": away with no day.
    mia.post(&format!("/c/{slug}/membership/pause"), &[("until", "")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(&app, "mia@example.org").await, "paused");
    assert_eq!(away_until(&app, "mia@example.org").await, None);
    mia.get(&format!("/c/{slug}"))
        .await
        .assert_contains("You are away from this CAN for now.");
    // Naming a day later sets only the day; leaving while away clears it.
    mia.post(
        &format!("/c/{slug}/membership/pause"),
        &[("until", &back.to_string())],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(away_until(&app, "mia@example.org").await, Some(back));
    mia.post(
        &format!("/c/{slug}/membership/leave"),
        &[("confirm", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(&app, "mia@example.org").await, "left");
    assert_eq!(away_until(&app, "mia@example.org").await, None);
}

#[tokio::test]
async fn a_return_day_must_come_after_today_in_the_cans_zone_and_within_a_year() {
    let (app, _olu, mut mia, slug) = can_with_member("invite_only").await;
    move_can_to(&app, "Pacific/Pago_Pago").await;
    let today = today_of_can(&app).await;
    mia.get(&format!("/c/{slug}/membership/pause")).await;
    let year_on = today.checked_add_months(chrono::Months::new(12)).unwrap();
    for (raw, says) in [
        (today.to_string(), "after today"),
        ((today - Days::new(3)).to_string(), "after today"),
        ((year_on + Days::new(1)).to_string(), "within a year"),
        ("next spring".to_string(), "year-month-day"),
        ("2027-02-30".to_string(), "year-month-day"),
    ] {
        let page = mia
            .post(&format!("/c/{slug}/membership/pause"), &[("until", &raw)])
            .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let message = page.field_error("until").unwrap_or_default();
        assert!(message.contains(says), "{raw}: {message}");
        assert_eq!(page.input_value("until"), Some(raw.clone()), "kept");
        assert_eq!(status(&app, "mia@example.org").await, "active", "{raw}");
    }
    // A year on to the day is allowed.
    mia.post(
        &format!("/c/{slug}/membership/pause"),
        &[("until", &year_on.to_string())],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(away_until(&app, "mia@example.org").await, Some(year_on));
}

/// Sets when each is back, as if they had said so some days ago.
async fn back_on(app: &TestApp, email: &str, day: NaiveDate) {
    sqlx::query(
        "UPDATE memberships m SET status = 'paused', away_until = $2
         FROM members p WHERE p.id = m.member_id AND p.email = $1",
    )
    .bind(email)
    .bind(day)
    .execute(&app.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn the_clock_brings_members_back_on_their_day_in_the_cans_zone_once() {
    let (app, _olu, mut others, slug) =
        team(&[("mia@example.org", "Mia"), ("noor@example.org", "Noor")]).await;
    for zone in ["Pacific/Kiritimati", "Pacific/Pago_Pago"] {
        move_can_to(&app, zone).await;
        let today = today_of_can(&app).await;
        // Mia's day is today where the group is; Noor's is tomorrow there (which may already be
        // today in UTC, for a group west of it).
        back_on(&app, "mia@example.org", today).await;
        back_on(&app, "noor@example.org", today + Days::new(1)).await;
        let (a, b) = tokio::join!(away::tick(&app.db, BASE), away::tick(&app.db, BASE));
        assert_eq!(a.unwrap().returned + b.unwrap().returned, 1, "{zone}");
        assert_eq!(away::tick(&app.db, BASE).await.unwrap().returned, 0);
        assert_eq!(status(&app, "mia@example.org").await, "active", "{zone}");
        assert_eq!(away_until(&app, "mia@example.org").await, None);
        assert_eq!(status(&app, "noor@example.org").await, "paused", "{zone}");
        assert_eq!(
            away_until(&app, "noor@example.org").await,
            Some(today + Days::new(1))
        );
    }
    // Welcomed back once for each return (the day differs), the line in the log each time.
    let notes = told(&app, "away_ended").await;
    assert_eq!(notes.len(), 2, "{notes:?}");
    for (to, line, detail) in &notes {
        assert_eq!(to, "mia@example.org");
        assert_eq!(line, "Welcome back to Riverside Neighbours");
        assert!(detail.contains("active member of Riverside Neighbours again"));
    }
    assert_eq!(
        app.count("activity_log WHERE summary = 'Mia is back'")
            .await,
        2
    );
    // Back, she takes part again: the home shows no "away", and the pause link is there.
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}"))
        .await
        .assert_lacks("You are away")
        .assert_contains(&format!("href=\"/c/{slug}/membership/pause\""));
}

/// The clock's claim, as `src/cans/queries/leaving.rs` holds it.
fn claim_statement() -> String {
    let source = include_str!("../../src/cans/queries/leaving.rs");
    let marker = "const CLAIM_RETURNING: &str = \"";
    let start = source.find(marker).expect("the statement") + marker.len();
    let end = start + source[start..].find("\";").unwrap();
    source[start..end].to_string()
}

#[tokio::test]
async fn the_clock_finds_returning_members_through_the_return_day_index() {
    let (app, _olu, _mia, _slug) = can_with_member("invite_only").await;
    let mut conn = app.db.acquire().await.unwrap();
    // With sequential scans priced out, a scan of memberships left is one the index cannot serve.
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    let plan: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {}", claim_statement()))
        .bind(100i64)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("memberships_away_until_idx"), "{plan}");
    assert!(!plan.contains("Seq Scan on memberships"), "{plan}");
}
