//! Writing iCalendar (RFC 5545) text: content lines escaped, folded at 75 octets and ended with
//! CRLF, local times with their TZID, and the VTIMEZONE a calendar needs for each zone it uses
//! ([`vtimezone`]). The `icalendar` crate reads our feeds back in tests; it writes no VTIMEZONE and
//! no TZID-parameterised RECURRENCE-ID, so the feed is written here line by line.

pub mod vtimezone;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The text of an iCalendar object being written.
#[derive(Default)]
pub struct Lines {
    out: String,
}

impl Lines {
    pub fn new() -> Self {
        Self::default()
    }

    /// `NAME;PARAMS:VALUE` with `value` written as it is (for dates, rules, durations, numbers).
    pub fn raw(&mut self, name_and_params: &str, value: &str) -> &mut Self {
        self.line(&format!("{name_and_params}:{value}"))
    }

    /// A TEXT property: backslash, semicolon, comma and newlines escaped.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.raw(name, &escape(value))
    }

    /// `BEGIN:` / `END:` of a component.
    pub fn begin(&mut self, component: &str) -> &mut Self {
        self.raw("BEGIN", component)
    }

    pub fn end(&mut self, component: &str) -> &mut Self {
        self.raw("END", component)
    }

    /// A date-time property at `at`, as local time with `TZID=tz` (or in UTC when that local time
    /// happens twice, at an autumn clock change, so that it cannot be misread).
    pub fn at(&mut self, name: &str, at: DateTime<Utc>, tz: Tz) -> &mut Self {
        let local = at.with_timezone(&tz).naive_local();
        match tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(_) => self.local(name, local, tz),
            _ => self.utc(name, at),
        }
    }

    /// A date-time property at the wall-clock time `local` in `tz` (what a rule's occurrences are
    /// named by: a time in the spring gap is read with the offset before the jump, as RFC 5545
    /// says and as the app resolves it).
    pub fn local(&mut self, name: &str, local: NaiveDateTime, tz: Tz) -> &mut Self {
        self.raw(
            &format!("{name};TZID={}", tz.name()),
            &local.format("%Y%m%dT%H%M%S").to_string(),
        )
    }

    pub fn utc(&mut self, name: &str, at: DateTime<Utc>) -> &mut Self {
        self.raw(name, &utc_value(at))
    }

    /// One content line, folded so that no line is longer than 75 octets (continuations start
    /// with a space), never inside a UTF-8 character.
    fn line(&mut self, line: &str) -> &mut Self {
        let mut used = 0;
        for c in line.chars() {
            let n = c.len_utf8();
            if used + n > 75 {
                self.out.push_str("\r\n ");
                used = 1;
            }
            self.out.push(c);
            used += n;
        }
        self.out.push_str("\r\n");
        self
    }

    /// Text already written as content lines (a cached VTIMEZONE), as it is.
    pub fn lines(&mut self, written: &str) -> &mut Self {
        self.out.push_str(written);
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// `20270318T190000Z`.
pub fn utc_value(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value escaped as RFC 5545 3.3.11 says.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut l = Lines::new();
        l.text("SUMMARY", &"Réunion, café; ".repeat(12));
        let text = l.finish();
        assert!(text.ends_with("\r\n"));
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.starts_with("SUMMARY:Réunion\\, café\\; Réunion"));
    }

    #[test]
    fn a_time_in_the_autumn_fold_is_written_in_utc() {
        let london = chrono_tz::Europe::London;
        let mut l = Lines::new();
        let fold = Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap(); // ok: test fixture
        let plain = Utc.with_ymd_and_hms(2026, 10, 26, 19, 0, 0).unwrap(); // ok: test fixture
        l.at("DTSTART", fold, london).at("DTSTART", plain, london);
        assert_eq!(
            l.finish(),
            "DTSTART:20261025T003000Z\r\nDTSTART;TZID=Europe/London:20261026T190000\r\n"
        );
    }
}
