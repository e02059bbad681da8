//! Scheduling: a regular series or a one-off meeting, and changing a series (future, not
//! individually moved occurrences follow; see `series`). Each runs in one transaction with its
//! activity line.

use askama::Template;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::Schedule;
use super::mail::{SeriesChanged, series_changed_line};
use super::series::{self, SeriesRow};
use super::{guests, when};
use crate::cans::access::{CanAccess, Facilitator};
use crate::cans::queries::active_members;
use crate::error::{AppError, OrNotFound, Result};
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::web::time;

/// What scheduling made.
pub enum Scheduled {
    Series(Uuid),
    Meeting(Uuid),
}

pub async fn create(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    schedule: &Schedule,
) -> Result<Scheduled> {
    let can = &access.can;
    let today = time::today_in(can.time_zone);
    let mut tx = db.begin().await?;
    let made = match series::create(
        &mut tx,
        can.id,
        can.time_zone,
        schedule,
        access.me.id,
        today,
    )
    .await?
    {
        (Some(id), _) => Scheduled::Series(id),
        (None, Some(id)) => Scheduled::Meeting(id),
        (None, None) => return Err(AppError::internal("scheduling made nothing")),
    };
    let (action, subject_type, subject_id) = match made {
        Scheduled::Series(id) => ("meeting_series.created", "meeting_series", id),
        Scheduled::Meeting(id) => ("meeting.created", "meeting", id),
    };
    let repeat = schedule
        .repeat
        .map(|r| format!(", {}", r.describe()))
        .unwrap_or_default();
    let summary = format!(
        "{} scheduled “{}”{repeat}",
        access.me.display_name, schedule.title
    );
    access
        .log(&mut tx, action, (subject_type, subject_id), summary)
        .await?;
    tx.commit().await?;
    Ok(made)
}

/// What changing a series did beyond the series itself.
pub struct Edited {
    /// Future meetings without an agenda that now start with the series' template.
    pub agendas_filled: usize,
}

/// Changes a series and applies the change to its future, the agenda template included (to
/// future meetings that have no agenda yet).
pub async fn edit(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    id: Uuid,
    schedule: &Schedule,
    base_url: &str,
) -> Result<Edited> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    let before = series::series(&mut tx, can.id, id).await?.or_not_found()?;
    // The series keeps the zone it was made in (the CAN's may have changed since): its dates
    // and "today" are in that zone, as the clock that extends it reads them.
    let today = time::today_in(before.time_zone);
    series::update(&mut tx, id, can.id, schedule).await?;
    let changed = series::series(&mut tx, can.id, id).await?.or_not_found()?;
    let moved = series::reschedule(&mut tx, &changed, today).await?;
    let agendas_filled = series::apply_template(&mut tx, &changed, access.me.id).await?;
    if !before.meets_as(&changed) {
        tell_members(
            &mut tx,
            access,
            (&before, &changed),
            &moved,
            base_url,
            today,
        )
        .await?;
    }
    let ids: Vec<Uuid> = moved.iter().map(|m| m.id).collect();
    let with_guests = guests::to_tell(&mut tx, can, &ids).await?;
    for m in moved.iter().filter(|m| with_guests.contains(&m.id)) {
        let news = guests::News {
            can,
            meeting_id: m.id,
            title: &changed.title,
            location: &changed.location,
            at: m.now.unwrap_or(m.was),
            change: match m.now {
                Some(_) => guests::Change::Moved {
                    was: m.was,
                    reminds: false,
                    sequence: m.sequence,
                },
                None => guests::Change::Cancelled {
                    sequence: m.sequence,
                },
            },
        };
        guests::tell(&mut tx, &news, base_url).await?;
    }
    let summary = format!(
        "{} changed the series “{}”",
        access.me.display_name, schedule.title
    );
    access
        .log(
            &mut tx,
            "meeting_series.updated",
            ("meeting_series", id),
            summary,
        )
        .await?;
    tx.commit().await?;
    Ok(Edited { agendas_filled })
}

/// One "series changed" notification to each active member (but the one who changed it) when a
/// series changes what they would notice: its dates, time, place or name; its detail is the mail
/// of old. Keyed by the series' SEQUENCE, which the change grew, so a retried transaction writes
/// it once and the next change writes anew.
async fn tell_members(
    conn: &mut PgConnection,
    access: &CanAccess<Facilitator>,
    (before, after): (&SeriesRow, &SeriesRow),
    moved: &[series::Rescheduled],
    base_url: &str,
    today: chrono::NaiveDate,
) -> Result<()> {
    let can = &access.can;
    let sequence: i32 = series::sequence(&mut *conn, can.id, after.id).await?;
    let path = access.path(&format!("/meetings/series/{}", after.id));
    let link = format!("{base_url}{path}");
    let next = after.next_dates(today, 1).first().map(|day| {
        let (start, end) = after.times_on(*day);
        when(start, end, after.time_zone)
    });
    let detail = SeriesChanged {
        can_name: &can.name,
        who: &access.me.display_name,
        title: &after.title,
        was_title: &before.title,
        now: after.rule_with_times(),
        was: before.rule_with_times(),
        location: &after.location,
        next,
        cancelled: moved.iter().filter(|m| m.now.is_none()).count(),
        link: &link,
    }
    .render()
    .map_err(AppError::internal)?;
    let line = series_changed_line(&after.title, &after.rule(), after.time_zone);
    let to: Vec<Recipient> = active_members(&mut *conn, can.id)
        .await?
        .into_iter()
        .filter(|p| p.id != access.me.id)
        .map(|p| Recipient::with_detail(p.id, detail.clone()))
        .collect();
    let notice = Notice {
        kind: Kind::SeriesChanged,
        can: Some((can.id, &can.name)),
        line,
        link: path,
        key: format!("series:{}:changed:{sequence}", after.id),
    };
    notifications::notify(conn, base_url, &notice, &to).await?;
    Ok(())
}
