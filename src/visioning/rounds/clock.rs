//! The clock's work for consent rounds: closing those whose time is up, and the reminder a day
//! before a round closes (a "round closing" notification) to those who have not answered.

use askama::Template;
use sqlx::PgPool;

use super::{close_in, mail, queries};
use crate::error::{AppError, Result};
use crate::notifications::{self, Kind, Notice, Recipient};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub closed: usize,
    pub reminded: usize,
}

/// Closes rounds whose time is up and sends the 24-hour reminders. Safe to run from every
/// instance at once: each round is claimed with `FOR UPDATE SKIP LOCKED`.
pub async fn tick(db: &PgPool, base_url: &str) -> Result<TickReport> {
    let mut report = TickReport::default();
    loop {
        let mut tx = db.begin().await?;
        let Some((round_id, can_id)) = queries::claim_due(&mut tx).await? else {
            break;
        };
        if close_in(&mut tx, can_id, round_id, None, base_url)
            .await?
            .is_some()
        {
            report.closed += 1;
        }
        tx.commit().await?;
    }
    loop {
        let mut tx = db.begin().await?;
        let Some(r) = queries::claim_closing_soon(&mut tx).await? else {
            break;
        };
        let path = format!("/c/{}/vision/rounds/{}", r.slug, r.round_id);
        let link = format!("{base_url}{path}");
        let detail = mail::ClosingSoon {
            can_name: &r.name,
            number: r.number,
            closes: crate::web::time::datetime_in(r.closes_at, r.tz),
            zone: r.tz,
            link: &link,
        }
        .render()
        .map_err(AppError::internal)?;
        let answered = queries::answered(&mut *tx, r.round_id).await?;
        let to: Vec<Recipient> = crate::cans::queries::active_members(&mut *tx, r.can_id)
            .await?
            .into_iter()
            .filter(|p| !answered.contains(&p.id))
            .map(|p| Recipient::with_detail(p.id, detail.clone()))
            .collect();
        let notice = Notice {
            kind: Kind::RoundClosing,
            can: Some((r.can_id, &r.name)),
            line: mail::closing_line(r.number),
            link: path,
            key: format!("round:{}:closing", r.round_id),
        };
        report.reminded += notifications::notify(&mut tx, base_url, &notice, &to)
            .await?
            .len();
        queries::mark_reminded(&mut tx, r.round_id).await?;
        tx.commit().await?;
    }
    Ok(report)
}
