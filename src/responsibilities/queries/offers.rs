//! Offers: asks to carry or back up a responsibility, hand-offs, and asks to take the notes at a
//! meeting, waiting for an answer. An offer names a responsibility or (a note-taker ask) a
//! meeting, never both (`offers_subject`); its title is whichever it names. Every
//! query that takes an id from a URL filters by `can_id`; an answer only ever changes an open
//! offer (`WHERE status = 'open'`), so two tabs cannot both answer.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::error::Result;
use crate::meetings::model::MeetingStatus;
use crate::responsibilities::model::{OfferKind, OfferStatus, ResponsibilityStatus};

/// What an offer is about: a responsibility, or (asking someone to take notes) a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Responsibility(Uuid),
    Meeting(Uuid),
}

impl Subject {
    fn responsibility(self) -> Option<Uuid> {
        match self {
            Self::Responsibility(id) => Some(id),
            Self::Meeting(_) => None,
        }
    }

    fn meeting(self) -> Option<Uuid> {
        match self {
            Self::Meeting(id) => Some(id),
            Self::Responsibility(_) => None,
        }
    }
}

/// An offer to write.
#[derive(Debug, Clone, Copy)]
pub struct NewOffer<'a> {
    pub can_id: Uuid,
    pub subject: Subject,
    pub kind: OfferKind,
    pub from: Uuid,
    pub to: Uuid,
    pub note: &'a str,
    pub overlap_days: i16,
    pub expires_at: DateTime<Utc>,
}

/// Writes an open offer; `None` when one is open for this responsibility (or meeting) and person
/// already (`offers_one_open_key`, `offers_one_open_meeting_key`).
pub async fn insert(conn: &mut PgConnection, o: &NewOffer<'_>) -> Result<Option<Uuid>> {
    let conflict = match o.subject {
        Subject::Responsibility(_) => "(responsibility_id, to_member) WHERE status = 'open'",
        Subject::Meeting(_) => {
            "(meeting_id, to_member) WHERE status = 'open' AND meeting_id IS NOT NULL"
        }
    };
    Ok(sqlx::query_scalar(&format!(
        "INSERT INTO offers (id, can_id, responsibility_id, meeting_id, kind, from_member, to_member, note, overlap_days, expires_at)
         VALUES ($1, $2, $3, $10, $4, $5, $6, $7, $8, $9)
         ON CONFLICT {conflict} DO NOTHING
         RETURNING id"
    ))
    .bind(Uuid::now_v7())
    .bind(o.can_id)
    .bind(o.subject.responsibility())
    .bind(o.kind)
    .bind(o.from)
    .bind(o.to)
    .bind(o.note)
    .bind(o.overlap_days)
    .bind(o.expires_at)
    .bind(o.subject.meeting())
    .fetch_optional(conn)
    .await?)
}

/// An offer with the names a page or a notification needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Offer {
    pub id: Uuid,
    /// The responsibility it names (every kind but a note-taker ask).
    pub responsibility_id: Option<Uuid>,
    /// The meeting a note-taker ask names, with its time and where it stands.
    pub meeting_id: Option<Uuid>,
    pub meeting_starts_at: Option<DateTime<Utc>>,
    pub meeting_ends_at: Option<DateTime<Utc>>,
    pub meeting_status: Option<MeetingStatus>,
    /// The responsibility's title, or the meeting's.
    pub title: String,
    pub responsibility_status: Option<ResponsibilityStatus>,
    pub kind: OfferKind,
    pub from_member: Uuid,
    pub from_name: String,
    pub to_member: Uuid,
    pub to_name: String,
    pub note: String,
    pub overlap_days: i16,
    pub status: OfferStatus,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

impl Offer {
    /// What it is about.
    pub fn subject(&self) -> Option<Subject> {
        match (self.responsibility_id, self.meeting_id) {
            (Some(id), _) => Some(Subject::Responsibility(id)),
            (None, Some(id)) => Some(Subject::Meeting(id)),
            (None, None) => None,
        }
    }

    /// What it stands at as people should read it: an open offer past its time has expired.
    pub fn standing(&self, now: DateTime<Utc>) -> OfferStatus {
        if self.status == OfferStatus::Open && self.expires_at <= now {
            OfferStatus::Expired
        } else {
            self.status
        }
    }
}

const SELECT: &str =
    "SELECT o.id, o.responsibility_id, o.meeting_id, g.starts_at AS meeting_starts_at,
        g.ends_at AS meeting_ends_at, g.status AS meeting_status,
        coalesce(r.title, g.title) AS title, r.status AS responsibility_status, o.kind,
        o.from_member, f.display_name AS from_name, o.to_member, t.display_name AS to_name,
        o.note, o.overlap_days, o.status, o.reason, o.created_at, o.expires_at, o.answered_at
     FROM offers o
     LEFT JOIN responsibilities r ON r.id = o.responsibility_id AND r.can_id = o.can_id
     LEFT JOIN meetings g ON g.id = o.meeting_id AND g.can_id = o.can_id
     JOIN members f ON f.id = o.from_member
     JOIN members t ON t.id = o.to_member
     WHERE o.can_id = $1 AND o.id = $2";

pub async fn one(db: impl PgExecutor<'_>, can_id: Uuid, id: Uuid) -> Result<Option<Offer>> {
    Ok(sqlx::query_as(SELECT)
        .bind(can_id)
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// The offer, locked for the rest of the transaction (lock its responsibility or meeting first, as
/// every change to holdings or to a meeting does, so the locks are always taken in the same
/// order).
pub async fn lock(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<Option<Offer>> {
    Ok(sqlx::query_as(&format!("{SELECT} FOR UPDATE OF o"))
        .bind(can_id)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Settles an open offer (accepted, declined, withdrawn, expired), with the answer's reason;
/// false when it was no longer open.
pub async fn settle(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    status: OfferStatus,
    reason: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE offers SET status = $3, reason = $4, answered_at = now()
         WHERE can_id = $1 AND id = $2 AND status = 'open'",
    )
    .bind(can_id)
    .bind(id)
    .bind(status)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the member is an active member of the CAN, holding a share lock on the membership
/// until the transaction ends (so a concurrent leave or pause waits for it).
pub async fn lock_active_membership(
    conn: &mut PgConnection,
    can_id: Uuid,
    member: Uuid,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT status = 'active' FROM memberships WHERE can_id = $1 AND member_id = $2 FOR SHARE",
    )
    .bind(can_id)
    .bind(member)
    .fetch_optional(conn)
    .await?
    .unwrap_or(false))
}

/// An ask taken back without its asker choosing to (the responsibility closed, the asker left):
/// the person asked is told.
#[derive(Debug, sqlx::FromRow)]
pub struct Voided {
    pub id: Uuid,
    pub to_member: Uuid,
    pub kind: OfferKind,
    pub title: String,
}

/// Withdraws the open offers on a responsibility (it was closed).
pub async fn withdraw_on(
    conn: &mut PgConnection,
    can_id: Uuid,
    responsibility: Uuid,
) -> Result<Vec<Voided>> {
    Ok(sqlx::query_as(
        "UPDATE offers o SET status = 'withdrawn', answered_at = now()
         FROM responsibilities r
         WHERE o.can_id = $1 AND o.responsibility_id = $2 AND o.status = 'open'
           AND r.id = o.responsibility_id AND r.can_id = o.can_id
         RETURNING o.id, o.to_member, o.kind, r.title",
    )
    .bind(can_id)
    .bind(responsibility)
    .fetch_all(conn)
    .await?)
}

/// Withdraws the open note-taker asks for a meeting (it was cancelled); returns them, whose
/// receivers are told.
pub async fn withdraw_on_meeting(
    conn: &mut PgConnection,
    can_id: Uuid,
    meeting: Uuid,
) -> Result<Vec<Voided>> {
    Ok(sqlx::query_as(
        "UPDATE offers o SET status = 'withdrawn', answered_at = now()
         FROM meetings g
         WHERE o.can_id = $1 AND o.meeting_id = $2 AND o.status = 'open'
           AND g.id = o.meeting_id AND g.can_id = o.can_id
         RETURNING o.id, o.to_member, o.kind, g.title",
    )
    .bind(can_id)
    .bind(meeting)
    .fetch_all(conn)
    .await?)
}

/// Withdraws the open offers to or from a member (they left the CAN); returns those the member
/// had made to others, whose receivers are told.
pub async fn withdraw_involving(
    conn: &mut PgConnection,
    can_id: Uuid,
    member: Uuid,
) -> Result<Vec<Voided>> {
    Ok(sqlx::query_as(
        "WITH gone AS (
             UPDATE offers SET status = 'withdrawn', answered_at = now()
             WHERE can_id = $1 AND status = 'open' AND (to_member = $2 OR from_member = $2)
                 RETURNING id, to_member, from_member, kind, responsibility_id, meeting_id, can_id)
         SELECT g.id, g.to_member, g.kind, coalesce(r.title, m.title) AS title
         FROM gone g
         LEFT JOIN responsibilities r ON r.id = g.responsibility_id AND r.can_id = g.can_id
         LEFT JOIN meetings m ON m.id = g.meeting_id AND m.can_id = g.can_id
         WHERE g.from_member = $2 AND g.to_member <> $2",
    )
    .bind(can_id)
    .bind(member)
    .fetch_all(conn)
    .await?)
}

/// An offer the clock expired, with what its asker is told.
#[derive(Debug, sqlx::FromRow)]
pub struct Expired {
    pub id: Uuid,
    pub can_id: Uuid,
    pub can_name: String,
    pub slug: String,
    pub title: String,
    pub kind: OfferKind,
    pub from_member: Uuid,
    pub to_name: String,
}

/// Marks up to `batch` open offers past their time as expired (claimed with SKIP LOCKED, so two
/// clocks share the work) and returns them.
pub async fn expire_due(conn: &mut PgConnection, batch: i64) -> Result<Vec<Expired>> {
    Ok(sqlx::query_as(
        "WITH due AS (
             SELECT id FROM offers WHERE status = 'open' AND expires_at <= now()
             ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
         ),
         gone AS (
             UPDATE offers o SET status = 'expired', answered_at = now()
             FROM due WHERE o.id = due.id
             RETURNING o.id, o.can_id, o.responsibility_id, o.meeting_id, o.kind, o.from_member,
                       o.to_member
         )
         SELECT x.id, x.can_id, c.name AS can_name, c.slug, coalesce(r.title, g.title) AS title,
                x.kind, x.from_member, t.display_name AS to_name
         FROM gone x
         JOIN cans c ON c.id = x.can_id
         JOIN members t ON t.id = x.to_member
         LEFT JOIN responsibilities r ON r.id = x.responsibility_id AND r.can_id = x.can_id
         LEFT JOIN meetings g ON g.id = x.meeting_id AND g.can_id = x.can_id",
    )
    .bind(batch)
    .fetch_all(conn)
    .await?)
}

/// The meeting a note-taker ask names, as it stands when locked.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct MeetingOpening {
    pub status: MeetingStatus,
    pub starts_at: DateTime<Utc>,
    pub note_taker_id: Option<Uuid>,
    pub facilitator_id: Option<Uuid>,
}

/// The meeting, locked for the rest of the transaction (before the offer, as [`lock`] says).
pub async fn lock_meeting(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
) -> Result<Option<MeetingOpening>> {
    Ok(sqlx::query_as(
        "SELECT status, starts_at, note_taker_id, facilitator_id FROM meetings
         WHERE can_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Makes the member the note-taker of a scheduled meeting that has none (calendars see a new
/// sequence, as when a facilitator sets it); false when it changed nothing.
pub async fn set_note_taker(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
    member: Uuid,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE meetings SET note_taker_id = $3, sequence = sequence + 1
         WHERE can_id = $1 AND id = $2 AND status = 'scheduled' AND note_taker_id IS NULL",
    )
    .bind(can_id)
    .bind(id)
    .bind(member)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
