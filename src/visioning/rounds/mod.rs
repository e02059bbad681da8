//! Consent rounds: opening one on a version, answering, closing (by hand or when due), and the
//! reminders. A round adopts its version only with no standing objection and the quorum met.
//! The same machinery decides proposals (`crate::proposals`): answering, the tally, `decide` and
//! closing serve both; what adoption does differs (a vision version becomes the CAN's vision; a
//! proposal becomes a decision), so `close_in` hands a proposal's round to `proposals` at the end.
//! Rounds close in a transaction that locks the round, so two app instances never close one twice,
//! and every notification (opened, closing soon, closed) carries a de-duplication key, so nobody
//! is told the same thing twice.

mod clock;
mod queries;

use askama::Template;
use chrono::{DateTime, Months, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::{Consent, needed};
use super::mail;
use super::model::{Answer, RoundOutcome};
use super::queries::{Version, quorum};
use crate::cans::access::{ActiveMember, Actor, CanAccess, Facilitator};
use crate::cans::activity;
use crate::cans::queries::{Person, active_members};
use crate::error::{AppError, Result};
use crate::notifications::{self, Kind, Notice, Recipient};

pub use super::handlers::time_left;
pub use clock::{TickReport, tick};
pub use queries::{
    AnswerLine, HistoryLine, NewRound, Subject, answerers, answers, history, insert_round,
    objections, open_round_of, round, rounds,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Round {
    pub id: Uuid,
    pub can_id: Uuid,
    pub version_id: Uuid,
    pub version_number: i32,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub outcome: Option<RoundOutcome>,
    pub quorum_num: i16,
    pub quorum_den: i16,
    pub active_at_close: Option<i32>,
    pub answered_at_close: Option<i32>,
    pub endorse_at_close: Option<i32>,
    pub stand_aside_at_close: Option<i32>,
    pub object_at_close: Option<i32>,
}

impl Round {
    /// Open for answers: not closed, and its closing time not yet passed.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && self.closes_at > now
    }

    /// Its time is up but the clock has not closed it yet.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && self.closes_at <= now
    }
}

/// The count that decides a round: active members, how many of them answered, and the standing
/// objections — every one, also from someone who has since paused or left: an objection is never
/// dropped silently; the objector withdraws it, or the group revises the text.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Tally {
    pub active: i64,
    pub answered: i64,
    pub endorse: i64,
    pub stand_aside: i64,
    pub object: i64,
}

/// The count a closed round recorded (all `None` while it is open).
#[derive(Debug, Clone, Copy, Default)]
pub struct AtClose {
    pub active: Option<i32>,
    pub answered: Option<i32>,
    pub endorse: Option<i32>,
    pub stand_aside: Option<i32>,
    pub object: Option<i32>,
}

/// Where the group stands, as a round's page shows it: a closed round the count it was decided
/// on, an open one the current count. Vision rounds and proposals show it alike.
pub struct Count {
    pub endorse: i64,
    pub stand_aside: i64,
    pub object: i64,
    pub answered: i64,
    pub active: i64,
    pub needed: i64,
}

impl Count {
    pub fn new(at_close: AtClose, tally: Tally, (num, den): (i16, i16), open: bool) -> Self {
        let (active, answered) = match (at_close.active, at_close.answered) {
            (Some(a), Some(b)) if !open => (i64::from(a), i64::from(b)),
            _ => (tally.active, tally.answered),
        };
        Self {
            endorse: at_close.endorse.map_or(tally.endorse, i64::from),
            stand_aside: at_close.stand_aside.map_or(tally.stand_aside, i64::from),
            object: at_close.object.map_or(tally.object, i64::from),
            answered,
            active,
            needed: needed(active, num, den),
        }
    }
}

/// The current count of a round.
pub async fn tally(db: &PgPool, can_id: Uuid, round_id: Uuid) -> Result<Tally> {
    queries::tally(db, can_id, round_id).await
}

/// What closing a round now would decide.
pub fn decide(t: Tally, num: i16, den: i16) -> RoundOutcome {
    if t.object > 0 {
        RoundOutcome::Blocked
    } else if t.answered < needed(t.active, num, den) || t.active == 0 {
        RoundOutcome::NoQuorum
    } else {
        RoundOutcome::Adopted
    }
}

/// The count among those present at a meeting (the quorum when a round is closed there).
pub async fn tally_among(
    db: &PgPool,
    can_id: Uuid,
    round_id: Uuid,
    present: &[Uuid],
) -> Result<Tally> {
    queries::tally_among(db, can_id, round_id, present).await
}

/// Active members who have not answered yet, by name.
pub async fn not_answered(db: &PgPool, can_id: Uuid, round_id: Uuid) -> Result<Vec<String>> {
    let mut waiting = waiting(db, can_id, round_id).await?;
    waiting.sort_by_key(|p| p.name.to_lowercase());
    Ok(waiting.into_iter().map(|p| p.name).collect())
}

/// Active members who have not answered yet.
async fn waiting(db: &PgPool, can_id: Uuid, round_id: Uuid) -> Result<Vec<Person>> {
    let answered = queries::answered(db, round_id).await?;
    let mut people = active_members(db, can_id).await?;
    people.retain(|p| !answered.contains(&p.id));
    Ok(people)
}

/// Why a round cannot be opened now, if it cannot.
pub enum OpenRefusal {
    AlreadyOpen,
    AlreadyAdopted,
}

impl OpenRefusal {
    pub fn message(&self) -> &'static str {
        match self {
            Self::AlreadyOpen => {
                "A consent round is already open. Close it before opening another."
            }
            Self::AlreadyAdopted => "This version is already the group's adopted vision.",
        }
    }
}

/// Opens a round on a version and notifies every active member but the one who opened it.
/// Refused when a round is open already, or when the version is the group's vision now.
pub async fn open(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    version: &Version,
    closes_at: DateTime<Utc>,
    base_url: &str,
) -> Result<Result<Uuid, OpenRefusal>> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    let adopted = queries::is_current_vision(&mut tx, can.id, version.id).await?;
    // A round whose time is up but which the clock has not closed yet is closed now.
    if let Some(due) = queries::due_round(&mut tx, can.id).await? {
        close_in(&mut tx, can.id, due, None, base_url).await?;
    }
    if adopted {
        return Ok(Err(OpenRefusal::AlreadyAdopted));
    }
    let new = queries::NewRound {
        id: Uuid::now_v7(),
        subject: Subject::Vision(version.id),
        opened_by: access.me.id,
        closes_at,
        quorum: quorum(&mut *tx, can.id).await?,
    };
    if !queries::insert_round(&mut tx, can.id, &new).await? {
        return Ok(Err(OpenRefusal::AlreadyOpen));
    }
    let summary = format!(
        "{} opened a consent round on vision version {}",
        access.me.display_name, version.number
    );
    access
        .log(
            &mut tx,
            "consent_round.opened",
            ("consent_round", new.id),
            summary,
        )
        .await?;
    let path = format!("/c/{}/vision/rounds/{}", can.slug, new.id);
    let link = format!("{base_url}{path}");
    let detail = mail::RoundOpened {
        can_name: &can.name,
        opened_by: &access.me.display_name,
        number: version.number,
        link: &link,
        closes: crate::web::time::datetime_in(closes_at, can.time_zone),
        zone: can.time_zone,
    }
    .render()
    .map_err(AppError::internal)?;
    let to: Vec<Recipient> = active_members(&mut *tx, can.id)
        .await?
        .into_iter()
        .filter(|p| p.id != access.me.id)
        .map(|p| Recipient::with_detail(p.id, detail.clone()))
        .collect();
    let notice = Notice {
        kind: Kind::RoundOpened,
        can: Some((can.id, &can.name)),
        line: mail::opened_line(version.number),
        link: path,
        key: format!("round:{}:opened", new.id),
    };
    notifications::notify(&mut tx, base_url, &notice, &to).await?;
    tx.commit().await?;
    Ok(Ok(new.id))
}

pub enum AnswerOutcome {
    Recorded,
    Unchanged,
    Closed,
}

/// Records (or changes) the caller's answer while the round is open. The round row is
/// share-locked so a concurrent close waits for the answer, or the answer sees the round closed.
pub async fn answer(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    round_id: Uuid,
    consent: &Consent,
) -> Result<AnswerOutcome> {
    let (can_id, me) = (access.can.id, &access.me);
    let mut tx = db.begin().await?;
    if queries::lock_open_for_answer(&mut tx, can_id, round_id).await? != Some(true) {
        return Ok(AnswerOutcome::Closed);
    }
    // One answer at a time per member and round, so a double submission is seen as unchanged.
    queries::lock_answering(&mut tx, round_id, me.id).await?;
    let previous = queries::answer_of(&mut tx, round_id, me.id).await?;
    let (answer, reason) = (consent.answer, consent.reason.as_str());
    // The same answer to an earlier text of an amended proposal is an answer again, not a repeat.
    if previous
        .as_ref()
        .is_some_and(|(a, r, current)| *current && *a == answer && r == reason)
    {
        return Ok(AnswerOutcome::Unchanged);
    }
    queries::record_answer(&mut tx, can_id, round_id, me.id, (answer, reason)).await?;
    let answered = answer.label().to_lowercase();
    let withdrew =
        previous.is_some_and(|(a, _, _)| a == Answer::Object) && answer != Answer::Object;
    let (action, summary) = match withdrew {
        true => (
            "consent.objection_withdrawn",
            format!(
                "{} withdrew their objection and now answers {answered}",
                me.display_name
            ),
        ),
        false => (
            "consent.answered",
            format!("{} answered {answered}", me.display_name),
        ),
    };
    access
        .log(&mut tx, action, ("consent_round", round_id), summary)
        .await?;
    tx.commit().await?;
    Ok(AnswerOutcome::Recorded)
}

/// A facilitator closes the round now; `None` when someone closed it already.
pub async fn close(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    round_id: Uuid,
    base_url: &str,
) -> Result<Option<RoundOutcome>> {
    let mut tx = db.begin().await?;
    let outcome = close_in(
        &mut tx,
        access.can.id,
        round_id,
        Some(access.actor()),
        base_url,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Closes a round whose time is up that the clock has not closed yet (a page about it must never
/// show a round that is neither open nor decided).
pub async fn close_due(db: &PgPool, round: &Round, base_url: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    close_in(&mut tx, round.can_id, round.id, None, base_url).await?;
    tx.commit().await?;
    Ok(())
}

/// The activity line (and the mail's first line) of a vision round's close: what was decided on
/// what count.
fn close_summary(
    r: &queries::Closing,
    number: i32,
    closed_by: Option<Actor<'_>>,
    outcome: RoundOutcome,
    t: Tally,
) -> String {
    format!(
        "The consent round on vision version {} closed{}: {} ({} of {} active members answered, {} needed; {} objection{})",
        number,
        closed_by
            .map(|c| format!(" ({} closed it)", c.name))
            .unwrap_or_default(),
        outcome.words(),
        t.answered,
        t.active,
        needed(t.active, r.quorum_num, r.quorum_den),
        t.object,
        if t.object == 1 { "" } else { "s" },
    )
}

/// A round just closed, as the proposal it decided needs to know it.
pub struct Closed<'a> {
    pub can_id: Uuid,
    pub round_id: Uuid,
    pub proposal_id: Uuid,
    pub closed_by: Option<Actor<'a>>,
    pub outcome: RoundOutcome,
    pub tally: Tally,
    /// How many answers the quorum needed.
    pub needed: i64,
    /// Closed at a meeting: the quorum was those present.
    pub at_meeting: bool,
}

/// Closes the round if it is still open (locking it first), in the caller's transaction; returns
/// the outcome, or `None` when someone else closed it already. A proposal's round is handed to
/// `proposals::round_closed`; for a vision round see `vision_closed`.
pub(crate) async fn close_in(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
    closed_by: Option<Actor<'_>>,
    base_url: &str,
) -> Result<Option<RoundOutcome>> {
    close_among(conn, can_id, round_id, closed_by, None, base_url).await
}

/// [`close_in`], deciding on the count among `present` when given (a proposal's round closed at
/// a meeting: those present are the quorum's whole; an objection from anyone still blocks).
pub(crate) async fn close_among(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
    closed_by: Option<Actor<'_>>,
    present: Option<&[Uuid]>,
    base_url: &str,
) -> Result<Option<RoundOutcome>> {
    let Some(r) = queries::lock_for_close(conn, can_id, round_id).await? else {
        return Ok(None);
    };
    let t = match present {
        Some(present) => queries::tally_among(&mut *conn, can_id, round_id, present).await?,
        None => queries::tally(&mut *conn, can_id, round_id).await?,
    };
    // At a meeting everyone present must answer.
    let outcome = match present {
        Some(_) => decide(t, 1, 1),
        None => decide(t, r.quorum_num, r.quorum_den),
    };
    queries::record_close(conn, can_id, round_id, closed_by.map(|c| c.id), outcome, t).await?;
    match (r.version_id, r.number, r.proposal_id) {
        (Some(version_id), Some(number), None) => {
            let closing = (version_id, number);
            vision_closed(
                conn,
                can_id,
                round_id,
                &r,
                closing,
                closed_by,
                (outcome, t),
                base_url,
            )
            .await?
        }
        (None, None, Some(proposal_id)) => {
            let closed = Closed {
                can_id,
                round_id,
                proposal_id,
                closed_by,
                outcome,
                tally: t,
                needed: match present {
                    Some(_) => t.active,
                    None => needed(t.active, r.quorum_num, r.quorum_den),
                },
                at_meeting: present.is_some(),
            };
            crate::proposals::round_closed(conn, &closed, base_url).await?
        }
        _ => return Err(AppError::internal("a consent round names no subject")),
    }
    Ok(Some(outcome))
}

/// Ends a proposal's open round without a decision (it was withdrawn), recording the count it
/// had; `None` when it was closed already. The caller updates the proposal itself.
pub(crate) async fn withdraw_in(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
    by: Actor<'_>,
) -> Result<Option<Tally>> {
    let Some(r) = queries::lock_for_close(conn, can_id, round_id).await? else {
        return Ok(None);
    };
    if r.proposal_id.is_none() {
        return Err(AppError::internal(
            "only a proposal's round can be withdrawn",
        ));
    }
    let t = queries::tally(&mut *conn, can_id, round_id).await?;
    let outcome = RoundOutcome::Withdrawn;
    queries::record_close(conn, can_id, round_id, Some(by.id), outcome, t).await?;
    Ok(Some(t))
}

/// Raises an open proposal round's text version under the round's row lock (an answer being
/// given concurrently lands either on the old text, and is then marked as to an earlier text, or
/// on the new one); returns the new version and those who had answered, or `None` when the
/// round is closed.
pub(crate) async fn new_text_in(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
) -> Result<Option<(i32, Vec<Uuid>)>> {
    let Some(version) = queries::raise_text_version(conn, can_id, round_id).await? else {
        return Ok(None);
    };
    let answered = queries::answerers(&mut *conn, round_id).await?;
    Ok(Some((version, answered)))
}

/// A vision round closed: on adoption the version becomes the CAN's vision, to be reviewed in a
/// year. Every active member but the one who closed it is notified of the outcome.
#[allow(clippy::too_many_arguments)]
async fn vision_closed(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
    r: &queries::Closing,
    (version_id, number): (Uuid, i32),
    closed_by: Option<Actor<'_>>,
    (outcome, t): (RoundOutcome, Tally),
    base_url: &str,
) -> Result<()> {
    if outcome.is_adopted() {
        let today = Utc::now().with_timezone(&r.time_zone).date_naive();
        let review_on = today.checked_add_months(Months::new(12)).unwrap_or(today);
        queries::adopt(conn, can_id, version_id, review_on).await?;
    }
    let summary = close_summary(r, number, closed_by, outcome, t);
    activity::record(
        &mut *conn,
        activity::Entry {
            can_id,
            actor_id: closed_by.map(|c| c.id),
            action: "consent_round.closed",
            subject_type: "consent_round",
            subject_id: Some(round_id),
            summary: summary.clone(),
        },
    )
    .await?;
    let path = format!("/c/{}/vision/rounds/{round_id}", r.slug);
    let link = format!("{base_url}{path}");
    let words = mail::RoundClosed {
        can_name: &r.name,
        number,
        adopted: outcome.is_adopted(),
        summary: &summary,
        link: &link,
    };
    let detail = words.render().map_err(AppError::internal)?;
    let closer = closed_by.map(|c| c.id);
    let to: Vec<Recipient> = active_members(&mut *conn, can_id)
        .await?
        .into_iter()
        .filter(|p| Some(p.id) != closer)
        .map(|p| Recipient::with_detail(p.id, detail.clone()))
        .collect();
    let notice = Notice {
        kind: Kind::RoundClosed,
        can: Some((can_id, &r.name)),
        line: words.line(),
        link: path,
        key: format!("round:{round_id}:closed"),
    };
    notifications::notify(conn, base_url, &notice, &to).await?;
    Ok(())
}
