//! What the stages area sends people. The words are in `templates/mail/stages/`.

use askama::Template;

use super::guide::Step;
use super::health::{Drifting, LoadSnapshot};
use crate::cans::model::Stage;
use crate::outbox::MailText;

/// The stage part of the weekly digest, for one CAN's organisers and coordinators.
#[derive(Template)]
#[template(path = "mail/stages/digest.txt")]
pub struct Digest<'a> {
    pub can_name: &'a str,
    pub stage: Stage,
    /// The steps not done yet.
    pub open_steps: Vec<&'a Step>,
    pub drifting: &'a [Drifting],
    pub single_points: &'a [String],
    /// The load a while ago and now, when it changed.
    pub load_change: Option<(LoadSnapshot, LoadSnapshot)>,
    pub base_url: &'a str,
    pub slug: &'a str,
}

impl MailText for Digest<'_> {
    fn subject(&self) -> String {
        format!("{}: your week in Canopy", self.can_name)
    }
}

/// A line of the weekly digest: which CAN, what, where to see it, and when (if it has a time).
pub struct Line {
    pub can_name: Option<String>,
    pub text: String,
    /// An absolute address.
    pub link: String,
    pub when: Option<String>,
}

/// The weekly digest to one member, for all their CANs: what happened (their notifications kept
/// for the digest), what is coming in the next seven days, what waits on them, and for
/// organisers and coordinators each CAN's stage part ([`Digest`], rendered).
pub struct Weekly<'a> {
    pub name: &'a str,
    pub happened: Vec<Line>,
    /// Notifications beyond those listed (they are in the inbox): a long absence makes no
    /// endless mail.
    pub more_happened: usize,
    /// Absolute address of the inbox.
    pub inbox: String,
    pub coming: Vec<Line>,
    pub waiting: Vec<Line>,
    /// Each CAN's stage part, as plain text.
    pub stages: Vec<String>,
    /// The only CAN the digest speaks of, if one: it then leads the subject.
    pub only_can: Option<&'a str>,
    /// Absolute addresses of the mail settings and of the one-click "stop the digest".
    pub settings: String,
    pub unsubscribe: String,
}

impl Weekly<'_> {
    pub fn subject(&self) -> String {
        crate::notifications::subject(self.only_can, "Your week in Canopy")
    }

    pub fn text(&self) -> crate::error::Result<String> {
        WeeklyText { m: self }
            .render()
            .map_err(crate::error::AppError::internal)
    }

    pub fn html(&self) -> crate::error::Result<String> {
        WeeklyHtml { m: self }
            .render()
            .map_err(crate::error::AppError::internal)
    }

    /// A stage part as paragraphs of lines, for the HTML part.
    pub fn paragraphs(text: &str) -> Vec<Vec<&str>> {
        text.split("\n\n")
            .map(|p| {
                p.lines()
                    .filter(|l| !l.trim().is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|p| !p.is_empty())
            .collect()
    }
}

#[derive(Template)]
#[template(path = "mail/stages/weekly.txt")]
struct WeeklyText<'a> {
    m: &'a Weekly<'a>,
}

#[derive(Template)]
#[template(path = "mail/stages/weekly.html")]
struct WeeklyHtml<'a> {
    m: &'a Weekly<'a>,
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn snapshot(day: u32, overburdened: i32) -> LoadSnapshot {
        LoadSnapshot {
            taken_on: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(), // ok: test fixture
            median: 1.0,
            overburdened,
            idle: 2,
            single_points: 1,
        }
    }

    #[test]
    fn the_digest_lists_only_what_there_is() {
        let steps = [
            Step {
                text: "A shared vision adopted by consent".into(),
                done: false,
                link: String::new(),
                attention: false,
            },
            Step {
                text: "Hopes shared".into(),
                done: true,
                link: String::new(),
                attention: false,
            },
        ];
        let drifting = [Drifting {
            member_id: uuid::Uuid::nil(),
            name: "Quinn".into(),
            reason: "missed the last 3 meetings in a row".into(),
            last_attended: None,
            last_reach_out: None,
        }];
        let single_points = ["Meals".to_string(), "Tools".to_string()];
        let mut digest = Digest {
            can_name: "Riverside",
            stage: Stage::Organizing,
            open_steps: steps.iter().filter(|s| !s.done).collect(),
            drifting: &drifting,
            single_points: &single_points,
            load_change: Some((snapshot(16, 1), snapshot(23, 2))),
            base_url: "https://c.example",
            slug: "riverside",
        };
        let footer = "The stage guide: https://c.example/c/riverside/stage\n\
                      Health: https://c.example/c/riverside/health\n";
        assert_eq!(
            digest.render().unwrap(), // ok: test fixture
            format!(
                "Riverside is in the organizing stage.\n\n\
                 Next steps:\n- A shared vision adopted by consent\n\n\
                 People you may want to check in with:\n- Quinn: missed the last 3 meetings in a row\n\n\
                 Resting on one person with no backup: Meals, Tools\n\n\
                 Load since 2026-11-16: overburdened 1 → 2, carrying nothing 2 → 2, single points of failure 1 → 1.\n\n\
                 {footer}"
            )
        );
        digest.open_steps.clear();
        digest.drifting = &[];
        digest.single_points = &[];
        digest.load_change = None;
        assert_eq!(
            digest.render().unwrap(), // ok: test fixture
            format!("Riverside is in the organizing stage.\n\n{footer}")
        );
        assert_eq!(digest.subject(), "Riverside: your week in Canopy");
    }
}
