//! VTIMEZONE from the tz database (via chrono-tz): every change of UTC offset in the years a
//! calendar spans, found by scanning week by week and narrowing each change down to the second,
//! written as STANDARD and DAYLIGHT observances — one per kind of change, its first onset as
//! DTSTART and the later ones as RDATEs — plus an observance for the offset in force when the
//! span begins. A zone without clock changes gets that one STANDARD observance.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use super::Lines;

/// The offset in force at one instant: seconds east of UTC, its abbreviation, whether it is
/// daylight saving time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    offset: i32,
    name: String,
    daylight: bool,
}

fn state(tz: Tz, at: i64) -> State {
    let utc = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    let off = tz.offset_from_utc_datetime(&utc.naive_utc());
    State {
        offset: off.fix().local_minus_utc(),
        name: off
            .abbreviation()
            .map_or_else(|| offset_value(off.fix().local_minus_utc()), str::to_owned),
        daylight: !off.dst_offset().is_zero(),
    }
}

/// One onset of an observance: the UTC instant, the offset before and the state after.
#[derive(Debug, Clone)]
struct Onset {
    at: i64,
    from: i32,
    to: State,
}

/// The changes of offset in `tz` from 1 January `from_year` to the end of `to_year` (UTC).
const DAY: i64 = 24 * 3600;

fn onsets(tz: Tz, from_year: i32, to_year: i32) -> (State, Vec<Onset>) {
    let year_start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |t| t.and_utc().timestamp())
    };
    // From a day before 1 January (UTC): an event early on 1 January local time east of UTC
    // (Tokyo, Auckland) falls before midnight UTC, and must already be covered.
    let (start, end) = (year_start(from_year) - DAY, year_start(to_year + 1));
    const WEEK: i64 = 7 * 24 * 3600;
    let first = state(tz, start);
    let (mut at, mut now) = (start, first.clone());
    let mut found = Vec::new();
    while at < end {
        let next = (at + WEEK).min(end);
        let then = state(tz, next);
        if then == now {
            at = next;
            continue;
        }
        // The first second whose state differs from `now`, between `at` and `next`.
        let (mut lo, mut hi) = (at, next);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if state(tz, mid) == now {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let to = state(tz, hi);
        found.push(Onset {
            at: hi,
            from: now.offset,
            to: to.clone(),
        });
        (at, now) = (hi, to);
    }
    (first, found)
}

/// `+0530`, `-0500` (with seconds when a historic offset has them).
fn offset_value(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    if s.is_multiple_of(60) {
        format!("{sign}{:02}{:02}", s / 3600, s / 60 % 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

/// The local time (in the offset before the change) at which an observance begins, as DTSTART
/// and RDATE want it.
fn local_value(at: i64, offset_before: i32) -> String {
    DateTime::<Utc>::from_timestamp(at + i64::from(offset_before), 0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

/// The VTIMEZONEs written so far, by zone and years: the text depends on nothing else (the tz
/// database is compiled in), and finding the clock changes of ten years costs more than the rest
/// of a feed. Bounded: emptied when it grows past [`CACHED`] entries.
/// A zone and the first and last year its VTIMEZONE covers.
type Span = (Tz, i32, i32);
static WRITTEN: LazyLock<Mutex<HashMap<Span, Arc<str>>>> = LazyLock::new(Default::default);
const CACHED: usize = 512;

/// Writes the VTIMEZONE of `tz` covering the years `from_year` to `to_year`.
pub fn write(out: &mut Lines, tz: Tz, from_year: i32, to_year: i32) {
    let key = (tz, from_year, to_year);
    let cached = WRITTEN.lock().ok().and_then(|m| m.get(&key).cloned());
    let text = cached.unwrap_or_else(|| {
        let mut l = Lines::new();
        compute(&mut l, tz, from_year, to_year);
        let text: Arc<str> = l.finish().into();
        if let Ok(mut m) = WRITTEN.lock() {
            if m.len() >= CACHED {
                m.clear();
            }
            m.insert(key, text.clone());
        }
        text
    });
    out.lines(&text);
}

fn compute(out: &mut Lines, tz: Tz, from_year: i32, to_year: i32) {
    let (first, changes) = onsets(tz, from_year, to_year.max(from_year));
    let start = NaiveDate::from_ymd_opt(from_year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp())
        - DAY;
    // The offset in force when the span begins, then one observance per kind of change.
    let mut groups: Vec<(i32, State, Vec<i64>)> = vec![(first.offset, first.clone(), vec![start])];
    for c in &changes {
        match groups
            .iter_mut()
            .skip(1)
            .find(|(from, to, _)| *from == c.from && *to == c.to)
        {
            Some((_, _, ats)) => ats.push(c.at),
            None => groups.push((c.from, c.to.clone(), vec![c.at])),
        }
    }
    out.begin("VTIMEZONE").raw("TZID", tz.name());
    for (from, to, ats) in &groups {
        let kind = if to.daylight { "DAYLIGHT" } else { "STANDARD" };
        out.begin(kind);
        let mut ats = ats.iter();
        if let Some(at) = ats.next() {
            out.raw("DTSTART", &local_value(*at, *from));
        }
        out.raw("TZOFFSETFROM", &offset_value(*from))
            .raw("TZOFFSETTO", &offset_value(to.offset))
            .text("TZNAME", &to.name);
        for at in ats {
            out.raw("RDATE", &local_value(*at, *from));
        }
        out.end(kind);
    }
    out.end("VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn vtimezone(tz: Tz, from: i32, to: i32) -> String {
        let mut l = Lines::new();
        write(&mut l, tz, from, to);
        l.finish()
    }

    /// Reads our VTIMEZONE back: (UTC instant of each onset, offset after), in order.
    fn read_back(text: &str) -> Vec<(i64, i32)> {
        let parse_offset = |v: &str| {
            let sign = if v.starts_with('-') { -1 } else { 1 };
            let h: i32 = v[1..3].parse().unwrap(); // ok: test fixture
            let m: i32 = v[3..5].parse().unwrap(); // ok: test fixture
            sign * (h * 3600 + m * 60)
        };
        let mut out = Vec::new();
        let (mut from, mut to, mut locals) = (0, 0, Vec::new());
        for line in text.split("\r\n") {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            match name {
                "DTSTART" | "RDATE" => locals.push(
                    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").unwrap(), // ok: test fixture
                ),
                "TZOFFSETFROM" => from = parse_offset(value),
                "TZOFFSETTO" => to = parse_offset(value),
                "END" if value == "STANDARD" || value == "DAYLIGHT" => {
                    for l in locals.drain(..) {
                        out.push((l.and_utc().timestamp() - i64::from(from), to));
                    }
                }
                _ => {}
            }
        }
        out.sort();
        out
    }

    /// Every six hours across the span, the offset our VTIMEZONE gives is the tz database's.
    fn agrees_with_the_tz_database(tz: Tz, from: i32, to: i32) {
        let onsets = read_back(&vtimezone(tz, from, to));
        let start = NaiveDate::from_ymd_opt(from, 1, 1)
            .unwrap() // ok: test fixture
            .and_hms_opt(0, 0, 0)
            .unwrap(); // ok: test fixture
        let end = NaiveDate::from_ymd_opt(to, 12, 31)
            .unwrap() // ok: test fixture
            .and_hms_opt(0, 0, 0)
            .unwrap(); // ok: test fixture
        let mut t = start.and_utc().timestamp();
        while t < end.and_utc().timestamp() {
            let ours = onsets
                .iter()
                .take_while(|(at, _)| *at <= t)
                .last()
                .map(|(_, o)| *o);
            assert_eq!(ours, Some(state(tz, t).offset), "{tz} at {t}");
            t += 6 * 3600;
        }
    }

    #[test]
    fn london_has_a_summer_and_a_winter_observance_with_the_right_onsets() {
        let text = vtimezone(chrono_tz::Europe::London, 2027, 2028);
        assert!(text.starts_with("BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"));
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20270328T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nRDATE:20280326T010000\r\nEND:DAYLIGHT"
        ), "{text}");
        assert!(text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20271031T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nRDATE:20281029T020000\r\nEND:STANDARD"
        ), "{text}");
        agrees_with_the_tz_database(chrono_tz::Europe::London, 2020, 2032);
    }

    #[test]
    fn new_york_changes_at_two_in_the_morning_local() {
        let text = vtimezone(chrono_tz::America::New_York, 2027, 2027);
        assert!(
            text.contains(
                "DTSTART:20270314T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "DTSTART:20271107T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST"
            ),
            "{text}"
        );
        agrees_with_the_tz_database(chrono_tz::America::New_York, 2020, 2032);
    }

    #[test]
    fn kolkata_without_clock_changes_has_one_standard_observance() {
        let text = vtimezone(chrono_tz::Asia::Kolkata, 2026, 2030);
        assert_eq!(
            text,
            "BEGIN:VTIMEZONE\r\nTZID:Asia/Kolkata\r\nBEGIN:STANDARD\r\nDTSTART:20251231T053000\r\n\
             TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nTZNAME:IST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        );
    }

    #[test]
    fn sydney_has_summer_time_across_the_new_year() {
        let text = vtimezone(chrono_tz::Australia::Sydney, 2027, 2027);
        // The span begins (a day before the year, so an early 1 January is covered) in summer time;
        // it ends in April and comes back in October.
        assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20261231T110000\r\nTZOFFSETFROM:+1100\r\nTZOFFSETTO:+1100\r\nTZNAME:AEDT"), "{text}");
        assert!(
            text.contains(
                "DTSTART:20270404T030000\r\nTZOFFSETFROM:+1100\r\nTZOFFSETTO:+1000\r\nTZNAME:AEST"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "DTSTART:20271003T020000\r\nTZOFFSETFROM:+1000\r\nTZOFFSETTO:+1100\r\nTZNAME:AEDT"
            ),
            "{text}"
        );
        agrees_with_the_tz_database(chrono_tz::Australia::Sydney, 2020, 2032);
    }
}
