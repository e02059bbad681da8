//! The run view (issue 14, part 3): who may open it, "Next item" and the item's clock, a
//! decision, an action or a note recorded against the item under way, and the same forms
//! answering htmx with the changed part (200, or 422/409 with the message) and plain posts with
//! a redirect — on the run view and on the meeting page, where the member's answer comes first.

use axum::http::StatusCode;
use chrono::Utc;
use uuid::Uuid;

use crate::helpers::{Browser, Page, TestApp, can_with_member, start_can};

const HTMX: &[(&str, &str)] = &[("HX-Request", "true")];

/// Olu's weekly circle (Tuesdays 19:00 from next week, agenda "Check-in round", "News"): the
/// first meeting's page path and id.
async fn circle(app: &TestApp, olu: &mut Browser, slug: &str) -> (String, Uuid) {
    let today = Utc::now().date_naive();
    let tuesday = canopy::meetings::recurrence::next_weekday(
        today + chrono::Duration::days(1),
        chrono::Weekday::Tue,
    )
    .format("%Y-%m-%d")
    .to_string();
    olu.get(&format!("/c/{slug}/meetings/new")).await;
    olu.post(
        &format!("/c/{slug}/meetings"),
        &[
            ("title", "Weekly circle"),
            ("repeat", "weekly"),
            ("interval", "1"),
            ("weekday", "TU"),
            ("nth", "2"),
            ("month_day", "1"),
            ("starts_on", &tuesday),
            ("start_time", "19:00"),
            ("duration_minutes", "90"),
            ("until_on", ""),
            ("location", "The community hall"),
            ("agenda_template", "Check-in round\nNews"),
            ("rotate_roles", "yes"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let id: Uuid = sqlx::query_scalar("SELECT id FROM meetings ORDER BY starts_at LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    (format!("/c/{slug}/meetings/{id}"), id)
}

/// The agenda's items in order: (id, title, status, started, done).
async fn items(app: &TestApp, meeting: Uuid) -> Vec<(Uuid, String, String, bool, bool)> {
    sqlx::query_as(
        "SELECT id, title, status, started_at IS NOT NULL, done_at IS NOT NULL
         FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(meeting)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// "Next item" as the run view sends it: with the item it shows under way.
async fn press_next(b: &mut Browser, run: &str) -> Page {
    let page = b.get(run).await;
    let from = page
        .body
        .split("name=\"from\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string();
    b.post(&format!("{run}/next"), &[("from", from.as_str())])
        .await
}

fn is_fragment(page: &Page) {
    assert!(
        !page.body.contains("<html") && !page.body.contains("<body"),
        "an htmx answer is a fragment, not a page:\n{}",
        page.body
    );
}

#[tokio::test]
async fn the_run_view_is_for_those_who_run_the_meeting() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let (page, _) = circle(&app, &mut olu, &slug).await;
    let run = format!("{page}/run");
    olu.get(&page)
        .await
        .assert_contains(&format!("href=\"{run}\""));
    olu.get(&run)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Running: Weekly circle")
        .assert_contains("Check-in round")
        .assert_contains("Start the first item")
        .assert_contains("<script src=\"/static/htmx-2.0.11.min.js\" defer></script>");

    // An ordinary member is refused as on the record's forms; she sees no link to it.
    mia.get(&page)
        .await
        .assert_lacks(&format!("href=\"{run}\""));
    mia.get(&run)
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("Only this meeting&#39;s facilitator and note-taker");
    mia.post(&format!("{run}/next"), &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert!(items(&app, page_id(&page)).await.iter().all(|i| !i.3));

    // Someone from another CAN finds nothing, under either CAN's name.
    let mut zed = app.member("zed@example.org", "Zed").await;
    start_can(&mut zed, "Elsewhere", "elsewhere", "invite_only").await;
    zed.get(&run).await.assert_status(StatusCode::NOT_FOUND);
    let theirs = run.replace(&format!("/c/{slug}/"), "/c/elsewhere/");
    zed.get(&theirs).await.assert_status(StatusCode::NOT_FOUND);
    zed.post(&format!("{theirs}/next"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // Once Mia takes the notes, she runs this meeting.
    let mia_id = app.member_id("mia@example.org").await;
    olu.post(
        &format!("{page}/roles"),
        &[
            ("facilitator_id", ""),
            ("note_taker_id", &mia_id.to_string()),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    mia.get(&run)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Running: Weekly circle");
}

fn page_id(page: &str) -> Uuid {
    page.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn next_item_runs_the_clock_and_records_go_against_the_item_under_way() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let (page, id) = circle(&app, &mut olu, &slug).await;
    let run = format!("{page}/run");
    olu.get(&run).await;

    let next = press_next(&mut olu, &run).await;
    next.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(next.location(), Some(run.as_str()));
    let agenda = items(&app, id).await;
    assert_eq!(
        (agenda[0].2.as_str(), agenda[0].3, agenda[0].4),
        ("open", true, false),
        "the first item is under way"
    );
    assert!(!agenda[1].3, "the second is not started yet");

    // Eight minutes into a ten-minute item, the page says so in words, without JavaScript.
    sqlx::query(
        "UPDATE agenda_items SET minutes_budget = 10, started_at = now() - interval '8 minutes 10 seconds'
         WHERE id = $1",
    )
    .bind(agenda[0].0)
    .execute(&app.db)
    .await
    .unwrap();
    let shown = olu.get(&run).await;
    shown
        .assert_contains("Now: Check-in round.")
        .assert_contains("8 of 10 min")
        .assert_contains("Started ")
        .assert_contains("aria-current=\"step\"")
        .assert_contains("Next item");

    // A decision, an action and a note go against "Check-in round".
    let mia_id = app.member_id("mia@example.org").await;
    olu.post(
        &format!("{page}/decisions?view=run"),
        &[("decision", "Check-ins stay short")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let action = olu
        .post(
            &format!("{page}/actions?view=run"),
            &[
                ("action_title", "Bring the timer"),
                ("action_owner", &mia_id.to_string()),
                ("action_due", ""),
            ],
        )
        .await;
    action.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(action.location(), Some(run.as_str()));
    olu.post(&format!("{run}/note"), &[("note", "Everyone spoke once.")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let linked: Vec<Option<Uuid>> = sqlx::query_scalar(
        "SELECT agenda_item_id FROM decisions UNION ALL SELECT agenda_item_id FROM action_items",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(linked, vec![Some(agenda[0].0), Some(agenda[0].0)]);
    let shown = olu.get(&run).await;
    shown
        .assert_contains("Decided:")
        .assert_contains("Check-ins stay short")
        .assert_contains("Bring the timer — Mia")
        .assert_contains("Everyone spoke once.");
    // Still on the meeting's page, and the open action in the pack.
    olu.get(&page)
        .await
        .assert_contains("Check-ins stay short")
        .assert_contains("Bring the timer")
        .assert_contains("Everyone spoke once.");
    olu.get(&format!("{page}/pack"))
        .await
        .assert_contains("Bring the timer");

    // Next: the first is done, its clock stopped; the second starts.
    press_next(&mut olu, &run).await;
    let agenda = items(&app, id).await;
    assert_eq!(
        (agenda[0].2.as_str(), agenda[0].3, agenda[0].4),
        ("done", true, true)
    );
    assert_eq!(
        (agenda[1].2.as_str(), agenda[1].3, agenda[1].4),
        ("open", true, false)
    );
    olu.get(&run).await.assert_contains("Now: News.");
    // A decision now belongs to "News".
    olu.post(
        &format!("{page}/decisions?view=run"),
        &[("decision", "The news goes out monthly")],
    )
    .await;
    let news: Option<Uuid> = sqlx::query_scalar(
        "SELECT agenda_item_id FROM decisions WHERE body = 'The news goes out monthly'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(news, Some(agenda[1].0));

    // After the last item, nothing is under way.
    press_next(&mut olu, &run).await;
    assert!(items(&app, id).await.iter().all(|i| i.2 == "done" && i.4));
    olu.get(&run)
        .await
        .assert_contains("That was the last item")
        .assert_contains("No item is under way.");
}

#[tokio::test]
async fn htmx_gets_the_changed_part_and_a_plain_post_a_redirect() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let (page, id) = circle(&app, &mut olu, &slug).await;
    let run = format!("{page}/run");
    olu.get(&run).await;

    // The run view's forms answer htmx with the run view's part.
    let next = olu
        .post_with_headers(&format!("{run}/next"), &[], HTMX)
        .await;
    next.assert_status(StatusCode::OK)
        .assert_contains("id=\"run\"")
        .assert_contains("Now: Check-in round.")
        .assert_contains("Under way: <strong>Check-in round</strong>");
    is_fragment(&next);
    let decided = olu
        .post_with_headers(
            &format!("{page}/decisions?view=run"),
            &[("decision", "We meet in the garden")],
            HTMX,
        )
        .await;
    decided
        .assert_status(StatusCode::OK)
        .assert_contains("The decision is recorded.")
        .assert_contains("We meet in the garden");
    is_fragment(&decided);
    // Attendance days before the meeting is refused (409) beside the list; at the meeting, saved.
    let mia_id = app.member_id("mia@example.org").await;
    let early = olu
        .post_with_headers(
            &format!("{page}/attendance?view=run"),
            &[("present", &mia_id.to_string())],
            HTMX,
        )
        .await;
    early
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("Attendance is taken at or after the meeting");
    is_fragment(&early);
    sqlx::query(
        "UPDATE meetings SET starts_at = now() - interval '10 minutes', ends_at = now() + interval '1 hour'
         WHERE id = $1",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    let ticked = olu
        .post_with_headers(
            &format!("{page}/attendance?view=run"),
            &[("present", &mia_id.to_string())],
            HTMX,
        )
        .await;
    ticked
        .assert_status(StatusCode::OK)
        .assert_contains("Attendance saved: 1 present.")
        .assert_contains("Who is here (1 recorded)");
    is_fragment(&ticked);

    // On the meeting page, each form gets its own section back.
    mia.get(&page).await;
    let answered = mia
        .post_with_headers(&format!("{page}/rsvp"), &[("answer", "yes")], HTMX)
        .await;
    answered
        .assert_status(StatusCode::OK)
        .assert_contains("id=\"rsvp-part\"")
        .assert_contains("(now: yes)")
        .assert_lacks("id=\"agenda-part\"");
    is_fragment(&answered);
    let item = items(&app, id).await[1].0;
    let moved = olu
        .post_with_headers(
            &format!("{page}/agenda/{item}"),
            &[("direction", "up")],
            HTMX,
        )
        .await;
    moved
        .assert_status(StatusCode::OK)
        .assert_contains("id=\"agenda-part\"");
    is_fragment(&moved);
    assert_eq!(items(&app, id).await[0].0, item, "News moved up");
    let action = olu
        .post_with_headers(
            &format!("{page}/actions"),
            &[("action_title", "Water the garden")],
            HTMX,
        )
        .await;
    action
        .assert_status(StatusCode::OK)
        .assert_contains("id=\"actions-part\"")
        .assert_contains("The action item is noted.");
    is_fragment(&action);

    // Without htmx, the same forms redirect as they always did.
    let plain = mia.post(&format!("{page}/rsvp"), &[("answer", "no")]).await;
    plain.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(plain.location(), Some(format!("{page}#rsvp").as_str()));
    let plain = olu
        .post(
            &format!("{page}/decisions"),
            &[("decision", "Plainly decided")],
        )
        .await;
    plain.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(plain.location(), Some(format!("{page}#decisions").as_str()));
}

#[tokio::test]
async fn bad_input_is_refused_beside_the_field_with_or_without_htmx() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let (page, _) = circle(&app, &mut olu, &slug).await;
    let run = format!("{page}/run");
    olu.get(&run).await;

    // A note needs an item under way.
    let early = olu
        .post(&format!("{run}/note"), &[("note", "Too soon")])
        .await;
    early
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Running: Weekly circle");
    assert!(
        early
            .field_error("note")
            .is_some_and(|e| e.contains("No item is under way")),
        "{}",
        early.body
    );
    assert!(early.body.contains("Too soon</textarea>"));

    // An empty decision: htmx gets the part with the message beside the field (422).
    let refused = olu
        .post_with_headers(
            &format!("{page}/decisions?view=run"),
            &[("decision", "")],
            HTMX,
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    is_fragment(&refused);
    assert_eq!(
        refused.field_error("decision").as_deref(),
        Some("Enter the decision.")
    );
    // Without htmx, the whole run view again (422), the message beside the field.
    let refused = olu
        .post(&format!("{page}/decisions?view=run"), &[("decision", "x")])
        .await;
    refused
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("<html")
        .assert_contains("Running: Weekly circle");
    assert!(refused.field_error("decision").is_some());
    assert_eq!(refused.input_value("decision").as_deref(), Some("x"));
    // An action for someone outside the CAN, on the meeting page with htmx.
    let refused = olu
        .post_with_headers(
            &format!("{page}/actions"),
            &[
                ("action_title", "Book the hall"),
                ("action_owner", &Uuid::now_v7().to_string()),
            ],
            HTMX,
        )
        .await;
    refused
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"actions-part\"");
    is_fragment(&refused);
    assert_eq!(
        refused.field_error("action_owner").as_deref(),
        Some("Choose an active member of this CAN.")
    );
    assert_eq!(app.count("decisions").await, 0);
    assert_eq!(app.count("action_items").await, 0);
}

#[tokio::test]
async fn the_meeting_page_puts_the_members_answer_first_and_keeps_the_policy() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let (page, _) = circle(&app, &mut olu, &slug).await;
    let shown = mia.get(&page).await;
    let body = &shown.body;
    let rsvp = body.find("Your answer").expect("the RSVP buttons");
    for later in ["id=\"roles\"", "id=\"agenda\"", "id=\"actions\""] {
        assert!(
            rsvp < body.find(later).unwrap(),
            "the answer comes before {later}"
        );
    }
    assert!(rsvp > body.find("The community hall").unwrap());
    // htmx comes from our own files; the policy still forbids inline script and style.
    let csp = shown
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'; style-src 'self'"), "{csp}");
    assert!(!body.contains("<script>") && !body.contains("style=") && !body.contains("hx-on"));
    let script = mia.get("/static/htmx-2.0.11.min.js").await;
    script.assert_status(StatusCode::OK);
    assert!(script.body.starts_with("var htmx="));
    mia.get("/static/run.js")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("responseHandling");
    let _ = app;
}

#[tokio::test]
async fn an_item_ticked_done_or_opened_again_keeps_one_clock_at_a_time() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let (page, id) = circle(&app, &mut olu, &slug).await;
    let run = format!("{page}/run");
    olu.get(&run).await;
    press_next(&mut olu, &run).await;
    let first = items(&app, id).await[0].0;
    // Ticked done from the meeting's page: its clock stops, and "Next item" takes up the next.
    olu.post(
        &format!("{page}/agenda/{first}?view=run"),
        &[("status", "done")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let agenda = items(&app, id).await;
    assert_eq!((agenda[0].2.as_str(), agenda[0].4), ("done", true));
    olu.get(&run).await.assert_contains("No item is under way.");
    press_next(&mut olu, &run).await;
    let agenda = items(&app, id).await;
    assert!(agenda[1].3 && agenda[1].2 == "open", "News is under way");
    // Opened again, the first waits its turn afresh: never two clocks running.
    olu.post(&format!("{page}/agenda/{first}"), &[("status", "open")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let agenda = items(&app, id).await;
    assert_eq!(
        (agenda[0].2.as_str(), agenda[0].3, agenda[0].4),
        ("open", false, false)
    );
    press_next(&mut olu, &run).await;
    let agenda = items(&app, id).await;
    assert_eq!(
        (agenda[0].2.as_str(), agenda[0].3),
        ("open", true),
        "the reopened item is next"
    );
    assert_eq!((agenda[1].2.as_str(), agenda[1].4), ("done", true));
    let running: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM agenda_items WHERE meeting_id = $1 AND started_at IS NOT NULL AND status = 'open'",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(running, 1);
}

#[tokio::test]
async fn next_item_pressed_twice_or_by_two_people_moves_on_once() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let (page, id) = circle(&app, &mut olu, &slug).await;
    let run = format!("{page}/run");
    press_next(&mut olu, &run)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // The run view as it stood: "Check-in round" under way. Two presses from it (a double tap,
    // or the facilitator and the note-taker at once): the first moves on, the second is told.
    let shown = olu.get(&run).await;
    let from = shown
        .body
        .split("name=\"from\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    olu.post(&format!("{run}/next"), &[("from", from.as_str())])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    olu.post(&format!("{run}/next"), &[("from", from.as_str())])
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("The meeting had already moved on");
    let agenda = items(&app, id).await;
    assert_eq!(
        agenda
            .iter()
            .map(|i| (i.2.as_str(), i.3))
            .collect::<Vec<_>>(),
        vec![("done", true), ("open", true)],
        "the first done, the second under way, none skipped"
    );
    // Not an item id at all: nothing moves.
    olu.post(&format!("{run}/next"), &[("from", "not-an-id")])
        .await
        .assert_status(StatusCode::CONFLICT);
    assert_eq!(items(&app, id).await[1].2, "open");
}
