//! Asks that can be answered: "Ask them" and a hand-off become offers the person accepts or
//! declines; nothing changes until they accept; answers given twice, late or after a withdrawal
//! change nothing; the clock expires unanswered asks and tells the asker once; only the people
//! concerned see or answer an offer.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::helpers::{self, Browser, TestApp, start_can};

/// Olu (organiser) with Mia, Noor and Pat; all active; and a responsibility "Treasurer".
async fn team() -> (TestApp, Browser, Vec<Browser>, String, Uuid) {
    let (app, mut olu, others, slug) = helpers::team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("pat@example.org", "Pat"),
    ])
    .await;
    olu.get(&format!("/c/{slug}/responsibilities/new")).await;
    olu.post(
        &format!("/c/{slug}/responsibilities"),
        &[
            ("title", "Treasurer"),
            ("description", ""),
            ("kind", "ongoing"),
            ("goal_id", ""),
            ("cadence", ""),
            ("due_on", ""),
            ("term_ends_on", ""),
            ("effort", "3"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let id = sqlx::query_scalar("SELECT id FROM responsibilities WHERE title = 'Treasurer'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    (app, olu, others, slug, id)
}

/// Olu asks `who` to be `kind`; returns the offer's id.
async fn ask(
    app: &TestApp,
    olu: &mut Browser,
    slug: &str,
    id: Uuid,
    who: &str,
    kind: &str,
) -> Uuid {
    let member = app.member_id(who).await;
    olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/assign"),
        &[
            ("member_id", &member.to_string()),
            ("kind", kind),
            ("ask_note", "You know the accounts best"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    sqlx::query_scalar(
        "SELECT id FROM offers WHERE to_member = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(member)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn notifications(app: &TestApp, email: &str, kind: &str) -> i64 {
    let member = app.member_id(email).await;
    sqlx::query_scalar("SELECT count(*) FROM notifications WHERE member_id = $1 AND kind = $2")
        .bind(member)
        .bind(kind)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn offer_status(app: &TestApp, offer: Uuid) -> String {
    sqlx::query_scalar("SELECT status FROM offers WHERE id = $1")
        .bind(offer)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn holders(app: &TestApp) -> i64 {
    app.count("carriers WHERE until_at IS NULL").await
}

#[tokio::test]
async fn asking_someone_makes_an_offer_and_they_are_told_once() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let offer = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    olu.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("Mia is asked to be the carrier")
        .assert_contains("Carriers: <strong>nobody yet</strong>")
        .assert_contains("Offered to Mia (until ");
    olu.get(&format!("/c/{slug}/responsibilities"))
        .await
        .assert_contains("Offered to Mia (until ");
    let (kind, status, note): (String, String, String) =
        sqlx::query_as("SELECT kind, status, note FROM offers WHERE id = $1")
            .bind(offer)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (kind.as_str(), status.as_str(), note.as_str()),
        ("carrier", "open", "You know the accounts best")
    );
    let days: f64 = sqlx::query_scalar(
        "SELECT (extract(epoch FROM expires_at - created_at) / 86400)::float8 FROM offers WHERE id = $1",
    )
    .bind(offer)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!((days - 7.0).abs() < 0.01, "seven days: {days}");
    assert_eq!(holders(&app).await, 0, "nobody holds it until they accept");
    assert_eq!(app.count("responsibilities WHERE status = 'open'").await, 1);
    assert_eq!(
        notifications(&app, "mia@example.org", "offer_made").await,
        1
    );
    assert_eq!(app.count("notifications").await, 1, "only Mia is told");
    let (subject, body): (String, String) = sqlx::query_as(
        "SELECT subject, body_text FROM outbox WHERE to_address = 'mia@example.org'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        subject,
        "[Riverside Neighbours] Olu asked you to carry “Treasurer”"
    );
    assert!(body.contains("accept or decline"), "{body}");
    assert!(body.contains("You know the accounts best"), "{body}");
    assert!(
        body.contains(&format!("/c/{slug}/offers/{offer}")),
        "{body}"
    );
    assert_eq!(app.count("outbox").await, 1);

    // Asked again while open: a clear message, no second offer, nobody told twice.
    ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    olu.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("Mia has been asked already");
    assert_eq!(app.count("offers").await, 1);
    assert_eq!(app.count("notifications").await, 1);

    // Mia sees the ask on its page, with both answers.
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("accept or decline");
    mia.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Olu asks you to carry “Treasurer”")
        .assert_contains("You know the accounts best")
        .assert_contains("Accept")
        .assert_contains("Decline")
        .assert_lacks("Withdraw");
}

#[tokio::test]
async fn accepting_makes_them_the_holder_and_tells_the_asker_once() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let offer = ask(&app, &mut olu, &slug, id, "mia@example.org", "backup").await;
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/offers/{offer}")).await;
    let page = mia
        .post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some(format!("/c/{slug}/offers/{offer}").as_str())
    );
    mia.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_contains("you are now the backup for “Treasurer”")
        .assert_contains("accepted");
    let (kind, by): (String, String) = sqlx::query_as(
        "SELECT c.kind, a.display_name FROM carriers c JOIN members a ON a.id = c.arranged_by
         WHERE c.until_at IS NULL",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((kind.as_str(), by.as_str()), ("backup", "Olu"));
    assert_eq!(offer_status(&app, offer).await, "accepted");
    assert_eq!(
        notifications(&app, "olu@example.org", "offer_answered").await,
        1
    );
    assert_eq!(
        notifications(&app, "mia@example.org", "offer_answered").await,
        0
    );
    olu.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("Backups: Mia.")
        .assert_lacks("Offered to Mia");
    assert_eq!(
        app.count("activity_log WHERE summary LIKE 'Mia accepted%'")
            .await,
        1
    );

    // Accepting again, or declining now: a clear message, nothing changes.
    mia.post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_contains("already been accepted");
    mia.post(
        &format!("/c/{slug}/offers/{offer}/decline"),
        &[("reason", "Changed my mind")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(offer_status(&app, offer).await, "accepted");
    assert_eq!(holders(&app).await, 1);
    assert_eq!(
        notifications(&app, "olu@example.org", "offer_answered").await,
        1
    );
}

#[tokio::test]
async fn declining_with_a_reason_tells_the_asker_why_and_nobody_holds_it() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let offer = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/offers/{offer}")).await;
    // Too long a reason: 422 beside the field, what was typed kept.
    let long = "x".repeat(1001);
    mia.post(
        &format!("/c/{slug}/offers/{offer}/decline"),
        &[("reason", &long)],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("at most 1000 characters")
    .assert_contains(&long);
    assert_eq!(offer_status(&app, offer).await, "open");
    mia.post(
        &format!("/c/{slug}/offers/{offer}/decline"),
        &[("reason", "I am away most evenings")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(offer_status(&app, offer).await, "declined");
    assert_eq!(holders(&app).await, 0);
    let olu_id = app.member_id("olu@example.org").await;
    let line: String = sqlx::query_scalar(
        "SELECT line FROM notifications WHERE member_id = $1 AND kind = 'offer_answered'",
    )
    .bind(olu_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(line, "Mia declined to carry “Treasurer”");
    let body: String =
        sqlx::query_scalar("SELECT body_text FROM outbox WHERE to_address = 'olu@example.org'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(
        body.contains("Their reason: I am away most evenings"),
        "{body}"
    );
    olu.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_contains("declined")
        .assert_contains("I am away most evenings")
        .assert_lacks("Withdraw the ask");
    // Accepting after declining: nothing changes.
    mia.post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_contains("already been declined");
    assert_eq!(holders(&app).await, 0);
    // Asked again later, there is a new ask to answer.
    let again = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    assert_ne!(again, offer);
    assert_eq!(
        notifications(&app, "mia@example.org", "offer_made").await,
        2
    );
}

#[tokio::test]
async fn a_withdrawn_ask_cannot_be_accepted() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let offer = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    // Another member may neither withdraw nor answer it, nor see it.
    let noor = &mut others[1];
    noor.get(&format!("/c/{slug}")).await;
    for action in ["accept", "decline", "withdraw"] {
        noor.post(
            &format!("/c/{slug}/offers/{offer}/{action}"),
            &[("reason", "x")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    }
    noor.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // Olu (the asker) cannot accept on Mia's behalf.
    olu.post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    olu.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_contains("Withdraw the ask");
    olu.post(&format!("/c/{slug}/offers/{offer}/withdraw"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(offer_status(&app, offer).await, "withdrawn");
    // Mia hears it was taken back, once; the asker is not told of their own act.
    assert_eq!(
        notifications(&app, "mia@example.org", "offer_withdrawn").await,
        1
    );
    assert_eq!(
        app.count("notifications WHERE kind = 'offer_withdrawn'")
            .await,
        1
    );
    let line: String =
        sqlx::query_scalar("SELECT line FROM notifications WHERE kind = 'offer_withdrawn'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        line,
        "You are no longer asked to carry “Treasurer”: Olu withdrew it"
    );
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/offers/{offer}")).await;
    mia.post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_contains("This ask was withdrawn: nothing changed.")
        .assert_lacks(">Accept<");
    assert_eq!(holders(&app).await, 0);
    assert_eq!(offer_status(&app, offer).await, "withdrawn");
}

#[tokio::test]
async fn the_clock_expires_unanswered_asks_and_tells_the_asker_once() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let offer = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    let fresh = ask(&app, &mut olu, &slug, id, "noor@example.org", "backup").await;
    // Nothing is due yet.
    let base = "http://localhost";
    assert_eq!(
        canopy::responsibilities::offers::expire(&app.db, base)
            .await
            .unwrap(),
        0
    );
    sqlx::query(
        "UPDATE offers SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day' WHERE id = $1",
    )
    .bind(offer)
    .execute(&app.db)
    .await
    .unwrap();
    // Past its time but before the clock: accepting is refused, nothing changes.
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/offers/{offer}")).await;
    mia.post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_contains("This ask has expired: nothing changed.");
    assert_eq!(holders(&app).await, 0);
    olu.get(&format!("/c/{slug}/responsibilities"))
        .await
        .assert_lacks("Offered to Mia")
        .assert_contains("Offered to Noor");

    assert_eq!(
        canopy::responsibilities::offers::expire(&app.db, base)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        canopy::responsibilities::offers::expire(&app.db, base)
            .await
            .unwrap(),
        0
    );
    assert_eq!(offer_status(&app, offer).await, "expired");
    assert_eq!(offer_status(&app, fresh).await, "open");
    assert_eq!(
        notifications(&app, "olu@example.org", "offer_expired").await,
        1
    );
    let line: String =
        sqlx::query_scalar("SELECT line FROM notifications WHERE kind = 'offer_expired'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        line,
        "Mia did not answer your ask to carry “Treasurer” in time"
    );
    // The clock is registered with the others.
    assert!(canopy::jobs().iter().any(|j| j.name == "offers expire"));
}

#[tokio::test]
async fn a_hand_off_changes_nothing_until_accepted_and_its_overlap_starts_then() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    mia.post(
        &format!("/c/{slug}/responsibilities/{id}/volunteer"),
        &[("kind", "carrier")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let noor = app.member_id("noor@example.org").await;
    mia.post(
        &format!("/c/{slug}/responsibilities/{id}/handoff"),
        &[
            ("to", &noor.to_string()),
            ("handoff_note", "The cash box is in the hall cupboard"),
            ("overlap_days", "14"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("Offered to Noor. You carry it until they accept")
        .assert_contains("Carriers: Mia.")
        .assert_contains("Offered to Noor (until ");
    let offer: Uuid = sqlx::query_scalar("SELECT id FROM offers WHERE kind = 'handoff'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (note, overlap): (String, i16) =
        sqlx::query_as("SELECT note, overlap_days FROM offers WHERE id = $1")
            .bind(offer)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (note.as_str(), overlap),
        ("The cash box is in the hall cupboard", 14)
    );
    assert_eq!(app.count("carriers").await, 1, "Mia alone, unchanged");
    assert_eq!(app.count("carriers WHERE until_at IS NOT NULL").await, 0);
    // Offering it twice to the same person: a message beside the field.
    mia.post(
        &format!("/c/{slug}/responsibilities/{id}/handoff"),
        &[
            ("to", &noor.to_string()),
            ("handoff_note", ""),
            ("overlap_days", ""),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("asked already");

    // Three days later Noor accepts: the overlap runs 14 days from then.
    sqlx::query("UPDATE offers SET created_at = created_at - interval '3 days' WHERE id = $1")
        .bind(offer)
        .execute(&app.db)
        .await
        .unwrap();
    let noor_b = &mut others[1];
    noor_b
        .get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_contains("Mia asks you to take over “Treasurer”")
        .assert_contains("14 days");
    noor_b
        .post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let (until_days, answered_days): (f64, f64) = sqlx::query_as(
        "SELECT (extract(epoch FROM c.until_at - now()) / 86400)::float8, (extract(epoch FROM now() - o.answered_at) / 86400)::float8
         FROM carriers c, offers o WHERE c.ended_how = 'handed_off' AND o.id = $1",
    )
    .bind(offer)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(
        (until_days - 14.0).abs() < 0.01,
        "14 days from acceptance: {until_days}"
    );
    assert!(answered_days < 0.01);
    let page = olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    page.assert_contains("Carriers: Mia, Noor")
        .assert_contains("The cash box is in the hall cupboard");
    assert_eq!(
        notifications(&app, "mia@example.org", "offer_answered").await,
        1
    );
}

#[tokio::test]
async fn a_hand_off_goes_only_to_someone_free_to_carry_it() {
    let (app, _olu, mut others, slug, id) = team().await;
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    mia.post(
        &format!("/c/{slug}/responsibilities/{id}/volunteer"),
        &[("kind", "carrier")],
    )
    .await;
    let mut stranger = app.member("zed@example.org", "Zed").await;
    start_can(&mut stranger, "Elsewhere", "elsewhere", "invite_only").await;
    let zed = app.member_id("zed@example.org").await;
    mia.post(
        &format!("/c/{slug}/responsibilities/{id}/handoff"),
        &[
            ("to", &zed.to_string()),
            ("handoff_note", ""),
            ("overlap_days", ""),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("Choose an active member of this CAN.");
    assert_eq!(app.count("offers").await, 0);
}

#[tokio::test]
async fn offers_of_another_can_and_forged_ids_are_not_found() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let offer = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    // Mia starts her own CAN: the offer's id under it is not found.
    let mia = &mut others[0];
    start_can(mia, "Mia's Garden", "mias-garden", "invite_only").await;
    for path in [
        format!("/c/mias-garden/offers/{offer}"),
        format!("/c/{slug}/offers/{}", Uuid::now_v7()),
        format!("/c/{slug}/offers/not-a-uuid"),
    ] {
        mia.get(&path).await.assert_status(StatusCode::NOT_FOUND);
    }
    mia.get(&format!("/c/{slug}")).await;
    for base in ["mias-garden", slug.as_str()] {
        for action in ["accept", "decline", "withdraw"] {
            let forged = Uuid::now_v7();
            mia.post(&format!("/c/{base}/offers/{forged}/{action}"), &[])
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
        mia.post(&format!("/c/mias-garden/offers/{offer}/accept"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // Someone outside the CAN: 404 everywhere.
    let mut zed = app.member("zed@example.org", "Zed").await;
    zed.get("/").await;
    zed.get(&format!("/c/{slug}/offers/{offer}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    zed.post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(offer_status(&app, offer).await, "open");
    assert_eq!(holders(&app).await, 0);
}

#[tokio::test]
async fn two_tabs_accepting_at_once_make_one_holding() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let offer = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    others[0].get(&format!("/c/{slug}/offers/{offer}")).await;
    let mut second_tab = app.browser();
    second_tab.cookie = others[0].cookie.clone();
    second_tab.csrf = others[0].csrf.clone();
    let path = format!("/c/{slug}/offers/{offer}/accept");
    let (a, b) = tokio::join!(others[0].post(&path, &[]), second_tab.post(&path, &[]));
    a.assert_status(StatusCode::SEE_OTHER);
    b.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("carriers").await, 1, "one holding");
    assert_eq!(
        notifications(&app, "olu@example.org", "offer_answered").await,
        1
    );
    assert_eq!(
        app.count("activity_log WHERE summary LIKE 'Mia accepted%'")
            .await,
        1
    );
}

#[tokio::test]
async fn asking_oneself_takes_it_at_once() {
    let (app, mut olu, _others, slug, id) = team().await;
    let me = app.member_id("olu@example.org").await;
    olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/assign"),
        &[("member_id", &me.to_string()), ("kind", "carrier")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/c/{slug}/responsibilities/{id}"))
        .await
        .assert_contains("You are now the carrier.")
        .assert_contains("Carriers: Olu.");
    assert_eq!(app.count("offers").await, 0);
    assert_eq!(app.count("notifications").await, 0);
}

#[tokio::test]
async fn leaving_or_closing_withdraws_open_asks() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let to_mia = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    let to_noor = ask(&app, &mut olu, &slug, id, "noor@example.org", "backup").await;
    // Mia leaves: the ask to her is withdrawn; Noor's stays.
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}")).await;
    mia.post(
        &format!("/c/{slug}/membership/leave"),
        &[("confirm", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(offer_status(&app, to_mia).await, "withdrawn");
    assert_eq!(offer_status(&app, to_noor).await, "open");
    // She left: nobody is told on her behalf (she asked nobody).
    assert_eq!(
        app.count("notifications WHERE kind = 'offer_withdrawn'")
            .await,
        0
    );
    // The responsibility is dropped: Noor's ask is withdrawn, and accepting says so.
    let page = olu.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    let v = page.input_value("version").unwrap();
    olu.post(
        &format!("/c/{slug}/responsibilities/{id}/progress"),
        &[("status", "dropped"), ("note", ""), ("version", &v)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(offer_status(&app, to_noor).await, "withdrawn");
    // Noor hears that the ask to her is void, with why.
    assert_eq!(
        notifications(&app, "noor@example.org", "offer_withdrawn").await,
        1
    );
    let line: String = sqlx::query_scalar(
        "SELECT line FROM notifications WHERE kind = 'offer_withdrawn' AND member_id = $1",
    )
    .bind(app.member_id("noor@example.org").await)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        line,
        "You are no longer asked to back up “Treasurer”: Olu closed it"
    );
    let noor = &mut others[1];
    noor.get(&format!("/c/{slug}/offers/{to_noor}")).await;
    noor.post(&format!("/c/{slug}/offers/{to_noor}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    noor.get(&format!("/c/{slug}/offers/{to_noor}"))
        .await
        .assert_contains("withdrawn");
    assert_eq!(holders(&app).await, 0);
}

#[tokio::test]
async fn an_asker_who_leaves_takes_their_asks_back_and_those_asked_hear_it() {
    let (app, mut olu, mut others, slug, id) = team().await;
    // Mia carries Treasurer and hands it to Noor; then Mia leaves before Noor answers.
    let mia_id = app.member_id("mia@example.org").await;
    let noor_id = app.member_id("noor@example.org").await;
    let offer = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/offers/{offer}")).await;
    mia.post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    mia.post(
        &format!("/c/{slug}/responsibilities/{id}/handoff"),
        &[
            ("to", &noor_id.to_string()),
            ("handoff_note", "The ledger is in the blue box"),
            ("overlap_days", "0"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let handoff: Uuid = sqlx::query_scalar(
        "SELECT id FROM offers WHERE kind = 'handoff' AND from_member = $1 AND status = 'open'",
    )
    .bind(mia_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    mia.post(
        &format!("/c/{slug}/membership/leave"),
        &[("confirm", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(offer_status(&app, handoff).await, "withdrawn");
    let lines: Vec<String> = sqlx::query_scalar(
        "SELECT line FROM notifications WHERE kind = 'offer_withdrawn' AND member_id = $1",
    )
    .bind(noor_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        lines,
        vec![
            "You are no longer asked to take over “Treasurer”: Mia left Riverside Neighbours"
                .to_string()
        ]
    );
    // Nobody else heard of it.
    assert_eq!(
        app.count("notifications WHERE kind = 'offer_withdrawn'")
            .await,
        1
    );
}

/// `email`'s current holdings of the responsibility, as kinds.
async fn holdings_of(app: &TestApp, id: Uuid, email: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT kind FROM carriers WHERE responsibility_id = $1 AND member_id = $2
           AND until_at IS NULL ORDER BY kind",
    )
    .bind(id)
    .bind(app.member_id(email).await)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_backup_asked_to_carry_steps_up_and_a_carrier_asked_to_back_up_is_told_why_not() {
    let (app, mut olu, mut others, slug, id) = team().await;
    // Mia is asked to carry it, Noor to back it up; meanwhile each volunteers the other way.
    let carry = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    let backup = ask(&app, &mut olu, &slug, id, "noor@example.org", "backup").await;
    for (who, kind) in [(0, "backup"), (1, "carrier")] {
        let b = &mut others[who];
        b.get(&format!("/c/{slug}/responsibilities/{id}")).await;
        b.post(
            &format!("/c/{slug}/responsibilities/{id}/volunteer"),
            &[("kind", kind)],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    assert_eq!(
        holdings_of(&app, id, "mia@example.org").await,
        vec!["backup".to_string()]
    );

    // Mia accepts: she carries it, and is no longer its backup.
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/offers/{carry}")).await;
    mia.post(&format!("/c/{slug}/offers/{carry}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(offer_status(&app, carry).await, "accepted");
    assert_eq!(
        holdings_of(&app, id, "mia@example.org").await,
        vec!["carrier".to_string()]
    );

    // Noor, now a carrier, accepting the backup ask: refused with the reason, the ask left open.
    let noor = &mut others[1];
    noor.get(&format!("/c/{slug}/offers/{backup}")).await;
    noor.post(&format!("/c/{slug}/offers/{backup}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    noor.get(&format!("/c/{slug}/offers/{backup}"))
        .await
        .assert_contains("You carry it already, and a carrier is not their own backup");
    assert_eq!(offer_status(&app, backup).await, "open");
    assert_eq!(
        holdings_of(&app, id, "noor@example.org").await,
        vec!["carrier".to_string()]
    );
}

#[tokio::test]
async fn a_hand_over_note_longer_than_an_ask_holds_is_refused_beside_the_field() {
    let (app, mut olu, mut others, slug, id) = team().await;
    let carry = ask(&app, &mut olu, &slug, id, "mia@example.org", "carrier").await;
    let mia = &mut others[0];
    mia.get(&format!("/c/{slug}/offers/{carry}")).await;
    mia.post(&format!("/c/{slug}/offers/{carry}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let noor = app.member_id("noor@example.org").await.to_string();
    let note = "n".repeat(1500);
    mia.get(&format!("/c/{slug}/responsibilities/{id}")).await;
    let page = mia
        .post(
            &format!("/c/{slug}/responsibilities/{id}/handoff"),
            &[
                ("to", &noor),
                ("handoff_note", &note),
                ("overlap_days", "0"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("handoff_note").is_some());
    assert_eq!(app.count("offers WHERE kind = 'handoff'").await, 0);
}
