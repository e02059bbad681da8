//! Calendar feeds as calendar programs read them (issue 14): each series one event with its rule
//! and zone, a VTIMEZONE, EXDATE for a cancelled occurrence and a RECURRENCE-ID override for a
//! moved one, stable UIDs and SEQUENCE, the public feed of a listed CAN; read back by the
//! `icalendar` crate and expanded by Python's `icalendar` + `recurring-ical-events`
//! (tests/ical/check_feed.py, in the venv `scripts/install-deps` makes).

use std::path::PathBuf;
use std::process::Command;

use axum::http::StatusCode;
use chrono::{Months, NaiveDate, Utc, Weekday};
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

/// Moves one meeting alone to `day` at 18:00 for an hour, through its page's form.
async fn move_to_six_pm(olu: &mut Browser, slug: &str, meeting: Uuid, day: NaiveDate) {
    olu.post(
        &format!("/c/{slug}/meetings/{meeting}/move"),
        &[
            ("date", &ymd(day)),
            ("time", "18:00"),
            ("duration_minutes", "60"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
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
        &series_fields(
            "Weekly circle",
            "weekly",
            "TU",
            &ymd(first_tuesday),
            "19:00",
        ),
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
    move_to_six_pm(&mut olu, &slug, moved, moved_to).await;

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
    // Cancelling an occurrence changes the series' recurrence set (an EXDATE): its SEQUENCE grows
    // (RFC 5545 3.8.7.4), from 0 to 1.
    assert_eq!(master.property_value("SEQUENCE"), Some("1"));
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
    assert_eq!(series_sequence(&mut mia, &slug).await.as_deref(), Some("1"));
    sqlx::query("UPDATE meeting_series SET start_time = '18:30'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(series_sequence(&mut mia, &slug).await.as_deref(), Some("2"));

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

/// The venv's Python with `icalendar` and `recurring-ical-events`; made by scripts/install-deps
/// when missing (the suite fails, never skips, when that does not bring it).
fn python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("tests/ical/.venv/bin/python");
    crate::install::ensure("the calendar feed checks", || {
        let works = Command::new(&python)
            .args(["-c", "import icalendar, recurring_ical_events"])
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            Vec::new()
        } else {
            vec!["tests/ical/.venv (icalendar, recurring-ical-events)".into()]
        }
    });
    python
}

/// The feed expanded by tests/ical/check_feed.py between two dates: its occurrences, and whether
/// its VTIMEZONEs agree with the tz database at each.
fn expand(body: &str, from: NaiveDate, to: NaiveDate) -> Value {
    let dir = TempDir::new("feed");
    let file = dir.0.join("feed.ics");
    std::fs::write(&file, body).unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ical/check_feed.py");
    let out = Command::new(python())
        .arg(script)
        .arg(&file)
        .arg(ymd(from))
        .arg(ymd(to))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check_feed.py failed: {}\n{body}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (zone, check) in value["vtimezones"].as_object().unwrap() {
        assert_eq!(
            check["disagreements"].as_array().map(Vec::len),
            Some(0),
            "our VTIMEZONE for {zone} disagrees with the tz database: {check}"
        );
    }
    value
}

/// The expanded occurrences of one UID.
fn of_uid<'a>(expanded: &'a Value, uid: &str) -> Vec<&'a Value> {
    expanded["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["uid"] == uid)
        .collect()
}

#[tokio::test]
async fn calendar_programs_expand_the_feed_at_the_right_local_times() {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside", "riverside", "listed")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    new_york_can(&mut olu, "invite_only").await;
    let tuesday = next(Weekday::Tue);
    for slug in ["riverside", "harlem"] {
        schedule(
            &mut olu,
            slug,
            &series_fields("Weekly circle", "weekly", "TU", &ymd(tuesday), "19:00"),
        )
        .await;
    }
    // A series created today that starts in four months, on Thursdays.
    let in_four_months = today().checked_add_months(Months::new(4)).unwrap();
    schedule(
        &mut olu,
        "riverside",
        &series_fields(
            "Spring garden club",
            "weekly",
            "TH",
            &ymd(in_four_months),
            "19:00",
        ),
    )
    .await;
    let first_thursday = canopy::meetings::recurrence::next_weekday(in_four_months, Weekday::Thu);

    // In London, one occurrence is moved and one cancelled.
    let (london, harlem): (Uuid, Uuid) = sqlx::query_as(
        "SELECT (SELECT s.id FROM meeting_series s JOIN cans c ON c.id = s.can_id
                 WHERE c.slug = 'riverside' AND s.title = 'Weekly circle'),
                (SELECT s.id FROM meeting_series s JOIN cans c ON c.id = s.can_id
                 WHERE c.slug = 'harlem')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let spring = series_titled(&app, "Spring garden club").await;
    let occ = occurrences(&app, london).await;
    let (moved, moved_on) = occ[1];
    let (cancelled, cancelled_on) = occ[2];
    let moved_to = moved_on + chrono::Duration::days(1);
    move_to_six_pm(&mut olu, "riverside", moved, moved_to).await;
    olu.post(&format!("/c/riverside/meetings/{cancelled}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!("meetings WHERE series_id = '{spring}'"))
            .await,
        0,
        "four months ahead is beyond the materialised horizon"
    );

    // A year and more: both clock changes in London and in New York.
    let (from, to) = (today(), today() + chrono::Duration::days(400));
    let mut private = olu.same_session_on(&app);
    private.get("/account/calendar").await;
    let page = private
        .post("/account/calendar", &[("action", "new")])
        .await;
    let link = page
        .body
        .split("id=\"feed-link\" type=\"text\" readonly value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .trim_start_matches("http://localhost")
        .to_string();
    let mut calendar_app = app.browser();
    let body = calendar_app.get(&link).await.body;
    let expanded = expand(&body, from, to);

    for (series, zone) in [(london, "Europe/London"), (harlem, "America/New_York")] {
        let events = of_uid(&expanded, &format!("series-{series}@canopy"));
        assert!(
            events.len() >= 50,
            "{zone}: a year of Tuesdays: {}",
            events.len()
        );
        let mut offsets = std::collections::BTreeSet::new();
        for e in &events {
            assert_eq!(e["zone"], zone);
            let start = e["start"].as_str().unwrap();
            offsets.insert(start[start.len() - 6..].to_string());
            if e["local_date"] == ymd(moved_to) {
                continue;
            }
            assert_eq!(e["local_time"], "19:00", "{zone}: {e}");
            assert!(e["end"].as_str().unwrap().contains("T20:30:00"), "{e}");
        }
        assert_eq!(
            offsets.len(),
            2,
            "{zone} has summer and winter time: {offsets:?}"
        );
    }
    // The moved occurrence once, at its new time; the cancelled one not at all.
    let london_events = of_uid(&expanded, &format!("series-{london}@canopy"));
    let dates: Vec<&str> = london_events
        .iter()
        .map(|e| e["local_date"].as_str().unwrap())
        .collect();
    assert!(
        !dates.contains(&ymd(moved_on).as_str()),
        "not at the old date"
    );
    assert!(!dates.contains(&ymd(cancelled_on).as_str()), "cancelled");
    let at_new: Vec<_> = london_events
        .iter()
        .filter(|e| e["local_date"] == ymd(moved_to))
        .collect();
    assert_eq!(at_new.len(), 1, "once at the new time");
    assert_eq!(at_new[0]["local_time"], "18:00");
    // The series four months ahead is there, from its first Thursday, at 19:00.
    let spring_events = of_uid(&expanded, &format!("series-{spring}@canopy"));
    assert!(!spring_events.is_empty());
    assert_eq!(spring_events[0]["local_date"], ymd(first_thursday));
    assert!(spring_events.iter().all(|e| e["local_time"] == "19:00"));

    // The CAN's own feed and the public one read the same way.
    let can_feed = olu.get("/c/riverside/calendar.ics").await.body;
    let expanded = expand(&can_feed, from, to);
    assert!(!of_uid(&expanded, &format!("series-{spring}@canopy")).is_empty());
    sqlx::query("UPDATE meeting_series SET open_to_public = true WHERE id = $1")
        .bind(spring)
        .execute(&app.db)
        .await
        .unwrap();
    let public = calendar_app.get("/c/riverside/public.ics").await;
    public.assert_status(StatusCode::OK);
    let expanded = expand(&public.body, from, to);
    let events = expanded["events"].as_array().unwrap();
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| e["uid"] == format!("series-{spring}@canopy"))
    );
}

#[tokio::test]
async fn the_public_feed_shows_only_what_a_listed_can_opened_and_no_names() {
    let (app, mut olu, _mia, slug) = can_with_member("listed").await;
    let tuesday = next(Weekday::Tue);
    schedule(
        &mut olu,
        &slug,
        &series_fields("Weekly circle", "weekly", "TU", &ymd(tuesday), "19:00"),
    )
    .await;
    schedule(
        &mut olu,
        &slug,
        &series_fields("Core team", "weekly", "WE", &ymd(tuesday), "18:00"),
    )
    .await;
    let mut visitor = app.browser();
    // Nothing opened yet: an empty calendar, not an error.
    let empty = visitor.get(&format!("/c/{slug}/public.ics")).await;
    empty.assert_status(StatusCode::OK);
    assert!(events(&parse(&empty.body)).is_empty(), "{}", empty.body);

    let circle = series_titled(&app, "Weekly circle").await;
    sqlx::query(
        "UPDATE meeting_series SET open_to_public = true,
                what_to_expect = 'Tea, a round of news, and a plan for the street party.'
         WHERE id = $1",
    )
    .bind(circle)
    .execute(&app.db)
    .await
    .unwrap();
    // Olu facilitates the first meeting: still no names in the public feed.
    let first = occurrences(&app, circle).await[0].0;
    let olu_id = app.member_id("olu@example.org").await;
    sqlx::query("UPDATE meetings SET facilitator_id = $2 WHERE id = $1")
        .bind(first)
        .bind(olu_id)
        .execute(&app.db)
        .await
        .unwrap();
    let public = visitor.get(&format!("/c/{slug}/public.ics")).await;
    public.assert_status(StatusCode::OK);
    let cal = parse(&public.body);
    let evs = events(&cal);
    assert_eq!(evs.len(), 1, "{}", public.body);
    assert_eq!(
        evs[0].property_value("UID"),
        Some(format!("series-{circle}@canopy").as_str())
    );
    let description = evs[0].property_value("DESCRIPTION").unwrap();
    assert!(description.contains("a round of news"), "{description}");
    assert!(description.contains(&format!("/c/{slug}")), "{description}");
    assert!(!public.body.contains("Core team"));
    for name in ["Olu", "Mia", "olu@example.org", "mia@example.org"] {
        assert!(!public.body.contains(name), "{name} in the public feed");
    }
    assert!(!public.body.contains("/meetings/"), "no member pages");
    assert_eq!(vtimezones(&public.body).len(), 1);

    // Unknown CANs and invite-only ones are 404 with nothing in them, whatever their flags say.
    visitor
        .get("/c/nowhere/public.ics")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    sqlx::query("UPDATE cans SET visibility = 'invite_only'")
        .execute(&app.db)
        .await
        .unwrap();
    let hidden = visitor.get(&format!("/c/{slug}/public.ics")).await;
    hidden.assert_status(StatusCode::NOT_FOUND);
    assert!(!hidden.body.contains("Weekly circle") && !hidden.body.contains("BEGIN:VCALENDAR"));
}

#[tokio::test]
async fn a_one_off_meeting_is_a_single_event_in_the_zone_and_the_private_feed_speaks_the_members_zone()
 {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let day = today() + chrono::Duration::days(10);
    let mut fields = series_fields("Street party planning", "once", "TU", "", "18:30");
    let day_text = ymd(day);
    for f in fields.iter_mut() {
        if f.0 == "starts_on" {
            f.1 = &day_text;
        }
    }
    schedule(&mut olu, &slug, &fields).await;
    let id: Uuid = sqlx::query_scalar("SELECT id FROM meetings WHERE series_id IS NULL")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let one = mia.get(&format!("/c/{slug}/meetings/{id}/event.ics")).await;
    one.assert_status(StatusCode::OK);
    let cal = parse(&one.body);
    let evs = events(&cal);
    assert_eq!(evs.len(), 1);
    assert_eq!(
        evs[0].property_value("UID"),
        Some(format!("meeting-{id}@canopy").as_str())
    );
    let start = prop(evs[0], "DTSTART");
    assert_eq!(tzid(start), Some("Europe/London"));
    assert_eq!(start.value(), format!("{}T183000", day.format("%Y%m%d")));
    assert!(evs[0].property_value("RRULE").is_none());
    assert_eq!(vtimezones(&one.body)[0].0, "Europe/London");
    // In the CAN's feed too, as a single event.
    let feed = parse(&mia.get(&format!("/c/{slug}/calendar.ics")).await.body);
    assert_eq!(identities(&feed).len(), 1);

    // Mia lives in New York: her private feed is shown in her zone, the times keep theirs.
    sqlx::query(
        "UPDATE members SET time_zone = 'America/New_York' WHERE email = 'mia@example.org'",
    )
    .execute(&app.db)
    .await
    .unwrap();
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
        .trim_start_matches("http://localhost")
        .to_string();
    let private = app.browser().get(&link).await;
    private.assert_status(StatusCode::OK);
    let cal = parse(&private.body);
    assert_eq!(
        cal.property_value("X-WR-TIMEZONE"),
        Some("America/New_York")
    );
    assert_eq!(
        tzid(prop(events(&cal)[0], "DTSTART")),
        Some("Europe/London")
    );
}

#[tokio::test]
async fn a_series_beyond_the_horizon_shows_on_the_meetings_and_series_pages_and_who_served_when() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let in_four_months = today().checked_add_months(Months::new(4)).unwrap();
    schedule(
        &mut olu,
        &slug,
        &series_fields(
            "Spring garden club",
            "weekly",
            "TH",
            &ymd(in_four_months),
            "19:00",
        ),
    )
    .await;
    let first = canopy::meetings::recurrence::next_weekday(in_four_months, Weekday::Thu);
    let spring = series_titled(&app, "Spring garden club").await;
    let list = mia.get(&format!("/c/{slug}/meetings")).await;
    list.assert_status(StatusCode::OK)
        .assert_contains(&format!(
            "Weekly on Thursdays at 19:00 from {}",
            first.format("%-d %B %Y")
        ))
        .assert_contains("Nothing in the next twelve weeks")
        .assert_lacks("No meetings scheduled");
    let page = mia
        .get(&format!("/c/{slug}/meetings/series/{spring}"))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains(&first.format("%A %-d %B %Y, 19:00–20:30").to_string())
        .assert_contains("planned</span>")
        .assert_lacks("None scheduled");

    // A weekly circle now: its dates say what became of them, and past ones who served.
    let tuesday = next(Weekday::Tue);
    schedule(
        &mut olu,
        &slug,
        &series_fields("Weekly circle", "weekly", "TU", &ymd(tuesday), "19:00"),
    )
    .await;
    let circle = series_titled(&app, "Weekly circle").await;
    let occ = occurrences(&app, circle).await;
    olu.post(&format!("/c/{slug}/meetings/{}/cancel", occ[1].0), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    move_to_six_pm(
        &mut olu,
        &slug,
        occ[2].0,
        occ[2].1 + chrono::Duration::days(1),
    )
    .await;
    let page = mia
        .get(&format!("/c/{slug}/meetings/series/{circle}"))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains(&format!(
            "Weekly on Tuesdays at 19:00 from {}",
            tuesday.format("%-d %B %Y")
        ))
        .assert_contains("cancelled")
        .assert_contains("moved</span> to")
        .assert_contains("on the calendar")
        .assert_contains("planned</span>");

    // A meeting held last week, facilitated by Olu with Mia taking notes.
    let (olu_id, mia_id) = (
        app.member_id("olu@example.org").await,
        app.member_id("mia@example.org").await,
    );
    sqlx::query(
        "UPDATE meetings SET starts_at = now() - interval '7 days',
                ends_at = now() - interval '7 days' + interval '90 minutes',
                status = 'held', facilitator_id = $2, note_taker_id = $3
         WHERE id = $1",
    )
    .bind(occ[0].0)
    .bind(olu_id)
    .bind(mia_id)
    .execute(&app.db)
    .await
    .unwrap();
    let page = mia
        .get(&format!("/c/{slug}/meetings/series/{circle}"))
        .await;
    page.assert_contains("Who served when")
        .assert_contains("<td>Olu</td><td>Mia</td><td>Held</td>");
}
