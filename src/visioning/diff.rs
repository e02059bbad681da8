//! A word-by-word difference between two vision texts, as runs for the template to mark up.

use similar::{ChangeTag, TextDiff};

/// What happened to a run of words between the two texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub kind: Change,
    pub text: String,
}

pub fn words(old: &str, new: &str) -> Vec<Run> {
    let diff = TextDiff::from_words(old, new);
    let mut runs: Vec<Run> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => Change::Same,
            ChangeTag::Insert => Change::Added,
            ChangeTag::Delete => Change::Removed,
        };
        match runs.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => runs.push(Run {
                kind,
                text: change.value().to_string(),
            }),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_added_and_removed_words() {
        let runs = words("We share meals weekly.", "We share meals and tools weekly.");
        let added: String = runs
            .iter()
            .filter(|r| r.kind == Change::Added)
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(added.trim(), "and tools");
        assert!(runs.iter().all(|r| r.kind != Change::Removed));
    }
}
