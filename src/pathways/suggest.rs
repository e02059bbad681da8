//! The next invitation for each member, chosen from the group's REAL openings and matched to the
//! person. Pure: the handler loads the rows, these functions decide.
//!
//! The openings (what the group needs now), each asked of one person at a time:
//! - (a) **an unowned responsibility** — open or active, and no active member carries it →
//!   invite to carry it;
//! - (b) **a missing backup** — an active ongoing responsibility with a carrier and no backup →
//!   invite to back it up (never its own carrier);
//! - (c) **a meeting without a note-taker** — scheduled within the next 30 days → invite to take
//!   the notes (never its facilitator; members who offer to take notes come first);
//! - (d) **a hope that meets a goal** — when one of the member's hopes shares words with an active
//!   goal, a responsibility of that goal that needs someone (as in (a) or (b)) is offered to them
//!   first, and the reason names their hope and the goal.
//!
//! An opening someone has already been asked to take (an open offer) is not offered again, and a
//! member with an open invitation gets no new one until they answer.
//!
//! How a member and an opening are matched — a few points each, the highest total wins:
//! - where they stand on the path (what they have ever done, as the path says): someone who comes but has carried nothing → a task or an
//!   unowned responsibility; someone who carried a task → a backup; a backup → carrying an ongoing
//!   one; a carrier → taking notes;
//! - their skills and interests on their profile sharing words with the opening
//!   ([`affinity`](crate::responsibilities::load::affinity));
//! - their own hope meeting the opening's goal (rule d), the strongest reason of all;
//! - for notes, having offered to take notes.
//!
//! Openings are spread: the assignment is greedy over all pairs, best fit first, each opening to
//! one member; only when every opening that could fit someone is taken may they share one.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::path::{Path, Step};
use crate::responsibilities::load::{affinity, words};

pub use super::openings::{
    Goal, NOTE_TAKER_DAYS, NotesWanted, Opening, OpeningId, OpeningKind, openings,
};

/// A member who may be invited (active, with no invitation waiting for their answer).
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub id: Uuid,
    /// Their skills and interests, as on their profile.
    pub skills: &'a str,
    /// Their hopes for the vision (not withdrawn).
    pub hopes: &'a [String],
    pub path: &'a Path,
    /// How many meetings they came to.
    pub meetings: i64,
    pub willing_to_take_notes: bool,
}

/// Where someone stands, as far as the next invitation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stance {
    /// Has not carried anything yet; came to this many meetings.
    New { meetings: i64 },
    /// Has carried a task, but neither backed up nor carried an ongoing responsibility.
    CarriedTask,
    /// Has backed up an ongoing responsibility, but not carried one.
    BacksUp,
    /// Has carried an ongoing responsibility.
    Carries,
}

impl Stance {
    pub fn of(path: &Path, meetings: i64) -> Self {
        if path.reached(Step::CarriesOngoing) {
            Self::Carries
        } else if path.reached(Step::BacksUp) {
            Self::BacksUp
        } else if path.reached(Step::CarriedTask) {
            Self::CarriedTask
        } else {
            Self::New { meetings }
        }
    }

    /// How natural the opening is as their next step (1–4).
    fn fit(self, o: &Opening) -> u32 {
        use OpeningKind::*;
        match (self, o.at.kind) {
            (Self::New { .. }, Carry) if o.task => 4,
            (Self::New { .. }, Carry) => 3,
            (Self::New { .. }, Backup | NoteTaker) => 1,
            (Self::CarriedTask, Backup) => 4,
            (Self::CarriedTask, Carry) if o.task => 2,
            (Self::CarriedTask, Carry) => 3,
            (Self::CarriedTask, NoteTaker) => 2,
            (Self::BacksUp, Carry) if !o.task => 4,
            (Self::BacksUp, Carry | Backup | NoteTaker) => 2,
            (Self::Carries, NoteTaker) => 4,
            (Self::Carries, Backup) => 3,
            (Self::Carries, Carry) => 2,
        }
    }

    fn said(self, you: bool) -> String {
        let times = |n: i64| match n {
            1 => "1 meeting".to_string(),
            n => format!("{n} meetings"),
        };
        match (self, you) {
            (Self::New { meetings: 0 }, false) => "carries nothing yet".into(),
            (Self::New { meetings: 0 }, true) => "you do not carry anything yet".into(),
            (Self::New { meetings }, false) => {
                format!("carries nothing yet and came to {}", times(meetings))
            }
            (Self::New { meetings }, true) => {
                format!(
                    "you came to {} and do not carry anything yet",
                    times(meetings)
                )
            }
            (Self::CarriedTask, false) => "has carried a task".into(),
            (Self::CarriedTask, true) => "you have carried a task".into(),
            (Self::BacksUp, false) => "has backed up an ongoing responsibility".into(),
            (Self::BacksUp, true) => "you have backed up an ongoing responsibility".into(),
            (Self::Carries, false) => "has carried an ongoing responsibility".into(),
            (Self::Carries, true) => "you have carried an ongoing responsibility".into(),
        }
    }
}

/// Why a member fits an opening, besides where they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// Their skills and interests (as written on their profile) share words with it.
    Skills(String),
    /// One of their hopes (shortened) meets the goal the opening serves.
    Hope { hope: String, goal: String },
    /// They offer to take notes at meetings.
    OffersNotes,
}

impl Fit {
    fn said(&self, title: &str, you: bool) -> String {
        let their = if you { "your" } else { "their" };
        match self {
            Self::Skills(skills) => format!("{their} skills ({skills}) fit “{title}”"),
            Self::Hope { hope, goal } => {
                format!("{their} hope “{hope}” meets the goal “{goal}”")
            }
            Self::OffersNotes if you => "you offered to take notes".into(),
            Self::OffersNotes => "they offer to take notes".into(),
        }
    }
}

/// Which rule found the opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// (a) A responsibility nobody carries.
    Unowned,
    /// (b) An ongoing responsibility without a backup.
    NoBackup,
    /// (c) A meeting without a note-taker.
    NoteTaker,
    /// (d) The member's hope meets the goal of a responsibility that needs someone.
    HopeMeetsGoal,
}

/// One member's suggested next invitation, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub member: Uuid,
    pub opening: OpeningId,
    pub title: String,
    /// When the meeting starts (notes only).
    pub when: Option<DateTime<Utc>>,
    pub rule: Rule,
    pub stance: Stance,
    pub fits: Vec<Fit>,
}

impl Suggestion {
    /// What they would be invited to: "carry “Soup night”".
    pub fn ask(&self) -> String {
        format!("{} “{}”", self.opening.kind.offer_kind().verb(), self.title)
    }

    /// Why, as the organisers read it: "carries nothing yet and came to 4 meetings; their skills
    /// (cooking) fit “Soup night”".
    pub fn reason(&self) -> String {
        self.said(false)
    }

    /// Why, as the member reads it on their own page.
    pub fn reason_for_you(&self) -> String {
        self.said(true)
    }

    fn said(&self, you: bool) -> String {
        let mut parts = vec![self.stance.said(you)];
        if self.fits.is_empty() {
            parts.push(self.need());
        }
        parts.extend(self.fits.iter().map(|f| f.said(&self.title, you)));
        parts.join("; ")
    }

    /// What the group needs, when nothing about the person says more.
    fn need(&self) -> String {
        let t = &self.title;
        match self.rule {
            Rule::Unowned | Rule::HopeMeetsGoal if self.opening.kind == OpeningKind::Carry => {
                format!("nobody carries “{t}”")
            }
            Rule::NoteTaker => format!("“{t}” needs a note-taker"),
            _ => format!("“{t}” has no backup"),
        }
    }
}

/// Words that carry no meaning of their own when a hope is matched with a goal.
const COMMON: &[&str] = &[
    "about", "after", "also", "been", "being", "could", "each", "every", "from", "have", "into",
    "just", "like", "make", "more", "most", "much", "only", "other", "over", "should", "some",
    "such", "than", "that", "their", "them", "then", "there", "these", "they", "this", "those",
    "very", "want", "were", "what", "when", "where", "which", "while", "will", "wish", "with",
    "would", "your", "ours", "here", "together", "people", "everyone", "better",
];

/// A text reduced to its meaningful words (for matching hopes with goals).
fn meaningful(text: &str) -> String {
    words(text)
        .into_iter()
        .filter(|w| !COMMON.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a hope shares words with a goal.
pub fn hope_meets(hope: &str, goal: &Goal) -> bool {
    let goal_text = format!("{} {}", goal.title, goal.description);
    affinity(&meaningful(hope), &meaningful(&goal_text)) > 0
}

/// A hope as a reason quotes it: its first 60 characters.
fn shortened(hope: &str) -> String {
    let hope = hope.trim();
    if hope.chars().count() <= 60 {
        hope.to_string()
    } else {
        let cut: String = hope.chars().take(59).collect();
        format!("{}…", cut.trim_end())
    }
}

/// How well `c` fits `o`, with the reasons and the rule; `None` when they may not be asked.
fn matched(c: &Candidate<'_>, o: &Opening, goals: &[Goal]) -> Option<(u32, Vec<Fit>, Rule)> {
    if o.excluded.contains(&c.id) {
        return None;
    }
    let stance = Stance::of(c.path, c.meetings);
    let mut score = stance.fit(o);
    let mut fits = Vec::new();
    let mut rule = match o.at.kind {
        OpeningKind::Carry => Rule::Unowned,
        OpeningKind::Backup => Rule::NoBackup,
        OpeningKind::NoteTaker => Rule::NoteTaker,
    };
    let goal = o.goal.and_then(|g| goals.iter().find(|x| x.id == g));
    if let Some(goal) = goal {
        let hope = c.hopes.iter().find(|h| hope_meets(h, goal));
        if let Some(hope) = hope {
            score += 6;
            rule = Rule::HopeMeetsGoal;
            fits.push(Fit::Hope {
                hope: shortened(hope),
                goal: goal.title.clone(),
            });
        }
    }
    let shared = affinity(c.skills, &o.text);
    if shared > 0 {
        score += 3 * shared.min(2) as u32;
        fits.push(Fit::Skills(c.skills.trim().to_string()));
    }
    if o.at.kind == OpeningKind::NoteTaker && c.willing_to_take_notes {
        score += 3;
        fits.push(Fit::OffersNotes);
    }
    Some((score, fits, rule))
}

/// One suggestion per candidate where any opening may go to them: the best fits first, each
/// opening to one member while other openings remain for the rest (see the module's notes).
/// Candidates and openings are taken in the order given, which breaks ties.
pub fn suggest(
    candidates: &[Candidate<'_>],
    openings: &[Opening],
    goals: &[Goal],
) -> Vec<Suggestion> {
    let mut pairs = Vec::new();
    for (ci, c) in candidates.iter().enumerate() {
        for (oi, o) in openings.iter().enumerate() {
            if let Some((score, fits, rule)) = matched(c, o, goals) {
                pairs.push((score, ci, oi, fits, rule));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut chosen: Vec<Option<usize>> = vec![None; candidates.len()];
    let mut taken = vec![false; openings.len()];
    // First every opening once, best fit first; then those left share their best opening.
    for share in [false, true] {
        for (i, (_, ci, oi, _, _)) in pairs.iter().enumerate() {
            if chosen[*ci].is_none() && (share || !taken[*oi]) {
                chosen[*ci] = Some(i);
                taken[*oi] = true;
            }
        }
    }
    candidates
        .iter()
        .zip(chosen)
        .filter_map(|(c, pick)| {
            let (_, _, oi, fits, rule) = pairs[pick?].clone();
            let o = &openings[oi];
            Some(Suggestion {
                member: c.id,
                opening: o.at,
                title: o.title.clone(),
                when: o.when,
                rule,
                stance: Stance::of(c.path, c.meetings),
                fits,
            })
        })
        .collect()
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unowned => "nobody carries it",
            Self::NoBackup => "no backup",
            Self::NoteTaker => "needs a note-taker",
            Self::HopeMeetsGoal => "their hope meets its goal",
        })
    }
}

#[cfg(test)]
mod tests;
