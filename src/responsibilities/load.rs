//! The load view's arithmetic, kept pure so it can be checked on fixtures with known answers.
//!
//! A member's load is the sum of the effort (1–5, default 1) of the active responsibilities they
//! currently carry (backups do not count). The median is over all active members, idle ones
//! included. Someone is overburdened above twice the median — and only from a load of 2, so that
//! in a group where most carry nothing, carrying one thing is not called a burden.

#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    pub name: String,
    pub load: i64,
    pub count: i64,
}

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
