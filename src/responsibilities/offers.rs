//! Asks that can be answered. A coordinator's "Ask them" and a carrier's hand-off become offers:
//! nothing changes on the board but "offered to …" until the person asked accepts. They may
//! decline (with a reason), the asker or a coordinator may withdraw, and the clock expires what
//! nobody answered in [`OFFER_TTL`]. Every answer runs in one transaction with the responsibility
//! (or the meeting) and then the offer locked, changes only an open offer, and tells the asker.
//!
//! An ask to take the notes at a meeting (from the pathways view) is an offer too: it names the
//! meeting instead of a responsibility, and accepting it makes the person the meeting's
//! note-taker — only while the meeting is still scheduled, still ahead, and has nobody taking
//! notes; otherwise it is refused and nothing changes.

use chrono::{TimeDelta, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::holding::hand_over;
use super::log;
use super::mail::Asked;
use super::model::{HoldingEnd, HoldingKind, OfferKind, OfferStatus};
pub use super::queries::offers::Subject;
use super::queries::offers::{self, MeetingOpening, NewOffer, Offer};
use super::queries::{self, holdings, holdings::EndHolding, holdings::NewHolding};
use crate::cans::access::{CanAccess, Coordinator, Member, Requirement};
use crate::error::{AppError, OrNotFound, Result};
use crate::meetings::model::MeetingStatus;
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::web::time;

/// How long an ask stays open for an answer.
pub const OFFER_TTL: TimeDelta = TimeDelta::days(7);

/// How many expired offers the clock settles in one transaction.
const EXPIRE_BATCH: i64 = 100;

/// An offer's page, as a path inside its CAN.
pub fn page(id: Uuid) -> String {
    format!("/offers/{id}")
}

/// What an offer asks, as the person asked is told it.
pub struct Ask<'a> {
    /// The responsibility asked about, or (a note-taker ask) the meeting.
    pub subject: Subject,
    /// The responsibility's title, or the meeting's.
    pub title: &'a str,
    pub kind: OfferKind,
    pub to: Uuid,
    pub note: &'a str,
    pub overlap_days: i16,
    /// When the meeting of a note-taker ask takes place, in the CAN's zone (for the mail).
    pub when: Option<String>,
    /// The ask lapses by then at the latest (a note-taker ask, when its meeting starts).
    pub ends_by: Option<chrono::DateTime<Utc>>,
}

/// Writes the offer and tells the person asked, in the caller's transaction; `None` when one is
/// open for them already (asking twice is the same ask).
pub async fn make<R: Requirement>(
    conn: &mut PgConnection,
    access: &CanAccess<R>,
    ask: &Ask<'_>,
    base_url: &str,
) -> Result<Option<Uuid>> {
    let (can, me) = (&access.can, access.actor());
    let expires_at = ask
        .ends_by
        .map_or(Utc::now() + OFFER_TTL, |by| by.min(Utc::now() + OFFER_TTL));
    let offer = NewOffer {
        can_id: can.id,
        subject: ask.subject,
        kind: ask.kind,
        from: me.id,
        to: ask.to,
        note: ask.note,
        overlap_days: ask.overlap_days,
        expires_at,
    };
    let Some(id) = offers::insert(&mut *conn, &offer).await? else {
        return Ok(None);
    };
    let detail = askama::Template::render(&Asked {
        can_name: &can.name,
        asked_by: me.name,
        kind: ask.kind,
        title: ask.title,
        note: ask.note,
        overlap_days: ask.overlap_days,
        when: ask.when.as_deref(),
        until: time::date_in(expires_at, can.time_zone),
    })
    .map_err(AppError::internal)?;
    let notice = Notice {
        kind: Kind::OfferMade,
        can: Some((can.id, &can.name)),
        line: format!(
            "{} asked you to {} “{}”",
            me.name,
            ask.kind.verb(),
            ask.title
        ),
        link: access.path(&page(id)),
        key: format!("offer:{id}:made"),
    };
    notifications::notify(
        conn,
        base_url,
        &notice,
        &[Recipient::with_detail(ask.to, detail)],
    )
    .await?;
    Ok(Some(id))
}

/// Who is looking at an offer, and what they may do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The person asked: they accept or decline.
    Asked,
    /// The asker, or a coordinator or organiser: they may withdraw it.
    Asker,
}

/// Whether this member may see the offer, and as whom. Anyone else gets 404: an ask is between
/// the two people and those who coordinate.
pub fn viewer<R: Requirement>(access: &CanAccess<R>, offer: &Offer) -> Option<Viewer> {
    let me = access.me.id;
    if offer.to_member == me {
        Some(Viewer::Asked)
    } else if offer.from_member == me
        || Coordinator::accepts(&access.membership)
        || access.membership.is_organiser()
    {
        Some(Viewer::Asker)
    } else {
        None
    }
}

/// The offer for its page: 404 for an id of another CAN, none at all, or someone it is not for.
pub async fn for_page<R: Requirement>(
    db: &PgPool,
    access: &CanAccess<R>,
    id: Uuid,
) -> Result<(Offer, Viewer)> {
    let offer = offers::one(db, access.can.id, id).await?.or_not_found()?;
    let viewer = viewer(access, &offer).or_not_found()?;
    Ok((offer, viewer))
}

/// What an answer (or a withdrawal) came to.
pub enum Answered {
    Accepted {
        title: String,
        kind: OfferKind,
    },
    Declined,
    Withdrawn,
    /// Nothing changed, and this says why (answered already, expired, withdrawn, closed …).
    Refused(String),
}

/// Where the subject of a locked offer stands.
enum Standing {
    /// The responsibility, and whether it is still to be carried.
    Responsibility { current: bool },
    /// The meeting of a note-taker ask, as locked.
    Meeting(MeetingOpening),
}

/// Locks the responsibility (or the meeting), then the offer, after checking (unlocked) that the
/// caller may act on it as `as_`: 404 otherwise. Returns the locked offer, and where its subject
/// stands.
async fn locked(
    conn: &mut PgConnection,
    access: &CanAccess<Member>,
    id: Uuid,
    as_: Viewer,
) -> Result<(Offer, Standing)> {
    let can = &access.can;
    let seen = offers::one(&mut *conn, can.id, id).await?.or_not_found()?;
    if viewer(access, &seen) != Some(as_) {
        return Err(AppError::NotFound);
    }
    let standing = match seen.subject().or_not_found()? {
        Subject::Responsibility(rid) => Standing::Responsibility {
            current: queries::lock(conn, can.id, rid)
                .await?
                .or_not_found()?
                .is_current(),
        },
        Subject::Meeting(mid) => Standing::Meeting(
            offers::lock_meeting(conn, can.id, mid)
                .await?
                .or_not_found()?,
        ),
    };
    let offer = offers::lock(conn, can.id, id).await?.or_not_found()?;
    Ok((offer, standing))
}

/// Why a meeting can no longer take this member as its note-taker, if it cannot.
fn note_taking_closed(
    meeting: &MeetingOpening,
    member: Uuid,
    now: chrono::DateTime<Utc>,
) -> Option<&'static str> {
    if meeting.status != MeetingStatus::Scheduled {
        Some(
            "This meeting is no longer scheduled (it was cancelled or has been held): nothing changed.",
        )
    } else if meeting.starts_at <= now {
        Some("This meeting has already started: nothing changed.")
    } else if meeting.facilitator_id == Some(member) {
        Some(
            "You facilitate this meeting now, and one person never both facilitates and takes the notes: nothing changed.",
        )
    } else if meeting.note_taker_id.is_some_and(|n| n != member) {
        Some(
            "Someone else takes the notes at this meeting now: nothing changed. Decline the ask if you like.",
        )
    } else {
        None
    }
}

/// The activity-log line of an answer, about the responsibility or the meeting it names.
async fn log_offer(
    conn: &mut PgConnection,
    access: &CanAccess<Member>,
    action: &str,
    offer: &Offer,
    summary: String,
) -> Result<()> {
    match offer.subject().or_not_found()? {
        Subject::Responsibility(rid) => log(conn, access, action, rid, summary).await,
        Subject::Meeting(mid) => {
            let action = action.replacen("responsibility.", "meeting.note_taker_", 1);
            access.log(conn, &action, ("meeting", mid), summary).await
        }
    }
}

/// Why an offer cannot be answered now, if it cannot.
fn unanswerable(offer: &Offer) -> Option<String> {
    match offer.standing(Utc::now()) {
        OfferStatus::Open => None,
        other => Some(other.settled().to_string()),
    }
}

/// The person asked accepts: they hold it now (a hand-off hands it over, its overlap counted from
/// today), and the asker is told.
pub async fn accept(
    db: &PgPool,
    access: &CanAccess<Member>,
    id: Uuid,
    base_url: &str,
) -> Result<Answered> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    // The membership first (read under a share lock, not from the request's start), then the
    // subject, then the offer: leaving takes the membership before it withdraws offers, so the
    // two queue instead of deadlocking — leaving at the same moment either waits for the holding
    // to exist and releases it, or comes first and this sees it.
    let active = offers::lock_active_membership(&mut tx, can.id, me.id).await?;
    let (offer, standing) = locked(&mut tx, access, id, Viewer::Asked).await?;
    if let Some(why) = unanswerable(&offer) {
        return Ok(Answered::Refused(why));
    }
    match &standing {
        Standing::Responsibility { current: false } => {
            return Ok(Answered::Refused(
                "This responsibility is closed: nothing changed.".into(),
            ));
        }
        Standing::Meeting(meeting) => {
            if let Some(why) = note_taking_closed(meeting, me.id, Utc::now()) {
                return Ok(Answered::Refused(why.into()));
            }
        }
        Standing::Responsibility { current: true } => {}
    }
    if !active {
        return Ok(Answered::Refused(
            "Your membership is paused: resume it from the CAN's page, then accept.".into(),
        ));
    }
    match (offer.kind, offer.subject().or_not_found()?) {
        (OfferKind::NoteTaker, Subject::Meeting(mid)) => {
            // Taking the notes already (set meanwhile by a facilitator): nothing more to do.
            offers::set_note_taker(&mut tx, can.id, mid, me.id).await?;
        }
        (OfferKind::NoteTaker, Subject::Responsibility(_)) | (_, Subject::Meeting(_)) => {
            return Err(AppError::internal("an offer's kind and subject disagree"));
        }
        (kind @ (OfferKind::Carrier | OfferKind::Backup), Subject::Responsibility(rid)) => {
            let holding = NewHolding {
                can_id: can.id,
                responsibility: rid,
                member: me.id,
                kind: kind.holding().unwrap_or(HoldingKind::Carrier),
                by: offer.from_member,
                asked: false,
                note: "",
            };
            match holdings::holds(&mut tx, can.id, rid, me.id).await? {
                // A carrier is not their own backup: the ask stays open to decline.
                Some(HoldingKind::Carrier) if holding.kind == HoldingKind::Backup => {
                    return Ok(Answered::Refused(
                        "You carry it already, and a carrier is not their own backup: nothing \
                         changed. Decline the ask if you like."
                            .into(),
                    ));
                }
                // Backing it up and asked to carry it: they step up, and stop being the backup.
                Some(HoldingKind::Backup) if holding.kind == HoldingKind::Carrier => {
                    let backup = EndHolding {
                        can_id: can.id,
                        responsibility: rid,
                        member: me.id,
                        how: HoldingEnd::SteppedDown,
                        at: None,
                        note: None,
                    };
                    holdings::end_holder(&mut tx, &backup).await?;
                    holdings::add_holder(&mut tx, &holding).await?;
                }
                // Holding it as asked already (they volunteered meanwhile): they keep holding it.
                Some(_) => {}
                None => {
                    holdings::add_holder(&mut tx, &holding).await?;
                }
            }
        }
        (OfferKind::Handoff, Subject::Responsibility(rid)) => {
            let giver_carries =
                holdings::carries_until_further_notice(&mut tx, can.id, rid, offer.from_member)
                    .await?;
            if !giver_carries {
                offers::settle(&mut tx, can.id, id, OfferStatus::Withdrawn, "").await?;
                tx.commit().await?;
                return Ok(Answered::Refused(format!(
                    "{} no longer carries it, so there is nothing to take over: nothing changed.",
                    offer.from_name
                )));
            }
            let overlap = i64::from(offer.overlap_days);
            // The overlap starts today, when it is accepted.
            let until = (overlap > 0).then(|| Utc::now() + TimeDelta::days(overlap));
            let giver = EndHolding {
                can_id: can.id,
                responsibility: rid,
                member: offer.from_member,
                how: HoldingEnd::HandedOff,
                at: until,
                note: Some(&offer.note),
            };
            hand_over(&mut tx, &giver, me.id).await?;
        }
    }
    offers::settle(&mut tx, can.id, id, OfferStatus::Accepted, "").await?;
    let summary = match offer.kind {
        OfferKind::Handoff if offer.overlap_days > 0 => format!(
            "{} took “{}” over from {}, carrying it together for {} days",
            me.name, offer.title, offer.from_name, offer.overlap_days
        ),
        OfferKind::Handoff => format!(
            "{} took “{}” over from {}",
            me.name, offer.title, offer.from_name
        ),
        kind => format!(
            "{} accepted {}’s ask to {} “{}”",
            me.name,
            offer.from_name,
            kind.verb(),
            offer.title
        ),
    };
    let action = match offer.kind {
        OfferKind::Handoff => "responsibility.handed_off",
        _ => "responsibility.offer_accepted",
    };
    log_offer(&mut tx, access, action, &offer, summary).await?;
    let line = format!(
        "{} accepted to {} “{}”",
        me.name,
        offer.kind.verb(),
        offer.title
    );
    tell_asker(&mut tx, access, &offer, line, None, base_url).await?;
    tx.commit().await?;
    Ok(Answered::Accepted {
        title: offer.title,
        kind: offer.kind,
    })
}

/// The person asked declines, with a reason if they give one; the asker is told it.
pub async fn decline(
    db: &PgPool,
    access: &CanAccess<Member>,
    id: Uuid,
    reason: &str,
    base_url: &str,
) -> Result<Answered> {
    let me = access.actor();
    let mut tx = db.begin().await?;
    let (offer, _) = locked(&mut tx, access, id, Viewer::Asked).await?;
    if let Some(why) = unanswerable(&offer) {
        return Ok(Answered::Refused(why));
    }
    offers::settle(&mut tx, access.can.id, id, OfferStatus::Declined, reason).await?;
    let why = if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    };
    let summary = format!(
        "{} declined {}’s ask to {} “{}”{why}",
        me.name,
        offer.from_name,
        offer.kind.verb(),
        offer.title
    );
    log_offer(&mut tx, access, "responsibility.declined", &offer, summary).await?;
    let line = format!(
        "{} declined to {} “{}”",
        me.name,
        offer.kind.verb(),
        offer.title
    );
    let detail = (!reason.is_empty()).then(|| format!("Their reason: {reason}"));
    tell_asker(&mut tx, access, &offer, line, detail, base_url).await?;
    tx.commit().await?;
    Ok(Answered::Declined)
}

/// The asker (or a coordinator) takes the ask back before it is answered.
pub async fn withdraw(
    db: &PgPool,
    access: &CanAccess<Member>,
    id: Uuid,
    base_url: &str,
) -> Result<Answered> {
    let me = access.actor();
    let mut tx = db.begin().await?;
    let (offer, _) = locked(&mut tx, access, id, Viewer::Asker).await?;
    if let Some(why) = unanswerable(&offer) {
        return Ok(Answered::Refused(why));
    }
    offers::settle(&mut tx, access.can.id, id, OfferStatus::Withdrawn, "").await?;
    let summary = format!(
        "{} withdrew the ask to {} to {} “{}”",
        me.name,
        offer.to_name,
        offer.kind.verb(),
        offer.title
    );
    log_offer(
        &mut tx,
        access,
        "responsibility.offer_withdrawn",
        &offer,
        summary,
    )
    .await?;
    let voided = offers::Voided {
        id: offer.id,
        to_member: offer.to_member,
        kind: offer.kind,
        title: offer.title.clone(),
    };
    let why = format!("{} withdrew it", me.name);
    tell_withdrawn(
        &mut tx,
        (&access.can, &access.path("")),
        me.id,
        &[voided],
        &why,
        base_url,
    )
    .await?;
    tx.commit().await?;
    Ok(Answered::Withdrawn)
}

/// Tells the asker how their ask was answered (never the person who answered: they did it).
async fn tell_asker(
    conn: &mut PgConnection,
    access: &CanAccess<Member>,
    offer: &Offer,
    line: String,
    detail: Option<String>,
    base_url: &str,
) -> Result<()> {
    let can = &access.can;
    let notice = Notice {
        kind: Kind::OfferAnswered,
        can: Some((can.id, &can.name)),
        line,
        link: access.path(&page(offer.id)),
        key: format!("offer:{}:answered", offer.id),
    };
    let to = Recipient {
        member: offer.from_member,
        detail,
    };
    notifications::notify(conn, base_url, &notice, &[to]).await?;
    Ok(())
}

/// The clock: open offers past their time become expired, and each asker is told once. Batches
/// are claimed with SKIP LOCKED, so two instances share the work; returns how many expired.
pub async fn expire(db: &PgPool, base_url: &str) -> Result<usize> {
    let mut total = 0;
    loop {
        let mut tx = db.begin().await?;
        let expired = offers::expire_due(&mut tx, EXPIRE_BATCH).await?;
        if expired.is_empty() {
            break;
        }
        for e in &expired {
            let notice = Notice {
                kind: Kind::OfferExpired,
                can: Some((e.can_id, &e.can_name)),
                line: format!(
                    "{} did not answer your ask to {} “{}” in time",
                    e.to_name,
                    e.kind.verb(),
                    e.title
                ),
                link: format!("/c/{}{}", e.slug, page(e.id)),
                key: format!("offer:{}:expired", e.id),
            };
            notifications::notify(
                &mut tx,
                base_url,
                &notice,
                &[Recipient::plain(e.from_member)],
            )
            .await?;
        }
        tx.commit().await?;
        total += expired.len();
    }
    Ok(total)
}

/// A responsibility was closed (done or dropped): nobody is asked to take it on any more, and
/// those who were asked hear so (called by the editing code in its transaction).
pub async fn withdraw_on(
    conn: &mut PgConnection,
    access: &CanAccess<impl Requirement>,
    responsibility: Uuid,
    base_url: &str,
) -> Result<()> {
    let voided = offers::withdraw_on(conn, access.can.id, responsibility).await?;
    let why = format!("{} closed it", access.actor().name);
    tell_withdrawn(
        conn,
        (&access.can, &access.path("")),
        access.actor().id,
        &voided,
        &why,
        base_url,
    )
    .await
}

/// A meeting was cancelled: nobody is asked to take its notes any more, and those who were asked
/// hear so (called by the meetings code in its transaction).
pub async fn withdraw_on_meeting(
    conn: &mut PgConnection,
    can: &crate::cans::model::Can,
    (actor, actor_name): (Uuid, &str),
    meeting: Uuid,
    base_url: &str,
) -> Result<()> {
    let voided = offers::withdraw_on_meeting(conn, can.id, meeting).await?;
    let why = format!("{actor_name} cancelled the meeting");
    let home = format!("/c/{}", can.slug);
    tell_withdrawn(conn, (can, &home), actor, &voided, &why, base_url).await
}

/// A member leaves the CAN: what they asked of others, and what was asked of them, is
/// withdrawn, and those they had asked hear so (called by the membership code in its
/// transaction).
pub async fn withdraw_involving(
    conn: &mut PgConnection,
    can: &crate::cans::model::Can,
    member: Uuid,
    member_name: &str,
    base_url: &str,
) -> Result<()> {
    let voided = offers::withdraw_involving(conn, can.id, member).await?;
    let why = format!("{member_name} left {}", can.name);
    let home = format!("/c/{}", can.slug);
    tell_withdrawn(conn, (can, &home), member, &voided, &why, base_url).await
}

/// Tells each person asked that the ask to them is taken back, and why — but not `actor`, who
/// took it back (e.g. closing a responsibility they were themselves asked to take).
async fn tell_withdrawn(
    conn: &mut PgConnection,
    (can, home): (&crate::cans::model::Can, &str),
    actor: Uuid,
    voided: &[offers::Voided],
    why: &str,
    base_url: &str,
) -> Result<()> {
    for v in voided.iter().filter(|v| v.to_member != actor) {
        let notice = Notice {
            kind: Kind::OfferWithdrawn,
            can: Some((can.id, &can.name)),
            line: format!(
                "You are no longer asked to {} “{}”: {why}",
                v.kind.verb(),
                v.title
            ),
            link: format!("{home}{}", page(v.id)),
            key: format!("offer:{}:withdrawn", v.id),
        };
        notifications::notify(conn, base_url, &notice, &[Recipient::plain(v.to_member)]).await?;
    }
    Ok(())
}
