//! What the pathways view and a member's own page compute, from five statements for the whole
//! CAN whatever its size: the paths, the open offers, the responsibilities with their holders,
//! the meetings ahead without a note-taker, and the active goals.

use std::collections::HashSet;

use sqlx::PgPool;
use uuid::Uuid;

use super::path::Path;
use super::queries::{self, MemberRow, OpenOffer};
use super::suggest::{self, Candidate, OpeningId, Suggestion};
use crate::cans::model::MembershipStatus;
use crate::error::Result;

/// A CAN's members with their paths, the open invitations, and one suggestion per active member
/// who has no invitation waiting.
pub struct Group {
    /// Current members (active and paused), by name, each with their path.
    pub members: Vec<(MemberRow, Path)>,
    pub offers: Vec<OpenOffer>,
    pub suggestions: Vec<Suggestion>,
}

impl Group {
    pub async fn load(db: &PgPool, can_id: Uuid) -> Result<Self> {
        let rows = queries::paths(db, can_id).await?;
        let offers = queries::open_offers(db, can_id).await?;
        let responsibilities = crate::responsibilities::queries::all(db, can_id).await?;
        let meetings = queries::notes_wanted(db, can_id).await?;
        let goals = queries::goals(db, can_id).await?;
        let asked: Vec<OpeningId> = offers
            .iter()
            .filter_map(|o| OpeningId::of_offer(o.kind, o.responsibility_id, o.meeting_id))
            .collect();
        let openings = suggest::openings(&responsibilities, &meetings, &asked);
        let members: Vec<(MemberRow, Path)> = rows
            .into_iter()
            .map(|r| {
                let path = r.path();
                (r, path)
            })
            .collect();
        let invited: HashSet<Uuid> = offers.iter().map(|o| o.to_member).collect();
        // Paused members are not invited; nor is anyone with an invitation still to answer.
        let candidates: Vec<Candidate<'_>> = members
            .iter()
            .filter(|(m, _)| {
                m.status == MembershipStatus::Active && !invited.contains(&m.member_id)
            })
            .map(|(m, path)| Candidate {
                id: m.member_id,
                skills: &m.skills,
                hopes: &m.hopes,
                path,
                meetings: m.meetings,
                willing_to_take_notes: m.willing_to_take_notes,
            })
            .collect();
        let suggestions = suggest::suggest(&candidates, &openings, &goals);
        Ok(Self {
            members,
            offers,
            suggestions,
        })
    }

    pub fn suggestion_for(&self, member: Uuid) -> Option<&Suggestion> {
        self.suggestions.iter().find(|s| s.member == member)
    }

    /// The invitation waiting for this member's answer (the oldest, if several).
    pub fn offer_to(&self, member: Uuid) -> Option<&OpenOffer> {
        self.offers.iter().find(|o| o.to_member == member)
    }
}
