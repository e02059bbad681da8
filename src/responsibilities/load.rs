//! The load view's arithmetic, kept pure so it can be checked on fixtures with known answers.
//!
//! A member's load is the sum of the effort (1–5, default 1) of the active responsibilities they
//! currently carry (backups do not count). The median is over all active members, idle ones
//! included. Someone is overburdened above twice the median — and only from a load of 2, so that
//! in a group where most carry nothing, carrying one thing is not called a burden.

use std::fmt;

use super::model::ResponsibilityStatus;
use super::queries::{MemberLoad, Row};

pub fn median(loads: &[i64]) -> f64 {
    if loads.is_empty() {
        return 0.0;
    }
    let mut v = loads.to_vec();
    v.sort_unstable();
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid] as f64
    } else {
        (v[mid - 1] + v[mid]) as f64 / 2.0
    }
}

pub fn overburdened(load: i64, median: f64) -> bool {
    load >= 2 && load as f64 > 2.0 * median
}

/// Words from a text that can match skills: lowercase, at least four letters.
pub fn words(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect()
}

/// How well someone's skills and interests match a responsibility (shared words).
pub fn affinity(skills: &str, responsibility: &str) -> usize {
    let (a, b) = (words(skills), words(responsibility));
    // Shared words, plus one for a shared stem ("garden" ~ "gardening"), by characters not bytes.
    let stem = |w: &String| w.chars().take(4).collect::<String>();
    a.intersection(&b).count()
        + a.iter()
            .filter(|w| !b.contains(*w) && b.iter().any(|x| x.starts_with(&stem(w))))
            .count()
            .min(1)
}

/// What the load view says of a member, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Overburdened,
    /// Carries nothing: someone to invite, not to blame.
    Idle,
}

impl Reading {
    pub fn of(m: &MemberLoad, median: f64) -> Option<Self> {
        if overburdened(m.load, median) {
            Some(Self::Overburdened)
        } else if m.count == 0 {
            Some(Self::Idle)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Overburdened => "overburdened",
            Self::Idle => "invite to carry something",
        }
    }

    /// Shown as a warning, not only as a note.
    pub fn warns(self) -> bool {
        self == Self::Overburdened
    }
}

/// One of an overburdened member's responsibilities, and who could take it over.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub title: String,
    pub from: String,
    pub to: String,
    pub fit: Fit,
}

/// Why the suggested member fits.
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// Their skills and interests (quoted) share words with the responsibility.
    Interests(String),
    Room,
}

impl fmt::Display for Fit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Interests(skills) => write!(f, "their interests ({skills}) fit"),
            Self::Room => f.write_str("they have room"),
        }
    }
}

/// For each active responsibility an overburdened member carries, the member with spare capacity
/// (below the median, or carrying nothing) whose interests fit it best, the less loaded first.
pub fn suggestions(members: &[MemberLoad], all: &[Row], median: f64) -> Vec<Suggestion> {
    let spare: Vec<&MemberLoad> = members
        .iter()
        .filter(|m| (m.load as f64) < median.max(1.0))
        .collect();
    let mut found = Vec::new();
    for heavy in members.iter().filter(|m| overburdened(m.load, median)) {
        for r in all.iter().filter(|r| {
            r.status == ResponsibilityStatus::Active && r.carrier_ids.contains(&heavy.id)
        }) {
            let text = format!("{} {}", r.title, r.description);
            let mut candidates: Vec<(&MemberLoad, usize)> = spare
                .iter()
                .filter(|m| !r.carrier_ids.contains(&m.id))
                .map(|m| (*m, affinity(&m.skills, &text)))
                .collect();
            candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.load.cmp(&b.0.load)));
            if let Some((who, affinity)) = candidates.first() {
                found.push(Suggestion {
                    title: r.title.clone(),
                    from: heavy.name.clone(),
                    to: who.name.clone(),
                    fit: if *affinity > 0 {
                        Fit::Interests(who.skills.clone())
                    } else {
                        Fit::Room
                    },
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_groups() {
        assert_eq!(median(&[0, 1, 5]), 1.0);
        assert_eq!(median(&[0, 0, 2, 6]), 1.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn overburdened_is_above_twice_the_median_and_at_least_two() {
        // Loads 1, 1, 2, 5: median 1.5, threshold 3 → only the 5 is overburdened.
        let loads = [1, 1, 2, 5];
        let m = median(&loads);
        let flagged: Vec<i64> = loads
            .iter()
            .copied()
            .filter(|l| overburdened(*l, m))
            .collect();
        assert_eq!(flagged, vec![5]);
        // Most carry nothing: one responsibility is not a burden, two are.
        assert!(!overburdened(1, 0.0));
        assert!(overburdened(2, 0.0));
    }

    #[test]
    fn accented_skills_do_not_break_matching() {
        assert_eq!(affinity("café, señora", "Run the café stall"), 1);
    }

    #[test]
    fn skills_match_on_shared_words() {
        assert!(
            affinity(
                "cooking, spreadsheets, gardening",
                "Keep the garden watered"
            ) >= 1
        );
        assert_eq!(affinity("singing", "Treasurer: keep the accounts"), 0);
    }
}
