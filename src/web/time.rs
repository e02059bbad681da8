//! Showing instants to people: always in a named time zone, in words rather than ISO strings.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

fn zone(tz: &str) -> Tz {
    tz.parse().unwrap_or(chrono_tz::UTC)
}

/// "21 November 2026" in `tz`.
pub fn date_in(at: DateTime<Utc>, tz: &str) -> String {
    at.with_timezone(&zone(tz)).format("%-d %B %Y").to_string()
}

/// "21 November 2026, 19:05" in `tz`.
pub fn datetime_in(at: DateTime<Utc>, tz: &str) -> String {
    at.with_timezone(&zone(tz))
        .format("%-d %B %Y, %H:%M")
        .to_string()
}

pub fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// Today's date in `tz`.
pub fn today_in(tz: &str) -> NaiveDate {
    Utc::now().with_timezone(&zone(tz)).date_naive()
}
