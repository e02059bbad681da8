//! Responsibility reminders, once each (a sent-at column per kind, claimed with SKIP LOCKED, and a
//! de-duplication key per mail): a task due in two days, a task overdue, a term ending in 14 days.

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use super::mail::{self, Reminder};
use crate::error::Result;
use crate::outbox::{self, MailText, NewMail};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub due_soon: usize,
    pub overdue: usize,
    pub term_ending: usize,
}

#[derive(sqlx::FromRow)]
struct Due {
    id: Uuid,
    can_id: Uuid,
    title: String,
    day: NaiveDate,
    slug: String,
    can_name: String,
}

/// One kind of reminder: which rows qualify, which column records it, and who is told.
#[derive(Debug, Clone, Copy)]
enum Kind {
    DueSoon,
    Overdue,
    TermEnding,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::DueSoon, Kind::Overdue, Kind::TermEnding];

    fn column(self) -> &'static str {
        match self {
            Self::DueSoon => "due_reminder_sent_at",
            Self::Overdue => "overdue_reminder_sent_at",
            Self::TermEnding => "term_reminder_sent_at",
        }
    }

    /// Which rows are due: the day in the CAN's zone decides. The instant the reminder falls due
    /// (`…_from`, kept by triggers from the date and the CAN's zone) comes first, bounded by how
    /// long the window lasts, so a partial index per kind (`responsibilities_due_soon_idx`,
    /// `…_overdue_idx`, `…_term_due_idx`) yields only the rows due now, however many CANs
    /// there are.
    fn condition(self) -> &'static str {
        match self {
            Self::DueSoon => {
                "r.kind = 'task'
                 AND r.due_soon_from <= now() AND r.due_soon_from > now() - interval '4 days'
                 AND r.due_on BETWEEN (now() AT TIME ZONE c.time_zone)::date
                     AND (now() AT TIME ZONE c.time_zone)::date + 2"
            }
            Self::Overdue => {
                "r.kind = 'task' AND r.overdue_from <= now()
                 AND r.due_on < (now() AT TIME ZONE c.time_zone)::date"
            }
            Self::TermEnding => {
                "r.kind = 'ongoing'
                 AND r.term_reminder_from <= now() AND r.term_reminder_from > now() - interval '16 days'
                 AND r.term_ends_on BETWEEN (now() AT TIME ZONE c.time_zone)::date
                     AND (now() AT TIME ZONE c.time_zone)::date + 14"
            }
        }
    }

    /// The instant the reminder falls due, which the index orders by.
    fn from(self) -> &'static str {
        match self {
            Self::DueSoon => "r.due_soon_from",
            Self::Overdue => "r.overdue_from",
            Self::TermEnding => "r.term_reminder_from",
        }
    }

    fn day(self) -> &'static str {
        match self {
            Self::DueSoon | Self::Overdue => "r.due_on",
            Self::TermEnding => "r.term_ends_on",
        }
    }

    /// Part of each mail's de-duplication key.
    fn key(self) -> &'static str {
        match self {
            Self::DueSoon => "due",
            Self::Overdue => "overdue",
            Self::TermEnding => "term",
        }
    }

    /// A term's end concerns the coordinators too (someone must carry it next); a task's date
    /// reaches them only when nobody carries it.
    fn to_coordinators(self) -> bool {
        matches!(self, Self::TermEnding)
    }

    fn mail(self, r: Reminder<'_>, to: &str, can_id: Uuid, key: String) -> Result<NewMail> {
        let (can, key) = (Some(can_id), Some(key));
        match self {
            Self::DueSoon => mail::DueSoon(r).to(to, can, key),
            Self::Overdue => mail::Overdue(r).to(to, can, key),
            Self::TermEnding => mail::TermEnding(r).to(to, can, key),
        }
    }

    fn count(self, report: &mut TickReport) {
        match self {
            Self::DueSoon => report.due_soon += 1,
            Self::Overdue => report.overdue += 1,
            Self::TermEnding => report.term_ending += 1,
        }
    }
}

pub async fn tick(db: &PgPool, base_url: &str) -> Result<TickReport> {
    let mut report = TickReport::default();
    for kind in Kind::ALL {
        loop {
            let mut tx = db.begin().await?;
            let due: Option<Due> = sqlx::query_as(&format!(
                "SELECT r.id, r.can_id, r.title, {day} AS day, c.slug, c.name AS can_name
                 FROM responsibilities r JOIN cans c ON c.id = r.can_id
                 WHERE r.status IN ('open', 'active') AND r.{column} IS NULL AND {condition}
                 ORDER BY {from} LIMIT 1 FOR UPDATE OF r SKIP LOCKED",
                day = kind.day(),
                from = kind.from(),
                column = kind.column(),
                condition = kind.condition(),
            ))
            .fetch_optional(&mut *tx)
            .await?;
            let Some(d) = due else { break };
            let people: Vec<(Uuid, String)> = sqlx::query_as(
                "SELECT DISTINCT p.id, p.email FROM members p
                 JOIN memberships m ON m.member_id = p.id AND m.can_id = $1 AND m.status = 'active'
                 WHERE EXISTS (SELECT 1 FROM carriers k WHERE k.responsibility_id = $2 AND k.member_id = p.id
                               AND k.kind = 'carrier' AND (k.until_at IS NULL OR k.until_at > now()))
                    OR (($3 OR NOT EXISTS (SELECT 1 FROM carriers k JOIN memberships km
                                  ON km.can_id = k.can_id AND km.member_id = k.member_id AND km.status = 'active'
                                WHERE k.responsibility_id = $2 AND k.kind = 'carrier'
                                  AND (k.until_at IS NULL OR k.until_at > now())))
                        AND EXISTS (SELECT 1 FROM role_grants g WHERE g.can_id = $1 AND g.member_id = p.id
                               AND g.role IN ('coordinator', 'organiser') AND g.ended_at IS NULL))",
            )
            .bind(d.can_id)
            .bind(d.id)
            .bind(kind.to_coordinators())
            .fetch_all(&mut *tx)
            .await?;
            let link = format!("{base_url}/c/{}/responsibilities/{}", d.slug, d.id);
            for (member, email) in people {
                let reminder = Reminder {
                    can_name: &d.can_name,
                    title: &d.title,
                    day: d.day,
                    link: &link,
                };
                let key = format!("responsibility:{}:{}:{member}", d.id, kind.key());
                outbox::enqueue(&mut *tx, &kind.mail(reminder, &email, d.can_id, key)?).await?;
            }
            sqlx::query(&format!(
                "UPDATE responsibilities SET {} = now() WHERE id = $1",
                kind.column()
            ))
            .bind(d.id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            kind.count(&mut report);
        }
    }
    Ok(report)
}
