//! Role terms through the real router and the clock: a reminder two weeks ahead, the role ended
//! when its term has passed in the CAN's zone (the last organiser kept, the organisers told),
//! and an organiser renewing a term, with each term kept in the history.

use axum::http::StatusCode;
use canopy::cans::terms::{self, TickReport};

use crate::helpers::{Browser, TestApp, can_with_member, start_can};

const BASE: &str = "http://localhost";

/// Runs the clock twice at once, as two instances would, then once more; returns what the two
/// did together (the third must find nothing left to do).
async fn tick_twice_at_once(app: &TestApp) -> TickReport {
    let (a, b) = tokio::join!(terms::tick(&app.db, BASE), terms::tick(&app.db, BASE));
    let (a, b) = (a.unwrap(), b.unwrap());
    let again = terms::tick(&app.db, BASE).await.unwrap();
    assert_eq!(again, TickReport::default(), "a second run did more");
    TickReport {
        reminded: a.reminded + b.reminded,
        ended: a.ended + b.ended,
        kept: a.kept + b.kept,
    }
}

/// The organiser gives the member a role, with an optional term end.
async fn give(organiser: &mut Browser, slug: &str, member: &str, role: &str, term: &str) {
    organiser.get(&format!("/c/{slug}/members/{member}")).await;
    organiser
        .post(
            &format!("/c/{slug}/members/{member}/roles"),
            &[("role", role), ("term_ends_on", term)],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

/// Moves the active grant's term end to `day`, an SQL date expression (the clock is not ours).
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

/// Who was mailed on this occasion (`reminder`, `ended`, `kept`), by address. Term mails are
/// notification mails: the notification keeps the occasion's key, its mail points at it.
async fn mailed(app: &TestApp, occasion: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT o.to_address FROM outbox o
         JOIN notifications n ON o.dedupe_key = 'notification:' || n.id
         WHERE n.kind = 'role_term' AND n.dedupe_key LIKE 'role-term:%:' || $1 || ':%'
         ORDER BY o.to_address",
    )
    .bind(occasion)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

const TODAY_IN_LONDON: &str = "(now() AT TIME ZONE 'Europe/London')::date";

#[tokio::test]
async fn a_role_whose_term_has_passed_is_ended_by_the_clock_and_everyone_told_once() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let mia_id = app.member_id("mia@example.org").await;
    give(
        &mut olu,
        &slug,
        &mia_id.to_string(),
        "facilitator",
        "2099-06-30",
    )
    .await;
    give(
        &mut olu,
        &slug,
        &mia_id.to_string(),
        "coordinator",
        "2099-06-30",
    )
    .await;
    set_term(
        &app,
        "mia@example.org",
        "facilitator",
        &format!("{TODAY_IN_LONDON} - 1"),
    )
    .await;
    // The coordinator term ends today: it runs to the end of the day.
    set_term(&app, "mia@example.org", "coordinator", TODAY_IN_LONDON).await;

    let report = tick_twice_at_once(&app).await;
    assert_eq!((report.ended, report.kept), (1, 0), "{report:?}");
    let grants: Vec<(String, bool, bool, Option<String>)> = sqlx::query_as(
        "SELECT role, ended_at IS NOT NULL, ended_by IS NULL, ended_how FROM role_grants
         WHERE member_id = $1 ORDER BY role",
    )
    .bind(mia_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        grants,
        vec![
            ("coordinator".into(), false, true, None),
            ("facilitator".into(), true, true, Some("term_ended".into())),
        ]
    );
    assert_eq!(
        mailed(&app, "ended").await,
        vec!["mia@example.org", "olu@example.org"]
    );
    let (subject, body): (String, String) = sqlx::query_as(
        "SELECT o.subject, o.body_text FROM outbox o
         JOIN notifications n ON o.dedupe_key = 'notification:' || n.id
         WHERE o.to_address = 'olu@example.org' AND n.dedupe_key LIKE '%:ended:%'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    // The notification's line leads (the subject after the CAN's name), the mail's words follow.
    assert_eq!(
        subject,
        "[Riverside Neighbours] Mia's term as facilitator has ended"
    );
    assert!(
        body.starts_with(
            "Mia's term as facilitator has ended\n\nMia's term as facilitator in Riverside Neighbours ended on "
        ) && body.contains(&format!("http://localhost/c/{slug}/members/{mia_id}")),
        "{body}"
    );
    assert_eq!(
        app.count("activity_log WHERE action = 'role.term_ended' AND actor_id IS NULL")
            .await,
        1
    );

    // Mia sees it on her page: no longer a facilitator, the history saying why.
    let page = mia.get(&format!("/c/{slug}/members/{mia_id}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<span class=\"muted\">term ended</span>")
        .assert_lacks("<span class=\"badge\">Facilitator</span>")
        .assert_contains("<span class=\"badge\">Coordinator</span>");
}

#[tokio::test]
async fn a_term_ends_by_the_day_in_the_cans_own_time_zone() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let mia = app.member_id("mia@example.org").await.to_string();
    give(&mut olu, &slug, &mia, "facilitator", "2099-06-30").await;
    // Yesterday on Kiritimati (UTC+14) is still today or tomorrow in Pago Pago (UTC-11).
    set_term(
        &app,
        "mia@example.org",
        "facilitator",
        "(now() AT TIME ZONE 'Pacific/Kiritimati')::date - 1",
    )
    .await;
    let zone = |tz: &'static str| {
        sqlx::query("UPDATE cans SET time_zone = $1")
            .bind(tz)
            .execute(&app.db)
    };
    zone("Pacific/Pago_Pago").await.unwrap();
    assert_eq!(terms::tick(&app.db, BASE).await.unwrap().ended, 0);
    zone("Pacific/Kiritimati").await.unwrap();
    assert_eq!(terms::tick(&app.db, BASE).await.unwrap().ended, 1);
}

#[tokio::test]
async fn the_last_organiser_is_kept_past_their_term_and_asked_once_to_renew_or_name_another() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let olu_id = app.member_id("olu@example.org").await;
    let mia_id = app.member_id("mia@example.org").await;
    set_term(
        &app,
        "olu@example.org",
        "organiser",
        &format!("{TODAY_IN_LONDON} - 3"),
    )
    .await;

    let report = tick_twice_at_once(&app).await;
    assert_eq!((report.ended, report.kept), (0, 1), "{report:?}");
    assert_eq!(
        app.count(
            "role_grants WHERE role = 'organiser' AND ended_at IS NULL AND term_kept_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(mailed(&app, "kept").await, vec!["olu@example.org"]);
    assert_eq!(mailed(&app, "ended").await, Vec::<String>::new());
    assert_eq!(
        app.count("activity_log WHERE action = 'role.term_kept'")
            .await,
        1
    );
    // Later runs neither end it nor tell anyone again.
    assert_eq!(
        terms::tick(&app.db, BASE).await.unwrap(),
        TickReport::default()
    );
    let page = olu.get(&format!("/c/{slug}/members/{olu_id}")).await;
    page.assert_contains("kept, as there is no other active organiser")
        .assert_contains("Renew for another term: Organiser");
    mia.get(&format!("/c/{slug}/members/{olu_id}"))
        .await
        .assert_contains("kept, as there is no other active organiser")
        .assert_lacks("Renew for another term");

    // Olu names Mia organiser: at the next run Olu's term ends, as it should have.
    give(&mut olu, &slug, &mia_id.to_string(), "organiser", "").await;
    let report = terms::tick(&app.db, BASE).await.unwrap();
    assert_eq!((report.ended, report.kept), (1, 0), "{report:?}");
    assert_eq!(
        mailed(&app, "ended").await,
        vec!["mia@example.org", "olu@example.org"]
    );
    let organisers: Vec<String> = sqlx::query_scalar(
        "SELECT p.display_name FROM role_grants g JOIN members p ON p.id = g.member_id
         WHERE g.role = 'organiser' AND g.ended_at IS NULL",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(organisers, vec!["Mia"]);
}

#[tokio::test]
async fn the_last_organiser_renews_their_own_kept_term() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let olu_id = app.member_id("olu@example.org").await;
    set_term(
        &app,
        "olu@example.org",
        "organiser",
        &format!("{TODAY_IN_LONDON} - 400"),
    )
    .await;
    assert_eq!(terms::tick(&app.db, BASE).await.unwrap().kept, 1);
    let page_path = format!("/c/{slug}/members/{olu_id}");
    let page = olu.get(&page_path).await;
    // Kept for more than a year: the form offers a year from today, not a date already past.
    let offered: String = sqlx::query_scalar(&format!(
        "SELECT to_char({TODAY_IN_LONDON} + interval '1 year', 'YYYY-MM-DD')"
    ))
    .fetch_one(&app.db)
    .await
    .unwrap();
    page.assert_contains(&format!("value=\"{offered}\""));
    olu.post(
        &format!("{page_path}/roles/organiser/renew"),
        &[("term_ends_on", &offered)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.get(&page_path)
        .await
        .assert_contains("Olu&#39;s term as organiser now runs until")
        .assert_lacks("kept, as there is no other active organiser");
    assert_eq!(
        terms::tick(&app.db, BASE).await.unwrap(),
        TickReport::default()
    );
    assert_eq!(
        app.count(
            "role_grants WHERE role = 'organiser' AND ended_at IS NULL AND term_kept_at IS NULL"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn the_holder_and_the_organisers_are_reminded_once_fourteen_days_before_a_term_ends() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let mia = app.member_id("mia@example.org").await;
    give(
        &mut olu,
        &slug,
        &mia.to_string(),
        "coordinator",
        "2099-06-30",
    )
    .await;
    set_term(
        &app,
        "mia@example.org",
        "coordinator",
        &format!("{TODAY_IN_LONDON} + 15"),
    )
    .await;
    assert_eq!(
        terms::tick(&app.db, BASE).await.unwrap(),
        TickReport::default()
    );
    set_term(
        &app,
        "mia@example.org",
        "coordinator",
        &format!("{TODAY_IN_LONDON} + 14"),
    )
    .await;
    let report = tick_twice_at_once(&app).await;
    assert_eq!(report.reminded, 1, "{report:?}");
    assert_eq!(
        mailed(&app, "reminder").await,
        vec!["mia@example.org", "olu@example.org"]
    );
    let (subject, body): (String, String) = sqlx::query_as(
        "SELECT subject, body_text FROM outbox WHERE to_address = 'mia@example.org'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(
        subject.starts_with("[Riverside Neighbours] Your term as coordinator ends "),
        "{subject}"
    );
    // The reminder's words end with the link to her page; the notification mail's footer follows.
    assert!(
        body.contains(&format!(
            "which an organiser can give on your page:\nhttp://localhost/c/{slug}/members/{mia}\n"
        )),
        "{body}"
    );
}

#[tokio::test]
async fn organisers_renew_a_term_in_one_click_and_the_history_keeps_each_term() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let mia_id = app.member_id("mia@example.org").await;
    let page_path = format!("/c/{slug}/members/{mia_id}");
    give(
        &mut olu,
        &slug,
        &mia_id.to_string(),
        "facilitator",
        "2099-06-30",
    )
    .await;
    give(&mut olu, &slug, &mia_id.to_string(), "coordinator", "").await;

    // Only a role with a term can be renewed; the form offers a year after its end.
    let page = olu.get(&page_path).await;
    page.assert_contains("Renew for another term: Facilitator")
        .assert_lacks("Renew for another term: Coordinator")
        .assert_contains(
            "id=\"renew_facilitator\" name=\"term_ends_on\" type=\"date\" value=\"2100-06-30\"",
        );
    mia.get(&page_path)
        .await
        .assert_contains("term ends 30 June 2099")
        .assert_lacks("Renew for another term");

    // Reminded for the first term...
    set_term(
        &app,
        "mia@example.org",
        "facilitator",
        &format!("{TODAY_IN_LONDON} + 10"),
    )
    .await;
    assert_eq!(terms::tick(&app.db, BASE).await.unwrap().reminded, 1);

    olu.get(&page_path).await;
    olu.post(
        &format!("{page_path}/roles/facilitator/renew"),
        &[("term_ends_on", "2100-06-30")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = olu.get(&page_path).await;
    page.assert_contains("Mia&#39;s term as facilitator now runs until 30 June 2100.")
        .assert_contains("term ends 30 June 2100")
        .assert_contains("<span class=\"muted\">renewed by Olu</span>");
    let terms_held: Vec<(Option<chrono::NaiveDate>, Option<String>, bool)> = sqlx::query_as(
        "SELECT term_ends_on, ended_how, ended_at IS NULL FROM role_grants
         WHERE member_id = $1 AND role = 'facilitator' ORDER BY granted_at, ended_at NULLS LAST",
    )
    .bind(mia_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(terms_held.len(), 2, "{terms_held:?}");
    assert_eq!(terms_held[0].1.as_deref(), Some("renewed"));
    assert_eq!(
        terms_held[1],
        (chrono::NaiveDate::from_ymd_opt(2100, 6, 30), None, true)
    );
    assert_eq!(
        app.count("activity_log WHERE action = 'role.renewed'")
            .await,
        1
    );

    // ...and afresh for the renewed one.
    set_term(
        &app,
        "mia@example.org",
        "facilitator",
        &format!("{TODAY_IN_LONDON} + 10"),
    )
    .await;
    assert_eq!(terms::tick(&app.db, BASE).await.unwrap().reminded, 1);
    assert_eq!(
        mailed(&app, "reminder").await,
        vec![
            "mia@example.org",
            "mia@example.org",
            "olu@example.org",
            "olu@example.org"
        ]
    );

    // A role without a term has nothing to renew.
    olu.post(
        &format!("{page_path}/roles/coordinator/renew"),
        &[("term_ends_on", "2100-06-30")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.get(&page_path)
        .await
        .assert_contains("has no term end, so there is nothing to renew");
    assert_eq!(app.count("role_grants WHERE role = 'coordinator'").await, 1);
}

#[tokio::test]
async fn a_bad_or_stale_renewal_date_is_refused_beside_its_field_with_the_input_kept() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let mia_id = app.member_id("mia@example.org").await;
    let page_path = format!("/c/{slug}/members/{mia_id}");
    give(
        &mut olu,
        &slug,
        &mia_id.to_string(),
        "facilitator",
        "2099-06-30",
    )
    .await;
    let renew = format!("{page_path}/roles/facilitator/renew");
    for (typed, message) in [
        (
            "next year",
            "Enter the date as year-month-day, like 2027-06-30.",
        ),
        ("2001-01-01", "A term must end after today."),
        // An old page, or another organiser renewed it first: not after the current end.
        (
            "2099-06-30",
            "The term already runs until 30 June 2099; choose a later date.",
        ),
        (
            "2098-01-01",
            "The term already runs until 30 June 2099; choose a later date.",
        ),
    ] {
        let page = olu.post(&renew, &[("term_ends_on", typed)]).await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            page.field_error("renew_facilitator").as_deref(),
            Some(message)
        );
        page.assert_contains(&format!(
            "id=\"renew_facilitator\" name=\"term_ends_on\" type=\"date\" value=\"{typed}\""
        ))
        .assert_contains("<a href=\"#renew_facilitator\">");
    }
    assert_eq!(app.count("role_grants WHERE role = 'facilitator'").await, 1);
    assert_eq!(
        app.count("activity_log WHERE action = 'role.renewed'")
            .await,
        0
    );
}

#[tokio::test]
async fn renewal_is_refused_to_plain_members_outsiders_and_another_cans_members() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let mia_id = app.member_id("mia@example.org").await;
    let olu_id = app.member_id("olu@example.org").await;
    give(
        &mut olu,
        &slug,
        &mia_id.to_string(),
        "facilitator",
        "2099-06-30",
    )
    .await;
    set_term(&app, "olu@example.org", "organiser", "'2099-06-30'").await;
    let fields = [("term_ends_on", "2100-06-30")];

    // A plain member, not even for their own term.
    mia.get(&format!("/c/{slug}")).await;
    for who in [mia_id, olu_id] {
        let path = format!("/c/{slug}/members/{who}/roles/facilitator/renew");
        mia.post(&path, &fields)
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }

    // An organiser of another CAN: Riverside's addresses are not found, nor are Riverside's
    // members through their own CAN's address.
    let mut zed = app.member("zed@example.org", "Zed").await;
    start_can(&mut zed, "Elsewhere", "elsewhere", "listed")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    zed.get("/").await;
    for path in [
        format!("/c/{slug}/members/{mia_id}/roles/facilitator/renew"),
        format!("/c/elsewhere/members/{mia_id}/roles/facilitator/renew"),
        format!("/c/elsewhere/members/{olu_id}/roles/organiser/renew"),
    ] {
        zed.post(&path, &fields)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // A role that does not exist names nothing.
    olu.get(&format!("/c/{slug}")).await;
    olu.post(
        &format!("/c/{slug}/members/{mia_id}/roles/treasurer/renew"),
        &fields,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);

    assert_eq!(app.count("role_grants WHERE ended_at IS NOT NULL").await, 0);
    assert_eq!(
        app.count("role_grants WHERE term_ends_on = '2100-06-30'")
            .await,
        0
    );
}
