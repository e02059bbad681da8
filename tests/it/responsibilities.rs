//! Responsibilities through the real router: creation, volunteering, asking (an offer, see
//! `offers.rs`) and declining,
//! hand-off with overlap and history, backups, the load figures on a fixture with known answers,
//! action item → responsibility, reminders exactly once, and cross-CAN safety.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::helpers::{self, Browser, Page, TestApp, start_can};

/// Olu (organiser) with Mia, Noor and Pat; all active.
async fn team() -> (TestApp, Browser, Vec<Browser>, String) {
    helpers::team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("pat@example.org", "Pat"),
    ])
    .await
}

async fn id_of(app: &TestApp, email: &str) -> Uuid {
    app.member_id(email).await
}

async fn create(
    b: &mut Browser,
    slug: &str,
    title: &str,
    kind: &str,
    effort: &str,
    due: &str,
) -> Page {
    b.get(&format!("/c/{slug}/responsibilities/new")).await;
    b.post(
        &format!("/c/{slug}/responsibilities"),
        &[
            ("title", title),
            ("description", ""),
            ("kind", kind),
            ("goal_id", ""),
            ("cadence", ""),
            ("due_on", due),
            ("term_ends_on", ""),
            ("effort", effort),
        ],
    )
    .await
}

async fn new_id(app: &TestApp, title: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM responsibilities WHERE title = $1")
        .bind(title)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn coordinators_create_members_volunteer_and_the_board_filters() {
    let (app, mut olu, mut others, slug) = team().await;
    create(&mut olu, &slug, "Treasurer", "ongoing", "3", "")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    create(&mut olu, &slug, "Book the hall", "task", "1", "2099-06-01")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // Plain members do not create, but volunteer.
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/responsibilities/new"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let treasurer = new_id(&app, "Treasurer").await;
    mia.get(&format!("/c/{slug}/responsibilities/{treasurer}"))
        .await
        .assert_contains("I'll carry it");
    mia.post(
        &format!("/c/{slug}/responsibilities/{treasurer}/volunteer"),
        &[("kind", "carrier")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let noor = &mut others[1];
    noor.get(&format!("/c/{slug}/responsibilities/{treasurer}"))
        .await;
    noor.post(
        &format!("/c/{slug}/responsibilities/{treasurer}/volunteer"),
        &[("kind", "backup")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM responsibilities WHERE id = $1")
        .bind(treasurer)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "active");

    let board = olu.get(&format!("/c/{slug}/responsibilities")).await;
    board
        .assert_contains("Treasurer")
        .assert_contains("Book the hall");
    let unowned = olu
        .get(&format!("/c/{slug}/responsibilities?filter=unowned"))
        .await;
    unowned
        .assert_contains("Book the hall")
        .assert_lacks(">Treasurer<");
    let no_backup = olu
        .get(&format!("/c/{slug}/responsibilities?filter=no_backup"))
        .await;
    no_backup.assert_lacks(">Treasurer<");
    let mine = others[0]
        .get(&format!("/c/{slug}/responsibilities?filter=mine"))
        .await;
    mine.assert_contains(">Treasurer<")
        .assert_lacks("Book the hall");
    // And on Mia's dashboard.
    others[0]
        .get("/")
        .await
        .assert_contains("What you carry")
        .assert_contains("Treasurer");
}

#[tokio::test]
async fn a_past_due_date_for_a_new_task_warns_and_is_allowed_with_confirmation() {
    let (app, mut olu, _others, slug) = team().await;
    let page = create(
        &mut olu,
        &slug,
        "Return the keys",
        "task",
        "1",
        "2020-01-01",
    )
    .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("already past")
        .assert_contains("confirm_past");
    assert_eq!(app.count("responsibilities").await, 0);
    olu.post(
        &format!("/c/{slug}/responsibilities"),
        &[
            ("title", "Return the keys"),
            ("kind", "task"),
            ("due_on", "2020-01-01"),
            ("effort", "1"),
            ("confirm_past", "yes"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("responsibilities").await, 1);
    let page = olu
        .get(&format!("/c/{slug}/responsibilities?filter=overdue"))
        .await;
    page.assert_contains("Return the keys")
        .assert_contains("overdue");
}

/// The open offer to this member (the ask they have not answered yet).
async fn open_offer_to(app: &TestApp, email: &str) -> Uuid {
    let member = id_of(app, email).await;
    sqlx::query_scalar("SELECT id FROM offers WHERE to_member = $1 AND status = 'open'")
        .bind(member)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn assignment_tells_the_member_who_may_decline_with_a_reason() {
    let (app, mut olu, mut others, slug) = team().await;
    create(&mut olu, &slug, "Welcomes newcomers", "ongoing", "2", "").await;
    let id = new_id(&app, "Welcomes newcomers").await;
    let mia = id_of(&app, "mia@example.org").await;
    olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/assign"),
        &[("member_id", &mia.to_string()), ("kind", "carrier")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(
            "outbox WHERE to_address = 'mia@example.org' AND subject LIKE '%Welcomes newcomers%'"
        )
        .await,
        1
    );
    // Asked, not yet holding: the ask waits for Mia's answer.
    assert_eq!(app.count("carriers").await, 0);
    let offer = open_offer_to(&app, "mia@example.org").await;
    let page = others[0].get(&format!("/c/{slug}/offers/{offer}")).await;
    page.assert_contains("Decline");
    // A reason is optional, but not an essay.
    let page = others[0]
        .post(
            &format!("/c/{slug}/offers/{offer}/decline"),
            &[("reason", &"x".repeat(1001))],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    others[0]
        .post(
            &format!("/c/{slug}/offers/{offer}/decline"),
            &[("reason", "I am away most evenings")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let (status, answer, reason): (String, String, String) = sqlx::query_as(
        "SELECT r.status, o.status, o.reason FROM responsibilities r JOIN offers o ON o.responsibility_id = r.id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), answer.as_str(), reason.as_str()),
        ("open", "declined", "I am away most evenings")
    );
    assert_eq!(app.count("carriers").await, 0);

    // A holding arranged before asks were offers (assigned at once) can still be declined, with
    // a reason, from the responsibility's page.
    sqlx::query(
        "INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, arranged_by, assigned, note)
         SELECT $1, r.can_id, r.id, $2, 'carrier', r.created_by, true, '' FROM responsibilities r WHERE r.id = $3",
    )
    .bind(Uuid::now_v7())
    .bind(mia)
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    let page = others[0]
        .get(&format!("/c/{slug}/responsibilities/{id}"))
        .await;
    page.assert_contains("Decline");
    let page = others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/decline"),
            &[("reason", "")],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/decline"),
            &[("reason", "I am away most evenings")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let (status, how, note): (String, String, String) = sqlx::query_as(
        "SELECT r.status, c.ended_how, c.note FROM responsibilities r JOIN carriers c ON c.responsibility_id = r.id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), how.as_str(), note.as_str()),
        ("open", "declined", "I am away most evenings")
    );

    // Members who are away, have left, or belong to another CAN cannot be assigned.
    let noor = id_of(&app, "noor@example.org").await;
    others[1].get(&format!("/c/{slug}")).await;
    others[1]
        .post(&format!("/c/{slug}/membership/pause"), &[])
        .await;
    let mut stranger = app.member("zed@example.org", "Zed").await;
    start_can(&mut stranger, "Elsewhere", "elsewhere", "invite_only").await;
    let zed = id_of(&app, "zed@example.org").await;
    for who in [noor, zed] {
        let page = olu
            .post(
                &format!("/c/{slug}/responsibilities/{id}/assign"),
                &[("member_id", &who.to_string()), ("kind", "carrier")],
            )
            .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Choose an active member of this CAN");
    }
    assert_eq!(app.count("carriers").await, 1);
}

#[tokio::test]
async fn a_hand_off_with_overlap_keeps_both_and_the_history() {
    let (app, mut olu, mut others, slug) = team().await;
    create(&mut olu, &slug, "Treasurer", "ongoing", "3", "").await;
    let id = new_id(&app, "Treasurer").await;
    others[0]
        .get(&format!("/c/{slug}/responsibilities/{id}"))
        .await;
    others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/volunteer"),
            &[("kind", "carrier")],
        )
        .await;
    let mia = id_of(&app, "mia@example.org").await;
    let noor = id_of(&app, "noor@example.org").await;
    // To oneself: refused.
    let page = others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/handoff"),
            &[
                ("to", &mia.to_string()),
                ("handoff_note", ""),
                ("overlap_days", "0"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("hand it to someone else");
    // Someone who does not carry it cannot hand it on.
    others[2]
        .get(&format!("/c/{slug}/responsibilities/{id}"))
        .await;
    others[2]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/handoff"),
            &[("to", &noor.to_string())],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);

    others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/handoff"),
            &[
                ("to", &noor.to_string()),
                ("handoff_note", "The cash box is in the hall cupboard"),
                ("overlap_days", "14"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // Offered: Mia alone carries it until Noor accepts.
    assert_eq!(app.count("carriers").await, 1);
    olu.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("Carriers: Mia.")
        .assert_contains("Offered to Noor");
    let offer = open_offer_to(&app, "noor@example.org").await;
    others[1].get(&format!("/c/{slug}/offers/{offer}")).await;
    others[1]
        .post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // During the overlap both carry it.
    let page = olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    page.assert_contains("Carriers: Mia, Noor")
        .assert_contains("The cash box is in the hall cupboard");
    let history: Vec<(String, Option<String>, bool)> = sqlx::query_as(
        "SELECT p.display_name, c.ended_how, c.until_at IS NOT NULL FROM carriers c JOIN members p ON p.id = c.member_id
         WHERE c.responsibility_id = $1 ORDER BY c.from_at",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        history,
        vec![
            ("Mia".into(), Some("handed_off".into()), true),
            ("Noor".into(), None, false)
        ]
    );
    // After the overlap only Noor does; the history keeps Mia.
    sqlx::query("UPDATE carriers SET until_at = now() - interval '1 second', from_at = now() - interval '15 days' WHERE ended_how = 'handed_off'")
        .execute(&app.db)
        .await
        .unwrap();
    let page = olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    page.assert_contains("Carriers: Noor.")
        .assert_contains("handed it on");
}

#[tokio::test]
async fn the_load_view_flags_the_overburdened_the_idle_and_single_points_of_failure() {
    let (app, mut olu, mut others, slug) = team().await;
    // Fixture: Mia carries effort 5 + 1, Noor 1, Pat 1 (with a backup), Olu nothing.
    for (title, effort) in [
        ("Treasurer", "5"),
        ("Newsletter", "1"),
        ("Garden watering", "1"),
        ("Tea urn", "1"),
    ] {
        create(&mut olu, &slug, title, "ongoing", effort, "")
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let carry = |title: &'static str, who: usize, kind: &'static str| (title, who, kind);
    for (title, who, kind) in [
        carry("Treasurer", 0, "carrier"),
        carry("Newsletter", 0, "carrier"),
        carry("Garden watering", 1, "carrier"),
        carry("Tea urn", 2, "carrier"),
        carry("Tea urn", 1, "backup"),
    ] {
        let id = new_id(&app, title).await;
        others[who]
            .get(&format!("/c/{slug}/responsibilities/{id}"))
            .await;
        others[who]
            .post(
                &format!("/c/{slug}/responsibilities/{id}/volunteer"),
                &[("kind", kind)],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    sqlx::query("UPDATE members SET skills = 'gardening, newsletters and writing' WHERE email = 'olu@example.org'").execute(&app.db).await.unwrap();
    others[0]
        .get(&format!("/c/{slug}/load"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let page = olu.get(&format!("/c/{slug}/load")).await;
    page.assert_status(StatusCode::OK);
    // Loads: Olu 0, Mia 6, Noor 1, Pat 1 → median 1.0, threshold 2.0.
    page.assert_contains("Median: <strong>1.0</strong>");
    let row = |name: &str| -> String {
        let at = page
            .body
            .find(&format!("<th scope=\"row\">{name}</th>"))
            .unwrap();
        page.body[at..at + page.body[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(
        row("Mia").contains("<td>6</td>") && row("Mia").contains("overburdened"),
        "{}",
        row("Mia")
    );
    assert!(row("Olu").contains("invite to carry something"));
    assert!(!row("Noor").contains("overburdened") && !row("Pat").contains("overburdened"));
    // Single points of failure: Treasurer, Newsletter, Garden watering (one carrier, no backup); not Tea urn.
    let spof = &page.body[page.body.find("Single points of failure").unwrap()
        ..page.body.find("<h2>Suggestions").unwrap()];
    for t in ["Treasurer", "Newsletter", "Garden watering"] {
        assert!(spof.contains(t), "{t} should be flagged");
    }
    assert!(!spof.contains("Tea urn"));
    // A suggestion moves one of Mia's responsibilities to Olu, whose interests fit the newsletter.
    page.assert_contains("“Newsletter” (now with Mia) could go to <strong>Olu</strong>");
}

#[tokio::test]
async fn only_carriers_and_coordinators_update_and_stale_status_changes_keep_the_note() {
    let (app, mut olu, mut others, slug) = team().await;
    create(&mut olu, &slug, "Book the hall", "task", "1", "2099-01-01").await;
    let id = new_id(&app, "Book the hall").await;
    others[0]
        .get(&format!("/c/{slug}/responsibilities/{id}"))
        .await;
    others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/volunteer"),
            &[("kind", "carrier")],
        )
        .await;
    others[1]
        .get(&format!("/c/{slug}/responsibilities/{id}"))
        .await;
    others[1]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/progress"),
            &[("status", "done"), ("note", "x"), ("version", "0")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let mia_page = others[0]
        .get(&format!("/c/{slug}/responsibilities/{id}"))
        .await;
    let olu_page = olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    let (v1, v2) = (
        mia_page.input_value("version").unwrap(),
        olu_page.input_value("version").unwrap(),
    );
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/progress"),
        &[
            ("status", "dropped"),
            ("note", "Hall closed for repairs"),
            ("version", &v2),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/progress"),
            &[
                ("status", "done"),
                ("note", "Booked for 3 June"),
                ("version", &v1),
            ],
        )
        .await;
    page.assert_status(StatusCode::CONFLICT)
        .assert_contains("Booked for 3 June");
    let status: String = sqlx::query_scalar("SELECT status FROM responsibilities WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "dropped");
    // A note alone is always kept.
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/progress"),
        &[
            ("status", "unchanged"),
            ("note", "Looking for another hall"),
            ("version", "999"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("progress_notes").await, 2);
}

#[tokio::test]
async fn an_action_item_becomes_a_responsibility_carried_by_its_owner() {
    let (app, mut olu, _others, slug) = team().await;
    let tuesday = canopy::meetings::recurrence::next_weekday(
        chrono::Utc::now().date_naive() + chrono::Duration::days(1),
        chrono::Weekday::Tue,
    )
    .format("%Y-%m-%d")
    .to_string();
    olu.get(&format!("/c/{slug}/meetings/new")).await;
    olu.post(
        &format!("/c/{slug}/meetings"),
        &[
            ("title", "Planning"),
            ("repeat", "once"),
            ("starts_on", &tuesday),
            ("start_time", "19:00"),
            ("duration_minutes", "60"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let meeting: Uuid = sqlx::query_scalar("SELECT id FROM meetings")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mia = id_of(&app, "mia@example.org").await;
    olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{meeting}/actions"),
        &[
            ("action_title", "Print flyers"),
            ("action_owner", &mia.to_string()),
            ("action_due", "2099-02-01"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let action: Uuid = sqlx::query_scalar("SELECT id FROM action_items")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.get(&format!("/c/{slug}/meetings/{meeting}"))
        .await
        .assert_contains("Make it a responsibility");
    olu.post(
        &format!("/c/{slug}/meetings/{meeting}/actions/{action}/responsibility"),
        &[],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.post(
        &format!("/c/{slug}/meetings/{meeting}/actions/{action}/responsibility"),
        &[],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("responsibilities").await, 1, "made once");
    let (title, kind, due, carrier): (String, String, Option<chrono::NaiveDate>, String) =
        sqlx::query_as(
            "SELECT r.title, r.kind, r.due_on, p.display_name FROM responsibilities r
         JOIN carriers c ON c.responsibility_id = r.id JOIN members p ON p.id = c.member_id",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        (title.as_str(), kind.as_str(), carrier.as_str()),
        ("Print flyers", "task", "Mia")
    );
    assert_eq!(due, chrono::NaiveDate::from_ymd_opt(2099, 2, 1));
}

#[tokio::test]
async fn reminders_go_out_exactly_once() {
    let (app, mut olu, mut others, slug) = team().await;
    create(&mut olu, &slug, "Book the hall", "task", "1", "2099-01-01").await;
    create(
        &mut olu,
        &slug,
        "Return the keys",
        "task",
        "1",
        "2099-01-01",
    )
    .await;
    create(&mut olu, &slug, "Treasurer", "ongoing", "3", "").await;
    for t in ["Book the hall", "Return the keys", "Treasurer"] {
        let id = new_id(&app, t).await;
        others[0]
            .get(&format!("/c/{slug}/responsibilities/{id}"))
            .await;
        others[0]
            .post(
                &format!("/c/{slug}/responsibilities/{id}/volunteer"),
                &[("kind", "carrier")],
            )
            .await;
    }
    sqlx::query(
        "UPDATE responsibilities SET due_on = current_date + 1 WHERE title = 'Book the hall'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE responsibilities SET due_on = current_date - 3 WHERE title = 'Return the keys'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE responsibilities SET term_ends_on = current_date + 10 WHERE title = 'Treasurer'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let base = "http://localhost";
    let (a, b) = tokio::join!(
        canopy::responsibilities::jobs::tick(&app.db, base),
        canopy::responsibilities::jobs::tick(&app.db, base)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.due_soon + b.due_soon, 1);
    assert_eq!(a.overdue + b.overdue, 1);
    assert_eq!(a.term_ending + b.term_ending, 1);
    canopy::responsibilities::jobs::tick(&app.db, base)
        .await
        .unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT to_address, dedupe_key FROM outbox WHERE dedupe_key LIKE 'responsibility:%' AND dedupe_key NOT LIKE '%assigned%' ORDER BY dedupe_key")
        .fetch_all(&app.db)
        .await
        .unwrap();
    // Due and overdue to the carrier (Mia); the term's end to Mia and the organiser.
    let count = |kind: &str| {
        rows.iter()
            .filter(|(_, k)| k.contains(&format!(":{kind}:")))
            .count()
    };
    assert_eq!(
        (count("due"), count("overdue"), count("term")),
        (1, 1, 2),
        "{rows:?}"
    );
}

/// The group's settings form, as `start_can` fills it, in another time zone.
async fn move_can_to(b: &mut Browser, slug: &str, zone: &str) {
    b.get(&format!("/c/{slug}/settings")).await;
    b.post(
        &format!("/c/{slug}/settings"),
        &[
            ("name", "Riverside Neighbours"),
            ("place", "Riverside"),
            ("purpose", "Neighbours looking out for each other"),
            ("rationale", "Nobody should be alone"),
            ("rules", "Be kind. Keep what is said in confidence."),
            ("time_zone", zone),
            ("visibility", "invite_only"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_task_is_overdue_when_its_day_has_passed_in_the_groups_zone_even_after_the_group_moves() {
    let (app, mut olu, mut others, slug) = team().await;
    move_can_to(&mut olu, &slug, "Pacific/Pago_Pago").await;
    create(
        &mut olu,
        &slug,
        "Return the keys",
        "task",
        "1",
        "2099-01-01",
    )
    .await;
    let id = new_id(&app, "Return the keys").await;
    others[0]
        .get(&format!("/c/{slug}/responsibilities/{id}"))
        .await;
    others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/volunteer"),
            &[("kind", "carrier")],
        )
        .await;
    // Due yesterday on Kiritimati (UTC+14): a day or two ahead of Pago Pago (UTC-11), where that
    // day has not passed yet.
    let kiritimati = chrono::Utc::now()
        .with_timezone(&chrono_tz::Pacific::Kiritimati)
        .date_naive();
    sqlx::query("UPDATE responsibilities SET due_on = $1 WHERE id = $2")
        .bind(kiritimati - chrono::Duration::days(1))
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let base = "http://localhost";
    let ticked = canopy::responsibilities::jobs::tick(&app.db, base)
        .await
        .unwrap();
    assert_eq!(ticked.overdue, 0, "not yet past in Pago Pago");
    // The group moves to Kiritimati: there the day has passed.
    move_can_to(&mut olu, &slug, "Pacific/Kiritimati").await;
    let ticked = canopy::responsibilities::jobs::tick(&app.db, base)
        .await
        .unwrap();
    assert_eq!(ticked.overdue, 1);
    assert_eq!(
        app.count("outbox WHERE to_address = 'mia@example.org' AND dedupe_key LIKE '%:overdue:%'")
            .await,
        1
    );
}

#[tokio::test]
async fn nobody_outside_the_can_sees_or_touches_its_responsibilities() {
    let (app, mut olu, _others, slug) = team().await;
    create(&mut olu, &slug, "Treasurer", "ongoing", "3", "").await;
    let id = new_id(&app, "Treasurer").await;
    let mut other = app.member("zed@example.org", "Zed").await;
    start_can(&mut other, "Elsewhere", "elsewhere", "invite_only").await;
    for path in [
        format!("/c/{slug}/responsibilities"),
        format!("/c/{slug}/responsibilities/{id}"),
        format!("/c/{slug}/load"),
        format!("/c/elsewhere/responsibilities/{id}"),
    ] {
        other.get(&path).await.assert_status(StatusCode::NOT_FOUND);
    }
    other.get("/").await;
    for action in [
        "volunteer",
        "assign",
        "decline",
        "handoff",
        "step-down",
        "progress",
    ] {
        for base in [slug.as_str(), "elsewhere"] {
            other
                .post(
                    &format!("/c/{base}/responsibilities/{id}/{action}"),
                    &[
                        ("kind", "carrier"),
                        ("member_id", &Uuid::nil().to_string()),
                        ("reason", "x"),
                        ("note", "x"),
                        ("status", "done"),
                        ("version", "0"),
                    ],
                )
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
    }
    assert_eq!(app.count("carriers").await, 0);
    assert_eq!(app.count("responsibilities WHERE status = 'open'").await, 1);
}

#[tokio::test]
async fn two_hand_offs_at_once_make_one_new_carrier_and_paused_carriers_leave_it_unowned() {
    let (app, mut olu, mut others, slug) = team().await;
    create(&mut olu, &slug, "Treasurer", "ongoing", "3", "").await;
    let id = new_id(&app, "Treasurer").await;
    others[0]
        .get(&format!("/c/{slug}/responsibilities/{id}"))
        .await;
    others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/volunteer"),
            &[("kind", "carrier")],
        )
        .await;
    let noor = id_of(&app, "noor@example.org").await.to_string();
    let pat = id_of(&app, "pat@example.org").await.to_string();
    let mut second_tab = app.browser();
    second_tab.cookie = others[0].cookie.clone();
    second_tab.csrf = others[0].csrf.clone();
    let path = format!("/c/{slug}/responsibilities/{id}/handoff");
    let to_noor = [
        ("to", noor.as_str()),
        ("handoff_note", ""),
        ("overlap_days", "0"),
    ];
    let to_pat = [
        ("to", pat.as_str()),
        ("handoff_note", ""),
        ("overlap_days", "0"),
    ];
    let (a, b) = tokio::join!(
        others[0].post(&path, &to_noor),
        second_tab.post(&path, &to_pat)
    );
    // Both are offers; nothing changes until one is accepted, and both accepting at once hand it
    // over once.
    assert!(a.status.is_redirection() && b.status.is_redirection());
    assert_eq!(app.count("offers WHERE status = 'open'").await, 2);
    let (noor_offer, pat_offer) = (
        open_offer_to(&app, "noor@example.org").await,
        open_offer_to(&app, "pat@example.org").await,
    );
    let (noor_tab, pat_tab) = others.split_at_mut(2);
    noor_tab[1]
        .get(&format!("/c/{slug}/offers/{noor_offer}"))
        .await;
    pat_tab[0]
        .get(&format!("/c/{slug}/offers/{pat_offer}"))
        .await;
    let (noor_accepts, pat_accepts) = (
        format!("/c/{slug}/offers/{noor_offer}/accept"),
        format!("/c/{slug}/offers/{pat_offer}/accept"),
    );
    let (a, b) = tokio::join!(
        noor_tab[1].post(&noor_accepts, &[]),
        pat_tab[0].post(&pat_accepts, &[])
    );
    assert!(a.status.is_redirection() && b.status.is_redirection());
    assert_eq!(
        app.count("carriers WHERE until_at IS NULL AND kind = 'carrier'")
            .await,
        1,
        "one new carrier"
    );

    // Whoever carries it now goes away for a while: it shows as unowned.
    let carrier: String = sqlx::query_scalar("SELECT p.email FROM carriers c JOIN members p ON p.id = c.member_id WHERE c.until_at IS NULL").fetch_one(&app.db).await.unwrap();
    let who = if carrier.starts_with("noor") { 1 } else { 2 };
    others[who].get(&format!("/c/{slug}")).await;
    others[who]
        .post(&format!("/c/{slug}/membership/pause"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/c/{slug}/responsibilities?filter=unowned"))
        .await
        .assert_contains(">Treasurer<");
    // Accented skills do not break the load view.
    sqlx::query("UPDATE members SET skills = 'café, señora'")
        .execute(&app.db)
        .await
        .unwrap();
    olu.get(&format!("/c/{slug}/load"))
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn coordinators_change_a_responsibility_and_carriers_can_reopen_it() {
    let (app, mut olu, mut others, slug) = team().await;
    create(&mut olu, &slug, "Treasurer", "ongoing", "3", "").await;
    let id = new_id(&app, "Treasurer").await;
    others[0]
        .get(&format!("/c/{slug}/responsibilities/{id}/edit"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let form = olu
        .get(&format!("/c/{slug}/responsibilities/{id}/edit"))
        .await;
    assert_eq!(form.input_value("title").as_deref(), Some("Treasurer"));
    let page = olu
        .post(
            &format!("/c/{slug}/responsibilities/{id}/edit"),
            &[
                ("title", "Treasurer and membership fees"),
                ("kind", "ongoing"),
                ("term_ends_on", "2099-12-31"),
                ("effort", "9"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.input_value("title").as_deref(),
        Some("Treasurer and membership fees")
    );
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/edit"),
        &[
            ("title", "Treasurer and membership fees"),
            ("kind", "ongoing"),
            ("term_ends_on", "2099-12-31"),
            ("effort", "4"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let (title, effort, term): (String, i16, Option<chrono::NaiveDate>) =
        sqlx::query_as("SELECT title, effort, term_ends_on FROM responsibilities WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (title.as_str(), effort),
        ("Treasurer and membership fees", 4)
    );
    assert_eq!(term, chrono::NaiveDate::from_ymd_opt(2099, 12, 31));

    // Dropped, then reopened.
    let page = olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    let v = page.input_value("version").unwrap();
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/progress"),
        &[
            ("status", "dropped"),
            ("note", "Not needed now"),
            ("version", &v),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    page.assert_contains("Reopen");
    let v = page.input_value("version").unwrap();
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/progress"),
        &[
            ("status", "open"),
            ("note", "Needed again"),
            ("version", &v),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM responsibilities WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "open");
}

#[tokio::test]
async fn closed_responsibilities_take_nobody_on_and_only_holders_step_down_or_decline() {
    let (app, mut olu, mut others, slug) = team().await;
    create(&mut olu, &slug, "Treasurer", "ongoing", "3", "").await;
    let id = new_id(&app, "Treasurer").await;
    let page = olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    let v = page.input_value("version").unwrap();
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/progress"),
        &[("status", "dropped"), ("note", ""), ("version", &v)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    // Dropped: nobody volunteers or is asked, and the page says why.
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_lacks("I'll carry it");
    mia.post(
        &format!("/c/{slug}/responsibilities/{id}/volunteer"),
        &[("kind", "carrier")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("This responsibility is closed.");
    let noor = id_of(&app, "noor@example.org").await;
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/assign"),
        &[("member_id", &noor.to_string()), ("kind", "carrier")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("carriers").await, 0);
    assert_eq!(app.count("outbox").await, 0);
    // Someone who holds nothing cannot step down, nor decline what nobody asked of them.
    mia.post(&format!("/c/{slug}/responsibilities/{id}/step-down"), &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    mia.post(
        &format!("/c/{slug}/responsibilities/{id}/decline"),
        &[("reason", "Too busy")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn asking_someone_twice_tells_them_once_and_a_hand_off_goes_only_to_someone_free_to_carry_it()
{
    let (app, mut olu, mut others, slug) = team().await;
    create(&mut olu, &slug, "Newsletter", "ongoing", "2", "").await;
    let id = new_id(&app, "Newsletter").await;
    let mia = id_of(&app, "mia@example.org").await.to_string();
    let noor = id_of(&app, "noor@example.org").await.to_string();
    olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    for _ in 0..2 {
        olu.post(
            &format!("/c/{slug}/responsibilities/{id}/assign"),
            &[("member_id", &mia), ("kind", "carrier")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    olu.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("Mia has been asked already and has not answered yet");
    assert_eq!(app.count("outbox").await, 1);
    assert_eq!(app.count("offers").await, 1);
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/assign"),
        &[("member_id", &noor), ("kind", "carrier")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    // Both accept; asked again once they hold it, Olu is told so.
    for (who, email) in [(0, "mia@example.org"), (1, "noor@example.org")] {
        let offer = open_offer_to(&app, email).await;
        others[who].get(&format!("/c/{slug}/offers/{offer}")).await;
        others[who]
            .post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/assign"),
        &[("member_id", &mia), ("kind", "carrier")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("Mia already holds it.");
    // Mia cannot hand it to Noor, who carries it already; nor to Pat while Pat is away.
    others[0]
        .get(&format!("/c/{slug}/responsibilities/{id}"))
        .await;
    let to_noor = [
        ("to", noor.as_str()),
        ("handoff_note", ""),
        ("overlap_days", ""),
    ];
    others[0]
        .post(
            &format!("/c/{slug}/responsibilities/{id}/handoff"),
            &to_noor,
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("They carry it already.");
    others[2].get(&format!("/c/{slug}")).await;
    others[2]
        .post(&format!("/c/{slug}/membership/pause"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let pat = id_of(&app, "pat@example.org").await.to_string();
    let to_pat = [
        ("to", pat.as_str()),
        ("handoff_note", ""),
        ("overlap_days", ""),
    ];
    others[0]
        .post(&format!("/c/{slug}/responsibilities/{id}/handoff"), &to_pat)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Choose an active member of this CAN.");
    assert_eq!(
        app.count("carriers WHERE until_at IS NULL AND kind = 'carrier'")
            .await,
        2
    );
}
