//! Sending a suggested invitation: re-checked on the server in one transaction (the opening
//! still open, the person still an active member), then made an offer through the offers
//! machinery, so the person hears of it by notification and mail and finds it in "Waiting on
//! you". An id of another CAN, or of nothing, is 404; an opening filled meanwhile or a member
//! who paused or left is refused with a message, and nothing is written.

use chrono::Utc;
use sqlx::PgPool;

use super::forms::Invitation;
use super::queries;
use super::suggest::OpeningKind;
use crate::cans::access::{CanAccess, Coordinator};
use crate::cans::model::MembershipStatus;
use crate::error::{OrNotFound, Result};
use crate::meetings::model::MeetingStatus;
use crate::responsibilities::model::{ResponsibilityKind, ResponsibilityStatus};
use crate::responsibilities::offers::{self, Ask, Subject};

/// What an invitation came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Invited {
    /// Sent: "Noor is invited to carry “Soup night”".
    Sent(String),
    /// Nothing sent, and why.
    Refused(String),
}

/// What the invitation is about, as re-checked under its lock.
struct Checked {
    subject: Subject,
    title: String,
    when: Option<String>,
    /// A meeting's start (a note-taker ask lapses then).
    starts_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why it can no longer be offered to this member, if it cannot.
    closed: Option<String>,
}

pub async fn send(
    db: &PgPool,
    access: &CanAccess<Coordinator>,
    invitation: &Invitation,
    base_url: &str,
) -> Result<Invited> {
    let (can, me) = (&access.can, access.actor());
    let member = invitation.member;
    let mut tx = db.begin().await?;
    // The subject first, then the membership: the order an answer to the offer takes them in.
    let id = invitation.opening.id;
    let checked = match invitation.opening.kind {
        kind @ (OpeningKind::Carry | OpeningKind::Backup) => {
            let r = queries::lock_responsibility(&mut tx, can.id, id)
                .await?
                .or_not_found()?;
            let t = &r.title;
            let closed = if !r.status.is_current() {
                Some(format!("“{t}” is closed now"))
            } else if r.carrier_ids.contains(&member) {
                Some(format!("they carry “{t}” already"))
            } else if kind == OpeningKind::Carry && !r.carrier_ids.is_empty() {
                Some(format!("someone carries “{t}” now"))
            } else if kind == OpeningKind::Backup
                && (r.kind != ResponsibilityKind::Ongoing
                    || r.status != ResponsibilityStatus::Active
                    || r.carrier_ids.is_empty())
            {
                Some(format!("“{t}” has nobody carrying it to back up"))
            } else if kind == OpeningKind::Backup && r.backup_ids.contains(&member) {
                Some(format!("they back up “{t}” already"))
            } else if kind == OpeningKind::Backup && !r.backup_ids.is_empty() {
                Some(format!("“{t}” has a backup now"))
            } else {
                None
            };
            Checked {
                subject: Subject::Responsibility(id),
                title: r.title,
                when: None,
                starts_at: None,
                closed,
            }
        }
        OpeningKind::NoteTaker => {
            let g = queries::lock_meeting(&mut tx, can.id, id)
                .await?
                .or_not_found()?;
            let t = &g.title;
            let closed = if g.status != MeetingStatus::Scheduled || g.starts_at <= Utc::now() {
                Some(format!("“{t}” is no longer ahead"))
            } else if g.note_taker_id == Some(member) {
                Some(format!("they take the notes at “{t}” already"))
            } else if g.note_taker_id.is_some() {
                Some(format!("“{t}” has a note-taker now"))
            } else if g.facilitator_id == Some(member) {
                Some(format!("they facilitate “{t}”"))
            } else {
                None
            };
            Checked {
                subject: Subject::Meeting(id),
                when: Some(crate::meetings::when(g.starts_at, g.ends_at, can.time_zone)),
                starts_at: Some(g.starts_at),
                title: g.title,
                closed,
            }
        }
    };
    let person = queries::lock_member(&mut tx, can.id, member)
        .await?
        .or_not_found()?;
    if member == me.id {
        return Ok(Invited::Refused(format!(
            "Nobody invites themselves: to {} “{}”, take it on from its own page.",
            invitation.opening.kind.offer_kind().verb(),
            checked.title
        )));
    }
    if person.status != MembershipStatus::Active {
        return Ok(Invited::Refused(format!(
            "{} is not an active member now (away, or gone): nothing was sent.",
            person.name
        )));
    }
    if let Some(why) = checked.closed {
        return Ok(Invited::Refused(format!(
            "Not sent to {}: {why}. The suggestions are fresh now.",
            person.name
        )));
    }
    // Each opening is asked of one person at a time, and each person has one invitation to
    // answer at a time (read under the subject's lock, so two coordinators at once cannot both
    // ask; the page showed this, but it may be stale).
    let asked = queries::open_asks(&mut tx, can.id, invitation.opening.kind, id, member).await?;
    if asked.opening {
        return Ok(Invited::Refused(format!(
            "Not sent to {}: someone has been asked to {} “{}” already and has not answered yet. \
             The suggestions are fresh now.",
            person.name,
            invitation.opening.kind.offer_kind().verb(),
            checked.title
        )));
    }
    if asked.member {
        return Ok(Invited::Refused(format!(
            "Not sent: {} has an invitation waiting for their answer. The suggestions are fresh now.",
            person.name
        )));
    }
    let kind = invitation.opening.kind.offer_kind();
    let ask = Ask {
        subject: checked.subject,
        title: &checked.title,
        kind,
        to: member,
        note: &invitation.note,
        overlap_days: 0,
        when: checked.when,
        // Nobody takes notes at a meeting that has begun: the ask lapses when it starts.
        ends_by: checked.starts_at,
    };
    if offers::make(&mut tx, access, &ask, base_url)
        .await?
        .is_none()
    {
        return Ok(Invited::Refused(format!(
            "{} has been asked this already and has not answered yet: nothing new was sent.",
            person.name
        )));
    }
    let what = format!("{} “{}”", kind.verb(), checked.title);
    let summary = format!("{} invited {} to {what}", me.name, person.name);
    let (action, subject) = match checked.subject {
        Subject::Responsibility(rid) => ("responsibility.invited", ("responsibility", rid)),
        Subject::Meeting(mid) => ("meeting.note_taker_invited", ("meeting", mid)),
    };
    access.log(&mut tx, action, subject, summary).await?;
    tx.commit().await?;
    Ok(Invited::Sent(format!(
        "{} is invited to {what}.",
        person.name
    )))
}
