//! Looking after people: noting that someone reached out to a member who seems to drift away
//! (with, if they like, a word the member receives), and the private check-in after a meeting
//! (only ever shown as averages, from three answers).

use sqlx::PgPool;
use uuid::Uuid;

use super::forms::{CheckIn, ReachOut};
use super::health::CHECK_IN_DAYS;
use super::queries;
use crate::cans::access::{ActiveMember, CanAccess, Facilitator};
use crate::error::{AppError, OrNotFound, Result};
use crate::notifications::{self, Kind, Notice, Recipient};

/// What reaching out came to: the member's name, and whether they were sent the word.
pub struct ReachedOut {
    pub name: String,
    pub word_sent: bool,
}

/// Records that the caller checked in with a current member and, when there is a word for them,
/// sends it to that member alone (the note stays with the group). A member id that names nobody
/// here is not found. Only facilitators and organisers, who see who drifts, reach out here: a
/// reach-out takes someone off the guide's "reach out to" step, so letting anyone record one
/// would let anyone find out, one try at a time, who drifts.
pub async fn reach_out(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    reach_out: &ReachOut,
    base_url: &str,
) -> Result<ReachedOut> {
    let (can, member) = (&access.can, reach_out.member_id);
    let mut tx = db.begin().await?;
    let name = queries::current_member_name(&mut tx, can.id, member)
        .await?
        .or_not_found()?;
    queries::insert_reach_out(&mut tx, can.id, member, access.me.id, &reach_out.note).await?;
    let summary = format!("{} checked in with {name}", access.me.display_name);
    access
        .log(&mut tx, "health.reached_out", ("member", member), summary)
        .await?;
    let mut word_sent = false;
    if let Some(word) = reach_out.word.as_ref().filter(|_| member != access.me.id) {
        let notice = Notice {
            kind: Kind::ReachOut,
            can: Some((can.id, &can.name)),
            line: format!(
                "{} from {} is thinking of you",
                access.me.display_name, can.name
            ),
            link: access.path(""),
            // One word a week from one member to another: a caring nudge, never a stream.
            key: format!(
                "reach_out:{}:{}:{}",
                can.id,
                access.me.id,
                super::digest::week_of(crate::web::time::today_in(can.time_zone))
            ),
        };
        let to = Recipient::with_detail(member, word.clone());
        word_sent = !notifications::notify(&mut tx, base_url, &notice, &[to])
            .await?
            .is_empty();
    }
    tx.commit().await?;
    Ok(ReachedOut { name, word_sent })
}

/// A meeting the caller may check in for: held, they were there, and not closed yet.
pub struct CheckInOpen {
    pub title: String,
    /// They checked in already (one check-in each).
    pub done: bool,
}

/// The meeting, if the caller may check in for it; otherwise 404 or 403 with the reason.
pub async fn check_in_open(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    meeting_id: Uuid,
) -> Result<CheckInOpen> {
    let (can_id, me) = (access.can.id, access.me.id);
    let g = queries::check_in_meeting(db, can_id, meeting_id, me, CHECK_IN_DAYS)
        .await?
        .or_not_found()?;
    if g.closed {
        return Err(AppError::Forbidden(
            "Check-ins close a week after the meeting; this one has closed.",
        ));
    }
    if !g.held || !g.present {
        return Err(AppError::Forbidden(
            "Check-ins are for the people who were at a meeting, once it has been held.",
        ));
    }
    Ok(CheckInOpen {
        title: g.title,
        done: g.done,
    })
}

/// What a check-in came to.
pub enum CheckedIn {
    Now,
    /// They had checked in already: one check-in each, the first one stands.
    Already,
}

/// Stores the caller's check-in. Check-ins are private: no activity line names them.
pub async fn check_in(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    meeting_id: Uuid,
    check_in: &CheckIn,
) -> Result<CheckedIn> {
    let (can_id, me) = (access.can.id, access.me.id);
    Ok(
        match queries::insert_check_in(db, can_id, meeting_id, me, check_in).await? {
            true => CheckedIn::Now,
            false => CheckedIn::Already,
        },
    )
}
