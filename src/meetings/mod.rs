//! Meetings: finding a time (polls), regular series and one-off meetings, the meeting page
//! (agenda, RSVPs, attendance, minutes, decisions, action items), rotation of facilitator and
//! note-taker, calendar feeds, and reminders.

pub mod feeds;
pub mod forms;
mod handlers;
pub mod jobs;
pub mod queries;
pub mod recurrence;
pub mod series;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use std::time::Duration;

use crate::AppState;
use crate::scheduler::{Job, JobContext};
use handlers::{meeting, polls, schedule};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/c/{slug}/meetings",
            get(schedule::list).post(schedule::create),
        )
        .route("/c/{slug}/meetings/new", get(schedule::new_page))
        .route("/c/{slug}/meetings/series/{id}", get(schedule::series_page))
        .route(
            "/c/{slug}/meetings/series/{id}/edit",
            get(schedule::edit_page).post(schedule::update),
        )
        .route("/c/{slug}/meetings/polls", post(polls::create))
        .route("/c/{slug}/meetings/polls/new", get(polls::new_page))
        .route("/c/{slug}/meetings/polls/{id}", get(polls::page))
        .route("/c/{slug}/meetings/polls/{id}/answer", post(polls::answer))
        .route("/c/{slug}/meetings/polls/{id}/choose", post(polls::choose))
        .route("/c/{slug}/meetings/{id}", get(meeting::page))
        .route("/c/{slug}/meetings/{id}/pack", get(meeting::pack))
        .route("/c/{slug}/meetings/{id}/event.ics", get(feeds::one))
        .route("/c/{slug}/meetings/{id}/move", post(meeting::move_one))
        .route("/c/{slug}/meetings/{id}/cancel", post(meeting::cancel))
        .route("/c/{slug}/meetings/{id}/rsvp", post(meeting::rsvp))
        .route("/c/{slug}/meetings/{id}/roles", post(meeting::set_roles))
        .route(
            "/c/{slug}/meetings/{id}/attendance",
            post(meeting::attendance),
        )
        .route("/c/{slug}/meetings/{id}/minutes", post(meeting::minutes))
        .route("/c/{slug}/meetings/{id}/decisions", post(meeting::decision))
        .route("/c/{slug}/meetings/{id}/actions", post(meeting::action))
        .route(
            "/c/{slug}/meetings/{id}/actions/{action}/done",
            post(meeting::action_done),
        )
        .route("/c/{slug}/meetings/{id}/agenda", post(meeting::agenda_add))
        .route(
            "/c/{slug}/meetings/{id}/agenda/{item}",
            post(meeting::agenda_change),
        )
        .route("/c/{slug}/meetings/{id}/finish", post(meeting::finish))
        .route("/c/{slug}/calendar.ics", get(feeds::can_feed))
        .route("/calendar/{token}/canopy.ics", get(feeds::member_feed))
        .route("/account/calendar", get(feeds::settings).post(feeds::renew))
        // Meeting URLs whose work belongs to other areas, mounted here explicitly.
        .merge(crate::stages::meeting_routes())
        .merge(crate::responsibilities::meeting_routes())
}

/// "Tuesday 24 November 2026, 19:00–20:30" in `tz`.
pub fn when(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    if s.date_naive() == e.date_naive() {
        format!("{}–{}", s.format("%A %-d %B %Y, %H:%M"), e.format("%H:%M"))
    } else {
        format!(
            "{} – {}",
            s.format("%A %-d %B %Y, %H:%M"),
            e.format("%A %-d %B, %H:%M")
        )
    }
}

/// The time in the viewer's own zone when it differs from the group's, else `None`.
pub fn when_for_viewer(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    group_tz: Tz,
    viewer_tz: Tz,
) -> Option<String> {
    (group_tz != viewer_tz)
        .then(|| format!("{} your time ({viewer_tz})", when(start, end, viewer_tz)))
}

/// The clock's work for meetings: extend series, remind before meetings and about minutes.
pub fn jobs() -> Vec<Job> {
    vec![Job::new(
        "meetings",
        Duration::from_secs(60),
        |ctx: JobContext| async move { jobs::tick(&ctx.db, &ctx.base_url).await },
    )]
}
