//! Visioning's pages and actions, by sub-resource: hopes (and the vision page), versions,
//! consent rounds, and goals.

pub mod consent;
pub mod goals;
pub mod hopes;
pub mod versions;

use chrono::{DateTime, Utc};

/// "2 days, 3 hours" / "40 minutes": how long until `at`.
pub fn time_left(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (at - now).num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    let unit = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (days, hours) {
        (0, 0) => unit(mins.max(1), "minute"),
        (0, h) => unit(h, "hour"),
        (d, 0) => unit(d, "day"),
        (d, h) => format!("{}, {}", unit(d, "day"), unit(h, "hour")),
    }
}
