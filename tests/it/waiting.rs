//! "Waiting on you" (issue 15): on fixtures with known answers, each person's list at the top of
//! the dashboard and of a CAN's home holds exactly what waits on them — a plain member, an
//! organiser and a facilitator each see their own — answering removes the item, another CAN's
//! items stay off this CAN's home, and an empty list says so.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, start_can, team};

/// The labels of the items in the page's "Waiting on you" list, in order.
fn waiting(body: &str) -> Vec<String> {
    let start = body
        .find("<section class=\"waiting\"")
        .expect("the page shows what is waiting");
    let section = &body[start..];
    let section = &section[..section.find("</section>").unwrap()];
    section
        .split("<li class=\"waiting-item\">")
        .skip(1)
        .map(|item| {
            let label = item.split("<span class=\"badge\">").nth(1).unwrap();
            label[..label.find("</span>").unwrap()].to_string()
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn labels(v: &[&str]) -> Vec<String> {
    sorted(v.iter().map(|s| s.to_string()).collect())
}

async fn exec(app: &TestApp, sql: &str, ids: &[Uuid]) {
    let mut q = sqlx::query(sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// What the fixture made.
struct Fixture {
    app: TestApp,
    olu: Browser,
    mia: Browser,
    fay: Browser,
    can: Uuid,
    round: Uuid,
    next: Uuid,
}

/// Riverside: Olu organises, Fay facilitates, Mia is a plain member. Open: a consent round, a poll,
/// the next meeting (Fay facilitates; Mia proposed an agenda item), a held meeting without minutes
/// where Mia took notes and was present, an offer to Mia, Mia's overdue task, and Dex asking to
/// join.
async fn riverside() -> Fixture {
    let (app, olu, mut people, _slug) =
        team(&[("mia@example.org", "Mia"), ("fay@example.org", "Fay")]).await;
    let fay = people.pop().unwrap();
    let mia = people.pop().unwrap();
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans WHERE slug = 'riverside-neighbours'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (o, m, f) = (
        app.member_named("Olu").await,
        app.member_named("Mia").await,
        app.member_named("Fay").await,
    );
    let dex = {
        app.member("dex@example.org", "Dex").await;
        app.member_named("Dex").await
    };
    exec(
        &app,
        "INSERT INTO role_grants (id, can_id, member_id, role, granted_by) VALUES ($1, $2, $3, 'facilitator', $4)",
        &[Uuid::now_v7(), can, f, o],
    )
    .await;
    let (version, round) = (Uuid::now_v7(), Uuid::now_v7());
    exec(
        &app,
        "INSERT INTO vision_versions (id, can_id, number, body, author_id) VALUES ($1, $2, 1, 'A street where nobody is alone', $3)",
        &[version, can, o],
    )
    .await;
    exec(
        &app,
        "INSERT INTO consent_rounds (id, can_id, version_id, opened_by, closes_at, quorum_num, quorum_den)
         VALUES ($1, $2, $3, $4, now() + interval '3 days', 2, 3)",
        &[round, can, version, o],
    )
    .await;
    exec(
        &app,
        "INSERT INTO time_polls (id, can_id, title, created_by) VALUES ($1, $2, 'When shall we meet?', $3)",
        &[Uuid::now_v7(), can, o],
    )
    .await;
    let (next, held) = (Uuid::now_v7(), Uuid::now_v7());
    exec(
        &app,
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, facilitator_id)
         VALUES ($1, $2, 'Street meeting', now() + interval '2 days', now() + interval '2 days 90 minutes', $3)",
        &[next, can, f],
    )
    .await;
    exec(
        &app,
        "INSERT INTO agenda_items (id, can_id, meeting_id, position, title, proposed_by)
         VALUES ($1, $2, $3, 1, 'Tool library', $4)",
        &[Uuid::now_v7(), can, next, m],
    )
    .await;
    exec(
        &app,
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, status, note_taker_id)
         VALUES ($1, $2, 'Spring clean-up', now() - interval '2 days', now() - interval '2 days' + interval '1 hour', 'held', $3)",
        &[held, can, m],
    )
    .await;
    exec(
        &app,
        "INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by) VALUES ($1, $2, $3, $4)",
        &[held, can, m, o],
    )
    .await;
    let (flyers, bins) = (Uuid::now_v7(), Uuid::now_v7());
    exec(
        &app,
        "INSERT INTO responsibilities (id, can_id, title, kind, created_by) VALUES ($1, $2, 'Flyers', 'ongoing', $3)",
        &[flyers, can, o],
    )
    .await;
    exec(
        &app,
        "INSERT INTO offers (id, can_id, responsibility_id, kind, from_member, to_member, expires_at)
         VALUES ($1, $2, $3, 'carrier', $4, $5, now() + interval '5 days')",
        &[Uuid::now_v7(), can, flyers, o, m],
    )
    .await;
    exec(
        &app,
        "INSERT INTO responsibilities (id, can_id, title, kind, due_on, status, created_by)
         VALUES ($1, $2, 'Order new bins', 'task', current_date - 3, 'active', $3)",
        &[bins, can, o],
    )
    .await;
    exec(
        &app,
        "INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, from_at) VALUES ($1, $2, $3, $4, 'carrier', now() - interval '10 days')",
        &[Uuid::now_v7(), can, bins, m],
    )
    .await;
    exec(
        &app,
        "INSERT INTO join_requests (id, can_id, member_id, rules_acknowledged_at) VALUES ($1, $2, $3, now())",
        &[Uuid::now_v7(), can, dex],
    )
    .await;
    Fixture {
        app,
        olu,
        mia,
        fay,
        can,
        round,
        next,
    }
}

#[tokio::test]
async fn each_person_sees_exactly_what_waits_on_them() {
    let mut x = riverside().await;
    let home = "/c/riverside-neighbours";

    let page = x.mia.get(home).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Waiting on you")
        .assert_contains("Answer the consent round on vision version 1")
        .assert_contains("Say which times suit you in the poll “When shall we meet?”")
        .assert_contains("Are you coming to “Street meeting”?")
        .assert_contains("Check in after “Spring clean-up”")
        .assert_contains("Write the minutes of “Spring clean-up”")
        .assert_contains("Olu asks you to carry “Flyers”")
        .assert_contains("“Order new bins” is overdue")
        .assert_contains("3 days left to answer")
        .assert_contains("action=\"/c/riverside-neighbours/offers/")
        .assert_lacks("asks to join")
        .assert_lacks("Order the agenda");
    assert_eq!(
        sorted(waiting(&page.body)),
        labels(&[
            "Consent round",
            "Poll",
            "Meeting",
            "Check-in",
            "Minutes",
            "Asked of you",
            "Overdue",
        ])
    );
    // Most urgent first: what is already late, then what is due soonest.
    let order = waiting(&page.body);
    assert_eq!(order[0], "Overdue", "{order:?}");
    assert_eq!(order.last().unwrap(), "Poll", "{order:?}");

    // The organiser: the round, the poll, the meeting, and Dex asking to join; nothing of Mia's.
    let page = x.olu.get(home).await;
    page.assert_contains("Dex asks to join");
    // Issue 16: the stage guide on the same page may name the group's responsibilities ("Nobody
    // carries the ongoing responsibility Flyers"); what waits on Olu names nothing of Mia's.
    let start = page.body.find("<section class=\"waiting\"").unwrap();
    let list = &page.body[start..];
    let list = &list[..list.find("</section>").unwrap()];
    for hers in ["Flyers", "Order new bins", "Spring clean-up"] {
        assert!(!list.contains(hers), "{hers} in Olu's list:\n{list}");
    }
    assert_eq!(
        sorted(waiting(&page.body)),
        labels(&["Consent round", "Poll", "Meeting", "Join request"])
    );

    // The facilitator of the next meeting: its agenda has Mia's proposal to order.
    let page = x.fay.get(home).await;
    page.assert_contains("Order the agenda of “Street meeting”: 1 proposal from members");
    assert_eq!(
        sorted(waiting(&page.body)),
        labels(&["Consent round", "Poll", "Meeting", "Agenda"])
    );

    // The dashboard shows the same list, naming the CAN.
    let page = x.mia.get("/").await;
    page.assert_contains("Riverside Neighbours");
    assert_eq!(waiting(&page.body).len(), 7);
    let _ = x.can;
}

#[tokio::test]
async fn answering_removes_the_item() {
    let mut x = riverside().await;
    let home = "/c/riverside-neighbours";

    // One click from the list: Yes to the meeting, through the meeting's own RSVP route.
    let page = x.mia.get(home).await;
    let rsvp = format!("/c/riverside-neighbours/meetings/{}/rsvp", x.next);
    page.assert_contains(&format!("action=\"{rsvp}\""))
        .assert_contains("name=\"answer\" value=\"yes\"")
        .assert_contains("name=\"csrf_token\"");
    x.mia
        .post(&rsvp, &[("answer", "yes")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = x.mia.get(home).await;
    page.assert_lacks("Are you coming to “Street meeting”?");
    assert!(!waiting(&page.body).contains(&"Meeting".to_string()));

    // Endorsing the round through the round's page.
    x.mia
        .post(
            &format!("/c/riverside-neighbours/vision/rounds/{}/answer", x.round),
            &[("answer", "endorse"), ("reason", "")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = x.mia.get(home).await;
    page.assert_lacks("Answer the consent round");
    assert_eq!(
        sorted(waiting(&page.body)),
        labels(&["Poll", "Check-in", "Minutes", "Asked of you", "Overdue"])
    );

    // Others' lists are untouched by Mia's answers.
    let page = x.olu.get(home).await;
    assert_eq!(
        sorted(waiting(&page.body)),
        labels(&["Consent round", "Poll", "Meeting", "Join request"])
    );
}

#[tokio::test]
async fn another_cans_items_stay_on_its_own_home_and_the_dashboard() {
    let mut x = riverside().await;
    // Mia starts her own CAN, which has a poll of its own.
    start_can(&mut x.mia, "Elm Street", "elm-street", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let m = x.app.member_named("Mia").await;
    let elm: Uuid = sqlx::query_scalar("SELECT id FROM cans WHERE slug = 'elm-street'")
        .fetch_one(&x.app.db)
        .await
        .unwrap();
    exec(
        &x.app,
        "INSERT INTO time_polls (id, can_id, title, created_by) VALUES ($1, $2, 'Elm evenings', $3)",
        &[Uuid::now_v7(), elm, m],
    )
    .await;

    let page = x.mia.get("/c/elm-street").await;
    page.assert_contains("Elm evenings")
        .assert_lacks("Flyers")
        .assert_lacks("When shall we meet?");
    assert_eq!(waiting(&page.body), labels(&["Poll"]));

    let page = x.mia.get("/c/riverside-neighbours").await;
    page.assert_lacks("Elm evenings");
    assert_eq!(waiting(&page.body).len(), 7);

    let page = x.mia.get("/").await;
    page.assert_contains("Elm evenings")
        .assert_contains("When shall we meet?");
    assert_eq!(waiting(&page.body).len(), 8);
}

#[tokio::test]
async fn an_empty_list_says_nothing_is_waiting() {
    let app = TestApp::new().await;
    let mut ana = app.member("ana@example.org", "Ana").await;
    start_can(&mut ana, "Quiet Close", "quiet-close", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = ana.get("/c/quiet-close").await;
    page.assert_contains("Nothing is waiting on you.");
    assert!(waiting(&page.body).is_empty());
    let page = ana.get("/").await;
    page.assert_contains("Nothing is waiting on you.");
}

/// The statement, as `src/home/waiting.rs` holds it (read from the source, as the robustness
/// tests read routes).
fn waiting_statement() -> String {
    let source = include_str!("../../src/home/waiting.rs");
    let start = source
        .find("const WAITING: &str = \"")
        .expect("the statement")
        + 23;
    let end = start + source[start..].find("\";").unwrap();
    source[start..end].to_string()
}

#[tokio::test]
async fn every_part_of_the_list_is_found_through_an_index() {
    let x = riverside().await;
    let members: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM members")
        .fetch_all(&x.app.db)
        .await
        .unwrap();
    let mut conn = x.app.db.acquire().await.unwrap();
    // With sequential scans priced out, any scan left is one no index can serve.
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    for can in [None, Some(x.can)] {
        let plan: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {}", waiting_statement()))
            .bind(&members)
            .bind(can)
            .bind(chrono::Utc::now())
            .bind(7i32)
            .bind(14i32)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let plan = plan.join("\n");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }
}

#[tokio::test]
async fn a_meeting_under_way_does_not_hide_the_next_ones_question() {
    let mut x = riverside().await;
    // A meeting is under way right now; the next one (in two days) still asks Mia.
    exec(
        &x.app,
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at)
         VALUES ($1, $2, 'Emergency huddle', now() - interval '20 minutes', now() + interval '40 minutes')",
        &[Uuid::now_v7(), x.can],
    )
    .await;
    let page = x.mia.get("/c/riverside-neighbours").await;
    page.assert_contains("Are you coming to “Street meeting”?")
        .assert_lacks("Are you coming to “Emergency huddle”?");
}

#[tokio::test]
async fn ordering_the_agenda_answers_the_facilitators_item_until_someone_proposes_again() {
    let mut x = riverside().await;
    let home = "/c/riverside-neighbours";
    let meeting = format!("/c/riverside-neighbours/meetings/{}", x.next);
    x.fay
        .get(home)
        .await
        .assert_contains("Order the agenda of “Street meeting”: 1 proposal from members");
    // Fay says the order is right, from the meeting page.
    x.fay
        .get(&meeting)
        .await
        .assert_contains("The order is right");
    x.fay
        .post(&format!("{meeting}/agenda-reviewed"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    x.fay.get(home).await.assert_lacks("Order the agenda");
    // A plain member cannot say so for her.
    x.mia.get(&meeting).await.assert_lacks("The order is right");
    x.mia
        .post(&format!("{meeting}/agenda-reviewed"), &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Mia proposes another item: it waits on Fay again, counted alone.
    x.mia
        .post(
            &format!("{meeting}/agenda"),
            &[
                ("item_title", "Bins rota"),
                ("item_owner", ""),
                ("item_minutes", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    x.fay
        .get(home)
        .await
        .assert_contains("Order the agenda of “Street meeting”: 1 proposal from members");
    // Moving an item is ordering it too.
    let item: Uuid = sqlx::query_scalar("SELECT id FROM agenda_items WHERE title = 'Bins rota'")
        .fetch_one(&x.app.db)
        .await
        .unwrap();
    x.fay.get(&meeting).await;
    x.fay
        .post(&format!("{meeting}/agenda/{item}"), &[("direction", "up")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    x.fay.get(home).await.assert_lacks("Order the agenda");
}
