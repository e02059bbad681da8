//! Plain SQL for welcoming newcomers. A newcomer's arrival is the later of `joined_at` and
//! `rules_acknowledged_at`: someone who left and came back acknowledges the rules again as they
//! rejoin, while `joined_at` keeps their first joining.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::cans::model::MembershipStatus;
use crate::error::Result;
use crate::meetings::model::Rsvp;
use crate::responsibilities::queries::CURRENT;

/// When a membership (`m`) began, for the 30-day look.
const ARRIVED: &str = "greatest(m.joined_at, m.rules_acknowledged_at)";

/// A willing member, as rotation and the organisers' choice read them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Willing {
    pub id: Uuid,
    pub name: String,
    /// How many current members they accompany now.
    pub accompanies: i64,
}

/// The active members willing to welcome newcomers (never `newcomer`), in rotation order: the
/// one chosen least recently first (never chosen, first of all), ties by name. `current`, the
/// newcomer's companion now, goes last, so that rotating moves on when anyone else is willing.
pub async fn rotation(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    newcomer: Uuid,
    current: Option<Uuid>,
) -> Result<Vec<Willing>> {
    Ok(sqlx::query_as(
        "SELECT m.member_id AS id, p.display_name AS name, coalesce(l.accompanies, 0) AS accompanies
         FROM memberships m
         JOIN members p ON p.id = m.member_id
         LEFT JOIN LATERAL (
             SELECT max(n.companion_chosen_at) AS last,
                    count(*) FILTER (WHERE n.status <> 'left') AS accompanies
             FROM memberships n WHERE n.can_id = m.can_id AND n.companion_id = m.member_id
         ) l ON true
         WHERE m.can_id = $1 AND m.status = 'active' AND m.willing_to_welcome
           AND m.member_id <> $2
         ORDER BY m.member_id IS NOT DISTINCT FROM $3, l.last NULLS FIRST,
                  lower(p.display_name), p.display_name, m.member_id",
    )
    .bind(can_id)
    .bind(newcomer)
    .bind(current)
    .fetch_all(db)
    .await?)
}

/// The newcomer's name and companion now, read under the CAN's lock; `None` when they are not a
/// current member of this CAN.
#[derive(Debug, sqlx::FromRow)]
pub struct Newcomer {
    pub name: String,
    pub companion_id: Option<Uuid>,
}

pub async fn newcomer(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<Option<Newcomer>> {
    Ok(sqlx::query_as(
        "SELECT p.display_name AS name, m.companion_id
         FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.member_id = $2 AND m.status <> 'left'",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_optional(conn)
    .await?)
}

/// Sets (or clears) the newcomer's companion, chosen now.
pub async fn set_companion(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    companion: Option<Uuid>,
) -> Result<()> {
    sqlx::query(
        "UPDATE memberships
         SET companion_id = $3, companion_chosen_at = CASE WHEN $3::uuid IS NULL THEN NULL ELSE now() END
         WHERE can_id = $1 AND member_id = $2",
    )
    .bind(can_id)
    .bind(member_id)
    .bind(companion)
    .execute(conn)
    .await?;
    Ok(())
}

/// What the welcome page shows a member, in one statement.
#[derive(Debug, sqlx::FromRow)]
pub struct WelcomeFacts {
    /// The adopted vision's text, if there is one.
    pub vision: Option<String>,
    /// Hopes shared and not withdrawn, by anyone.
    pub hopes: i64,
    /// The member has a hope of their own (not withdrawn).
    pub has_hope: bool,
    /// Their companion, while still a member.
    pub companion_id: Option<Uuid>,
    pub companion_name: Option<String>,
    /// The next scheduled meeting not yet over, and the member's answer to it.
    pub meeting_id: Option<Uuid>,
    pub meeting_title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub answer: Option<Rsvp>,
    /// The smallest current task nobody carries (lowest effort, then soonest due).
    pub task_id: Option<Uuid>,
    pub task_title: Option<String>,
}

pub async fn welcome_facts(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<WelcomeFacts> {
    Ok(sqlx::query_as(&format!(
        "SELECT
             (SELECT v.body FROM cans c
              JOIN vision_versions v ON v.id = c.vision_version_id AND v.can_id = c.id
              WHERE c.id = $1) AS vision,
             (SELECT count(*) FROM hopes h WHERE h.can_id = $1 AND h.withdrawn_at IS NULL) AS hopes,
             EXISTS (SELECT 1 FROM hopes h WHERE h.can_id = $1 AND h.author_id = $2
                     AND h.withdrawn_at IS NULL) AS has_hope,
             cp.id AS companion_id, cp.display_name AS companion_name,
             g.id AS meeting_id, g.title AS meeting_title, g.starts_at, g.ends_at, a.answer,
             t.id AS task_id, t.title AS task_title
         FROM memberships m
         LEFT JOIN memberships cm ON cm.can_id = m.can_id AND cm.member_id = m.companion_id
                                  AND cm.status <> 'left'
         LEFT JOIN members cp ON cp.id = cm.member_id
         LEFT JOIN LATERAL (
             SELECT id, title, starts_at, ends_at FROM meetings
             WHERE can_id = $1 AND status = 'scheduled' AND ends_at > now()
             ORDER BY starts_at LIMIT 1
         ) g ON true
         LEFT JOIN rsvps a ON a.meeting_id = g.id AND a.member_id = $2
         LEFT JOIN LATERAL (
             SELECT r.id, r.title FROM responsibilities r
             WHERE r.can_id = $1 AND r.kind = 'task' AND r.status IN ('open', 'active')
               AND NOT EXISTS (
                   SELECT 1 FROM carriers c
                   JOIN memberships ms ON ms.can_id = c.can_id AND ms.member_id = c.member_id
                                      AND ms.status = 'active'
                   WHERE c.responsibility_id = r.id AND c.can_id = r.can_id
                     AND c.kind = 'carrier' AND {CURRENT})
             ORDER BY r.effort, r.due_on NULLS LAST, lower(r.title), r.id
             LIMIT 1
         ) t ON true
         WHERE m.can_id = $1 AND m.member_id = $2"
    ))
    .bind(can_id)
    .bind(member_id)
    .fetch_one(db)
    .await?)
}

/// A hope as the welcome page shows it, before there is a vision.
#[derive(Debug, sqlx::FromRow)]
pub struct HopeLine {
    pub body: String,
    pub author: String,
}

/// The latest few hopes shared (not withdrawn).
pub async fn latest_hopes(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    few: i64,
) -> Result<Vec<HopeLine>> {
    Ok(sqlx::query_as(
        "SELECT h.body, p.display_name AS author
         FROM hopes h JOIN members p ON p.id = h.author_id
         WHERE h.can_id = $1 AND h.withdrawn_at IS NULL
         ORDER BY h.created_at DESC, h.id DESC LIMIT $2",
    )
    .bind(can_id)
    .bind(few)
    .fetch_all(db)
    .await?)
}

/// A recent member and their first steps since they arrived.
#[derive(Debug, sqlx::FromRow)]
pub struct Arrival {
    pub member_id: Uuid,
    pub name: String,
    pub status: MembershipStatus,
    pub arrived_at: DateTime<Utc>,
    pub companion_id: Option<Uuid>,
    pub companion_name: Option<String>,
    /// The companion is still an active member.
    pub companion_active: bool,
    /// Came to a meeting since arriving.
    pub came: bool,
    /// Shared a hope since arriving (not withdrawn).
    pub hoped: bool,
    /// Said yes to a meeting since arriving.
    pub said_yes: bool,
    /// The latest time someone reached out to them, and who.
    pub reached_at: Option<DateTime<Utc>>,
    pub reached_by: Option<String>,
}

/// The current members of the CAN who arrived within the last `days` days, newest first, with
/// what they did since; only those `companion` accompanies when it is given.
pub async fn arrivals(
    db: impl PgExecutor<'_>,
    can_id: Uuid,
    days: i32,
    companion: Option<Uuid>,
) -> Result<Vec<Arrival>> {
    Ok(sqlx::query_as(&format!(
        "SELECT m.member_id, p.display_name AS name, m.status, {ARRIVED} AS arrived_at,
                m.companion_id, cp.display_name AS companion_name,
                coalesce(cm.status = 'active', false) AS companion_active,
                EXISTS (SELECT 1 FROM attendance a
                        JOIN meetings g ON g.id = a.meeting_id AND g.can_id = a.can_id
                        WHERE a.can_id = m.can_id AND a.member_id = m.member_id
                          AND g.ends_at >= {ARRIVED}) AS came,
                EXISTS (SELECT 1 FROM hopes h
                        WHERE h.can_id = m.can_id AND h.author_id = m.member_id
                          AND h.withdrawn_at IS NULL AND h.created_at >= {ARRIVED}) AS hoped,
                EXISTS (SELECT 1 FROM rsvps r
                        JOIN meetings g ON g.id = r.meeting_id AND g.can_id = r.can_id
                        WHERE r.can_id = m.can_id AND r.member_id = m.member_id
                          AND r.answer = 'yes' AND g.ends_at >= {ARRIVED}) AS said_yes,
                ro.at AS reached_at, rb.display_name AS reached_by
         FROM memberships m
         JOIN members p ON p.id = m.member_id
         LEFT JOIN memberships cm ON cm.can_id = m.can_id AND cm.member_id = m.companion_id
         LEFT JOIN members cp ON cp.id = m.companion_id
         LEFT JOIN LATERAL (
             SELECT o.at, o.by_id FROM reach_outs o
             WHERE o.can_id = m.can_id AND o.member_id = m.member_id
             ORDER BY o.at DESC LIMIT 1
         ) ro ON true
         LEFT JOIN members rb ON rb.id = ro.by_id
         WHERE m.can_id = $1 AND m.status <> 'left'
           AND {ARRIVED} > now() - make_interval(days => $2)
           AND ($3::uuid IS NULL OR m.companion_id = $3)
         ORDER BY {ARRIVED} DESC, lower(p.display_name), m.member_id"
    ))
    .bind(can_id)
    .bind(days)
    .bind(companion)
    .fetch_all(db)
    .await?)
}

/// Whether the member offers to welcome newcomers or accompanies a current member now.
pub async fn welcomes(db: impl PgExecutor<'_>, can_id: Uuid, member_id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships WHERE can_id = $1 AND member_id = $2
                        AND willing_to_welcome AND status <> 'left')
             OR EXISTS (SELECT 1 FROM memberships WHERE can_id = $1 AND companion_id = $2
                        AND status <> 'left')",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_one(db)
    .await?)
}
