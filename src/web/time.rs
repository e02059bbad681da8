//! Showing instants to people: always in a named time zone, in words rather than ISO strings.
//! Zones arrive here already parsed (`chrono_tz::Tz`), as they are loaded from the database.

use std::time::Duration;

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

/// How long to wait, in words and rounded up: "40 seconds", "1 minute", "15 minutes", "3 hours".
pub fn wait_words(wait: Duration) -> String {
    let secs = wait.as_secs().max(1);
    let (n, unit) = if secs < 60 {
        (secs, "second")
    } else if secs <= 90 * 60 {
        (secs.div_ceil(60), "minute")
    } else {
        (secs.div_ceil(3600), "hour")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_in_the_largest_sensible_unit_rounded_up() {
        let words = |s| wait_words(Duration::from_secs(s));
        assert_eq!(words(0), "1 second");
        assert_eq!(words(18), "18 seconds");
        assert_eq!(words(60), "1 minute");
        assert_eq!(words(61), "2 minutes");
        assert_eq!(words(15 * 60), "15 minutes");
        assert_eq!(words(90 * 60), "90 minutes");
        assert_eq!(words(90 * 60 + 1), "2 hours");
        assert_eq!(words(24 * 3600), "24 hours");
    }
}
