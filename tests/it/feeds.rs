//! Calendar feeds as calendar programs read them (issue 14): each series one event with its rule
//! and zone, a VTIMEZONE, EXDATE for a cancelled occurrence and a RECURRENCE-ID override for a
//! moved one, stable UIDs and SEQUENCE, the public feed of a listed CAN; read back by the
//! `icalendar` crate and expanded by Python's `icalendar` + `recurring-ical-events`
//! (tests/ical/check_feed.py, in the venv `scripts/install-deps` makes).

use std::path::PathBuf;
use std::process::Command;

use axum::http::StatusCode;
use chrono::{Datelike, Months, NaiveDate, Utc, Weekday};
use icalendar::{Calendar, Component, Event, Property};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{Browser, TempDir, TestApp, can_with_member, start_can};

fn series_fields<'a>(
    title: &'a str,
    repeat: &'a str,
    weekday: &'a str,
    starts_on: &'a str,
    time: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("repeat", repeat),
        ("interval", "1"),
        ("weekday", weekday),
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

async fn schedule(b: &mut Browser, slug: &str, fields: &[(&str, &str)]) {
    b.get(&format!("/c/{slug}/meetings/new"))
        .await
        .assert_status(StatusCode::OK);
    b.post(&format!("/c/{slug}/meetings"), fields)
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The first `weekday` after today.
fn next(weekday: Weekday) -> NaiveDate {
    canopy::meetings::recurrence::next_weekday(today() + chrono::Duration::days(1), weekday)
}

/// A series' occurrences (id, date the rule gave it), soonest first.
async fn occurrences(app: &TestApp, series: Uuid) -> Vec<(Uuid, NaiveDate)> {
    sqlx::query_as(
        "SELECT id, occurrence_on FROM meetings WHERE series_id = $1 ORDER BY occurrence_on",
    )
    .bind(series)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn series_titled(app: &TestApp, title: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM meeting_series WHERE title = $1")
        .bind(title)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn new_york_can(b: &mut Browser, visibility: &str) {
    b.get("/c/new").await;
    b.post(
        "/c/new",
        &[
            ("name", "Harlem Circle"),
            ("slug", "harlem"),
            ("purpose", "Meeting weekly together"),
            ("rules", "Be kind to each other."),
            ("time_zone", "America/New_York"),
            ("visibility", visibility),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

fn parse(body: &str) -> Calendar {
    body.parse()
        .unwrap_or_else(|e| panic!("the icalendar crate reads the feed: {e}\n{body}"))
}

fn events(cal: &Calendar) -> Vec<&Event> {
    cal.components.iter().filter_map(|c| c.as_event()).collect()
}

/// Each VTIMEZONE of the feed: its TZID and the kinds of its observances (read with the crate's
/// low-level parser, which keeps components the typed one drops).
fn vtimezones(body: &str) -> Vec<(String, Vec<String>)> {
    let unfolded = icalendar::parser::unfold(body);
    let cal = icalendar::parser::read_calendar(&unfolded).unwrap();
    cal.components
        .iter()
        .filter(|c| c.name == "VTIMEZONE")
        .map(|c| {
            let tzid = c
                .properties
                .iter()
                .find(|p| p.name == "TZID")
                .map(|p| p.val.as_str().to_string())
                .unwrap_or_default();
            let kinds = c
                .components
                .iter()
                .map(|o| o.name.as_str().to_string())
                .collect();
            (tzid, kinds)
        })
        .collect()
}

fn prop<'a>(e: &'a Event, key: &str) -> &'a Property {
    e.properties()
        .get(key)
        .unwrap_or_else(|| panic!("{key} expected on {e:?}"))
}

fn tzid(p: &Property) -> Option<&str> {
    p.params().get("TZID").map(|t| t.value())
}

/// (UID, RECURRENCE-ID, SEQUENCE) of every event: what a calendar program keys its copy on.
fn identities(cal: &Calendar) -> Vec<(String, Option<String>, String)> {
    let mut ids: Vec<_> = events(cal)
        .iter()
        .map(|e| {
            (
                e.property_value("UID").unwrap().to_string(),
                e.property_value("RECURRENCE-ID").map(str::to_string),
                e.property_value("SEQUENCE").unwrap().to_string(),
            )
        })
        .collect();
    ids.sort();
    ids
}

/// The SEQUENCE of the (only) series event in the CAN's feed.
async fn series_sequence(b: &mut Browser, slug: &str) -> Option<String> {
    let cal = parse(&b.get(&format!("/c/{slug}/calendar.ics")).await.body);
    events(&cal)
        .iter()
        .find(|e| e.property_value("RECURRENCE-ID").is_none())
        .and_then(|e| e.property_value("SEQUENCE").map(str::to_string))
}

#[tokio::test]
async fn a_series_is_one_event_with_its_rule_zone_cancellations_and_moved_occurrences() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let first_tuesday = next(Weekday::Tue);
    schedule(
        &mut olu,
        &slug,
        &series_fields("Weekly circle", "weekly", "TU", &ymd(first_tuesday), "19:00"),
    )
    .await;
    let series = series_titled(&app, "Weekly circle").await;
    let all = occurrences(&app, series).await;
    assert!(all.len() >= 10, "the horizon is materialised: {all:?}");
    let (cancelled, cancelled_on) = all[1];
    let (moved, moved_on) = all[2];
    olu.post(&format!("/c/{slug}/meetings/{cancelled}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let moved_to = moved_on + chrono::Duration::days(1);
    olu.post(
        &format!("/c/{slug}/meetings/{moved}/move"),
        &[
            ("date", &ymd(moved_to)),
            ("time", "18:00"),
            ("duration_minutes", "60"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    let feed = mia.get(&format!("/c/{slug}/calendar.ics")).await;
    feed.assert_status(StatusCode::OK);
    assert!(feed.body.contains("\r\n"), "lines end with CRLF");
    let cal = parse(&feed.body);
    // Calendar programs' conventions.
    assert_eq!(
        cal.property_value("X-WR-CALNAME"),
        Some("Riverside Neighbours")
    );
    assert_eq!(cal.property_value("X-WR-TIMEZONE"), Some("Europe/London"));
    assert_eq!(cal.property_value("REFRESH-INTERVAL"), Some("PT1H"));
    assert_eq!(cal.property_value("X-PUBLISHED-TTL"), Some("PT1H"));
    assert_eq!(cal.property_value("METHOD"), Some("PUBLISH"));
    // One zone, described.
    let zones = vtimezones(&feed.body);
    assert_eq!(zones.len(), 1);
    assert_eq!(zones[0].0, "Europe/London");
    assert!(zones[0].1.contains(&"STANDARD".into()) && zones[0].1.contains(&"DAYLIGHT".into()));

    // The series: one event with its rule, local start in the CAN's zone, the cancelled date
    // excluded; the moved occurrence an override with its own SEQUENCE.
    let uid = format!("series-{series}@canopy");
    let evs = events(&cal);
    assert_eq!(evs.len(), 2, "the series and one override: {}", feed.body);
    let master = evs
        .iter()
        .find(|e| e.property_value("RECURRENCE-ID").is_none())
        .unwrap();
    assert_eq!(master.property_value("UID"), Some(uid.as_str()));
    assert_eq!(
        master.property_value("RRULE"),
        Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=TU")
    );
    let start = prop(master, "DTSTART");
    assert_eq!(tzid(start), Some("Europe/London"));
    assert_eq!(
        start.value(),
        format!("{}T190000", first_tuesday.format("%Y%m%d"))
    );
    assert_eq!(master.property_value("DURATION"), Some("PT90M"));
    assert_eq!(master.property_value("SEQUENCE"), Some("0"));
    let exdates = master.multi_properties().get("EXDATE").unwrap();
    assert_eq!(exdates.len(), 1);
    assert_eq!(tzid(&exdates[0]), Some("Europe/London"));
    assert_eq!(
        exdates[0].value(),
        format!("{}T190000", cancelled_on.format("%Y%m%d"))
    );
    assert!(
        master
            .property_value("URL")
            .unwrap()
            .ends_with(&format!("/c/{slug}/meetings/series/{series}"))
    );

    let over = evs
        .iter()
        .find(|e| e.property_value("RECURRENCE-ID").is_some())
        .unwrap();
    assert_eq!(over.property_value("UID"), Some(uid.as_str()));
    let rid = prop(over, "RECURRENCE-ID");
    assert_eq!(tzid(rid), Some("Europe/London"));
    assert_eq!(rid.value(), format!("{}T190000", moved_on.format("%Y%m%d")));
    assert_eq!(
        prop(over, "DTSTART").value(),
        format!("{}T180000", moved_to.format("%Y%m%d"))
    );
    assert_eq!(
        prop(over, "DTEND").value(),
        format!("{}T190000", moved_to.format("%Y%m%d"))
    );
    let sequence: i32 = sqlx::query_scalar("SELECT sequence FROM meetings WHERE id = $1")
        .bind(moved)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(sequence >= 1);
    assert_eq!(
        over.property_value("SEQUENCE"),
        Some(sequence.to_string().as_str())
    );

    // Stable between two fetches: the same UIDs, RECURRENCE-IDs and SEQUENCEs.
    let again = parse(&mia.get(&format!("/c/{slug}/calendar.ics")).await.body);
    assert_eq!(identities(&cal), identities(&again));

    // The series' SEQUENCE grows when what a calendar shows changes, not when more of its
    // occurrences are made.
    sqlx::query("UPDATE meeting_series SET materialised_until = materialised_until + 7")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(series_sequence(&mut mia, &slug).await.as_deref(), Some("0"));
    sqlx::query("UPDATE meeting_series SET start_time = '18:30'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(series_sequence(&mut mia, &slug).await.as_deref(), Some("1"));

    // Occurrences the rule no longer gives (here: the rule moved to Wednesdays behind the
    // series' back) stand alone under their own UID, unless cancelled.
    sqlx::query("UPDATE meeting_series SET rrule = 'FREQ=WEEKLY;INTERVAL=1;BYDAY=WE'")
        .execute(&app.db)
        .await
        .unwrap();
    let cal = parse(&mia.get(&format!("/c/{slug}/calendar.ics")).await.body);
    let singles: Vec<String> = events(&cal)
        .iter()
        .filter_map(|e| e.property_value("UID"))
        .filter(|u| u.starts_with("meeting-"))
        .map(str::to_string)
        .collect();
    assert_eq!(singles.len(), all.len() - 1, "all but the cancelled one");
    assert!(!singles.contains(&format!("meeting-{cancelled}@canopy")));
    assert!(singles.contains(&format!("meeting-{moved}@canopy")));
}

