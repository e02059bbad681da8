//! Meetings through the real router and a real PostgreSQL: series across clock changes, monthly
//! rules, moving and cancelling one occurrence, editing a series, carry-forward, rotation, RSVPs
//! and attendance, minutes conflicts, calendar feeds read back by an iCalendar parser, reminders
//! once each, time polls, and cross-CAN safety.

use axum::http::StatusCode;
use chrono::{NaiveDate, Timelike, Utc};
use uuid::Uuid;

use crate::helpers::{Browser, Page, TestApp, can_with_member, invite_link, join, start_can};

fn schedule_fields<'a>(
    title: &'a str,
    repeat: &'a str,
    starts_on: &'a str,
    time: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("repeat", repeat),
        ("interval", "1"),
        ("weekday", "TU"),
        ("nth", "2"),
        ("month_day", "1"),
        ("starts_on", starts_on),
        ("start_time", time),
        ("duration_minutes", "90"),
        ("until_on", ""),
        ("location", "The community hall"),
        ("agenda_template", "Check-in round\nNews"),
        ("rotate_roles", "yes"),
    ]
}

async fn schedule(b: &mut Browser, slug: &str, fields: &[(&str, &str)]) -> Page {
    b.get(&format!("/c/{slug}/meetings/new"))
        .await
        .assert_status(StatusCode::OK);
    b.post(&format!("/c/{slug}/meetings"), fields).await
}

fn next_tuesday() -> String {
    let today = Utc::now().date_naive();
    canopy::meetings::recurrence::next_weekday(
        today + chrono::Duration::days(1),
        chrono::Weekday::Tue,
    )
    .format("%Y-%m-%d")
    .to_string()
}

async fn meetings_of(app: &TestApp) -> Vec<(Uuid, chrono::DateTime<Utc>, String)> {
    sqlx::query_as("SELECT id, starts_at, status FROM meetings ORDER BY starts_at")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

/// Olu schedules the weekly circle (Tuesdays 19:00 from next week); its meetings, soonest first.
async fn weekly_circle(
    app: &TestApp,
    olu: &mut Browser,
    slug: &str,
) -> Vec<(Uuid, chrono::DateTime<Utc>, String)> {
    schedule(
        olu,
        slug,
        &schedule_fields("Weekly circle", "weekly", &next_tuesday(), "19:00"),
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    meetings_of(app).await
}

#[tokio::test]
async fn a_weekly_series_keeps_its_local_time_across_the_clock_change_in_london_and_new_york() {
    let app = TestApp::new().await;
    let mut b = app.member("olu@example.org", "Olu").await;
    start_can(&mut b, "Riverside", "riverside", "invite_only").await;
    // A second CAN in New York.
    b.get("/c/new").await;
    b.post(
        "/c/new",
        &[
            ("name", "Harlem Circle"),
            ("slug", "harlem"),
            ("purpose", "Meeting weekly together"),
            ("rules", "Be kind to each other."),
            ("time_zone", "America/New_York"),
            ("visibility", "invite_only"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    for slug in ["riverside", "harlem"] {
        schedule(
            &mut b,
            slug,
            &schedule_fields("Weekly circle", "weekly", "2026-10-06", "19:00"),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    // Materialise as if today were 1 October 2026, across both clock changes.
    for (slug, zone) in [
        ("riverside", chrono_tz::Europe::London),
        ("harlem", chrono_tz::America::New_York),
    ] {
        let mut conn = app.db.acquire().await.unwrap();
        let (id, can_id): (Uuid, Uuid) = sqlx::query_as(
            "SELECT s.id, s.can_id FROM meeting_series s JOIN cans c ON c.id = s.can_id WHERE c.slug = $1",
        )
        .bind(slug)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let series = canopy::meetings::series::series(&mut conn, can_id, id)
            .await
            .unwrap()
            .unwrap();
        canopy::meetings::series::materialise(
            &mut conn,
            &series,
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        )
        .await
        .unwrap();
        let starts: Vec<chrono::DateTime<Utc>> = sqlx::query_scalar(
            "SELECT starts_at FROM meetings WHERE series_id = $1 AND starts_at < '2026-11-30' ORDER BY starts_at",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        assert_eq!(
            starts.len(),
            8,
            "{slug}: Tuesdays from 6 October to 24 November"
        );
        let offsets: std::collections::BTreeSet<i32> = starts
            .iter()
            .map(|t| {
                let local = t.with_timezone(&zone);
                assert_eq!((local.hour(), local.minute()), (19, 0), "{slug}: {local}");
                chrono::Offset::fix(local.offset()).local_minus_utc()
            })
            .collect();
        assert_eq!(
            offsets.len(),
            2,
            "{slug}: the UTC offset changed, the local time did not"
        );
    }
}

#[tokio::test]
async fn a_monthly_series_meets_on_the_second_tuesday() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let mut fields = schedule_fields("Monthly assembly", "monthly_nth", "2026-12-01", "18:30");
    fields.retain(|(k, _)| *k != "nth");
    fields.push(("nth", "2"));
    schedule(&mut olu, &slug, &fields)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let london = chrono_tz::Europe::London;
    let dates: Vec<NaiveDate> = meetings_of(&app)
        .await
        .iter()
        .map(|(_, t, _)| t.with_timezone(&london).date_naive())
        .collect();
    assert!(!dates.is_empty());
    for d in &dates {
        assert_eq!(chrono::Datelike::weekday(d), chrono::Weekday::Tue);
        assert!(
            (8..=14).contains(&chrono::Datelike::day(d)),
            "{d} is the second Tuesday"
        );
    }
    let page = olu.get(&format!("/c/{slug}/meetings")).await;
    page.assert_contains("Monthly on the second Tuesday at 18:30");
}

#[tokio::test]
async fn bad_schedules_are_refused_beside_their_fields() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let mut fields = schedule_fields("Weekly circle", "weekly", "not a date", "7pm");
    fields.retain(|(k, _)| *k != "duration_minutes");
    fields.push(("duration_minutes", "0"));
    let page = schedule(&mut olu, &slug, &fields).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["starts_on", "start_time", "duration_minutes"] {
        assert!(page.field_error(field).is_some(), "{field}");
    }
    assert_eq!(page.input_value("title").as_deref(), Some("Weekly circle"));
    let mut fields = schedule_fields("Weekly circle", "weekly", "2026-12-01", "19:00");
    fields.push(("until_on", "2026-11-01"));
    fields.retain(|(k, v)| !(*k == "until_on" && v.is_empty()));
    let page = olu.post(&format!("/c/{slug}/meetings"), &fields).await;
    assert_eq!(
        page.field_error("until_on").as_deref(),
        Some("The series cannot end before it starts.")
    );
    let page = olu
        .post(
            &format!("/c/{slug}/meetings"),
            &schedule_fields("Weekly circle", "hourly", "2026-12-01", "19:00"),
        )
        .await;
    assert!(page.field_error("repeat").is_some());
    // Plain members cannot schedule.
    mia.get(&format!("/c/{slug}/meetings"))
        .await
        .assert_lacks("Schedule a meeting");
    mia.post(
        &format!("/c/{slug}/meetings"),
        &schedule_fields("Mine", "once", &next_tuesday(), "19:00"),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.count("meetings").await, 0);
    assert_eq!(app.count("meeting_series").await, 0);
}

#[tokio::test]
async fn one_occurrence_moves_or_is_cancelled_alone_and_series_edits_change_only_the_future() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let all = weekly_circle(&app, &mut olu, &slug).await;
    assert!(all.len() >= 10, "about twelve weeks ahead: {}", all.len());
    let (first, second, third) = (all[0].0, all[1].0, all[2].0);

    olu.get(&format!("/c/{slug}/meetings/{second}")).await;
    let moved_to = (all[1]
        .1
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive()
        + chrono::Duration::days(1))
    .format("%Y-%m-%d")
    .to_string();
    olu.post(
        &format!("/c/{slug}/meetings/{second}/move"),
        &[
            ("date", &moved_to),
            ("time", "18:00"),
            ("duration_minutes", "60"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.post(&format!("/c/{slug}/meetings/{third}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let after = meetings_of(&app).await;
    assert_eq!(after.iter().filter(|m| m.2 == "cancelled").count(), 1);
    let (seq, moved): (i32, bool) =
        sqlx::query_as("SELECT sequence, moved FROM meetings WHERE id = $1")
            .bind(second)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((seq, moved), (1, true));

    // A meeting that already happened stays as it was.
    sqlx::query("UPDATE meetings SET starts_at = now() - interval '2 days', ends_at = now() - interval '2 days' + interval '90 minutes', status = 'held' WHERE id = $1")
        .bind(first)
        .execute(&app.db)
        .await
        .unwrap();
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.get(&format!("/c/{slug}/meetings/series/{series}/edit"))
        .await
        .assert_status(StatusCode::OK);
    let tuesday = next_tuesday();
    let mut fields = schedule_fields("Weekly circle", "weekly", &tuesday, "18:30");
    fields.retain(|(k, _)| *k != "location");
    fields.push(("location", "The library"));
    olu.post(&format!("/c/{slug}/meetings/series/{series}/edit"), &fields)
        .await
        .assert_status(StatusCode::SEE_OTHER);

    let london = chrono_tz::Europe::London;
    let rows: Vec<(Uuid, chrono::DateTime<Utc>, String, String, bool)> = sqlx::query_as(
        "SELECT id, starts_at, status, location, moved FROM meetings ORDER BY starts_at",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    for (id, start, status, location, moved) in &rows {
        let local = start.with_timezone(&london);
        if *id == first {
            assert_eq!(
                (status.as_str(), location.as_str()),
                ("held", "The community hall"),
                "the past is untouched"
            );
        } else if *id == second {
            assert!(*moved);
            assert_eq!(
                local.format("%H:%M").to_string(),
                "18:00",
                "a moved meeting keeps its own time"
            );
        } else if status == "scheduled" {
            assert_eq!(local.format("%H:%M").to_string(), "18:30");
            assert_eq!(location, "The library");
        }
    }
}

#[tokio::test]
async fn open_agenda_items_and_actions_carry_forward_to_the_next_meeting() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let all = weekly_circle(&app, &mut olu, &slug).await;
    let (first, second) = (all[0].0, all[1].0);
    // The template gave two items; Mia proposes one more.
    mia.get(&format!("/c/{slug}/meetings/{first}")).await;
    mia.post(
        &format!("/c/{slug}/meetings/{first}/agenda"),
        &[
            ("item_title", "Street party"),
            ("item_owner", ""),
            ("item_minutes", "20"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let items: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, title FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(first)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        items.iter().map(|i| i.1.as_str()).collect::<Vec<_>>(),
        vec!["Check-in round", "News", "Street party"]
    );
    // Reorder and tick one off.
    olu.get(&format!("/c/{slug}/meetings/{first}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{first}/agenda/{}", items[2].0),
        &[("direction", "up")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.post(
        &format!("/c/{slug}/meetings/{first}/agenda/{}", items[0].0),
        &[("status", "done")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.post(
        &format!("/c/{slug}/meetings/{first}/actions"),
        &[
            ("action_title", "Book the hall"),
            ("action_owner", ""),
            ("action_due", ""),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    // A meeting still ahead cannot be closed; once it has taken place, it can.
    olu.post(&format!("/c/{slug}/meetings/{first}/finish"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("meetings WHERE status = 'held'").await, 0);
    sqlx::query("UPDATE meetings SET starts_at = now() - interval '2 hours', ends_at = now() - interval '30 minutes' WHERE id = $1")
        .bind(first)
        .execute(&app.db)
        .await
        .unwrap();
    olu.post(&format!("/c/{slug}/meetings/{first}/finish"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // Finishing twice carries nothing twice.
    olu.post(&format!("/c/{slug}/meetings/{first}/finish"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    let next: Vec<(String, bool)> = sqlx::query_as("SELECT title, carried_from IS NOT NULL FROM agenda_items WHERE meeting_id = $1 ORDER BY position")
        .bind(second)
        .fetch_all(&app.db)
        .await
        .unwrap();
    // Street party came along; News is on the next agenda already (from the template), so it is
    // not doubled; the done check-in stays behind.
    assert_eq!(
        next.iter().filter(|(_, carried)| *carried).count(),
        1,
        "only Street party is carried: {next:?}"
    );
    assert_eq!(
        next.iter().filter(|(t, _)| t == "News").count(),
        1,
        "{next:?}"
    );
    assert!(next.iter().any(|(t, c)| t == "Street party" && *c));
    assert!(
        !next.iter().any(|(t, c)| t == "Check-in round" && *c),
        "a done item stays behind"
    );
    let page = mia.get(&format!("/c/{slug}/meetings/{second}")).await;
    page.assert_contains("carried over")
        .assert_contains("Still open from earlier meetings")
        .assert_contains("Book the hall");
    assert_eq!(app.count("meetings WHERE status = 'held'").await, 1);
}

#[tokio::test]
async fn rotation_suggests_who_served_least_recently_and_not_those_who_said_no() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let path = invite_link(&mut olu, &slug, "1", "").await;
    let mut noor = app.member("noor@example.org", "Noor").await;
    join(&mut noor, &path).await;
    // Mia and Noor are facilitators too.
    for email in ["mia@example.org", "noor@example.org"] {
        let id: Uuid = sqlx::query_scalar("SELECT id FROM members WHERE email = $1")
            .bind(email)
            .fetch_one(&app.db)
            .await
            .unwrap();
        olu.get(&format!("/c/{slug}/members/{id}")).await;
        olu.post(
            &format!("/c/{slug}/members/{id}/roles"),
            &[("role", "facilitator")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    let all = weekly_circle(&app, &mut olu, &slug).await;
    let suggested = |page: &Page| -> String {
        let at = page.body.find("Suggested by rotation").unwrap();
        let rest = &page.body[at..];
        let s = rest.find("<strong>").unwrap() + 8;
        rest[s..s + rest[s..].find("</strong>").unwrap()].to_string()
    };
    let mut served = Vec::new();
    for (i, (id, _, _)) in all.iter().take(3).enumerate() {
        if i == 2 {
            // Whoever is next in line says no to the third meeting: skipped.
            noor.get(&format!("/c/{slug}/meetings/{id}")).await;
            noor.post(
                &format!("/c/{slug}/meetings/{id}/rsvp"),
                &[("answer", "no")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        }
        let page = olu.get(&format!("/c/{slug}/meetings/{id}")).await;
        let name = suggested(&page);
        served.push(name.clone());
        // The suggestion form's hidden fields carry the suggested ids.
        let fid = page
            .body
            .split("name=\"facilitator_id\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let nid = page
            .body
            .split("name=\"note_taker_id\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        olu.post(
            &format!("/c/{slug}/meetings/{id}/roles"),
            &[("facilitator_id", &fid), ("note_taker_id", &nid)],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    // Nobody had served: alphabetical first (Mia), then the next who has not served (Noor), then
    // Noor said no to the third, so the one who served longest ago — Mia — and not Noor.
    assert_eq!(served[0], "Mia");
    assert_eq!(served[1], "Noor");
    assert_ne!(served[2], "Noor");
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    mia.get(&format!("/c/{slug}/meetings/series/{series}"))
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn members_answer_rsvps_and_the_facilitator_takes_attendance() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let all = weekly_circle(&app, &mut olu, &slug).await;
    let (id, cancelled) = (all[0].0, all[1].0);
    mia.get(&format!("/c/{slug}/meetings/{id}")).await;
    mia.post(
        &format!("/c/{slug}/meetings/{id}/rsvp"),
        &[("answer", "maybe")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    mia.post(
        &format!("/c/{slug}/meetings/{id}/rsvp"),
        &[("answer", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = olu.get(&format!("/c/{slug}/meetings/{id}")).await;
    page.assert_contains("1 yes (Mia)")
        .assert_contains("0 maybe");
    assert_eq!(app.count("rsvps").await, 1);

    // Attendance: only runners; taken at the meeting (move it to now), including Olu without an RSVP.
    sqlx::query("UPDATE meetings SET starts_at = now() - interval '10 minutes', ends_at = now() + interval '80 minutes' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM members ORDER BY email")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let present: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    mia.post(
        &format!("/c/{slug}/meetings/{id}/attendance"),
        &[("present", &present[0])],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    olu.get(&format!("/c/{slug}/meetings/{id}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{id}/attendance"),
        &[("present", &present[0]), ("present", &present[1])],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("attendance").await, 2);
    assert_eq!(app.count("meetings WHERE status = 'held'").await, 1);

    // A cancelled meeting takes no answers.
    olu.post(&format!("/c/{slug}/meetings/{cancelled}/cancel"), &[])
        .await;
    mia.get(&format!("/c/{slug}/meetings/{cancelled}"))
        .await
        .assert_lacks("Your answer");
    let page = mia
        .post(
            &format!("/c/{slug}/meetings/{cancelled}/rsvp"),
            &[("answer", "yes")],
        )
        .await;
    page.assert_status(StatusCode::CONFLICT)
        .assert_contains("This meeting is cancelled");
    assert_eq!(
        app.count(&format!("rsvps WHERE meeting_id = '{cancelled}'"))
            .await,
        0
    );
}

#[tokio::test]
async fn two_note_takers_saving_at_once_lose_nothing() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let id = weekly_circle(&app, &mut olu, &slug).await[0].0;
    let mia_id: Uuid = sqlx::query_scalar("SELECT id FROM members WHERE email = 'mia@example.org'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.get(&format!("/c/{slug}/meetings/{id}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{id}/roles"),
        &[
            ("facilitator_id", ""),
            ("note_taker_id", &mia_id.to_string()),
        ],
    )
    .await;
    let a = olu.get(&format!("/c/{slug}/meetings/{id}")).await;
    let b = mia.get(&format!("/c/{slug}/meetings/{id}")).await;
    let (va, vb) = (
        a.input_value("version").unwrap(),
        b.input_value("version").unwrap(),
    );
    olu.post(
        &format!("/c/{slug}/meetings/{id}/minutes"),
        &[
            ("minutes", "Olu wrote: we agreed on a party."),
            ("version", &va),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = mia
        .post(
            &format!("/c/{slug}/meetings/{id}/minutes"),
            &[("minutes", "Mia wrote: date to be set."), ("version", &vb)],
        )
        .await;
    page.assert_status(StatusCode::CONFLICT)
        .assert_contains("Olu wrote: we agreed on a party.")
        .assert_contains("Mia wrote: date to be set.");
    let stored: String = sqlx::query_scalar("SELECT minutes FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, "Olu wrote: we agreed on a party.");
    let v = page.input_value("version").unwrap();
    mia.post(
        &format!("/c/{slug}/meetings/{id}/minutes"),
        &[("minutes", "Both: party, date to be set."), ("version", &v)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    // Decisions and action items are recorded by those who run the meeting.
    mia.post(
        &format!("/c/{slug}/meetings/{id}/decisions"),
        &[("decision", "We hold a street party in June")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    mia.get(&format!("/c/{slug}/meetings/{id}"))
        .await
        .assert_contains("We hold a street party in June");
}

#[tokio::test]
async fn calendar_feeds_parse_and_carry_what_the_pages_show() {
    use icalendar::{Calendar, Component, EventLike};
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let all = weekly_circle(&app, &mut olu, &slug).await;
    olu.post(&format!("/c/{slug}/meetings/{}/cancel", all[1].0), &[])
        .await;

    let feed = mia.get(&format!("/c/{slug}/calendar.ics")).await;
    feed.assert_status(StatusCode::OK);
    assert!(
        feed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let calendar: Calendar = feed
        .body
        .parse()
        .expect("a real iCalendar parser reads the feed");
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    // The series is one event with its rule in the CAN's zone (issue 14); the cancelled
    // occurrence is an EXDATE on it.
    assert_eq!(events.len(), 1);
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let first = events[0];
    assert_eq!(
        first.get_uid(),
        Some(format!("series-{series}@canopy").as_str())
    );
    assert_eq!(
        first.get_summary(),
        Some("Weekly circle — Riverside Neighbours")
    );
    assert_eq!(first.get_location(), Some("The community hall"));
    let start = match first.get_start().unwrap() {
        icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
            date_time,
            tzid,
        }) => date_time
            .and_local_timezone(tzid.parse::<chrono_tz::Tz>().unwrap())
            .unwrap()
            .with_timezone(&Utc),
        other => panic!("a start in the CAN's zone expected, got {other:?}"),
    };
    assert_eq!(start, all[0].1);
    assert!(
        first
            .property_value("URL")
            .unwrap()
            .ends_with(&format!("/c/{slug}/meetings/series/{series}"))
    );
    let cancelled_at = all[1].1.with_timezone(&chrono_tz::Europe::London);
    let exdates = first.multi_properties().get("EXDATE").unwrap();
    assert_eq!(
        exdates[0].value(),
        cancelled_at.format("%Y%m%dT%H%M%S").to_string()
    );
    let page = mia.get(&format!("/c/{slug}/meetings/{}", all[0].0)).await;
    page.assert_contains("19:00–20:30")
        .assert_contains("The community hall");

    // One meeting's download.
    let one = mia
        .get(&format!("/c/{slug}/meetings/{}/event.ics", all[0].0))
        .await;
    let one: Calendar = one.body.parse().unwrap();
    assert_eq!(
        one.components.iter().filter_map(|c| c.as_event()).count(),
        1
    );

    // The private feed works by token, and stops when revoked.
    mia.get("/account/calendar").await;
    let page = mia.post("/account/calendar", &[("action", "new")]).await;
    let link = page
        .body
        .split("id=\"feed-link\" type=\"text\" readonly value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let path = link.trim_start_matches("http://localhost").to_string();
    let mut calendar_app = app.browser();
    let private = calendar_app.get(&path).await;
    private.assert_status(StatusCode::OK);
    let parsed: Calendar = private.body.parse().unwrap();
    assert_eq!(
        parsed
            .components
            .iter()
            .filter_map(|c| c.as_event())
            .count(),
        1
    );
    let sessions = app.count("sessions").await;
    calendar_app.cookie = None;
    calendar_app.get(&path).await.assert_status(StatusCode::OK);
    assert_eq!(
        app.count("sessions").await,
        sessions,
        "a calendar app polling the feed makes no session"
    );
    mia.post("/account/calendar", &[("action", "revoke")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    calendar_app
        .get(&path)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    calendar_app
        .get(&format!("/c/{slug}/calendar.ics"))
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn reminders_go_out_once_each() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let path = invite_link(&mut olu, &slug, "1", "").await;
    let mut noor = app.member("noor@example.org", "Noor").await;
    join(&mut noor, &path).await;
    let id = weekly_circle(&app, &mut olu, &slug).await[0].0;
    mia.get(&format!("/c/{slug}/meetings/{id}")).await;
    mia.post(
        &format!("/c/{slug}/meetings/{id}/rsvp"),
        &[("answer", "yes")],
    )
    .await;
    noor.get(&format!("/c/{slug}/meetings/{id}")).await;
    noor.post(
        &format!("/c/{slug}/meetings/{id}/rsvp"),
        &[("answer", "no")],
    )
    .await;
    sqlx::query("UPDATE meetings SET starts_at = now() + interval '20 hours', ends_at = now() + interval '21 hours' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let base = "http://localhost";
    let (a, b) = tokio::join!(
        canopy::meetings::jobs::tick(&app.db, base),
        canopy::meetings::jobs::tick(&app.db, base)
    );
    assert_eq!(a.unwrap().reminded + b.unwrap().reminded, 2);
    canopy::meetings::jobs::tick(&app.db, base).await.unwrap();
    let mut to: Vec<String> = sqlx::query_scalar(
        "SELECT to_address FROM outbox WHERE dedupe_key LIKE 'meeting:%:reminder:%'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    to.sort();
    assert_eq!(
        to,
        vec!["mia@example.org".to_string(), "olu@example.org".to_string()],
        "yes and no-answer, not no"
    );

    // The day after a held meeting without minutes, the note-taker hears once.
    let noor_id: Uuid =
        sqlx::query_scalar("SELECT id FROM members WHERE email = 'noor@example.org'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    sqlx::query("UPDATE meetings SET status = 'held', note_taker_id = $2, starts_at = now() - interval '26 hours', ends_at = now() - interval '25 hours' WHERE id = $1")
        .bind(id)
        .bind(noor_id)
        .execute(&app.db)
        .await
        .unwrap();
    canopy::meetings::jobs::tick(&app.db, base).await.unwrap();
    canopy::meetings::jobs::tick(&app.db, base).await.unwrap();
    let nudges: Vec<String> = sqlx::query_scalar(
        "SELECT to_address FROM outbox WHERE dedupe_key LIKE 'meeting:%:minutes:%'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(nudges, vec!["noor@example.org".to_string()]);
}

#[tokio::test]
async fn a_time_poll_finds_the_best_slot_and_starts_a_series() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    olu.get(&format!("/c/{slug}/meetings/polls/new"))
        .await
        .assert_status(StatusCode::OK);
    let page = olu
        .post(
            &format!("/c/{slug}/meetings/polls"),
            &[
                ("title", "Weekly circle"),
                ("duration_minutes", "90"),
                ("weekday", "TU"),
                ("time", "19:00"),
                ("weekday", ""),
                ("time", ""),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("at least two different slots");
    olu.post(
        &format!("/c/{slug}/meetings/polls"),
        &[
            ("title", "Weekly circle"),
            ("duration_minutes", "90"),
            ("weekday", "TU"),
            ("time", "19:00"),
            ("weekday", "SA"),
            ("time", "10:00"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let poll: Uuid = sqlx::query_scalar("SELECT id FROM time_polls")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let options: Vec<(Uuid, i16)> =
        sqlx::query_as("SELECT id, weekday FROM time_poll_options ORDER BY position")
            .fetch_all(&app.db)
            .await
            .unwrap();
    let (tue, sat) = (options[0].0, options[1].0);
    mia.get(&format!("/c/{slug}/meetings/polls/{poll}"))
        .await
        .assert_contains("Tuesdays 19:00");
    mia.post(
        &format!("/c/{slug}/meetings/polls/{poll}/answer"),
        &[
            (&format!("slot-{tue}") as &str, "no"),
            (&format!("slot-{sat}"), "yes"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.post(
        &format!("/c/{slug}/meetings/polls/{poll}/answer"),
        &[
            (&format!("slot-{tue}") as &str, "if_need_be"),
            (&format!("slot-{sat}"), "yes"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let page = olu.get(&format!("/c/{slug}/meetings/polls/{poll}")).await;
    let best = page.body.find("best so far").unwrap();
    assert!(
        page.body[..best].rfind("Saturdays 10:00") > page.body[..best].rfind("Tuesdays 19:00"),
        "Saturday is the best slot"
    );
    mia.post(
        &format!("/c/{slug}/meetings/polls/{poll}/choose"),
        &[("option", &sat.to_string())],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    olu.post(
        &format!("/c/{slug}/meetings/polls/{poll}/choose"),
        &[("option", &sat.to_string())],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let rule: String = sqlx::query_scalar("SELECT rrule FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(rule, "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA");
    let first: chrono::DateTime<Utc> = sqlx::query_scalar("SELECT min(starts_at) FROM meetings")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        first
            .with_timezone(&chrono_tz::Europe::London)
            .format("%a %H:%M")
            .to_string(),
        "Sat 10:00"
    );
    // A closed poll takes no more answers.
    mia.post(
        &format!("/c/{slug}/meetings/polls/{poll}/answer"),
        &[(&format!("slot-{tue}") as &str, "yes")],
    )
    .await;
    assert_eq!(app.count("time_poll_answers WHERE answer = 'yes'").await, 2);
}

#[tokio::test]
async fn the_meeting_pack_prints_agenda_decisions_actions_and_a_sign_in_sheet() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let id = weekly_circle(&app, &mut olu, &slug).await[0].0;
    let page = olu.get(&format!("/c/{slug}/meetings/{id}/pack")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Check-in round")
        .assert_contains("Sign-in sheet")
        .assert_contains("<td>Mia</td>")
        .assert_contains("Open actions");
}

#[tokio::test]
async fn nobody_outside_the_can_sees_or_touches_its_meetings() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let id = weekly_circle(&app, &mut olu, &slug).await[0].0;
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.post(
        &format!("/c/{slug}/meetings/{id}/agenda"),
        &[("item_title", "Our item")],
    )
    .await;
    let item: Uuid = sqlx::query_scalar("SELECT id FROM agenda_items LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mut other = app.member("zed@example.org", "Zed").await;
    start_can(&mut other, "Elsewhere", "elsewhere", "invite_only").await;
    for path in [
        format!("/c/{slug}/meetings"),
        format!("/c/{slug}/meetings/{id}"),
        format!("/c/{slug}/meetings/{id}/pack"),
        format!("/c/{slug}/meetings/{id}/event.ics"),
        format!("/c/{slug}/meetings/series/{series}"),
        format!("/c/{slug}/calendar.ics"),
        format!("/c/elsewhere/meetings/{id}"),
        format!("/c/elsewhere/meetings/{id}/event.ics"),
        format!("/c/elsewhere/meetings/series/{series}"),
        format!("/c/elsewhere/meetings/series/{series}/edit"),
    ] {
        other.get(&path).await.assert_status(StatusCode::NOT_FOUND);
    }
    other.get("/").await;
    for path in [
        format!("/c/{slug}/meetings/{id}/rsvp"),
        format!("/c/{slug}/meetings/{id}/cancel"),
        format!("/c/elsewhere/meetings/{id}/rsvp"),
        format!("/c/elsewhere/meetings/{id}/cancel"),
        format!("/c/elsewhere/meetings/{id}/move"),
        format!("/c/elsewhere/meetings/{id}/roles"),
        format!("/c/elsewhere/meetings/{id}/attendance"),
        format!("/c/elsewhere/meetings/{id}/minutes"),
        format!("/c/elsewhere/meetings/{id}/decisions"),
        format!("/c/elsewhere/meetings/{id}/actions"),
        format!("/c/elsewhere/meetings/{id}/agenda"),
        format!("/c/elsewhere/meetings/{id}/agenda/{item}"),
        format!("/c/elsewhere/meetings/{id}/finish"),
        format!("/c/elsewhere/meetings/series/{series}/edit"),
    ] {
        other
            .post(
                &path,
                &[
                    ("answer", "yes"),
                    ("minutes", "x"),
                    ("version", "0"),
                    ("decision", "xxxx"),
                    ("action_title", "xxxx"),
                    ("item_title", "xxxx"),
                    ("status", "done"),
                ],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    assert_eq!(app.count("rsvps").await, 0);
    assert_eq!(app.count("meetings WHERE status <> 'scheduled'").await, 0);
    assert_eq!(app.count("decisions").await, 0);
}

#[tokio::test]
async fn a_cancelled_occurrence_stays_cancelled_when_the_series_changes_and_a_moved_one_is_reminded_again()
 {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let tuesday = next_tuesday();
    schedule(
        &mut olu,
        &slug,
        &schedule_fields("Weekly circle", "weekly", &tuesday, "19:00"),
    )
    .await;
    let all = meetings_of(&app).await;
    let (first, third) = (all[0].0, all[2].0);
    olu.get(&format!("/c/{slug}/meetings/{third}")).await;
    olu.post(&format!("/c/{slug}/meetings/{third}/cancel"), &[])
        .await;
    let series: Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.post(
        &format!("/c/{slug}/meetings/series/{series}/edit"),
        &schedule_fields("Renamed circle", "weekly", &tuesday, "19:00"),
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM meetings WHERE id = $1")
        .bind(third)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "cancelled");

    // Reminded, then moved a week later: reminded again when it comes near.
    sqlx::query("UPDATE meetings SET starts_at = now() + interval '20 hours', ends_at = now() + interval '21 hours' WHERE id = $1")
        .bind(first)
        .execute(&app.db)
        .await
        .unwrap();
    canopy::meetings::jobs::tick(&app.db, "http://localhost")
        .await
        .unwrap();
    let before = app
        .count("outbox WHERE dedupe_key LIKE 'meeting:%:reminder:%'")
        .await;
    assert_eq!(before, 2);
    let new_day = (chrono::Utc::now() + chrono::Duration::days(8))
        .with_timezone(&chrono_tz::Europe::London)
        .format("%Y-%m-%d")
        .to_string();
    olu.get(&format!("/c/{slug}/meetings/{first}")).await;
    olu.post(
        &format!("/c/{slug}/meetings/{first}/move"),
        &[
            ("date", &new_day),
            ("time", "19:00"),
            ("duration_minutes", "90"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    sqlx::query("UPDATE meetings SET starts_at = now() + interval '20 hours', ends_at = now() + interval '21 hours' WHERE id = $1")
        .bind(first)
        .execute(&app.db)
        .await
        .unwrap();
    canopy::meetings::jobs::tick(&app.db, "http://localhost")
        .await
        .unwrap();
    assert_eq!(
        app.count("outbox WHERE dedupe_key LIKE 'meeting:%:reminder:%'")
            .await,
        4
    );
}

#[tokio::test]
async fn dates_far_in_the_past_or_future_are_refused_not_a_crash() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    for start in ["0001-01-01", "-0001-01-01", "1900-01-01"] {
        let page = schedule(
            &mut olu,
            &slug,
            &schedule_fields("Weekly circle", "weekly", start, "19:00"),
        )
        .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.field_error("starts_on").is_some(), "{start}");
    }
    let id = weekly_circle(&app, &mut olu, &slug).await[0].0;
    for date in ["-5000-01-01", "1900-01-01", "2999-01-01"] {
        let page = olu
            .post(
                &format!("/c/{slug}/meetings/{id}/move"),
                &[
                    ("date", date),
                    ("time", "19:00"),
                    ("duration_minutes", "90"),
                ],
            )
            .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let page = olu
        .post(
            &format!("/c/{slug}/meetings/{id}/move"),
            &[
                ("date", &next_tuesday()),
                ("time", "19:00"),
                ("duration_minutes", "100000"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("meetings WHERE moved").await, 0);
}

#[tokio::test]
async fn the_dashboard_lists_the_next_meetings_with_ones_own_answer() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    schedule(
        &mut olu,
        &slug,
        &schedule_fields("Weekly circle", "weekly", &next_tuesday(), "19:00"),
    )
    .await;
    let first = meetings_of(&app).await[0].0;
    let page = mia.get("/").await;
    page.assert_contains("Coming up")
        .assert_contains("not answered yet");
    assert_eq!(
        page.body.matches("Weekly circle</a>").count(),
        5,
        "the next five"
    );
    mia.get(&format!("/c/{slug}/meetings/{first}")).await;
    mia.post(
        &format!("/c/{slug}/meetings/{first}/rsvp"),
        &[("answer", "yes")],
    )
    .await;
    mia.get("/").await.assert_contains("you said yes");
    mia.get(&format!("/c/{slug}"))
        .await
        .assert_contains(&format!(
            "Next meeting: <a href=\"/c/{slug}/meetings/{first}\">Weekly circle"
        ));
}

#[tokio::test]
async fn only_those_who_run_a_meeting_keep_its_record_and_a_note_taker_may() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    schedule(
        &mut olu,
        &slug,
        &schedule_fields("Weekly circle", "weekly", &next_tuesday(), "19:00"),
    )
    .await;
    let id = meetings_of(&app).await[0].0;
    let item: Uuid = sqlx::query_scalar(
        "SELECT id FROM agenda_items WHERE meeting_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let page = format!("/c/{slug}/meetings/{id}");
    mia.get(&page).await.assert_lacks("Save attendance");
    let agenda_item = format!("agenda/{item}");
    let refused: [(&str, Vec<(&str, &str)>); 6] = [
        ("attendance", vec![]),
        (
            "minutes",
            vec![("minutes", "Mia's notes"), ("version", "0")],
        ),
        ("decisions", vec![("decision", "We hold a street party")]),
        ("actions", vec![("action_title", "Book the hall")]),
        ("finish", vec![]),
        (&agenda_item, vec![("direction", "down")]),
    ];
    for (what, fields) in &refused {
        mia.post(&format!("{page}/{what}"), fields)
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("Only this meeting&#39;s facilitator and note-taker, and the group&#39;s facilitators and organisers, can do this.");
    }
    assert_eq!(app.count("decisions").await, 0);
    assert_eq!(app.count("action_items").await, 0);

    // Once she takes the notes, Mia runs this meeting (and only this one).
    let mia_id: Uuid = sqlx::query_scalar("SELECT id FROM members WHERE email = 'mia@example.org'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.get(&page).await;
    olu.post(
        &format!("{page}/roles"),
        &[
            ("facilitator_id", ""),
            ("note_taker_id", &mia_id.to_string()),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    mia.get(&page).await.assert_contains("Save attendance");
    mia.post(
        &format!("{page}/decisions"),
        &[("decision", "We hold a street party")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("decisions").await, 1);
    let other = meetings_of(&app).await[1].0;
    mia.post(
        &format!("/c/{slug}/meetings/{other}/decisions"),
        &[("decision", "Not at this one")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_member_chosen_who_is_not_in_the_can_is_refused_beside_the_select() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    schedule(
        &mut olu,
        &slug,
        &schedule_fields("Weekly circle", "weekly", &next_tuesday(), "19:00"),
    )
    .await;
    let id = meetings_of(&app).await[0].0;
    let mut zed = app.member("zed@example.org", "Zed").await;
    start_can(&mut zed, "Elsewhere", "elsewhere", "invite_only").await;
    let zed_id: Uuid = sqlx::query_scalar("SELECT id FROM members WHERE email = 'zed@example.org'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.get(&format!("/c/{slug}/meetings/{id}")).await;
    let page = olu
        .post(
            &format!("/c/{slug}/meetings/{id}/agenda"),
            &[
                ("item_title", "Street party"),
                ("item_owner", &zed_id.to_string()),
                ("item_minutes", "20"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("<div class=\"field field-invalid\">\n  <label for=\"item_owner\">")
        .assert_contains("aria-describedby=\"item_owner-error\"")
        .assert_lacks(">Zed</option>");
    assert_eq!(
        page.field_error("item_owner").as_deref(),
        Some("Choose an active member of this CAN.")
    );
    assert!(page.body.contains(
        "id=\"item_owner-error\"><span class=\"visually-hidden\">Error: </span>Choose an active member"
    ));
    assert_eq!(
        page.input_value("item_title").as_deref(),
        Some("Street party"),
        "what was typed is kept"
    );
    let page = olu
        .post(
            &format!("/c/{slug}/meetings/{id}/roles"),
            &[
                ("facilitator_id", &zed_id.to_string()),
                ("note_taker_id", ""),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("facilitator_id").as_deref(),
        Some("Choose an active member of this CAN.")
    );
    assert_eq!(
        app.count("meetings WHERE facilitator_id IS NOT NULL").await,
        0
    );
}

#[tokio::test]
async fn an_action_is_ticked_off_by_its_owner_or_a_facilitator_and_by_nobody_else() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let path = invite_link(&mut olu, &slug, "1", "").await;
    let mut noor = app.member("noor@example.org", "Noor").await;
    join(&mut noor, &path).await;
    schedule(
        &mut olu,
        &slug,
        &schedule_fields("Weekly circle", "weekly", &next_tuesday(), "19:00"),
    )
    .await;
    let id = meetings_of(&app).await[0].0;
    let mia_id: Uuid = sqlx::query_scalar("SELECT id FROM members WHERE email = 'mia@example.org'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.get(&format!("/c/{slug}/meetings/{id}")).await;
    for (title, owner) in [
        ("Book the hall", mia_id.to_string()),
        ("Print flyers", String::new()),
    ] {
        olu.post(
            &format!("/c/{slug}/meetings/{id}/actions"),
            &[
                ("action_title", title),
                ("action_owner", &owner),
                ("action_due", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    let actions: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM action_items ORDER BY created_at")
        .fetch_all(&app.db)
        .await
        .unwrap();
    noor.get(&format!("/c/{slug}/meetings/{id}")).await;
    noor.post(
        &format!("/c/{slug}/meetings/{id}/actions/{}/done", actions[0]),
        &[],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN)
    .assert_contains("Only the action&#39;s owner");
    mia.get(&format!("/c/{slug}/meetings/{id}")).await;
    mia.post(
        &format!("/c/{slug}/meetings/{id}/actions/{}/done", actions[0]),
        &[],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    // Done twice is still done.
    mia.post(
        &format!("/c/{slug}/meetings/{id}/actions/{}/done", actions[0]),
        &[],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.post(
        &format!("/c/{slug}/meetings/{id}/actions/{}/done", actions[1]),
        &[],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    olu.post(
        &format!("/c/{slug}/meetings/{id}/actions/{}/done", Uuid::now_v7()),
        &[],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.count("action_items WHERE status = 'done'").await, 2);
    mia.get(&format!("/c/{slug}/meetings/{id}"))
        .await
        .assert_contains("<s>Book the hall</s> (done)");
}
