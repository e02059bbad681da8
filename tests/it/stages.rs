//! The stage guide and health view against hand-computed answers: next steps per stage, moves and
//! their log, drifting members, rotation, load, on-schedule rate, check-in averages with the
//! three-answer floor, and the weekly digest once per recipient per week.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::helpers::{self, Browser, TestApp};

/// Olu (organiser) with Mia, Noor, Pat and Quinn: five active members.
async fn five() -> (TestApp, Browser, Vec<Browser>, String, Uuid) {
    let (app, olu, others, slug) = helpers::team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("pat@example.org", "Pat"),
        ("quinn@example.org", "Quinn"),
    ])
    .await;
    // Everyone joined long ago, so drifting can be judged.
    sqlx::query("UPDATE memberships SET joined_at = now() - interval '1 year', status_changed_at = now() - interval '1 year'")
        .execute(&app.db)
        .await
        .unwrap();
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans")
        .fetch_one(&app.db)
        .await
        .unwrap();
    (app, olu, others, slug, can)
}

async fn member(app: &TestApp, name: &str) -> Uuid {
    app.member_named(name).await
}

/// A held meeting `weeks_ago` weeks back with these attendees, facilitator and note-taker.
async fn held(
    app: &TestApp,
    can: Uuid,
    weeks_ago: i64,
    attendees: &[Uuid],
    facilitator: Option<Uuid>,
    note_taker: Option<Uuid>,
    minutes: &str,
) -> Uuid {
    let id = Uuid::now_v7();
    let start = Utc::now() - Duration::weeks(weeks_ago) - Duration::hours(2);
    sqlx::query(
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, status, facilitator_id, note_taker_id, minutes)
         VALUES ($1, $2, 'Circle', $3, $4, 'held', $5, $6, $7)",
    )
    .bind(id)
    .bind(can)
    .bind(start)
    .bind(start + Duration::minutes(90))
    .bind(facilitator)
    .bind(note_taker)
    .bind(minutes)
    .execute(&app.db)
    .await
    .unwrap();
    for who in attendees {
        sqlx::query("INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by) VALUES ($1, $2, $3, $3)")
            .bind(id)
            .bind(can)
            .bind(who)
            .execute(&app.db)
            .await
            .unwrap();
    }
    id
}

#[tokio::test]
async fn the_visioning_steps_follow_hopes_vision_and_goals() {
    let (app, mut olu, mut others, slug, can) = five().await;
    let page = olu.get(&format!("/c/{slug}/stage")).await;
    // 5 active members: 50% rounds up to 3, and at least 3 → 3 hope authors needed.
    page.assert_contains("Hopes shared by at least 3 members (50% of active members, at least 3): 0 so far")
        .assert_contains("To do: </span><span aria-hidden=\"true\">○</span> <a href=\"/c/riverside-neighbours/vision\">A shared vision adopted by consent");
    for (i, b) in others.iter_mut().take(3).enumerate() {
        b.get(&format!("/c/{slug}/vision")).await;
        b.post(
            &format!("/c/{slug}/vision/hopes"),
            &[("body", &format!("Hope number {i}"))],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    let page = olu.get(&format!("/c/{slug}")).await;
    page.assert_contains("Done: </span><span aria-hidden=\"true\">✓</span> <a href=\"/c/riverside-neighbours/vision#hopes\">Hopes shared by at least 3 members");
    // Adopt a vision and set a goal (straight in the database: the visioning tests cover the way there).
    let version = Uuid::now_v7();
    let olu_id = member(&app, "Olu").await;
    sqlx::query("INSERT INTO vision_versions (id, can_id, number, body, author_id, adopted_at) VALUES ($1, $2, 1, 'Together', $3, now())")
        .bind(version).bind(can).bind(olu_id).execute(&app.db).await.unwrap();
    sqlx::query("UPDATE cans SET vision_version_id = $1, vision_adopted_at = now(), vision_review_on = current_date + 20 WHERE id = $2")
        .bind(version).bind(can).execute(&app.db).await.unwrap();
    let page = olu.get(&format!("/c/{slug}/stage")).await;
    page.assert_contains("At least one goal drawn from the vision: 0 so far")
        .assert_lacks("Every step is done");
    sqlx::query(
        "INSERT INTO goals (id, can_id, title, created_by) VALUES ($1, $2, 'Weekly meal', $3)",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(olu_id)
    .execute(&app.db)
    .await
    .unwrap();
    olu.get(&format!("/c/{slug}/stage"))
        .await
        .assert_contains("Every step is done");
    // The vision's review is 20 days away: the health view says it is due.
    olu.get(&format!("/c/{slug}/health"))
        .await
        .assert_contains("The vision is due for review by");
}

#[tokio::test]
async fn moving_on_early_needs_a_reason_only_organisers_move_and_every_move_is_logged() {
    let (app, mut olu, mut others, slug, _can) = five().await;
    others[0]
        .get(&format!("/c/{slug}/stage"))
        .await
        .assert_lacks("Move on to");
    others[0]
        .post(
            &format!("/c/{slug}/stage/move"),
            &[("to", "organizing"), ("note", "me")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    olu.get(&format!("/c/{slug}/stage")).await;
    let page = olu
        .post(
            &format!("/c/{slug}/stage/move"),
            &[("to", "organizing"), ("note", "")],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("note").unwrap().contains("say why"));
    olu.post(
        &format!("/c/{slug}/stage/move"),
        &[("to", "sustaining"), ("note", "skip")],
    )
    .await
    .assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(app.count("cans WHERE stage = 'visioning'").await, 1);
    olu.post(
        &format!("/c/{slug}/stage/move"),
        &[
            ("to", "organizing"),
            ("note", "We know what we want already"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.post(
        &format!("/c/{slug}/stage/move"),
        &[("to", "visioning"), ("note", "Renewal")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = others[0].get(&format!("/c/{slug}/stage")).await;
    page.assert_contains("Olu moved the group from Visioning to Organizing before every step was done: “We know what we want already”")
        .assert_contains("Olu moved the group from Organizing to Visioning: “Renewal”");
    assert_eq!(app.count("stage_transitions").await, 2);
    assert_eq!(
        app.count("stage_transitions WHERE NOT criteria_met").await,
        1
    );
}

#[tokio::test]
async fn the_organizing_steps_name_what_is_missing() {
    let (app, mut olu, _others, slug, can) = five().await;
    let olu_id = member(&app, "Olu").await;
    let mia = member(&app, "Mia").await;
    sqlx::query("UPDATE cans SET stage = 'organizing' WHERE id = $1")
        .bind(can)
        .execute(&app.db)
        .await
        .unwrap();
    let goal = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO goals (id, can_id, title, created_by) VALUES ($1, $2, 'Weekly meal', $3)",
    )
    .bind(goal)
    .bind(can)
    .bind(olu_id)
    .execute(&app.db)
    .await
    .unwrap();
    let page = olu.get(&format!("/c/{slug}/stage")).await;
    page.assert_contains("Give these goals a responsibility: Weekly meal")
        .assert_contains("At least 3 meetings held with minutes recorded: 0 so far");
    // A responsibility for the goal, carried by Mia with effort 5: she is now above twice the median (0).
    let r = Uuid::now_v7();
    sqlx::query("INSERT INTO responsibilities (id, can_id, title, kind, goal_id, effort, status, created_by) VALUES ($1, $2, 'Cook', 'ongoing', $3, 5, 'active', $4)")
        .bind(r).bind(can).bind(goal).bind(olu_id).execute(&app.db).await.unwrap();
    sqlx::query("INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind) VALUES ($1, $2, $3, $4, 'carrier')")
        .bind(Uuid::now_v7()).bind(can).bind(r).bind(mia).execute(&app.db).await.unwrap();
    for weeks in 1..=3 {
        held(
            &app,
            can,
            weeks,
            &[olu_id, mia],
            Some(olu_id),
            Some(mia),
            "Notes",
        )
        .await;
    }
    let page = olu.get(&format!("/c/{slug}/stage")).await;
    page.assert_contains("Every active goal has a responsibility")
        .assert_contains("Share the load of: Mia (above twice the median)")
        .assert_contains("At least 3 meetings held with minutes recorded: 3 so far")
        .assert_contains("To do: </span><span aria-hidden=\"true\">○</span> <a href=\"/c/riverside-neighbours/meetings\">A regular meeting series");
}

#[tokio::test]
async fn health_signals_match_hand_computed_answers() {
    let (app, mut olu, _others, slug, can) = five().await;
    let [olu_id, mia, noor, pat, quinn] = [
        member(&app, "Olu").await,
        member(&app, "Mia").await,
        member(&app, "Noor").await,
        member(&app, "Pat").await,
        member(&app, "Quinn").await,
    ];
    // Four held meetings, oldest first (8, 6, 4, 2 weeks ago); Quinn came only to the first.
    held(
        &app,
        can,
        8,
        &[olu_id, mia, noor, pat, quinn],
        Some(olu_id),
        Some(mia),
        "Notes",
    )
    .await;
    held(
        &app,
        can,
        6,
        &[olu_id, mia, noor, pat],
        Some(olu_id),
        Some(noor),
        "Notes",
    )
    .await;
    held(
        &app,
        can,
        4,
        &[olu_id, mia, noor],
        Some(mia),
        Some(noor),
        "",
    )
    .await;
    held(
        &app,
        can,
        2,
        &[olu_id, mia, noor, pat],
        Some(mia),
        Some(pat),
        "Notes",
    )
    .await;
    // And one cancelled by hand (a cancelled occurrence is detached from its series).
    sqlx::query("INSERT INTO meetings (id, can_id, title, starts_at, ends_at, status, moved) VALUES ($1, $2, 'Circle', now() - interval '3 weeks', now() - interval '3 weeks' + interval '1 hour', 'cancelled', true)")
        .bind(Uuid::now_v7()).bind(can).execute(&app.db).await.unwrap();
    // A facilitator's term ran out.
    sqlx::query("INSERT INTO role_grants (id, can_id, member_id, role, term_ends_on) VALUES ($1, $2, $3, 'facilitator', current_date - 5)")
        .bind(Uuid::now_v7()).bind(can).bind(pat).execute(&app.db).await.unwrap();

    let page = olu.get(&format!("/c/{slug}/health")).await;
    page.assert_status(StatusCode::OK);
    // Attendance rates over 5 active members: 100%, 80%, 60%, 80%.
    for rate in ["<td>100%</td>", "<td>80%</td>", "<td>60%</td>"] {
        page.assert_contains(rate);
    }
    page.assert_contains("<svg class=\"chart\"");
    // Quinn missed the last 3 in a row and has not come for 6 weeks (last came 8 weeks ago); Pat
    // missed one of the last three: not drifting.
    let drifting = &page.body[page.body.find("id=\"drifting\"").unwrap()
        ..page.body.find("id=\"rotation-title\"").unwrap()];
    assert!(
        drifting.contains(
            "<strong>Quinn</strong>: missed the last 3 meetings and not seen for 6 weeks"
        ),
        "{drifting}"
    );
    assert!(!drifting.contains("Pat") && !drifting.contains("Noor"));
    // Rotation: facilitators Mia and Olu; note-takers Mia, Noor, Pat; Pat's term has run out.
    page.assert_contains(
        "2 different people facilitated (Mia, Olu) and 3 took notes (Mia, Noor, Pat)",
    )
    .assert_contains("Pat, facilitator (term ended");
    // On schedule over 8 weeks: the 8-weeks-ago meeting falls just outside; 3 held of 4 → 75%.
    page.assert_contains("held 3 of 4 (75%); cancelled 1")
        .assert_contains("Minutes recorded for 2 of 3 held meetings");
    page.assert_contains("No vision adopted yet.");

    // Checking in with Quinn is recorded and shown.
    olu.post(
        &format!("/c/{slug}/health/reach-out"),
        &[
            ("member_id", &quinn.to_string()),
            ("note", "Called, all well"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/c/{slug}/health"))
        .await
        .assert_contains("Olu reached out on");
    assert_eq!(app.count("reach_outs").await, 1);
}

/// A responsibility of the CAN with this status and effort, carried and backed up by these.
async fn responsibility(
    app: &TestApp,
    can: Uuid,
    title: &str,
    status: &str,
    effort: i16,
    carriers: &[Uuid],
    backups: &[Uuid],
) {
    let id = Uuid::now_v7();
    let by = member(app, "Olu").await;
    sqlx::query("INSERT INTO responsibilities (id, can_id, title, kind, effort, status, created_by) VALUES ($1, $2, $3, 'ongoing', $4, $5, $6)")
        .bind(id).bind(can).bind(title).bind(effort).bind(status).bind(by).execute(&app.db).await.unwrap();
    let holders = carriers.iter().map(|m| (m, "carrier"));
    for (who, kind) in holders.chain(backups.iter().map(|m| (m, "backup"))) {
        sqlx::query("INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, from_at) VALUES ($1, $2, $3, $4, $5, now() - interval '1 day')")
            .bind(Uuid::now_v7()).bind(can).bind(id).bind(who).bind(kind).execute(&app.db).await.unwrap();
    }
}

/// The stored snapshots, oldest first: (day, median, overburdened, idle, single points).
async fn snapshots(app: &TestApp) -> Vec<(chrono::NaiveDate, f64, i32, i32, i32)> {
    sqlx::query_as("SELECT taken_on, median, overburdened, idle, single_points FROM load_snapshots ORDER BY taken_on, can_id")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_clock_takes_one_load_snapshot_per_can_and_day_and_the_health_view_only_reads_them() {
    let (app, mut olu, _others, slug, can) = five().await;
    let [mia, noor, pat, quinn] = [
        member(&app, "Mia").await,
        member(&app, "Noor").await,
        member(&app, "Pat").await,
        member(&app, "Quinn").await,
    ];
    // Loads: Mia 5 (Cook, alone: a single point), Noor 1 (Treasurer, Pat backs up), Quinn 1
    // (Newsletter, with Mia beside him); Pat carries only a responsibility not yet active, so she
    // and Olu carry nothing. Sorted 0, 0, 1, 1, 5: median 1; Mia is above twice the median.
    responsibility(&app, can, "Cook", "active", 5, &[mia], &[]).await;
    responsibility(&app, can, "Treasurer", "active", 1, &[noor], &[pat]).await;
    responsibility(&app, can, "Newsletter", "active", 1, &[quinn], &[mia]).await;
    responsibility(&app, can, "Garden plan", "open", 3, &[pat], &[]).await;
    // A second CAN of Olu's, where nobody carries anything.
    helpers::start_can(
        &mut olu,
        "Hillside Growers",
        "hillside-growers",
        "invite_only",
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    // Reading the health view writes nothing.
    let page = olu.get(&format!("/c/{slug}/health")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Median load 1.0. Overburdened (above twice the median): Mia.")
        .assert_contains("Single points of failure: Cook.");
    assert_eq!(app.count("load_snapshots").await, 0);

    // The clock takes one snapshot per CAN for its day, the same figures the view shows; two
    // instances at once take each once, and another run the same day takes none.
    let now = Utc::now();
    let today = now.with_timezone(&chrono_tz::Europe::London).date_naive();
    let (a, b) = tokio::join!(
        canopy::stages::snapshots::tick(&app.db, now),
        canopy::stages::snapshots::tick(&app.db, now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2, "one per CAN");
    let riverside = (today, 1.0, 1, 2, 1);
    let hillside = (today, 0.0, 0, 1, 0);
    let taken = snapshots(&app).await;
    assert_eq!(taken.len(), 2);
    assert!(
        taken.contains(&riverside) && taken.contains(&hillside),
        "{taken:?}"
    );
    assert_eq!(
        canopy::stages::snapshots::tick(&app.db, now).await.unwrap(),
        0
    );
    assert_eq!(app.count("load_snapshots").await, 2);

    // The next day, Noor hands the treasury to Pat (Pat now carries 1, Noor nothing): one more
    // snapshot per CAN, and the view shows how the load changed.
    sqlx::query("DELETE FROM carriers WHERE member_id = $1 AND kind = 'backup'")
        .bind(pat)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE carriers SET member_id = $1 WHERE member_id = $2 AND kind = 'carrier'")
        .bind(pat)
        .bind(noor)
        .execute(&app.db)
        .await
        .unwrap();
    let tomorrow = now + Duration::days(1);
    assert_eq!(
        canopy::stages::snapshots::tick(&app.db, tomorrow)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        canopy::stages::snapshots::tick(&app.db, tomorrow)
            .await
            .unwrap(),
        0
    );
    let next_day = today + Duration::days(1);
    // Loads 0, 0, 1, 1, 5 still (Pat's open responsibility does not count); Treasurer is now a
    // single point too.
    assert!(snapshots(&app).await.contains(&(next_day, 1.0, 1, 2, 2)));
    let before = app.count("load_snapshots").await;
    olu.get(&format!("/c/{slug}/health"))
        .await
        .assert_contains("How the load changed")
        .assert_contains("<td>1.0</td><td>1</td><td>2</td><td>1</td>")
        .assert_contains("<td>1.0</td><td>1</td><td>2</td><td>2</td>");
    assert_eq!(app.count("load_snapshots").await, before);
}

#[tokio::test]
async fn check_ins_are_private_one_each_for_attendees_and_shown_only_as_averages_from_three() {
    let (app, mut olu, mut others, slug, can) = five().await;
    let [olu_id, mia, noor, pat] = [
        member(&app, "Olu").await,
        member(&app, "Mia").await,
        member(&app, "Noor").await,
        member(&app, "Pat").await,
    ];
    let meeting = held(&app, can, 0, &[olu_id, mia, noor], None, None, "").await;
    let path = format!("/c/{slug}/meetings/{meeting}/check-in");
    let answer = |z: &'static str, note: &'static str| {
        vec![
            ("zest", z),
            ("able_to_act", "4"),
            ("clarity", "3"),
            ("worth", "5"),
            ("connection", "4"),
            ("note", note),
        ]
    };
    // Pat was not there.
    others[2]
        .get(&path)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let _ = pat;
    // Out of range: 422, nothing stored.
    olu.get(&path).await.assert_status(StatusCode::OK);
    let page = olu.post(&path, &answer("9", "")).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("zest").as_deref(),
        Some("Choose a score from 1 to 5.")
    );
    assert_eq!(app.count("check_ins").await, 0);
    olu.post(&path, &answer("5", "A very private remark"))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    olu.post(&path, &answer("1", ""))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("check_ins").await, 1, "one check-in each");
    others[0].get(&path).await;
    others[0]
        .post(&path, &answer("3", ""))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // While check-ins are open (a week), no average is shown at all: a late answer cannot be
    // read off a moving average.
    let page = others[1].get(&format!("/c/{slug}/health")).await;
    page.assert_lacks("fewer than 3 answers")
        .assert_lacks("A very private remark");
    // A second meeting gets only two answers.
    let second = held(&app, can, 0, &[olu_id, mia, noor], None, None, "").await;
    let second_path = format!("/c/{slug}/meetings/{second}/check-in");
    for b in [&mut olu, &mut others[0]] {
        b.get(&second_path).await;
        b.post(&second_path, &answer("2", ""))
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    others[1].get(&path).await;
    others[1]
        .post(&path, &answer("4", ""))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // A week on, check-ins close; averages appear, from three answers only.
    sqlx::query("UPDATE meetings SET starts_at = starts_at - interval '8 days', ends_at = ends_at - interval '8 days'")
        .execute(&app.db)
        .await
        .unwrap();
    others[1]
        .get(&path)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Three answers: zest average (5 + 3 + 4) / 3 = 4.0; the others 4.0, 3.0, 5.0, 4.0.
    let page = others[2].get(&format!("/c/{slug}/health")).await;
    page.assert_contains("<td>3</td><td>4.0</td><td>4.0</td><td>3.0</td><td>5.0</td><td>4.0</td>")
        .assert_contains("fewer than 3 answers: not shown")
        .assert_lacks("A very private remark");
}

#[tokio::test]
async fn the_weekly_digest_goes_once_per_week_to_organisers_and_coordinators_who_want_it() {
    let (app, mut olu, mut others, slug, can) = five().await;
    let mia = member(&app, "Mia").await;
    olu.get(&format!("/c/{slug}/members/{mia}")).await;
    olu.post(
        &format!("/c/{slug}/members/{mia}/roles"),
        &[("role", "coordinator")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let quinn = member(&app, "Quinn").await;
    held(&app, can, 2, &[mia], None, None, "").await;
    held(&app, can, 1, &[mia], None, None, "").await;
    held(&app, can, 0, &[mia], None, None, "").await;
    let _ = quinn;
    let today = Utc::now().date_naive();
    let base = "http://localhost";
    let (a, b) = tokio::join!(
        canopy::stages::digest::tick(&app.db, base, today),
        canopy::stages::digest::tick(&app.db, base, today)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2, "Olu and Mia");
    canopy::stages::digest::tick(&app.db, base, today)
        .await
        .unwrap();
    assert_eq!(
        app.count("outbox WHERE dedupe_key LIKE 'digest:%'").await,
        2
    );
    let body: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE to_address = 'mia@example.org' AND dedupe_key LIKE 'digest:%'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(body.contains("is in the visioning stage"), "{body}");
    // Issue 16: Mia coordinates but neither organises nor facilitates, so her digest says that
    // the group reaches out, not who drifts; Olu's names Quinn.
    assert!(!body.contains("Quinn"), "{body}");
    assert!(
        body.contains("- The group is reaching out to members who have not been seen for a while"),
        "{body}"
    );
    let olu_body: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE to_address = 'olu@example.org' AND dedupe_key LIKE 'digest:%'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        olu_body.contains("Quinn: missed the last 3 meetings"),
        "{olu_body}"
    );
    assert!(
        olu_body.contains("- Reach out to Noor, Olu, Pat and Quinn: drifting away"),
        "{olu_body}"
    );
    // Next week again, but Mia has opted out in her mail settings (issue 15 moved the choice
    // there from the profile).
    others[0].get("/notifications/settings").await;
    others[0]
        .post("/notifications/settings", &[("weekly_digest", "no")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let next_week = today + Duration::days(7);
    assert_eq!(
        canopy::stages::digest::tick(&app.db, base, next_week)
            .await
            .unwrap(),
        1,
        "only Olu"
    );
}

#[tokio::test]
async fn organisers_change_the_thresholds_everyone_sees() {
    let (app, mut olu, mut others, slug, _can) = five().await;
    let fields = |share: &'static str| {
        vec![
            ("hope_share_percent", share),
            ("hope_min", "2"),
            ("held_meetings_min", "4"),
            ("drift_missed", "2"),
            ("drift_weeks", "4"),
        ]
    };
    others[0].get(&format!("/c/{slug}/stage")).await;
    others[0]
        .post(&format!("/c/{slug}/stage/criteria"), &fields("80"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    olu.get(&format!("/c/{slug}/stage")).await;
    let page = olu
        .post(&format!("/c/{slug}/stage/criteria"), &fields("150"))
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.input_value("hope_share_percent").as_deref(),
        Some("150")
    );
    assert_eq!(
        page.field_error("hope_share_percent").as_deref(),
        Some("Enter a number from 1 to 100.")
    );
    olu.post(&format!("/c/{slug}/stage/criteria"), &fields("80"))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // 80% of 5 active members is 4.
    others[1]
        .get(&format!("/c/{slug}/stage"))
        .await
        .assert_contains("Hopes shared by at least 4 members (80% of active members, at least 2)")
        .assert_contains("missing 2 meetings in a row or 4 weeks without attending");
    assert_eq!(
        app.count("activity_log WHERE action = 'stage.criteria_changed'")
            .await,
        1
    );
}
