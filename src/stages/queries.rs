//! Plain SQL for the stage guide, reach-outs, check-ins and the digest. Every query is scoped by
//! `can_id`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::attention::Viewer;
use super::guide::Criteria;
use crate::cans::model::{CAN_COLUMNS, Can, Membership, MembershipStatus, Role, Stage};
use crate::error::Result;

// ---- Stage moves and thresholds ------------------------------------------------------------

/// One move of the group from a stage to another.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Transition {
    pub moved_at: DateTime<Utc>,
    pub moved_by: String,
    pub from_stage: Stage,
    pub to_stage: Stage,
    pub note: String,
    pub criteria_met: bool,
}

/// Every move of the CAN, newest first.
pub async fn transitions(db: &PgPool, can_id: Uuid) -> Result<Vec<Transition>> {
    Ok(sqlx::query_as(
        "SELECT t.moved_at, p.display_name AS moved_by, t.from_stage, t.to_stage, t.note,
                t.criteria_met
         FROM stage_transitions t JOIN members p ON p.id = t.moved_by
         WHERE t.can_id = $1 ORDER BY t.moved_at DESC",
    )
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

/// Moves the CAN from `from` to `to`; false when it is no longer in `from` (someone moved it).
pub async fn set_stage(
    conn: &mut PgConnection,
    can_id: Uuid,
    from: Stage,
    to: Stage,
) -> Result<bool> {
    let moved = sqlx::query("UPDATE cans SET stage = $3 WHERE id = $1 AND stage = $2")
        .bind(can_id)
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?;
    Ok(moved.rows_affected() == 1)
}

pub struct NewTransition<'a> {
    pub from: Stage,
    pub to: Stage,
    pub moved_by: Uuid,
    pub note: &'a str,
    pub criteria_met: bool,
}

pub async fn insert_transition(
    conn: &mut PgConnection,
    can_id: Uuid,
    t: &NewTransition<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stage_transitions (id, can_id, from_stage, to_stage, moved_by, note, criteria_met)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(can_id)
    .bind(t.from)
    .bind(t.to)
    .bind(t.moved_by)
    .bind(t.note)
    .bind(t.criteria_met)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_criteria(db: impl PgExecutor<'_>, can_id: Uuid, c: &Criteria) -> Result<()> {
    sqlx::query(
        "UPDATE cans SET hope_share_percent = $2, hope_min = $3, held_meetings_min = $4, drift_missed = $5, drift_weeks = $6
         WHERE id = $1",
    )
    .bind(can_id)
    .bind(c.hope_share_percent)
    .bind(c.hope_min)
    .bind(c.held_meetings_min)
    .bind(c.drift_missed)
    .bind(c.drift_weeks)
    .execute(db)
    .await?;
    Ok(())
}

// ---- Reach-outs ----------------------------------------------------------------------------

/// The name of a current member (not one who left), or `None`.
pub async fn current_member_name(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT p.display_name FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.member_id = $2 AND m.status <> 'left'",
    )
    .bind(can_id)
    .bind(member_id)
    .fetch_optional(conn)
    .await?)
}

/// Records a reach-out; returns its id (the key of the word sent with it, if any).
pub async fn insert_reach_out(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    by: Uuid,
    note: &str,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO reach_outs (id, can_id, member_id, by_id, note) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(can_id)
    .bind(member_id)
    .bind(by)
    .bind(note)
    .execute(conn)
    .await?;
    Ok(id)
}

// ---- Check-ins -----------------------------------------------------------------------------

/// A meeting as a check-in sees it, for one member.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckInMeeting {
    pub title: String,
    pub held: bool,
    /// Check-ins closed: the meeting ended more than a week ago.
    pub closed: bool,
    pub present: bool,
    pub done: bool,
}

pub async fn check_in_meeting(
    db: &PgPool,
    can_id: Uuid,
    meeting_id: Uuid,
    member_id: Uuid,
    open_days: i32,
) -> Result<Option<CheckInMeeting>> {
    Ok(sqlx::query_as(
        "SELECT g.title, g.status = 'held' AS held,
                g.ends_at < now() - make_interval(days => $4) AS closed,
                EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = g.id AND a.member_id = $3) AS present,
                EXISTS (SELECT 1 FROM check_ins c WHERE c.meeting_id = g.id AND c.member_id = $3) AS done
         FROM meetings g WHERE g.can_id = $1 AND g.id = $2",
    )
    .bind(can_id)
    .bind(meeting_id)
    .bind(member_id)
    .bind(open_days)
    .fetch_optional(db)
    .await?)
}

/// Stores a check-in; false when the member had already checked in for the meeting.
pub async fn insert_check_in(
    db: &PgPool,
    can_id: Uuid,
    meeting_id: Uuid,
    member_id: Uuid,
    check_in: &super::forms::CheckIn,
) -> Result<bool> {
    let [zest, able, clarity, worth, connection] = check_in.scores;
    let done = sqlx::query(
        "INSERT INTO check_ins (meeting_id, can_id, member_id, zest, able_to_act, clarity, worth, connection, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (meeting_id, member_id) DO NOTHING",
    )
    .bind(meeting_id)
    .bind(can_id)
    .bind(member_id)
    .bind(zest)
    .bind(able)
    .bind(clarity)
    .bind(worth)
    .bind(connection)
    .bind(&check_in.note)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---- The weekly digest ---------------------------------------------------------------------

/// Up to `limit` CANs whose weekly digest is due by `today` (through `can_clocks_digest_due_idx`,
/// so this costs the same however many CANs have had theirs), leaving out `skip`.
pub async fn digest_due(
    db: &PgPool,
    today: NaiveDate,
    skip: &[Uuid],
    limit: i64,
) -> Result<Vec<Can>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CAN_COLUMNS} FROM can_clocks k JOIN cans c ON c.id = k.can_id
         WHERE k.digest_due_on <= $1 AND NOT (k.can_id = ANY($2))
         ORDER BY k.digest_due_on, k.can_id LIMIT $3"
    ))
    .bind(today)
    .bind(skip)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// Someone who may get this week's digest: an active member of a due CAN who wants it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reader {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    pub time_zone: chrono_tz::Tz,
}

/// The active members of these CANs who want the digest and have not had this week's, each
/// once however many of the CANs they belong to.
pub async fn digest_readers(db: &PgPool, can_ids: &[Uuid], week: NaiveDate) -> Result<Vec<Reader>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.email, p.display_name AS name, p.time_zone FROM members p
         WHERE p.weekly_digest
           AND p.id IN (SELECT m.member_id FROM memberships m
                        WHERE m.can_id = ANY($1) AND m.status = 'active')
           AND NOT EXISTS (SELECT 1 FROM weekly_digests d WHERE d.member_id = p.id AND d.week_of = $2)
         ORDER BY p.id",
    )
    .bind(can_ids)
    .bind(week)
    .fetch_all(db)
    .await?)
}

/// A notification waiting for someone's digest.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Happened {
    pub id: Uuid,
    pub member_id: Uuid,
    pub can_name: Option<String>,
    pub line: String,
    pub link: String,
}

/// The notifications these members chose to get in the digest and have not been mailed, oldest
/// first (through `notifications_digest_idx`).
pub async fn digest_notifications(db: &PgPool, members: &[Uuid]) -> Result<Vec<Happened>> {
    Ok(sqlx::query_as(
        "SELECT n.id, n.member_id, c.name AS can_name, n.line, n.link
         FROM notifications n LEFT JOIN cans c ON c.id = n.can_id
         WHERE n.member_id = ANY($1) AND n.delivery = 'digest' AND n.mailed_at IS NULL
         ORDER BY n.member_id, n.created_at",
    )
    .bind(members)
    .fetch_all(db)
    .await?)
}

/// A meeting coming up in one of a member's CANs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Coming {
    pub member_id: Uuid,
    pub can_name: String,
    pub slug: String,
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The scheduled meetings starting in `[from, until)` in the CANs these members are active in.
pub async fn digest_meetings(
    db: &PgPool,
    members: &[Uuid],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Coming>> {
    Ok(sqlx::query_as(
        "SELECT m.member_id, c.name AS can_name, c.slug, g.id, g.title, g.starts_at, g.ends_at
         FROM memberships m JOIN cans c ON c.id = m.can_id
         JOIN meetings g ON g.can_id = m.can_id AND g.starts_at >= $2 AND g.starts_at < $3
                        AND g.status = 'scheduled'
         WHERE m.member_id = ANY($1) AND m.status = 'active'
         ORDER BY m.member_id, g.starts_at",
    )
    .bind(members)
    .bind(from)
    .bind(until)
    .fetch_all(db)
    .await?)
}

/// Someone who organises or coordinates a CAN (their digest has its stage part), with their
/// active roles there: the part says what their roles let them see.
#[derive(sqlx::FromRow)]
pub struct Lead {
    pub member_id: Uuid,
    pub can_id: Uuid,
    pub roles: Vec<String>,
}

impl Lead {
    pub fn viewer(&self) -> Viewer {
        Viewer::of(&Membership {
            member_id: self.member_id,
            status: MembershipStatus::Active,
            roles: self.roles.iter().filter_map(|r| Role::parse(r)).collect(),
            away_until: None,
        })
    }
}

/// Which of these members organise or coordinate which CANs.
pub async fn digest_leads(db: &PgPool, members: &[Uuid]) -> Result<Vec<Lead>> {
    Ok(sqlx::query_as(
        "SELECT m.member_id, m.can_id, array_agg(g.role ORDER BY g.role) AS roles FROM memberships m
         JOIN role_grants g ON g.can_id = m.can_id AND g.member_id = m.member_id AND g.ended_at IS NULL
         WHERE m.member_id = ANY($1) AND m.status = 'active'
         GROUP BY m.member_id, m.can_id
         HAVING bool_or(g.role IN ('organiser', 'coordinator'))",
    )
    .bind(members)
    .fetch_all(db)
    .await?)
}

/// These CANs.
pub async fn digest_cans(db: &PgPool, can_ids: &[Uuid]) -> Result<Vec<Can>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CAN_COLUMNS} FROM cans c WHERE c.id = ANY($1)"
    ))
    .bind(can_ids)
    .fetch_all(db)
    .await?)
}

/// Writes down that these CANs' digests are done until `next` (the next week's Monday).
pub async fn digest_done(db: &PgPool, can_ids: &[Uuid], next: NaiveDate) -> Result<()> {
    sqlx::query(
        "UPDATE can_clocks SET digest_due_on = $2 WHERE can_id = ANY($1) AND digest_due_on < $2",
    )
    .bind(can_ids)
    .bind(next)
    .execute(db)
    .await?;
    Ok(())
}

/// Claims the week's digest for the member (one digest for all their CANs); false when it was
/// claimed already. A second instance's claim waits for the first one's transaction.
pub async fn claim_digest(
    conn: &mut PgConnection,
    member_id: Uuid,
    week: NaiveDate,
) -> Result<bool> {
    let claimed = sqlx::query(
        "INSERT INTO weekly_digests (member_id, week_of) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(member_id)
    .bind(week)
    .execute(conn)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// The digest carried these notifications: they are mailed now.
pub async fn digest_mailed(conn: &mut PgConnection, ids: &[Uuid]) -> Result<()> {
    sqlx::query(
        "UPDATE notifications SET mailed_at = now() WHERE id = ANY($1) AND mailed_at IS NULL",
    )
    .bind(ids)
    .execute(conn)
    .await?;
    Ok(())
}
