//! Membership and shared leadership: a member pausing, resuming or leaving, and organisers
//! giving and ending roles. Changes to leadership take the CAN's lock, so the rule that a CAN
//! always keeps an active organiser holds whatever runs at the same time.

use chrono::NaiveDate;
use sqlx::PgPool;

use super::access::{CanAccess, Member, Organiser};
use super::forms::{Grant, Willing};
use super::leaving::{self, Leaver};
use super::mail;
use super::model::{MembershipStatus, Role};
use super::queries::{self, MemberLine, Released};
use crate::error::Result;
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::web::time;

/// What a member asks of their own membership.
#[derive(Debug, Clone, Copy)]
pub enum OwnChange<'a> {
    /// Away for a while, until the day given (in the CAN's zone) if they know it. While away,
    /// naming another day (or none) changes only the day.
    Pause {
        until: Option<NaiveDate>,
    },
    Resume,
    /// Leaving, confirmed, with a word for the organisers only (empty when none).
    Leave {
        reason: &'a str,
    },
}

/// What a member's change to their own membership came to.
pub enum StatusChange {
    Changed,
    /// Away with the same return day, or resumed while active (or the membership changed since
    /// the page was read, e.g. the clock brought them back).
    NothingToChange,
    /// They are the only active organiser: nothing changed.
    LastOrganiser,
}

/// The member pauses, resumes or leaves. Leaving ends their roles, withdraws a pending request
/// and the asks made by or to them, opens what they carried, keeps their reason for the
/// organisers, and tells the organisers and coordinators.
pub async fn change_own_status(
    db: &PgPool,
    access: &CanAccess<Member>,
    change: OwnChange<'_>,
    base_url: &str,
) -> Result<StatusChange> {
    use MembershipStatus::{Active, Left, Paused};
    let (can, me) = (&access.can, &access.me);
    let (from, to, until): (&[MembershipStatus], _, _) = match change {
        OwnChange::Pause { until } => (&[Active], Paused, until),
        OwnChange::Resume => (&[Paused], Active, None),
        OwnChange::Leave { .. } => (&[Active, Paused], Left, None),
    };
    let mut tx = db.begin().await?;
    queries::lock_can(&mut tx, can.id).await?;
    if !queries::change_status(&mut tx, can.id, me.id, from, to, until).await? {
        // Already away: a new return day is all there is to change.
        if let OwnChange::Pause { until } = change
            && queries::set_away_until(&mut tx, can.id, me.id, until).await?
        {
            tx.commit().await?;
            return Ok(StatusChange::Changed);
        }
        return Ok(StatusChange::NothingToChange);
    }
    let mut released = Released::default();
    if to == Left {
        queries::end_roles(&mut tx, can.id, me.id, None, me.id).await?;
        queries::withdraw_join_requests(&mut tx, can.id, me.id).await?;
        released = queries::release_carried(&mut tx, can.id, me.id).await?;
        crate::responsibilities::offers::withdraw_involving(
            &mut tx,
            can,
            me.id,
            &me.display_name,
            base_url,
        )
        .await?;
        // Their open requests for a hand are withdrawn and their offers to help taken back.
        crate::support::withdraw_open_for(&mut tx, can, me.id, base_url).await?;
    }
    // Checked after the change, under the CAN's lock, so no interleaving can leave none.
    if to != Active && queries::active_organisers(&mut tx, can.id).await? == 0 {
        return Ok(StatusChange::LastOrganiser);
    }
    let (action, summary) = match to {
        Paused => ("membership.paused", "is away for a while"),
        Active => ("membership.resumed", "is back"),
        Left => ("membership.left", "left the CAN"),
    };
    // The reason never reaches the log: only the organisers read it, on the members page.
    let summary = format!("{} {summary}", me.display_name);
    access
        .log(&mut tx, action, ("member", me.id), summary)
        .await?;
    if let OwnChange::Leave { reason } = change {
        let departure = queries::insert_departure(&mut tx, can.id, me.id, reason).await?;
        let leaver = Leaver {
            id: me.id,
            name: &me.display_name,
        };
        leaving::tell_departure(&mut tx, can, leaver, departure, reason, &released, base_url)
            .await?;
    }
    tx.commit().await?;
    Ok(StatusChange::Changed)
}

/// What saying one is willing to facilitate, take notes or welcome newcomers came to.
pub enum WillingChange {
    Changed,
    /// It was so already.
    NothingToChange,
}

/// The member says whether they offer to facilitate, to take notes and to welcome newcomers;
/// rotation suggests among those who do (and, at meetings, those holding the facilitator role).
pub async fn set_willing(
    db: &PgPool,
    access: &CanAccess<Member>,
    willing: Willing,
) -> Result<WillingChange> {
    let me = &access.me;
    let mut tx = db.begin().await?;
    let changed = queries::set_willing(
        &mut tx,
        access.can.id,
        me.id,
        willing.facilitate,
        willing.take_notes,
        willing.welcome,
    )
    .await?;
    if !changed {
        return Ok(WillingChange::NothingToChange);
    }
    let meetings = match (willing.facilitate, willing.take_notes) {
        (true, true) => "is willing to facilitate meetings and to take notes",
        (true, false) => "is willing to facilitate meetings (not to take notes)",
        (false, true) => "is willing to take notes at meetings (not to facilitate)",
        (false, false) => "is not offering to facilitate or take notes for now",
    };
    let newcomers = match willing.welcome {
        true => "offers to welcome newcomers",
        false => "is not offering to welcome newcomers for now",
    };
    let summary = format!("{} {meetings}, and {newcomers}", me.display_name);
    access
        .log(&mut tx, "membership.willing", ("member", me.id), summary)
        .await?;
    tx.commit().await?;
    Ok(WillingChange::Changed)
}

/// What giving a role came to.
pub enum Granted {
    Now,
    AlreadyHeld,
    /// The member is not active (any more): roles go to active members.
    NotActive,
}

/// Gives `target` the role and tells them (unless they gave it to themselves).
pub async fn grant_role(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    target: &MemberLine,
    grant: &Grant,
    base_url: &str,
) -> Result<Granted> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    queries::lock_can(&mut tx, can.id).await?;
    // Read again under the lock: they may have paused or left since the page was loaded.
    let status = queries::membership_status(&mut tx, can.id, target.member_id).await?;
    if status != Some(MembershipStatus::Active) {
        return Ok(Granted::NotActive);
    }
    let Some(grant_id) = queries::grant_role(
        &mut tx,
        can.id,
        target.member_id,
        grant.role,
        Some(access.me.id),
        grant.term_ends_on,
    )
    .await?
    else {
        return Ok(Granted::AlreadyHeld);
    };
    let until = grant
        .term_ends_on
        .map(|d| format!(" until {}", time::date(d)))
        .unwrap_or_default();
    let summary = format!(
        "{} named {} {}{until}",
        access.me.display_name,
        target.display_name,
        grant.role.as_str(),
    );
    access
        .log(
            &mut tx,
            "role.granted",
            ("member", target.member_id),
            summary,
        )
        .await?;
    if target.member_id != access.me.id {
        let words = mail::RoleGranted {
            by: &access.me.display_name,
            can_name: &can.name,
            role: grant.role,
            term_ends_on: grant.term_ends_on,
        };
        let notice = Notice {
            kind: Kind::RoleGranted,
            can: Some((can.id, &can.name)),
            line: words.line(),
            link: access.path(&format!("/members/{}", target.member_id)),
            key: format!("role_grant:{grant_id}:granted"),
        };
        let to = Recipient::with_detail(target.member_id, words.text()?);
        notifications::notify(&mut tx, base_url, &notice, &[to]).await?;
    }
    tx.commit().await?;
    Ok(Granted::Now)
}

/// What ending a role came to.
pub enum Ended {
    Now,
    /// They are the only active organiser: nothing changed.
    LastOrganiser,
}

pub async fn end_role(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    target: &MemberLine,
    role: Role,
) -> Result<Ended> {
    let can = &access.can;
    let member_id = target.member_id;
    let mut tx = db.begin().await?;
    queries::lock_can(&mut tx, can.id).await?;
    let ended = queries::end_roles(&mut tx, can.id, member_id, Some(role), access.me.id).await?;
    if role == Role::Organiser && queries::active_organisers(&mut tx, can.id).await? == 0 {
        return Ok(Ended::LastOrganiser);
    }
    if ended > 0 {
        let summary = format!(
            "{} ended {}'s role as {}",
            access.me.display_name,
            target.display_name,
            role.as_str()
        );
        access
            .log(&mut tx, "role.ended", ("member", member_id), summary)
            .await?;
    }
    tx.commit().await?;
    Ok(Ended::Now)
}
