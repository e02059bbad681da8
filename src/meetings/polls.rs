//! Finding a time: a facilitator offers weekly slots, members answer yes / if need be / no, and
//! choosing a slot starts a weekly series there and closes the poll (once). Opening and closing
//! a poll notify the group.

use askama::Template;
use chrono::{NaiveTime, Weekday};
use chrono_tz::Tz;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::{NewPoll, Schedule};
use super::mail::{PollOpened, poll_closed_line, poll_opened_line};
use super::model::PollAnswer;
use super::queries::{self, polls};
use super::recurrence::{self, Repeat, weekday_name};
use super::series;
use crate::cans::access::{ActiveMember, CanAccess, Facilitator};
use crate::cans::queries::active_members;
use crate::error::{AppError, OrNotFound, Result};
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::web::time;

/// Opens a poll and tells the group (see [`tell_opened`]); returns its id.
pub async fn create(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    poll: &NewPoll,
    base_url: &str,
) -> Result<Uuid> {
    let can_id = access.can.id;
    let id = Uuid::now_v7();
    let mut tx = db.begin().await?;
    polls::insert(
        &mut tx,
        (can_id, id),
        &poll.title,
        poll.duration_minutes,
        access.me.id,
    )
    .await?;
    for (i, (day, at)) in poll.options.iter().enumerate() {
        let weekday = recurrence::weekday_number(*day);
        polls::insert_slot(&mut tx, (can_id, id), weekday, *at, i as i32).await?;
    }
    let summary = format!(
        "{} asked when to meet: “{}”",
        access.me.display_name, poll.title
    );
    access
        .log(&mut tx, "time_poll.created", ("time_poll", id), summary)
        .await?;
    tell_opened(&mut tx, access, id, poll, base_url).await?;
    tx.commit().await?;
    Ok(id)
}

/// A "poll opened" notification to every active member but its author, the times offered in
/// their own zone as its detail.
async fn tell_opened(
    conn: &mut PgConnection,
    access: &CanAccess<Facilitator>,
    id: Uuid,
    poll: &NewPoll,
    base_url: &str,
) -> Result<()> {
    let can = &access.can;
    let mut to = Vec::new();
    for person in queries::active_with_zones(&mut *conn, can.id).await? {
        if person.id == access.me.id {
            continue;
        }
        let slots = poll
            .options
            .iter()
            .map(|(day, at)| {
                let weekday = recurrence::weekday_number(*day);
                match slot_labels(weekday, *at, can.time_zone, person.time_zone) {
                    (label, None) => format!("{label} ({})", can.time_zone),
                    (label, Some(yours)) => format!("{label} ({}), {yours}", can.time_zone),
                }
            })
            .collect();
        let detail = PollOpened {
            who: &access.me.display_name,
            title: &poll.title,
            slots,
        }
        .render()
        .map_err(AppError::internal)?;
        to.push(Recipient::with_detail(person.id, detail));
    }
    let notice = Notice {
        kind: Kind::PollOpened,
        can: Some((can.id, &can.name)),
        line: poll_opened_line(&access.me.display_name, &poll.title),
        link: access.path(&format!("/meetings/polls/{id}")),
        key: format!("poll:{id}:opened"),
    };
    notifications::notify(conn, base_url, &notice, &to).await?;
    Ok(())
}

pub enum AnswerOutcome {
    Saved,
    /// A time has been chosen: nothing was changed.
    Closed,
}

/// Records the caller's answers (slots of other polls are ignored).
pub async fn answer(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    answers: &[(Uuid, PollAnswer)],
) -> Result<AnswerOutcome> {
    let can_id = access.can.id;
    let poll = polls::poll(db, can_id, id).await?.or_not_found()?;
    if !poll.open {
        return Ok(AnswerOutcome::Closed);
    }
    let mut tx = db.begin().await?;
    for answer in answers {
        polls::set_answer(&mut tx, (can_id, id), access.me.id, *answer).await?;
    }
    tx.commit().await?;
    Ok(AnswerOutcome::Saved)
}

pub enum ChooseOutcome {
    /// The weekly series started from the slot.
    Chosen {
        series_id: Uuid,
    },
    AlreadyChosen,
}

/// Starts a weekly series at the chosen slot (from tomorrow on) and closes the poll; every active
/// member but the one who chose is told the time with a "poll closed" notification.
pub async fn choose(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    id: Uuid,
    slot: Uuid,
    base_url: &str,
) -> Result<ChooseOutcome> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    let poll = polls::lock(&mut tx, can.id, id).await?.or_not_found()?;
    let slot = polls::slot(&mut tx, (can.id, id), slot)
        .await?
        .or_not_found()?;
    if !poll.open {
        return Ok(ChooseOutcome::AlreadyChosen);
    }
    let day = recurrence::weekday_from_number(slot.weekday)
        .ok_or(AppError::internal("bad weekday in poll"))?;
    let today = time::today_in(can.time_zone);
    let schedule = weekly_from(
        &poll.title,
        day,
        slot.start_time,
        poll.duration_minutes,
        today,
    );
    let (series_id, _) = series::create(
        &mut tx,
        can.id,
        can.time_zone,
        &schedule,
        access.me.id,
        today,
    )
    .await?;
    let series_id = series_id.ok_or(AppError::internal("a weekly schedule made no series"))?;
    polls::close(&mut tx, (can.id, id), series_id).await?;
    let summary = format!(
        "{} chose {}s {} for “{}”",
        access.me.display_name,
        weekday_name(day),
        slot.start_time.format("%H:%M"),
        poll.title
    );
    access
        .log(&mut tx, "time_poll.chosen", ("time_poll", id), summary)
        .await?;
    let rule = format!(
        "{}, {}",
        schedule
            .repeat
            .map(|r| r.describe())
            .unwrap_or_else(|| format!("{}s", weekday_name(day))),
        slot.start_time.format("%H:%M")
    );
    let to = active_members(&mut *tx, can.id)
        .await?
        .into_iter()
        .filter(|p| p.id != access.me.id)
        .map(|p| Recipient::plain(p.id))
        .collect::<Vec<_>>();
    let notice = Notice {
        kind: Kind::PollClosed,
        can: Some((can.id, &can.name)),
        line: poll_closed_line(&poll.title, &rule, can.time_zone, schedule.starts_on),
        link: access.path(&format!("/meetings/series/{series_id}")),
        key: format!("poll:{id}:closed"),
    };
    notifications::notify(&mut tx, base_url, &notice, &to).await?;
    tx.commit().await?;
    Ok(ChooseOutcome::Chosen { series_id })
}

/// Every week at `day` `at`, from the first such day after `today`, rotating roles.
fn weekly_from(
    title: &str,
    day: Weekday,
    at: NaiveTime,
    minutes: i32,
    today: chrono::NaiveDate,
) -> Schedule {
    Schedule {
        title: title.to_string(),
        repeat: Some(Repeat::Weekly {
            interval: 1,
            weekday: day,
        }),
        starts_on: recurrence::next_weekday(today + chrono::Duration::days(1), day),
        start_time: at,
        duration_minutes: minutes,
        until_on: None,
        location: String::new(),
        agenda_template: String::new(),
        rotate_roles: true,
    }
}

/// A poll slot "Tuesdays 19:00" in the group's zone, and in the viewer's when it differs (as of
/// the next such day).
pub fn slot_labels(
    weekday: i16,
    at: NaiveTime,
    group_tz: Tz,
    viewer_tz: Tz,
) -> (String, Option<String>) {
    let day = recurrence::weekday_from_number(weekday).unwrap_or(Weekday::Mon);
    let label = format!("{}s {}", weekday_name(day), at.format("%H:%M"));
    if group_tz == viewer_tz {
        return (label, None);
    }
    let date = recurrence::next_weekday(time::today_in(group_tz), day);
    let local = recurrence::instant(date, at, group_tz).with_timezone(&viewer_tz);
    let viewer = format!(
        "{} {} your time",
        local.format("%As"),
        local.format("%H:%M")
    );
    (label, Some(viewer))
}
