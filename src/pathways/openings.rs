//! The group's openings: what it needs now that someone could be invited to take on — an
//! unowned responsibility, a missing backup, a meeting ahead without a note-taker. Pure: the
//! handler loads the rows; [`super::suggest`] matches openings to people.

use chrono::{DateTime, Utc};
use uuid::Uuid;

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
