//! Meeting chores that run on a clock in every instance (each claimed with SKIP LOCKED or made
//! idempotent, so two instances do each once): extending series to the horizon, reminding people
//! 24 hours before a meeting, and reminding the note-taker the day after a held meeting whose
//! minutes are still empty.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::mail::{Day, MeetingReminder, MinutesMissing};
use super::{queries, series, when, when_for_viewer};
use crate::error::Result;
use crate::outbox::{self, MailText};
use crate::web::time;

/// How long before a meeting its reminder goes out. A meeting moved into this window is not
/// reminded again: the mail about the move is its reminder.
pub const REMINDER_WINDOW: chrono::Duration = chrono::Duration::hours(24);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub materialised: usize,
    pub reminded: usize,
    pub minutes_reminders: usize,
}

#[derive(sqlx::FromRow)]
struct DueMeeting {
    id: Uuid,
    can_id: Uuid,
    title: String,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    location: String,
    slug: String,
    can_name: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    tz: chrono_tz::Tz,
    sequence: i32,
}

#[derive(sqlx::FromRow)]
struct UnrecordedMinutes {
    id: Uuid,
    can_id: Uuid,
    title: String,
    starts: DateTime<Utc>,
    slug: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    tz: chrono_tz::Tz,
    member: Uuid,
    email: String,
}

pub async fn tick(db: &PgPool, base_url: &str) -> Result<TickReport> {
    Ok(TickReport {
        materialised: extend_series(db).await?,
        reminded: remind_tomorrow(db, base_url).await?,
        minutes_reminders: nudge_note_takers(db, base_url).await?,
    })
}

/// Extends series whose horizon has come closer; returns how many meetings were made.
async fn extend_series(db: &PgPool) -> Result<usize> {
    let mut materialised = 0;
    let due: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT s.id, s.can_id FROM meeting_series s
         WHERE s.materialised_until IS NULL OR s.materialised_until < current_date + $1::int - 7",
    )
    .bind(series::HORIZON_DAYS as i32)
    .fetch_all(db)
    .await?;
    for (id, can_id) in due {
        let mut tx = db.begin().await?;
        // One instance at a time per series; the other skips it this round.
        let locked: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM meeting_series WHERE id = $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if locked.is_some()
            && let Some(s) = series::series(&mut tx, can_id, id).await?
        {
            materialised += series::materialise(&mut tx, &s, time::today_in(s.time_zone)).await?;
        }
        tx.commit().await?;
    }
    Ok(materialised)
}

/// 24 hours before: to those the meeting concerns (see [`queries::concerned`]), each told
/// "today", "tomorrow" or the date as it is in their own zone. Returns how many mails were
/// written.
async fn remind_tomorrow(db: &PgPool, base_url: &str) -> Result<usize> {
    let mut reminded = 0;
    loop {
        let mut tx = db.begin().await?;
        let next: Option<DueMeeting> = sqlx::query_as(
            "SELECT g.id, g.can_id, g.title, g.starts_at AS starts, g.ends_at AS ends, g.location, c.slug,
                    c.name AS can_name, c.time_zone AS tz, g.sequence
             FROM meetings g JOIN cans c ON c.id = g.can_id
             WHERE g.status = 'scheduled' AND g.reminder_sent_at IS NULL
               AND g.starts_at > now() AND g.starts_at <= now() + make_interval(secs => $1)
             LIMIT 1 FOR UPDATE OF g SKIP LOCKED",
        )
        .bind(REMINDER_WINDOW.num_seconds() as f64)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(g) = next else {
            break;
        };
        let id = g.id;
        let link = format!("{base_url}/c/{}/meetings/{id}", g.slug);
        let now = Utc::now();
        for person in queries::concerned(&mut tx, g.can_id, id).await? {
            let mail = MeetingReminder {
                can_name: &g.can_name,
                title: &g.title,
                when: when(g.starts, g.ends, g.tz),
                zone: g.tz,
                your_time: when_for_viewer(g.starts, g.ends, g.tz, person.time_zone),
                location: &g.location,
                link: &link,
                day: Day::of(g.starts, now, person.time_zone),
            };
            let key = format!("meeting:{id}:reminder:{}:{}", g.sequence, person.id);
            outbox::enqueue(
                &mut *tx,
                &mail.to(&person.email, Some(g.can_id), Some(key))?,
            )
            .await?;
            reminded += 1;
        }
        sqlx::query("UPDATE meetings SET reminder_sent_at = now() WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(reminded)
}

/// The day after a held meeting without minutes: nudges the note-taker (once). Returns how many.
async fn nudge_note_takers(db: &PgPool, base_url: &str) -> Result<usize> {
    let mut nudged = 0;
    loop {
        let mut tx = db.begin().await?;
        let next: Option<UnrecordedMinutes> = sqlx::query_as(
            "SELECT g.id, g.can_id, g.title, g.starts_at AS starts, c.slug, c.time_zone AS tz,
                    p.id AS member, p.email
             FROM meetings g JOIN cans c ON c.id = g.can_id JOIN members p ON p.id = g.note_taker_id
             JOIN memberships ms ON ms.can_id = g.can_id AND ms.member_id = g.note_taker_id AND ms.status = 'active'
             WHERE g.status IN ('held', 'scheduled') AND btrim(g.minutes) = '' AND g.minutes_reminder_sent_at IS NULL
               AND g.ends_at <= now() - interval '12 hours' AND g.ends_at > now() - interval '7 days'
             LIMIT 1 FOR UPDATE OF g SKIP LOCKED",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(g) = next else {
            break;
        };
        let link = format!("{base_url}/c/{}/meetings/{}#minutes", g.slug, g.id);
        let mail = MinutesMissing {
            title: &g.title,
            date: time::date_in(g.starts, g.tz),
            link: &link,
        };
        let key = format!("meeting:{}:minutes:{}", g.id, g.member);
        outbox::enqueue(&mut *tx, &mail.to(&g.email, Some(g.can_id), Some(key))?).await?;
        sqlx::query("UPDATE meetings SET minutes_reminder_sent_at = now() WHERE id = $1")
            .bind(g.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        nudged += 1;
    }
    Ok(nudged)
}
