//! The seed's SQL, read from `sql/*.sql`: each file is a list of steps, each starting at a line
//! `-- step: <table>` (the table whose rows it adds, counted for the report) or `-- step: -` (a
//! step that only prepares: temporary tables, helpers, updates). Keeping the SQL in plain files
//! lets it be read, and tried in `psql`, as SQL.

use std::sync::LazyLock;

/// The files in the order they run: later steps read what earlier ones planned.
const FILES: [(&str, &str); 9] = [
    ("words.sql", include_str!("sql/words.sql")),
    ("plan.sql", include_str!("sql/plan.sql")),
    ("people.sql", include_str!("sql/people.sql")),
    ("visioning.sql", include_str!("sql/visioning.sql")),
    ("meetings.sql", include_str!("sql/meetings.sql")),
    (
        "responsibilities.sql",
        include_str!("sql/responsibilities.sql"),
    ),
    ("care.sql", include_str!("sql/care.sql")),
    ("discussion.sql", include_str!("sql/discussion.sql")),
    ("health.sql", include_str!("sql/health.sql")),
];

const MARKER: &str = "-- step:";

#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    /// Where the step starts, for error messages ("meetings.sql:132").
    pub file: &'static str,
    pub line: usize,
    /// The table the step inserts into, if it is one the report counts.
    pub table: Option<&'static str>,
    pub sql: &'static str,
}

impl Step {
    pub fn place(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

pub(super) static STEPS: LazyLock<Vec<Step>> = LazyLock::new(|| {
    FILES
        .iter()
        .flat_map(|(file, text)| split(file, text))
        .collect()
});

/// Cuts one file into its steps; text before the first marker (the file's comment) is dropped.
fn split(file: &'static str, text: &'static str) -> Vec<Step> {
    // (line number, where the marker line starts, where the step's SQL starts, table)
    let mut markers = Vec::new();
    let mut offset = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        if let Some(rest) = line.strip_prefix(MARKER) {
            let table = rest.trim();
            markers.push((number + 1, offset, offset + line.len(), table));
        }
        offset += line.len();
    }
    markers
        .iter()
        .enumerate()
        .map(|(i, &(line, _, body, table))| {
            let end = markers.get(i + 1).map_or(text.len(), |next| next.1);
            Step {
                file,
                line,
                table: (table != "-").then_some(table),
                sql: &text[body..end],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_splits_into_steps_with_sql_and_known_tables() {
        let steps = &*STEPS;
        assert!(steps.len() > 40, "{} steps", steps.len());
        for step in steps {
            let sql = step.sql.trim();
            assert!(!sql.is_empty(), "empty step at {}", step.place());
            assert!(
                !sql.contains(MARKER),
                "two steps in one at {}",
                step.place()
            );
            if let Some(table) = step.table {
                assert!(
                    sql.contains(&format!("INSERT INTO {table} ")),
                    "step {} counts {table} but does not insert into it",
                    step.place()
                );
            }
        }
    }

    #[test]
    fn a_step_runs_from_after_its_marker_to_the_next_marker() {
        let steps = split(
            "t.sql",
            "-- a file\n-- step: -\nSELECT 1;\n\n-- step: things\nINSERT INTO things VALUES (1);\n",
        );
        assert_eq!(steps.len(), 2);
        assert_eq!((steps[0].table, steps[0].line), (None, 2));
        assert_eq!(steps[0].sql, "SELECT 1;\n\n");
        assert_eq!((steps[1].table, steps[1].line), (Some("things"), 5));
        assert_eq!(steps[1].sql, "INSERT INTO things VALUES (1);\n");
    }
}
