//! Welcoming newcomers (issue 16 §2): joining lands on the welcome page (the vision or the hopes
//! so far, the next meeting with its RSVP, the welcome companion, one first way to help); a
//! companion is chosen by rotation as someone joins (by a link, an approved request, or coming
//! back), or by the organisers on the newcomers page, and is told; the newcomers page shows each
//! newcomer's first 30 days to the organisers (and to a companion, their own newcomers only), and
//! those who have not come to anything after 30 days.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, invite_link, join, start_can, team};

const SLUG: &str = "riverside-neighbours";

fn at(rest: &str) -> String {
    format!("/c/{SLUG}{rest}")
}

async fn can_id(app: &TestApp) -> Uuid {
    sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(SLUG)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The member offers to welcome newcomers, through their member page's form.
async fn offer_to_welcome(app: &TestApp, b: &mut Browser, name: &str) {
    let me = app.member_named(name).await;
    b.get(&at(&format!("/members/{me}"))).await;
    b.post(at("/membership/willing").as_str(), &[("welcome", "yes")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

/// A newcomer signs up and joins through `link`; returns their browser and the join's answer.
async fn newcomer(app: &TestApp, link: &str, email: &str, name: &str) -> (Browser, String) {
    let mut b = app.member(email, name).await;
    let joined = join(&mut b, link).await;
    joined.assert_status(StatusCode::SEE_OTHER);
    let to = joined.location().unwrap_or_default().to_string();
    (b, to)
}

async fn companion_of(app: &TestApp, name: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT c.display_name FROM memberships m JOIN members p ON p.id = m.member_id
         LEFT JOIN members c ON c.id = m.companion_id WHERE p.display_name = $1",
    )
    .bind(name)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// The companion notifications each person got: (name, line, link), in order.
async fn companion_notices(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT p.display_name, n.line, n.link FROM notifications n
         JOIN members p ON p.id = n.member_id
         WHERE n.kind = 'companion_chosen' ORDER BY n.created_at, p.display_name",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

fn notice(name: &str, line: &str, link: &str) -> (String, String, String) {
    (name.into(), line.into(), link.into())
}

/// A scheduled meeting `days` from now, titled `title`.
async fn meeting_in(app: &TestApp, days: i32, title: &str, status: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, status)
         VALUES ($1, $2, $3, now() + make_interval(days => $4),
                 now() + make_interval(days => $4) + interval '1 hour', $5)",
    )
    .bind(id)
    .bind(can_id(app).await)
    .bind(title)
    .bind(days)
    .bind(status)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

/// A responsibility on the board (nobody carries it).
async fn task(app: &TestApp, title: &str, kind: &str, effort: i16) -> Uuid {
    let id = Uuid::now_v7();
    let olu = app.member_named("Olu").await;
    sqlx::query(
        "INSERT INTO responsibilities (id, can_id, title, kind, effort, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(can_id(app).await)
    .bind(title)
    .bind(kind)
    .bind(effort)
    .bind(olu)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

async fn share_hope(b: &mut Browser, hope: &str) {
    b.get(&at("/vision")).await.assert_status(StatusCode::OK);
    b.post(&at("/vision/hopes"), &[("body", hope)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

/// Moves the member's joining `days` into the past.
async fn joined_days_ago(app: &TestApp, name: &str, days: i32) {
    sqlx::query(
        "UPDATE memberships SET joined_at = now() - make_interval(days => $2),
                rules_acknowledged_at = now() - make_interval(days => $2)
         WHERE member_id = (SELECT id FROM members WHERE display_name = $1)",
    )
    .bind(name)
    .bind(days)
    .execute(&app.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn joining_by_link_lands_on_the_welcome_page() {
    let (app, mut olu, mut others, _) = team(&[("ana@example.org", "Ana")]).await;
    offer_to_welcome(&app, &mut others[0], "Ana").await;
    share_hope(&mut olu, "A bench under the plane tree").await;
    share_hope(&mut others[0], "Soup on Sundays").await;
    let circle = meeting_in(&app, 3, "Neighbourhood circle", "scheduled").await;
    let link = invite_link(&mut olu, SLUG, "5", "").await;

    let (mut noor, to) = newcomer(&app, &link, "noor@example.org", "Noor").await;
    assert_eq!(to, at("/welcome"), "joining lands on the welcome page");
    let page = noor.get(&to).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Welcome to Riverside Neighbours!")
        .assert_contains("Welcome to Riverside Neighbours, Noor")
        // Before a vision: the hopes so far, and a way to share one.
        .assert_contains("Hopes so far")
        .assert_contains("A bench under the plane tree")
        .assert_contains("Soup on Sundays")
        .assert_contains("Share yours")
        // The next meeting, with one-click answers posted to the meeting's own RSVP route.
        .assert_contains("Neighbourhood circle")
        .assert_contains(&format!(
            "action=\"{}\"",
            at(&format!("/meetings/{circle}/rsvp"))
        ))
        .assert_contains("name=\"answer\" value=\"yes\"")
        // Ana offered to welcome newcomers: she is Noor's companion, linked to her page.
        .assert_contains(&format!(
            "<a href=\"{}\">Ana</a> welcomes you",
            at(&format!("/members/{}", app.member_named("Ana").await))
        ))
        // Noor has no hope yet: that is the first way to help.
        .assert_contains("Share a hope: what would you like")
        .assert_contains("rules for participation");
    assert_eq!(companion_of(&app, "Noor").await.as_deref(), Some("Ana"));

    // Once the group adopted a vision, the page shows it instead of the hopes.
    let version = Uuid::now_v7();
    let olu_id = app.member_named("Olu").await;
    sqlx::query(
        "INSERT INTO vision_versions (id, can_id, number, body, author_id) VALUES ($1, $2, 1, $3, $4)",
    )
    .bind(version)
    .bind(can_id(&app).await)
    .bind("Neighbours who eat together and look out for each other.")
    .bind(olu_id)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("UPDATE cans SET vision_version_id = $1, vision_adopted_at = now()")
        .bind(version)
        .execute(&app.db)
        .await
        .unwrap();
    noor.get(&at("/welcome"))
        .await
        .assert_contains("Our vision")
        .assert_contains("Neighbours who eat together and look out for each other.")
        .assert_lacks("Hopes so far")
        .assert_lacks("Soup on Sundays");

    // Answering from the welcome page is the meeting's own RSVP.
    noor.post(
        &at(&format!("/meetings/{circle}/rsvp")),
        &[("answer", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    noor.get(&at("/welcome"))
        .await
        .assert_contains("(You said yes.)");

    // Someone already a member who opens the link again goes to the group's page.
    let again = join(&mut noor, &link).await;
    assert_eq!(again.location(), Some(at("").as_str()));
}

#[tokio::test]
async fn without_anyone_willing_the_organisers_will_choose_a_companion() {
    let (app, mut olu, _, _) = team(&[]).await;
    let link = invite_link(&mut olu, SLUG, "5", "").await;
    let (mut noor, _) = newcomer(&app, &link, "noor@example.org", "Noor").await;
    noor.get(&at("/welcome"))
        .await
        .assert_contains("The organisers will choose someone to welcome you")
        .assert_contains("No meeting is planned yet")
        .assert_contains("nobody has shared a hope");
    assert_eq!(companion_of(&app, "Noor").await, None);
    assert!(companion_notices(&app).await.is_empty());
}

#[tokio::test]
async fn the_first_way_to_help_follows_what_the_newcomer_has_done() {
    let (app, mut olu, _, _) = team(&[]).await;
    let link = invite_link(&mut olu, SLUG, "5", "").await;
    let (mut noor, _) = newcomer(&app, &link, "noor@example.org", "Noor").await;
    let first_way = |body: &str| {
        let start = body
            .find("id=\"first-title\"")
            .expect("the first way is shown");
        let end = body[start..].find("</section>").unwrap();
        body[start..start + end].to_string()
    };

    // 1. No hope yet: share one.
    let page = noor.get(&at("/welcome")).await;
    assert!(
        first_way(&page.body).contains("Share a hope"),
        "{}",
        page.body
    );

    // 2. A hope shared, a meeting ahead not answered: answer it.
    share_hope(&mut noor, "A tool library").await;
    let circle = meeting_in(&app, 2, "Neighbourhood circle", "scheduled").await;
    let way = first_way(&noor.get(&at("/welcome")).await.body);
    assert!(
        way.contains("whether you are coming to Neighbourhood circle"),
        "{way}"
    );

    // 3. Answered: the smallest task nobody carries (not an ongoing role, not one carried).
    noor.post(
        &at(&format!("/meetings/{circle}/rsvp")),
        &[("answer", "maybe")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    task(&app, "Paint the hall", "task", 4).await;
    task(&app, "Keep the accounts", "ongoing", 1).await;
    let carried = task(&app, "Water the planters", "task", 1).await;
    sqlx::query(
        "INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind)
         SELECT $1, can_id, id, created_by, 'carrier' FROM responsibilities WHERE id = $2",
    )
    .bind(Uuid::now_v7())
    .bind(carried)
    .execute(&app.db)
    .await
    .unwrap();
    let flyers = task(&app, "Fold the flyers", "task", 2).await;
    let way = first_way(&noor.get(&at("/welcome")).await.body);
    assert!(
        way.contains(&format!(
            "<a href=\"{}\">Fold the flyers</a>",
            at(&format!("/responsibilities/{flyers}"))
        )),
        "{way}"
    );

    // 4. Nothing open: come to the next meeting.
    sqlx::query("UPDATE responsibilities SET status = 'done' WHERE kind = 'task'")
        .execute(&app.db)
        .await
        .unwrap();
    let way = first_way(&noor.get(&at("/welcome")).await.body);
    assert!(
        way.contains("Come to the next meeting")
            && way.contains(&at(&format!("/meetings/{circle}"))),
        "{way}"
    );

    // And with no meeting planned: the meetings page will list it.
    sqlx::query("UPDATE meetings SET status = 'cancelled'")
        .execute(&app.db)
        .await
        .unwrap();
    let way = first_way(&noor.get(&at("/welcome")).await.body);
    assert!(way.contains("as soon as one is planned"), "{way}");
}

#[tokio::test]
async fn rotation_chooses_the_willing_member_chosen_least_recently() {
    let (app, mut olu, mut others, _) = team(&[
        ("ben@example.org", "Ben"),
        ("ana@example.org", "Ana"),
        ("mia@example.org", "Mia"),
    ])
    .await;
    // Ben and Ana offer; Mia does not.
    offer_to_welcome(&app, &mut others[0], "Ben").await;
    offer_to_welcome(&app, &mut others[1], "Ana").await;
    let link = invite_link(&mut olu, SLUG, "10", "").await;

    // Neither chosen yet: by name, Ana; then Ben, never chosen; then Ana, chosen longest ago.
    for (email, name) in [
        ("noor@example.org", "Noor"),
        ("zoe@example.org", "Zoe"),
        ("kai@example.org", "Kai"),
    ] {
        newcomer(&app, &link, email, name).await;
    }
    assert_eq!(companion_of(&app, "Noor").await.as_deref(), Some("Ana"));
    assert_eq!(companion_of(&app, "Zoe").await.as_deref(), Some("Ben"));
    assert_eq!(companion_of(&app, "Kai").await.as_deref(), Some("Ana"));
    assert_eq!(
        companion_of(&app, "Mia").await,
        None,
        "joined before anyone offered"
    );

    // Each companion is told, with a link to the newcomers page; the newcomers are not.
    let newcomers = at("/newcomers");
    assert_eq!(
        companion_notices(&app).await,
        vec![
            notice(
                "Ana",
                "You are Noor's welcome companion in Riverside Neighbours",
                &newcomers
            ),
            notice(
                "Ben",
                "You are Zoe's welcome companion in Riverside Neighbours",
                &newcomers
            ),
            notice(
                "Ana",
                "You are Kai's welcome companion in Riverside Neighbours",
                &newcomers
            ),
        ]
    );
    assert_eq!(
        app.count("activity_log WHERE action = 'welcome.companion_chosen'")
            .await,
        3
    );

    // Someone who left and comes back is a newcomer again, welcomed by the next in rotation:
    // Ben (chosen for Zoe, after Ana was chosen for Noor but before Kai).
    sqlx::query(
        "UPDATE memberships SET status = 'left' WHERE member_id = (SELECT id FROM members WHERE display_name = 'Mia')",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let back = join(&mut others[2], &link).await;
    assert_eq!(back.location(), Some(at("/welcome").as_str()));
    assert_eq!(companion_of(&app, "Mia").await.as_deref(), Some("Ben"));

    // A member away for a while is not chosen.
    sqlx::query(
        "UPDATE memberships SET status = 'paused' WHERE member_id = (SELECT id FROM members WHERE display_name = 'Ben')",
    )
    .execute(&app.db)
    .await
    .unwrap();
    newcomer(&app, &link, "lee@example.org", "Lee").await;
    assert_eq!(companion_of(&app, "Lee").await.as_deref(), Some("Ana"));
}

#[tokio::test]
async fn an_approved_request_leads_to_the_welcome_page_with_a_companion() {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside Neighbours", "", "listed")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let link = invite_link(&mut olu, SLUG, "5", "").await;
    let (mut ana, _) = newcomer(&app, &link, "ana@example.org", "Ana").await;
    offer_to_welcome(&app, &mut ana, "Ana").await;

    let mut ama = app.member("ama@example.org", "Ama").await;
    ama.get(&at("")).await.assert_status(StatusCode::OK);
    ama.post(
        &at("/join-requests"),
        &[("acknowledge_rules", "yes"), ("message", "Hello")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let request: Uuid = sqlx::query_scalar("SELECT id FROM join_requests")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.get(&at("/join-requests")).await;
    olu.post(&at(&format!("/join-requests/{request}/approve")), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    assert_eq!(companion_of(&app, "Ama").await.as_deref(), Some("Ana"));
    let link: String =
        sqlx::query_scalar("SELECT link FROM notifications WHERE kind = 'join_answered'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(link, at("/welcome"), "the answer leads to the welcome page");
    assert_eq!(
        companion_notices(&app).await,
        vec![notice(
            "Ana",
            "You are Ama's welcome companion in Riverside Neighbours",
            &at("/newcomers")
        )]
    );
    ama.get(&at("/welcome"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Ana</a> welcomes you");
}

#[tokio::test]
async fn organisers_choose_or_rotate_a_companion_and_both_hear_of_it() {
    let (app, mut olu, mut others, _) = team(&[
        ("ana@example.org", "Ana"),
        ("ben@example.org", "Ben"),
        ("mia@example.org", "Mia"),
    ])
    .await;
    offer_to_welcome(&app, &mut others[0], "Ana").await;
    offer_to_welcome(&app, &mut others[1], "Ben").await;
    let link = invite_link(&mut olu, SLUG, "10", "").await;
    newcomer(&app, &link, "noor@example.org", "Noor").await;
    assert_eq!(companion_of(&app, "Noor").await.as_deref(), Some("Ana"));
    let noor = app.member_named("Noor").await;
    let ben = app.member_named("Ben").await;
    let choose = at(&format!("/newcomers/{noor}/companion"));

    // The organisers' page offers the willing members, and the next in rotation.
    let page = olu.get(&at("/newcomers")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Noor")
        .assert_contains(&format!("value=\"{ben}\""))
        .assert_contains("The next in rotation");

    // Olu names Ben: Ben and Noor are told.
    let chosen = olu.post(&choose, &[("companion", &ben.to_string())]).await;
    chosen.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(chosen.location(), Some(at("/newcomers").as_str()));
    assert_eq!(companion_of(&app, "Noor").await.as_deref(), Some("Ben"));
    let told = companion_notices(&app).await;
    assert_eq!(
        told[1..],
        [
            notice(
                "Ben",
                "You are Noor's welcome companion in Riverside Neighbours",
                &at("/newcomers")
            ),
            notice(
                "Noor",
                "Ben is your welcome companion in Riverside Neighbours",
                &at("/welcome")
            ),
        ]
    );
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM notifications WHERE kind = 'companion_chosen' AND member_id = $1",
    )
    .bind(ben)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(detail.contains("Olu asked you to welcome Noor"), "{detail}");

    // The same again changes nothing and tells nobody.
    olu.post(&choose, &[("companion", &ben.to_string())])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(companion_notices(&app).await.len(), 3);

    // Rotate: the next in rotation other than Ben, Ana.
    olu.post(&choose, &[("companion", "rotate")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(companion_of(&app, "Noor").await.as_deref(), Some("Ana"));
    assert_eq!(companion_notices(&app).await.len(), 5);

    // Not willing, the newcomer themselves, nonsense, another CAN's member: 422 beside the field.
    let mia = app.member_named("Mia").await;
    let mut elsewhere = app.member("eve@example.org", "Eve").await;
    start_can(&mut elsewhere, "Hillside", "hillside", "invite_only").await;
    let eve = app.member_named("Eve").await;
    for value in [
        mia.to_string(),
        noor.to_string(),
        "someone".to_string(),
        eve.to_string(),
    ] {
        let refused = olu.post(&choose, &[("companion", &value)]).await;
        refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let message = refused.field_error("companion").unwrap_or_default();
        assert!(message.contains("Choose"), "{value}: {}", refused.body);
    }
    assert_eq!(companion_of(&app, "Noor").await.as_deref(), Some("Ana"));
    assert_eq!(companion_notices(&app).await.len(), 5);

    // A newcomer of another CAN, or of none: not found.
    for someone in [eve, Uuid::now_v7()] {
        olu.post(
            &at(&format!("/newcomers/{someone}/companion")),
            &[("companion", "rotate")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    }
    // Only organisers choose.
    others[2].get(&at("")).await;
    others[2]
        .post(&choose, &[("companion", "rotate")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn nobody_willing_to_rotate_to_is_said_beside_the_field() {
    let (app, mut olu, _, _) = team(&[]).await;
    let link = invite_link(&mut olu, SLUG, "5", "").await;
    newcomer(&app, &link, "noor@example.org", "Noor").await;
    let noor = app.member_named("Noor").await;
    olu.get(&at("/newcomers"))
        .await
        .assert_contains("Nobody offers to welcome newcomers yet");
    let refused = olu
        .post(
            &at(&format!("/newcomers/{noor}/companion")),
            &[("companion", "rotate")],
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .field_error("companion")
            .unwrap_or_default()
            .contains("Nobody offers to welcome newcomers yet")
    );
}

#[tokio::test]
async fn a_companion_sees_only_their_newcomers_and_plain_members_are_refused() {
    let (app, mut olu, mut others, _) = team(&[
        ("ana@example.org", "Ana"),
        ("ben@example.org", "Ben"),
        ("mia@example.org", "Mia"),
    ])
    .await;
    offer_to_welcome(&app, &mut others[0], "Ana").await;
    offer_to_welcome(&app, &mut others[1], "Ben").await;
    let link = invite_link(&mut olu, SLUG, "10", "").await;
    let (mut noor, _) = newcomer(&app, &link, "noor@example.org", "Noor").await;
    newcomer(&app, &link, "zoe@example.org", "Zoe").await;
    assert_eq!(companion_of(&app, "Noor").await.as_deref(), Some("Ana"));
    assert_eq!(companion_of(&app, "Zoe").await.as_deref(), Some("Ben"));

    // Noor's first days: a hope and a yes.
    share_hope(&mut noor, "Fruit trees on the green").await;
    let circle = meeting_in(&app, 2, "Neighbourhood circle", "scheduled").await;
    noor.post(
        &at(&format!("/meetings/{circle}/rsvp")),
        &[("answer", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    let page = others[0].get(&at("/newcomers")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Your newcomers")
        .assert_contains("Noor")
        .assert_contains("Shared a hope: yes")
        .assert_contains("Said yes to a meeting: yes")
        .assert_contains("Came to a meeting: not yet")
        .assert_lacks("Zoe")
        .assert_lacks("Choose companion")
        .assert_lacks("Not come to anything");

    // A plain member, and a newcomer, are refused.
    others[2]
        .get(&at("/newcomers"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    noor.get(&at("/newcomers"))
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // The organiser sees both, with the forms.
    olu.get(&at("/newcomers"))
        .await
        .assert_contains("Noor")
        .assert_contains("Zoe")
        .assert_contains("Choose companion");

    // Someone outside the CAN finds nothing there.
    let mut eve = app.member("eve@example.org", "Eve").await;
    for path in ["/newcomers", "/welcome"] {
        eve.get(&at(path))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn newcomers_who_have_not_come_after_30_days_are_listed_until_they_come() {
    let (app, mut olu, _, _) = team(&[]).await;
    let link = invite_link(&mut olu, SLUG, "10", "").await;
    newcomer(&app, &link, "noor@example.org", "Noor").await;
    newcomer(&app, &link, "old@example.org", "Oswin").await;
    newcomer(&app, &link, "new@example.org", "Nell").await;
    joined_days_ago(&app, "Noor", 40).await;
    joined_days_ago(&app, "Oswin", 200).await;

    let page = olu.get(&at("/newcomers")).await;
    page.assert_status(StatusCode::OK);
    let body = &page.body;
    let split = body
        .find("id=\"not-come-title\"")
        .expect("the list is shown");
    let (recent, not_come) = body.split_at(split);
    assert!(
        recent.contains("Nell") && !recent.contains("Noor"),
        "{recent}"
    );
    assert!(not_come.contains("Noor"), "{not_come}");
    assert!(
        !not_come.contains("Oswin"),
        "beyond 180 days is the health view's"
    );
    assert!(not_come.contains("180 days"));
    let noor = app.member_named("Noor").await;
    assert!(not_come.contains("/health/reach-out"));
    assert!(not_come.contains(&format!("value=\"{noor}\"")));

    // Reaching out from here is noted there.
    olu.post(
        &at("/health/reach-out"),
        &[
            ("member_id", &noor.to_string()),
            ("note", ""),
            ("word", "We would love to see you"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.get(&at("/newcomers"))
        .await
        .assert_contains("Reached out to by Olu on");

    // Noor comes to a meeting: she is off the list.
    let held = meeting_in(&app, -10, "Neighbourhood circle", "held").await;
    sqlx::query(
        "INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by)
         SELECT $1, can_id, member_id, member_id FROM memberships WHERE member_id = $2",
    )
    .bind(held)
    .bind(noor)
    .execute(&app.db)
    .await
    .unwrap();
    olu.get(&at("/newcomers"))
        .await
        .assert_contains("Everyone who joined lately has come to something");
}

#[tokio::test]
async fn the_offer_to_welcome_newcomers_is_saved_from_the_member_page() {
    let (app, _, mut others, _) = team(&[("mia@example.org", "Mia")]).await;
    let mia = app.member_named("Mia").await;
    let page = others[0].get(&at(&format!("/members/{mia}"))).await;
    page.assert_contains("name=\"welcome\" value=\"yes\"")
        .assert_contains("welcome newcomers");
    let willing = || async {
        sqlx::query_as::<_, (bool, bool, bool)>(
            "SELECT willing_to_facilitate, willing_to_take_notes, willing_to_welcome
             FROM memberships WHERE member_id = $1",
        )
        .bind(mia)
        .fetch_one(&app.db)
        .await
        .unwrap()
    };
    others[0]
        .post(&at("/membership/willing"), &[("welcome", "yes")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(willing().await, (false, false, true));
    let page = others[0].get(&at(&format!("/members/{mia}"))).await;
    assert!(
        page.body.contains("name=\"welcome\" value=\"yes\" checked"),
        "the box is ticked"
    );
    others[0]
        .post(
            &at("/membership/willing"),
            &[("facilitate", "yes"), ("welcome", "")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(willing().await, (true, false, false));
    // Anything but a tick is refused beside the box.
    let refused = others[0]
        .post(&at("/membership/willing"), &[("welcome", "maybe")])
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("welcome").is_some());
}
