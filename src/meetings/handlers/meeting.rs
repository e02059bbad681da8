//! One meeting: its time in the group's zone and the viewer's, place, facilitator and note-taker
//! (with a fair rotation suggestion), the agenda, RSVPs, attendance, minutes (with a version check
//! so two note-takers never overwrite each other), decisions, and action items; moving or
//! cancelling it; finishing it, which carries open agenda items to the next meeting; and a
//! printable meeting pack.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use uuid::Uuid;

use super::schedules;
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Facilitator, Member, Requirement};
use crate::cans::activity;
use crate::cans::model::Membership;
use crate::cans::nav::CanNav;
use crate::error::{AppError, Result};
use crate::meetings::forms::{
    self, ActionForm, AgendaChangeForm, AgendaForm, AttendanceForm, DecisionForm, MinutesForm,
    MoveForm, RolesForm, RsvpForm,
};
use crate::meetings::queries::{self, Meeting};
use crate::meetings::{recurrence, when, when_for_viewer};
use crate::web::forms::{self as webforms, FieldErrors};
use crate::web::{FlashKind, Form, Layout, MultiForm, Path, redirect_with_flash, time};

/// Who may take attendance, write minutes and record decisions: the meeting's facilitator and
/// note-taker, and the group's facilitators and organisers.
fn runs(meeting: &Meeting, me: Uuid, m: &Membership) -> bool {
    schedules(m)
        || (m.is_active()
            && (meeting.facilitator_id == Some(me) || meeting.note_taker_id == Some(me)))
}

pub struct AgendaView {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub budget: String,
    pub status: String,
    pub carried: bool,
    pub first: bool,
    pub last: bool,
}

pub struct ActionView {
    pub id: String,
    /// Whether the viewer owns it (and so may tick it off).
    pub mine: bool,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub done: bool,
    pub from: String,
}

pub struct PersonView {
    pub id: String,
    pub name: String,
    pub rsvp: &'static str,
    pub present: bool,
}

pub struct Suggestion {
    pub facilitator_id: String,
    pub facilitator: String,
    pub note_taker_id: String,
    pub note_taker: String,
}

/// What a re-rendered page keeps of a refused submission.
#[derive(Default)]
pub struct Kept {
    pub errors: FieldErrors,
    pub notice: String,
    pub minutes: Option<String>,
    pub newer_minutes: Option<String>,
    pub minutes_version: Option<i32>,
    pub action: ActionForm,
    pub agenda: AgendaForm,
    pub moved: Option<MoveForm>,
    pub decision: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/meeting.html")]
pub struct MeetingPage {
    ctx: Layout,
    nav: CanNav,
    id: String,
    title: String,
    when_group: String,
    when_viewer: Option<String>,
    tz: chrono_tz::Tz,
    location: String,
    location_is_link: bool,
    status: &'static str,
    cancelled: bool,
    series_id: Option<String>,
    facilitator: String,
    note_taker: String,
    facilitator_id: String,
    note_taker_id: String,
    can_schedule: bool,
    can_run: bool,
    can_take_part: bool,
    suggestion: Option<Suggestion>,
    members: Vec<(String, String)>,
    agenda: Vec<AgendaView>,
    yes: Vec<String>,
    maybe: Vec<String>,
    no: Vec<String>,
    my_rsvp: String,
    people: Vec<PersonView>,
    attended: usize,
    minutes: String,
    minutes_version: i32,
    newer_minutes: Option<String>,
    decisions: Vec<String>,
    actions: Vec<ActionView>,
    earlier_actions: Vec<ActionView>,
    kept: Kept,
    move_form: MoveForm,
}

fn action_view(a: &queries::ActionItem, tz: chrono_tz::Tz, me: Uuid) -> ActionView {
    ActionView {
        id: a.id.to_string(),
        mine: a.owner_id == Some(me),
        title: a.title.clone(),
        owner: a.owner.clone().unwrap_or_default(),
        due: a.due_on.map(time::date).unwrap_or_default(),
        done: a.status == "done",
        from: format!(
            "{} ({})",
            a.from_meeting,
            time::date_in(a.from_starts_at, tz)
        ),
    }
}

async fn render<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    id: Uuid,
    kept: Kept,
) -> Result<MeetingPage> {
    let can = &access.can;
    let tz = can.time_zone;
    let g = queries::meeting(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let me = access.me.id;
    let m = &access.membership;
    let can_run = runs(&g, me, m);
    let people = queries::people(&state.db, can.id, g.id).await?;
    let names = |answer: &str| -> Vec<String> {
        people
            .iter()
            .filter(|p| p.rsvp.as_deref() == Some(answer))
            .map(|p| p.name.clone())
            .collect()
    };
    let suggestion = if can_run && g.status == "scheduled" && g.rotate_roles == Some(true) {
        let fac = queries::suggest(&state.db, can.id, g.id, g.starts_at, true, None).await?;
        let nt = queries::suggest(
            &state.db,
            can.id,
            g.id,
            g.starts_at,
            false,
            fac.as_ref().map(|f| f.0),
        )
        .await?;
        match (fac, nt) {
            (Some((fid, fname)), Some((nid, nname))) => Some(Suggestion {
                facilitator_id: fid.to_string(),
                facilitator: fname,
                note_taker_id: nid.to_string(),
                note_taker: nname,
            }),
            _ => None,
        }
    } else {
        None
    };
    let agenda = queries::agenda(&state.db, g.id).await?;
    let count = agenda.len();
    let local_start = g.starts_at.with_timezone(&tz);
    let move_form = kept.moved.clone().unwrap_or_else(|| MoveForm {
        date: local_start.format("%Y-%m-%d").to_string(),
        time: local_start.format("%H:%M").to_string(),
        duration_minutes: (g.ends_at - g.starts_at).num_minutes().to_string(),
    });
    Ok(MeetingPage {
        nav: CanNav::new(can, m, "meetings"),
        id: g.id.to_string(),
        title: g.title.clone(),
        when_group: when(g.starts_at, g.ends_at, tz),
        when_viewer: when_for_viewer(g.starts_at, g.ends_at, tz, access.me.time_zone),
        tz,
        location_is_link: g.location.starts_with("https://") || g.location.starts_with("http://"),
        location: g.location.clone(),
        status: match g.status.as_str() {
            "cancelled" => "Cancelled",
            "held" => "Held",
            _ => "Scheduled",
        },
        cancelled: g.status == "cancelled",
        series_id: g.series_id.map(|s| s.to_string()),
        facilitator: g.facilitator.clone().unwrap_or_default(),
        note_taker: g.note_taker.clone().unwrap_or_default(),
        facilitator_id: g.facilitator_id.map(|i| i.to_string()).unwrap_or_default(),
        note_taker_id: g.note_taker_id.map(|i| i.to_string()).unwrap_or_default(),
        can_schedule: schedules(m),
        can_run,
        can_take_part: m.is_active(),
        suggestion,
        members: people
            .iter()
            .filter(|p| p.status == "active")
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        agenda: agenda
            .into_iter()
            .enumerate()
            .map(|(i, a)| AgendaView {
                id: a.id.to_string(),
                title: a.title,
                owner: a.owner.unwrap_or_default(),
                budget: a
                    .minutes_budget
                    .map(|b| format!("{b} min"))
                    .unwrap_or_default(),
                status: a.status,
                carried: a.carried,
                first: i == 0,
                last: i + 1 == count,
            })
            .collect(),
        yes: names("yes"),
        maybe: names("maybe"),
        no: names("no"),
        my_rsvp: people
            .iter()
            .find(|p| p.id == me)
            .and_then(|p| p.rsvp.clone())
            .unwrap_or_default(),
        attended: people.iter().filter(|p| p.present).count(),
        people: people
            .iter()
            .map(|p| PersonView {
                id: p.id.to_string(),
                name: p.name.clone(),
                rsvp: match p.rsvp.as_deref() {
                    Some("yes") => "said yes",
                    Some("no") => "said no",
                    Some("maybe") => "said maybe",
                    _ => "no answer",
                },
                present: p.present,
            })
            .collect(),
        minutes: kept.minutes.clone().unwrap_or_else(|| g.minutes.clone()),
        minutes_version: kept.minutes_version.unwrap_or(g.minutes_version),
        newer_minutes: kept.newer_minutes.clone(),
        decisions: queries::decisions(&state.db, g.id)
            .await?
            .into_iter()
            .map(|d| d.body)
            .collect(),
        actions: queries::actions_of(&state.db, g.id)
            .await?
            .iter()
            .map(|a| action_view(a, tz, me))
            .collect(),
        earlier_actions: queries::open_earlier_actions(&state.db, can.id, g.series_id, g.starts_at)
            .await?
            .iter()
            .map(|a| action_view(a, tz, me))
            .collect(),
        kept,
        move_form,
        ctx,
    })
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<MeetingPage> {
    render(&state, &access, ctx, id, Kept::default()).await
}

async fn refuse<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    id: Uuid,
    status: StatusCode,
    kept: Kept,
) -> Result<Response> {
    Ok((status, render(state, access, ctx, id, kept).await?).into_response())
}

fn back(access_slug: &str, id: Uuid, anchor: &str) -> String {
    format!("/c/{access_slug}/meetings/{id}#{anchor}")
}

pub async fn move_one(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let can = &access.can;
    let g = queries::meeting(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let date = errors.check("date", forms::date(&form.date, "the date"));
    let at = errors.check("time", forms::time(&form.time));
    let minutes = errors.check("duration_minutes", forms::duration(&form.duration_minutes));
    if g.status != "scheduled" {
        errors.add("date", "Only a scheduled meeting can be moved.");
    }
    let today = time::today_in(can.time_zone);
    if date.is_some_and(|d| d < today || d > today + chrono::Duration::days(730)) {
        errors.add("date", "Choose a date from today to two years ahead.");
    }
    let (Some(date), Some(at), Some(minutes)) = (date, at, minutes) else {
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Kept {
                errors,
                moved: Some(form),
                ..Kept::default()
            },
        )
        .await;
    };
    if !errors.is_empty() {
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Kept {
                errors,
                moved: Some(form),
                ..Kept::default()
            },
        )
        .await;
    }
    let zone = can.time_zone;
    let start = recurrence::instant(date, at, zone);
    let end = start + chrono::Duration::minutes(i64::from(minutes));
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE meetings SET starts_at = $3, ends_at = $4, moved = true, sequence = sequence + 1,
                reminder_sent_at = NULL
         WHERE can_id = $1 AND id = $2",
    )
    .bind(can.id)
    .bind(id)
    .bind(start)
    .bind(end)
    .execute(&mut *tx)
    .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "meeting.moved",
        ("meeting", id),
        format!(
            "{} moved “{}” to {}",
            access.me.display_name,
            g.title,
            when(start, end, can.time_zone)
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The meeting is moved; calendars will update.",
        &back(&can.slug, id, "top"),
    )
    .await
}

pub async fn cancel(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let can = &access.can;
    let g = queries::meeting(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let done = sqlx::query(
        "UPDATE meetings SET status = 'cancelled', moved = true, sequence = sequence + 1
         WHERE can_id = $1 AND id = $2 AND status = 'scheduled'",
    )
    .bind(can.id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 1 {
        activity::log(
            &mut *tx,
            can.id,
            access.me.id,
            "meeting.cancelled",
            ("meeting", id),
            format!(
                "{} cancelled “{}” on {}",
                access.me.display_name,
                g.title,
                time::date_in(g.starts_at, can.time_zone)
            ),
        )
        .await?;
    }
    tx.commit().await?;
    let text = if done.rows_affected() == 1 {
        "The meeting is cancelled. The other meetings of the series are unchanged."
    } else {
        "Only a scheduled meeting can be cancelled."
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Info,
        text,
        &back(&can.slug, id, "top"),
    )
    .await
}

pub async fn rsvp(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<RsvpForm>,
) -> Result<Response> {
    let can = &access.can;
    let g = queries::meeting(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if g.status == "cancelled" {
        let notice =
            "This meeting is cancelled, so there is nothing to answer. Nothing was changed."
                .to_string();
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::CONFLICT,
            Kept {
                notice,
                ..Kept::default()
            },
        )
        .await;
    }
    if !matches!(form.answer.as_str(), "yes" | "no" | "maybe") {
        return Err(AppError::BadRequest("Answer yes, no or maybe."));
    }
    queries::set_rsvp(&state.db, can.id, id, access.me.id, &form.answer).await?;
    let text = match form.answer.as_str() {
        "yes" => "See you there.",
        "no" => "Thanks for letting the group know.",
        _ => "Noted as maybe.",
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        text,
        &back(&can.slug, id, "rsvp"),
    )
    .await
}

pub async fn set_roles(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<RolesForm>,
) -> Result<Response> {
    let can = &access.can;
    let g = queries::meeting(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let fac = errors.check("facilitator_id", forms::optional_id(&form.facilitator_id));
    let nt = errors.check("note_taker_id", forms::optional_id(&form.note_taker_id));
    let mut tx = state.db.begin().await?;
    for (field, who) in [
        ("facilitator_id", fac.flatten()),
        ("note_taker_id", nt.flatten()),
    ] {
        if let Some(who) = who
            && !queries::is_member(&mut tx, can.id, who).await?
        {
            errors.add(field, "Choose an active member of this CAN.");
        }
    }
    if !errors.is_empty() {
        drop(tx);
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Kept {
                errors,
                ..Kept::default()
            },
        )
        .await;
    }
    sqlx::query("UPDATE meetings SET facilitator_id = $3, note_taker_id = $4, sequence = sequence + 1 WHERE can_id = $1 AND id = $2")
        .bind(can.id)
        .bind(id)
        .bind(fac.flatten())
        .bind(nt.flatten())
        .execute(&mut *tx)
        .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "meeting.roles_set",
        ("meeting", id),
        format!(
            "{} set who facilitates and takes notes at “{}”",
            access.me.display_name, g.title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Facilitator and note-taker are set.",
        &back(&can.slug, id, "roles"),
    )
    .await
}

/// The meeting and whether the caller runs it (404 for another CAN's id, 403 for a non-runner).
async fn for_runner(
    state: &AppState,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
) -> Result<Meeting> {
    let g = queries::meeting(&state.db, access.can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !runs(&g, access.me.id, &access.membership) {
        return Err(AppError::Forbidden(
            "Only this meeting's facilitator and note-taker, and the group's facilitators and organisers, can do this.",
        ));
    }
    Ok(g)
}

pub async fn attendance(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    MultiForm(form): MultiForm<AttendanceForm>,
) -> Result<Response> {
    let can = &access.can;
    let g = for_runner(&state, &access, id).await?;
    if g.status == "cancelled" {
        let notice =
            "This meeting was cancelled: there is no attendance to take. Nothing was changed."
                .to_string();
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::CONFLICT,
            Kept {
                notice,
                ..Kept::default()
            },
        )
        .await;
    }
    if g.starts_at > Utc::now() + chrono::Duration::hours(1) {
        let notice = "Attendance is taken at or after the meeting, not days before.".to_string();
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::CONFLICT,
            Kept {
                notice,
                ..Kept::default()
            },
        )
        .await;
    }
    let present: Vec<Uuid> = form.present.iter().filter_map(|p| p.parse().ok()).collect();
    let mut tx = state.db.begin().await?;
    let n = queries::set_attendance(&mut tx, can.id, id, &present, access.me.id).await?;
    sqlx::query("UPDATE meetings SET status = 'held' WHERE can_id = $1 AND id = $2 AND status = 'scheduled' AND starts_at <= now()")
        .bind(can.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "meeting.attendance",
        ("meeting", id),
        format!(
            "{} recorded {n} present at “{}”",
            access.me.display_name, g.title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &format!("Attendance saved: {n} present."),
        &back(&can.slug, id, "attendance"),
    )
    .await
}

pub async fn minutes(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<MinutesForm>,
) -> Result<Response> {
    let can = &access.can;
    let g = for_runner(&state, &access, id).await?;
    let mut errors = FieldErrors::new();
    let text = errors.check(
        "minutes",
        webforms::text(&form.minutes, "the minutes", 0, 20_000),
    );
    let Some(text) = text else {
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Kept {
                errors,
                minutes: Some(form.minutes),
                ..Kept::default()
            },
        )
        .await;
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    let saved = sqlx::query(
        "UPDATE meetings SET minutes = $3, minutes_version = minutes_version + 1, minutes_updated_by = $5,
                minutes_updated_at = now()
         WHERE can_id = $1 AND id = $2 AND minutes_version = $4",
    )
    .bind(can.id)
    .bind(id)
    .bind(&text)
    .bind(version)
    .bind(access.me.id)
    .execute(&mut *tx)
    .await?;
    if saved.rows_affected() == 0 {
        drop(tx);
        // Someone saved first: show their text beside ours and keep ours in the box.
        let mut errors = FieldErrors::new();
        errors.add("minutes", "Someone else saved the minutes while you were writing. Their text is shown above yours: merge what you need and save again.");
        let latest = queries::meeting(&state.db, can.id, id).await?.unwrap_or(g);
        let kept = Kept {
            errors,
            minutes: Some(form.minutes),
            newer_minutes: Some(latest.minutes.clone()),
            minutes_version: Some(latest.minutes_version),
            ..Kept::default()
        };
        return refuse(&state, &access, ctx, id, StatusCode::CONFLICT, kept).await;
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "meeting.minutes",
        ("meeting", id),
        format!(
            "{} saved the minutes of “{}”",
            access.me.display_name, g.title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The minutes are saved.",
        &back(&can.slug, id, "minutes"),
    )
    .await
}

pub async fn decision(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response> {
    let can = &access.can;
    let g = for_runner(&state, &access, id).await?;
    let mut errors = FieldErrors::new();
    let Some(body) = errors.check(
        "decision",
        webforms::text(&form.decision, "the decision", 3, 1000),
    ) else {
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Kept {
                errors,
                decision: form.decision,
                ..Kept::default()
            },
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO decisions (id, can_id, meeting_id, body, recorded_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(Uuid::now_v7())
        .bind(can.id)
        .bind(id)
        .bind(&body)
        .bind(access.me.id)
        .execute(&mut *tx)
        .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "meeting.decision",
        ("meeting", id),
        format!(
            "{} recorded a decision at “{}”: {}",
            access.me.display_name, g.title, body
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The decision is recorded.",
        &back(&can.slug, id, "decisions"),
    )
    .await
}

pub async fn action(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<ActionForm>,
) -> Result<Response> {
    let can = &access.can;
    let g = for_runner(&state, &access, id).await?;
    let mut errors = FieldErrors::new();
    let title = errors.check(
        "action_title",
        webforms::line(&form.action_title, "the action", 3, 200),
    );
    let owner = errors.check("action_owner", forms::optional_id(&form.action_owner));
    let due = if form.action_due.trim().is_empty() {
        Some(None)
    } else {
        errors.check(
            "action_due",
            forms::date(&form.action_due, "the due date").map(Some),
        )
    };
    let mut tx = state.db.begin().await?;
    if let Some(Some(owner)) = owner
        && !queries::is_member(&mut tx, can.id, owner).await?
    {
        errors.add("action_owner", "Choose an active member of this CAN.");
    }
    let (Some(title), Some(owner), Some(due)) = (title, owner, due) else {
        drop(tx);
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Kept {
                errors,
                action: form,
                ..Kept::default()
            },
        )
        .await;
    };
    if !errors.is_empty() {
        drop(tx);
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Kept {
                errors,
                action: form,
                ..Kept::default()
            },
        )
        .await;
    }
    sqlx::query(
        "INSERT INTO action_items (id, can_id, meeting_id, title, owner_id, due_on, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(can.id)
    .bind(id)
    .bind(&title)
    .bind(owner)
    .bind(due)
    .bind(access.me.id)
    .execute(&mut *tx)
    .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "meeting.action",
        ("meeting", id),
        format!(
            "{} noted an action at “{}”: {}",
            access.me.display_name, g.title, title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The action item is noted.",
        &back(&can.slug, id, "actions"),
    )
    .await
}

pub async fn action_done(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id, action)): Path<(String, Uuid, Uuid)>,
) -> Result<Response> {
    let can = &access.can;
    queries::meeting(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The owner, or whoever runs meetings, may tick an action off.
    let done = sqlx::query(
        "UPDATE action_items a SET status = 'done', done_at = now()
         WHERE a.can_id = $1 AND a.id = $2 AND a.status = 'open'
           AND (a.owner_id = $3 OR $4)",
    )
    .bind(can.id)
    .bind(action)
    .bind(access.me.id)
    .bind(schedules(&access.membership))
    .execute(&state.db)
    .await?;
    if done.rows_affected() == 0 {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM action_items WHERE can_id = $1 AND id = $2")
                .bind(can.id)
                .bind(action)
                .fetch_optional(&state.db)
                .await?;
        match status.as_deref() {
            None => return Err(AppError::NotFound),
            Some("open") => {
                return Err(AppError::Forbidden(
                    "Only the action's owner, and the group's facilitators and organisers, can mark it done.",
                ));
            }
            _ => {}
        }
    }
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Marked done.",
        &back(&can.slug, id, "actions"),
    )
    .await
}

pub async fn agenda_add(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<AgendaForm>,
) -> Result<Response> {
    let can = &access.can;
    let g = queries::meeting(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    if g.status == "cancelled" {
        errors.add(
            "item_title",
            "This meeting is cancelled; propose the item for another one.",
        );
    }
    let title = errors.check(
        "item_title",
        webforms::line(&form.item_title, "the item", 3, 200),
    );
    let owner = errors.check("item_owner", forms::optional_id(&form.item_owner));
    let budget = if form.item_minutes.trim().is_empty() {
        Some(None)
    } else {
        errors.check(
            "item_minutes",
            match form.item_minutes.trim().parse::<i32>() {
                Ok(n) if (1..=480).contains(&n) => Ok(Some(n)),
                _ => Err("Give the minutes as a number from 1 to 480.".to_string()),
            },
        )
    };
    let mut tx = state.db.begin().await?;
    // One agenda change at a time per meeting, so positions stay distinct.
    sqlx::query("SELECT 1 FROM meetings WHERE can_id = $1 AND id = $2 FOR UPDATE")
        .bind(can.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if let Some(Some(owner)) = owner
        && !queries::is_member(&mut tx, can.id, owner).await?
    {
        errors.add("item_owner", "Choose an active member of this CAN.");
    }
    let (Some(title), Some(owner), Some(budget), true) = (title, owner, budget, errors.is_empty())
    else {
        drop(tx);
        return refuse(
            &state,
            &access,
            ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Kept {
                errors,
                agenda: form,
                ..Kept::default()
            },
        )
        .await;
    };
    sqlx::query(
        "INSERT INTO agenda_items (id, can_id, meeting_id, position, title, owner_id, minutes_budget, proposed_by)
         VALUES ($1, $2, $3, (SELECT COALESCE(max(position), 0) + 1 FROM agenda_items WHERE meeting_id = $3), $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(can.id)
    .bind(id)
    .bind(&title)
    .bind(owner)
    .bind(budget)
    .bind(access.me.id)
    .execute(&mut *tx)
    .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "meeting.agenda_item",
        ("meeting", id),
        format!(
            "{} proposed “{}” for “{}”",
            access.me.display_name, title, g.title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The item is on the agenda.",
        &back(&can.slug, id, "agenda"),
    )
    .await
}

/// Reorders an item (up/down) or sets its status (done, dropped, open): for those who run it.
pub async fn agenda_change(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id, item)): Path<(String, Uuid, Uuid)>,
    Form(form): Form<AgendaChangeForm>,
) -> Result<Response> {
    let can = &access.can;
    for_runner(&state, &access, id).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("SELECT 1 FROM meetings WHERE can_id = $1 AND id = $2 FOR UPDATE")
        .bind(can.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let found: Option<i32> = sqlx::query_scalar(
        "SELECT position FROM agenda_items WHERE can_id = $1 AND meeting_id = $2 AND id = $3 FOR UPDATE",
    )
    .bind(can.id)
    .bind(id)
    .bind(item)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(position) = found else {
        return Err(AppError::NotFound);
    };
    match (form.direction.as_str(), form.status.as_str()) {
        ("up" | "down", _) => {
            let neighbour: Option<(Uuid, i32)> = sqlx::query_as(&format!(
                "SELECT id, position FROM agenda_items WHERE meeting_id = $1 AND position {} $2
                 ORDER BY position {} LIMIT 1 FOR UPDATE",
                if form.direction == "up" { "<" } else { ">" },
                if form.direction == "up" {
                    "DESC"
                } else {
                    "ASC"
                }
            ))
            .bind(id)
            .bind(position)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((other, other_position)) = neighbour {
                sqlx::query("UPDATE agenda_items SET position = $2 WHERE id = $1")
                    .bind(item)
                    .bind(other_position)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE agenda_items SET position = $2 WHERE id = $1")
                    .bind(other)
                    .bind(position)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        (_, "open" | "done" | "dropped") => {
            sqlx::query("UPDATE agenda_items SET status = $2 WHERE id = $1")
                .bind(item)
                .bind(&form.status)
                .execute(&mut *tx)
                .await?;
        }
        _ => {
            return Err(AppError::BadRequest(
                "That is not a change we know for an agenda item.",
            ));
        }
    }
    tx.commit().await?;
    Ok(axum::response::Redirect::to(&back(&can.slug, id, "agenda")).into_response())
}

/// Marks the meeting held and carries its open agenda items to the series' next meeting (once).
pub async fn finish(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let can = &access.can;
    let g = for_runner(&state, &access, id).await?;
    if g.status == "cancelled" {
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Error,
            "A cancelled meeting cannot be finished.",
            &back(&can.slug, id, "top"),
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    let (already, status, starts_at): (bool, String, chrono::DateTime<Utc>) = sqlx::query_as(
        "SELECT carried_forward, status, starts_at FROM meetings WHERE can_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(can.id)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if status == "cancelled" || starts_at > Utc::now() + chrono::Duration::hours(1) {
        drop(tx);
        let text = if status == "cancelled" {
            "A cancelled meeting cannot be closed."
        } else {
            "A meeting is closed once it has taken place."
        };
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Error,
            text,
            &back(&can.slug, id, "top"),
        )
        .await;
    }
    let first_time = !already;
    sqlx::query("UPDATE meetings SET status = 'held' WHERE can_id = $1 AND id = $2")
        .bind(can.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let mut carried = 0;
    let mut next = None;
    if first_time && let Some(series_id) = g.series_id {
        next = queries::next_in_series(&mut tx, can.id, series_id, g.starts_at).await?;
        if let Some(next_id) = next {
            // Lock the next meeting's agenda while adding to it.
            sqlx::query("SELECT 1 FROM meetings WHERE id = $1 FOR UPDATE")
                .bind(next_id)
                .execute(&mut *tx)
                .await?;
            let done = sqlx::query(
                "INSERT INTO agenda_items (id, can_id, meeting_id, position, title, owner_id, minutes_budget, proposed_by, carried_from)
                 SELECT gen_random_uuid(), a.can_id, $3,
                        (SELECT COALESCE(max(position), 0) FROM agenda_items WHERE meeting_id = $3) + row_number() OVER (ORDER BY a.position),
                        a.title, a.owner_id, a.minutes_budget, a.proposed_by, a.id
                 FROM agenda_items a WHERE a.can_id = $1 AND a.meeting_id = $2 AND a.status = 'open'
                   AND NOT EXISTS (SELECT 1 FROM agenda_items b WHERE b.meeting_id = $3 AND b.title = a.title)",
            )
            .bind(can.id)
            .bind(id)
            .bind(next_id)
            .execute(&mut *tx)
            .await?;
            carried = done.rows_affected();
            sqlx::query("UPDATE meetings SET carried_forward = true WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "meeting.finished",
        ("meeting", id),
        format!(
            "{} closed “{}”; {carried} open agenda item(s) carried forward",
            access.me.display_name, g.title
        ),
    )
    .await?;
    tx.commit().await?;
    let text = match (carried, next) {
        (0, _) => "The meeting is closed.".to_string(),
        (n, Some(next)) => format!(
            "The meeting is closed. {n} open agenda item(s) moved to the next meeting (/c/{}/meetings/{next}).",
            can.slug
        ),
        (n, None) => format!("The meeting is closed. {n} open item(s) carried."),
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &text,
        &back(&can.slug, id, "top"),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/pack.html")]
pub struct PackPage {
    can_name: String,
    title: String,
    when_group: String,
    location: String,
    facilitator: String,
    note_taker: String,
    agenda: Vec<AgendaView>,
    last_decisions: Vec<(String, String)>,
    open_actions: Vec<ActionView>,
    sign_in: Vec<String>,
    blank_lines: Vec<u8>,
}

/// A print-friendly meeting pack: agenda, recent decisions, open actions and a sign-in sheet.
pub async fn pack(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<PackPage> {
    let can = &access.can;
    let tz = can.time_zone;
    let me = access.me.id;
    let g = queries::meeting(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let agenda = queries::agenda(&state.db, g.id).await?;
    let mut open_actions: Vec<ActionView> =
        queries::open_earlier_actions(&state.db, can.id, g.series_id, g.starts_at)
            .await?
            .iter()
            .map(|a| action_view(a, tz, me))
            .collect();
    open_actions.extend(
        queries::actions_of(&state.db, g.id)
            .await?
            .iter()
            .filter(|a| a.status == "open")
            .map(|a| action_view(a, tz, me)),
    );
    let people = queries::people(&state.db, can.id, g.id).await?;
    Ok(PackPage {
        can_name: can.name.clone(),
        title: g.title.clone(),
        when_group: when(g.starts_at, g.ends_at, tz),
        location: g.location.clone(),
        facilitator: g.facilitator.clone().unwrap_or_else(|| "—".into()),
        note_taker: g.note_taker.clone().unwrap_or_else(|| "—".into()),
        agenda: agenda
            .into_iter()
            .filter(|a| a.status != "dropped")
            .map(|a| AgendaView {
                id: a.id.to_string(),
                title: a.title,
                owner: a.owner.unwrap_or_default(),
                budget: a
                    .minutes_budget
                    .map(|b| format!("{b} min"))
                    .unwrap_or_default(),
                status: a.status,
                carried: a.carried,
                first: false,
                last: false,
            })
            .collect(),
        last_decisions: queries::earlier_decisions(&state.db, can.id, g.series_id, g.starts_at, 10)
            .await?
            .into_iter()
            .map(|d| (time::date_in(d.meeting_starts_at, tz), d.body))
            .collect(),
        open_actions,
        sign_in: people
            .iter()
            .filter(|p| p.status == "active")
            .map(|p| p.name.clone())
            .collect(),
        blank_lines: vec![0; 5],
    })
}
