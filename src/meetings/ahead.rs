//! A series seen from its rule rather than from the occurrences created so far (only
//! [`super::series::HORIZON_DAYS`] ahead exist): "Weekly on Thursdays at 19:00 from 18 March
//! 2027", and its next dates, each said to be on the calendar already, cancelled or moved.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::model::MeetingStatus;
use super::recurrence::{self, Repeat};
use super::series::SeriesRow;
use super::when;
use crate::error::Result;

impl SeriesRow {
    /// "Weekly on Thursdays at 19:00" (the raw rule when it is not one we make).
    pub fn sentence(&self) -> String {
        sentence(&self.rrule, self.start_time)
    }

    /// The rule in words with where the series stands on `today` (see [`summary`]).
    pub fn summary(&self, today: NaiveDate) -> String {
        summary(
            &self.rrule,
            self.starts_on,
            self.until_on,
            self.start_time,
            today,
        )
    }

    /// Up to `n` of its dates from `today` on, from the rule, however far ahead.
    pub fn next_dates(&self, today: NaiveDate, n: usize) -> Vec<NaiveDate> {
        recurrence::next_dates(&self.rrule, self.starts_on, self.until_on, today, n)
    }
}

/// "Weekly on Thursdays at 19:00".
pub fn sentence(rrule: &str, start_time: NaiveTime) -> String {
    let repeats = Repeat::from_rrule(rrule)
        .map(|r| r.sentence())
        .unwrap_or_else(|| format!("Repeats {rrule}"));
    format!("{repeats} at {}", start_time.format("%H:%M"))
}

/// A series' rule in words with where it stands on `today`: "Weekly on Thursdays at 19:00 from
/// 18 March 2027", "… at 19:00 until 1 May 2027; next on Thursday 3 December 2026", "… at 19:00;
/// ended 1 May 2026".
pub fn summary(
    rrule: &str,
    starts_on: NaiveDate,
    until_on: Option<NaiveDate>,
    start_time: NaiveTime,
    today: NaiveDate,
) -> String {
    let sentence = sentence(rrule, start_time);
    let until = until_on
        .map(|u| format!(" until {}", long_date(u)))
        .unwrap_or_default();
    match recurrence::first_date(rrule, starts_on, until_on) {
        Some(first) if first > today => format!("{sentence} from {}{until}", long_date(first)),
        Some(_) => match recurrence::next_dates(rrule, starts_on, until_on, today, 1).first() {
            Some(next) => format!("{sentence}{until}; next on {}", weekday_date(*next)),
            None => match until_on {
                Some(u) => format!("{sentence}; ended {}", long_date(u)),
                None => format!("{sentence}; no more dates"),
            },
        },
        None => format!("{sentence}; no dates fall within its start and end"),
    }
}

fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn weekday_date(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

/// One of a series' next dates as the series page shows it.
#[derive(Debug, Clone)]
pub struct AheadDate {
    /// "Thursday 18 March 2027, 19:00–20:30" as the rule gives it.
    pub when: String,
    /// The occurrence when it exists already.
    pub meeting_id: Option<Uuid>,
    pub cancelled: bool,
    /// Where it was moved to, when it was.
    pub moved_to: Option<String>,
    pub facilitator: Option<String>,
}

/// An occurrence of a series, by the date the rule gave it.
#[derive(Debug, sqlx::FromRow)]
pub struct Occurrence {
    pub id: Uuid,
    pub occurrence_on: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: MeetingStatus,
}

/// The series' occurrences from `from` on, by date.
pub async fn occurrences(
    db: &PgPool,
    can_id: Uuid,
    series_id: Uuid,
    from: NaiveDate,
) -> Result<Vec<Occurrence>> {
    Ok(sqlx::query_as(
        "SELECT id, occurrence_on, starts_at, ends_at, status FROM meetings
         WHERE can_id = $1 AND series_id = $2 AND occurrence_on >= $3 ORDER BY occurrence_on",
    )
    .bind(can_id)
    .bind(series_id)
    .bind(from)
    .fetch_all(db)
    .await?)
}

/// The next `n` dates of `series` from `today`, each with what became of it so far;
/// `facilitator` names who facilitates a meeting, by id.
pub fn ahead(
    series: &SeriesRow,
    today: NaiveDate,
    n: usize,
    existing: &[Occurrence],
    facilitator: impl Fn(Uuid) -> Option<String>,
) -> Vec<AheadDate> {
    let tz = series.tz();
    series
        .next_dates(today, n)
        .into_iter()
        .map(|day| {
            let (start, end) = series.times_on(day);
            let found = existing.iter().find(|o| o.occurrence_on == day);
            let moved_to = found
                .filter(|o| !o.status.is_cancelled() && (o.starts_at, o.ends_at) != (start, end))
                .map(|o| when(o.starts_at, o.ends_at, tz));
            AheadDate {
                when: when(start, end, tz),
                meeting_id: found.map(|o| o.id),
                cancelled: found.is_some_and(|o| o.status.is_cancelled()),
                moved_to,
                facilitator: found.and_then(|o| facilitator(o.id)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap() // ok: test fixture
    }

    const THURSDAYS: &str = "FREQ=WEEKLY;INTERVAL=1;BYDAY=TH";

    fn thursdays(starts_on: NaiveDate, until_on: Option<NaiveDate>) -> String {
        let seven = NaiveTime::from_hms_opt(19, 0, 0).unwrap(); // ok: test fixture
        summary(THURSDAYS, starts_on, until_on, seven, d(2026, 12, 1))
    }

    #[test]
    fn a_series_says_where_it_stands_from_its_rule() {
        assert_eq!(
            thursdays(d(2027, 3, 15), None),
            "Weekly on Thursdays at 19:00 from 18 March 2027"
        );
        assert_eq!(
            thursdays(d(2026, 11, 1), Some(d(2027, 5, 1))),
            "Weekly on Thursdays at 19:00 until 1 May 2027; next on Thursday 3 December 2026"
        );
        assert_eq!(
            thursdays(d(2026, 1, 1), Some(d(2026, 5, 1))),
            "Weekly on Thursdays at 19:00; ended 1 May 2026"
        );
    }
}
