//! The meetings list, scheduling a series or a one-off meeting, a series' page (who served when),
//! and changing a series (future occurrences follow; past ones and moved ones stay).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use uuid::Uuid;

use super::schedules;
use crate::AppState;
use crate::cans::access::{CanAccess, Facilitator, Member, Requirement};
use crate::cans::activity::{self, Entry};
use crate::cans::nav::CanNav;
use crate::error::{AppError, Result};
use crate::meetings::forms::{Schedule, ScheduleForm};
use crate::meetings::recurrence::Repeat;
use crate::meetings::{queries, series, when};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, redirect_with_flash, time};

pub struct MeetingRow {
    pub id: String,
    pub title: String,
    pub when: String,
    pub status: &'static str,
    pub cancelled: bool,
    pub facilitator: String,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "cancelled" => "Cancelled",
        "held" => "Held",
        _ => "Scheduled",
    }
}

fn row(m: &queries::Meeting, tz: chrono_tz::Tz) -> MeetingRow {
    MeetingRow {
        id: m.id.to_string(),
        title: m.title.clone(),
        when: when(m.starts_at, m.ends_at, tz),
        status: status_label(&m.status),
        cancelled: m.status == "cancelled",
        facilitator: m.facilitator.clone().unwrap_or_default(),
    }
}

pub struct SeriesLine {
    pub id: String,
    pub title: String,
    pub rule: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/list.html")]
pub struct ListPage {
    ctx: Layout,
    nav: CanNav,
    upcoming: Vec<MeetingRow>,
    past: Vec<MeetingRow>,
    series: Vec<SeriesLine>,
    polls: Vec<(String, String, bool)>,
    can_schedule: bool,
    tz: chrono_tz::Tz,
}

pub async fn list(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<ListPage> {
    let can = &access.can;
    let now = Utc::now();
    let upcoming = queries::between(
        &state.db,
        can.id,
        now - chrono::Duration::hours(3),
        now + chrono::Duration::days(series::HORIZON_DAYS),
    )
    .await?;
    let past = queries::recent(&state.db, can.id, 10).await?;
    let polls: Vec<(Uuid, String, bool)> = sqlx::query_as(
        "SELECT id, title, closed_at IS NULL FROM time_polls WHERE can_id = $1 ORDER BY created_at DESC LIMIT 10",
    )
    .bind(can.id)
    .fetch_all(&state.db)
    .await?;
    Ok(ListPage {
        ctx,
        nav: CanNav::new(can, &access.membership, "meetings"),
        upcoming: upcoming
            .iter()
            .filter(|m| m.ends_at > now)
            .map(|m| row(m, can.time_zone))
            .collect(),
        past: past
            .iter()
            .filter(|m| m.ends_at <= now)
            .map(|m| row(m, can.time_zone))
            .collect(),
        series: series::all_series(&state.db, can.id)
            .await?
            .into_iter()
            .map(|s| SeriesLine {
                id: s.id.to_string(),
                rule: format!(
                    "{}, {}",
                    Repeat::from_rrule(&s.rrule)
                        .map(|r| r.describe())
                        .unwrap_or_else(|| s.rrule.clone()),
                    s.start_time.format("%H:%M")
                ),
                title: s.title,
            })
            .collect(),
        polls: polls
            .into_iter()
            .map(|(id, t, open)| (id.to_string(), t, open))
            .collect(),
        can_schedule: schedules(&access.membership),
        tz: can.time_zone,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/schedule.html")]
pub struct SchedulePage {
    ctx: Layout,
    nav: CanNav,
    form: ScheduleForm,
    errors: FieldErrors,
    editing: Option<String>,
    tz: chrono_tz::Tz,
}

pub async fn new_page(access: CanAccess<Facilitator>, ctx: Layout) -> SchedulePage {
    SchedulePage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "meetings"),
        form: ScheduleForm::blank(time::today_in(access.can.time_zone)),
        errors: FieldErrors::new(),
        editing: None,
        tz: access.can.time_zone,
    }
}

fn invalid<R: Requirement>(
    access: &CanAccess<R>,
    ctx: Layout,
    form: ScheduleForm,
    errors: FieldErrors,
    editing: Option<String>,
) -> Response {
    let page = SchedulePage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "meetings"),
        form,
        errors,
        editing,
        tz: access.can.time_zone,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Form(form): Form<ScheduleForm>,
) -> Result<Response> {
    let can = &access.can;
    let today = time::today_in(can.time_zone);
    let schedule = match Schedule::parse(&form, today) {
        Ok(s) => s,
        Err(errors) => return Ok(invalid(&access, ctx, form, errors, None)),
    };
    let mut tx = state.db.begin().await?;
    let (series_id, meeting_id) = series::create(
        &mut tx,
        can.id,
        can.time_zone,
        &schedule,
        access.me.id,
        today,
    )
    .await?;
    activity::record(
        &mut *tx,
        Entry {
            can_id: can.id,
            actor_id: Some(access.me.id),
            action: if series_id.is_some() {
                "meeting_series.created"
            } else {
                "meeting.created"
            },
            subject_type: if series_id.is_some() {
                "meeting_series"
            } else {
                "meeting"
            },
            subject_id: series_id.or(meeting_id),
            summary: format!(
                "{} scheduled “{}”{}",
                access.me.display_name,
                schedule.title,
                schedule
                    .repeat
                    .map(|r| format!(", {}", r.describe()))
                    .unwrap_or_default()
            ),
        },
    )
    .await?;
    tx.commit().await?;
    let to = match (series_id, meeting_id) {
        (Some(id), _) => format!("/c/{}/meetings/series/{id}", can.slug),
        (None, Some(id)) => format!("/c/{}/meetings/{id}", can.slug),
        (None, None) => format!("/c/{}/meetings", can.slug),
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The meeting is scheduled.",
        &to,
    )
    .await
}

pub struct ServedLine {
    pub id: String,
    pub when: String,
    pub status: &'static str,
    pub facilitator: String,
    pub note_taker: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/series.html")]
pub struct SeriesPage {
    ctx: Layout,
    nav: CanNav,
    id: String,
    title: String,
    rule: String,
    location: String,
    rotate: bool,
    upcoming: Vec<MeetingRow>,
    served: Vec<ServedLine>,
    can_schedule: bool,
}

pub async fn series_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<SeriesPage> {
    let can = &access.can;
    let mut conn = state.db.acquire().await?;
    let s = series::series(&mut conn, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let all = queries::of_series(&state.db, can.id, id).await?;
    let now = Utc::now();
    Ok(SeriesPage {
        ctx,
        nav: CanNav::new(can, &access.membership, "meetings"),
        id: id.to_string(),
        rule: format!(
            "{}, {} to {} ({})",
            Repeat::from_rrule(&s.rrule)
                .map(|r| r.describe())
                .unwrap_or_else(|| s.rrule.clone()),
            s.start_time.format("%H:%M"),
            (s.start_time + chrono::Duration::minutes(i64::from(s.duration_minutes)))
                .format("%H:%M"),
            s.time_zone
        ),
        location: s.location.clone(),
        rotate: s.rotate_roles,
        upcoming: all
            .iter()
            .filter(|m| m.ends_at > now)
            .take(12)
            .map(|m| row(m, can.time_zone))
            .collect(),
        served: all
            .iter()
            .rev()
            .filter(|m| m.starts_at <= now)
            .map(|m| ServedLine {
                id: m.id.to_string(),
                when: time::date_in(m.starts_at, can.time_zone),
                status: status_label(&m.status),
                facilitator: m.facilitator.clone().unwrap_or_else(|| "—".into()),
                note_taker: m.note_taker.clone().unwrap_or_else(|| "—".into()),
            })
            .collect(),
        can_schedule: schedules(&access.membership),
        title: s.title,
    })
}

pub async fn edit_page(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<SchedulePage> {
    let can = &access.can;
    let mut conn = state.db.acquire().await?;
    let s = series::series(&mut conn, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut form = ScheduleForm::blank(time::today_in(can.time_zone));
    form.title = s.title.clone();
    match Repeat::from_rrule(&s.rrule) {
        Some(Repeat::Weekly { interval, weekday }) => {
            form.repeat = "weekly".into();
            form.interval = interval.to_string();
            form.weekday = crate::meetings::recurrence::ical(weekday).into();
        }
        Some(Repeat::MonthlyNth { nth, weekday }) => {
            form.repeat = "monthly_nth".into();
            form.nth = nth.to_string();
            form.weekday = crate::meetings::recurrence::ical(weekday).into();
        }
        Some(Repeat::MonthlyDate { day }) => {
            form.repeat = "monthly_date".into();
            form.month_day = day.to_string();
        }
        None => {}
    }
    form.starts_on = s.starts_on.format("%Y-%m-%d").to_string();
    form.until_on = s
        .until_on
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    form.start_time = s.start_time.format("%H:%M").to_string();
    form.duration_minutes = s.duration_minutes.to_string();
    form.location = s.location.clone();
    form.agenda_template = s.agenda_template.clone();
    form.rotate_roles = if s.rotate_roles {
        "yes".into()
    } else {
        String::new()
    };
    Ok(SchedulePage {
        ctx,
        nav: CanNav::new(can, &access.membership, "meetings"),
        form,
        errors: FieldErrors::new(),
        editing: Some(id.to_string()),
        tz: can.time_zone,
    })
}

pub async fn update(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<ScheduleForm>,
) -> Result<Response> {
    let can = &access.can;
    let today = time::today_in(can.time_zone);
    let mut tx = state.db.begin().await?;
    series::series(&mut tx, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let parsed = Schedule::parse(&form, today).and_then(|s| {
        if s.repeat.is_some() {
            Ok(s)
        } else {
            let mut errors = FieldErrors::new();
            errors.add(
                "repeat",
                "A series keeps repeating; to stop it, give it a last date.",
            );
            Err(errors)
        }
    });
    let schedule = match parsed {
        Ok(s) => s,
        Err(errors) => {
            drop(tx);
            return Ok(invalid(&access, ctx, form, errors, Some(id.to_string())));
        }
    };
    series::update(&mut tx, id, can.id, &schedule).await?;
    let s = series::series(&mut tx, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    series::reschedule(&mut tx, &s, today).await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "meeting_series.updated",
        ("meeting_series", id),
        format!(
            "{} changed the series “{}”",
            access.me.display_name, schedule.title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The series is changed; future meetings follow (past ones and ones moved by hand stay as they were).",
        &format!("/c/{}/meetings/series/{id}", can.slug),
    )
    .await
}
