//! What pages outside meetings show of them: the next meeting of a CAN (its overview) and a
//! member's coming meetings across their CANs (the dashboard). Read-only.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::Result;
use crate::meetings::model::Rsvp;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NextMeeting {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The CAN's next scheduled meeting that has not ended yet.
pub async fn next_meeting(db: &PgPool, can_id: Uuid) -> Result<Option<NextMeeting>> {
    Ok(sqlx::query_as(
        "SELECT id, title, starts_at, ends_at FROM meetings
         WHERE can_id = $1 AND status = 'scheduled' AND ends_at > now() ORDER BY starts_at LIMIT 1",
    )
    .bind(can_id)
    .fetch_optional(db)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Upcoming {
    pub slug: String,
    pub id: Uuid,
    pub title: String,
    pub can_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The member's answer, if they gave one.
    pub answer: Option<Rsvp>,
}

/// The next five scheduled meetings across the CANs the member belongs to.
pub async fn upcoming_for(db: &PgPool, member_id: Uuid) -> Result<Vec<Upcoming>> {
    Ok(sqlx::query_as(
        "SELECT c.slug, g.id, g.title, c.name AS can_name, g.starts_at, g.ends_at, r.answer
         FROM meetings g JOIN cans c ON c.id = g.can_id
         JOIN memberships ms ON ms.can_id = g.can_id AND ms.member_id = $1 AND ms.status <> 'left'
         LEFT JOIN rsvps r ON r.meeting_id = g.id AND r.member_id = $1
         WHERE g.status = 'scheduled' AND g.ends_at > now()
         ORDER BY g.starts_at LIMIT 5",
    )
    .bind(member_id)
    .fetch_all(db)
    .await?)
}
