//! Meeting chores that run on a clock in every instance (each claimed with SKIP LOCKED or made
//! idempotent, so two instances do each once): extending series to the horizon, reminding people
//! 24 hours before a meeting, and reminding the note-taker the day after a held meeting whose
//! minutes are still empty.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::mail::{MeetingTomorrow, MinutesMissing};
use super::{series, when};
use crate::error::Result;
use crate::outbox::{self, MailText};
use crate::web::time;

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
    let mut report = TickReport::default();

    // Extend series whose horizon has come closer.
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
            report.materialised +=
                series::materialise(&mut tx, &s, time::today_in(s.time_zone)).await?;
        }
        tx.commit().await?;
    }

    // 24 hours before: to those who said yes and those who have not answered.
    loop {
        let mut tx = db.begin().await?;
        let next: Option<DueMeeting> = sqlx::query_as(
            "SELECT g.id, g.can_id, g.title, g.starts_at AS starts, g.ends_at AS ends, g.location, c.slug,
                    c.name AS can_name, c.time_zone AS tz, g.sequence
             FROM meetings g JOIN cans c ON c.id = g.can_id
             WHERE g.status = 'scheduled' AND g.reminder_sent_at IS NULL
               AND g.starts_at > now() AND g.starts_at <= now() + interval '24 hours'
             LIMIT 1 FOR UPDATE OF g SKIP LOCKED",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(DueMeeting {
            id,
            can_id,
            title,
            starts,
            ends,
            location,
            slug,
            can_name,
            tz,
            sequence,
        }) = next
        else {
            break;
        };
        let people: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT p.id, p.email FROM memberships m JOIN members p ON p.id = m.member_id
             LEFT JOIN rsvps r ON r.meeting_id = $2 AND r.member_id = m.member_id
             WHERE m.can_id = $1 AND m.status = 'active' AND (r.answer IS NULL OR r.answer = 'yes')",
        )
        .bind(can_id)
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let link = format!("{base_url}/c/{slug}/meetings/{id}");
        let mail = MeetingTomorrow {
            can_name: &can_name,
            title: &title,
            when: when(starts, ends, tz),
            zone: tz,
            location: &location,
            link: &link,
        };
        for (member, email) in people {
            let key = format!("meeting:{id}:reminder:{sequence}:{member}");
            outbox::enqueue(&mut *tx, &mail.to(&email, Some(can_id), Some(key))?).await?;
            report.reminded += 1;
        }
        sqlx::query("UPDATE meetings SET reminder_sent_at = now() WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }

    // The day after a held meeting without minutes: nudge the note-taker.
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
        let Some(UnrecordedMinutes {
            id,
            can_id,
            title,
            starts,
            slug,
            tz,
            member,
            email,
        }) = next
        else {
            break;
        };
        let link = format!("{base_url}/c/{slug}/meetings/{id}#minutes");
        let mail = MinutesMissing {
            title: &title,
            date: time::date_in(starts, tz),
            link: &link,
        };
        let key = format!("meeting:{id}:minutes:{member}");
        outbox::enqueue(&mut *tx, &mail.to(&email, Some(can_id), Some(key))?).await?;
        sqlx::query("UPDATE meetings SET minutes_reminder_sent_at = now() WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        report.minutes_reminders += 1;
    }
    Ok(report)
}
