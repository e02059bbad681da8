//! Changes to one occurrence of a meeting: moving or cancelling it alone (the rest of its series
//! stays), who facilitates and takes notes, and members' answers to "are you coming?". Each runs
//! in one transaction with its activity line.

use askama::Template;
use chrono::Utc;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::MeetingAccess;
use super::forms::{NewTime, Roles};
use super::jobs::REMINDER_WINDOW;
use super::mail::{Day, MeetingCancelled, MeetingMoved, MeetingReminder};
use super::mail::{cancelled_line, moved_line};
use super::model::Rsvp;
use super::{guests, notices, queries, when, when_for_viewer};
use crate::cans::access::{ActiveMember, Facilitator};
use crate::error::{AppError, Result};
use crate::notifications::{Kind, Recipient};
use crate::outbox::{self, MailText};
use crate::web::time;

pub enum MoveOutcome {
    Moved,
    /// The new time is the time it already had (the form sent as it came, or twice): nobody is
    /// mailed, calendars see no change.
    Unchanged,
    /// Held or cancelled meetings stay where they were.
    NotScheduled,
}

/// Moves this meeting only; calendars see the change, and those it concerns are told once, from
/// when to when (see [`tell_moved`]). That is the reminder if the new time is within the
/// reminder's window; otherwise the reminder goes out when the new time comes near.
pub async fn move_to(
    db: &PgPool,
    access: &MeetingAccess<Facilitator>,
    to: NewTime,
    base_url: &str,
) -> Result<MoveOutcome> {
    let tz = access.can.time_zone;
    let span = to.span(tz);
    let mut tx = db.begin().await?;
    let Some(moved) =
        queries::move_to(&mut tx, access.can.id, access.id(), span, REMINDER_WINDOW).await?
    else {
        let g = &access.meeting;
        let same = g.status.is_scheduled() && (g.starts_at, g.ends_at) == span;
        return Ok(if same {
            MoveOutcome::Unchanged
        } else {
            MoveOutcome::NotScheduled
        });
    };
    // Who could not come at the old time may at the new one: their "no" no longer holds, so
    // they hear of the move (and are reminded) like those who have not answered.
    queries::forget_declines(&mut tx, access.can.id, access.id()).await?;
    let summary = format!(
        "{} moved “{}” to {}",
        access.me.display_name,
        access.meeting.title,
        when(span.0, span.1, tz)
    );
    access
        .log(&mut tx, "meeting.moved", ("meeting", access.id()), summary)
        .await?;
    tell_moved(&mut tx, access, &moved, span, base_url).await?;
    tx.commit().await?;
    Ok(MoveOutcome::Moved)
}

/// The "meeting moved" notification to each member concerned but the one who moved it, its
/// detail the mail of old ("from when to when", in their zone); keyed by the move's sequence, so
/// a second move is a second notification and a retried one is not. Guests are mailed as before.
///
/// When the new time is within the reminder's window the move is the reminder (the meeting is
/// marked reminded): whoever will not get the move by mail now — they chose the digest or no
/// mail, or the hourly limit holds it back — gets the reminder itself, so nobody goes unreminded.
async fn tell_moved(
    conn: &mut PgConnection,
    access: &MeetingAccess<Facilitator>,
    moved: &queries::Moved,
    (start, end): (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
    base_url: &str,
) -> Result<()> {
    let (can, g) = (&access.can, &access.meeting);
    let path = access.path(&format!("/meetings/{}", g.id));
    let link = format!("{base_url}{path}");
    let now = Utc::now();
    let people: Vec<queries::Recipient> = queries::concerned(conn, can.id, g.id)
        .await?
        .into_iter()
        .filter(|p| p.id != access.me.id)
        .collect();
    let mut told = Vec::with_capacity(people.len());
    for person in &people {
        let mail = MeetingMoved {
            can_name: &can.name,
            title: &g.title,
            was: when(moved.was_start, moved.was_end, can.time_zone),
            now: when(start, end, can.time_zone),
            zone: can.time_zone,
            your_time: when_for_viewer(start, end, can.time_zone, person.time_zone),
            location: &g.location,
            link: &link,
            day: Day::of(start, now, person.time_zone),
            at: start
                .with_timezone(&person.time_zone)
                .format("%H:%M")
                .to_string(),
            reminds: moved.reminds,
        };
        told.push((
            moved_line(&g.title, start, can.time_zone, person.time_zone),
            Recipient::with_detail(person.id, mail.render().map_err(AppError::internal)?),
        ));
    }
    let event = notices::Event {
        kind: Kind::MeetingMoved,
        can,
        link: path,
        key: format!("meeting:{}:moved:{}", g.id, moved.sequence),
    };
    notices::tell(conn, base_url, &event, told).await?;
    if moved.reminds {
        let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
        let unmailed = queries::not_mailed(conn, &event.key, &ids).await?;
        for person in people.iter().filter(|p| unmailed.contains(&p.id)) {
            let mail = MeetingReminder {
                can_name: &can.name,
                title: &g.title,
                when: when(start, end, can.time_zone),
                zone: can.time_zone,
                your_time: when_for_viewer(start, end, can.time_zone, person.time_zone),
                location: &g.location,
                link: &link,
                day: Day::of(start, now, person.time_zone),
            };
            let key = format!("meeting:{}:reminder:{}:{}", g.id, moved.sequence, person.id);
            outbox::enqueue(
                &mut *conn,
                &mail.to(&person.email, Some(can.id), Some(key))?,
            )
            .await?;
        }
    }
    let news = guests::News {
        can,
        meeting_id: g.id,
        title: &g.title,
        location: &g.location,
        at: (start, end),
        change: guests::Change::Moved {
            was: (moved.was_start, moved.was_end),
            reminds: moved.reminds,
            sequence: moved.sequence,
        },
    };
    guests::tell(conn, &news, base_url).await?;
    Ok(())
}

pub enum CancelOutcome {
    Cancelled,
    NotScheduled,
}

/// Cancels this meeting only (the other meetings of its series are unchanged); the members it
/// concerned (but the one who cancelled it) get a "meeting cancelled" notification, keyed by the
/// meeting's sequence; its guests are mailed.
pub async fn cancel(
    db: &PgPool,
    access: &MeetingAccess<Facilitator>,
    base_url: &str,
) -> Result<CancelOutcome> {
    let mut tx = db.begin().await?;
    let Some(was) = queries::cancel(&mut tx, access.can.id, access.id()).await? else {
        return Ok(CancelOutcome::NotScheduled);
    };
    let (can, g) = (&access.can, &access.meeting);
    let summary = format!(
        "{} cancelled “{}” on {}",
        access.me.display_name,
        g.title,
        time::date_in(was.starts_at, can.time_zone)
    );
    access
        .log(&mut tx, "meeting.cancelled", ("meeting", g.id), summary)
        .await?;
    let path = access.path(&format!("/meetings/{}", g.id));
    let link = format!("{base_url}{path}");
    let now = Utc::now();
    let mut told = Vec::new();
    for person in queries::concerned(&mut tx, can.id, g.id).await? {
        if person.id == access.me.id {
            continue;
        }
        let mail = MeetingCancelled {
            can_name: &can.name,
            title: &g.title,
            when: when(was.starts_at, was.ends_at, can.time_zone),
            zone: can.time_zone,
            your_time: when_for_viewer(was.starts_at, was.ends_at, can.time_zone, person.time_zone),
            link: &link,
            day: Day::of(was.starts_at, now, person.time_zone),
            in_series: g.series_id.is_some(),
        };
        told.push((
            cancelled_line(&g.title, was.starts_at, can.time_zone, person.time_zone),
            Recipient::with_detail(person.id, mail.render().map_err(AppError::internal)?),
        ));
    }
    let event = notices::Event {
        kind: Kind::MeetingCancelled,
        can,
        link: path,
        key: format!("meeting:{}:cancelled:{}", g.id, was.sequence),
    };
    notices::tell(&mut tx, base_url, &event, told).await?;
    let news = guests::News {
        can,
        meeting_id: g.id,
        title: &g.title,
        location: &g.location,
        at: (was.starts_at, was.ends_at),
        change: guests::Change::Cancelled {
            sequence: was.sequence,
        },
    };
    guests::tell(&mut tx, &news, base_url).await?;
    crate::responsibilities::offers::withdraw_on_meeting(
        &mut tx,
        can,
        (access.me.id, &access.me.display_name),
        g.id,
        base_url,
    )
    .await?;
    tx.commit().await?;
    Ok(CancelOutcome::Cancelled)
}

pub enum RsvpOutcome {
    Answered(Rsvp),
    /// A cancelled meeting takes no answers.
    Cancelled,
}

pub async fn rsvp(
    db: &PgPool,
    access: &MeetingAccess<ActiveMember>,
    answer: Rsvp,
) -> Result<RsvpOutcome> {
    let mut tx = db.begin().await?;
    let locked = queries::lock(&mut tx, access.can.id, access.id()).await?;
    if locked.is_none_or(|g| g.status.is_cancelled()) {
        return Ok(RsvpOutcome::Cancelled);
    }
    queries::set_rsvp(&mut *tx, access.can.id, access.id(), access.me.id, answer).await?;
    tx.commit().await?;
    Ok(RsvpOutcome::Answered(answer))
}

/// Sets who facilitates and who takes notes (both already checked to be active members).
pub async fn set_roles(
    db: &PgPool,
    access: &MeetingAccess<Facilitator>,
    roles: Roles,
) -> Result<()> {
    let mut tx = db.begin().await?;
    queries::set_roles(
        &mut tx,
        access.can.id,
        access.id(),
        roles.facilitator,
        roles.note_taker,
    )
    .await?;
    let summary = format!(
        "{} set who facilitates and takes notes at “{}”",
        access.me.display_name, access.meeting.title
    );
    access
        .log(
            &mut tx,
            "meeting.roles_set",
            ("meeting", access.id()),
            summary,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}
