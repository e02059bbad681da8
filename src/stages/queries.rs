//! Plain SQL for the stage guide, reach-outs, check-ins and the digest. Every query is scoped by
//! `can_id`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::guide::Criteria;
use crate::cans::model::{CAN_COLUMNS, Can, Stage};
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

/// Someone who gets the digest: an active organiser or coordinator who wants it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub can_id: Uuid,
    pub id: Uuid,
    pub email: String,
}

/// The organisers and coordinators of these CANs who want the digest and have not had this
/// week's, in one statement for all of them.
pub async fn digest_recipients(
    db: &PgPool,
    can_ids: &[Uuid],
    week: NaiveDate,
) -> Result<Vec<Recipient>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT g.can_id, p.id, p.email FROM role_grants g
         JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id AND m.status = 'active'
         JOIN members p ON p.id = g.member_id
         WHERE g.can_id = ANY($1) AND g.ended_at IS NULL AND g.role IN ('organiser', 'coordinator') AND p.weekly_digest
           AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.can_id = g.can_id AND d.member_id = p.id AND d.week_of = $2)",
    )
    .bind(can_ids)
    .bind(week)
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

/// Claims the week's digest for the member; false when it was claimed already.
pub async fn claim_digest(
    conn: &mut PgConnection,
    can_id: Uuid,
    member_id: Uuid,
    week: NaiveDate,
) -> Result<bool> {
    let claimed = sqlx::query(
        "INSERT INTO digests (can_id, member_id, week_of) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(can_id)
    .bind(member_id)
    .bind(week)
    .execute(conn)
    .await?;
    Ok(claimed.rows_affected() == 1)
}
