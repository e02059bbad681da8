//! Meeting and visioning events as notifications (issue 15, section 3): a meeting moved or
//! cancelled, a series changed, a poll opened or closed, a consent round opened, closing soon or
//! closed each write exactly one notification per member it concerns — not the one who acted,
//! not paused members — in the change's own transaction; those who want it at once get a mail
//! ("[CAN] line", then the old mail's words), those who chose the digest or no mail get none; a
//! retry or a second tick writes nothing twice; guests keep their own direct mails.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::London;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, can_with_member, own_address, team};

const CAN: &str = "Riverside Neighbours";

/// Olu's CAN with Mia, Noor, Lee and Kai; Kai is away for a while (paused). Noor wants `kind`
/// in the digest and Lee not by mail at all; Mia keeps the default.
async fn group(kind: &str) -> (TestApp, Browser, Vec<Browser>, String) {
    let (app, olu, others, slug) = team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("lee@example.org", "Lee"),
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
    prefer(&app, "noor@example.org", kind, "digest").await;
    prefer(&app, "lee@example.org", kind, "off").await;
    (app, olu, others, slug)
}

/// `email` chooses how `kind` reaches them.
async fn prefer(app: &TestApp, email: &str, kind: &str, delivery: &str) {
    sqlx::query(
        "INSERT INTO notification_prefs (member_id, kind, delivery)
         SELECT id, $2, $3 FROM members WHERE email = $1
         ON CONFLICT (member_id, kind) DO UPDATE SET delivery = EXCLUDED.delivery",
    )
    .bind(email)
    .bind(kind)
    .bind(delivery)
    .execute(&app.db)
    .await
    .unwrap();
}

/// Notifications of `kind`: (recipient, delivery, mailed), by recipient.
async fn rows(app: &TestApp, kind: &str) -> Vec<(String, String, bool)> {
    sqlx::query_as(
        "SELECT p.email, n.delivery, n.mailed_at IS NOT NULL FROM notifications n
         JOIN members p ON p.id = n.member_id
         WHERE n.kind = $1 ORDER BY p.email, n.created_at",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// The recipients of `kind`'s notifications, one entry per notification.
async fn told(app: &TestApp, kind: &str) -> Vec<String> {
    rows(app, kind).await.into_iter().map(|r| r.0).collect()
}

/// The mails `kind`'s notifications went out as: (to, subject, body), by address.
pub async fn mailed(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT o.to_address, o.subject, o.body_text FROM outbox o
         JOIN notifications n ON o.dedupe_key = 'notification:' || n.id::text
         WHERE n.kind = $1 ORDER BY o.to_address, o.created_at",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

fn who(people: &[&str]) -> Vec<String> {
    people.iter().map(|p| format!("{p}@example.org")).collect()
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn next_tuesday() -> NaiveDate {
    let today = Utc::now().with_timezone(&London).date_naive();
    canopy::meetings::recurrence::next_weekday(today + Duration::days(1), chrono::Weekday::Tue)
}

fn weekly(title: &str, weekday: &str, starts_on: &str, at: &str) -> Vec<(String, String)> {
    [
        ("title", title),
        ("repeat", "weekly"),
        ("interval", "1"),
        ("weekday", weekday),
        ("nth", "2"),
        ("month_day", "1"),
        ("starts_on", starts_on),
        ("start_time", at),
        ("duration_minutes", "90"),
        ("until_on", ""),
        ("location", "The community hall"),
        ("agenda_template", ""),
        ("rotate_roles", "yes"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Olu schedules the weekly circle (Tuesdays 19:00 from next week); returns the series and its
/// meetings, soonest first.
async fn circle(app: &TestApp, olu: &mut Browser, slug: &str) -> (Uuid, Vec<Uuid>) {
    olu.get(&format!("/c/{slug}/meetings/new?repeat=weekly"))
        .await
        .assert_status(StatusCode::OK);
    let fields = weekly("Weekly circle", "TU", &ymd(next_tuesday()), "19:00");
    olu.post(&format!("/c/{slug}/meetings"), &pairs(&fields))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let meetings = sqlx::query_scalar("SELECT id FROM meetings ORDER BY starts_at")
        .fetch_all(&app.db)
        .await
        .unwrap();
    (series, meetings)
}

/// Olu moves the meeting to `at` (to the minute) through the meeting page.
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

async fn rsvp(b: &mut Browser, slug: &str, meeting: Uuid, answer: &str) {
    b.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    b.post(
        &format!("/c/{slug}/meetings/{meeting}/rsvp"),
        &[("answer", answer)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

/// The direct reminder mails written so far for `meeting`, by address.
async fn reminders(app: &TestApp, meeting: Uuid) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT to_address FROM outbox WHERE dedupe_key LIKE 'meeting:' || $1 || ':reminder:%'
         ORDER BY to_address",
    )
    .bind(meeting.to_string())
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn meetings_tick(app: &TestApp) {
    canopy::meetings::jobs::tick(&app.db, "http://localhost")
        .await
        .unwrap();
}

/// "Tuesday 24 November 2026 at 19:00" in London.
fn moment(at: DateTime<Utc>) -> String {
    at.with_timezone(&London)
        .format("%A %-d %B %Y at %H:%M")
        .to_string()
}

#[tokio::test]
async fn a_moved_meeting_notifies_each_member_it_concerns_once_and_mails_those_who_want_it_now() {
    let (app, mut olu, _others, slug) = group("meeting_moved").await;
    let (_series, meetings) = circle(&app, &mut olu, &slug).await;
    let meeting = meetings[0];
    let to = Utc::now() + Duration::days(9);
    move_to(&mut olu, &slug, meeting, to).await;

    // Not Olu, who moved it; not Kai, who is away; Noor for her digest, Lee in the inbox only.
    assert_eq!(
        rows(&app, "meeting_moved").await,
        vec![
            ("lee@example.org".into(), "off".into(), false),
            ("mia@example.org".into(), "now".into(), true),
            ("noor@example.org".into(), "digest".into(), false),
        ]
    );
    let mails = mailed(&app, "meeting_moved").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (to_address, subject, body) = &mails[0];
    assert_eq!(to_address, "mia@example.org");
    let line = format!("“Weekly circle” has moved to {}", moment(to));
    assert_eq!(subject, &format!("[{CAN}] {line}"));
    assert!(body.starts_with(&line), "{body}");
    // The mail keeps the words it had: from when to when, and the reminder still to come.
    assert!(body.contains("Weekly circle has moved from "), "{body}");
    assert!(
        body.contains("You will get a reminder the day before."),
        "{body}"
    );
    assert!(
        body.contains(&format!("http://localhost/c/{slug}/meetings/{meeting}")),
        "{body}"
    );
    let link: String =
        sqlx::query_scalar("SELECT DISTINCT link FROM notifications WHERE kind = 'meeting_moved'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(link, format!("/c/{slug}/meetings/{meeting}"));
    assert!(
        reminders(&app, meeting).await.is_empty(),
        "not within a day: no reminder yet"
    );

    // The same time again (a retried form) tells nobody anything new.
    move_to(&mut olu, &slug, meeting, to).await;
    assert_eq!(rows(&app, "meeting_moved").await.len(), 3);
    assert_eq!(mailed(&app, "meeting_moved").await.len(), 1);

    // A second move is a second notification each.
    move_to(&mut olu, &slug, meeting, to + Duration::days(1)).await;
    assert_eq!(
        told(&app, "meeting_moved").await,
        who(&["lee", "lee", "mia", "mia", "noor", "noor"])
    );
    assert_eq!(mailed(&app, "meeting_moved").await.len(), 2);
}

#[tokio::test]
async fn a_move_into_the_next_day_is_the_reminder_and_whoever_gets_no_mail_for_it_is_reminded() {
    let (app, mut olu, mut others, slug) = group("meeting_moved").await;
    let (_series, meetings) = circle(&app, &mut olu, &slug).await;
    let meeting = meetings[1];
    // Mia said no to the old time: the move forgets it, so she hears of the new one.
    rsvp(&mut others[0], &slug, meeting, "no").await;
    move_to(&mut olu, &slug, meeting, Utc::now() + Duration::hours(6)).await;

    assert_eq!(
        told(&app, "meeting_moved").await,
        who(&["lee", "mia", "noor"])
    );
    let mails = mailed(&app, "meeting_moved").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "mia@example.org");
    assert!(
        mails[0].2.contains("this mail is your reminder"),
        "{}",
        mails[0].2
    );
    // Noor (digest) and Lee (no mail) get the reminder itself, once; Olu set the time himself.
    assert_eq!(reminders(&app, meeting).await, who(&["lee", "noor"]));
    // The meeting counts as reminded: the clock adds nothing.
    meetings_tick(&app).await;
    meetings_tick(&app).await;
    assert_eq!(reminders(&app, meeting).await, who(&["lee", "noor"]));
    assert_eq!(mailed(&app, "meeting_moved").await.len(), 1);
}

#[tokio::test]
async fn more_than_three_moves_in_an_hour_mail_three_and_the_fourth_waits() {
    let (app, mut olu, _others, slug) = group("meeting_moved").await;
    let (_series, meetings) = circle(&app, &mut olu, &slug).await;
    let start = Utc::now() + Duration::days(10);
    for hours in 1..=4 {
        move_to(&mut olu, &slug, meetings[0], start + Duration::hours(hours)).await;
    }
    let mia: Vec<bool> = rows(&app, "meeting_moved")
        .await
        .into_iter()
        .filter(|r| r.0 == "mia@example.org")
        .map(|r| r.2)
        .collect();
    assert_eq!(mia, vec![true, true, true, false], "the fourth waits");
    assert_eq!(mailed(&app, "meeting_moved").await.len(), 3);
}

#[tokio::test]
async fn a_cancelled_meeting_notifies_those_it_concerned_once() {
    let (app, mut olu, mut others, slug) = group("meeting_cancelled").await;
    let (_series, meetings) = circle(&app, &mut olu, &slug).await;
    let meeting = meetings[1];
    let starts: DateTime<Utc> = sqlx::query_scalar("SELECT starts_at FROM meetings WHERE id = $1")
        .bind(meeting)
        .fetch_one(&app.db)
        .await
        .unwrap();
    // Noor had said she cannot come: the meeting no longer concerns her.
    rsvp(&mut others[1], &slug, meeting, "no").await;
    olu.get(&format!("/c/{slug}/meetings/{meeting}")).await;
    olu.post(&format!("/c/{slug}/meetings/{meeting}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    assert_eq!(
        rows(&app, "meeting_cancelled").await,
        vec![
            ("lee@example.org".into(), "off".into(), false),
            ("mia@example.org".into(), "now".into(), true),
        ]
    );
    let mails = mailed(&app, "meeting_cancelled").await;
    assert_eq!(mails.len(), 1);
    let line = format!("“Weekly circle” on {} is cancelled", moment(starts));
    assert_eq!(mails[0].1, format!("[{CAN}] {line}"));
    assert!(
        mails[0]
            .2
            .contains("The other meetings of the series are unchanged."),
        "{}",
        mails[0].2
    );
    // Cancelling again changes nothing and tells nobody.
    olu.post(&format!("/c/{slug}/meetings/{meeting}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(rows(&app, "meeting_cancelled").await.len(), 2);
    assert_eq!(mailed(&app, "meeting_cancelled").await.len(), 1);
}

#[tokio::test]
async fn a_changed_series_notifies_each_active_member_once() {
    let (app, mut olu, _others, slug) = group("series_changed").await;
    let (series, _meetings) = circle(&app, &mut olu, &slug).await;
    let edit = format!("/c/{slug}/meetings/series/{series}/edit");
    let changed = weekly(
        "Weekly circle",
        "WE",
        &ymd(next_tuesday() + Duration::days(1)),
        "18:30",
    );
    olu.get(&edit).await.assert_status(StatusCode::OK);
    olu.post(&edit, &pairs(&changed))
        .await
        .assert_status(StatusCode::SEE_OTHER);

    assert_eq!(
        rows(&app, "series_changed").await,
        vec![
            ("lee@example.org".into(), "off".into(), false),
            ("mia@example.org".into(), "now".into(), true),
            ("noor@example.org".into(), "digest".into(), false),
        ]
    );
    let mails = mailed(&app, "series_changed").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].1,
        format!(
            "[{CAN}] “Weekly circle” has changed: it now meets every Wednesday, 18:30 (Europe/London)"
        )
    );
    assert!(
        mails[0]
            .2
            .contains("It used to meet every Tuesday, 19:00 to 20:30 (Europe/London)"),
        "{}",
        mails[0].2
    );
    // No notification per meeting moved, and saving it unchanged tells nobody.
    assert!(rows(&app, "meeting_moved").await.is_empty());
    assert!(rows(&app, "meeting_cancelled").await.is_empty());
    olu.post(&edit, &pairs(&changed))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(rows(&app, "series_changed").await.len(), 3);
    // A second change is a second notification each.
    let again = weekly(
        "Weekly circle",
        "WE",
        &ymd(next_tuesday() + Duration::days(1)),
        "18:00",
    );
    olu.post(&edit, &pairs(&again))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        told(&app, "series_changed").await,
        who(&["lee", "lee", "mia", "mia", "noor", "noor"])
    );
}

/// Olu offers Tuesdays 19:00 and Saturdays 10:00 for "Planning"; returns the poll and its slots.
async fn open_poll(app: &TestApp, olu: &mut Browser, slug: &str) -> (Uuid, Vec<Uuid>) {
    olu.get(&format!("/c/{slug}/meetings/polls/new"))
        .await
        .assert_status(StatusCode::OK);
    olu.post(
        &format!("/c/{slug}/meetings/polls"),
        &[
            ("title", "Planning"),
            ("duration_minutes", "60"),
            ("weekday", "TU"),
            ("time", "19:00"),
            ("weekday", "SA"),
            ("time", "10:00"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let poll = sqlx::query_scalar("SELECT id FROM time_polls")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let slots = sqlx::query_scalar("SELECT id FROM time_poll_options ORDER BY position")
        .fetch_all(&app.db)
        .await
        .unwrap();
    (poll, slots)
}

#[tokio::test]
async fn an_opened_poll_notifies_every_active_member_but_its_author() {
    let (app, mut olu, _others, slug) = group("poll_opened").await;
    let (poll, _slots) = open_poll(&app, &mut olu, &slug).await;
    assert_eq!(
        rows(&app, "poll_opened").await,
        vec![
            ("lee@example.org".into(), "off".into(), false),
            ("mia@example.org".into(), "now".into(), true),
            ("noor@example.org".into(), "digest".into(), false),
        ]
    );
    let mails = mailed(&app, "poll_opened").await;
    assert_eq!(mails.len(), 1);
    let (to, subject, body) = &mails[0];
    assert_eq!(to, "mia@example.org");
    assert_eq!(
        subject,
        &format!("[{CAN}] Olu asks when “Planning” should meet")
    );
    assert!(
        body.contains("- Tuesdays 19:00 (Europe/London)\n- Saturdays 10:00 (Europe/London)\n"),
        "{body}"
    );
    assert!(
        body.contains(&format!("http://localhost/c/{slug}/meetings/polls/{poll}")),
        "{body}"
    );
}

#[tokio::test]
async fn a_closed_poll_notifies_every_active_member_but_the_chooser_once() {
    let (app, mut olu, mut others, slug) = group("poll_closed").await;
    // Poll closings come in the digest unless one asks for them at once: Mia does.
    prefer(&app, "mia@example.org", "poll_closed", "now").await;
    let (poll, slots) = open_poll(&app, &mut olu, &slug).await;
    others[0]
        .get(&format!("/c/{slug}/meetings/polls/{poll}"))
        .await;
    others[0]
        .post(
            &format!("/c/{slug}/meetings/polls/{poll}/answer"),
            &[(&format!("slot-{}", slots[1]) as &str, "yes")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/c/{slug}/meetings/polls/{poll}")).await;
    let choose = format!("/c/{slug}/meetings/polls/{poll}/choose");
    olu.post(&choose, &[("option", &slots[1].to_string())])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    assert_eq!(
        rows(&app, "poll_closed").await,
        vec![
            ("lee@example.org".into(), "off".into(), false),
            ("mia@example.org".into(), "now".into(), true),
            ("noor@example.org".into(), "digest".into(), false),
        ]
    );
    let first: DateTime<Utc> = sqlx::query_scalar("SELECT min(starts_at) FROM meetings")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mails = mailed(&app, "poll_closed").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].1,
        format!(
            "[{CAN}] “Planning” will meet every Saturday, 10:00 (Europe/London), from {}",
            first.with_timezone(&London).format("%A %-d %B %Y")
        )
    );
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        mails[0].2.contains(&format!(
            "http://localhost/c/{slug}/meetings/series/{series}"
        )),
        "{}",
        mails[0].2
    );
    // Choosing again: already chosen, nothing new.
    olu.post(&choose, &[("option", &slots[0].to_string())])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(rows(&app, "poll_closed").await.len(), 3);
    // With the default (the digest), nobody else was mailed.
    assert_eq!(mailed(&app, "poll_closed").await.len(), 1);
}

async fn save_version(b: &mut Browser, slug: &str, text: &str) {
    let form = b.get(&format!("/c/{slug}/vision/drafts/new")).await;
    let base = form.input_value("base_version").unwrap();
    b.post(
        &format!("/c/{slug}/vision/drafts"),
        &[("body", text), ("note", ""), ("base_version", &base)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

async fn open_round(b: &mut Browser, slug: &str) -> Uuid {
    b.get(&format!("/c/{slug}/vision/versions/1")).await;
    let closes = (Utc::now() + Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let page = b
        .post(
            &format!("/c/{slug}/vision/versions/1/rounds"),
            &[("closes_on", &closes), ("closes_time", "20:00")],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    page.location()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn endorse(b: &mut Browser, slug: &str, round: Uuid) {
    b.get(&format!("/c/{slug}/vision/rounds/{round}")).await;
    b.post(
        &format!("/c/{slug}/vision/rounds/{round}/answer"),
        &[("answer", "endorse"), ("reason", "")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

async fn rounds_tick(app: &TestApp) -> canopy::visioning::rounds::TickReport {
    canopy::visioning::rounds::tick(&app.db, "http://localhost")
        .await
        .unwrap()
}

#[tokio::test]
async fn an_opened_round_notifies_every_active_member_but_the_one_who_opened_it() {
    let (app, mut olu, _others, slug) = group("round_opened").await;
    save_version(&mut olu, &slug, "Neighbours who eat together.").await;
    let round = open_round(&mut olu, &slug).await;
    assert_eq!(
        rows(&app, "round_opened").await,
        vec![
            ("lee@example.org".into(), "off".into(), false),
            ("mia@example.org".into(), "now".into(), true),
            ("noor@example.org".into(), "digest".into(), false),
        ]
    );
    let mails = mailed(&app, "round_opened").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].1,
        format!("[{CAN}] Do you consent to vision version 1?")
    );
    assert!(
        mails[0].2.contains(
            "Olu opened a consent round on version 1 of Riverside Neighbours's shared vision."
        ),
        "{}",
        mails[0].2
    );
    assert!(
        mails[0]
            .2
            .contains(&format!("http://localhost/c/{slug}/vision/rounds/{round}")),
        "{}",
        mails[0].2
    );
}

#[tokio::test]
async fn a_round_closing_soon_notifies_those_who_have_not_answered_once_however_often_the_clock_ticks()
 {
    let (app, mut olu, mut others, slug) = group("round_closing").await;
    save_version(&mut olu, &slug, "Neighbours who eat together.").await;
    let round = open_round(&mut olu, &slug).await;
    // Olu and Noor have answered; Mia and Lee have not (Kai is away).
    endorse(&mut olu, &slug, round).await;
    endorse(&mut others[1], &slug, round).await;
    sqlx::query(
        "UPDATE consent_rounds SET opened_at = now() - interval '2 days',
                closes_at = now() + interval '20 hours'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let (a, b) = tokio::join!(rounds_tick(&app), rounds_tick(&app));
    assert_eq!(a.reminded + b.reminded, 2);
    assert_eq!(rounds_tick(&app).await.reminded, 0);
    assert_eq!(
        rows(&app, "round_closing").await,
        vec![
            ("lee@example.org".into(), "off".into(), false),
            ("mia@example.org".into(), "now".into(), true),
        ]
    );
    let mails = mailed(&app, "round_closing").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].1,
        format!(
            "[{CAN}] The consent round on vision version 1 closes within a day: you have not answered yet"
        )
    );
    assert!(
        mails[0].2.contains("your voice counts towards the quorum"),
        "{}",
        mails[0].2
    );
}

#[tokio::test]
async fn a_closed_round_notifies_every_active_member_once_but_not_the_one_who_closed_it() {
    let (app, mut olu, mut others, slug) = group("round_closed").await;
    // Round outcomes come in the digest unless one asks for them at once: Mia does.
    prefer(&app, "mia@example.org", "round_closed", "now").await;
    save_version(&mut olu, &slug, "Neighbours who eat together.").await;
    let round = open_round(&mut olu, &slug).await;
    for b in others.iter_mut().take(3) {
        endorse(b, &slug, round).await;
    }
    let close = format!("/c/{slug}/vision/rounds/{round}/close");
    olu.post(&close, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        rows(&app, "round_closed").await,
        vec![
            ("lee@example.org".into(), "off".into(), false),
            ("mia@example.org".into(), "now".into(), true),
            ("noor@example.org".into(), "digest".into(), false),
        ]
    );
    let mails = mailed(&app, "round_closed").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].1, format!("[{CAN}] Vision version 1 is adopted"));
    assert!(
        mails[0]
            .2
            .contains("The consent round on vision version 1 closed (Olu closed it): adopted"),
        "{}",
        mails[0].2
    );
    // Closing again (or a tick) writes nothing twice.
    olu.post(&close, &[]).await;
    rounds_tick(&app).await;
    assert_eq!(rows(&app, "round_closed").await.len(), 3);
    assert_eq!(mailed(&app, "round_closed").await.len(), 1);
}

#[tokio::test]
async fn a_round_the_clock_closes_notifies_every_active_member_once_the_opener_too() {
    let (app, mut olu, _others, slug) = group("round_closed").await;
    save_version(&mut olu, &slug, "Neighbours who eat together.").await;
    open_round(&mut olu, &slug).await;
    sqlx::query(
        "UPDATE consent_rounds SET opened_at = now() - interval '3 days',
                closes_at = now() - interval '1 minute'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let (a, b) = tokio::join!(rounds_tick(&app), rounds_tick(&app));
    assert_eq!(a.closed + b.closed, 1);
    rounds_tick(&app).await;
    // Nobody acted: everyone active hears the outcome, by default in the digest.
    assert_eq!(
        rows(&app, "round_closed").await,
        vec![
            ("lee@example.org".into(), "off".into(), false),
            ("mia@example.org".into(), "digest".into(), false),
            ("noor@example.org".into(), "digest".into(), false),
            ("olu@example.org".into(), "digest".into(), false),
        ]
    );
    let line: String =
        sqlx::query_scalar("SELECT DISTINCT line FROM notifications WHERE kind = 'round_closed'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(line, "Vision version 1 was not adopted");
    assert!(mailed(&app, "round_closed").await.is_empty());
}

// --- Guests of open meetings keep their own mails and get no notification. ---

async fn last_mail(app: &TestApp, to: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT subject, body_text FROM outbox WHERE to_address = $1
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn guests_of_a_moved_or_cancelled_meeting_are_mailed_as_before_and_not_notified() {
    let (app, mut olu, _mia, slug) = can_with_member("listed").await;
    let (series, meetings) = circle(&app, &mut olu, &slug).await;
    let public = format!("/c/{slug}/meetings/series/{series}/public");
    olu.get(&public).await.assert_status(StatusCode::OK);
    olu.post(
        &public,
        &[("open_to_public", "yes"), ("what_to_expect", "Tea.")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    // Sam says "I'll come" to the first two meetings and confirms each.
    let mut sam = app.browser();
    sam.address = Some(own_address());
    for meeting in &meetings[..2] {
        let visit = format!("/c/{slug}/visit/{meeting}");
        sam.get(&visit).await.assert_status(StatusCode::OK);
        sam.post(&visit, &[("name", "Sam"), ("email", "sam@example.org")])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let (_, body) = last_mail(&app, "sam@example.org").await;
        let link = body
            .lines()
            .find(|l| l.starts_with("http://localhost/") && l.contains("/guests/"))
            .unwrap()
            .trim_start_matches("http://localhost")
            .to_string();
        sam.get(&link).await;
        sam.post(&format!("{link}/confirm"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }

    move_to(&mut olu, &slug, meetings[0], Utc::now() + Duration::days(9)).await;
    let (subject, _) = last_mail(&app, "sam@example.org").await;
    assert_eq!(subject, format!("Weekly circle with {CAN} has moved"));
    olu.get(&format!("/c/{slug}/meetings/{}", meetings[1]))
        .await;
    olu.post(&format!("/c/{slug}/meetings/{}/cancel", meetings[1]), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let (subject, _) = last_mail(&app, "sam@example.org").await;
    assert_eq!(subject, format!("Cancelled: Weekly circle with {CAN}"));

    // Mia (a member) is notified of each; the guest is no member and has no notification.
    assert_eq!(told(&app, "meeting_moved").await, who(&["mia"]));
    assert_eq!(told(&app, "meeting_cancelled").await, who(&["mia"]));
    assert_eq!(
        app.count("outbox WHERE to_address = 'sam@example.org'")
            .await,
        4,
        "two confirmations, the move, the cancellation"
    );
}
