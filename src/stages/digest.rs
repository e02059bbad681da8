//! The weekly digest for organisers and coordinators: the stage and its next steps, who seems to
//! drift away, single points of failure, and how the load changed. Written to the outbox once per
//! recipient per CAN per week (a row in `digests` claims the week); members can opt out.

use chrono::{Datelike, NaiveDate};
use sqlx::PgPool;
use uuid::Uuid;

use super::{guide, health};
use crate::cans::model::Stage;
use crate::error::Result;
use crate::outbox::{self, NewMail};

/// The Monday of the week `day` falls in.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

pub async fn tick(db: &PgPool, base_url: &str, today: NaiveDate) -> Result<usize> {
    let week = week_of(today);
    let cans: Vec<(Uuid, String, String, String)> =
        sqlx::query_as("SELECT id, slug, name, stage FROM cans ORDER BY created_at")
            .fetch_all(db)
            .await?;
    let mut written = 0;
    for (can_id, slug, name, stage) in cans {
        // One CAN's trouble must not stop the others' digests.
        match one_can(db, base_url, today, week, can_id, &slug, &name, &stage).await {
            Ok(n) => written += n,
            Err(e) => tracing::warn!(%can_id, error = %e, "weekly digest failed for a CAN"),
        }
    }
    Ok(written)
}

#[allow(clippy::too_many_arguments)]
async fn one_can(
    db: &PgPool,
    base_url: &str,
    today: NaiveDate,
    week: NaiveDate,
    can_id: Uuid,
    slug: &str,
    name: &str,
    stage: &str,
) -> Result<usize> {
    let mut written = 0;
    {
        let recipients: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT DISTINCT p.id, p.email FROM role_grants g
             JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id AND m.status = 'active'
             JOIN members p ON p.id = g.member_id
             WHERE g.can_id = $1 AND g.ended_at IS NULL AND g.role IN ('organiser', 'coordinator') AND p.weekly_digest
               AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.can_id = $1 AND d.member_id = p.id AND d.week_of = $2)",
        )
        .bind(can_id)
        .bind(week)
        .fetch_all(db)
        .await?;
        if recipients.is_empty() {
            return Ok(0);
        }
        let stage = Stage::parse(stage);
        let criteria = guide::criteria(db, can_id).await?;
        let facts = guide::facts(db, can_id).await?;
        let steps = guide::steps(stage, &facts, &criteria, slug);
        let h = health::compute(db, can_id, &criteria, today).await?;
        let body = body(name, stage, &steps, &h, base_url, slug);
        for (member, email) in recipients {
            let mut tx = db.begin().await?;
            let claimed = sqlx::query(
                "INSERT INTO digests (can_id, member_id, week_of) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(can_id)
            .bind(member)
            .bind(week)
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() == 1 {
                outbox::enqueue(
                    &mut *tx,
                    &NewMail {
                        can_id: Some(can_id),
                        to: email,
                        subject: format!("{name}: your week in Canopy"),
                        body: body.clone(),
                        dedupe_key: Some(format!("digest:{can_id}:{member}:{week}")),
                    },
                )
                .await?;
                written += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(written)
}

fn body(
    name: &str,
    stage: Stage,
    steps: &[guide::Step],
    h: &health::Health,
    base_url: &str,
    slug: &str,
) -> String {
    let mut out = format!(
        "{name} is in the {} stage.\n\n",
        stage.label().to_lowercase()
    );
    let open: Vec<&guide::Step> = steps.iter().filter(|s| !s.done).collect();
    if !open.is_empty() {
        out.push_str("Next steps:\n");
        for s in open {
            out.push_str(&format!("- {}\n", s.text));
        }
        out.push('\n');
    }
    if !h.drifting.is_empty() {
        out.push_str("People you may want to check in with:\n");
        for d in &h.drifting {
            out.push_str(&format!("- {}: {}\n", d.name, d.reason));
        }
        out.push('\n');
    }
    if !h.single_points.is_empty() {
        out.push_str(&format!(
            "Resting on one person with no backup: {}\n\n",
            h.single_points.join(", ")
        ));
    }
    if let [.., before, now] = h.load_history.as_slice()
        && (before.2 != now.2 || before.3 != now.3 || before.4 != now.4)
    {
        out.push_str(&format!(
            "Load since {}: overburdened {} → {}, carrying nothing {} → {}, single points of failure {} → {}.\n\n",
            before.0, before.2, now.2, before.3, now.3, before.4, now.4
        ));
    }
    out.push_str(&format!(
        "The stage guide: {base_url}/c/{slug}/stage\nHealth: {base_url}/c/{slug}/health\n\nYou get this as an organiser or coordinator; turn it off on your profile page.\n"
    ));
    out
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
