//! The visioning stage through the real router: hopes, versions, the concurrent-edit conflict,
//! consent rounds with endorse / stand aside / object, blocking and adoption after withdrawal,
//! no quorum, goals, notifications of rounds (and their mails) exactly once, and cross-CAN safety.

use axum::http::StatusCode;

use crate::helpers::{Browser, TestApp, can_with_member, invite_link, join, start_can};

/// A CAN with an organiser (Olu) and members Mia and Noor; all active.
async fn group() -> (TestApp, Browser, Browser, Browser, String) {
    let (app, mut olu, mia, slug) = can_with_member("invite_only").await;
    let path = invite_link(&mut olu, &slug, "1", "").await;
    let mut noor = app.member("noor@example.org", "Noor").await;
    join(&mut noor, &path)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    (app, olu, mia, noor, slug)
}

async fn add_hope(b: &mut Browser, slug: &str, text: &str) {
    b.get(&format!("/c/{slug}/vision"))
        .await
        .assert_status(StatusCode::OK);
    b.post(&format!("/c/{slug}/vision/hopes"), &[("body", text)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

async fn save_version(
    b: &mut Browser,
    slug: &str,
    text: &str,
    hopes: &[String],
) -> crate::helpers::Page {
    let form = b.get(&format!("/c/{slug}/vision/drafts/new")).await;
    let base = form.input_value("base_version").unwrap();
    let mut fields: Vec<(&str, &str)> = vec![("body", text), ("note", ""), ("base_version", &base)];
    for h in hopes {
        fields.push(("hope", h));
    }
    b.post(&format!("/c/{slug}/vision/drafts"), &fields).await
}

async fn open_round(b: &mut Browser, slug: &str, number: i32) -> String {
    b.get(&format!("/c/{slug}/vision/versions/{number}")).await;
    let closes = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let page = b
        .post(
            &format!("/c/{slug}/vision/versions/{number}/rounds"),
            &[("closes_on", &closes), ("closes_time", "20:00")],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    page.location()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

async fn answer(
    b: &mut Browser,
    slug: &str,
    round: &str,
    answer: &str,
    reason: &str,
) -> crate::helpers::Page {
    b.get(&format!("/c/{slug}/vision/rounds/{round}")).await;
    b.post(
        &format!("/c/{slug}/vision/rounds/{round}/answer"),
        &[("answer", answer), ("reason", reason)],
    )
    .await
}

/// Who was notified of `kind` (one entry per notification), and who of them got it by mail.
async fn told(app: &TestApp, kind: &str) -> (Vec<String>, Vec<String>) {
    let rows: Vec<(String, bool)> = sqlx::query_as(
        "SELECT p.email, EXISTS (SELECT 1 FROM outbox o WHERE o.dedupe_key = 'notification:' || n.id::text)
         FROM notifications n JOIN members p ON p.id = n.member_id
         WHERE n.kind = $1 ORDER BY p.email",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mailed = rows.iter().filter(|r| r.1).map(|r| r.0.clone()).collect();
    (rows.into_iter().map(|r| r.0).collect(), mailed)
}

fn emails(people: &[&str]) -> Vec<String> {
    people.iter().map(|p| format!("{p}@example.org")).collect()
}

async fn hope_ids(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM hopes ORDER BY created_at")
        .fetch_all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.to_string())
        .collect()
}

#[tokio::test]
async fn members_share_hopes_and_see_who_has_not_yet() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    let page = olu.get(&format!("/c/{slug}/vision")).await;
    page.assert_contains("No hopes shared yet")
        .assert_contains("No vision is adopted yet");

    add_hope(&mut olu, &slug, "A bench where old and young sit together").await;
    add_hope(&mut mia, &slug, "Nobody eats alone on a Sunday").await;
    let page = mia.get(&format!("/c/{slug}/vision")).await;
    page.assert_contains("A bench where old and young sit together")
        .assert_contains("Nobody eats alone on a Sunday")
        .assert_contains("Not yet heard from: Noor.");
    assert_eq!(
        app.count("activity_log WHERE action = 'hope.added'").await,
        2
    );

    // Mia edits her own hope, then withdraws it; she cannot touch Olu's.
    let ids = hope_ids(&app).await;
    let (olus, mias) = (&ids[0], &ids[1]);
    mia.get(&format!("/c/{slug}/vision/hopes/{mias}/edit"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Nobody eats alone");
    mia.post(
        &format!("/c/{slug}/vision/hopes/{mias}/edit"),
        &[("body", "Nobody eats alone, any day")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/vision"))
        .await
        .assert_contains("Nobody eats alone, any day");
    mia.get(&format!("/c/{slug}/vision/hopes/{olus}/edit"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.get(&format!("/c/{slug}/vision")).await;
    mia.post(
        &format!("/c/{slug}/vision/hopes/{olus}/edit"),
        &[("body", "hijacked")],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    mia.post(&format!("/c/{slug}/vision/hopes/{olus}/withdraw"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.post(&format!("/c/{slug}/vision/hopes/{mias}/withdraw"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = mia.get(&format!("/c/{slug}/vision")).await;
    page.assert_lacks("Nobody eats alone")
        .assert_contains("A bench where old and young");
    assert_eq!(app.count("hopes WHERE body = 'hijacked'").await, 0);
}

#[tokio::test]
async fn empty_and_over_long_hopes_are_refused_with_the_text_kept() {
    let (app, mut olu, _mia, _noor, slug) = group().await;
    olu.get(&format!("/c/{slug}/vision")).await;
    let page = olu
        .post(&format!("/c/{slug}/vision/hopes"), &[("body", "   ")])
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("body").as_deref(),
        Some("Enter your hope.")
    );
    let long = "h".repeat(501);
    let page = olu
        .post(&format!("/c/{slug}/vision/hopes"), &[("body", &long)])
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains(&long);
    assert!(page.field_error("body").unwrap().contains("at most 500"));
    assert_eq!(app.count("hopes").await, 0);
}

#[tokio::test]
async fn versions_are_numbered_link_hopes_and_can_be_compared() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    add_hope(&mut olu, &slug, "Shared meals").await;
    add_hope(&mut mia, &slug, "A tool library").await;
    let ids = hope_ids(&app).await;
    let page = save_version(&mut olu, &slug, "We share meals weekly.", &ids[..1]).await;
    assert_eq!(
        page.location(),
        Some(format!("/c/{slug}/vision/versions/1").as_str())
    );
    let v1 = olu.get(&format!("/c/{slug}/vision/versions/1")).await;
    v1.assert_contains("We share meals weekly.")
        .assert_contains("Shared meals")
        .assert_lacks("A tool library");

    // Editing creates version 2; version 1 is unchanged.
    let form = mia
        .get(&format!("/c/{slug}/vision/drafts/new?from=1"))
        .await;
    form.assert_contains("We share meals weekly.");
    save_version(&mut mia, &slug, "We share meals and tools weekly.", &ids)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let bodies: Vec<(i32, String)> =
        sqlx::query_as("SELECT number, body FROM vision_versions ORDER BY number")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(
        bodies,
        vec![
            (1, "We share meals weekly.".into()),
            (2, "We share meals and tools weekly.".into())
        ]
    );
    assert_eq!(app.count("vision_version_hopes").await, 3);

    let diff = mia
        .get(&format!("/c/{slug}/vision/compare?from=1&to=2"))
        .await;
    diff.assert_status(StatusCode::OK)
        .assert_contains("<ins class=\"diff-added\">and tools </ins>");
    mia.get(&format!("/c/{slug}/vision/compare?from=1&to=9"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.get(&format!("/c/{slug}/vision/versions/9"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.get(&format!("/c/{slug}/vision/versions/x"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_stale_edit_is_refused_with_409_and_nobody_loses_their_text() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    save_version(&mut olu, &slug, "First draft.", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // Both open the editor on version 1.
    let olu_form = olu
        .get(&format!("/c/{slug}/vision/drafts/new?from=1"))
        .await;
    let mia_form = mia
        .get(&format!("/c/{slug}/vision/drafts/new?from=1"))
        .await;
    let olu_base = olu_form.input_value("base_version").unwrap();
    let mia_base = mia_form.input_value("base_version").unwrap();
    assert_eq!(olu_base, "1");

    olu.post(
        &format!("/c/{slug}/vision/drafts"),
        &[
            ("body", "A careful rewrite by Olu."),
            ("base_version", &olu_base),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = mia
        .post(
            &format!("/c/{slug}/vision/drafts"),
            &[
                ("body", "A bold rewrite by Mia."),
                ("base_version", &mia_base),
            ],
        )
        .await;
    page.assert_status(StatusCode::CONFLICT)
        .assert_contains("A careful rewrite by Olu.")
        .assert_contains("A bold rewrite by Mia.")
        .assert_contains("While you were writing, Olu saved version 2");
    assert_eq!(
        app.count("vision_versions").await,
        2,
        "the stale edit wrote nothing"
    );
    // Having seen the newer text, Mia saves on purpose: version 3.
    let base = page.input_value("base_version").unwrap();
    assert_eq!(base, "2");
    mia.post(
        &format!("/c/{slug}/vision/drafts"),
        &[("body", "The merged text by Mia."), ("base_version", &base)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("vision_versions").await, 3);
}

#[tokio::test]
async fn an_objection_blocks_adoption_until_withdrawn_then_the_vision_is_adopted() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    save_version(&mut olu, &slug, "Neighbours who eat together.", &[]).await;
    let round = open_round(&mut olu, &slug, 1).await;
    let everyone_else = emails(&["mia", "noor"]);
    assert_eq!(
        told(&app, "round_opened").await,
        (everyone_else.clone(), everyone_else.clone()),
        "every active member but Olu, who opened it, is told, by mail at once"
    );

    answer(&mut olu, &slug, &round, "endorse", "")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    answer(
        &mut mia,
        &slug,
        &round,
        "stand_aside",
        "Not sure about weekly",
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    // An objection without a reason is refused.
    let page = answer(&mut noor, &slug, &round, "object", "").await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("reason")
            .unwrap()
            .contains("An objection needs a reason")
    );
    answer(
        &mut noor,
        &slug,
        &round,
        "object",
        "It leaves out people who cannot cook",
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    let page = olu.get(&format!("/c/{slug}/vision/rounds/{round}")).await;
    page.assert_contains("<strong>1</strong> endorse")
        .assert_contains("<strong>1</strong> stand aside")
        .assert_contains("<strong>1</strong> object")
        .assert_contains("It leaves out people who cannot cook")
        .assert_contains("Not sure about weekly")
        .assert_contains("An objection stands")
        .assert_contains("left</strong>");

    // Noor withdraws the objection (stands aside instead); the record keeps both.
    answer(
        &mut noor,
        &slug,
        &round,
        "stand_aside",
        "Happy if we add a cooking rota",
    )
    .await;
    let page = olu.get(&format!("/c/{slug}/vision/rounds/{round}")).await;
    page.assert_contains("<strong>0</strong> object")
        .assert_contains("Every answer given, in order")
        .assert_contains("It leaves out people who cannot cook");
    assert_eq!(
        app.count("activity_log WHERE action = 'consent.objection_withdrawn'")
            .await,
        1
    );

    olu.post(&format!("/c/{slug}/vision/rounds/{round}/close"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = olu.get(&format!("/c/{slug}/vision/rounds/{round}")).await;
    page.assert_contains("The round is closed: adopted");
    let home = mia.get(&format!("/c/{slug}/vision")).await;
    home.assert_contains("Adopted by consent on")
        .assert_contains("Neighbours who eat together.");
    let (adopted, review_year): (bool, f64) = sqlx::query_as(
        "SELECT vision_version_id IS NOT NULL, extract(year FROM vision_review_on)::float8 - extract(year FROM now())::float8 FROM cans",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(adopted);
    assert_eq!(review_year, 1.0, "review due a year after adoption");
    // Everyone but Olu, who closed it, hears the outcome: in the weekly digest by default.
    assert_eq!(
        told(&app, "round_closed").await,
        (everyone_else, Vec::new())
    );
    // The CAN's home page shows the adopted vision with its date.
    mia.get(&format!("/c/{slug}"))
        .await
        .assert_contains("Neighbours who eat together.");

    // Answering a closed round: a clear message and no change.
    let page = answer(&mut mia, &slug, &round, "object", "Too late?").await;
    page.assert_status(StatusCode::CONFLICT)
        .assert_contains("This round has closed, so your answer was not recorded");
    assert_eq!(
        app.count("consent_answers WHERE answer = 'object'").await,
        0
    );
}

#[tokio::test]
async fn a_standing_objection_at_closing_means_not_adopted_and_a_revision_gets_a_new_round() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    save_version(&mut olu, &slug, "Version one.", &[]).await;
    let round = open_round(&mut olu, &slug, 1).await;
    answer(&mut olu, &slug, &round, "endorse", "").await;
    answer(&mut mia, &slug, &round, "endorse", "").await;
    answer(&mut noor, &slug, &round, "object", "Too vague").await;
    olu.post(&format!("/c/{slug}/vision/rounds/{round}/close"), &[])
        .await;
    olu.get(&format!("/c/{slug}/vision/rounds/{round}"))
        .await
        .assert_contains("not adopted: an objection stood");
    assert_eq!(app.count("cans WHERE vision_version_id IS NULL").await, 1);

    save_version(&mut noor, &slug, "Version two, concrete.", &[]).await;
    let second = open_round(&mut olu, &slug, 2).await;
    assert_ne!(round, second);
    for b in [&mut olu, &mut mia, &mut noor] {
        answer(b, &slug, &second, "endorse", "").await;
    }
    olu.post(&format!("/c/{slug}/vision/rounds/{second}/close"), &[])
        .await;
    assert_eq!(
        app.count("vision_versions WHERE adopted_at IS NOT NULL AND number = 2")
            .await,
        1
    );
}

#[tokio::test]
async fn without_a_quorum_the_vision_is_not_adopted() {
    let (app, mut olu, _mia, _noor, slug) = group().await;
    save_version(&mut olu, &slug, "Version one.", &[]).await;
    let round = open_round(&mut olu, &slug, 1).await;
    answer(&mut olu, &slug, &round, "endorse", "").await;
    let page = olu.get(&format!("/c/{slug}/vision/rounds/{round}")).await;
    page.assert_contains("1 of 3 active members have answered; 2 needed (two thirds)")
        .assert_contains("Not answered yet: Mia, Noor.");
    olu.post(&format!("/c/{slug}/vision/rounds/{round}/close"), &[])
        .await;
    olu.get(&format!("/c/{slug}/vision/rounds/{round}"))
        .await
        .assert_contains("too few members answered (no quorum)");
    assert_eq!(app.count("cans WHERE vision_version_id IS NULL").await, 1);
    assert_eq!(
        app.count("consent_rounds WHERE outcome = 'no_quorum'")
            .await,
        1
    );
}

#[tokio::test]
async fn answering_twice_is_harmless_and_only_facilitators_open_and_close_rounds() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    save_version(&mut olu, &slug, "Version one.", &[]).await;
    // Mia is a plain member: she may not open a round.
    mia.get(&format!("/c/{slug}/vision/versions/1"))
        .await
        .assert_lacks("Open consent round");
    mia.post(
        &format!("/c/{slug}/vision/versions/1/rounds"),
        &[("closes_on", "2099-01-01"), ("closes_time", "20:00")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let round = open_round(&mut olu, &slug, 1).await;
    // A second round while one is open is refused.
    let closes = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    olu.post(
        &format!("/c/{slug}/vision/versions/1/rounds"),
        &[("closes_on", &closes), ("closes_time", "20:00")],
    )
    .await
    .assert_status(StatusCode::CONFLICT);
    answer(&mut mia, &slug, &round, "endorse", "").await;
    let page = answer(&mut mia, &slug, &round, "endorse", "").await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("consent_answers").await, 1);
    assert_eq!(app.count("consent_answer_history").await, 1);
    mia.post(&format!("/c/{slug}/vision/rounds/{round}/close"), &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.count("consent_rounds WHERE closed_at IS NULL").await, 1);
}

#[tokio::test]
async fn a_closing_time_in_the_past_is_refused() {
    let (app, mut olu, _mia, _noor, slug) = group().await;
    save_version(&mut olu, &slug, "Version one.", &[]).await;
    olu.get(&format!("/c/{slug}/vision/versions/1")).await;
    let page = olu
        .post(
            &format!("/c/{slug}/vision/versions/1/rounds"),
            &[("closes_on", "2001-01-01"), ("closes_time", "20:00")],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("closes_on")
            .unwrap()
            .contains("at least an hour")
    );
    assert_eq!(page.input_value("closes_on").as_deref(), Some("2001-01-01"));
    let page = olu
        .post(
            &format!("/c/{slug}/vision/versions/1/rounds"),
            &[("closes_on", "soon"), ("closes_time", "late")],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("closes_time").is_some());
    assert_eq!(app.count("consent_rounds").await, 0);
}

#[tokio::test]
async fn due_rounds_close_by_themselves_and_reminders_go_out_exactly_once() {
    let (app, mut olu, mut mia, _noor, slug) = group().await;
    save_version(&mut olu, &slug, "Version one.", &[]).await;
    let round = open_round(&mut olu, &slug, 1).await;
    answer(&mut olu, &slug, &round, "endorse", "").await;
    answer(&mut mia, &slug, &round, "endorse", "").await;

    // Twenty hours before closing, only Noor has not answered: only she is reminded.
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
    assert_eq!(
        told(&app, "round_closing").await,
        (emails(&["noor"]), emails(&["noor"]))
    );

    // Time is up: the round closes itself (two ticks at once close it once) and adopts.
    sqlx::query("UPDATE consent_rounds SET opened_at = now() - interval '3 days', closes_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        canopy::visioning::rounds::tick(&app.db, base),
        canopy::visioning::rounds::tick(&app.db, base)
    );
    assert_eq!(a.unwrap().closed + b.unwrap().closed, 1);
    assert_eq!(
        app.count("consent_rounds WHERE outcome = 'adopted'").await,
        1
    );
    // Closed by the clock: every active member hears the outcome (in the digest, by default).
    assert_eq!(
        told(&app, "round_closed").await,
        (emails(&["mia", "noor", "olu"]), Vec::new())
    );
    assert_eq!(
        told(&app, "round_closing").await,
        (emails(&["noor"]), emails(&["noor"]))
    );
    assert_eq!(
        app.count("activity_log WHERE action = 'consent_round.closed' AND actor_id IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn goals_come_from_the_adopted_vision_and_are_set_by_organisers_and_coordinators() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    olu.get(&format!("/c/{slug}/goals")).await;
    let page = olu
        .post(
            &format!("/c/{slug}/goals"),
            &[("title", "Weekly shared meal")],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("adopt a vision by consent first");
    assert_eq!(app.count("goals").await, 0);

    save_version(&mut olu, &slug, "Eating together.", &[]).await;
    let round = open_round(&mut olu, &slug, 1).await;
    for b in [&mut olu, &mut mia, &mut noor] {
        answer(b, &slug, &round, "endorse", "").await;
    }
    olu.post(&format!("/c/{slug}/vision/rounds/{round}/close"), &[])
        .await;

    // A plain member may not set goals.
    mia.get(&format!("/c/{slug}/goals"))
        .await
        .assert_lacks("Set a goal");
    mia.post(&format!("/c/{slug}/goals"), &[("title", "Mia's goal")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // A coordinator may.
    let mia_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM members WHERE email = 'mia@example.org'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    olu.get(&format!("/c/{slug}/members/{mia_id}")).await;
    olu.post(
        &format!("/c/{slug}/members/{mia_id}/roles"),
        &[("role", "coordinator")],
    )
    .await;
    mia.get(&format!("/c/{slug}/goals"))
        .await
        .assert_contains("Set a goal");
    let page = mia
        .post(&format!("/c/{slug}/goals"), &[("title", "x")])
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    mia.post(
        &format!("/c/{slug}/goals"),
        &[
            ("title", "Weekly shared meal"),
            ("description", "Sundays at the hall"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = noor.get(&format!("/c/{slug}/goals")).await;
    page.assert_contains("Weekly shared meal")
        .assert_contains("Sundays at the hall")
        .assert_contains("Active");

    let goal: uuid::Uuid = sqlx::query_scalar("SELECT id FROM goals")
        .fetch_one(&app.db)
        .await
        .unwrap();
    mia.post(
        &format!("/c/{slug}/goals/{goal}/status"),
        &[("status", "achieved")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    noor.get(&format!("/c/{slug}/goals")).await;
    noor.post(
        &format!("/c/{slug}/goals/{goal}/status"),
        &[("status", "set_aside")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let (status, linked): (String, bool) =
        sqlx::query_as("SELECT status, vision_version_id IS NOT NULL FROM goals")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), linked), ("achieved", true));
}

#[tokio::test]
async fn nobody_outside_the_can_sees_or_touches_its_vision() {
    let (app, mut olu, _mia, _noor, slug) = group().await;
    add_hope(&mut olu, &slug, "Our hope").await;
    save_version(&mut olu, &slug, "Our vision.", &[]).await;
    let round = open_round(&mut olu, &slug, 1).await;
    let hope = hope_ids(&app).await.remove(0);

    // An organiser of another CAN.
    let mut other = app.member("zed@example.org", "Zed").await;
    start_can(&mut other, "Elsewhere", "elsewhere", "invite_only").await;
    for path in [
        format!("/c/{slug}/vision"),
        format!("/c/{slug}/vision/versions/1"),
        format!("/c/{slug}/vision/compare?from=1&to=1"),
        format!("/c/{slug}/vision/drafts/new"),
        format!("/c/{slug}/vision/rounds/{round}"),
        format!("/c/{slug}/vision/hopes/{hope}/edit"),
        format!("/c/{slug}/goals"),
        format!("/c/elsewhere/vision/rounds/{round}"),
        format!("/c/elsewhere/vision/hopes/{hope}/edit"),
    ] {
        other.get(&path).await.assert_status(StatusCode::NOT_FOUND);
    }
    other.get("/").await;
    for path in [
        format!("/c/{slug}/vision/hopes"),
        format!("/c/{slug}/vision/hopes/{hope}/edit"),
        format!("/c/{slug}/vision/hopes/{hope}/withdraw"),
        format!("/c/{slug}/vision/drafts"),
        format!("/c/{slug}/vision/quorum"),
        format!("/c/{slug}/vision/versions/1/rounds"),
        format!("/c/{slug}/vision/rounds/{round}/answer"),
        format!("/c/{slug}/vision/rounds/{round}/close"),
        format!("/c/{slug}/goals"),
        // Through their own CAN's URLs, with our ids.
        format!("/c/elsewhere/vision/hopes/{hope}/withdraw"),
        format!("/c/elsewhere/vision/rounds/{round}/answer"),
        format!("/c/elsewhere/vision/rounds/{round}/close"),
    ] {
        other
            .post(
                &path,
                &[
                    ("body", "x"),
                    ("answer", "object"),
                    ("reason", "x"),
                    ("title", "xxx"),
                    ("quorum", "1/2"),
                ],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    assert_eq!(app.count("hopes WHERE withdrawn_at IS NULL").await, 1);
    assert_eq!(app.count("consent_answers").await, 0);
    assert_eq!(app.count("consent_rounds WHERE closed_at IS NULL").await, 1);
    assert_eq!(app.count("cans WHERE quorum_num = 2").await, 2);
}

#[tokio::test]
async fn an_objection_stands_even_when_the_objector_leaves() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    save_version(&mut olu, &slug, "Version one.", &[]).await;
    let round = open_round(&mut olu, &slug, 1).await;
    answer(&mut olu, &slug, &round, "endorse", "").await;
    answer(&mut noor, &slug, &round, "endorse", "").await;
    answer(&mut mia, &slug, &round, "object", "It forgets the children").await;
    mia.get(&format!("/c/{slug}")).await;
    mia.post(
        &format!("/c/{slug}/membership/leave"),
        &[("confirm", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = olu.get(&format!("/c/{slug}/vision/rounds/{round}")).await;
    page.assert_contains("Mia (has left the CAN)")
        .assert_contains("It forgets the children");
    olu.post(&format!("/c/{slug}/vision/rounds/{round}/close"), &[])
        .await;
    assert_eq!(
        app.count("consent_rounds WHERE outcome = 'blocked'").await,
        1
    );
}

#[tokio::test]
async fn a_closed_round_keeps_its_count_and_refuses_late_answers_clearly() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    save_version(&mut olu, &slug, "Version one.", &[]).await;
    let round = open_round(&mut olu, &slug, 1).await;
    for b in [&mut olu, &mut mia, &mut noor] {
        answer(b, &slug, &round, "endorse", "").await;
    }
    // Its time runs out; the first page view after that closes it (before the clock does).
    sqlx::query("UPDATE consent_rounds SET opened_at = now() - interval '3 days', closes_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .unwrap();
    let page = mia.get(&format!("/c/{slug}/vision/rounds/{round}")).await;
    page.assert_contains("Closed: adopted")
        .assert_contains("<strong>3</strong> endorse");
    // Later changes of membership do not rewrite the decided count.
    noor.get(&format!("/c/{slug}")).await;
    noor.post(&format!("/c/{slug}/membership/pause"), &[]).await;
    mia.get(&format!("/c/{slug}/vision/rounds/{round}"))
        .await
        .assert_contains("<strong>3</strong> endorse");
    // An objection without a reason to a closed round: the closed message, not a silent 422.
    let page = mia
        .post(
            &format!("/c/{slug}/vision/rounds/{round}/answer"),
            &[("answer", "object"), ("reason", "")],
        )
        .await;
    page.assert_status(StatusCode::CONFLICT)
        .assert_contains("This round has closed");
    assert_eq!(
        app.count("consent_answers WHERE answer = 'object'").await,
        0
    );
    // Odd version numbers in the compare view are simply not found.
    mia.get(&format!("/c/{slug}/vision/compare?to=-2147483648"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn organisers_set_when_the_vision_is_reviewed() {
    let (app, mut olu, mut mia, mut noor, slug) = group().await;
    save_version(&mut olu, &slug, "Version one.", &[]).await;
    let round = open_round(&mut olu, &slug, 1).await;
    for b in [&mut olu, &mut mia, &mut noor] {
        answer(b, &slug, &round, "endorse", "").await;
    }
    olu.post(&format!("/c/{slug}/vision/rounds/{round}/close"), &[])
        .await;
    let page = olu.get(&format!("/c/{slug}/goals")).await;
    assert!(
        page.input_value("review_on").unwrap().len() == 10,
        "the default date is shown"
    );
    olu.post(
        &format!("/c/{slug}/vision/review"),
        &[("review_on", "2001-01-01")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    mia.get(&format!("/c/{slug}/goals")).await;
    mia.post(
        &format!("/c/{slug}/vision/review"),
        &[("review_on", "2099-01-01")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let day = (chrono::Utc::now() + chrono::Duration::days(200))
        .format("%Y-%m-%d")
        .to_string();
    olu.post(&format!("/c/{slug}/vision/review"), &[("review_on", &day)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let stored: chrono::NaiveDate = sqlx::query_scalar("SELECT vision_review_on FROM cans")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.format("%Y-%m-%d").to_string(), day);
}
