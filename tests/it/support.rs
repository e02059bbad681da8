//! Protection as care (issue 16 §3): members ask the group for a hand, openly or privately to the
//! organisers; others offer; the asker marks it met or withdraws it; the health view counts how
//! the group answered, without names.

use axum::http::StatusCode;
use chrono::{TimeDelta, Utc};
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, start_can, team};

const SLUG: &str = "riverside-neighbours";

/// Olu's CAN (Olu organises) with Mia, Noor and Kai; Kai is away for a while (paused). Mal runs
/// another CAN, Hillside. Returns (app, Olu, [Mia, Noor, Kai], Mal).
async fn group() -> (TestApp, Browser, Vec<Browser>, Browser) {
    let (app, olu, others, _) = team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("kai@example.org", "Kai"),
    ])
    .await;
    sqlx::query(
        "UPDATE memberships SET status = 'paused'
         WHERE member_id = (SELECT id FROM members WHERE email = 'kai@example.org')",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let mut mal = app.member("mal@example.org", "Mal").await;
    start_can(&mut mal, "Hillside", "hillside", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    (app, olu, others, mal)
}

fn list() -> String {
    format!("/c/{SLUG}/support")
}

fn at(id: Uuid, rest: &str) -> String {
    format!("/c/{SLUG}/support/{id}{rest}")
}

/// `b` asks through the form; returns the new request's id.
async fn ask(b: &mut Browser, fields: &[(&str, &str)]) -> Uuid {
    b.get(&list()).await.assert_status(StatusCode::OK);
    let page = b.post(&list(), fields).await;
    page.assert_status(StatusCode::SEE_OTHER);
    page.location()
        .and_then(|l| l.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .expect("the answer goes to the request's page")
}

/// Posts an answer from the request's page and follows the redirect back to it.
async fn answer(b: &mut Browser, id: Uuid, action: &str, fields: &[(&str, &str)]) -> String {
    b.get(&at(id, "")).await.assert_status(StatusCode::OK);
    let page = b.post(&at(id, action), fields).await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some(at(id, "").as_str()));
    let back = b.get(&at(id, "")).await;
    back.assert_status(StatusCode::OK);
    back.body
}

/// Who was told of `kind` (display names, sorted), and the lines they read.
async fn told(app: &TestApp, kind: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT p.display_name, n.line FROM notifications n JOIN members p ON p.id = n.member_id
         WHERE n.kind = $1 ORDER BY p.display_name, n.created_at",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

fn names(rows: &[(String, String)]) -> Vec<&str> {
    rows.iter().map(|(n, _)| n.as_str()).collect()
}

/// The mails queued to `email` whose subject or text mentions `text`.
async fn mails_mentioning(app: &TestApp, email: &str, text: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE to_address = $1
           AND (subject LIKE '%' || $2 || '%' OR body_text LIKE '%' || $2 || '%')",
    )
    .bind(email)
    .bind(text)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn status_of(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status FROM support_requests WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn offers_on(app: &TestApp, id: Uuid) -> i64 {
    app.count(&format!("support_offers WHERE request_id = '{id}'"))
        .await
}

#[tokio::test]
async fn a_public_request_is_seen_by_every_member_and_told_to_the_active_ones_only() {
    let (app, mut olu, mut people, mut mal) = group().await;
    let [mia, noor, kai] = &mut people[..] else {
        unreachable!()
    };
    let id = ask(
        mia,
        &[
            ("kind", "meal"),
            ("details", "Soup for two, please"),
            ("needed_by", ""),
        ],
    )
    .await;

    // Every member sees it in the list and on its page, paused Kai included.
    for b in [&mut olu, &mut *mia, &mut *noor, &mut *kai] {
        b.get(&list())
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Soup for two, please")
            .assert_contains("Nobody has offered yet");
        b.get(&at(id, ""))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("A meal for");
    }
    // Nobody else: a member of another CAN finds nothing, by either CAN's address.
    mal.get(&list()).await.assert_status(StatusCode::NOT_FOUND);
    mal.get(&at(id, ""))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mal.get(&format!("/c/hillside/support/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mal.get("/c/hillside/support")
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("Soup for two");
    // Signed out: asked to sign in, nothing shown.
    let mut stranger = app.browser();
    for path in [list(), at(id, "")] {
        let page = stranger.get(&path).await;
        page.assert_status(StatusCode::SEE_OTHER)
            .assert_lacks("Soup");
        assert!(page.location().unwrap().starts_with("/sign-in"));
    }

    // Told: the active members but Mia; not Kai (away), not Mal.
    let asked = told(&app, "support_asked").await;
    assert_eq!(names(&asked), ["Noor", "Olu"]);
    assert!(
        asked
            .iter()
            .all(|(_, line)| line == "Mia asks the group for a meal")
    );
    assert_eq!(
        mails_mentioning(&app, "noor@example.org", "Soup for two").await,
        1
    );
    assert_eq!(
        mails_mentioning(&app, "kai@example.org", "Mia asks").await,
        0
    );
    assert_eq!(
        mails_mentioning(&app, "mia@example.org", "Mia asks").await,
        0
    );
}

#[tokio::test]
async fn a_private_request_is_seen_only_by_its_asker_and_the_organisers() {
    let (app, mut olu, mut people, mut mal) = group().await;
    let [mia, noor, kai] = &mut people[..] else {
        unreachable!()
    };
    let id = ask(
        mia,
        &[
            ("kind", "talk"),
            ("details", "A rough week at home"),
            ("private", "yes"),
        ],
    )
    .await;
    assert!(
        sqlx::query_scalar::<_, bool>("SELECT private FROM support_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap()
    );

    for b in [&mut olu, &mut *mia] {
        b.get(&list())
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("A rough week at home")
            .assert_contains("Only the organisers see this");
        b.get(&at(id, ""))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Someone to talk to for")
            .assert_contains("Private: only");
    }
    // Noor (a member), Kai (paused) and Mal (another CAN) find nothing: not in the list, not
    // counted, and its page is not found.
    // (Kai, paused, may not offer at all: refused before the request is looked at.)
    for (b, offering) in [
        (&mut *noor, StatusCode::NOT_FOUND),
        (&mut *kai, StatusCode::FORBIDDEN),
    ] {
        b.get(&list())
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks("A rough week")
            .assert_lacks("Someone to talk to</a>")
            .assert_contains("Nobody is waiting for a hand right now");
        b.get(&at(id, ""))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        b.post(&at(id, "/offer"), &[("note", "")])
            .await
            .assert_status(offering);
        for action in ["/met", "/withdraw", "/offer/withdraw"] {
            b.post(&at(id, action), &[])
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
    }
    mal.get(&at(id, ""))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(offers_on(&app, id).await, 0);

    // Only the organiser is told, and the line says it is private; Noor's inbox and mail hold
    // nothing of it.
    let asked = told(&app, "support_asked").await;
    assert_eq!(names(&asked), ["Olu"]);
    assert_eq!(
        asked[0].1,
        "Mia asks the organisers, privately, for someone to talk to"
    );
    assert_eq!(
        mails_mentioning(&app, "olu@example.org", "A rough week").await,
        1
    );
    for email in ["noor@example.org", "kai@example.org", "mal@example.org"] {
        assert_eq!(mails_mentioning(&app, email, "Mia").await, 0, "{email}");
    }
    noor.get("/notifications")
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("someone to talk to");

    // The organiser offers; Mia sees who and their note.
    let body = answer(&mut olu, id, "/offer", &[("note", "Tea on Thursday?")]).await;
    assert!(body.contains("Olu"));
    mia.get(&at(id, ""))
        .await
        .assert_contains("Tea on Thursday?");
    // Only the asker hears of the offer.
    assert_eq!(names(&told(&app, "support_offered").await), ["Mia"]);
}

#[tokio::test]
async fn members_offer_once_and_may_take_their_offer_back() {
    let (app, mut olu, mut people, _mal) = group().await;
    let [mia, noor, kai] = &mut people[..] else {
        unreachable!()
    };
    let id = ask(mia, &[("kind", "ride"), ("needed_by", "")]).await;

    let body = answer(noor, id, "/offer", &[("note", "I drive on Tuesdays")]).await;
    assert!(body.contains("Thank you: your offer is with them"));
    assert!(body.contains("You offered to help, with the note: “I drive on Tuesdays”"));
    assert!(!body.contains("Offer to help</button>"), "offered once");
    assert_eq!(offers_on(&app, id).await, 1);
    // Mia is told, with the note in her mail.
    let offered = told(&app, "support_offered").await;
    assert_eq!(
        offered,
        [(
            "Mia".to_string(),
            "Noor offers to help with your request for a ride".to_string()
        )]
    );
    assert_eq!(
        mails_mentioning(&app, "mia@example.org", "I drive on Tuesdays").await,
        1
    );

    // Offering twice changes nothing.
    let again = noor.post(&at(id, "/offer"), &[("note", "Again")]).await;
    again.assert_status(StatusCode::SEE_OTHER);
    noor.get(&at(id, ""))
        .await
        .assert_contains("You offered to help already: nothing changed.");
    assert_eq!(offers_on(&app, id).await, 1);

    // The asker sees who offered and the note; another member sees a count only; a paused
    // member may look but not offer; the asker cannot offer on her own request.
    mia.get(&at(id, ""))
        .await
        .assert_contains("<strong>Noor</strong> offered")
        .assert_contains("I drive on Tuesdays")
        .assert_lacks("Offer to help</button>");
    kai.get(&at(id, ""))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("1 person offered")
        .assert_lacks("I drive on Tuesdays")
        .assert_lacks("Offer to help</button>");
    kai.post(&at(id, "/offer"), &[("note", "")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    mia.post(&at(id, "/offer"), &[("note", "")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    mia.get(&at(id, ""))
        .await
        .assert_contains("This is your own request");
    olu.get(&at(id, ""))
        .await
        .assert_contains("I drive on Tuesdays")
        .assert_contains("Offer to help</button>");
    assert_eq!(offers_on(&app, id).await, 1);

    // Noor takes it back; then there is nothing to take back.
    let body = answer(noor, id, "/offer/withdraw", &[]).await;
    assert!(body.contains("Your offer is taken back."));
    assert!(body.contains("Offer to help</button>"));
    assert_eq!(offers_on(&app, id).await, 0);
    let body = answer(noor, id, "/offer/withdraw", &[]).await;
    assert!(body.contains("You had not offered to help with this request"));
    let log: i64 = app
        .count("activity_log WHERE action = 'support.offer_withdrawn'")
        .await;
    assert_eq!(log, 1);
}

#[tokio::test]
async fn met_or_withdrawn_those_who_offered_hear_so_and_organisers_may_close_on_behalf() {
    let (app, mut olu, mut people, _mal) = group().await;
    let [mia, noor, _kai] = &mut people[..] else {
        unreachable!()
    };
    let kai_id = app.member_id("kai@example.org").await;
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(SLUG)
        .fetch_one(&app.db)
        .await
        .unwrap();

    // Met by the asker: Noor and Olu offered, and Kai before going away.
    let meal = ask(mia, &[("kind", "meal")]).await;
    answer(noor, meal, "/offer", &[("note", "")]).await;
    answer(&mut olu, meal, "/offer", &[("note", "")]).await;
    sqlx::query("INSERT INTO support_offers (request_id, can_id, member_id) VALUES ($1, $2, $3)")
        .bind(meal)
        .bind(can)
        .bind(kai_id)
        .execute(&app.db)
        .await
        .unwrap();
    // Another member may not close it.
    noor.post(&at(meal, "/met"), &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let body = answer(mia, meal, "/met", &[]).await;
    assert!(body.contains("Marked met"));
    assert!(body.contains("Status: <strong>Met</strong>"));
    assert_eq!(status_of(&app, meal).await, "met");
    let closed = told(&app, "support_closed").await;
    assert_eq!(names(&closed), ["Noor", "Olu"], "not Mia, not Kai (away)");
    assert!(
        closed
            .iter()
            .all(|(_, l)| l == "Mia’s request for a meal is met: thank you")
    );
    mia.get(&list())
        .await
        .assert_contains("Recently met")
        .assert_contains("A meal</a> for you");

    // Withdrawn by the asker: Noor, who offered, hears so.
    let ride = ask(mia, &[("kind", "ride")]).await;
    answer(noor, ride, "/offer", &[("note", "")]).await;
    answer(mia, ride, "/withdraw", &[]).await;
    assert_eq!(status_of(&app, ride).await, "withdrawn");
    let closed = told(&app, "support_closed").await;
    assert!(closed.contains(&(
        "Noor".to_string(),
        "Mia withdrew their request for a ride: no more help is needed".to_string()
    )));
    assert_eq!(closed.len(), 3);

    // Closed by an organiser on Mia's behalf (she is away): she and Noor hear, the log says so.
    let visit = ask(mia, &[("kind", "visit")]).await;
    answer(noor, visit, "/offer", &[("note", "")]).await;
    let body = answer(&mut olu, visit, "/met", &[]).await;
    assert!(body.contains("Marked met"));
    let closed = told(&app, "support_closed").await;
    let on_behalf = "Olu marked Mia’s request for a visit met".to_string();
    assert!(closed.contains(&("Mia".to_string(), on_behalf.clone())));
    assert!(closed.contains(&("Noor".to_string(), on_behalf)));
    assert_eq!(closed.len(), 5);
    let summary: String = sqlx::query_scalar(
        "SELECT summary FROM activity_log WHERE action = 'support.met' AND subject_id = $1",
    )
    .bind(visit)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        summary,
        "Olu marked Mia’s request for a visit met, on Mia’s behalf"
    );
}

#[tokio::test]
async fn answers_to_a_closed_request_say_so_and_change_nothing() {
    let (app, mut olu, mut people, _mal) = group().await;
    let [mia, noor, _kai] = &mut people[..] else {
        unreachable!()
    };
    let id = ask(mia, &[("kind", "childcare")]).await;
    answer(noor, id, "/offer", &[("note", "Saturday morning")]).await;
    answer(mia, id, "/met", &[]).await;
    let closed_at: Option<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT closed_at FROM support_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();

    let body = answer(&mut olu, id, "/offer", &[("note", "Me too")]).await;
    assert!(body.contains("This request is already met: nothing changed."));
    let body = answer(noor, id, "/offer/withdraw", &[]).await;
    assert!(body.contains("This request is already met: nothing changed."));
    assert!(!body.contains("Take my offer back"));
    for action in ["/met", "/withdraw"] {
        let body = answer(mia, id, action, &[]).await;
        assert!(body.contains("This request is already met: nothing changed."));
        assert!(!body.contains("Mark it met"));
    }
    assert_eq!(status_of(&app, id).await, "met");
    assert_eq!(offers_on(&app, id).await, 1);
    let still: Option<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT closed_at FROM support_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(still, closed_at);
    assert_eq!(told(&app, "support_closed").await.len(), 1);
}

#[tokio::test]
async fn another_cans_request_is_not_found_whatever_the_address() {
    let (app, _olu, mut people, mut mal) = group().await;
    let id = ask(&mut people[0], &[("kind", "meal")]).await;
    mal.get("/c/hillside/support")
        .await
        .assert_status(StatusCode::OK);
    for action in ["/offer", "/offer/withdraw", "/met", "/withdraw"] {
        for slug in ["hillside", SLUG] {
            let page = mal
                .post(&format!("/c/{slug}/support/{id}{action}"), &[("note", "")])
                .await;
            page.assert_status(StatusCode::NOT_FOUND);
        }
    }
    assert_eq!(status_of(&app, id).await, "open");
    assert_eq!(offers_on(&app, id).await, 0);
    for bad in ["not-an-id", "00000000-0000-0000-0000-000000000000"] {
        mal.get(&format!("/c/hillside/support/{bad}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_paused_member_sees_the_list_but_asks_only_when_back() {
    let (app, _olu, mut people, _mal) = group().await;
    let kai = &mut people[2];
    kai.get(&list())
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Your membership is paused")
        .assert_lacks("Ask for a hand</button>");
    kai.post(&list(), &[("kind", "meal")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.count("support_requests").await, 0);
}

#[tokio::test]
async fn bad_input_is_refused_beside_each_field_with_everything_typed_kept() {
    let (app, _olu, mut people, _mal) = group().await;
    let mia = &mut people[0];
    let tz = chrono_tz::Europe::London;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let yesterday = (today - TimeDelta::days(1)).format("%Y-%m-%d").to_string();
    let too_far = (today + TimeDelta::days(366))
        .format("%Y-%m-%d")
        .to_string();
    let long = "ü".repeat(2001);

    mia.get(&list()).await;
    let page = mia
        .post(
            &list(),
            &[
                ("kind", "money"),
                ("details", &long),
                ("needed_by", &yesterday),
                ("private", "yes"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Error: Asking for a hand")
        .assert_contains(&long)
        .assert_contains(&format!("value=\"{yesterday}\""));
    assert_eq!(
        page.field_error("kind").as_deref(),
        Some("Choose what kind of hand you need.")
    );
    assert_eq!(
        page.field_error("details").as_deref(),
        Some("The details must be at most 2000 characters (this is 2001).")
    );
    assert_eq!(
        page.field_error("needed_by").as_deref(),
        Some("That day is already past. Choose today or a later day.")
    );
    assert!(page.body.contains("name=\"private\" value=\"yes\" checked"));

    // A day more than a year ahead, and a day that is no day; the kind chosen is kept.
    for (day, message) in [
        (too_far.as_str(), "Choose a day within the next year."),
        (
            "2027-02-30",
            "Enter the day as year-month-day, like 2027-03-01.",
        ),
    ] {
        let page = mia
            .post(
                &list(),
                &[("kind", "visit"), ("details", "Fine"), ("needed_by", day)],
            )
            .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("value=\"visit\" checked")
            .assert_contains(">Fine</textarea>")
            .assert_lacks("name=\"private\" value=\"yes\" checked");
        assert_eq!(page.field_error("needed_by").as_deref(), Some(message));
        assert_eq!(page.field_error("kind"), None);
    }
    let page = mia
        .post(&list(), &[("kind", "visit"), ("private", "perhaps")])
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("private").is_some());
    assert_eq!(app.count("support_requests").await, 0);
    assert_eq!(app.count("notifications").await, 0);

    // Today is fine, and so is a year from today.
    let ok = (today + TimeDelta::days(365))
        .format("%Y-%m-%d")
        .to_string();
    for day in [today.format("%Y-%m-%d").to_string(), ok] {
        ask(mia, &[("kind", "meal"), ("needed_by", &day)]).await;
    }

    // An offer's note too long: 422 beside the note, kept, nothing offered.
    let id = ask(mia, &[("kind", "talk")]).await;
    let noor = &mut people[1];
    noor.get(&at(id, "")).await;
    let long_note = "n".repeat(1001);
    let page = noor.post(&at(id, "/offer"), &[("note", &long_note)]).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains(&format!(">{long_note}</textarea>"));
    assert_eq!(
        page.field_error("note").as_deref(),
        Some("The note must be at most 1000 characters (this is 1001).")
    );
    assert_eq!(offers_on(&app, id).await, 0);
}

/// A request of the health fixture: created how many days ago, its status, closed how many days
/// after it was made, private or not, and its offers (who, how many days after it was made).
type Asked<'a> = (i32, &'a str, Option<i32>, bool, &'a [(Uuid, i32)]);

#[tokio::test]
async fn the_health_view_counts_requests_and_waits_without_names() {
    let (app, mut olu_b, mut people, _mal) = group().await;
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(SLUG)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mia = app.member_id("mia@example.org").await;
    let noor = app.member_id("noor@example.org").await;
    let olu = app.member_id("olu@example.org").await;
    let fixture: &[Asked] = &[
        // Met: first offer after 1 day, met after 3.
        (10, "met", Some(3), false, &[(noor, 1)]),
        // Met: offers after 2 and 5 days (the first counts), met after 5.
        (20, "met", Some(5), false, &[(noor, 2), (olu, 5)]),
        // Private and still open: an offer after 4 days.
        (5, "open", None, true, &[(olu, 4)]),
        // Open, nobody offered yet.
        (3, "open", None, false, &[]),
        // Withdrawn, never offered.
        (7, "withdrawn", Some(1), false, &[]),
        // Older than 8 weeks: not counted.
        (70, "met", Some(1), false, &[(noor, 1)]),
    ];
    for (ago, status, closed, private, offers) in fixture {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO support_requests (id, can_id, asker_id, kind, details, private, status,
                                           created_at, closed_at)
             VALUES ($1, $2, $3, 'meal', 'Secret details of Mia', $4, $5,
                     now() - make_interval(days => $6),
                     now() - make_interval(days => $6) + make_interval(days => $7))",
        )
        .bind(id)
        .bind(can)
        .bind(mia)
        .bind(private)
        .bind(status)
        .bind(ago)
        .bind(closed)
        .execute(&app.db)
        .await
        .unwrap();
        for (who, after) in offers.iter() {
            sqlx::query(
                "INSERT INTO support_offers (request_id, can_id, member_id, created_at)
                 VALUES ($1, $2, $3, now() - make_interval(days => $4) + make_interval(days => $5))",
            )
            .bind(id)
            .bind(can)
            .bind(who)
            .bind(ago)
            .bind(after)
            .execute(&app.db)
            .await
            .unwrap();
        }
    }

    let figures = canopy::support::health(&app.db, can, true).await.unwrap();
    assert_eq!(
        (figures.made, figures.met, figures.open),
        (5, 2, 2),
        "{figures:?}"
    );
    // First offers after 1, 2 and 4 days: median 2. Met after 3 and 5 days: median 4.
    assert!(
        (figures.days_to_offer.unwrap() - 2.0).abs() < 1e-6,
        "{figures:?}"
    );
    assert!(
        (figures.days_to_met.unwrap() - 4.0).abs() < 1e-6,
        "{figures:?}"
    );

    // Anyone but an organiser counts without the private request: a count beside an empty list
    // would tell them that someone asked privately.
    let public = canopy::support::health(&app.db, can, false).await.unwrap();
    assert_eq!(
        (public.made, public.met, public.open),
        (4, 2, 1),
        "{public:?}"
    );

    // The organiser reads every number, and no name or detail, on the health view.
    let section = |body: &str| {
        let start = body.find("id=\"support-title\"").expect("the section");
        let section = &body[start..];
        section[..section.find("</section>").unwrap()].to_string()
    };
    let page = olu_b.get(&format!("/c/{SLUG}/health")).await;
    page.assert_status(StatusCode::OK);
    let organisers = section(&page.body);
    assert!(
        organisers.contains(
            "Over the last 8 weeks: 5 requests for a hand made, 2 met, 2 still open. The first \
             offer came after 2 days (median), and a request was met after 4 days."
        ),
        "{organisers}"
    );
    assert!(
        organisers.contains("private requests included"),
        "{organisers}"
    );
    // A plain member reads the public numbers, and no name or detail.
    let page = people[1].get(&format!("/c/{SLUG}/health")).await;
    page.assert_status(StatusCode::OK);
    let members = section(&page.body);
    assert!(
        members.contains("Over the last 8 weeks: 4 requests for a hand made, 2 met, 1 still open."),
        "{members}"
    );
    assert!(!members.contains("private requests included"), "{members}");
    for section in [organisers, members] {
        for name in ["Mia", "Noor", "Olu", "Secret details"] {
            assert!(!section.contains(name), "{name} in {section}");
        }
    }
}

#[tokio::test]
async fn a_leaving_member_s_open_requests_are_withdrawn_and_offers_taken_back() {
    let (app, _olu, mut people, _mal) = group().await;
    let [mia, noor, _kai] = &mut people[..] else {
        unreachable!()
    };
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(SLUG)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mia_id = app.member_id("mia@example.org").await;
    let open_one = ask(mia, &[("kind", "meal")]).await;
    let open_two = ask(mia, &[("kind", "ride")]).await;
    let met = ask(mia, &[("kind", "visit")]).await;
    answer(mia, met, "/met", &[]).await;
    let noors = ask(noor, &[("kind", "talk")]).await;
    let noors_met = ask(noor, &[("kind", "meal")]).await;
    answer(mia, noors, "/offer", &[("note", "")]).await;
    answer(mia, noors_met, "/offer", &[("note", "")]).await;
    answer(noor, noors_met, "/met", &[]).await;
    // Noor offered a meal: when Mia leaves, Noor is told no help is needed any more.
    answer(noor, open_one, "/offer", &[("note", "Soup on Friday")]).await;

    let can = canopy::cans::queries::can_by_id(&app.db, can)
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let changed = canopy::support::withdraw_open_for(&mut tx, &can, mia_id, "http://canopy.test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let noor_id = app.member_id("noor@example.org").await;
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT line FROM notifications WHERE member_id = $1 AND kind = 'support_closed' ORDER BY created_at",
    )
    .bind(noor_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("their request for a meal is withdrawn, and no help is needed"),
        "{told:?}"
    );
    assert_eq!(
        app.count(&format!(
            "notifications WHERE member_id = '{mia_id}' AND kind = 'support_closed' AND line LIKE '%no help is needed%'"
        ))
        .await,
        0,
        "the one who left is not told of their own leaving"
    );
    assert_eq!(
        changed, 3,
        "two open requests withdrawn, one offer taken back"
    );
    assert_eq!(status_of(&app, open_one).await, "withdrawn");
    assert_eq!(status_of(&app, open_two).await, "withdrawn");
    assert_eq!(status_of(&app, met).await, "met");
    assert_eq!(offers_on(&app, noors).await, 0);
    assert_eq!(
        offers_on(&app, noors_met).await,
        1,
        "history of a met request is kept"
    );
    assert_eq!(
        app.count("activity_log WHERE action = 'support.withdrawn_on_leaving'")
            .await,
        1
    );
    // Nothing more to do the second time.
    let mut tx = app.db.begin().await.unwrap();
    let again = canopy::support::withdraw_open_for(&mut tx, &can, mia_id, "http://canopy.test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(again, 0);
}
