//! What a thread hangs on, looked up in the CAN: another CAN's id (or none) is nothing, so its
//! thread is a 404. Each subject comes with what its page shows in brief, the link back to it,
//! the words sentences use for it, and the people a reply reaches besides earlier commenters.

use sqlx::PgExecutor;
use uuid::Uuid;

use super::{Subject, queries};
use crate::cans::model::Can;
use crate::cans::nav::Section;
use crate::error::Result;
use crate::meetings::model::MeetingStatus;
use crate::web::time;

/// A thread's subject as its page and its notifications name it.
#[derive(Debug, Clone)]
pub struct Thread {
    pub subject: Subject,
    /// "Proposal", "Objection", "Hope", "Responsibility", "Meeting".
    pub kind: &'static str,
    /// The page's heading, e.g. "Mia’s objection to “Quiet hours”".
    pub heading: String,
    /// For sentences: "the proposal “Quiet hours”", "Mia’s hope".
    pub what: String,
    /// The subject's own words, shown as they were written (a hope, an objection's reason).
    pub quote: Option<String>,
    /// Facts in brief, one line each.
    pub facts: Vec<String>,
    /// Where the subject itself is, and the link's words.
    pub back_href: String,
    pub back_label: String,
    /// Whom a reply reaches besides earlier commenters: the proposal's author, the objector, the
    /// hope's author, the responsibility's carriers, the meeting's facilitator.
    pub people: Vec<Uuid>,
    /// Which part of the CAN's menu the thread belongs to.
    pub section: Section,
    /// For a hope: how many said it resonates.
    pub resonances: Option<i64>,
}

/// The subject in this CAN, or `None` when it names nothing here (or a withdrawn hope, or an
/// answer that never was an objection).
pub async fn load(db: impl PgExecutor<'_>, can: &Can, subject: Subject) -> Result<Option<Thread>> {
    let slug = &can.slug;
    Ok(match subject {
        Subject::Proposal(id) => queries::proposal(db, can.id, id).await?.map(|p| Thread {
            subject,
            kind: "Proposal",
            heading: format!("Discussion of “{}”", p.title),
            what: format!("the proposal “{}”", p.title),
            quote: None,
            facts: vec![format!("Put by {} · {}", p.author, p.status.label())],
            back_href: format!("/c/{slug}/proposals/{id}"),
            back_label: "Read the proposal and answer it".into(),
            people: vec![p.author_id],
            section: Section::Proposals,
            resonances: None,
        }),
        Subject::Objection { round, member } => queries::objection(db, can.id, round, member)
            .await?
            .map(|o| {
                let (on, back_href, back_label, section) = match (o.proposal_id, o.proposal_title) {
                    (Some(pid), Some(title)) => (
                        format!("“{title}”"),
                        format!("/c/{slug}/proposals/{pid}"),
                        "Back to the proposal".to_string(),
                        Section::Proposals,
                    ),
                    _ => (
                        format!("version {} of the vision", o.version_number.unwrap_or(1)),
                        format!("/c/{slug}/vision/rounds/{round}"),
                        "Back to the consent round".to_string(),
                        Section::Vision,
                    ),
                };
                let standing = match (o.standing, o.round_open) {
                    (true, true) => "The objection stands: the round is open.",
                    (true, false) => "The objection stood when the round closed.",
                    (false, _) => "The objection was withdrawn.",
                };
                Thread {
                    subject,
                    kind: "Objection",
                    heading: format!("{}’s objection to {on}", o.objector),
                    what: format!("{}’s objection to {on}", o.objector),
                    quote: Some(o.reason),
                    facts: vec![standing.to_string()],
                    back_href,
                    back_label,
                    people: vec![member],
                    section,
                    resonances: None,
                }
            }),
        Subject::Hope(id) => queries::hope(db, can.id, id).await?.map(|h| Thread {
            subject,
            kind: "Hope",
            heading: format!("{}’s hope", h.author),
            what: format!("{}’s hope", h.author),
            facts: vec![
                format!(
                    "Shared by {} on {}",
                    h.author,
                    time::date_in(h.created_at, can.time_zone)
                ),
                resonates(h.resonances),
            ],
            quote: Some(h.body),
            back_href: format!("/c/{slug}/vision#hope-{id}"),
            back_label: "Back to the vision and its hopes".into(),
            people: vec![h.author_id],
            section: Section::Vision,
            resonances: Some(h.resonances),
        }),
        Subject::Responsibility(id) => {
            queries::responsibility(db, can.id, id)
                .await?
                .map(|r| Thread {
                    subject,
                    kind: "Responsibility",
                    heading: format!("Discussion of “{}”", r.title),
                    what: format!("the responsibility “{}”", r.title),
                    quote: None,
                    facts: vec![if r.carriers.is_empty() {
                        format!("{} · nobody carries it now", r.status.heading())
                    } else {
                        format!(
                            "{} · carried by {}",
                            r.status.heading(),
                            r.carriers.join(", ")
                        )
                    }],
                    back_href: format!("/c/{slug}/responsibilities/{id}"),
                    back_label: "Back to the responsibility".into(),
                    people: r.carrier_ids,
                    section: Section::Responsibilities,
                    resonances: None,
                })
        }
        Subject::Meeting(id) => queries::meeting(db, can.id, id).await?.map(|m| {
            let when = crate::meetings::when(m.starts_at, m.ends_at, can.time_zone);
            let status = match m.status {
                MeetingStatus::Scheduled => String::new(),
                other => format!(" · {}", other.label()),
            };
            Thread {
                subject,
                kind: "Meeting",
                heading: format!("Discussion of “{}”", m.title),
                what: format!("the meeting “{}”", m.title),
                quote: None,
                facts: vec![format!("{when}{status}")],
                back_href: format!("/c/{slug}/meetings/{id}"),
                back_label: "Back to the meeting".into(),
                people: m.facilitator_id.into_iter().collect(),
                section: Section::Meetings,
                resonances: None,
            }
        }),
    })
}

/// "Resonates with nobody yet", "Resonates with 1 member", "Resonates with 3 members".
pub fn resonates(n: i64) -> String {
    match n {
        0 => "Resonates with nobody yet".into(),
        1 => "Resonates with 1 member".into(),
        n => format!("Resonates with {n} members"),
    }
}
