//! Plain SQL for meetings. Every query that takes an id from a URL or form filters by `can_id`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Meeting {
    pub id: Uuid,
    pub can_id: Uuid,
    pub series_id: Option<Uuid>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub status: String,
    pub moved: bool,
    pub sequence: i32,
    pub facilitator_id: Option<Uuid>,
    pub facilitator: Option<String>,
    pub note_taker_id: Option<Uuid>,
    pub note_taker: Option<String>,
    pub minutes: String,
    pub minutes_version: i32,
    pub updated_at: DateTime<Utc>,
    pub rotate_roles: Option<bool>,
}

const MEETING: &str = "
    SELECT g.id, g.can_id, g.series_id, g.title, g.starts_at, g.ends_at, g.location, g.status, g.moved,
           g.sequence, g.facilitator_id, f.display_name AS facilitator, g.note_taker_id,
           n.display_name AS note_taker, g.minutes, g.minutes_version, g.updated_at, s.rotate_roles
    FROM meetings g
    LEFT JOIN members f ON f.id = g.facilitator_id
    LEFT JOIN members n ON n.id = g.note_taker_id
    LEFT JOIN meeting_series s ON s.id = g.series_id";

pub async fn meeting(db: impl PgExecutor<'_>, can_id: Uuid, id: Uuid) -> Result<Option<Meeting>> {
    Ok(
        sqlx::query_as(&format!("{MEETING} WHERE g.can_id = $1 AND g.id = $2"))
            .bind(can_id)
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// Meetings of a CAN between two instants, in order.
pub async fn between(
    db: &PgPool,
    can_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Meeting>> {
    Ok(sqlx::query_as(&format!(
        "{MEETING} WHERE g.can_id = $1 AND g.starts_at >= $2 AND g.starts_at < $3 ORDER BY g.starts_at"
    ))
    .bind(can_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?)
}

pub async fn recent(db: &PgPool, can_id: Uuid, limit: i64) -> Result<Vec<Meeting>> {
    Ok(sqlx::query_as(&format!(
        "{MEETING} WHERE g.can_id = $1 AND g.starts_at < now() ORDER BY g.starts_at DESC LIMIT $2"
    ))
    .bind(can_id)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

pub async fn of_series(db: &PgPool, can_id: Uuid, series_id: Uuid) -> Result<Vec<Meeting>> {
    Ok(sqlx::query_as(&format!(
        "{MEETING} WHERE g.can_id = $1 AND g.series_id = $2 ORDER BY g.starts_at"
    ))
    .bind(can_id)
    .bind(series_id)
    .fetch_all(db)
    .await?)
}

/// The series' next scheduled occurrence after `after`.
pub async fn next_in_series(
    conn: &mut PgConnection,
    can_id: Uuid,
    series_id: Uuid,
    after: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM meetings WHERE can_id = $1 AND series_id = $2 AND starts_at > $3
           AND status = 'scheduled' ORDER BY starts_at LIMIT 1",
    )
    .bind(can_id)
    .bind(series_id)
    .bind(after)
    .fetch_optional(conn)
    .await?)
}

/// Everyone in the CAN who is not gone: the people a meeting page lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub rsvp: Option<String>,
    pub present: bool,
}

pub async fn people(db: &PgPool, can_id: Uuid, meeting_id: Uuid) -> Result<Vec<Person>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.display_name AS name, m.status, r.answer AS rsvp,
                EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = $2 AND a.member_id = p.id) AS present
         FROM memberships m JOIN members p ON p.id = m.member_id
         LEFT JOIN rsvps r ON r.meeting_id = $2 AND r.member_id = p.id
         WHERE m.can_id = $1 AND (m.status <> 'left'
               OR EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = $2 AND a.member_id = p.id))
         ORDER BY lower(p.display_name)",
    )
    .bind(can_id)
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

pub async fn set_rsvp(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    meeting_id: Uuid,
    member_id: Uuid,
    answer: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rsvps (meeting_id, can_id, member_id, answer) VALUES ($1, $2, $3, $4)
         ON CONFLICT (meeting_id, member_id) DO UPDATE SET answer = EXCLUDED.answer, updated_at = now()",
    )
    .bind(meeting_id)
    .bind(can_id)
    .bind(member_id)
    .bind(answer)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets who came to `present` (current members of this CAN only); returns how many are recorded.
pub async fn set_attendance(
    conn: &mut PgConnection,
    can_id: Uuid,
    meeting_id: Uuid,
    present: &[Uuid],
    by: Uuid,
) -> Result<u64> {
    // Unticked current members are removed; people who have since left keep their record.
    sqlx::query(
        "DELETE FROM attendance a USING memberships m
         WHERE a.meeting_id = $1 AND a.can_id = $2 AND m.can_id = a.can_id AND m.member_id = a.member_id
           AND m.status <> 'left' AND NOT (a.member_id = ANY($3))",
    )
    .bind(meeting_id)
    .bind(can_id)
    .bind(present)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by)
         SELECT $1, $2, m.member_id, $4 FROM memberships m
         WHERE m.can_id = $2 AND m.member_id = ANY($3) AND m.status <> 'left'
         ON CONFLICT (meeting_id, member_id) DO NOTHING",
    )
    .bind(meeting_id)
    .bind(can_id)
    .bind(present)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    let done: i64 =
        sqlx::query_scalar("SELECT count(*) FROM attendance WHERE meeting_id = $1 AND can_id = $2")
            .bind(meeting_id)
            .bind(can_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(done as u64)
}

/// True when `member` is a current (not departed) member of the CAN.
pub async fn is_member(conn: &mut PgConnection, can_id: Uuid, member: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships WHERE can_id = $1 AND member_id = $2 AND status = 'active')",
    )
    .bind(can_id)
    .bind(member)
    .fetch_one(conn)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgendaItem {
    pub id: Uuid,
    pub position: i32,
    pub title: String,
    pub owner: Option<String>,
    pub minutes_budget: Option<i32>,
    pub status: String,
    pub carried: bool,
}

pub async fn agenda(db: &PgPool, meeting_id: Uuid) -> Result<Vec<AgendaItem>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.position, a.title, o.display_name AS owner, a.minutes_budget, a.status,
                a.carried_from IS NOT NULL AS carried
         FROM agenda_items a LEFT JOIN members o ON o.id = a.owner_id
         WHERE a.meeting_id = $1 ORDER BY a.position, a.created_at",
    )
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Decision {
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub meeting_title: String,
    pub meeting_starts_at: DateTime<Utc>,
}

pub async fn decisions(db: &PgPool, meeting_id: Uuid) -> Result<Vec<Decision>> {
    Ok(sqlx::query_as(
        "SELECT d.body, d.created_at, g.title AS meeting_title, g.starts_at AS meeting_starts_at
         FROM decisions d JOIN meetings g ON g.id = d.meeting_id
         WHERE d.meeting_id = $1 ORDER BY d.created_at",
    )
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

/// Decisions of the series' (or CAN's) earlier meetings, newest first.
pub async fn earlier_decisions(
    db: &PgPool,
    can_id: Uuid,
    series_id: Option<Uuid>,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Decision>> {
    Ok(sqlx::query_as(
        "SELECT d.body, d.created_at, g.title AS meeting_title, g.starts_at AS meeting_starts_at
         FROM decisions d JOIN meetings g ON g.id = d.meeting_id
         WHERE d.can_id = $1 AND g.starts_at < $3 AND ($2::uuid IS NULL OR g.series_id = $2)
         ORDER BY g.starts_at DESC, d.created_at DESC LIMIT $4",
    )
    .bind(can_id)
    .bind(series_id)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionItem {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub title: String,
    pub owner_id: Option<Uuid>,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    pub from_meeting: String,
    pub from_starts_at: DateTime<Utc>,
}

const ACTION: &str = "
    SELECT a.id, a.meeting_id, a.title, a.owner_id, o.display_name AS owner, a.due_on, a.status,
           g.title AS from_meeting, g.starts_at AS from_starts_at
    FROM action_items a JOIN meetings g ON g.id = a.meeting_id
    LEFT JOIN members o ON o.id = a.owner_id";

pub async fn actions_of(db: &PgPool, meeting_id: Uuid) -> Result<Vec<ActionItem>> {
    Ok(sqlx::query_as(&format!(
        "{ACTION} WHERE a.meeting_id = $1 ORDER BY a.created_at"
    ))
    .bind(meeting_id)
    .fetch_all(db)
    .await?)
}

/// Open action items from the series' (or CAN's) earlier meetings: they carry forward.
pub async fn open_earlier_actions(
    db: &PgPool,
    can_id: Uuid,
    series_id: Option<Uuid>,
    before: DateTime<Utc>,
) -> Result<Vec<ActionItem>> {
    Ok(sqlx::query_as(&format!(
        "{ACTION} WHERE a.can_id = $1 AND a.status = 'open' AND g.starts_at < $3
                  AND ($2::uuid IS NULL OR g.series_id = $2)
         ORDER BY a.due_on NULLS LAST, a.created_at"
    ))
    .bind(can_id)
    .bind(series_id)
    .bind(before)
    .fetch_all(db)
    .await?)
}

/// Suggests who should facilitate and take notes: among active members (facilitators, resp.
/// anyone) who have not said no to this meeting, the one who served least recently.
pub async fn suggest(
    db: &PgPool,
    can_id: Uuid,
    meeting_id: Uuid,
    before: DateTime<Utc>,
    facilitator: bool,
    except: Option<Uuid>,
) -> Result<Option<(Uuid, String)>> {
    let column = if facilitator {
        "facilitator_id"
    } else {
        "note_taker_id"
    };
    Ok(sqlx::query_as(&format!(
        "SELECT p.id, p.display_name FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.status = 'active'
           AND ($4 = false OR EXISTS (SELECT 1 FROM role_grants r WHERE r.can_id = m.can_id
                AND r.member_id = m.member_id AND r.role = 'facilitator' AND r.ended_at IS NULL))
           AND NOT EXISTS (SELECT 1 FROM rsvps v WHERE v.meeting_id = $2 AND v.member_id = m.member_id AND v.answer = 'no')
           AND ($5::uuid IS NULL OR p.id <> $5)
         ORDER BY (SELECT max(x.starts_at) FROM meetings x WHERE x.can_id = $1 AND x.{column} = p.id
                   AND x.starts_at < $3 AND x.status <> 'cancelled') NULLS FIRST,
                  lower(p.display_name)
         LIMIT 1"
    ))
    .bind(can_id)
    .bind(meeting_id)
    .bind(before)
    .bind(facilitator)
    .bind(except)
    .fetch_optional(db)
    .await?)
}
