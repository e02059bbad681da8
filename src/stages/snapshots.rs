//! The daily points of the health view's "load over time": once a day per CAN — the CAN's own
//! day, in its time zone — the clock records how the load is spread, so that reading the health
//! view never writes. A tick takes the snapshots of every CAN whose day has turned in a few
//! set-based statements; CANs already done cost nothing (`can_clocks_load_snapshot_due_idx`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::Result;

/// How many CANs one transaction takes the snapshots of, so a first start on ten thousand CANs
/// works in short statements that several instances can share.
const BATCH: i64 = 500;

/// Takes the load snapshot of each CAN whose day (in its zone) has begun since its last one, as
/// the load stands at `now`; returns how many snapshots were written. Safe to run from every
/// instance at once: due CANs are claimed with `SKIP LOCKED`, and a day's snapshot that exists
/// already is left as it is.
pub async fn tick(db: &PgPool, now: DateTime<Utc>) -> Result<u64> {
    let mut written = 0;
    loop {
        let mut tx = db.begin().await?;
        let due = claim_due(&mut tx, now).await?;
        if !due.is_empty() {
            written += take(&mut tx, now, &due).await?;
        }
        tx.commit().await?;
        if (due.len() as i64) < BATCH {
            return Ok(written);
        }
    }
}

/// Claims up to [`BATCH`] CANs whose snapshot is due at `now`, with the day it is for.
async fn claim_due(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<(Uuid, NaiveDate)>> {
    Ok(sqlx::query_as(CLAIM)
        .bind(now)
        .bind(BATCH)
        .fetch_all(conn)
        .await?)
}

/// Writes the snapshots of the claimed CANs; returns how many were new.
async fn take(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    due: &[(Uuid, NaiveDate)],
) -> Result<u64> {
    let (ids, days): (Vec<Uuid>, Vec<NaiveDate>) = due.iter().copied().unzip();
    Ok(sqlx::query(SNAPSHOT)
        .bind(now)
        .bind(&ids)
        .bind(&days)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Up to `$2` CANs whose snapshot is due at `$1`, skipping those another instance holds; the
/// next one is due at the start of the CAN's next day in its zone.
const CLAIM: &str = "
UPDATE can_clocks k SET load_snapshot_due_at = (d.day + 1)::timestamp AT TIME ZONE d.time_zone
FROM (SELECT k.can_id, ($1::timestamptz AT TIME ZONE c.time_zone)::date AS day, c.time_zone
      FROM can_clocks k JOIN cans c ON c.id = k.can_id
      WHERE k.load_snapshot_due_at <= $1
      ORDER BY k.load_snapshot_due_at, k.can_id
      LIMIT $2
      FOR UPDATE OF k SKIP LOCKED) d
WHERE k.can_id = d.can_id
RETURNING k.can_id, d.day";

/// The snapshots of the CANs `$2` for their days `$3`, as the load stands at `$1`. The figures
/// are those of the health view, defined in `responsibilities::load`: a member's load is the
/// effort of the active responsibilities they currently carry; the median is over the active
/// members (idle ones included); overburdened is a load of at least 2 above twice the median;
/// idle carries nothing; a single point of failure is an active responsibility with one current
/// carrier (an active member) and no backup. A day's snapshot that exists already stays.
const SNAPSHOT: &str = "
WITH due AS (
    SELECT * FROM unnest($2::uuid[], $3::date[]) AS d (can_id, day)
),
-- Who currently carries or backs up which active responsibility, among active members: all the
-- figures are counted from these (found through each CAN's carriers, carriers_member_idx).
holdings AS (
    SELECT c.can_id, c.member_id, c.responsibility_id, c.kind, r.effort
    FROM due d
    JOIN carriers c ON c.can_id = d.can_id
        AND c.from_at <= $1 AND (c.until_at IS NULL OR c.until_at > $1)
    JOIN responsibilities r ON r.id = c.responsibility_id AND r.status = 'active'
    JOIN memberships m ON m.can_id = c.can_id AND m.member_id = c.member_id AND m.status = 'active'
),
carried AS (
    SELECT can_id, member_id, sum(effort) AS load, count(*) AS count
    FROM holdings WHERE kind = 'carrier'
    GROUP BY can_id, member_id
),
loads AS (
    SELECT m.can_id, COALESCE(k.load, 0) AS load, COALESCE(k.count, 0) AS count
    FROM due d
    JOIN memberships m ON m.can_id = d.can_id AND m.status = 'active'
    LEFT JOIN carried k ON k.can_id = m.can_id AND k.member_id = m.member_id
),
medians AS (
    SELECT can_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY load) AS median
    FROM loads GROUP BY can_id
),
spread AS (
    SELECT l.can_id,
           count(*) FILTER (WHERE l.load >= 2 AND l.load > 2 * md.median) AS overburdened,
           count(*) FILTER (WHERE l.count = 0) AS idle
    FROM loads l JOIN medians md ON md.can_id = l.can_id
    GROUP BY l.can_id
),
single_points AS (
    SELECT can_id, count(*) AS single_points FROM (
        SELECT can_id FROM holdings
        GROUP BY can_id, responsibility_id
        HAVING count(*) FILTER (WHERE kind = 'carrier') = 1
           AND count(*) FILTER (WHERE kind = 'backup') = 0) alone
    GROUP BY can_id
)
INSERT INTO load_snapshots (can_id, taken_on, median, overburdened, idle, single_points)
SELECT d.can_id, d.day, COALESCE(md.median, 0), COALESCE(s.overburdened, 0),
       COALESCE(s.idle, 0), COALESCE(sp.single_points, 0)
FROM due d
LEFT JOIN medians md ON md.can_id = d.can_id
LEFT JOIN spread s ON s.can_id = d.can_id
LEFT JOIN single_points sp ON sp.can_id = d.can_id
ON CONFLICT ON CONSTRAINT load_snapshots_pkey DO NOTHING";
