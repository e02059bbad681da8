//! Finding a time: a facilitator offers weekly slots, members answer yes / if need be / no, the
//! page ranks the slots, and choosing one starts a weekly series at that slot.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveTime;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Facilitator, Member};
use crate::cans::activity;
use crate::cans::nav::CanNav;
use crate::error::{AppError, Result};
use crate::meetings::forms::{NewPoll, PollForm, Schedule};
use crate::meetings::recurrence::{self, Repeat, weekday_name};
use crate::meetings::series;
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, MultiForm, Path, redirect_with_flash, time};

pub const DAYS: [(&str, &str); 7] = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
];

#[derive(Template, WebTemplate)]
#[template(path = "meetings/poll_new.html")]
pub struct NewPollPage {
    ctx: Layout,
    nav: CanNav,
    form: PollForm,
    rows: Vec<(String, String)>,
    days: [(&'static str, &'static str); 7],
    errors: FieldErrors,
    tz: chrono_tz::Tz,
}

fn rows_of(form: &PollForm) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = form
        .weekday
        .iter()
        .cloned()
        .zip(form.time.iter().cloned())
        .collect();
    rows.resize(6, (String::new(), String::new()));
    rows
}

pub async fn new_page(access: CanAccess<Facilitator>, ctx: Layout) -> NewPollPage {
    let form = PollForm {
        title: String::new(),
        duration_minutes: "90".into(),
        weekday: vec!["TU".into(), "SA".into()],
        time: vec!["19:00".into(), "10:00".into()],
    };
    NewPollPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "meetings"),
        rows: rows_of(&form),
        form,
        days: DAYS,
        errors: FieldErrors::new(),
        tz: access.can.time_zone,
    }
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    MultiForm(form): MultiForm<PollForm>,
) -> Result<Response> {
    let can = &access.can;
    let poll = match NewPoll::try_from(&form) {
        Ok(p) => p,
        Err(errors) => {
            let page = NewPollPage {
                ctx,
                nav: CanNav::new(can, &access.membership, "meetings"),
                rows: rows_of(&form),
                form,
                days: DAYS,
                errors,
                tz: can.time_zone,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO time_polls (id, can_id, title, duration_minutes, created_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(can.id)
        .bind(&poll.title)
        .bind(poll.duration_minutes)
        .bind(access.me.id)
        .execute(&mut *tx)
        .await?;
    for (i, (day, at)) in poll.options.iter().enumerate() {
        sqlx::query(
            "INSERT INTO time_poll_options (id, can_id, poll_id, weekday, start_time, position) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(can.id)
        .bind(id)
        .bind(recurrence::weekday_number(*day))
        .bind(at)
        .bind(i as i32)
        .execute(&mut *tx)
        .await?;
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "time_poll.created",
        ("time_poll", id),
        format!(
            "{} asked when to meet: “{}”",
            access.me.display_name, poll.title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The poll is open: members can answer now.",
        &format!("/c/{}/meetings/polls/{id}", can.slug),
    )
    .await
}

#[derive(sqlx::FromRow)]
struct OptionRow {
    id: Uuid,
    weekday: i16,
    start_time: NaiveTime,
}

pub struct SlotView {
    pub id: String,
    pub label: String,
    pub viewer_label: String,
    pub yes: Vec<String>,
    pub if_need_be: Vec<String>,
    pub no: Vec<String>,
    pub score: i64,
    pub best: bool,
    pub mine: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/poll.html")]
pub struct PollPage {
    ctx: Layout,
    nav: CanNav,
    id: String,
    title: String,
    open: bool,
    series_id: Option<String>,
    slots: Vec<SlotView>,
    ranked: Vec<(String, i64, usize, usize)>,
    waiting: Vec<String>,
    can_answer: bool,
    can_choose: bool,
    tz: chrono_tz::Tz,
}

/// A poll slot "Tuesdays 19:00" in the group's zone, and in the viewer's when it differs (as of
/// the next such day).
fn slot_labels(
    weekday: i16,
    at: NaiveTime,
    group_tz: chrono_tz::Tz,
    viewer_tz: chrono_tz::Tz,
) -> (String, String) {
    let day = recurrence::weekday_from_number(weekday).unwrap_or(chrono::Weekday::Mon);
    let label = format!("{}s {}", weekday_name(day), at.format("%H:%M"));
    if group_tz == viewer_tz {
        return (label, String::new());
    }
    let date = recurrence::next_weekday(time::today_in(group_tz), day);
    let instant = recurrence::instant(date, at, group_tz);
    let local = instant.with_timezone(&viewer_tz);
    (
        label,
        format!(
            "{} {} your time",
            local.format("%As"),
            local.format("%H:%M")
        ),
    )
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<PollPage> {
    let can = &access.can;
    let (title, open, series_id): (String, bool, Option<Uuid>) = sqlx::query_as(
        "SELECT title, closed_at IS NULL, series_id FROM time_polls WHERE can_id = $1 AND id = $2",
    )
    .bind(can.id)
    .bind(id)
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let options: Vec<OptionRow> = sqlx::query_as(
        "SELECT id, weekday, start_time FROM time_poll_options WHERE can_id = $1 AND poll_id = $2 ORDER BY position",
    )
    .bind(can.id)
    .bind(id)
    .fetch_all(&state.db)
    .await?;
    let answers: Vec<(Uuid, Uuid, String, String)> = sqlx::query_as(
        "SELECT a.option_id, a.member_id, p.display_name, a.answer FROM time_poll_answers a
         JOIN members p ON p.id = a.member_id WHERE a.can_id = $1 AND a.poll_id = $2 ORDER BY lower(p.display_name)",
    )
    .bind(can.id)
    .bind(id)
    .fetch_all(&state.db)
    .await?;
    let waiting: Vec<String> = sqlx::query_scalar(
        "SELECT p.display_name FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM time_poll_answers a WHERE a.poll_id = $2 AND a.member_id = m.member_id)
         ORDER BY lower(p.display_name)",
    )
    .bind(can.id)
    .bind(id)
    .fetch_all(&state.db)
    .await?;
    let who = |opt: Uuid, ans: &str| -> Vec<String> {
        answers
            .iter()
            .filter(|a| a.0 == opt && a.3 == ans)
            .map(|a| a.2.clone())
            .collect()
    };
    let mut slots: Vec<SlotView> = options
        .iter()
        .map(|o| {
            let (label, viewer_label) =
                slot_labels(o.weekday, o.start_time, can.time_zone, access.me.time_zone);
            let (yes, maybe, no) = (who(o.id, "yes"), who(o.id, "if_need_be"), who(o.id, "no"));
            SlotView {
                id: o.id.to_string(),
                label,
                viewer_label,
                score: 2 * yes.len() as i64 + maybe.len() as i64,
                yes,
                if_need_be: maybe,
                no,
                best: false,
                mine: answers
                    .iter()
                    .find(|a| a.0 == o.id && a.1 == access.me.id)
                    .map(|a| a.3.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let top = slots.iter().map(|s| (s.score, -(s.no.len() as i64))).max();
    for s in &mut slots {
        s.best = s.score > 0 && Some((s.score, -(s.no.len() as i64))) == top;
    }
    let mut ranked: Vec<(String, i64, usize, usize)> = slots
        .iter()
        .map(|s| (s.label.clone(), s.score, s.yes.len(), s.if_need_be.len()))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)));
    let m = &access.membership;
    Ok(PollPage {
        ctx,
        nav: CanNav::new(can, m, "meetings"),
        id: id.to_string(),
        title,
        open,
        series_id: series_id.map(|s| s.to_string()),
        slots,
        ranked,
        waiting,
        can_answer: open && m.is_active(),
        can_choose: open && super::schedules(m),
        tz: can.time_zone,
    })
}

/// One answer per slot, named `slot-{option id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PollAnswers {
    #[serde(flatten)]
    fields: std::collections::HashMap<String, String>,
}

pub async fn answer(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<PollAnswers>,
) -> Result<Response> {
    let can = &access.can;
    let open: bool = sqlx::query_scalar(
        "SELECT closed_at IS NULL FROM time_polls WHERE can_id = $1 AND id = $2",
    )
    .bind(can.id)
    .bind(id)
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let to = format!("/c/{}/meetings/polls/{id}", can.slug);
    if !open {
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Error,
            "This poll is closed: a time has been chosen. Nothing was changed.",
            &to,
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    for (key, value) in &form.fields {
        let Some(option) = key
            .strip_prefix("slot-")
            .and_then(|k| k.parse::<Uuid>().ok())
        else {
            continue;
        };
        if !matches!(value.as_str(), "yes" | "if_need_be" | "no") {
            continue;
        }
        // Only options of this poll (of this CAN) are answered; others are ignored.
        sqlx::query(
            "INSERT INTO time_poll_answers (option_id, poll_id, can_id, member_id, answer)
             SELECT o.id, o.poll_id, o.can_id, $4, $5 FROM time_poll_options o
             WHERE o.id = $1 AND o.poll_id = $2 AND o.can_id = $3
             ON CONFLICT (option_id, member_id) DO UPDATE SET answer = EXCLUDED.answer",
        )
        .bind(option)
        .bind(id)
        .bind(can.id)
        .bind(access.me.id)
        .bind(value)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Your answers are saved.",
        &to,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChooseForm {
    option: String,
}

pub async fn choose(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<ChooseForm>,
) -> Result<Response> {
    let can = &access.can;
    let option: Uuid = form
        .option
        .parse()
        .map_err(|_| AppError::BadRequest("Choose one of the poll's slots."))?;
    let mut tx = state.db.begin().await?;
    let poll: Option<(String, i32, bool)> = sqlx::query_as(
        "SELECT title, duration_minutes, closed_at IS NULL FROM time_polls WHERE can_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(can.id)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((title, duration, open)) = poll else {
        return Err(AppError::NotFound);
    };
    let slot: Option<(i16, NaiveTime)> = sqlx::query_as(
        "SELECT weekday, start_time FROM time_poll_options WHERE can_id = $1 AND poll_id = $2 AND id = $3",
    )
    .bind(can.id)
    .bind(id)
    .bind(option)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((weekday, at)) = slot else {
        return Err(AppError::NotFound);
    };
    if !open {
        drop(tx);
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Info,
            "A time was already chosen for this poll.",
            &format!("/c/{}/meetings/polls/{id}", can.slug),
        )
        .await;
    }
    let day = recurrence::weekday_from_number(weekday)
        .ok_or(AppError::internal("bad weekday in poll"))?;
    let today = time::today_in(can.time_zone);
    let schedule = Schedule {
        title: title.clone(),
        repeat: Some(Repeat::Weekly {
            interval: 1,
            weekday: day,
        }),
        starts_on: recurrence::next_weekday(today + chrono::Duration::days(1), day),
        start_time: at,
        duration_minutes: duration,
        until_on: None,
        location: String::new(),
        agenda_template: String::new(),
        rotate_roles: true,
    };
    let (series_id, _) = series::create(
        &mut tx,
        can.id,
        can.time_zone,
        &schedule,
        access.me.id,
        today,
    )
    .await?;
    sqlx::query(
        "UPDATE time_polls SET closed_at = now(), series_id = $3 WHERE can_id = $1 AND id = $2",
    )
    .bind(can.id)
    .bind(id)
    .bind(series_id)
    .execute(&mut *tx)
    .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "time_poll.chosen",
        ("time_poll", id),
        format!(
            "{} chose {}s {} for “{}”",
            access.me.display_name,
            weekday_name(day),
            at.format("%H:%M"),
            title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The series is created from the chosen slot. Add the place and an agenda template if you like.",
        &format!("/c/{}/meetings/series/{}/edit", can.slug, series_id.map(|s| s.to_string()).unwrap_or_default()),
    )
    .await
}
