//! The ways into a discussion from the page of what it is about: "Discussion (N)" on a
//! responsibility's or a meeting's page, with when the latest comment was written. Each area counts
//! its thread's visible comments (not deleted, not hidden) in its own query; this is how the page
//! says it (`templates/_discussion_link.html`).

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use crate::web::time;

/// A thread's link, as the page shows it.
pub struct DiscussionLink {
    pub href: String,
    /// Visible comments.
    pub comments: i64,
    /// The latest visible comment: when (for `<time datetime>`) and in words ("2 hours ago").
    pub last: Option<(String, String)>,
}

impl DiscussionLink {
    pub fn new(href: String, comments: i64, last_at: Option<DateTime<Utc>>, tz: Tz) -> Self {
        let now = Utc::now();
        Self {
            href,
            comments,
            // Whole seconds: HTML's `datetime` takes at most three digits of a fraction.
            last: last_at.map(|at| {
                (
                    at.to_rfc3339_opts(SecondsFormat::Secs, true),
                    ago(at, now, tz),
                )
            }),
        }
    }
}

/// How long ago `at` was, in words: "just now", "5 minutes ago", "2 hours ago", "3 days ago"; a
/// month and more, its date in the CAN's zone ("on 3 November 2026").
pub fn ago(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let minutes = (now - at).num_minutes().max(0);
    let unit = |n: i64, one: &str| format!("{n} {one}{} ago", if n == 1 { "" } else { "s" });
    match minutes {
        0 => "just now".to_string(),
        m if m < 60 => unit(m, "minute"),
        m if m < 24 * 60 => unit(m / 60, "hour"),
        m if m < 30 * 24 * 60 => unit(m / (24 * 60), "day"),
        _ => format!("on {}", time::date_in(at, tz)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn the_latest_comment_reads_as_how_long_ago() {
        let now = Utc::now();
        let tz = chrono_tz::Europe::London;
        let ago = |d: Duration| ago(now - d, now, tz);
        assert_eq!(ago(Duration::seconds(20)), "just now");
        assert_eq!(
            ago(Duration::seconds(-20)),
            "just now",
            "a clock a little ahead"
        );
        assert_eq!(ago(Duration::minutes(1)), "1 minute ago");
        assert_eq!(ago(Duration::minutes(59)), "59 minutes ago");
        assert_eq!(ago(Duration::minutes(125)), "2 hours ago");
        assert_eq!(ago(Duration::hours(23)), "23 hours ago");
        assert_eq!(ago(Duration::hours(24)), "1 day ago");
        assert_eq!(ago(Duration::days(29)), "29 days ago");
        let long_ago = now - Duration::days(40);
        assert_eq!(
            super::ago(long_ago, now, tz),
            format!("on {}", time::date_in(long_ago, tz))
        );
    }
}
