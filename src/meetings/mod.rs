//! Meetings: finding a time (polls), regular series and one-off meetings, the meeting page
//! (agenda, RSVPs, attendance, minutes, decisions, action items), rotation of facilitator and
//! note-taker, calendar feeds, and reminders.
//!
//! The shape: `handlers/` (one file per sub-resource) extract, parse a form (`forms`) and call a
//! service — `schedule`, `occurrences`, `agenda`, `record`, `polls`, `feeds` — which runs one
//! transaction with its activity line and returns a typed outcome; SQL lives in `queries/` (and
//! `series`, `feeds`, `jobs`); who may act on a meeting is `access::MeetingAccess<R>`.

pub mod access;
pub mod agenda;
pub mod ahead;
pub mod feeds;
pub mod forms;
pub mod guests;
mod handlers;
pub mod ical;
pub mod jobs;
pub mod mail;
pub mod model;
mod notices;
pub mod occurrences;
pub mod polls;
pub mod queries;
pub mod record;
pub mod recurrence;
pub mod schedule;
pub mod series;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use std::time::Duration;

use crate::AppState;
use crate::scheduler::{Job, JobContext};
use handlers::run as run_pages;
use handlers::{agenda as agenda_pages, feeds as feed_pages, occurrence, pack, page};
use handlers::{polls as poll_pages, record as record_pages, schedule as schedule_pages};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/c/{slug}/meetings",
            get(schedule_pages::list).post(schedule_pages::create),
        )
        .route("/c/{slug}/meetings/new", get(schedule_pages::new_page))
        .route(
            "/c/{slug}/meetings/series/{id}",
            get(schedule_pages::series_page),
        )
        .route(
            "/c/{slug}/meetings/series/{id}/edit",
            get(schedule_pages::edit_page).post(schedule_pages::update),
        )
        .route("/c/{slug}/meetings/polls", post(poll_pages::create))
        .route("/c/{slug}/meetings/polls/new", get(poll_pages::new_page))
        .route("/c/{slug}/meetings/polls/{id}", get(poll_pages::page))
        .route(
            "/c/{slug}/meetings/polls/{id}/answer",
            post(poll_pages::answer),
        )
        .route(
            "/c/{slug}/meetings/polls/{id}/choose",
            post(poll_pages::choose),
        )
        .route("/c/{slug}/meetings/{id}", get(page::page))
        .route("/c/{slug}/meetings/{id}/pack", get(pack::pack))
        .route("/c/{slug}/meetings/{id}/event.ics", get(feed_pages::one))
        .route("/c/{slug}/meetings/{id}/move", post(occurrence::move_one))
        .route("/c/{slug}/meetings/{id}/cancel", post(occurrence::cancel))
        .route("/c/{slug}/meetings/{id}/rsvp", post(occurrence::rsvp))
        .route("/c/{slug}/meetings/{id}/roles", post(occurrence::set_roles))
        .route(
            "/c/{slug}/meetings/{id}/attendance",
            post(record_pages::attendance),
        )
        .route(
            "/c/{slug}/meetings/{id}/minutes",
            post(record_pages::minutes),
        )
        .route(
            "/c/{slug}/meetings/{id}/decisions",
            post(record_pages::decision),
        )
        .route(
            "/c/{slug}/meetings/{id}/actions",
            post(record_pages::action),
        )
        .route(
            "/c/{slug}/meetings/{id}/actions/{action}/done",
            post(record_pages::action_done),
        )
        .route("/c/{slug}/meetings/{id}/agenda", post(agenda_pages::add))
        .route(
            "/c/{slug}/meetings/{id}/agenda-reviewed",
            post(agenda_pages::reviewed),
        )
        .route(
            "/c/{slug}/meetings/{id}/agenda/{item}",
            post(agenda_pages::change),
        )
        .route("/c/{slug}/meetings/{id}/finish", post(record_pages::finish))
        .route("/c/{slug}/meetings/{id}/run", get(run_pages::page))
        .route("/c/{slug}/meetings/{id}/run/next", post(run_pages::next))
        .route("/c/{slug}/meetings/{id}/run/note", post(run_pages::note))
        .route("/c/{slug}/calendar.ics", get(feed_pages::can_feed))
        .route("/calendar/{token}/canopy.ics", get(feed_pages::member_feed))
        .route("/c/{slug}/public.ics", get(feed_pages::public_feed))
        .route(
            "/account/calendar",
            get(feed_pages::settings).post(feed_pages::renew),
        )
        // Meetings open to the neighbourhood (issue 14): settings, visitors, guests' links.
        .merge(public_routes())
        // Meeting URLs whose work belongs to other areas, mounted here explicitly.
        .merge(crate::stages::meeting_routes())
        .merge(crate::responsibilities::meeting_routes())
}

/// Opening meetings to the neighbourhood, and what visitors and guests open.
fn public_routes() -> Router<AppState> {
    use handlers::{guests as guest_pages, public_settings};
    Router::new()
        .route(
            "/c/{slug}/meetings/series/{id}/public",
            get(public_settings::series_page).post(public_settings::series_save),
        )
        .route(
            "/c/{slug}/meetings/{id}/public",
            get(public_settings::meeting_page).post(public_settings::meeting_save),
        )
        .route(
            "/c/{slug}/visit/{id}",
            get(guest_pages::visit).post(guest_pages::sign_up),
        )
        .route("/c/{slug}/guests/{token}", get(guest_pages::link))
        .route(
            "/c/{slug}/guests/{token}/confirm",
            post(guest_pages::confirm),
        )
        .route(
            "/c/{slug}/guests/{token}/cancel",
            get(guest_pages::cancel_page).post(guest_pages::cancel),
        )
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
    vec![
        Job::new(
            "meetings",
            Duration::from_secs(60),
            |ctx: JobContext| async move { jobs::tick(&ctx.db, &ctx.base_url).await },
        ),
        // Guests of open meetings: reminded the day before, forgotten some weeks after.
        Job::new(
            "meeting guests",
            Duration::from_secs(60),
            |ctx: JobContext| async move { guests::tick(&ctx.db, &ctx.base_url).await },
        ),
    ]
}
