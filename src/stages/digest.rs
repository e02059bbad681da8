//! The weekly digest for organisers and coordinators: the stage and its next steps, who seems to
//! drift away, single points of failure, and how the load changed. Written to the outbox once per
//! recipient per CAN per week (a row in `digests` claims the week); members can opt out.
//!
//! Weeks are UTC weeks from Monday. A CAN's digests go out at the first tick of its week, and the
//! clock then writes down the next Monday in `can_clocks`, so a tick finds the CANs still due
//! through an index and costs nothing per CAN that has had its digest. Someone who becomes an
//! organiser or coordinator (or opts in) after that gets the digest from the next week.

use chrono::{Datelike, NaiveDate};
use sqlx::PgPool;
use uuid::Uuid;

use super::queries::Recipient;
use super::{guide, health, mail, queries};
use crate::cans::model::Can;
use crate::error::Result;
use crate::outbox::{self, MailText};

/// The Monday of the week `day` falls in.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// How many CANs one pass looks at: recipients are found for all of them in one statement.
const BATCH: i64 = 200;

pub async fn tick(db: &PgPool, base_url: &str, today: NaiveDate) -> Result<usize> {
    let week = week_of(today);
    let next_week = week + chrono::Duration::days(7);
    let mut written = 0;
    // CANs whose digest failed this run: left due, so the next tick tries them again.
    let mut failed = Vec::new();
    loop {
        let due = queries::digest_due(db, today, &failed, BATCH).await?;
        if due.is_empty() {
            break;
        }
        let ids: Vec<Uuid> = due.iter().map(|c| c.id).collect();
        let recipients = queries::digest_recipients(db, &ids, week).await?;
        let mut done = Vec::with_capacity(due.len());
        for can in &due {
            let to: Vec<&Recipient> = recipients.iter().filter(|r| r.can_id == can.id).collect();
            // One CAN's trouble must not stop the others' digests.
            match one_can(db, base_url, today, week, can, &to).await {
                Ok(n) => {
                    written += n;
                    done.push(can.id);
                }
                Err(e) => {
                    tracing::warn!(can_id = %can.id, error = %e, "weekly digest failed for a CAN");
                    failed.push(can.id);
                }
            }
        }
        queries::digest_done(db, &done, next_week).await?;
    }
    Ok(written)
}

async fn one_can(
    db: &PgPool,
    base_url: &str,
    today: NaiveDate,
    week: NaiveDate,
    can: &Can,
    recipients: &[&Recipient],
) -> Result<usize> {
    if recipients.is_empty() {
        return Ok(0);
    }
    let steps = guide::next_steps(db, can).await?;
    let (_, h) = health::compute(db, can.id, today).await?;
    let load_change = match h.load_history.as_slice() {
        [.., before, now]
            if (before.overburdened, before.idle, before.single_points)
                != (now.overburdened, now.idle, now.single_points) =>
        {
            Some((*before, *now))
        }
        _ => None,
    };
    let words = mail::Digest {
        can_name: &can.name,
        stage: can.stage,
        open_steps: steps.iter().filter(|s| !s.done).collect(),
        drifting: &h.drifting,
        single_points: &h.single_points,
        load_change,
        base_url,
        slug: &can.slug,
    };
    let mut written = 0;
    for person in recipients {
        let mut tx = db.begin().await?;
        if queries::claim_digest(&mut tx, can.id, person.id, week).await? {
            let key = format!("digest:{}:{}:{week}", can.id, person.id);
            outbox::enqueue(&mut *tx, &words.to(&person.email, Some(can.id), Some(key))?).await?;
            written += 1;
        }
        tx.commit().await?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap(); // ok: test fixture
        assert_eq!(week_of(d(11, 21)), d(11, 16));
        assert_eq!(week_of(d(11, 16)), d(11, 16));
        assert_eq!(week_of(d(11, 22)), d(11, 16));
    }
}
