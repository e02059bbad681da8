//! Calendar feeds (RFC 5545): a CAN's meetings, a member's private feed of all their CANs'
//! meetings (behind a secret, revocable token in the URL, stored hashed), a listed CAN's public
//! feed of the meetings it opened to the neighbourhood, and one meeting's .ics.
//!
//! The shape calendar programs expect: each series is ONE event, `DTSTART;TZID=` its zone and its
//! rule (so a calendar shows the whole series, however far ahead, and keeps 19:00 local across
//! clock changes), with a VTIMEZONE for every zone used, an EXDATE for each cancelled occurrence
//! and an override event (`RECURRENCE-ID`, its own SEQUENCE) for each occurrence moved or changed
//! by hand. An occurrence the current rule no longer gives stands alone, as do one-off meetings.
//! UIDs are stable (`series-{id}@canopy`, `meeting-{id}@canopy`); a series' SEQUENCE grows when
//! its rule, times, title or place change (a trigger), a meeting's when it is moved or cancelled.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

use super::ical::{self, Lines};
use super::model::MeetingStatus;
use super::recurrence;
use crate::error::Result;
use crate::web::token;

/// A series as a feed writes it.
#[derive(Debug, sqlx::FromRow)]
pub struct FeedSeries {
    id: Uuid,
    title: String,
    rrule: String,
    starts_on: NaiveDate,
    until_on: Option<NaiveDate>,
    start_time: NaiveTime,
    duration_minutes: i32,
    #[sqlx(try_from = "crate::db::ZoneName")]
    time_zone: Tz,
    location: String,
    sequence: i32,
    updated_at: DateTime<Utc>,
    what_to_expect: String,
    slug: String,
    can_name: String,
    /// The date of its first meeting in Canopy: the rule's dates before it never happened.
    first_made: Option<NaiveDate>,
}

/// A meeting as a feed writes it: a one-off, or an occurrence of a series.
#[derive(Debug, sqlx::FromRow)]
pub struct FeedMeeting {
    id: Uuid,
    series_id: Option<Uuid>,
    occurrence_on: Option<NaiveDate>,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    location: String,
    status: MeetingStatus,
    sequence: i32,
    updated_at: DateTime<Utc>,
    /// The CAN's zone, in which a one-off's times are written.
    #[sqlx(try_from = "crate::db::ZoneName")]
    can_zone: Tz,
    /// The meeting's own, else its series'.
    what_to_expect: String,
    slug: String,
    can_name: String,
}

/// What a feed holds: series (with their rule) and the meetings that are not just the rule.
#[derive(Debug, Default)]
pub struct Feed {
    pub series: Vec<FeedSeries>,
    pub meetings: Vec<FeedMeeting>,
}

/// Who reads a feed: members (links to the meeting pages), or anyone (no names, what to expect
/// and a link to the CAN's public page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Members,
    Public,
}

/// The calendar as a whole: its name, the zone it is shown in, where its links point.
pub struct CalendarInfo<'a> {
    pub name: &'a str,
    pub zone: Tz,
    pub base_url: &'a str,
    pub audience: Audience,
    pub today: NaiveDate,
}

const SERIES: &str = "
    SELECT s.id, s.title, s.rrule, s.starts_on, s.until_on, s.start_time, s.duration_minutes,
           s.time_zone, s.location, s.sequence, s.updated_at, s.what_to_expect,
           c.slug, c.name AS can_name,
           (SELECT min(g.occurrence_on) FROM meetings g WHERE g.series_id = s.id) AS first_made
    FROM meeting_series s JOIN cans c ON c.id = s.can_id";

const MEETINGS: &str = "
    SELECT g.id, g.series_id, g.occurrence_on, g.title, g.starts_at, g.ends_at, g.location,
           g.status, g.sequence, g.updated_at, c.time_zone AS can_zone,
           COALESCE(NULLIF(g.what_to_expect, ''), s.what_to_expect, '') AS what_to_expect,
           c.slug, c.name AS can_name
    FROM meetings g JOIN cans c ON c.id = g.can_id
    LEFT JOIN meeting_series s ON s.id = g.series_id";

/// Meetings from this many days ago on; the exceptions of a series (cancelled, moved) from any
/// time, since its rule reaches back to its start.
const FEED_PAST_DAYS: i32 = 90;

const RECENT_OR_EXCEPTION: &str = "(g.starts_at > now() - make_interval(days => $2)
      OR (g.series_id IS NOT NULL AND (g.status = 'cancelled' OR g.moved)))";

/// A CAN's series and meetings, in two statements.
pub async fn of_can(db: &PgPool, can_id: Uuid) -> Result<Feed> {
    Ok(Feed {
        series: sqlx::query_as(&format!(
            "{SERIES} WHERE s.can_id = $1 ORDER BY s.created_at"
        ))
        .bind(can_id)
        .fetch_all(db)
        .await?,
        meetings: sqlx::query_as(&format!(
            "{MEETINGS} WHERE g.can_id = $1 AND {RECENT_OR_EXCEPTION} ORDER BY g.starts_at"
        ))
        .bind(can_id)
        .bind(FEED_PAST_DAYS)
        .fetch_all(db)
        .await?,
    })
}

/// One meeting of the CAN (none when the id is another CAN's), as a single event.
pub async fn one(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<Feed> {
    Ok(Feed {
        series: Vec::new(),
        meetings: sqlx::query_as(&format!("{MEETINGS} WHERE g.can_id = $1 AND g.id = $2"))
            .bind(can_id)
            .bind(id)
            .fetch_all(db)
            .await?,
    })
}

/// Every series and meeting of every CAN the member currently belongs to.
pub async fn of_member(db: &PgPool, member: Uuid) -> Result<Feed> {
    const MINE: &str =
        "JOIN memberships m ON m.can_id = c.id AND m.member_id = $1 AND m.status <> 'left'";
    Ok(Feed {
        series: sqlx::query_as(&format!("{SERIES} {MINE} ORDER BY s.created_at"))
            .bind(member)
            .fetch_all(db)
            .await?,
        meetings: sqlx::query_as(&format!(
            "{MEETINGS} {MINE} WHERE {RECENT_OR_EXCEPTION} ORDER BY g.starts_at"
        ))
        .bind(member)
        .bind(FEED_PAST_DAYS)
        .fetch_all(db)
        .await?,
    })
}

/// A listed CAN, as its public feed names it.
#[derive(Debug, sqlx::FromRow)]
pub struct PublicCan {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    pub time_zone: Tz,
}

/// The listed CAN with this slug; `None` for an unknown or invite-only one.
pub async fn listed_can(db: &PgPool, slug: &str) -> Result<Option<PublicCan>> {
    Ok(sqlx::query_as(
        "SELECT id, slug, name, time_zone FROM cans WHERE slug = $1 AND visibility = 'listed'",
    )
    .bind(slug)
    .fetch_optional(db)
    .await?)
}

/// What a listed CAN opened to the neighbourhood: its open series, and meetings open on their
/// own or through their series. Listing is checked again in each statement.
pub async fn public_of(db: &PgPool, can_id: Uuid) -> Result<Feed> {
    Ok(Feed {
        series: sqlx::query_as(&format!(
            "{SERIES} WHERE s.can_id = $1 AND s.open_to_public AND c.visibility = 'listed'
             ORDER BY s.created_at"
        ))
        .bind(can_id)
        .fetch_all(db)
        .await?,
        meetings: sqlx::query_as(&format!(
            "{MEETINGS} WHERE g.can_id = $1 AND (g.open_to_public OR s.open_to_public)
               AND c.visibility = 'listed' AND {RECENT_OR_EXCEPTION} ORDER BY g.starts_at"
        ))
        .bind(can_id)
        .bind(FEED_PAST_DAYS)
        .fetch_all(db)
        .await?,
    })
}

/// The calendar text of `feed`.
pub fn calendar(info: &CalendarInfo<'_>, feed: &Feed) -> String {
    let mut events = Lines::new();
    let mut zones = Zones::default();
    let mut of_series: HashMap<Uuid, Vec<&FeedMeeting>> = HashMap::new();
    let mut alone: Vec<&FeedMeeting> = Vec::new();
    let known: BTreeSet<Uuid> = feed.series.iter().map(|s| s.id).collect();
    for m in &feed.meetings {
        match m.series_id {
            Some(id) if known.contains(&id) => of_series.entry(id).or_default().push(m),
            _ => alone.push(m),
        }
    }
    for s in &feed.series {
        let meetings = of_series.remove(&s.id).unwrap_or_default();
        alone.extend(write_series(&mut events, &mut zones, info, s, &meetings));
    }
    for m in alone {
        write_single(&mut events, &mut zones, info, m);
    }

    let mut out = Lines::new();
    out.begin("VCALENDAR")
        .raw("VERSION", "2.0")
        .raw("PRODID", "-//Canopy//Meetings//EN")
        .raw("CALSCALE", "GREGORIAN")
        .raw("METHOD", "PUBLISH")
        .text("X-WR-CALNAME", info.name)
        .raw("X-WR-TIMEZONE", info.zone.name())
        .raw("REFRESH-INTERVAL;VALUE=DURATION", "PT1H")
        .raw("X-PUBLISHED-TTL", "PT1H");
    zones.write(&mut out, info.today);
    let mut text = out.finish();
    text.push_str(&events.finish());
    text.push_str("END:VCALENDAR\r\n");
    text
}

/// The zones a calendar's events use, and the years they span.
#[derive(Default)]
struct Zones {
    used: Vec<Tz>,
    first_year: Option<i32>,
    last_year: Option<i32>,
    open_ended: bool,
}

impl Zones {
    fn note(&mut self, tz: Tz, from: NaiveDate, to: NaiveDate) {
        if !self.used.contains(&tz) {
            self.used.push(tz);
        }
        self.first_year = Some(self.first_year.map_or(from.year(), |y| y.min(from.year())));
        self.last_year = Some(self.last_year.map_or(to.year(), |y| y.max(to.year())));
    }

    /// A VTIMEZONE per zone, covering the years of the events (and ten years on from today for a
    /// series without an end, so calendars need not guess the clock changes ahead).
    fn write(&self, out: &mut Lines, today: NaiveDate) {
        let (Some(first), Some(last)) = (self.first_year, self.last_year) else {
            return;
        };
        let last = if self.open_ended {
            last.max(today.year() + 10)
        } else {
            last
        };
        for tz in &self.used {
            ical::vtimezone::write(out, *tz, first, last);
        }
    }
}

/// The series' event and its exceptions; returns its meetings that the rule does not give (they
/// are written on their own).
fn write_series<'m>(
    out: &mut Lines,
    zones: &mut Zones,
    info: &CalendarInfo<'_>,
    s: &FeedSeries,
    meetings: &[&'m FeedMeeting],
) -> Vec<&'m FeedMeeting> {
    let Some(rule_first) = recurrence::first_date(&s.rrule, s.starts_on, s.until_on) else {
        return meetings.to_vec();
    };
    // The event begins at the rule's first date on or after the series' first meeting: a series
    // made with a start in the past had no meetings on the dates before it was made.
    let first = s
        .first_made
        .and_then(|made| recurrence::next_dates(&s.rrule, s.starts_on, s.until_on, made, 1).pop())
        .filter(|f| *f > rule_first)
        .unwrap_or(rule_first);
    let tz = s.time_zone;
    zones.note(tz, first, s.until_on.unwrap_or(first));
    zones.open_ended |= s.until_on.is_none();
    let rule_start = |day: NaiveDate| recurrence::instant(day, s.start_time, tz);
    let rule_end =
        |day: NaiveDate| rule_start(day) + chrono::Duration::minutes(i64::from(s.duration_minutes));

    let mut cancelled = Vec::new();
    let mut changed = Vec::new();
    let mut alone = Vec::new();
    for m in meetings {
        let on_rule = m
            .occurrence_on
            .filter(|day| recurrence::falls_on(&s.rrule, s.starts_on, s.until_on, *day));
        match on_rule {
            None if m.status.is_cancelled() => {}
            None => alone.push(*m),
            Some(day) if m.status.is_cancelled() => cancelled.push(day),
            Some(day) => {
                // A meeting's own "what to expect" is its own description, in the public feed as
                // on the public page.
                if m.starts_at != rule_start(day)
                    || m.ends_at != rule_end(day)
                    || m.title != s.title
                    || m.location != s.location
                    || m.what_to_expect != s.what_to_expect
                {
                    changed.push((day, *m));
                }
            }
        }
    }

    // Past dates of the rule (as far back as the meetings read, FEED_PAST_DAYS) with no meeting:
    // the rule changed after them (the meetings of the old rule are written on their own), so
    // the calendar must not show a meeting that never was.
    let made: BTreeSet<NaiveDate> = meetings.iter().filter_map(|m| m.occurrence_on).collect();
    // (Two days inside the window the meetings were read for, so none at its edge is missed.)
    let window = (info.today - chrono::Duration::days(i64::from(FEED_PAST_DAYS - 2))).max(first);
    if let Some(yesterday) = info.today.pred_opt()
        && let Ok(past) = recurrence::dates(&s.rrule, s.starts_on, s.until_on, window, yesterday)
    {
        cancelled.extend(past.into_iter().filter(|d| !made.contains(d)));
        cancelled.sort();
    }

    let series_url = format!("{}/c/{}/meetings/series/{}", info.base_url, s.slug, s.id);
    out.begin("VEVENT")
        .raw("UID", &format!("series-{}@canopy", s.id))
        .utc("DTSTAMP", s.updated_at)
        .raw("SEQUENCE", &s.sequence.max(0).to_string())
        .local("DTSTART", first.and_time(s.start_time), tz)
        .raw("DURATION", &format!("PT{}M", s.duration_minutes.max(1)))
        .raw("RRULE", &rule_with_until(s));
    for day in &cancelled {
        out.local("EXDATE", day.and_time(s.start_time), tz);
    }
    describe(
        out,
        info,
        &s.title,
        &s.can_name,
        &s.location,
        &s.what_to_expect,
        &s.slug,
        &series_url,
    );
    out.raw("STATUS", "CONFIRMED").end("VEVENT");

    for (day, m) in changed {
        zones.note(tz, day, m.starts_at.with_timezone(&tz).date_naive());
        let url = format!("{}/c/{}/meetings/{}", info.base_url, m.slug, m.id);
        out.begin("VEVENT")
            .raw("UID", &format!("series-{}@canopy", s.id))
            .utc("DTSTAMP", m.updated_at)
            // Never below the series' own: readers that compare SEQUENCE keep the newest.
            .raw("SEQUENCE", &m.sequence.max(s.sequence).max(0).to_string())
            .local("RECURRENCE-ID", day.and_time(s.start_time), tz)
            .at("DTSTART", m.starts_at, tz)
            .at("DTEND", m.ends_at, tz);
        describe(
            out,
            info,
            &m.title,
            &m.can_name,
            &m.location,
            &m.what_to_expect,
            &m.slug,
            &url,
        );
        out.raw("STATUS", "CONFIRMED").end("VEVENT");
    }
    alone
}

/// The stored rule, ended (when the series has an end date) at the end of that day in the
/// series' zone, in UTC as RFC 5545 asks when DTSTART has a TZID.
fn rule_with_until(s: &FeedSeries) -> String {
    let rule: Vec<&str> = s
        .rrule
        .split(';')
        .filter(|p| !p.starts_with("UNTIL=") && !p.starts_with("COUNT="))
        .collect();
    let mut rule = rule.join(";");
    if let Some(until) = s.until_on {
        let end_of_day = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default();
        let at = recurrence::instant(until, end_of_day, s.time_zone);
        rule.push_str(&format!(";UNTIL={}", ical::utc_value(at)));
    }
    rule
}

/// A one-off meeting, or an occurrence the series' rule no longer gives, as its own event.
fn write_single(out: &mut Lines, zones: &mut Zones, info: &CalendarInfo<'_>, m: &FeedMeeting) {
    let tz = m.can_zone;
    let local = |at: DateTime<Utc>| at.with_timezone(&tz).date_naive();
    zones.note(tz, local(m.starts_at), local(m.ends_at));
    let url = format!("{}/c/{}/meetings/{}", info.base_url, m.slug, m.id);
    out.begin("VEVENT")
        .raw("UID", &format!("meeting-{}@canopy", m.id))
        .utc("DTSTAMP", m.updated_at)
        .raw("SEQUENCE", &m.sequence.max(0).to_string())
        .at("DTSTART", m.starts_at, tz)
        .at("DTEND", m.ends_at, tz);
    describe(
        out,
        info,
        &m.title,
        &m.can_name,
        &m.location,
        &m.what_to_expect,
        &m.slug,
        &url,
    );
    let status = if m.status.is_cancelled() {
        "CANCELLED"
    } else {
        "CONFIRMED"
    };
    out.raw("STATUS", status).end("VEVENT");
}

/// SUMMARY, LOCATION, URL and DESCRIPTION: for members a link to the page with the agenda and
/// RSVPs; for the public, what to expect and the CAN's public page.
#[allow(clippy::too_many_arguments)]
fn describe(
    out: &mut Lines,
    info: &CalendarInfo<'_>,
    title: &str,
    can_name: &str,
    location: &str,
    what_to_expect: &str,
    slug: &str,
    page: &str,
) {
    out.text("SUMMARY", &format!("{title} — {can_name}"));
    if !location.is_empty() {
        out.text("LOCATION", location);
    }
    match info.audience {
        Audience::Members => {
            out.raw("URL", page)
                .text("DESCRIPTION", &format!("Agenda, RSVP and minutes: {page}"));
        }
        Audience::Public => {
            let public = format!("{}/c/{slug}", info.base_url);
            let text = if what_to_expect.trim().is_empty() {
                format!("Open to the neighbourhood. More about {can_name}: {public}")
            } else {
                format!(
                    "{}\n\nOpen to the neighbourhood. More about {can_name}: {public}",
                    what_to_expect.trim()
                )
            };
            out.raw("URL", &public).text("DESCRIPTION", &text);
        }
    }
}

/// Whose private feed the secret in a feed URL opens, if anyone's, and their zone.
#[derive(Debug, sqlx::FromRow)]
pub struct FeedOwner {
    pub id: Uuid,
    #[sqlx(try_from = "crate::db::ZoneName")]
    pub time_zone: Tz,
}

pub async fn owner_of(db: &PgPool, secret: &str) -> Result<Option<FeedOwner>> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.time_zone FROM calendar_tokens t JOIN members m ON m.id = t.member_id
         WHERE t.token_hash = $1",
    )
    .bind(token::hash(secret))
    .fetch_optional(db)
    .await?)
}

pub async fn has_link(db: &PgPool, member: Uuid) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM calendar_tokens WHERE member_id = $1)")
            .bind(member)
            .fetch_one(db)
            .await?,
    )
}

/// Makes the member a new private feed secret (the old one stops working) and returns it.
pub async fn renew_link(db: &PgPool, member: Uuid) -> Result<String> {
    let secret = token::random();
    sqlx::query(
        "INSERT INTO calendar_tokens (member_id, token_hash) VALUES ($1, $2)
         ON CONFLICT (member_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()",
    )
    .bind(member)
    .bind(token::hash(&secret))
    .execute(db)
    .await?;
    Ok(secret)
}

/// Turns the member's private feed off.
pub async fn revoke_link(db: &PgPool, member: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM calendar_tokens WHERE member_id = $1")
        .bind(member)
        .execute(db)
        .await?;
    Ok(())
}
