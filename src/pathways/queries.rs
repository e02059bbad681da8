//! Plain SQL for pathways. The paths of a whole CAN come from ONE statement: each table the steps
//! read is grouped by member inside the CAN (served by its `(can_id, member_id)` or
//! `(can_id, …)` index), then joined to the memberships — never a query per member.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::path::{Path, Step};
use super::suggest::{Goal, NOTE_TAKER_DAYS, NotesWanted, OpeningKind};
use crate::cans::model::MembershipStatus;
use crate::error::Result;
use crate::meetings::model::MeetingStatus;
use crate::responsibilities::model::{OfferKind, ResponsibilityKind, ResponsibilityStatus};

/// A current member (active or paused) with the first time of each step and what the suggestions
/// match on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub member_id: Uuid,
    pub name: String,
    pub skills: String,
    pub status: MembershipStatus,
    pub willing_to_take_notes: bool,
    pub joined_at: DateTime<Utc>,
    pub first_hope: Option<DateTime<Utc>>,
    /// Their hopes not withdrawn, oldest first.
    pub hopes: Vec<String>,
    pub first_meeting: Option<DateTime<Utc>>,
    /// How many meetings they came to.
    pub meetings: i64,
    pub first_answer: Option<DateTime<Utc>>,
    pub first_task: Option<DateTime<Utc>>,
    pub first_backup: Option<DateTime<Utc>>,
    pub first_ongoing: Option<DateTime<Utc>>,
    pub first_ran: Option<DateTime<Utc>>,
    pub first_role: Option<DateTime<Utc>>,
}

impl MemberRow {
    pub fn path(&self) -> Path {
        let firsts = [
            Some(self.joined_at),
            self.first_hope,
            self.first_meeting,
            self.first_answer,
            self.first_task,
            self.first_backup,
            self.first_ongoing,
            self.first_ran,
            self.first_role,
        ];
        debug_assert_eq!(firsts.len(), Step::ALL.len());
        Path::new(firsts)
    }
}

/// The paths of every current member of the CAN (active and paused; those who left are not on
/// it), by name.
///
/// - hopes: every hope written (withdrawn ones too: they were shared), on `hopes_author_idx`;
/// - meetings: attendance at meetings not cancelled, dated by the meeting's start, on
///   `attendance_member_idx`;
/// - consent rounds: the kept answer's time, on `consent_answers_member_idx`;
/// - holdings: carrier or backup holdings that have started and were not declined, by the kind
///   of responsibility, on `carriers_member_idx`;
/// - running a meeting: facilitator or note-taker of a held meeting, on `meetings_can_time_idx`;
/// - roles: any grant, ended or not, on `role_grants_member_idx`.
pub async fn paths(db: impl PgExecutor<'_>, can_id: Uuid) -> Result<Vec<MemberRow>> {
    Ok(sqlx::query_as(
        "SELECT m.member_id, p.display_name AS name, p.skills, m.status, m.willing_to_take_notes,
                m.joined_at,
                h.first AS first_hope, coalesce(h.bodies, '{}') AS hopes,
                a.first AS first_meeting, coalesce(a.n, 0) AS meetings,
                ca.first AS first_answer,
                k.first_task, k.first_backup, k.first_ongoing,
                f.first AS first_ran,
                rg.first AS first_role
         FROM memberships m
         JOIN members p ON p.id = m.member_id
         LEFT JOIN (
             SELECT author_id, min(created_at) AS first,
                    array_agg(body ORDER BY created_at) FILTER (WHERE withdrawn_at IS NULL) AS bodies
             FROM hopes WHERE can_id = $1 GROUP BY author_id
         ) h ON h.author_id = m.member_id
         LEFT JOIN (
             SELECT a.member_id, min(g.starts_at) AS first, count(*) AS n
             FROM attendance a
             JOIN meetings g ON g.id = a.meeting_id AND g.can_id = a.can_id AND g.status <> 'cancelled'
             WHERE a.can_id = $1 GROUP BY a.member_id
         ) a ON a.member_id = m.member_id
         LEFT JOIN (
             SELECT member_id, min(answered_at) AS first
             FROM consent_answers WHERE can_id = $1 GROUP BY member_id
         ) ca ON ca.member_id = m.member_id
         LEFT JOIN (
             SELECT c.member_id,
                    min(c.from_at) FILTER (WHERE c.kind = 'carrier' AND r.kind = 'task') AS first_task,
                    min(c.from_at) FILTER (WHERE c.kind = 'backup' AND r.kind = 'ongoing') AS first_backup,
                    min(c.from_at) FILTER (WHERE c.kind = 'carrier' AND r.kind = 'ongoing') AS first_ongoing
             FROM carriers c
             JOIN responsibilities r ON r.id = c.responsibility_id AND r.can_id = c.can_id
             WHERE c.can_id = $1 AND c.from_at <= now() AND c.ended_how IS DISTINCT FROM 'declined'
             GROUP BY c.member_id
         ) k ON k.member_id = m.member_id
         LEFT JOIN (
             SELECT x.member_id, min(g.starts_at) AS first
             FROM meetings g
             CROSS JOIN LATERAL (VALUES (g.facilitator_id), (g.note_taker_id)) AS x (member_id)
             WHERE g.can_id = $1 AND g.status = 'held' AND x.member_id IS NOT NULL
             GROUP BY x.member_id
         ) f ON f.member_id = m.member_id
         LEFT JOIN (
             SELECT member_id, min(granted_at) AS first
             FROM role_grants WHERE can_id = $1 GROUP BY member_id
         ) rg ON rg.member_id = m.member_id
         WHERE m.can_id = $1 AND m.status <> 'left'
         ORDER BY lower(p.display_name), m.member_id",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// Scheduled meetings of the next [`NOTE_TAKER_DAYS`] without a note-taker, soonest first.
pub async fn notes_wanted(db: impl PgExecutor<'_>, can_id: Uuid) -> Result<Vec<NotesWanted>> {
    let rows: Vec<(Uuid, String, DateTime<Utc>, Option<Uuid>)> = sqlx::query_as(
        "SELECT id, title, starts_at, facilitator_id FROM meetings
         WHERE can_id = $1 AND status = 'scheduled' AND note_taker_id IS NULL
           AND starts_at > now() AND starts_at <= now() + make_interval(days => $2)
         ORDER BY starts_at, id",
    )
    .bind(can_id)
    .bind(NOTE_TAKER_DAYS as i32)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, title, starts_at, facilitator_id)| NotesWanted {
            id,
            title,
            starts_at,
            facilitator_id,
        })
        .collect())
}

/// The CAN's active goals, oldest first.
pub async fn goals(db: impl PgExecutor<'_>, can_id: Uuid) -> Result<Vec<Goal>> {
    let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT id, title, description FROM goals
         WHERE can_id = $1 AND status = 'active' ORDER BY created_at, id",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, title, description)| Goal {
            id,
            title,
            description,
        })
        .collect())
}

/// An open invitation (an offer not yet answered or past its time) in the CAN.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenOffer {
    pub id: Uuid,
    pub to_member: Uuid,
    pub kind: OfferKind,
    pub responsibility_id: Option<Uuid>,
    pub meeting_id: Option<Uuid>,
    /// The responsibility's title, or the meeting's.
    pub title: String,
    pub expires_at: DateTime<Utc>,
}

/// The CAN's open offers, oldest first (on `offers_to_idx`).
pub async fn open_offers(db: impl PgExecutor<'_>, can_id: Uuid) -> Result<Vec<OpenOffer>> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.to_member, o.kind, o.responsibility_id, o.meeting_id,
                coalesce(r.title, g.title) AS title, o.expires_at
         FROM offers o
         LEFT JOIN responsibilities r ON r.id = o.responsibility_id AND r.can_id = o.can_id
         LEFT JOIN meetings g ON g.id = o.meeting_id AND g.can_id = o.can_id
         WHERE o.can_id = $1 AND o.status = 'open' AND o.expires_at > now()
         ORDER BY o.created_at, o.id",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// A member of the CAN (any status) as the invitation needs them, locked against a concurrent
/// leave or pause until the transaction ends.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitee {
    pub name: String,
    pub status: MembershipStatus,
}

pub async fn lock_member(
    conn: &mut PgConnection,
    can_id: Uuid,
    member: Uuid,
) -> Result<Option<Invitee>> {
    Ok(sqlx::query_as(
        "SELECT p.display_name AS name, m.status FROM memberships m
         JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.member_id = $2 FOR SHARE OF m",
    )
    .bind(can_id)
    .bind(member)
    .fetch_optional(conn)
    .await?)
}

/// A responsibility as an invitation re-checks it, locked (as every change to holdings locks
/// it first): its kind and status, and its current holders who are active members.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResponsibilityOpening {
    pub title: String,
    pub kind: ResponsibilityKind,
    pub status: ResponsibilityStatus,
    pub carrier_ids: Vec<Uuid>,
    pub backup_ids: Vec<Uuid>,
}

pub async fn lock_responsibility(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
) -> Result<Option<ResponsibilityOpening>> {
    // Lock the row first, then read its holders (an aggregate cannot be locked).
    let locked: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM responsibilities WHERE can_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if locked.is_none() {
        return Ok(None);
    }
    Ok(sqlx::query_as(
        "SELECT r.title, r.kind, r.status,
                coalesce(array_agg(c.member_id) FILTER (WHERE c.kind = 'carrier'), '{}') AS carrier_ids,
                coalesce(array_agg(c.member_id) FILTER (WHERE c.kind = 'backup'), '{}') AS backup_ids
         FROM responsibilities r
         LEFT JOIN carriers c ON c.responsibility_id = r.id AND c.can_id = r.can_id
              AND c.from_at <= now() AND (c.until_at IS NULL OR c.until_at > now())
              AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.can_id = c.can_id
                          AND ms.member_id = c.member_id AND ms.status = 'active')
         WHERE r.can_id = $1 AND r.id = $2
         GROUP BY r.id",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// A meeting as an invitation to take its notes re-checks it, locked (as a change to the meeting
/// locks it).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingOpening {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: MeetingStatus,
    pub facilitator_id: Option<Uuid>,
    pub note_taker_id: Option<Uuid>,
}

pub async fn lock_meeting(
    conn: &mut PgConnection,
    can_id: Uuid,
    id: Uuid,
) -> Result<Option<MeetingOpening>> {
    Ok(sqlx::query_as(
        "SELECT title, starts_at, ends_at, status, facilitator_id, note_taker_id FROM meetings
         WHERE can_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(can_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Whether the opening has an open ask to anyone, and whether the member has any open ask to
/// answer (expired ones the clock has not settled yet do not count).
pub struct OpenAsks {
    pub opening: bool,
    pub member: bool,
}

pub async fn open_asks(
    conn: &mut PgConnection,
    can_id: Uuid,
    kind: OpeningKind,
    subject: Uuid,
    member: Uuid,
) -> Result<OpenAsks> {
    let kinds: &[&str] = match kind {
        OpeningKind::Carry => &["carrier", "handoff"],
        OpeningKind::Backup => &["backup"],
        OpeningKind::NoteTaker => &["note_taker"],
    };
    let (opening, member): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM offers
                        WHERE can_id = $1 AND status = 'open' AND expires_at > now()
                          AND (responsibility_id = $2 OR meeting_id = $2) AND kind = ANY($3)),
                EXISTS (SELECT 1 FROM offers
                        WHERE can_id = $1 AND to_member = $4 AND status = 'open'
                          AND expires_at > now())",
    )
    .bind(can_id)
    .bind(subject)
    .bind(kinds)
    .bind(member)
    .fetch_one(conn)
    .await?;
    Ok(OpenAsks { opening, member })
}
