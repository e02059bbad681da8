//! Showing instants to people: always in a named time zone, in words rather than ISO strings.
//! Zones arrive here already parsed (`chrono_tz::Tz`), as they are loaded from the database.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// "21 November 2026" in `tz`.
pub fn date_in(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%-d %B %Y").to_string()
}

/// "21 November 2026, 19:05" in `tz`.
pub fn datetime_in(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%-d %B %Y, %H:%M").to_string()
}

pub fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// Today's date in `tz`.
pub fn today_in(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}
