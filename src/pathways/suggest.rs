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
use crate::responsibilities::model::{OfferKind, ResponsibilityKind, ResponsibilityStatus};
use crate::responsibilities::queries::Row;

/// How many days ahead a meeting without a note-taker is an opening.
pub const NOTE_TAKER_DAYS: i64 = 30;

/// What an opening asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpeningKind {
    /// Carry a responsibility nobody carries.
    Carry,
    /// Back up an ongoing responsibility that has none.
    Backup,
    /// Take the notes at a meeting.
    NoteTaker,
}

impl OpeningKind {
    const ALL: [Self; 3] = [Self::Carry, Self::Backup, Self::NoteTaker];

    /// Its word in a form value (`carrier:<uuid>`), the same as the offer's kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Carry => "carrier",
            Self::Backup => "backup",
            Self::NoteTaker => "note_taker",
        }
    }

    /// The offer that invites someone to it.
    pub fn offer_kind(self) -> OfferKind {
        match self {
            Self::Carry => OfferKind::Carrier,
            Self::Backup => OfferKind::Backup,
            Self::NoteTaker => OfferKind::NoteTaker,
        }
    }
}

/// An opening, as a form names it: what is asked and of which responsibility or meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpeningId {
    pub kind: OpeningKind,
    pub id: Uuid,
}

impl OpeningId {
    /// `carrier:<uuid>`, `backup:<uuid>`, `note_taker:<uuid>`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let (kind, id) = raw.trim().split_once(':')?;
        let kind = OpeningKind::ALL.into_iter().find(|k| k.as_str() == kind)?;
        Some(Self {
            kind,
            id: Uuid::parse_str(id).ok()?,
        })
    }

    /// The opening an open offer fills, if it is one (a hand-off is not).
    pub fn of_offer(
        kind: OfferKind,
        responsibility: Option<Uuid>,
        meeting: Option<Uuid>,
    ) -> Option<Self> {
        let (kind, id) = match kind {
            OfferKind::Carrier => (OpeningKind::Carry, responsibility?),
            OfferKind::Backup => (OpeningKind::Backup, responsibility?),
            OfferKind::NoteTaker => (OpeningKind::NoteTaker, meeting?),
            OfferKind::Handoff => return None,
        };
        Some(Self { kind, id })
    }

    /// Where the opening can be seen, as a path inside the CAN.
    pub fn page(&self) -> String {
        match self.kind {
            OpeningKind::NoteTaker => format!("/meetings/{}", self.id),
            OpeningKind::Carry | OpeningKind::Backup => format!("/responsibilities/{}", self.id),
        }
    }
}

/// Something the group needs someone for.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    pub at: OpeningId,
    pub title: String,
    /// What skills are matched against: its title and description.
    pub text: String,
    /// A one-off task (else an ongoing responsibility, or a meeting).
    pub task: bool,
    /// The goal it serves, if any.
    pub goal: Option<Uuid>,
    /// Who is not asked to it: its carriers (for a backup), its facilitator (for notes).
    pub excluded: Vec<Uuid>,
    /// When the meeting starts (notes only).
    pub when: Option<DateTime<Utc>>,
}

/// A meeting ahead that has nobody to take notes.
#[derive(Debug, Clone, PartialEq)]
pub struct NotesWanted {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub facilitator_id: Option<Uuid>,
}

/// An active goal, with the words hopes are matched against.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: Uuid,
    pub title: String,
    pub description: String,
}

/// The openings of a group, from its responsibilities (with their current holders) and its
/// meetings ahead without a note-taker; those already asked of someone (`asked`) are left out.
/// Unowned responsibilities come first, then missing backups, then meetings (soonest first).
pub fn openings(
    responsibilities: &[Row],
    meetings: &[NotesWanted],
    asked: &[OpeningId],
) -> Vec<Opening> {
    let mut found = Vec::new();
    let text = |r: &Row| format!("{} {}", r.title, r.description);
    for r in responsibilities {
        // (a) Current, and no active member carries it.
        if r.status.is_current() && r.carrier_ids.is_empty() {
            found.push(Opening {
                at: OpeningId {
                    kind: OpeningKind::Carry,
                    id: r.id,
                },
                title: r.title.clone(),
                text: text(r),
                task: r.kind == ResponsibilityKind::Task,
                goal: r.goal_id,
                excluded: Vec::new(),
                when: None,
            });
        }
    }
    for r in responsibilities {
        // (b) An active ongoing one resting on its carriers with nobody behind them.
        if r.status == ResponsibilityStatus::Active
            && r.kind == ResponsibilityKind::Ongoing
            && !r.carrier_ids.is_empty()
            && r.backup_ids.is_empty()
        {
            found.push(Opening {
                at: OpeningId {
                    kind: OpeningKind::Backup,
                    id: r.id,
                },
                title: r.title.clone(),
                text: text(r),
                task: false,
                goal: r.goal_id,
                excluded: r.carrier_ids.clone(),
                when: None,
            });
        }
    }
    // (c) Meetings ahead without a note-taker.
    for g in meetings {
        found.push(Opening {
            at: OpeningId {
                kind: OpeningKind::NoteTaker,
                id: g.id,
            },
            title: g.title.clone(),
            text: g.title.clone(),
            task: false,
            goal: None,
            excluded: g.facilitator_id.into_iter().collect(),
            when: Some(g.starts_at),
        });
    }
    found.retain(|o| !asked.contains(&o.at));
    found
}

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
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0).unwrap() // ok: test fixture
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn opening(kind: OpeningKind, n: u128, title: &str) -> Opening {
        Opening {
            at: OpeningId { kind, id: id(n) },
            title: title.into(),
            text: title.into(),
            task: false,
            goal: None,
            excluded: Vec::new(),
            when: None,
        }
    }

    fn newcomer() -> Path {
        Path::default()
            .with(Step::Joined, day(1))
            .with(Step::CameToMeeting, day(2))
    }

    fn candidate<'a>(
        n: u128,
        skills: &'a str,
        hopes: &'a [String],
        path: &'a Path,
    ) -> Candidate<'a> {
        Candidate {
            id: id(n),
            skills,
            hopes,
            path,
            meetings: 4,
            willing_to_take_notes: false,
        }
    }

    #[test]
    fn openings_keys_round_trip_and_nonsense_is_none() {
        let o = OpeningId {
            kind: OpeningKind::NoteTaker,
            id: id(7),
        };
        assert_eq!(OpeningId::parse(&o.key()), Some(o));
        assert_eq!(OpeningId::parse("carry:nope"), None);
        assert_eq!(
            OpeningId::parse("handoff:00000000-0000-0000-0000-000000000007"),
            None
        );
        assert_eq!(OpeningId::parse(""), None);
    }

    #[test]
    fn rule_a_someone_who_comes_but_carries_nothing_is_invited_to_carry_an_unowned_task_matching_their_skills()
     {
        let path = newcomer();
        let mut soup = opening(OpeningKind::Carry, 1, "Soup night");
        soup.text = "Soup night: cooking for neighbours".into();
        soup.task = true;
        let flyers = opening(OpeningKind::Carry, 2, "Flyers");
        let s = suggest(
            &[candidate(10, "cooking", &[], &path)],
            &[flyers, soup],
            &[],
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].opening.id, id(1));
        assert_eq!(s[0].rule, Rule::Unowned);
        assert_eq!(
            s[0].reason(),
            "carries nothing yet and came to 4 meetings; their skills (cooking) fit “Soup night”"
        );
        assert_eq!(
            s[0].reason_for_you(),
            "you came to 4 meetings and do not carry anything yet; your skills (cooking) fit “Soup night”"
        );
        assert_eq!(s[0].ask(), "carry “Soup night”");
    }

    #[test]
    fn rule_b_someone_who_carried_a_task_is_invited_to_back_up_but_never_their_own_responsibility()
    {
        let path = newcomer().with(Step::CarriedTask, day(3));
        let mut treasurer = opening(OpeningKind::Backup, 1, "Treasurer");
        treasurer.excluded = vec![id(11)];
        let unowned = opening(OpeningKind::Carry, 2, "Garden");
        let members = [candidate(10, "", &[], &path), candidate(11, "", &[], &path)];
        let s = suggest(&members, &[treasurer, unowned], &[]);
        let of = |m: u128| s.iter().find(|x| x.member == id(m)).unwrap(); // ok: test fixture
        assert_eq!(of(10).opening.kind, OpeningKind::Backup);
        assert_eq!(of(10).rule, Rule::NoBackup);
        assert_eq!(
            of(10).reason(),
            "has carried a task; “Treasurer” has no backup"
        );
        // The carrier of Treasurer is never asked to back it up: they get the other opening.
        assert_eq!(of(11).opening.id, id(2));
    }

    #[test]
    fn rule_c_a_carrier_is_invited_to_take_notes_and_those_who_offer_come_first() {
        let carrier = newcomer().with(Step::CarriesOngoing, day(3));
        let mut monday = opening(OpeningKind::NoteTaker, 1, "Monday meeting");
        monday.when = Some(day(20));
        monday.excluded = vec![id(12)];
        let mut willing = candidate(11, "", &[], &carrier);
        willing.willing_to_take_notes = true;
        let members = [
            candidate(10, "", &[], &carrier),
            willing,
            candidate(12, "", &[], &carrier),
        ];
        let s = suggest(&members, std::slice::from_ref(&monday), &[]);
        let of = |m: u128| s.iter().find(|x| x.member == id(m));
        let pick = of(11).unwrap(); // ok: test fixture
        assert_eq!(pick.rule, Rule::NoteTaker);
        assert_eq!(pick.when, Some(day(20)));
        assert_eq!(
            pick.reason(),
            "has carried an ongoing responsibility; they offer to take notes"
        );
        assert_eq!(pick.ask(), "take notes at “Monday meeting”");
        // The only opening is shared once everyone else's are taken, but never to its facilitator.
        assert_eq!(of(10).map(|x| x.opening.id), Some(id(1)));
        assert!(of(12).is_none());
    }

    #[test]
    fn rule_d_a_hope_that_meets_a_goal_brings_that_goals_responsibility_with_both_named() {
        let path = newcomer();
        let goal = Goal {
            id: id(100),
            title: "Green the street".into(),
            description: "Trees and planters along Mill Road".into(),
        };
        let mut planters = opening(OpeningKind::Carry, 1, "Water the planters");
        planters.goal = Some(goal.id);
        planters.task = false;
        let mut soup = opening(OpeningKind::Carry, 2, "Soup night");
        soup.task = true;
        let hopes = vec!["I wish we had more trees on our street".to_string()];
        let s = suggest(
            &[candidate(10, "", &hopes, &path)],
            &[soup, planters],
            std::slice::from_ref(&goal),
        );
        assert_eq!(s[0].opening.id, id(1));
        assert_eq!(s[0].rule, Rule::HopeMeetsGoal);
        assert_eq!(
            s[0].reason(),
            "carries nothing yet and came to 4 meetings; their hope “I wish we had more trees on our street” meets the goal “Green the street”"
        );
        // Common words alone do not make a match.
        assert!(!hope_meets("I wish there were more of us", &goal));
    }

    #[test]
    fn where_someone_stands_decides_between_openings_when_nothing_else_does() {
        let backup = newcomer().with(Step::BacksUp, day(3));
        let mut task = opening(OpeningKind::Carry, 1, "Book the hall");
        task.task = true;
        let ongoing = opening(OpeningKind::Carry, 2, "Treasurer");
        let s = suggest(&[candidate(10, "", &[], &backup)], &[task, ongoing], &[]);
        assert_eq!(
            s[0].opening.id,
            id(2),
            "a backup is invited to carry an ongoing one"
        );
        assert_eq!(
            s[0].reason(),
            "has backed up an ongoing responsibility; nobody carries “Treasurer”"
        );
    }

    #[test]
    fn openings_are_spread_rather_than_all_suggested_to_everyone() {
        let path = newcomer();
        let mut soup = opening(OpeningKind::Carry, 1, "Soup night");
        soup.text = "Soup night cooking".into();
        let flyers = opening(OpeningKind::Carry, 2, "Flyers");
        let hall = opening(OpeningKind::Carry, 3, "Book the hall");
        let members = [
            candidate(10, "cooking", &[], &path),
            candidate(11, "cooking", &[], &path),
            candidate(12, "cooking", &[], &path),
        ];
        let s = suggest(&members, &[soup, flyers, hall], &[]);
        let mut ids: Vec<Uuid> = s.iter().map(|x| x.opening.id).collect();
        ids.sort();
        assert_eq!(ids, vec![id(1), id(2), id(3)]);
        // The best fit goes to the first in order.
        assert_eq!(s[0].opening.id, id(1));
    }

    #[test]
    fn no_openings_no_suggestions() {
        let path = newcomer();
        assert!(suggest(&[candidate(10, "cooking", &[], &path)], &[], &[]).is_empty());
    }

    #[test]
    fn openings_come_from_responsibilities_and_meetings_and_skip_what_is_asked_already() {
        let row = |n: u128, kind, status, carriers: Vec<Uuid>, backups: Vec<Uuid>| Row {
            id: id(n),
            title: format!("R{n}"),
            description: String::new(),
            kind,
            goal_id: None,
            goal: None,
            cadence: String::new(),
            due_on: None,
            term_ends_on: None,
            effort: 1,
            status,
            version: 0,
            carriers: carriers.iter().map(|_| "x".to_string()).collect(),
            carrier_ids: carriers,
            backups: backups.iter().map(|_| "y".to_string()).collect(),
            backup_ids: backups,
            offer_ids: Vec::new(),
            offered_to: Vec::new(),
            offered_to_ids: Vec::new(),
            offered_until: Vec::new(),
        };
        use ResponsibilityKind::{Ongoing, Task};
        use ResponsibilityStatus::{Active, Done, Open};
        let rows = [
            row(1, Task, Open, vec![], vec![]),                  // (a)
            row(2, Ongoing, Active, vec![id(50)], vec![]),       // (b)
            row(3, Ongoing, Active, vec![id(50)], vec![id(51)]), // covered
            row(4, Task, Active, vec![id(50)], vec![]),          // a task needs no backup
            row(5, Ongoing, Done, vec![], vec![]),               // closed
            row(6, Ongoing, Open, vec![], vec![]),               // (a), but asked already
        ];
        let meetings = [NotesWanted {
            id: id(7),
            title: "Monday".into(),
            starts_at: day(20),
            facilitator_id: Some(id(50)),
        }];
        let asked = [OpeningId {
            kind: OpeningKind::Carry,
            id: id(6),
        }];
        let found = openings(&rows, &meetings, &asked);
        let keys: Vec<(OpeningKind, Uuid)> = found.iter().map(|o| (o.at.kind, o.at.id)).collect();
        assert_eq!(
            keys,
            vec![
                (OpeningKind::Carry, id(1)),
                (OpeningKind::Backup, id(2)),
                (OpeningKind::NoteTaker, id(7)),
            ]
        );
        assert_eq!(found[1].excluded, vec![id(50)]);
        assert_eq!(found[2].excluded, vec![id(50)]);
        assert!(found[0].task);
    }
}
