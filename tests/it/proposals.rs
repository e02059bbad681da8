//! Proposals (issue 17 §1) through the real router: putting one, answering through the consent
//! machinery, adoption into a decision (of the meeting too, when put at one), a blocking
//! objection, no quorum, withdrawal, amendment (old answers kept and marked, not counted, their
//! authors asked again), answers after the close, the 24-hour reminder, closing at a meeting on
//! those present, who is told (never the one who acted), and other CANs' ids.

use axum::http::StatusCode;
use chrono::Utc;
use uuid::Uuid;

use crate::helpers::{Browser, Page, TestApp, start_can, team};

/// Olu's CAN with Mia and Noor (all active; quorum two thirds).
async fn group() -> (TestApp, Browser, Browser, Browser, String) {
    let (app, olu, mut others, slug) =
        team(&[("mia@example.org", "Mia"), ("noor@example.org", "Noor")]).await;
    let noor = others.pop().unwrap();
    let mia = others.pop().unwrap();
    (app, olu, mia, noor, slug)
}

fn in_days(days: i64) -> String {
    (Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Puts a proposal through the form; returns the response.
async fn put(b: &mut Browser, slug: &str, fields: &[(&str, &str)]) -> Page {
    b.get(&format!("/c/{slug}/proposals/new"))
        .await
        .assert_status(StatusCode::OK);
    let closes = in_days(3);
    let mut all: Vec<(&str, &str)> = vec![
        ("title", "Quiet hours"),
        ("body", "We keep the garden quiet after 22:00."),
        ("closes_on", &closes),
        ("closes_time", "20:00"),
        ("about", ""),
        ("meeting", ""),
        ("agenda_item", ""),
    ];
    for (k, v) in fields {
        all.retain(|(name, _)| name != k);
        all.push((k, v));
    }
    b.post(&format!("/c/{slug}/proposals/new"), &all).await
}

/// Puts the default proposal and returns its id.
async fn propose(b: &mut Browser, slug: &str) -> String {
    let page = put(b, slug, &[]).await;
    page.assert_status(StatusCode::SEE_OTHER);
    page.location()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

async fn answer(b: &mut Browser, slug: &str, id: &str, answer: &str, reason: &str) -> Page {
    b.get(&format!("/c/{slug}/proposals/{id}")).await;
    b.post(
        &format!("/c/{slug}/proposals/{id}/answer"),
        &[("answer", answer), ("reason", reason)],
    )
    .await
}

async fn close(b: &mut Browser, slug: &str, id: &str) -> Page {
    b.get(&format!("/c/{slug}/proposals/{id}")).await;
    b.post(&format!("/c/{slug}/proposals/{id}/close"), &[])
        .await
}

/// Who was told of `kind` about proposal pages (one entry per notification), by display name.
async fn told(app: &TestApp, kind: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT p.display_name FROM notifications n JOIN members p ON p.id = n.member_id
         WHERE n.kind = $1 AND n.link LIKE '%/proposals/%' ORDER BY p.display_name",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn detail_of(app: &TestApp, kind: &str, name: &str) -> String {
    sqlx::query_scalar(
        "SELECT n.detail FROM notifications n JOIN members p ON p.id = n.member_id
         WHERE n.kind = $1 AND p.display_name = $2",
    )
    .bind(kind)
    .bind(name)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn status(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM proposals WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_proposal_is_put_answered_and_adopted_as_a_decision_of_the_can() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    let id = propose(&mut mia, &slug).await;
    // Everyone else is asked; the author is not told of her own proposal.
    assert_eq!(told(&app, "round_opened").await, vec!["Noor", "Olu"]);
    let page = mia.get(&format!("/c/{slug}/proposals/{id}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Quiet hours")
        .assert_contains("We keep the garden quiet after 22:00.")
        .assert_contains("0 of 3 active members have answered; 2 needed (two thirds)")
        .assert_contains("Not answered yet: Mia, Noor, Olu.")
        .assert_contains(&format!(
            "href=\"/c/{slug}/threads/proposal/{id}\">Discussion (0)"
        ));
    // The list shows it open, with the caller's own answer.
    olu.get(&format!("/c/{slug}/proposals"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Quiet hours")
        .assert_contains("not answered yet");

    answer(&mut olu, &slug, &id, "endorse", "")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    answer(
        &mut noor,
        &slug,
        &id,
        "stand_aside",
        "Not my garden, but fine.",
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    // Answering the same again changes nothing.
    answer(&mut olu, &slug, &id, "endorse", "")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("consent_answer_history").await, 2);
    olu.get(&format!("/c/{slug}/proposals"))
        .await
        .assert_contains("you answered: Endorse");
    mia.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("2 of 3 active members have answered")
        .assert_contains("No objection, quorum met")
        .assert_contains("Not my garden, but fine.");

    // A plain member cannot close it; a facilitator (the organiser) can.
    mia.post(&format!("/c/{slug}/proposals/{id}/close"), &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    close(&mut olu, &slug, &id)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(&app, &id).await, "adopted");
    let decision: (String, Option<Uuid>) =
        sqlx::query_as("SELECT body, meeting_id FROM decisions WHERE proposal_id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(decision, ("Quiet hours".to_string(), None));
    mia.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("<strong>Adopted</strong>")
        .assert_contains(&format!(
            "href=\"/c/{slug}/decisions\">a decision of the CAN</a>"
        ))
        .assert_lacks("Your answer");
    // Everyone but the one who closed it hears the outcome.
    assert_eq!(told(&app, "round_closed").await, vec!["Mia", "Noor"]);
    assert!(
        detail_of(&app, "round_closed", "Mia")
            .await
            .contains("adopted: it is a decision of the CAN")
    );
    assert_eq!(
        app.count("activity_log WHERE action = 'proposal.closed'")
            .await,
        1
    );
    // The list now shows it decided.
    olu.get(&format!("/c/{slug}/proposals"))
        .await
        .assert_contains("No proposal is open.")
        .assert_contains("Adopted");
}

#[tokio::test]
async fn a_standing_objection_blocks_and_is_listed_with_the_outcome() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    let id = propose(&mut mia, &slug).await;
    answer(&mut olu, &slug, &id, "endorse", "").await;
    // An objection needs its reason: 422 with the choice kept.
    let page = answer(&mut noor, &slug, &id, "object", "  ").await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("reason")
            .unwrap()
            .contains("An objection needs a reason")
    );
    answer(
        &mut noor,
        &slug,
        &id,
        "object",
        "Some of us work night shifts.",
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let noor_id = app.member_named("Noor").await;
    let round: Uuid =
        sqlx::query_scalar("SELECT id FROM consent_rounds WHERE proposal_id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    mia.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("An objection stands: the proposal cannot be adopted")
        .assert_contains(&format!(
            "href=\"/c/{slug}/threads/objection/{round}/{noor_id}\">Talk it through (0)"
        ));
    answer(&mut mia, &slug, &id, "endorse", "").await;
    close(&mut olu, &slug, &id)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(&app, &id).await, "not_adopted");
    assert_eq!(app.count("decisions").await, 0);
    mia.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("<strong>Not adopted</strong>")
        .assert_contains("an objection stood when it closed")
        .assert_contains("The objections that stood:")
        .assert_contains("<strong>Noor</strong>: Some of us work night shifts.");
    assert!(
        detail_of(&app, "round_closed", "Mia")
            .await
            .contains("- Noor: Some of us work night shifts.")
    );
    assert_eq!(told(&app, "round_closed").await, vec!["Mia", "Noor"]);
}

#[tokio::test]
async fn without_a_quorum_a_proposal_is_not_adopted() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    let id = propose(&mut mia, &slug).await;
    answer(&mut mia, &slug, &id, "endorse", "").await;
    olu.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("More answers are needed for a quorum.");
    close(&mut olu, &slug, &id).await;
    assert_eq!(status(&app, &id).await, "not_adopted");
    assert_eq!(
        app.count("consent_rounds WHERE outcome = 'no_quorum'")
            .await,
        1
    );
    mia.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("too few members answered (no quorum)")
        .assert_contains("1 of 3 active members have answered; 2 needed");
}

#[tokio::test]
async fn the_author_withdraws_with_a_reason_and_those_who_answered_are_told() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    let id = propose(&mut mia, &slug).await;
    answer(&mut olu, &slug, &id, "object", "Too strict.").await;
    // Nobody but the author and the facilitators withdraws; a reason is needed.
    noor.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_lacks("Withdraw the proposal");
    noor.post(
        &format!("/c/{slug}/proposals/{id}/withdraw"),
        &[("withdraw_reason", "Mine now")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    mia.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("Withdraw the proposal");
    let page = mia
        .post(
            &format!("/c/{slug}/proposals/{id}/withdraw"),
            &[("withdraw_reason", " ")],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("withdraw_reason").is_some());
    mia.post(
        &format!("/c/{slug}/proposals/{id}/withdraw"),
        &[("withdraw_reason", "Olu is right; I will redraft it.")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(&app, &id).await, "withdrawn");
    assert_eq!(
        app.count("consent_rounds WHERE outcome = 'withdrawn'")
            .await,
        1
    );
    noor.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("<strong>Withdrawn</strong> by Mia")
        .assert_contains("Why: Olu is right; I will redraft it.")
        .assert_lacks("Your answer");
    // Only Olu answered: only he is told (never Mia, who withdrew it).
    assert_eq!(told(&app, "round_closed").await, vec!["Olu"]);
    assert!(
        detail_of(&app, "round_closed", "Olu")
            .await
            .contains("Why: Olu is right; I will redraft it.")
    );
    // Answering, withdrawing or closing it now is refused with a clear message.
    let late = noor
        .post(
            &format!("/c/{slug}/proposals/{id}/answer"),
            &[("answer", "endorse"), ("reason", "")],
        )
        .await;
    late.assert_status(StatusCode::CONFLICT)
        .assert_contains("This proposal is no longer open, so your answer was not recorded.");
    mia.post(
        &format!("/c/{slug}/proposals/{id}/withdraw"),
        &[("withdraw_reason", "Again")],
    )
    .await
    .assert_status(StatusCode::CONFLICT)
    .assert_contains("no longer open");
    olu.post(&format!("/c/{slug}/proposals/{id}/close"), &[])
        .await
        .assert_status(StatusCode::CONFLICT);
    mia.get(&format!("/c/{slug}/proposals"))
        .await
        .assert_contains("Withdrawn");
}

#[tokio::test]
async fn an_amendment_keeps_old_answers_marked_and_asks_their_authors_again() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    let id = propose(&mut mia, &slug).await;
    answer(&mut olu, &slug, &id, "endorse", "").await;
    answer(&mut noor, &slug, &id, "object", "22:00 is too early.").await;

    // Only the author (or a facilitator) amends; a note on what changed is required.
    noor.get(&format!("/c/{slug}/proposals/{id}/amend"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let form = mia.get(&format!("/c/{slug}/proposals/{id}/amend")).await;
    form.assert_status(StatusCode::OK);
    assert_eq!(form.input_value("title").as_deref(), Some("Quiet hours"));
    let refused = mia
        .post(
            &format!("/c/{slug}/proposals/{id}/amend"),
            &[
                ("title", "Quiet hours"),
                ("body", "We keep the garden quiet after 23:00."),
                ("note", ""),
            ],
        )
        .await;
    refused
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("We keep the garden quiet after 23:00.");
    assert!(refused.field_error("note").is_some());
    mia.post(
        &format!("/c/{slug}/proposals/{id}/amend"),
        &[
            ("title", "Quiet hours from 23:00"),
            ("body", "We keep the garden quiet after 23:00."),
            ("note", "Later, as Noor asked."),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("proposal_versions").await, 2);
    assert_eq!(app.count("consent_rounds WHERE text_version = 2").await, 1);
    // Those who answered are asked again (not the author), once per version.
    assert_eq!(told(&app, "proposal_amended").await, vec!["Noor", "Olu"]);
    assert!(
        detail_of(&app, "proposal_amended", "Olu")
            .await
            .contains("What changed: Later, as Noor asked.")
    );

    // Their answers stay on the page, marked, and do not count.
    let page = mia.get(&format!("/c/{slug}/proposals/{id}")).await;
    page.assert_contains("Quiet hours from 23:00")
        .assert_contains("Answered version 1 — asked to answer again; not counted.")
        .assert_contains("22:00 is too early.")
        .assert_contains("0 of 3 active members have answered")
        .assert_contains("What changed: Later, as Noor asked.")
        .assert_contains("the title was “Quiet hours”")
        .assert_contains("<ins class=\"diff-added\">23:00.</ins>");
    noor.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("You answered version 1; the text has changed since.");
    // Waiting on them: answer again.
    noor.get("/")
        .await
        .assert_contains("“Quiet hours from 23:00” was amended since your answer: answer again");

    // Re-answering counts again; the same answer as before is an answer to the new text.
    answer(&mut noor, &slug, &id, "object", "22:00 is too early.")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    answer(&mut noor, &slug, &id, "endorse", "Thank you.")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    answer(&mut mia, &slug, &id, "endorse", "").await;
    mia.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("2 of 3 active members have answered");
    noor.get("/").await.assert_lacks("Quiet hours from 23:00");
    close(&mut olu, &slug, &id).await;
    assert_eq!(status(&app, &id).await, "adopted");
    let tally: (i32, i32) = sqlx::query_as(
        "SELECT answered_at_close, endorse_at_close FROM consent_rounds WHERE proposal_id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(tally, (2, 2));
}

#[tokio::test]
async fn bad_input_is_refused_with_422_and_everything_kept() {
    let (app, _olu, mut mia, _noor, slug) = group().await;
    let long = "x".repeat(5001);
    let page = put(&mut mia, &slug, &[("title", ""), ("body", &long)]).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("title").is_some());
    assert!(page.field_error("body").unwrap().contains("at most 5000"));
    assert!(page.body.contains(&long));
    let page = put(
        &mut mia,
        &slug,
        &[("title", "Too soon"), ("closes_on", "2001-01-01")],
    )
    .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("closes_on").is_some());
    assert_eq!(page.input_value("title").as_deref(), Some("Too soon"));
    let far = in_days(70);
    let page = put(&mut mia, &slug, &[("closes_on", &far)]).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("closes_on").unwrap().contains("60 days"));
    let title = "t".repeat(121);
    put(&mut mia, &slug, &[("title", &title)])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("proposals").await, 0);
    // The form defaults to a week ahead.
    let form = mia.get(&format!("/c/{slug}/proposals/new")).await;
    assert_eq!(form.input_value("closes_on"), Some(in_days(7)));
}

#[tokio::test]
async fn another_cans_ids_are_not_found() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    let id = propose(&mut mia, &slug).await;
    // Zed's own CAN, with a goal, a responsibility, a meeting and a proposal of its own.
    let mut zed = app.member("zed@example.org", "Zed").await;
    start_can(&mut zed, "Elsewhere", "elsewhere", "invite_only").await;
    let theirs = propose(&mut zed, "elsewhere").await;
    let (other_can, zed_id): (Uuid, Uuid) = sqlx::query_as(
        "SELECT c.id, m.id FROM cans c, members m WHERE c.slug = 'elsewhere' AND m.display_name = 'Zed'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let goal: Uuid = sqlx::query_scalar(
        "INSERT INTO goals (id, can_id, title, status, created_by) VALUES (gen_random_uuid(), $1, 'Theirs', 'active', $2) RETURNING id",
    )
    .bind(other_can)
    .bind(zed_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let meeting: Uuid = sqlx::query_scalar(
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at)
         VALUES (gen_random_uuid(), $1, 'Their meeting', now() + interval '1 day', now() + interval '25 hours')
         RETURNING id",
    )
    .bind(other_can)
    .fetch_one(&app.db)
    .await
    .unwrap();

    // Their proposal under our name, and ours under theirs: 404 for every route.
    for path in [
        format!("/c/{slug}/proposals/{theirs}"),
        format!("/c/{slug}/proposals/{theirs}/amend"),
        format!("/c/elsewhere/proposals/{id}"),
        format!("/c/{slug}/proposals/not-an-id"),
    ] {
        olu.get(&path).await.assert_status(StatusCode::NOT_FOUND);
    }
    olu.get(&format!("/c/{slug}/proposals")).await;
    for action in ["answer", "amend", "withdraw", "close"] {
        olu.post(
            &format!("/c/{slug}/proposals/{theirs}/{action}"),
            &[
                ("answer", "endorse"),
                ("reason", ""),
                ("title", "x"),
                ("body", "x"),
                ("note", "x"),
                ("withdraw_reason", "x"),
            ],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    }
    assert_eq!(status(&app, &theirs).await, "open");
    // Their goal, meeting (or a malformed id) in our form: 404, and nothing is written.
    let goal_about = format!("goal:{goal}");
    let resp_about = format!("responsibility:{goal}");
    let meeting_s = meeting.to_string();
    for fields in [
        vec![("about", goal_about.as_str())],
        vec![("about", resp_about.as_str())],
        vec![("about", "goal:nonsense")],
        vec![("meeting", meeting_s.as_str())],
        vec![("meeting", "nonsense")],
    ] {
        put(&mut mia, &slug, &fields)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    mia.get(&format!("/c/{slug}/proposals/new?meeting={meeting}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.count("proposals").await, 2);
    // Zed sees nothing of ours.
    zed.get(&format!("/c/{slug}/proposals"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    zed.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_reminder_goes_once_to_those_who_have_not_answered_and_the_clock_closes_it() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    let id = propose(&mut mia, &slug).await;
    answer(&mut olu, &slug, &id, "endorse", "").await;
    answer(&mut mia, &slug, &id, "endorse", "").await;
    sqlx::query("UPDATE consent_rounds SET opened_at = now() - interval '2 days', closes_at = now() + interval '20 hours'")
        .execute(&app.db)
        .await
        .unwrap();
    let base = "http://localhost";
    let (a, b) = tokio::join!(
        canopy::visioning::rounds::tick(&app.db, base),
        canopy::visioning::rounds::tick(&app.db, base)
    );
    assert_eq!(a.unwrap().reminded + b.unwrap().reminded, 1);
    canopy::visioning::rounds::tick(&app.db, base)
        .await
        .unwrap();
    assert_eq!(told(&app, "round_closing").await, vec!["Noor"]);
    let (line, link): (String, String) =
        sqlx::query_as("SELECT line, link FROM notifications WHERE kind = 'round_closing'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        line,
        "“Quiet hours” closes within a day: you have not answered yet"
    );
    assert_eq!(link, format!("/c/{slug}/proposals/{id}"));

    // Time is up: the clock closes it (once), and it is adopted.
    sqlx::query("UPDATE consent_rounds SET closes_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        canopy::visioning::rounds::tick(&app.db, base),
        canopy::visioning::rounds::tick(&app.db, base)
    );
    assert_eq!(a.unwrap().closed + b.unwrap().closed, 1);
    assert_eq!(status(&app, &id).await, "adopted");
    assert_eq!(told(&app, "round_closed").await, vec!["Mia", "Noor", "Olu"]);
    assert_eq!(
        app.count("decisions WHERE proposal_id IS NOT NULL").await,
        1
    );
}

/// Olu's meeting in the group, under way now, with the agenda item "Garden rules".
async fn meeting_under_way(app: &TestApp, olu: &mut Browser, slug: &str) -> (Uuid, Uuid) {
    let tomorrow = in_days(1);
    olu.get(&format!("/c/{slug}/meetings/new")).await;
    olu.post(
        &format!("/c/{slug}/meetings"),
        &[
            ("title", "Garden meeting"),
            ("repeat", "once"),
            ("interval", "1"),
            ("weekday", "TU"),
            ("nth", "2"),
            ("month_day", "1"),
            ("starts_on", &tomorrow),
            ("start_time", "19:00"),
            ("duration_minutes", "90"),
            ("until_on", ""),
            ("location", "The garden"),
            ("agenda_template", "Garden rules"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let (meeting, item): (Uuid, Uuid) = sqlx::query_as(
        "SELECT g.id, a.id FROM meetings g JOIN agenda_items a ON a.meeting_id = g.id
         WHERE a.title = 'Garden rules'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE meetings SET starts_at = now() - interval '10 minutes', ends_at = now() + interval '1 hour'
         WHERE id = $1",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    (meeting, item)
}

#[tokio::test]
async fn a_proposal_put_at_a_meeting_closes_there_once_everyone_present_has_answered() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    let (meeting, item) = meeting_under_way(&app, &mut olu, &slug).await;
    let run = format!("/c/{slug}/meetings/{meeting}/run");
    let new = format!("/c/{slug}/proposals/new?meeting={meeting}&#38;agenda_item={item}");
    olu.get(&run)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains(&format!("href=\"{new}\""));
    // The form comes with the item's title and the meeting, and says how closing there works.
    let form = olu
        .get(&format!(
            "/c/{slug}/proposals/new?meeting={meeting}&agenda_item={item}"
        ))
        .await;
    form.assert_status(StatusCode::OK)
        .assert_contains(
            "At the meeting <strong>Garden meeting</strong>, from the agenda item “Garden rules”",
        )
        .assert_contains("the quorum is those present");
    assert_eq!(form.input_value("title").as_deref(), Some("Garden rules"));
    let (m, i) = (meeting.to_string(), item.to_string());
    let page = put(
        &mut olu,
        &slug,
        &[
            ("title", "Garden rules"),
            ("meeting", &m),
            ("agenda_item", &i),
        ],
    )
    .await;
    page.assert_status(StatusCode::SEE_OTHER);
    let id = page
        .location()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();

    // Olu and Mia are here; Noor is not.
    let (olu_id, mia_id) = (app.member_named("Olu").await, app.member_named("Mia").await);
    olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{meeting}/attendance"),
        &[
            ("present", &olu_id.to_string()),
            ("present", &mia_id.to_string()),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    answer(&mut mia, &slug, &id, "endorse", "").await;
    olu.get(&run)
        .await
        .assert_contains("Proposals at this meeting")
        .assert_contains("1 of 2 present have answered.");

    // Closing there is refused while someone present has not answered.
    olu.get(&run).await;
    let refused = olu
        .post(
            &format!("/c/{slug}/proposals/{id}/close"),
            &[("at_meeting", "1")],
        )
        .await;
    refused.assert_status(StatusCode::CONFLICT).assert_contains(
        "not everyone present has answered the current text yet. Still to answer: Olu.",
    );
    assert_eq!(status(&app, &id).await, "open");

    // Once both present have answered, it closes on their count (Noor, absent, is not needed).
    answer(&mut olu, &slug, &id, "endorse", "").await;
    olu.get(&run)
        .await
        .assert_contains("2 of 2 present have answered.");
    olu.post(
        &format!("/c/{slug}/proposals/{id}/close"),
        &[("at_meeting", "1")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(&app, &id).await, "adopted");
    let decision: (Option<Uuid>, Option<Uuid>) = sqlx::query_as(
        "SELECT meeting_id, agenda_item_id FROM decisions WHERE proposal_id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(decision, (Some(meeting), Some(item)));
    mia.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_contains("Closed at its meeting: the quorum was those present")
        .assert_contains("2 of 2 present have answered; 2 needed (everyone present)")
        .assert_contains("Recorded as a decision of the meeting");
    // It shows among the meeting's decisions.
    olu.get(&run).await.assert_contains("<li>Garden rules</li>");
    assert_eq!(
        app.count("activity_log WHERE action = 'proposal.closed_at_meeting'")
            .await,
        1
    );
    assert_eq!(told(&app, "round_closed").await, vec!["Mia", "Noor"]);
}

#[tokio::test]
async fn an_objection_still_blocks_at_a_meeting_and_only_its_facilitators_close_there() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    let (meeting, _item) = meeting_under_way(&app, &mut olu, &slug).await;
    let m = meeting.to_string();
    let page = put(&mut mia, &slug, &[("meeting", &m)]).await;
    let id = page
        .location()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    // Nobody is recorded present yet: closing there says so.
    olu.post(
        &format!("/c/{slug}/proposals/{id}/close"),
        &[("at_meeting", "1")],
    )
    .await
    .assert_status(StatusCode::CONFLICT)
    .assert_contains("Nobody is recorded present at the meeting yet");
    let mia_id = app.member_named("Mia").await;
    olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{meeting}/attendance"),
        &[("present", &mia_id.to_string())],
    )
    .await;
    answer(&mut mia, &slug, &id, "object", "Not like this.").await;
    // Mia neither facilitates the group nor this meeting.
    mia.post(
        &format!("/c/{slug}/proposals/{id}/close"),
        &[("at_meeting", "1")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    olu.get(&format!("/c/{slug}/proposals/{id}")).await;
    olu.post(
        &format!("/c/{slug}/proposals/{id}/close"),
        &[("at_meeting", "1")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(status(&app, &id).await, "not_adopted");
    assert_eq!(
        app.count("decisions WHERE proposal_id IS NOT NULL").await,
        0
    );
    // A proposal not put at a meeting cannot be closed at one.
    let other = propose(&mut mia, &slug).await;
    olu.post(
        &format!("/c/{slug}/proposals/{other}/close"),
        &[("at_meeting", "1")],
    )
    .await
    .assert_status(StatusCode::CONFLICT)
    .assert_contains("was not put at a meeting");
}

#[tokio::test]
async fn a_paused_member_may_read_but_not_answer_or_propose() {
    let (app, _olu, mut mia, mut noor, slug) = group().await;
    let id = propose(&mut mia, &slug).await;
    sqlx::query("UPDATE memberships SET status = 'paused' WHERE member_id = $1")
        .bind(app.member_named("Noor").await)
        .execute(&app.db)
        .await
        .unwrap();
    noor.get(&format!("/c/{slug}/proposals/{id}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("Your answer");
    noor.post(
        &format!("/c/{slug}/proposals/{id}/answer"),
        &[("answer", "endorse"), ("reason", "")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    noor.get(&format!("/c/{slug}/proposals/new"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn once_its_time_is_up_a_proposal_is_decided_not_withdrawn_or_amended() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    let id = propose(&mut mia, &slug).await;
    answer(&mut olu, &slug, &id, "endorse", "").await;
    answer(&mut noor, &slug, &id, "endorse", "").await;
    sqlx::query("UPDATE consent_rounds SET opened_at = now() - interval '3 days', closes_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .unwrap();
    mia.post(
        &format!("/c/{slug}/proposals/{id}/amend"),
        &[("title", "Later"), ("body", "Later."), ("note", "Later")],
    )
    .await
    .assert_status(StatusCode::CONFLICT);
    // Refused, and the page shown with it has the count decide it (the clock has not yet).
    mia.post(
        &format!("/c/{slug}/proposals/{id}/withdraw"),
        &[("withdraw_reason", "Too late to change my mind?")],
    )
    .await
    .assert_status(StatusCode::CONFLICT)
    .assert_contains("no longer open")
    .assert_contains("<strong>Adopted</strong>");
    assert_eq!(status(&app, &id).await, "adopted");
    assert_eq!(app.count("proposal_versions").await, 1);
}
