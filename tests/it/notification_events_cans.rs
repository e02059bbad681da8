//! Membership events reach the people they concern: a request to join (every active organiser),
//! its answer (the person who asked), a role given (its new holder, never the one who gave it to
//! themselves), a role's term ending, kept or ended (the holder and the organisers, once even when
//! two clocks tick), and a word sent with a reach-out (the member reached out to, alone). Each
//! writes exactly one notification per recipient, and those mailed at once get one mail each with
//! the CAN's name in the subject.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use uuid::Uuid;

use canopy::cans::terms;

use crate::helpers::{Browser, TestApp, can_with_member, invite_link, join, start_can, team};

const BASE: &str = "http://localhost";

/// How many notifications of `kind` each person got, by address (only those who got any).
async fn told(app: &TestApp, kind: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT p.email, count(*) FROM notifications n JOIN members p ON p.id = n.member_id
         WHERE n.kind = $1 GROUP BY p.email ORDER BY p.email",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// The mails that carried notifications of `kind`: (to, subject), by address.
async fn mailed(app: &TestApp, kind: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT o.to_address, o.subject FROM outbox o
         JOIN notifications n ON o.dedupe_key = 'notification:' || n.id
         WHERE n.kind = $1 ORDER BY o.to_address, o.subject",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// The one notification of `kind` to `email`: (line, link).
async fn notice(app: &TestApp, kind: &str, email: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT n.line, n.link FROM notifications n JOIN members p ON p.id = n.member_id
         WHERE n.kind = $1 AND p.email = $2",
    )
    .bind(kind)
    .bind(email)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// The text of the mail to `email` that carried a notification of `kind`.
async fn mail_body(app: &TestApp, kind: &str, email: &str) -> String {
    sqlx::query_scalar(
        "SELECT o.body_text FROM outbox o
         JOIN notifications n ON o.dedupe_key = 'notification:' || n.id
         WHERE n.kind = $1 AND o.to_address = $2",
    )
    .bind(kind)
    .bind(email)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

fn pairs(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
    rows.iter().map(|(e, n)| (e.to_string(), *n)).collect()
}

/// The organiser gives the member a role (no term end when `term` is empty).
async fn give(organiser: &mut Browser, slug: &str, member: Uuid, role: &str, term: &str) {
    organiser.get(&format!("/c/{slug}/members/{member}")).await;
    organiser
        .post(
            &format!("/c/{slug}/members/{member}/roles"),
            &[("role", role), ("term_ends_on", term)],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

/// Olu's listed CAN "Riverside" with Mia (a plain member), Noor (an organiser) and Pia (an
/// organiser who is away for a while).
async fn listed_can_with_organisers() -> (TestApp, Browser) {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside", "riverside", "listed")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let path = invite_link(&mut olu, "riverside", "5", "").await;
    let mut pia = None;
    for (email, name) in [
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("pia@example.org", "Pia"),
    ] {
        let mut b = app.member(email, name).await;
        join(&mut b, &path)
            .await
            .assert_status(StatusCode::SEE_OTHER);
        if name == "Pia" {
            pia = Some(b);
        }
    }
    for name in ["Noor", "Pia"] {
        let id = app.member_named(name).await;
        give(&mut olu, "riverside", id, "organiser", "").await;
    }
    let mut pia = pia.unwrap();
    pia.get("/c/riverside").await;
    pia.post("/c/riverside/membership/pause", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    (app, olu)
}

/// Someone signs up and asks to join Riverside (with a message when given).
async fn ask(app: &TestApp, email: &str, name: &str, message: &str) -> Browser {
    let mut b = app.member(email, name).await;
    b.get("/c/riverside").await;
    b.post(
        "/c/riverside/join-requests",
        &[("message", message), ("acknowledge_rules", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    b
}

#[tokio::test]
async fn a_request_to_join_tells_each_active_organiser_once_and_nobody_else() {
    let (app, _olu) = listed_can_with_organisers().await;
    let mut ama = ask(&app, "ama@example.org", "Ama", "I live on Mill Lane").await;
    // Asking again while the request is pending changes nothing and tells nobody again.
    ama.post(
        "/c/riverside/join-requests",
        &[("acknowledge_rules", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    // The active organisers; not Mia (a plain member), Pia (away), nor Ama herself.
    assert_eq!(
        told(&app, "join_requested").await,
        pairs(&[("noor@example.org", 1), ("olu@example.org", 1)])
    );
    let (line, link) = notice(&app, "join_requested", "olu@example.org").await;
    assert_eq!(line, "Ama asks to join Riverside");
    assert_eq!(link, "/c/riverside/join-requests");
    let subject = "[Riverside] Ama asks to join Riverside".to_string();
    assert_eq!(
        mailed(&app, "join_requested").await,
        vec![
            ("noor@example.org".into(), subject.clone()),
            ("olu@example.org".into(), subject)
        ]
    );
    let body = mail_body(&app, "join_requested", "noor@example.org").await;
    assert!(
        body.contains("They wrote:\nI live on Mill Lane\n")
            && body.contains("http://localhost/c/riverside/join-requests"),
        "{body}"
    );
}

#[tokio::test]
async fn an_answer_to_a_request_tells_the_person_who_asked_once() {
    let (app, mut olu) = listed_can_with_organisers().await;
    let mut ama = ask(&app, "ama@example.org", "Ama", "").await;
    let _dex = ask(&app, "dex@example.org", "Dex", "").await;
    let id = |email: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(
                "SELECT r.id FROM join_requests r JOIN members m ON m.id = r.member_id
                 WHERE m.email = $1",
            )
            .bind(email)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let (ama_request, dex_request) = (id("ama@example.org").await, id("dex@example.org").await);
    olu.get("/c/riverside/join-requests").await;
    for _ in 0..2 {
        // The second click finds it answered: nobody is told twice.
        olu.post(
            &format!("/c/riverside/join-requests/{ama_request}/approve"),
            &[],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
        olu.post(
            &format!("/c/riverside/join-requests/{dex_request}/decline"),
            &[],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }

    // Only the people who asked; not the organiser who answered, nor the other organisers.
    assert_eq!(
        told(&app, "join_answered").await,
        pairs(&[("ama@example.org", 1), ("dex@example.org", 1)])
    );
    assert_eq!(
        notice(&app, "join_answered", "ama@example.org").await,
        (
            "Welcome to Riverside: your request to join was approved".into(),
            // Issue 16: the new member's welcome page.
            "/c/riverside/welcome".into()
        )
    );
    assert_eq!(
        notice(&app, "join_answered", "dex@example.org").await,
        (
            "Your request to join Riverside was declined".into(),
            "/c".into()
        )
    );
    assert_eq!(
        mailed(&app, "join_answered").await,
        vec![
            (
                "ama@example.org".into(),
                "[Riverside] Welcome to Riverside: your request to join was approved".into()
            ),
            (
                "dex@example.org".into(),
                "[Riverside] Your request to join Riverside was declined".into()
            ),
        ]
    );
    let body = mail_body(&app, "join_answered", "dex@example.org").await;
    assert!(body.contains("You may ask again after 30 days"), "{body}");
    // Ama, now a member, sees it in her header.
    ama.get("/c/riverside")
        .await
        .assert_contains("Your membership");
    assert_eq!(
        app.count("notifications n JOIN members p ON p.id = n.member_id WHERE p.email = 'ama@example.org' AND n.read_at IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn a_role_given_tells_its_new_holder_once_but_nobody_of_their_own_act() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    // The founder named themselves organiser: nobody was told.
    assert_eq!(told(&app, "role_granted").await, vec![]);
    let (olu_id, mia) = (
        app.member_id("olu@example.org").await,
        app.member_id("mia@example.org").await,
    );
    give(&mut olu, &slug, mia, "facilitator", "2099-06-30").await;
    // Giving it again (she holds it) changes nothing and tells nobody again.
    give(&mut olu, &slug, mia, "facilitator", "2099-06-30").await;
    // An organiser giving themselves a role is not told of it.
    give(&mut olu, &slug, olu_id, "coordinator", "").await;

    assert_eq!(
        told(&app, "role_granted").await,
        pairs(&[("mia@example.org", 1)])
    );
    assert_eq!(
        notice(&app, "role_granted", "mia@example.org").await,
        (
            "Olu named you facilitator of Riverside Neighbours".into(),
            format!("/c/{slug}/members/{mia}")
        )
    );
    // A role given waits for the weekly digest unless the member wants it at once.
    assert_eq!(mailed(&app, "role_granted").await, vec![]);
    sqlx::query(
        "INSERT INTO notification_prefs (member_id, kind, delivery) VALUES ($1, 'role_granted', 'now')",
    )
    .bind(mia)
    .execute(&app.db)
    .await
    .unwrap();
    give(&mut olu, &slug, mia, "coordinator", "").await;
    assert_eq!(
        told(&app, "role_granted").await,
        pairs(&[("mia@example.org", 2)])
    );
    assert_eq!(
        mailed(&app, "role_granted").await,
        vec![(
            "mia@example.org".into(),
            "[Riverside Neighbours] Olu named you coordinator of Riverside Neighbours".into()
        )]
    );
    let body = mail_body(&app, "role_granted", "mia@example.org").await;
    assert!(
        body.contains("Coordinators keep the map of who carries what")
            && body.contains("with no set end."),
        "{body}"
    );
}

/// Moves the active grant's term end to `day`, an SQL date expression.
async fn set_term(app: &TestApp, email: &str, role: &str, day: &str) {
    let done = sqlx::query(&format!(
        "UPDATE role_grants g SET term_ends_on = {day} FROM members p
         WHERE p.id = g.member_id AND p.email = $1 AND g.role = $2 AND g.ended_at IS NULL"
    ))
    .bind(email)
    .bind(role)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 1);
}

/// Two clocks at once, then a third run.
async fn tick_twice_at_once_and_again(app: &TestApp) {
    let (a, b) = tokio::join!(terms::tick(&app.db, BASE), terms::tick(&app.db, BASE));
    a.unwrap();
    b.unwrap();
    terms::tick(&app.db, BASE).await.unwrap();
}

const TODAY_IN_LONDON: &str = "(now() AT TIME ZONE 'Europe/London')::date";

#[tokio::test]
async fn a_terms_reminder_and_end_tell_the_holder_and_organisers_once_however_often_the_clock_ticks()
 {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let mia = app.member_id("mia@example.org").await;
    give(&mut olu, &slug, mia, "facilitator", "2099-06-30").await;
    set_term(
        &app,
        "mia@example.org",
        "facilitator",
        &format!("{TODAY_IN_LONDON} + 10"),
    )
    .await;
    tick_twice_at_once_and_again(&app).await;
    assert_eq!(
        told(&app, "role_term").await,
        pairs(&[("mia@example.org", 1), ("olu@example.org", 1)])
    );
    let day: String = sqlx::query_scalar(&format!(
        "SELECT to_char({TODAY_IN_LONDON} + 10, 'FMDD FMMonth YYYY')"
    ))
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        mailed(&app, "role_term").await,
        vec![
            (
                "mia@example.org".into(),
                format!("[Riverside Neighbours] Your term as facilitator ends {day}")
            ),
            (
                "olu@example.org".into(),
                format!("[Riverside Neighbours] Mia's term as facilitator ends {day}")
            ),
        ]
    );
    let (_, link) = notice(&app, "role_term", "olu@example.org").await;
    assert_eq!(link, format!("/c/{slug}/members/{mia}"));

    // The term passes: one more each, still once however often the clock runs.
    set_term(
        &app,
        "mia@example.org",
        "facilitator",
        &format!("{TODAY_IN_LONDON} - 1"),
    )
    .await;
    tick_twice_at_once_and_again(&app).await;
    tick_twice_at_once_and_again(&app).await;
    assert_eq!(
        told(&app, "role_term").await,
        pairs(&[("mia@example.org", 2), ("olu@example.org", 2)])
    );
    let ended: Vec<(String, String)> = mailed(&app, "role_term")
        .await
        .into_iter()
        .filter(|(_, s)| s.ends_with("has ended"))
        .collect();
    assert_eq!(
        ended,
        vec![
            (
                "mia@example.org".into(),
                "[Riverside Neighbours] Your term as facilitator has ended".into()
            ),
            (
                "olu@example.org".into(),
                "[Riverside Neighbours] Mia's term as facilitator has ended".into()
            ),
        ]
    );
}

#[tokio::test]
async fn a_renewed_term_tells_its_holder_unless_they_renewed_their_own() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let (olu_id, mia) = (
        app.member_id("olu@example.org").await,
        app.member_id("mia@example.org").await,
    );
    give(&mut olu, &slug, mia, "coordinator", "2099-06-30").await;
    give(&mut olu, &slug, olu_id, "facilitator", "2099-06-30").await;
    for who in [mia, olu_id] {
        let role = if who == mia {
            "coordinator"
        } else {
            "facilitator"
        };
        olu.get(&format!("/c/{slug}/members/{who}")).await;
        olu.post(
            &format!("/c/{slug}/members/{who}/roles/{role}/renew"),
            &[("term_ends_on", "2100-06-30")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    assert_eq!(
        told(&app, "role_term").await,
        pairs(&[("mia@example.org", 1)])
    );
    assert_eq!(
        mailed(&app, "role_term").await,
        vec![(
            "mia@example.org".into(),
            "[Riverside Neighbours] Olu renewed your term as coordinator of Riverside Neighbours until 30 June 2100".into()
        )]
    );
}

/// Olu's CAN with Mia, who comes, and Quinn, who stopped coming: Quinn is drifting away.
async fn quinn_drifting() -> (TestApp, Browser, Browser, String, Uuid) {
    let (app, olu, mut others, slug) =
        team(&[("mia@example.org", "Mia"), ("quinn@example.org", "Quinn")]).await;
    sqlx::query("UPDATE memberships SET joined_at = now() - interval '1 year', status_changed_at = now() - interval '1 year'")
        .execute(&app.db)
        .await
        .unwrap();
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (olu_id, mia) = (
        app.member_id("olu@example.org").await,
        app.member_id("mia@example.org").await,
    );
    for weeks in [8, 6, 4, 2] {
        let id = Uuid::now_v7();
        let start = Utc::now() - Duration::weeks(weeks) - Duration::hours(2);
        sqlx::query(
            "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, status)
             VALUES ($1, $2, 'Circle', $3, $4, 'held')",
        )
        .bind(id)
        .bind(can)
        .bind(start)
        .bind(start + Duration::minutes(90))
        .execute(&app.db)
        .await
        .unwrap();
        for who in [olu_id, mia] {
            sqlx::query("INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by) VALUES ($1, $2, $3, $3)")
                .bind(id)
                .bind(can)
                .bind(who)
                .execute(&app.db)
                .await
                .unwrap();
        }
    }
    // Mia facilitates: since issue 16 who drifts, and the reach-out forms beside them, are for
    // organisers and facilitators only.
    sqlx::query(
        "INSERT INTO role_grants (id, can_id, member_id, role) VALUES ($1, $2, $3, 'facilitator')",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(mia)
    .execute(&app.db)
    .await
    .unwrap();
    let mia_browser = others.remove(0);
    let quinn = app.member_id("quinn@example.org").await;
    (app, olu, mia_browser, slug, quinn)
}

#[tokio::test]
async fn a_word_sent_with_a_reach_out_reaches_that_member_alone_and_the_note_stays_internal() {
    let (app, mut olu, mut mia, slug, quinn) = quinn_drifting().await;
    let page = mia.get(&format!("/c/{slug}/health")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains(&format!(
            "<label for=\"word-{quinn}\">A word to Quinn (optional)</label>"
        ))
        .assert_contains("Without a word nothing is sent");

    // Without a word: recorded, nobody told.
    mia.post(
        &format!("/c/{slug}/health/reach-out"),
        &[
            ("member_id", &quinn.to_string()),
            ("note", "Left a message"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("reach_outs").await, 1);
    assert_eq!(told(&app, "reach_out").await, vec![]);

    // With a word: Quinn alone is told, with the word; the note goes nowhere.
    mia.get(&format!("/c/{slug}/health")).await;
    mia.post(
        &format!("/c/{slug}/health/reach-out"),
        &[
            ("member_id", &quinn.to_string()),
            ("note", "Seems low, worth a visit"),
            ("word", "We missed you on Tuesday. Soup at mine on Friday?"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/health"))
        .await
        .assert_contains("sent them your word");
    assert_eq!(app.count("reach_outs").await, 2);
    assert_eq!(
        told(&app, "reach_out").await,
        pairs(&[("quinn@example.org", 1)])
    );
    assert_eq!(
        notice(&app, "reach_out", "quinn@example.org").await,
        (
            "Mia from Riverside Neighbours is thinking of you".into(),
            format!("/c/{slug}")
        )
    );
    assert_eq!(
        mailed(&app, "reach_out").await,
        vec![(
            "quinn@example.org".into(),
            "[Riverside Neighbours] Mia from Riverside Neighbours is thinking of you".into()
        )]
    );
    let body = mail_body(&app, "reach_out", "quinn@example.org").await;
    assert!(
        body.contains("We missed you on Tuesday. Soup at mine on Friday?")
            && !body.contains("Seems low"),
        "{body}"
    );
    assert_eq!(
        app.count("outbox WHERE body_text LIKE '%Seems low%' OR subject LIKE '%Seems low%'")
            .await,
        0
    );
    assert_eq!(
        app.count("notifications WHERE line LIKE '%Seems low%'")
            .await,
        0
    );
    // The word is kept with Quinn's notification (the inbox shows it, mailed or not); the
    // note is not.
    assert_eq!(
        app.count(
            "notifications WHERE kind = 'reach_out' \
             AND detail = 'We missed you on Tuesday. Soup at mine on Friday?'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("notifications WHERE detail LIKE '%Seems low%'")
            .await,
        0
    );

    // A second word from Mia to Quinn in the same week is recorded but not sent, and Mia is
    // told why: one a week is a nudge, more would be a stream.
    mia.get(&format!("/c/{slug}/health")).await;
    mia.post(
        &format!("/c/{slug}/health/reach-out"),
        &[
            ("member_id", &quinn.to_string()),
            ("note", ""),
            ("word", "Did you see my message?"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/health"))
        .await
        .assert_contains("You sent them a word this week already, so this one was not sent");
    assert_eq!(app.count("reach_outs").await, 3);
    assert_eq!(
        told(&app, "reach_out").await,
        pairs(&[("quinn@example.org", 1)])
    );
    assert_eq!(
        app.count("outbox WHERE body_text LIKE '%Did you see my message%'")
            .await,
        0
    );

    // Olu reaching out to himself with a word tells nobody.
    let olu_id = app.member_id("olu@example.org").await;
    olu.get(&format!("/c/{slug}/health")).await;
    olu.post(
        &format!("/c/{slug}/health/reach-out"),
        &[("member_id", &olu_id.to_string()), ("word", "Hello me")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("notifications WHERE kind = 'reach_out'").await, 1);
    olu.get(&format!("/c/{slug}/health"))
        .await
        .assert_contains("Noted that you reached out to Olu. Thank you.")
        .assert_lacks("a word this week already");
}

#[tokio::test]
async fn a_word_too_long_is_refused_beside_its_field_with_the_input_kept_and_nothing_written() {
    let (app, _olu, mut mia, slug, quinn) = quinn_drifting().await;
    mia.get(&format!("/c/{slug}/health")).await;
    let long = "w".repeat(501);
    let page = mia
        .post(
            &format!("/c/{slug}/health/reach-out"),
            &[
                ("member_id", &quinn.to_string()),
                ("note", "Called twice"),
                ("word", &long),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error(&format!("word-{quinn}")).as_deref(),
        Some("Your word to them must be at most 500 characters (this is 501).")
    );
    page.assert_contains(&format!(">{long}</textarea>"))
        .assert_contains("value=\"Called twice\"");
    // Exactly 500 is fine; a word of unstorable characters is refused too.
    let page = mia
        .post(
            &format!("/c/{slug}/health/reach-out"),
            &[("member_id", &quinn.to_string()), ("word", "hi\u{7}")],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error(&format!("word-{quinn}")).is_some());
    assert_eq!(app.count("reach_outs").await, 0);
    assert_eq!(app.count("notifications").await, 0);
    assert_eq!(
        app.count("activity_log WHERE action = 'health.reached_out'")
            .await,
        0
    );

    mia.post(
        &format!("/c/{slug}/health/reach-out"),
        &[
            ("member_id", &quinn.to_string()),
            ("word", &"w".repeat(500)),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        told(&app, "reach_out").await,
        pairs(&[("quinn@example.org", 1)])
    );
}

#[tokio::test]
async fn a_decline_may_say_why_and_a_reason_too_long_is_refused_beside_its_field() {
    let (app, mut olu) = listed_can_with_organisers().await;
    let _dex = ask(&app, "dex@example.org", "Dex", "").await;
    let request: Uuid = sqlx::query_scalar("SELECT id FROM join_requests")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let page = olu.get("/c/riverside/join-requests").await;
    page.assert_contains(&format!(
        "<label for=\"reason-{request}\">Why (optional; Dex reads it)</label>"
    ));

    // Too long: 422 beside this request's field, the text kept, nothing decided or told.
    let long = "x".repeat(501);
    let page = olu
        .post(
            &format!("/c/riverside/join-requests/{request}/decline"),
            &[("reason", &long)],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains(&long);
    assert_eq!(
        page.field_error(&format!("reason-{request}")).as_deref(),
        Some("Keep the reason to 500 characters (this one has 501).")
    );
    assert_eq!(app.count("join_requests WHERE status = 'pending'").await, 1);
    assert_eq!(told(&app, "join_answered").await, vec![]);

    // With a reason: Dex reads it in his notification and his mail.
    olu.post(
        &format!("/c/riverside/join-requests/{request}/decline"),
        &[("reason", "  We are only for the houses on Elm Street.  ")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(
            "join_requests WHERE status = 'declined' \
             AND decline_reason = 'We are only for the houses on Elm Street.'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("notifications WHERE kind = 'join_answered' AND detail LIKE '%They said:\n\nWe are only for the houses on Elm Street.%'")
            .await,
        1
    );
    let body = mail_body(&app, "join_answered", "dex@example.org").await;
    assert!(
        body.contains("They said:\n\nWe are only for the houses on Elm Street."),
        "{body}"
    );
}
