//! Recurrence: which local dates a series meets on (an RFC 5545 RRULE expanded by the `rrule`
//! crate, always capped), and the instant a local date and time is in a time zone.
//!
//! Dates come from the rule; times come from the series' wall-clock start time in its zone, so a
//! 19:00 meeting stays 19:00 local across clock changes. Two documented resolutions:
//! - a start time that does not exist that day (the spring-forward gap) moves later by the gap
//!   (02:30 becomes 03:30 when clocks jump from 02:00 to 03:00);
//! - a start time that happens twice (the autumn fold) takes the first of the two.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// The most occurrences one expansion returns.
pub const MAX_OCCURRENCES: u16 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Every `interval` weeks on `weekday`.
    Weekly { interval: u8, weekday: Weekday },
    /// Monthly on the `nth` weekday (1..=4, or -1 for the last).
    MonthlyNth { nth: i8, weekday: Weekday },
    /// Monthly on a day of the month (months without that day are skipped, as RFC 5545 says).
    MonthlyDate { day: u8 },
}

/// The RFC 5545 two-letter day.
pub fn ical(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

pub fn parse_ical_day(s: &str) -> Option<Weekday> {
    Some(match s {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// A day as forms offer it: its RFC 5545 code and its name.
pub struct Day {
    pub code: &'static str,
    pub name: &'static str,
}

/// The week, Monday first, as forms offer it.
pub const DAYS: [Day; 7] = [
    Day {
        code: "MO",
        name: "Monday",
    },
    Day {
        code: "TU",
        name: "Tuesday",
    },
    Day {
        code: "WE",
        name: "Wednesday",
    },
    Day {
        code: "TH",
        name: "Thursday",
    },
    Day {
        code: "FR",
        name: "Friday",
    },
    Day {
        code: "SA",
        name: "Saturday",
    },
    Day {
        code: "SU",
        name: "Sunday",
    },
];

pub fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn ordinal(n: i8) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        _ => "last",
    }
}

impl Repeat {
    /// The RRULE value (without "RRULE:"), e.g. `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU`.
    pub fn rrule(&self) -> String {
        match *self {
            Self::Weekly { interval, weekday } => {
                format!("FREQ=WEEKLY;INTERVAL={interval};BYDAY={}", ical(weekday))
            }
            Self::MonthlyNth { nth, weekday } => {
                format!("FREQ=MONTHLY;BYDAY={nth}{}", ical(weekday))
            }
            Self::MonthlyDate { day } => format!("FREQ=MONTHLY;BYMONTHDAY={day}"),
        }
    }

    /// Reads back a rule this module wrote.
    pub fn from_rrule(rule: &str) -> Option<Self> {
        let parts: std::collections::HashMap<&str, &str> =
            rule.split(';').filter_map(|p| p.split_once('=')).collect();
        match parts.get("FREQ").copied()? {
            "WEEKLY" => Some(Self::Weekly {
                interval: parts
                    .get("INTERVAL")
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(1),
                weekday: parse_ical_day(parts.get("BYDAY")?)?,
            }),
            "MONTHLY" => {
                if let Some(day) = parts.get("BYMONTHDAY") {
                    return Some(Self::MonthlyDate {
                        day: day.parse().ok()?,
                    });
                }
                let by = parts.get("BYDAY")?;
                let (n, d) = by.split_at(by.len().checked_sub(2)?);
                Some(Self::MonthlyNth {
                    nth: n.parse().ok()?,
                    weekday: parse_ical_day(d)?,
                })
            }
            _ => None,
        }
    }

    /// In words: "every Tuesday", "every 2 weeks on Tuesday", "the second Tuesday of each month".
    pub fn describe(&self) -> String {
        match *self {
            Self::Weekly {
                interval: 1,
                weekday,
            } => format!("every {}", weekday_name(weekday)),
            Self::Weekly { interval, weekday } => {
                format!("every {interval} weeks on {}", weekday_name(weekday))
            }
            Self::MonthlyNth { nth, weekday } => {
                format!(
                    "the {} {} of each month",
                    ordinal(nth),
                    weekday_name(weekday)
                )
            }
            Self::MonthlyDate { day } => format!("day {day} of each month"),
        }
    }
}

impl Repeat {
    /// As a sentence begins: "Weekly on Thursdays", "Every 2 weeks on Thursdays", "Monthly on the
    /// second Tuesday", "Monthly on day 15".
    pub fn sentence(&self) -> String {
        match *self {
            Self::Weekly {
                interval: 1,
                weekday,
            } => format!("Weekly on {}s", weekday_name(weekday)),
            Self::Weekly { interval, weekday } => {
                format!("Every {interval} weeks on {}s", weekday_name(weekday))
            }
            Self::MonthlyNth { nth, weekday } => {
                format!("Monthly on the {} {}", ordinal(nth), weekday_name(weekday))
            }
            Self::MonthlyDate { day } => format!("Monthly on day {day}"),
        }
    }
}

/// The first date a series meets on (its start date if the rule falls on it, else the rule's
/// next date), or `None` when the rule ends before it ever meets.
pub fn first_date(
    rrule: &str,
    starts_on: NaiveDate,
    until: Option<NaiveDate>,
) -> Option<NaiveDate> {
    next_dates(rrule, starts_on, until, starts_on, 1)
        .first()
        .copied()
}

/// Up to `n` of the series' dates on or after `from`, however far ahead (within about two years).
pub fn next_dates(
    rrule: &str,
    starts_on: NaiveDate,
    until: Option<NaiveDate>,
    from: NaiveDate,
    n: usize,
) -> Vec<NaiveDate> {
    let from = from.max(starts_on);
    let mut days = dates(
        rrule,
        starts_on,
        until,
        from,
        from + chrono::Duration::days(800),
    )
    .unwrap_or_default();
    days.truncate(n);
    days
}

/// Whether the series' rule falls on `day`.
pub fn falls_on(
    rrule: &str,
    starts_on: NaiveDate,
    until: Option<NaiveDate>,
    day: NaiveDate,
) -> bool {
    dates(rrule, starts_on, until, day, day).is_ok_and(|d| d.contains(&day))
}

/// The local dates from `from` to `to` (inclusive) on which `rrule` (starting `starts_on`,
/// ending `until` if given) falls; at most [`MAX_OCCURRENCES`].
pub fn dates(
    rrule: &str,
    starts_on: NaiveDate,
    until: Option<NaiveDate>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NaiveDate>, String> {
    let to = until.map_or(to, |u| u.min(to));
    if to < from {
        return Ok(Vec::new());
    }
    // The rule speaks of local dates: expand it on a plain calendar (noon UTC, no clock changes)
    // and put the wall-clock time on each date afterwards.
    let text = format!(
        "DTSTART:{}T120000Z\nRRULE:{rrule}",
        starts_on.format("%Y%m%d")
    );
    let set: rrule::RRuleSet = text
        .parse()
        .map_err(|e| format!("not a rule we can use: {e}"))?;
    let utc = rrule::Tz::Tz(chrono_tz::UTC);
    let after = utc.from_utc_datetime(&from.and_hms_opt(0, 0, 0).unwrap_or_default())
        - chrono::Duration::seconds(1);
    let before = utc.from_utc_datetime(&to.and_hms_opt(23, 59, 59).unwrap_or_default());
    let result = set.after(after).before(before).all(MAX_OCCURRENCES);
    Ok(result.dates.iter().map(|d| d.date_naive()).collect())
}

/// The instant of `time` on `date` in `tz`, resolving the clock-change gap and fold (see above).
pub fn instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let local = date.and_time(time);
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            // In the gap: the same instant as that wall time measured with the offset before the
            // jump, i.e. later by the gap's length (as RFC 5545 reads such a DTSTART). A day
            // earlier, read as UTC, is before the jump in every zone (offsets are under a day;
            // three hours was not enough east of UTC+3, e.g. in Sydney).
            let before = tz.offset_from_utc_datetime(&(local - chrono::Duration::days(1)));
            let offset = chrono::Offset::fix(&before);
            (local - chrono::Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc()
        }
    }
}

/// The weekday number used in polls (1 = Monday … 7 = Sunday).
pub fn weekday_from_number(n: i16) -> Option<Weekday> {
    (1..=7)
        .contains(&n)
        .then(|| Weekday::try_from((n - 1) as u8).ok())
        .flatten()
}

pub fn weekday_number(w: Weekday) -> i16 {
    w.number_from_monday() as i16
}

/// The first date on or after `from` that falls on `weekday`.
pub fn next_weekday(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() as i64
        - from.weekday().num_days_from_monday() as i64)
        % 7;
    from + chrono::Duration::days(ahead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap() // ok: test fixture
    }

    #[test]
    fn weekly_at_19_stays_19_local_across_the_clock_change_in_london_and_new_york() {
        let rule = Repeat::Weekly {
            interval: 1,
            weekday: Weekday::Tue,
        }
        .rrule();
        for (tz, change) in [
            (chrono_tz::Europe::London, d(2026, 10, 25)),
            (chrono_tz::America::New_York, d(2026, 11, 1)),
        ] {
            let days = dates(&rule, d(2026, 10, 6), None, d(2026, 10, 6), d(2026, 11, 24)).unwrap(); // ok: test fixture
            assert_eq!(days.len(), 8);
            let seven = NaiveTime::from_hms_opt(19, 0, 0).unwrap(); // ok: test fixture
            let offsets: Vec<i32> = days
                .iter()
                .map(|day| {
                    let at = instant(*day, seven, tz).with_timezone(&tz);
                    assert_eq!(at.hour(), 19, "{tz} {day}");
                    chrono::Offset::fix(at.offset()).local_minus_utc()
                })
                .collect();
            // The UTC offset changes once, at the clock change, and the local time does not.
            assert_ne!(offsets.first(), offsets.last(), "{tz}: {change}");
        }
    }

    #[test]
    fn second_tuesday_of_each_month() {
        let rule = Repeat::MonthlyNth {
            nth: 2,
            weekday: Weekday::Tue,
        }
        .rrule();
        let days = dates(&rule, d(2026, 1, 1), None, d(2026, 1, 1), d(2026, 4, 30)).unwrap(); // ok: test fixture
        assert_eq!(
            days,
            vec![
                d(2026, 1, 13),
                d(2026, 2, 10),
                d(2026, 3, 10),
                d(2026, 4, 14)
            ]
        );
    }

    #[test]
    fn the_31st_skips_short_months_and_expansion_is_capped() {
        let days = dates(
            "FREQ=MONTHLY;BYMONTHDAY=31",
            d(2026, 1, 1),
            None,
            d(2026, 1, 1),
            d(2026, 6, 30),
        )
        .unwrap(); // ok: test fixture
        assert_eq!(days, vec![d(2026, 1, 31), d(2026, 3, 31), d(2026, 5, 31)]);
        let daily = dates(
            "FREQ=DAILY",
            d(2026, 1, 1),
            None,
            d(2026, 1, 1),
            d(2030, 1, 1),
        )
        .unwrap(); // ok: test fixture
        assert_eq!(daily.len(), MAX_OCCURRENCES as usize);
    }

    #[test]
    fn until_ends_the_series() {
        let rule = Repeat::Weekly {
            interval: 2,
            weekday: Weekday::Sat,
        }
        .rrule();
        let days = dates(
            &rule,
            d(2026, 1, 3),
            Some(d(2026, 1, 31)),
            d(2026, 1, 1),
            d(2026, 12, 31),
        )
        .unwrap(); // ok: test fixture
        assert_eq!(days, vec![d(2026, 1, 3), d(2026, 1, 17), d(2026, 1, 31)]);
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_later_and_one_in_the_autumn_fold_takes_the_first() {
        let london = chrono_tz::Europe::London;
        let gap = instant(
            d(2026, 3, 29),
            NaiveTime::from_hms_opt(1, 30, 0).unwrap(), // ok: test fixture
            london,
        );
        assert_eq!(
            gap.with_timezone(&london).format("%H:%M").to_string(),
            "02:30"
        );
        let fold = instant(
            d(2026, 10, 25),
            NaiveTime::from_hms_opt(1, 30, 0).unwrap(), // ok: test fixture
            london,
        );
        assert_eq!(fold, Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()); // ok: test fixture
        // East of UTC+3 too: Sydney jumps from 02:00 to 03:00 on 3 October 2027.
        let sydney = chrono_tz::Australia::Sydney;
        let gap = instant(
            d(2027, 10, 3),
            NaiveTime::from_hms_opt(2, 30, 0).unwrap(), // ok: test fixture
            sydney,
        );
        assert_eq!(
            gap.with_timezone(&sydney).format("%H:%M").to_string(),
            "03:30"
        );
        assert_eq!(gap, Utc.with_ymd_and_hms(2027, 10, 2, 16, 30, 0).unwrap()); // ok: test fixture
    }

    #[test]
    fn a_series_reads_as_a_sentence_and_its_first_date_is_on_the_rule() {
        let thursdays = Repeat::Weekly {
            interval: 1,
            weekday: Weekday::Thu,
        };
        assert_eq!(thursdays.sentence(), "Weekly on Thursdays");
        // 15 March 2027 is a Monday: the first meeting is that Thursday.
        let rule = thursdays.rrule();
        assert_eq!(
            first_date(&rule, d(2027, 3, 15), None),
            Some(d(2027, 3, 18))
        );
        assert!(falls_on(&rule, d(2027, 3, 15), None, d(2027, 3, 25)));
        assert!(!falls_on(&rule, d(2027, 3, 15), None, d(2027, 3, 26)));
        assert!(!falls_on(
            &rule,
            d(2027, 3, 15),
            Some(d(2027, 3, 20)),
            d(2027, 3, 25)
        ));
        assert_eq!(
            first_date(&rule, d(2027, 3, 15), Some(d(2027, 3, 16))),
            None
        );
        assert_eq!(
            next_dates(&rule, d(2027, 3, 15), None, d(2026, 12, 1), 3),
            vec![d(2027, 3, 18), d(2027, 3, 25), d(2027, 4, 1)]
        );
        assert_eq!(
            Repeat::MonthlyNth {
                nth: 2,
                weekday: Weekday::Tue
            }
            .sentence(),
            "Monthly on the second Tuesday"
        );
    }

    #[test]
    fn rules_read_back_and_read_well() {
        for r in [
            Repeat::Weekly {
                interval: 1,
                weekday: Weekday::Tue,
            },
            Repeat::Weekly {
                interval: 3,
                weekday: Weekday::Sun,
            },
            Repeat::MonthlyNth {
                nth: -1,
                weekday: Weekday::Fri,
            },
            Repeat::MonthlyDate { day: 15 },
        ] {
            assert_eq!(Repeat::from_rrule(&r.rrule()), Some(r));
        }
        assert_eq!(
            Repeat::MonthlyNth {
                nth: 2,
                weekday: Weekday::Tue
            }
            .describe(),
            "the second Tuesday of each month"
        );
    }
}
