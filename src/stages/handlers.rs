//! Pages and actions of the stage guide and the health view.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::guide::{self, Criteria, Step};
use super::health;
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member, Organiser, Requirement};
use crate::cans::activity;
use crate::cans::model::Stage;
use crate::cans::nav::CanNav;
use crate::error::{AppError, Result};
use crate::web::forms::{self as webforms, FieldErrors};
use crate::web::{FlashKind, Form, Layout, Path, redirect_with_flash, time};

pub struct Transition {
    pub when: String,
    pub who: String,
    pub from: &'static str,
    pub to: &'static str,
    pub note: String,
    pub early: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "stages/stage.html")]
pub struct StagePage {
    ctx: Layout,
    nav: CanNav,
    stages: Vec<(Stage, bool, bool)>,
    steps: Vec<Step>,
    ready: bool,
    next: Option<Stage>,
    previous: Option<Stage>,
    is_organiser: bool,
    criteria: Criteria,
    /// The thresholds' form fields: the saved values, or what was typed when it was refused.
    inputs: [String; 5],
    timeline: Vec<Transition>,
    errors: FieldErrors,
    note: String,
}

fn neighbours(stage: Stage) -> (Option<Stage>, Option<Stage>) {
    match stage {
        Stage::Visioning => (None, Some(Stage::Organizing)),
        Stage::Organizing => (Some(Stage::Visioning), Some(Stage::Sustaining)),
        Stage::Sustaining => (Some(Stage::Organizing), None),
    }
}

async fn stage_page_for<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    errors: FieldErrors,
    note: String,
) -> Result<StagePage> {
    let can = &access.can;
    let criteria = guide::criteria(&state.db, can.id).await?;
    let facts = guide::facts(&state.db, can.id).await?;
    let steps = guide::steps(can.stage, &facts, &criteria, &can.slug);
    let (previous, next) = neighbours(can.stage);
    let rows: Vec<(
        chrono::DateTime<chrono::Utc>,
        String,
        String,
        String,
        String,
        bool,
    )> = sqlx::query_as(
        "SELECT t.moved_at, p.display_name, t.from_stage, t.to_stage, t.note, t.criteria_met
         FROM stage_transitions t JOIN members p ON p.id = t.moved_by
         WHERE t.can_id = $1 ORDER BY t.moved_at DESC",
    )
    .bind(can.id)
    .fetch_all(&state.db)
    .await?;
    Ok(StagePage {
        ctx,
        nav: CanNav::new(can, &access.membership, "stage"),
        stages: can.stage_path(),
        ready: guide::ready(&steps),
        steps,
        next,
        previous,
        is_organiser: access.membership.is_organiser(),
        inputs: [
            criteria.hope_share_percent.to_string(),
            criteria.hope_min.to_string(),
            criteria.held_meetings_min.to_string(),
            criteria.drift_missed.to_string(),
            criteria.drift_weeks.to_string(),
        ],
        criteria,
        timeline: rows
            .into_iter()
            .map(|(at, who, from, to, note, met)| Transition {
                when: time::datetime_in(at, can.time_zone),
                who,
                from: Stage::parse(&from).label(),
                to: Stage::parse(&to).label(),
                early: !met && Stage::parse(&to) == next_of(Stage::parse(&from)),
                note,
            })
            .collect(),
        errors,
        note,
    })
}

fn next_of(s: Stage) -> Stage {
    neighbours(s).1.unwrap_or(s)
}

pub async fn stage_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<StagePage> {
    stage_page_for(&state, &access, ctx, FieldErrors::new(), String::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    to: String,
    note: String,
}

/// Organisers move the group one stage on (with a reason when the steps are not all done) or
/// back for renewal. Every move is logged with who, when and the note.
pub async fn move_stage(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let can = &access.can;
    let (previous, next) = neighbours(can.stage);
    let to = match form.to.as_str() {
        "organizing" => Stage::Organizing,
        "sustaining" => Stage::Sustaining,
        "visioning" => Stage::Visioning,
        _ => return Err(AppError::BadRequest("That is not a stage we know.")),
    };
    let forward = Some(to) == next;
    if !forward && Some(to) != previous {
        return Err(AppError::BadRequest("A group moves one stage at a time."));
    }
    let mut errors = FieldErrors::new();
    let note = errors.check("note", webforms::text(&form.note, "the note", 0, 2000));
    let criteria = guide::criteria(&state.db, can.id).await?;
    let facts = guide::facts(&state.db, can.id).await?;
    let met = guide::ready(&guide::steps(can.stage, &facts, &criteria, &can.slug));
    if forward && !met && note.as_deref().is_some_and(str::is_empty) {
        errors.add(
            "note",
            "Not every step is done yet. To move on anyway, say why in a note for the group.",
        );
    }
    let (Some(note), true) = (note, errors.is_empty()) else {
        let page = stage_page_for(&state, &access, ctx, errors, form.note).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.db.begin().await?;
    let moved = sqlx::query("UPDATE cans SET stage = $3 WHERE id = $1 AND stage = $2")
        .bind(can.id)
        .bind(can.stage.as_str())
        .bind(to.as_str())
        .execute(&mut *tx)
        .await?;
    if moved.rows_affected() == 1 {
        sqlx::query(
            "INSERT INTO stage_transitions (id, can_id, from_stage, to_stage, moved_by, note, criteria_met)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(can.id)
        .bind(can.stage.as_str())
        .bind(to.as_str())
        .bind(access.me.id)
        .bind(&note)
        .bind(met || !forward)
        .execute(&mut *tx)
        .await?;
        activity::log(
            &mut *tx,
            can.id,
            access.me.id,
            "stage.moved",
            ("can", can.id),
            format!(
                "{} moved the group from {} to {}",
                access.me.display_name,
                can.stage.label(),
                to.label()
            ),
        )
        .await?;
    }
    tx.commit().await?;
    // Someone else may have moved the group a moment earlier: then nothing changed here.
    let (kind, text) = if moved.rows_affected() == 1 {
        (
            FlashKind::Success,
            format!(
                "The group is now in the {} stage.",
                to.label().to_lowercase()
            ),
        )
    } else {
        (
            FlashKind::Info,
            "Someone moved the group just now; nothing more was changed.".to_string(),
        )
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        kind,
        &text,
        &format!("/c/{}/stage", can.slug),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CriteriaForm {
    hope_share_percent: String,
    hope_min: String,
    held_meetings_min: String,
    drift_missed: String,
    drift_weeks: String,
}

pub async fn set_criteria(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Form(form): Form<CriteriaForm>,
) -> Result<Response> {
    let can = &access.can;
    let mut errors = FieldErrors::new();
    let mut number = |field: &'static str, raw: &str, min: i16, max: i16| {
        errors.check(
            field,
            match raw.trim().parse::<i16>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(format!("Enter a number from {min} to {max}.")),
            },
        )
    };
    let values = (
        number("hope_share_percent", &form.hope_share_percent, 1, 100),
        number("hope_min", &form.hope_min, 1, 50),
        number("held_meetings_min", &form.held_meetings_min, 1, 50),
        number("drift_missed", &form.drift_missed, 1, 20),
        number("drift_weeks", &form.drift_weeks, 1, 52),
    );
    let (Some(share), Some(hope_min), Some(held), Some(missed), Some(weeks)) = values else {
        let mut page = stage_page_for(&state, &access, ctx, errors, String::new()).await?;
        page.inputs = [
            form.hope_share_percent.clone(),
            form.hope_min.clone(),
            form.held_meetings_min.clone(),
            form.drift_missed.clone(),
            form.drift_weeks.clone(),
        ];
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE cans SET hope_share_percent = $2, hope_min = $3, held_meetings_min = $4, drift_missed = $5, drift_weeks = $6
         WHERE id = $1",
    )
    .bind(can.id)
    .bind(share)
    .bind(hope_min)
    .bind(held)
    .bind(missed)
    .bind(weeks)
    .execute(&mut *tx)
    .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "stage.criteria_changed",
        ("can", can.id),
        format!(
            "{} changed the stage guide's thresholds",
            access.me.display_name
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The thresholds are saved; everyone sees them.",
        &format!("/c/{}/stage#criteria", can.slug),
    )
    .await
}

pub struct DriftView {
    pub id: String,
    pub name: String,
    pub reason: String,
    pub last_attended: String,
    pub reached: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stages/health.html")]
pub struct HealthPage {
    ctx: Layout,
    nav: CanNav,
    h: health::Health,
    criteria: Criteria,
    bars: Vec<(u32, u32, u32, u32)>,
    table: Vec<(String, String, i64, i64, u32)>,
    drifting: Vec<DriftView>,
    median: String,
    review: String,
    review_due: bool,
    check_ins: Vec<(String, i64, Option<[String; 5]>)>,
    load_history: Vec<(String, String, i32, i32, i32)>,
    on_schedule: String,
    can_reach_out: bool,
}

pub async fn health_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<HealthPage> {
    let can = &access.can;
    let tz = can.time_zone;
    let today = time::today_in(tz);
    let criteria = guide::criteria(&state.db, can.id).await?;
    let h = health::compute(&state.db, can.id, &criteria, today).await?;
    let past = h.held + h.cancelled + h.unrecorded;
    Ok(HealthPage {
        nav: CanNav::new(can, &access.membership, "health"),
        bars: health::bars(&h.attendance),
        table: h
            .attendance
            .iter()
            .map(|m| {
                (
                    time::date_in(m.starts_at, tz),
                    m.title.clone(),
                    m.present,
                    m.active,
                    (m.rate() * 100.0).round() as u32,
                )
            })
            .collect(),
        drifting: h
            .drifting
            .iter()
            .map(|d| DriftView {
                id: d.member_id.to_string(),
                name: d.name.clone(),
                reason: d.reason.clone(),
                last_attended: d
                    .last_attended
                    .map(|t| time::date_in(t, tz))
                    .unwrap_or_else(|| "never".into()),
                reached: d
                    .last_reach_out
                    .as_ref()
                    .map(|(who, at)| format!("{who} reached out on {}", time::date_in(*at, tz)))
                    .unwrap_or_default(),
            })
            .collect(),
        median: format!("{:.1}", h.median_load),
        review: h.review_on.map(time::date).unwrap_or_default(),
        review_due: h
            .review_on
            .is_some_and(|d| d <= today + chrono::Duration::days(30)),
        check_ins: h
            .check_ins
            .iter()
            .map(|c| {
                (
                    time::date_in(c.starts_at, tz),
                    c.answers,
                    c.averages.map(|a| a.map(|x| format!("{x:.1}"))),
                )
            })
            .collect(),
        load_history: h
            .load_history
            .iter()
            .map(|(d, m, o, i, s)| (time::date(*d), format!("{m:.1}"), *o, *i, *s))
            .collect(),
        on_schedule: if past == 0 {
            "no meetings in the last 8 weeks".into()
        } else {
            format!("{} of {past} ({}%)", h.held, h.held * 100 / past)
        },
        can_reach_out: access.membership.is_active(),
        criteria,
        h,
        ctx,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReachOutForm {
    member_id: String,
    note: String,
}

pub async fn reach_out(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Form(form): Form<ReachOutForm>,
) -> Result<Response> {
    let can = &access.can;
    let member: Uuid = form
        .member_id
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let note: String = form
        .note
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(500)
        .collect();
    let mut tx = state.db.begin().await?;
    let name: Option<String> = sqlx::query_scalar(
        "SELECT p.display_name FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.member_id = $2 AND m.status <> 'left'",
    )
    .bind(can.id)
    .bind(member)
    .fetch_optional(&mut *tx)
    .await?;
    let name = name.ok_or(AppError::NotFound)?;
    sqlx::query(
        "INSERT INTO reach_outs (id, can_id, member_id, by_id, note) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(can.id)
    .bind(member)
    .bind(access.me.id)
    .bind(&note)
    .execute(&mut *tx)
    .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "health.reached_out",
        ("member", member),
        format!("{} checked in with {name}", access.me.display_name),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &format!("Noted that you reached out to {name}. Thank you."),
        &format!("/c/{}/health#drifting", can.slug),
    )
    .await
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    zest: String,
    able_to_act: String,
    clarity: String,
    worth: String,
    connection: String,
    note: String,
}

pub const QUESTIONS: [(&str, &str); 5] = [
    ("zest", "Zest: how much energy do you leave with?"),
    (
        "able_to_act",
        "Able to act: do you feel you can do something about what matters?",
    ),
    (
        "clarity",
        "Clarity: how clear are you about yourself and the others?",
    ),
    ("worth", "Sense of worth: did you feel valued?"),
    ("connection", "Connection: do you want more of this?"),
];

#[derive(Template, WebTemplate)]
#[template(path = "stages/check_in.html")]
pub struct CheckInPage {
    ctx: Layout,
    nav: CanNav,
    id: String,
    title: String,
    questions: Vec<(&'static str, &'static str, String)>,
    note: String,
    errors: FieldErrors,
    done: bool,
}

/// The meeting, if the caller may check in: it was held and they were there.
async fn attendee_meeting(
    state: &AppState,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
) -> Result<(String, bool)> {
    let row: Option<(String, String, bool, bool, bool)> = sqlx::query_as(
        "SELECT g.title, g.status, g.ends_at < now() - make_interval(days => $4),
                EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = g.id AND a.member_id = $3),
                EXISTS (SELECT 1 FROM check_ins c WHERE c.meeting_id = g.id AND c.member_id = $3)
         FROM meetings g WHERE g.can_id = $1 AND g.id = $2",
    )
    .bind(access.can.id)
    .bind(id)
    .bind(access.me.id)
    .bind(health::CHECK_IN_DAYS)
    .fetch_optional(&state.db)
    .await?;
    let (title, status, closed, present, done) = row.ok_or(AppError::NotFound)?;
    if closed {
        return Err(AppError::Forbidden(
            "Check-ins close a week after the meeting; this one has closed.",
        ));
    }
    if status != "held" || !present {
        return Err(AppError::Forbidden(
            "Check-ins are for the people who were at a meeting, once it has been held.",
        ));
    }
    Ok((title, done))
}

fn questions(form: &CheckInForm) -> Vec<(&'static str, &'static str, String)> {
    let value = |k: &str| match k {
        "zest" => form.zest.clone(),
        "able_to_act" => form.able_to_act.clone(),
        "clarity" => form.clarity.clone(),
        "worth" => form.worth.clone(),
        _ => form.connection.clone(),
    };
    QUESTIONS.iter().map(|(k, q)| (*k, *q, value(k))).collect()
}

pub async fn check_in_page(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<CheckInPage> {
    let (title, done) = attendee_meeting(&state, &access, id).await?;
    Ok(CheckInPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "meetings"),
        id: id.to_string(),
        title,
        questions: questions(&CheckInForm::default()),
        note: String::new(),
        errors: FieldErrors::new(),
        done,
    })
}

pub async fn check_in(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<CheckInForm>,
) -> Result<Response> {
    let can = &access.can;
    let (title, done) = attendee_meeting(&state, &access, id).await?;
    let back = format!("/c/{}/meetings/{id}", can.slug);
    if done {
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Info,
            "You have already checked in for this meeting; one check-in each.",
            &back,
        )
        .await;
    }
    let mut errors = FieldErrors::new();
    let mut score = |field: &'static str, raw: &str| {
        errors.check(
            field,
            match raw.trim().parse::<i16>() {
                Ok(n) if (1..=5).contains(&n) => Ok(n),
                _ => Err("Choose a score from 1 to 5.".to_string()),
            },
        )
    };
    let scores = (
        score("zest", &form.zest),
        score("able_to_act", &form.able_to_act),
        score("clarity", &form.clarity),
        score("worth", &form.worth),
        score("connection", &form.connection),
    );
    let note = errors.check("note", webforms::text(&form.note, "your note", 0, 1000));
    let ((Some(z), Some(a), Some(c), Some(w), Some(n)), Some(note)) = (scores, note) else {
        let page = CheckInPage {
            ctx,
            nav: CanNav::new(can, &access.membership, "meetings"),
            id: id.to_string(),
            title,
            questions: questions(&form),
            note: form.note.clone(),
            errors,
            done: false,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    sqlx::query(
        "INSERT INTO check_ins (meeting_id, can_id, member_id, zest, able_to_act, clarity, worth, connection, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (meeting_id, member_id) DO NOTHING",
    )
    .bind(id)
    .bind(can.id)
    .bind(access.me.id)
    .bind(z)
    .bind(a)
    .bind(c)
    .bind(w)
    .bind(n)
    .bind(&note)
    .execute(&state.db)
    .await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Thank you. Only averages of three or more answers are ever shown.",
        &back,
    )
    .await
}
