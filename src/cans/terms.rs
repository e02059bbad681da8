//! Role terms, enforced: a reminder two weeks before a term ends, the grant ended by the clock once
//! its term has passed in the CAN's zone, and an organiser renewing a term. The rule that a CAN
//! always keeps an active organiser holds here too: the last one's grant outlives its term, and
//! the organisers are asked, once, to renew it or name another organiser.
//!
//! A renewal ends the old grant and starts a new one, so every term is a row of the member's
//! history (who gave it, until when), and the new term's reminder and end start afresh.
//!
//! Each mail about a term is a `role_term` notification (the mail's words its detail), keyed per
//! grant, occasion and person, so a clock that runs twice tells nobody twice.

use chrono::{Months, NaiveDate};
use sqlx::{Connection, PgConnection, PgPool};

use super::access::{CanAccess, Organiser};
use super::activity::{self, Entry};
use super::forms::Renewal;
use super::mail::{self, Term, TermText};
use super::model::{MembershipStatus, Role};
use super::queries::{self, MemberLine};
use crate::error::Result;
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::web::time;

/// How many days before a term ends its holder and the organisers are reminded.
pub const REMIND_DAYS: i32 = 14;

/// The date a renewal form offers: a year after the current end, or a year from today when that
/// has passed too (a last organiser's term kept for long).
pub fn default_renewal(current_end: NaiveDate, today: NaiveDate) -> NaiveDate {
    let year = Months::new(12);
    match current_end.checked_add_months(year) {
        Some(next) if next > today => next,
        _ => today.checked_add_months(year).unwrap_or(today),
    }
}

/// What renewing a term came to.
pub enum Renewed {
    Now,
    /// The new end is not after the current one (an old page, or someone renewed it first).
    NotAfterCurrent(NaiveDate),
    /// They do not hold the role (any more).
    NotHeld,
    /// The role has no term end, so there is no term to renew.
    NoTerm,
    /// The member is not active (any more): roles go to active members.
    NotActive,
}

/// Renews the term, and tells the holder (unless they renewed their own).
pub async fn renew(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    target: &MemberLine,
    renewal: &Renewal,
    base_url: &str,
) -> Result<Renewed> {
    let (can, role) = (&access.can, renewal.role);
    let mut tx = db.begin().await?;
    queries::lock_can(&mut tx, can.id).await?;
    let status = queries::membership_status(&mut tx, can.id, target.member_id).await?;
    if status != Some(MembershipStatus::Active) {
        return Ok(Renewed::NotActive);
    }
    let Some(current) = queries::current_grant(&mut tx, can.id, target.member_id, role).await?
    else {
        return Ok(Renewed::NotHeld);
    };
    let Some(current_end) = current.term_ends_on else {
        return Ok(Renewed::NoTerm);
    };
    if renewal.term_ends_on <= current_end {
        return Ok(Renewed::NotAfterCurrent(current_end));
    }
    queries::end_for_renewal(&mut tx, current.id, access.me.id).await?;
    queries::grant_role(
        &mut tx,
        can.id,
        target.member_id,
        role,
        Some(access.me.id),
        Some(renewal.term_ends_on),
    )
    .await?;
    let summary = format!(
        "{} renewed {}'s term as {} until {} (it was to end {})",
        access.me.display_name,
        target.display_name,
        role.as_str(),
        time::date(renewal.term_ends_on),
        time::date(current_end),
    );
    access
        .log(
            &mut tx,
            "role.renewed",
            ("member", target.member_id),
            summary,
        )
        .await?;
    if target.member_id != access.me.id {
        let words = mail::TermRenewed {
            by: &access.me.display_name,
            can_name: &can.name,
            role,
            until: renewal.term_ends_on,
        };
        let notice = Notice {
            kind: Kind::RoleTerm,
            can: Some((can.id, &can.name)),
            line: words.line(),
            link: access.path(&format!("/members/{}", target.member_id)),
            key: format!("role-term:{}:renewed", current.id),
        };
        notifications::notify(
            &mut tx,
            base_url,
            &notice,
            &[Recipient::plain(target.member_id)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Renewed::Now)
}

/// What one run of the clock did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    /// Terms whose holder and organisers were reminded.
    pub reminded: usize,
    pub ended: usize,
    /// Last organisers' terms that passed and were kept (the organisers told).
    pub kept: usize,
}

/// Sends the reminders that are due and ends the terms that have passed. Safe to run from every
/// instance at once: each grant is claimed with `FOR UPDATE SKIP LOCKED` and stamped, and each
/// mail has a de-duplication key.
pub async fn tick(db: &PgPool, base_url: &str) -> Result<TickReport> {
    let mut report = TickReport::default();
    loop {
        let mut tx = db.begin().await?;
        let Some(t) = queries::claim_term_ending_soon(&mut tx, REMIND_DAYS).await? else {
            break;
        };
        tell(&mut tx, &t, base_url, Occasion::Reminder).await?;
        queries::mark_term_reminded(&mut tx, t.grant_id).await?;
        tx.commit().await?;
        report.reminded += 1;
    }
    // A kept grant is skipped by the claim until there is another organiser, but the rule is
    // re-checked under the lock: remembering what this run decided keeps it from looping.
    let mut decided = Vec::new();
    loop {
        let mut tx = db.begin().await?;
        let Some(t) = queries::claim_term_passed(&mut tx, &decided).await? else {
            break;
        };
        decided.push(t.grant_id);
        match end_or_keep(&mut tx, &t, base_url).await? {
            Passed::Ended => report.ended += 1,
            Passed::Kept => report.kept += 1,
            Passed::StillKept => {}
        }
        tx.commit().await?;
    }
    Ok(report)
}

enum Passed {
    Ended,
    /// Kept as the last active organiser's, and the organisers told.
    Kept,
    /// Kept before, and still the last: they were told then.
    StillKept,
}

/// Ends the grant whose term has passed, unless that would leave the CAN without an active
/// organiser. The claim holds the CAN's row (as `lock_can` does), so the check cannot race.
async fn end_or_keep(conn: &mut PgConnection, t: &queries::Term, base_url: &str) -> Result<Passed> {
    // The same rule as every leadership change: make the change, and undo it (here, to a
    // savepoint) when it leaves no active organiser.
    let mut change = conn.begin().await?;
    queries::end_for_term(&mut change, t.grant_id).await?;
    let last =
        t.role == Role::Organiser && queries::active_organisers(&mut change, t.can_id).await? == 0;
    if last {
        change.rollback().await?;
        if !queries::mark_term_kept(conn, t.grant_id).await? {
            return Ok(Passed::StillKept);
        }
    } else {
        change.commit().await?;
    }
    let (action, summary) = if last {
        (
            "role.term_kept",
            format!(
                "{}'s term as {} ended on {}; the role is kept, as the CAN's only active organiser, until the term is renewed or another organiser is named",
                t.holder_name,
                t.role.as_str(),
                time::date(t.term_ends_on)
            ),
        )
    } else {
        (
            "role.term_ended",
            format!(
                "{}'s term as {} ended on {}, and the role with it",
                t.holder_name,
                t.role.as_str(),
                time::date(t.term_ends_on)
            ),
        )
    };
    activity::record(
        &mut *conn,
        Entry {
            can_id: t.can_id,
            actor_id: None,
            action,
            subject_type: "member",
            subject_id: Some(t.member_id),
            summary,
        },
    )
    .await?;
    if last {
        tell(conn, t, base_url, Occasion::Kept).await?;
        Ok(Passed::Kept)
    } else {
        tell(conn, t, base_url, Occasion::Ended).await?;
        Ok(Passed::Ended)
    }
}

/// What a mail about a term is for.
#[derive(Clone, Copy)]
enum Occasion {
    Reminder,
    Ended,
    Kept,
}

impl Occasion {
    /// Part of each notification's de-duplication key.
    fn key(self) -> &'static str {
        match self {
            Self::Reminder => "reminder",
            Self::Ended => "ended",
            Self::Kept => "kept",
        }
    }

    /// The line and the detail (the mail's words) for one person.
    fn words(self, term: Term<'_>) -> Result<(String, String)> {
        fn both(words: impl TermText) -> Result<(String, String)> {
            Ok((words.line(), words.text()?))
        }
        match self {
            Self::Reminder => both(mail::TermEnding(term)),
            Self::Ended => both(mail::TermEnded(term)),
            Self::Kept => both(mail::TermKept(term)),
        }
    }
}

/// Tells the holder and the CAN's active organisers about the term, once each: a `role_term`
/// notification whose detail is the mail's text, keyed as the mails were (grant, occasion, person).
async fn tell(
    conn: &mut PgConnection,
    t: &queries::Term,
    base_url: &str,
    occasion: Occasion,
) -> Result<()> {
    let path = format!("/c/{}/members/{}", t.slug, t.member_id);
    let link = format!("{base_url}{path}");
    let mut people = vec![t.member_id];
    for o in queries::organisers(&mut *conn, t.can_id).await? {
        if o.id != t.member_id {
            people.push(o.id);
        }
    }
    for id in people {
        let term = Term {
            can_name: &t.can_name,
            holder: &t.holder_name,
            role: t.role,
            day: t.term_ends_on,
            link: &link,
            to_holder: id == t.member_id,
        };
        let (line, detail) = occasion.words(term)?;
        let notice = Notice {
            kind: Kind::RoleTerm,
            can: Some((t.can_id, &t.can_name)),
            line,
            link: path.clone(),
            key: format!("role-term:{}:{}:{id}", t.grant_id, occasion.key()),
        };
        notifications::notify(
            &mut *conn,
            base_url,
            &notice,
            &[Recipient::with_detail(id, detail)],
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap() // ok: test fixture
    }

    #[test]
    fn a_renewal_offers_a_year_after_the_current_end_or_from_today() {
        let today = day(2026, 11, 21);
        assert_eq!(default_renewal(day(2026, 12, 31), today), day(2027, 12, 31));
        assert_eq!(default_renewal(day(2026, 1, 31), today), day(2027, 1, 31));
        // Kept for more than a year: a year from today, not a date already past.
        assert_eq!(default_renewal(day(2025, 6, 30), today), day(2027, 11, 21));
        assert_eq!(default_renewal(day(2028, 2, 29), today), day(2029, 2, 28));
    }
}
