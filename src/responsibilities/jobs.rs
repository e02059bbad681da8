//! Responsibility reminders, once each (a sent-at column per kind, claimed with SKIP LOCKED, and a
//! de-duplication key per mail): a task due in two days, a task overdue, a term ending in 14 days.

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::Result;
use crate::outbox::{self, NewMail};
use crate::web::time;

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

/// One kind of reminder: which rows qualify, which column records it, and what the mail says.
struct Kind {
    column: &'static str,
    condition: &'static str,
    day: &'static str,
    key: &'static str,
    to_coordinators: bool,
}

const KINDS: [Kind; 3] = [
    Kind {
        column: "due_reminder_sent_at",
        condition: "r.kind = 'task' AND r.due_on BETWEEN (now() AT TIME ZONE c.time_zone)::date
                    AND (now() AT TIME ZONE c.time_zone)::date + 2",
        day: "r.due_on",
        key: "due",
        to_coordinators: false,
    },
    Kind {
        column: "overdue_reminder_sent_at",
        condition: "r.kind = 'task' AND r.due_on < (now() AT TIME ZONE c.time_zone)::date",
        day: "r.due_on",
        key: "overdue",
        to_coordinators: false,
    },
    Kind {
        column: "term_reminder_sent_at",
        condition:
            "r.kind = 'ongoing' AND r.term_ends_on BETWEEN (now() AT TIME ZONE c.time_zone)::date
                    AND (now() AT TIME ZONE c.time_zone)::date + 14",
        day: "r.term_ends_on",
        key: "term",
        to_coordinators: true,
    },
];

pub async fn tick(db: &PgPool, base_url: &str) -> Result<TickReport> {
    let mut report = TickReport::default();
    for kind in &KINDS {
        loop {
            let mut tx = db.begin().await?;
            let due: Option<Due> = sqlx::query_as(&format!(
                "SELECT r.id, r.can_id, r.title, {day} AS day, c.slug, c.name AS can_name
                 FROM responsibilities r JOIN cans c ON c.id = r.can_id
                 WHERE r.status IN ('open', 'active') AND r.{column} IS NULL AND {condition}
                 LIMIT 1 FOR UPDATE OF r SKIP LOCKED",
                day = kind.day,
                column = kind.column,
                condition = kind.condition,
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
            .bind(kind.to_coordinators)
            .fetch_all(&mut *tx)
            .await?;
            let link = format!("{base_url}/c/{}/responsibilities/{}", d.slug, d.id);
            let (subject, body) = match kind.key {
                "due" => (
                    format!("{}: “{}” is due {}", d.can_name, d.title, time::date(d.day)),
                    format!(
                        "“{}” is due on {}. If you need a hand, say so, or hand it on:\n{link}\n",
                        d.title,
                        time::date(d.day)
                    ),
                ),
                "overdue" => (
                    format!("{}: “{}” is overdue", d.can_name, d.title),
                    format!(
                        "“{}” was due on {}. A progress note helps everyone; if it is too much, hand it on or ask for a backup:\n{link}\n",
                        d.title,
                        time::date(d.day)
                    ),
                ),
                _ => (
                    format!(
                        "{}: the term for “{}” ends {}",
                        d.can_name,
                        d.title,
                        time::date(d.day)
                    ),
                    format!(
                        "The term for “{}” ends on {}. Roles rotate: time to find who carries it next, with a hand-over:\n{link}\n",
                        d.title,
                        time::date(d.day)
                    ),
                ),
            };
            for (member, email) in people {
                outbox::enqueue(
                    &mut *tx,
                    &NewMail {
                        can_id: Some(d.can_id),
                        to: email,
                        subject: subject.clone(),
                        body: body.clone(),
                        dedupe_key: Some(format!("responsibility:{}:{}:{member}", d.id, kind.key)),
                    },
                )
                .await?;
            }
            sqlx::query(&format!(
                "UPDATE responsibilities SET {} = now() WHERE id = $1",
                kind.column
            ))
            .bind(d.id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            match kind.key {
                "due" => report.due_soon += 1,
                "overdue" => report.overdue += 1,
                _ => report.term_ending += 1,
            }
        }
    }
    Ok(report)
}
