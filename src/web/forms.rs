//! Turning submitted strings into checked values. A form type `TryFrom`s into a domain type and,
//! when it cannot, gives back every problem keyed by field so the page can show each message
//! beside its field.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    /// Records the error of a parse, returning its value when there was none.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(k, v)| (*k, v.as_str()))
    }
}

/// Trims `raw` and checks its length in characters (not bytes).
pub fn text(raw: &str, label: &str, min: usize, max: usize) -> Result<String, String> {
    let value = raw.trim();
    let len = value.chars().count();
    if len == 0 && min > 0 {
        return Err(format!("Enter {label}."));
    }
    if len < min {
        return Err(format!(
            "{} must be at least {min} characters.",
            capitalise(label)
        ));
    }
    if len > max {
        return Err(format!(
            "{} must be at most {max} characters (this is {len}).",
            capitalise(label)
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(format!(
            "{} contains characters we cannot store.",
            capitalise(label)
        ));
    }
    Ok(value.to_string())
}

/// A one-line text: like [`text`] but without line breaks.
pub fn line(raw: &str, label: &str, min: usize, max: usize) -> Result<String, String> {
    let value = text(raw, label, min, max)?;
    if value.contains(['\n', '\r', '\t']) {
        return Err(format!("{} must be on one line.", capitalise(label)));
    }
    Ok(value)
}

pub fn time_zone(raw: &str) -> Result<chrono_tz::Tz, String> {
    raw.trim()
        .parse()
        .map_err(|_| "Choose a time zone from the list.".to_string())
}

/// Time zones offered in forms: the canonical "Area/City" names and UTC, sorted.
pub fn time_zone_names() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| tz.name())
            .filter(|n| {
                *n == "UTC"
                    || (n.contains('/')
                        && !n.starts_with("Etc/")
                        && !n.starts_with("US/")
                        && !n.starts_with("SystemV/")
                        && n.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            })
            .collect();
        names.sort_unstable();
        names
    })
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_counts_characters_not_bytes() {
        assert_eq!(text("  Zoë  ", "a name", 1, 3), Ok("Zoë".to_string()));
        assert!(text("Zoëy", "a name", 1, 3).is_err());
    }

    #[test]
    fn empty_text_asks_for_it() {
        assert_eq!(
            text("   ", "your name", 1, 10),
            Err("Enter your name.".into())
        );
    }

    #[test]
    fn line_refuses_line_breaks() {
        assert!(line("a\nb", "a name", 1, 10).is_err());
    }

    #[test]
    fn time_zone_list_is_canonical_and_parseable() {
        let names = time_zone_names();
        assert!(names.contains(&"Europe/Berlin"));
        assert!(names.contains(&"UTC"));
        assert!(!names.iter().any(|n| n.starts_with("US/")));
        assert!(names.iter().all(|n| time_zone(n).is_ok()));
    }
}
