//! The clock that ends time away: a member who gave a return day is active again on that day in
//! their CAN's zone, with a line in the activity log and a welcome back. Safe to run from every
//! instance at once: each membership is claimed with `FOR UPDATE SKIP LOCKED`, a member brought
//! back has no return day left to claim, and the notification is keyed per return.

use sqlx::{PgConnection, PgPool};

use super::mail::AwayEnded;
use crate::cans::activity::{self, Entry};
use crate::cans::model::MembershipStatus;
use crate::cans::queries::{self, Returning};
use crate::error::Result;
use crate::notifications::{self, Kind, Notice, Recipient};

/// How many returns one transaction handles.
const BATCH: i64 = 100;

/// What one run of the clock did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub returned: usize,
}

/// Brings back everyone whose return day has come, a batch per transaction.
pub async fn tick(db: &PgPool, base_url: &str) -> Result<TickReport> {
    let mut report = TickReport::default();
    loop {
        let mut tx = db.begin().await?;
        let due = queries::claim_returning(&mut tx, BATCH).await?;
        for r in &due {
            if bring_back(&mut tx, r, base_url).await? {
                report.returned += 1;
            }
        }
        tx.commit().await?;
        if (due.len() as i64) < BATCH {
            break;
        }
    }
    Ok(report)
}

/// Makes the claimed member active again (clearing the return day), logs it and welcomes them.
async fn bring_back(conn: &mut PgConnection, r: &Returning, base_url: &str) -> Result<bool> {
    let paused = [MembershipStatus::Paused];
    let active = MembershipStatus::Active;
    if !queries::change_status(conn, r.can_id, r.member_id, &paused, active, None).await? {
        return Ok(false);
    }
    activity::record(
        &mut *conn,
        Entry {
            can_id: r.can_id,
            actor_id: None,
            action: "membership.resumed",
            subject_type: "member",
            subject_id: Some(r.member_id),
            summary: format!("{} is back", r.name),
        },
    )
    .await?;
    let words = AwayEnded {
        can_name: &r.can_name,
    };
    let notice = Notice {
        kind: Kind::AwayEnded,
        can: Some((r.can_id, &r.can_name)),
        line: words.line(),
        link: format!("/c/{}", r.slug),
        key: format!("away-ended:{}:{}", r.can_id, r.away_until),
    };
    let to = Recipient::with_detail(r.member_id, words.text()?);
    notifications::notify(conn, base_url, &notice, &[to]).await?;
    Ok(true)
}
