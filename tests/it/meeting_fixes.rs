//! Corrections to meetings found in use (issue 14, section 4): a series' agenda template reaches
//! the future meetings that have no agenda yet; reminders say "today" or "tomorrow" as it is
//! where each member lives; moving a meeting sends one "moved" mail (the reminder, when the new
//! time is near) and cancelling one a "cancelled" mail; a series that has already ended is
//! refused; and the schedule form asks how often first, then only what that needs.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Europe::London;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, team};

fn fields<'a>(title: &'a str, repeat: &'a str, starts_on: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("repeat", repeat),
        ("interval", "1"),
        ("weekday", "TU"),
        ("nth", "2"),
        ("month_day", "1"),
        ("starts_on", starts_on),
        ("start_time", "19:00"),
        ("duration_minutes", "90"),
        ("until_on", ""),
        ("location", "The community hall"),
        ("agenda_template", ""),
        ("rotate_roles", "yes"),
    ]
}

fn with<'a>(
    mut fields: Vec<(&'a str, &'a str)>,
    key: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    fields.retain(|(k, _)| *k != key);
    fields.push((key, value));
    fields
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&London).date_naive()
}

/// The first Tuesday after today, in the group's zone.
fn next_tuesday() -> NaiveDate {
    canopy::meetings::recurrence::next_weekday(today() + Duration::days(1), chrono::Weekday::Tue)
}

/// Olu's CAN (Europe/London) with Mia, Noor and Kai; Olu schedules the weekly circle (Tuesdays
/// at 19:00 from next week). Returns the app, Olu, the others, the slug and the circle's
/// meetings, soonest first.
async fn circle(template: &str) -> (TestApp, Browser, Vec<Browser>, String, Uuid, Vec<Uuid>) {
    let (app, mut olu, others, slug) = team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("kai@example.org", "Kai"),
    ])
    .await;
    let tuesday = ymd(next_tuesday());
    olu.get(&format!("/c/{slug}/meetings/new?repeat=weekly"))
        .await
        .assert_status(StatusCode::OK);
    olu.post(
        &format!("/c/{slug}/meetings"),
        &with(
            fields("Weekly circle", "weekly", &tuesday),
            "agenda_template",
            template,
        ),
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let meetings: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM meetings ORDER BY starts_at")
        .fetch_all(&app.db)
        .await
        .unwrap();
    (app, olu, others, slug, series, meetings)
}

async fn answer(b: &mut Browser, slug: &str, meeting: Uuid, answer: &str) {
    b.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    b.post(
        &format!("/c/{slug}/meetings/{meeting}/rsvp"),
        &[("answer", answer)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

/// Puts the meeting `hours` from now, as the clock would find it.
async fn starts_in(app: &TestApp, meeting: Uuid, hours: i64) {
    sqlx::query(
        "UPDATE meetings SET starts_at = now() + make_interval(hours => $2),
                ends_at = now() + make_interval(hours => $2) + interval '90 minutes'
         WHERE id = $1",
    )
    .bind(meeting)
    .bind(hours as i32)
    .execute(&app.db)
    .await
    .unwrap();
}

/// Olu moves the meeting to `at` (to the minute, in the group's zone) through the meeting page.
async fn move_to(olu: &mut Browser, slug: &str, meeting: Uuid, at: DateTime<Utc>) {
    let local = at.with_timezone(&London);
    olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{meeting}/move"),
        &[
            ("date", &local.format("%Y-%m-%d").to_string()),
            ("time", &local.format("%H:%M").to_string()),
            ("duration_minutes", "90"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

async fn tick(app: &TestApp) -> usize {
    canopy::meetings::jobs::tick(&app.db, "http://localhost")
        .await
        .unwrap()
        .reminded
}

/// The mails of one kind (`reminder`, `moved`, `cancelled`): (to, subject, body), by address.
async fn mails(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    mails_like(app, &format!("meeting:%:{kind}:%")).await
}

/// The mails whose key is like `pattern`: reminders are mailed directly under their own key;
/// moves, cancellations and series changes go out as notification mails, found through their
/// notification's key.
async fn mails_like(app: &TestApp, pattern: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT o.to_address, o.subject, o.body_text FROM outbox o
         LEFT JOIN notifications n ON o.dedupe_key = 'notification:' || n.id::text
         WHERE coalesce(n.dedupe_key, o.dedupe_key) LIKE $1
         ORDER BY o.to_address, o.created_at",
    )
    .bind(pattern)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// "Tuesday 24 November 2026 at 19:00", as a notification line says it in London.
fn moment(at: DateTime<Utc>) -> String {
    at.with_timezone(&London)
        .format("%A %-d %B %Y at %H:%M")
        .to_string()
}

fn addresses(mails: &[(String, String, String)]) -> Vec<&str> {
    let mut to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
    to.dedup();
    to
}

async fn agenda(app: &TestApp, meeting: Uuid) -> Vec<String> {
    sqlx::query_scalar("SELECT title FROM agenda_items WHERE meeting_id = $1 ORDER BY position")
        .bind(meeting)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn saving_a_template_gives_it_to_future_meetings_without_an_agenda_and_to_no_others() {
    let (app, mut olu, _others, slug, series, all) = circle("").await;
    let (held, cancelled, planned, moved) = (all[0], all[1], all[2], all[3]);
    sqlx::query(
        "UPDATE meetings SET starts_at = now() - interval '2 days',
                ends_at = now() - interval '2 days' + interval '90 minutes', status = 'held'
         WHERE id = $1",
    )
    .bind(held)
    .execute(&app.db)
    .await
    .unwrap();
    olu.get(&format!("/c/{slug}/meetings/{cancelled}")).await;
    olu.post(&format!("/c/{slug}/meetings/{cancelled}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/c/{slug}/meetings/{planned}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{planned}/agenda"),
        &[
            ("item_title", "Garden plan"),
            ("item_owner", ""),
            ("item_minutes", ""),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    move_to(&mut olu, &slug, moved, Utc::now() + Duration::days(30)).await;

    let edit = format!("/c/{slug}/meetings/series/{series}/edit");
    olu.get(&edit).await.assert_status(StatusCode::OK);
    let saved = olu
        .post(
            &edit,
            &with(
                fields("Weekly circle", "weekly", &ymd(next_tuesday())),
                "agenda_template",
                "Check-in round\nNews",
            ),
        )
        .await;
    saved.assert_status(StatusCode::SEE_OTHER);
    let future_empty = all.len() - 3;
    olu.get(saved.location().unwrap())
        .await
        .assert_contains(&format!(
            "{future_empty} future meetings without an agenda now have the template"
        ));

    let template = vec!["Check-in round".to_string(), "News".to_string()];
    assert!(
        agenda(&app, held).await.is_empty(),
        "the past keeps its agenda"
    );
    assert!(
        agenda(&app, cancelled).await.is_empty(),
        "so does a cancelled one"
    );
    assert_eq!(agenda(&app, planned).await, vec!["Garden plan".to_string()]);
    assert_eq!(
        agenda(&app, moved).await,
        template,
        "moved, but still to come"
    );
    for meeting in &all[4..] {
        assert_eq!(agenda(&app, *meeting).await, template);
    }
    // Saving again adds nothing twice.
    let items = app.count("agenda_items").await;
    olu.get(&edit).await;
    olu.post(
        &edit,
        &with(
            fields("Weekly circle", "weekly", &ymd(next_tuesday())),
            "agenda_template",
            "Check-in round\nNews",
        ),
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("agenda_items").await, items);
}

#[tokio::test]
async fn a_reminder_says_today_or_tomorrow_as_it_is_where_each_member_lives() {
    let (app, _olu, _others, _slug, _series, all) = circle("").await;
    // Mia lives in Reykjavik (UTC all year), Noor on Tarawa (UTC+12); Olu and Kai in London,
    // the group's zone.
    for (email, zone) in [
        ("mia@example.org", "Atlantic/Reykjavik"),
        ("noor@example.org", "Pacific/Tarawa"),
    ] {
        sqlx::query("UPDATE members SET time_zone = $2 WHERE email = $1")
            .bind(email)
            .bind(zone)
            .execute(&app.db)
            .await
            .unwrap();
    }
    let meeting = all[0];
    starts_in(&app, meeting, 12).await;
    let starts: DateTime<Utc> = sqlx::query_scalar("SELECT starts_at FROM meetings WHERE id = $1")
        .bind(meeting)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(tick(&app).await, 4);
    // Twelve hours ahead is still today where the morning is (before noon), tomorrow where it
    // is afternoon; Reykjavik and Tarawa are twelve hours apart, so one says each.
    let morning_in_reykjavik = (starts - Duration::hours(12)).hour() < 12;
    let (mia_day, noor_day) = if morning_in_reykjavik {
        ("today", "tomorrow")
    } else {
        ("tomorrow", "today")
    };
    let sent = mails(&app, "reminder").await;
    let of = |to: &str| sent.iter().find(|m| m.0 == to).unwrap().clone();
    let (_, subject, body) = of("mia@example.org");
    assert_eq!(
        subject,
        format!("Riverside Neighbours: Weekly circle is {mia_day}")
    );
    assert!(body.contains("your time (Atlantic/Reykjavik)"), "{body}");
    let (_, subject, body) = of("noor@example.org");
    assert_eq!(
        subject,
        format!("Riverside Neighbours: Weekly circle is {noor_day}")
    );
    let tarawa = canopy::meetings::when(
        starts,
        starts + Duration::minutes(90),
        chrono_tz::Pacific::Tarawa,
    );
    assert!(
        body.contains(&format!("\n{tarawa} your time (Pacific/Tarawa)\n")),
        "{body}"
    );
    let (_, _, body) = of("olu@example.org");
    assert!(!body.contains("your time"), "the group's own zone: {body}");
    assert!(body.contains("(Europe/London)"));
}

/// Olu, who moves the meeting, is not told of his own move: the others are, twice.
#[tokio::test]
async fn two_moves_send_two_moved_mails_and_no_extra_reminder() {
    let (app, mut olu, mut others, slug, _series, all) = circle("").await;
    let meeting = all[0];
    // Mia comes, Noor does not, Kai may; Olu has not answered.
    answer(&mut others[0], &slug, meeting, "yes").await;
    answer(&mut others[1], &slug, meeting, "no").await;
    answer(&mut others[2], &slug, meeting, "maybe").await;
    starts_in(&app, meeting, 20).await;
    assert_eq!(tick(&app).await, 3);
    let concerned = vec!["kai@example.org", "mia@example.org", "olu@example.org"];
    assert_eq!(addresses(&mails(&app, "reminder").await), concerned);

    move_to(&mut olu, &slug, meeting, Utc::now() + Duration::hours(22)).await;
    let (start, end): (DateTime<Utc>, DateTime<Utc>) =
        sqlx::query_as("SELECT starts_at, ends_at FROM meetings WHERE id = $1")
            .bind(meeting)
            .fetch_one(&app.db)
            .await
            .unwrap();
    move_to(&mut olu, &slug, meeting, Utc::now() + Duration::hours(23)).await;
    let moved = mails(&app, "moved").await;
    // Noor too: her "no" was to the old time (it is forgotten by the move), so she may come now.
    assert_eq!(moved.len(), 6, "two each: {moved:?}");
    assert_eq!(
        addresses(&moved),
        vec!["kai@example.org", "mia@example.org", "noor@example.org"]
    );
    let noors_answer: i64 =
        sqlx::query_scalar("SELECT count(*) FROM rsvps WHERE meeting_id = $1 AND answer = 'no'")
            .bind(meeting)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(noors_answer, 0, "the no to the old time is forgotten");
    for (_, subject, body) in &moved {
        assert!(
            subject.starts_with("[Riverside Neighbours] “Weekly circle” has moved to "),
            "{subject}"
        );
        assert!(body.contains("Weekly circle has moved from "), "{body}");
        assert!(body.contains("this mail is your reminder"), "{body}");
    }
    // The second mail says from the first new time to the second.
    let first_move = canopy::meetings::when(start, end, London);
    let second: Vec<_> = moved
        .iter()
        .filter(|m| m.2.contains(&format!("has moved from {first_move} to ")))
        .collect();
    assert_eq!(second.len(), 3, "{moved:?}");
    assert_eq!(tick(&app).await, 0, "the moved mails were the reminders");
    assert_eq!(mails(&app, "reminder").await.len(), 3);
}

#[tokio::test]
async fn a_meeting_moved_into_the_next_day_is_reminded_by_the_move_alone() {
    let (app, mut olu, _others, slug, _series, all) = circle("").await;
    let meeting = all[1];
    move_to(&mut olu, &slug, meeting, Utc::now() + Duration::hours(6)).await;
    let moved = mails(&app, "moved").await;
    assert_eq!(moved.len(), 3, "all but Olu, who moved it");
    assert!(
        moved
            .iter()
            .all(|m| m.2.contains("this mail is your reminder"))
    );
    assert_eq!(tick(&app).await, 0);
    assert_eq!(tick(&app).await, 0);
    assert!(mails(&app, "reminder").await.is_empty());
}

#[tokio::test]
async fn a_meeting_moved_far_ahead_is_reminded_when_its_new_time_comes_near() {
    let (app, mut olu, _others, slug, _series, all) = circle("").await;
    let meeting = all[0];
    starts_in(&app, meeting, 20).await;
    assert_eq!(tick(&app).await, 4);
    let to = Utc::now() + Duration::days(8);
    move_to(&mut olu, &slug, meeting, to).await;
    let moved = mails(&app, "moved").await;
    assert_eq!(moved.len(), 3, "all but Olu, who moved it");
    let (_, subject, body) = moved.iter().find(|m| m.0 == "mia@example.org").unwrap();
    assert_eq!(
        subject,
        &format!(
            "[Riverside Neighbours] “Weekly circle” has moved to {}",
            moment(to)
        )
    );
    assert!(
        body.contains("You will get a reminder the day before."),
        "{body}"
    );
    assert_eq!(tick(&app).await, 0, "not yet");
    // A week on, the new time is a day away.
    starts_in(&app, meeting, 20).await;
    assert_eq!(tick(&app).await, 4);
    assert_eq!(mails(&app, "reminder").await.len(), 8);
    assert_eq!(tick(&app).await, 0);
}

#[tokio::test]
async fn cancelling_a_meeting_tells_those_it_concerned() {
    let (app, mut olu, mut others, slug, _series, all) = circle("").await;
    let meeting = all[1];
    answer(&mut others[1], &slug, meeting, "no").await;
    olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    olu.post(&format!("/c/{slug}/meetings/{meeting}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let cancelled = mails(&app, "cancelled").await;
    // Not Noor, who could not come; not Olu, who cancelled it.
    assert_eq!(
        addresses(&cancelled),
        vec!["kai@example.org", "mia@example.org"]
    );
    let day = next_tuesday() + Duration::days(7);
    for (_, subject, body) in &cancelled {
        assert_eq!(
            subject,
            &format!(
                "[Riverside Neighbours] “Weekly circle” on {} at 19:00 is cancelled",
                day.format("%A %-d %B %Y")
            )
        );
        assert!(body.contains("The other meetings of the series are unchanged."));
    }
    // Cancelling again changes nothing and sends nothing.
    olu.post(&format!("/c/{slug}/meetings/{meeting}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(mails(&app, "cancelled").await.len(), 2);
    assert!(mails(&app, "reminder").await.is_empty());
}

#[tokio::test]
async fn a_series_that_has_already_ended_or_holds_no_meeting_is_refused_and_nothing_is_written() {
    let (app, mut olu, _others, slug) = team(&[("mia@example.org", "Mia")]).await;
    olu.get(&format!("/c/{slug}/meetings/new?repeat=weekly"))
        .await
        .assert_status(StatusCode::OK);
    let (started, ended) = (
        ymd(today() - Duration::days(60)),
        ymd(today() - Duration::days(1)),
    );
    let page = olu
        .post(
            &format!("/c/{slug}/meetings"),
            &with(fields("Old circle", "weekly", &started), "until_on", &ended),
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let message = page.field_error("until_on").unwrap();
    assert!(message.contains("has passed"), "{message}");
    assert_eq!(page.input_value("title").as_deref(), Some("Old circle"));
    assert_eq!(
        page.input_value("until_on").as_deref(),
        Some(ended.as_str())
    );
    assert_eq!(page.input_value("repeat").as_deref(), Some("weekly"));

    // From a Wednesday to the Monday after: no Tuesday between.
    let wednesday = next_tuesday() + Duration::days(1);
    let (from, to) = (ymd(wednesday), ymd(wednesday + Duration::days(5)));
    let page = olu
        .post(
            &format!("/c/{slug}/meetings"),
            &with(fields("Short circle", "weekly", &from), "until_on", &to),
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("until_on").unwrap(),
        format!(
            "No meeting falls between {} and {}: choose a later last date.",
            wednesday.format("%-d %B %Y"),
            (wednesday + Duration::days(5)).format("%-d %B %Y")
        )
    );
    assert_eq!(app.count("meeting_series").await, 0);
    assert_eq!(app.count("meetings").await, 0);

    // Changing a series to an end that has passed is refused the same way.
    olu.post(
        &format!("/c/{slug}/meetings"),
        &fields("Weekly circle", "weekly", &ymd(next_tuesday())),
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let before = app.count("meetings WHERE status = 'scheduled'").await;
    let edit = format!("/c/{slug}/meetings/series/{series}/edit");
    olu.get(&edit).await;
    let page = olu
        .post(
            &edit,
            &with(
                fields("Weekly circle", "weekly", &ymd(next_tuesday())),
                "until_on",
                &ended,
            ),
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("until_on").is_some());
    assert_eq!(app.count("meeting_series WHERE until_on IS NULL").await, 1);
    assert_eq!(
        app.count("meetings WHERE status = 'scheduled'").await,
        before
    );
}

#[tokio::test]
async fn the_schedule_form_asks_how_often_first_and_then_only_what_that_needs() {
    let (app, mut olu, _others, slug) = team(&[("mia@example.org", "Mia")]).await;
    let new = format!("/c/{slug}/meetings/new");
    let has = |body: &str, field: &str| body.contains(&format!("name=\"{field}\""));

    let first = olu.get(&new).await;
    first.assert_status(StatusCode::OK);
    for kind in ["once", "weekly", "monthly_nth", "monthly_date"] {
        first.assert_contains(&format!("href=\"{new}?repeat={kind}\""));
    }
    assert!(
        !has(&first.body, "title"),
        "the first step asks only how often"
    );

    let only = [
        (
            "weekly",
            vec!["interval", "weekday", "until_on", "rotate_roles"],
        ),
        (
            "monthly_nth",
            vec!["nth", "weekday", "until_on", "rotate_roles"],
        ),
        (
            "monthly_date",
            vec!["month_day", "until_on", "rotate_roles"],
        ),
        ("once", vec![]),
    ];
    let optional = [
        "interval",
        "weekday",
        "nth",
        "month_day",
        "until_on",
        "rotate_roles",
    ];
    for (kind, shown) in &only {
        let page = olu.get(&format!("{new}?repeat={kind}")).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("Change how often");
        assert_eq!(page.input_value("repeat").as_deref(), Some(*kind));
        for field in [
            "title",
            "starts_on",
            "start_time",
            "duration_minutes",
            "location",
        ] {
            assert!(has(&page.body, field), "{kind}: {field}");
        }
        for field in optional {
            assert_eq!(
                has(&page.body, field),
                shown.contains(&field),
                "{kind}: {field}"
            );
        }
    }
    // A kind we do not know is asked again.
    let page = olu.get(&format!("{new}?repeat=hourly")).await;
    page.assert_status(StatusCode::OK);
    assert!(!has(&page.body, "title"));

    // A refused form keeps its kind and what was typed, and still shows only that kind's fields.
    let page = olu
        .post(
            &format!("/c/{slug}/meetings"),
            &[
                ("title", "Second Tuesday circle"),
                ("repeat", "monthly_nth"),
                ("nth", "-1"),
                ("weekday", "TH"),
                ("starts_on", &ymd(next_tuesday())),
                ("start_time", "7pm"),
                ("duration_minutes", "90"),
                ("location", "The library"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("start_time").is_some());
    assert_eq!(page.input_value("repeat").as_deref(), Some("monthly_nth"));
    assert_eq!(
        page.input_value("title").as_deref(),
        Some("Second Tuesday circle")
    );
    assert_eq!(page.input_value("location").as_deref(), Some("The library"));
    page.assert_contains("<option value=\"-1\" selected>")
        .assert_contains("<option value=\"TH\" selected>");
    assert!(!has(&page.body, "interval") && !has(&page.body, "month_day"));

    // Only the fields shown need sending: a one-off with none of the others is scheduled.
    let page = olu
        .post(
            &format!("/c/{slug}/meetings"),
            &[
                ("title", "Street party planning"),
                ("repeat", "once"),
                ("starts_on", &ymd(next_tuesday())),
                ("start_time", "18:00"),
                ("duration_minutes", "60"),
                ("location", ""),
                ("agenda_template", "Date\nRoads"),
            ],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("meetings").await, 1);
    assert_eq!(app.count("agenda_items").await, 2);

    // Changing a series opens at its kind; it can switch kind, but not to once.
    olu.get(&format!("{new}?repeat=monthly_nth")).await;
    olu.post(
        &format!("/c/{slug}/meetings"),
        &[
            ("title", "Last Thursday circle"),
            ("repeat", "monthly_nth"),
            ("nth", "-1"),
            ("weekday", "TH"),
            ("starts_on", &ymd(next_tuesday())),
            ("start_time", "19:00"),
            ("duration_minutes", "90"),
            ("rotate_roles", "yes"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let edit = format!("/c/{slug}/meetings/series/{series}/edit");
    let page = olu.get(&edit).await;
    page.assert_status(StatusCode::OK);
    assert_eq!(page.input_value("repeat").as_deref(), Some("monthly_nth"));
    assert!(has(&page.body, "nth") && !has(&page.body, "interval"));
    page.assert_contains("<option value=\"TH\" selected>");
    let page = olu.get(&format!("{edit}?repeat=choose")).await;
    page.assert_contains(&format!("href=\"{edit}?repeat=weekly\""))
        .assert_lacks(&format!("href=\"{edit}?repeat=once\""));
    let page = olu.get(&format!("{edit}?repeat=weekly")).await;
    assert!(has(&page.body, "interval"));
    assert_eq!(
        page.input_value("title").as_deref(),
        Some("Last Thursday circle")
    );
}

#[tokio::test]
async fn a_move_to_the_time_it_already_has_mails_nobody() {
    let (app, mut olu, _others, slug, _series, all) = circle("").await;
    let meeting = all[1];
    let (start, sequence): (DateTime<Utc>, i32) =
        sqlx::query_as("SELECT starts_at, sequence FROM meetings WHERE id = $1")
            .bind(meeting)
            .fetch_one(&app.db)
            .await
            .unwrap();
    // The move form as it came (pre-filled with the meeting's own time), sent unchanged.
    move_to(&mut olu, &slug, meeting, start).await;
    assert!(mails(&app, "moved").await.is_empty());
    let after: i32 = sqlx::query_scalar("SELECT sequence FROM meetings WHERE id = $1")
        .bind(meeting)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(after, sequence, "calendars see no change");
}

#[tokio::test]
async fn changing_a_series_tells_each_member_once_and_saving_it_unchanged_tells_nobody() {
    let (app, mut olu, _others, slug, series, _all) = circle("").await;
    let edit = format!("/c/{slug}/meetings/series/{series}/edit");
    let wednesday = ymd(next_tuesday() + Duration::days(1));
    let changed = with(
        with(
            fields("Weekly circle", "weekly", &wednesday),
            "weekday",
            "WE",
        ),
        "start_time",
        "18:30",
    );
    olu.get(&edit).await.assert_status(StatusCode::OK);
    olu.post(&edit, &changed)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let told = mails_like(&app, "series:%:changed:%").await;
    assert_eq!(
        addresses(&told),
        vec!["kai@example.org", "mia@example.org", "noor@example.org"],
        "each member once, not Olu who changed it"
    );
    assert_eq!(told.len(), 3);
    for (_, subject, body) in &told {
        assert_eq!(
            subject,
            "[Riverside Neighbours] “Weekly circle” has changed: it now meets every Wednesday, 18:30 (Europe/London)"
        );
        assert!(
            body.contains("It now meets every Wednesday, 18:30 to 20:00 (Europe/London)"),
            "{body}"
        );
        assert!(
            body.contains("It used to meet every Tuesday, 19:00 to 20:30 (Europe/London)"),
            "{body}"
        );
        assert!(body.contains("The next meeting: Wednesday"), "{body}");
        assert!(body.contains("are cancelled"), "the Tuesdays: {body}");
    }
    assert!(
        mails(&app, "moved").await.is_empty(),
        "one mail for the change, not one per meeting"
    );
    // Saved again as it is now: nothing new to tell.
    olu.post(&edit, &changed)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(mails_like(&app, "series:%:changed:%").await.len(), 3);
}
