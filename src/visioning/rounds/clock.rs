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

/// The reminder's link, line and mail detail: a vision round's, or a proposal's.
fn reminder(r: &queries::ClosingSoon, base_url: &str) -> Result<(String, String, String)> {
    let closes = crate::web::time::datetime_in(r.closes_at, r.tz);
    match (r.proposal_id, r.number) {
        (Some(id), _) => {
            let title = r.title.as_deref().unwrap_or_default();
            let path = format!("/c/{}/proposals/{id}", r.slug);
            let link = format!("{base_url}{path}");
            let detail = crate::proposals::mail::ClosingSoon {
                can_name: &r.name,
                title,
                closes,
                zone: r.tz,
                link: &link,
            }
            .render()
            .map_err(AppError::internal)?;
            Ok((path, crate::proposals::mail::closing_line(title), detail))
        }
        (None, Some(number)) => {
            let path = format!("/c/{}/vision/rounds/{}", r.slug, r.round_id);
            let link = format!("{base_url}{path}");
            let detail = mail::ClosingSoon {
                can_name: &r.name,
                number,
                closes,
                zone: r.tz,
                link: &link,
            }
            .render()
            .map_err(AppError::internal)?;
            Ok((path, mail::closing_line(number), detail))
        }
        (None, None) => Err(AppError::internal("a consent round names no subject")),
    }
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
        let (path, line, detail) = reminder(&r, base_url)?;
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
            line,
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
