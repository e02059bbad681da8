//! Pages and actions for responsibilities.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::forms::{
    AssignForm, DeclineForm, HandoffForm, NewResponsibility, ProgressForm, ResponsibilityForm,
    VolunteerForm,
};
use super::load;
use super::queries::{self, Row};
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Coordinator, Facilitator, Member, Requirement};
use crate::cans::activity;
use crate::cans::model::{Membership, Role};
use crate::cans::nav::CanNav;
use crate::error::{AppError, Result};
use crate::outbox::{self, NewMail};
use crate::web::forms::{self as webforms, FieldErrors};
use crate::web::{FlashKind, Form, Layout, Path, Query, redirect_with_flash, time};

fn coordinates(m: &Membership) -> bool {
    m.is_active() && (m.has(Role::Coordinator) || m.has(Role::Organiser))
}

pub struct Card {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub goal: String,
    pub carriers: String,
    pub backups: String,
    pub due: String,
    pub overdue: bool,
    pub single_point: bool,
}

fn card(r: &Row, today: chrono::NaiveDate) -> Card {
    Card {
        id: r.id.to_string(),
        title: r.title.clone(),
        kind: if r.kind == "ongoing" {
            "Ongoing role"
        } else {
            "Task"
        },
        goal: r.goal.clone().unwrap_or_default(),
        carriers: r.carriers.join(", "),
        backups: r.backups.join(", "),
        due: r.due_on.map(time::date).unwrap_or_default(),
        overdue: is_overdue(r, today),
        single_point: r.status == "active" && r.carriers.len() == 1 && r.backups.is_empty(),
    }
}

fn is_overdue(r: &Row, today: chrono::NaiveDate) -> bool {
    matches!(r.status.as_str(), "open" | "active") && r.due_on.is_some_and(|d| d < today)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BoardQuery {
    filter: String,
    by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "responsibilities/board.html")]
pub struct BoardPage {
    ctx: Layout,
    nav: CanNav,
    groups: Vec<(String, Vec<Card>)>,
    filter: String,
    by: String,
    can_create: bool,
    total: usize,
}

pub async fn board(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Query(q): Query<BoardQuery>,
) -> Result<BoardPage> {
    let can = &access.can;
    let today = time::today_in(can.time_zone);
    let rows = queries::all(&state.db, can.id).await?;
    let me = access.me.id;
    let keep = |r: &&Row| match q.filter.as_str() {
        "unowned" => matches!(r.status.as_str(), "open" | "active") && r.carriers.is_empty(),
        "no_backup" => matches!(r.status.as_str(), "open" | "active") && r.backups.is_empty(),
        "overdue" => is_overdue(r, today),
        "mine" => r.carrier_ids.contains(&me) || r.backup_ids.contains(&me),
        _ => true,
    };
    let shown: Vec<&Row> = rows.iter().filter(keep).collect();
    let mut groups: Vec<(String, Vec<Card>)> = Vec::new();
    let by_goal = q.by == "goal";
    for r in &shown {
        let key = if by_goal {
            r.goal
                .clone()
                .unwrap_or_else(|| "Not linked to a goal".into())
        } else {
            match r.status.as_str() {
                "open" => "Open: nobody carries it yet",
                "active" => "Active",
                "done" => "Done",
                _ => "Dropped",
            }
            .to_string()
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, cards)) => cards.push(card(r, today)),
            None => groups.push((key, vec![card(r, today)])),
        }
    }
    Ok(BoardPage {
        ctx,
        nav: CanNav::new(can, &access.membership, "responsibilities"),
        total: shown.len(),
        groups,
        filter: q.filter,
        by: q.by,
        can_create: coordinates(&access.membership),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "responsibilities/form.html")]
pub struct FormPage {
    ctx: Layout,
    nav: CanNav,
    form: ResponsibilityForm,
    goals: Vec<(String, String)>,
    errors: FieldErrors,
    past_due: bool,
    /// The responsibility being changed, or `None` when describing a new one.
    editing: Option<String>,
}

async fn form_page<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    form: ResponsibilityForm,
    errors: FieldErrors,
) -> Result<FormPage> {
    Ok(FormPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "responsibilities"),
        past_due: errors
            .get("due_on")
            .is_some_and(|m| m.contains("already past")),
        goals: queries::goals(&state.db, access.can.id)
            .await?
            .into_iter()
            .map(|(i, t)| (i.to_string(), t))
            .collect(),
        form,
        errors,
        editing: None,
    })
}

pub async fn new_page(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
) -> Result<FormPage> {
    let form = ResponsibilityForm {
        kind: "ongoing".into(),
        effort: "1".into(),
        ..Default::default()
    };
    form_page(&state, &access, ctx, form, FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Form(form): Form<ResponsibilityForm>,
) -> Result<Response> {
    let can = &access.can;
    let today = time::today_in(can.time_zone);
    let mut parsed = NewResponsibility::parse(&form, today);
    let mut tx = state.db.begin().await?;
    if let Ok(r) = &parsed
        && let Some(goal) = r.goal_id
        && !queries::goal_exists(&mut tx, can.id, goal).await?
    {
        let mut errors = FieldErrors::new();
        errors.add("goal_id", "Choose a goal from the list.");
        parsed = Err(errors);
    }
    let r = match parsed {
        Ok(r) => r,
        Err(errors) => {
            drop(tx);
            let page = form_page(&state, &access, ctx, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let id = queries::insert(&mut tx, can.id, &r, access.me.id, None).await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "responsibility.created",
        ("responsibility", id),
        format!(
            "{} described the responsibility “{}”",
            access.me.display_name, r.title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The responsibility is on the board. Now find someone to carry it, and a backup.",
        &format!("/c/{}/responsibilities/{id}", can.slug),
    )
    .await
}

pub struct HoldingView {
    pub name: String,
    pub kind: &'static str,
    pub from: String,
    pub until: String,
    pub arranged_by: String,
    pub how: String,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "responsibilities/detail.html")]
pub struct DetailPage {
    ctx: Layout,
    nav: CanNav,
    r: Row,
    kind: &'static str,
    due: String,
    term: String,
    overdue: bool,
    single_point: bool,
    history: Vec<HoldingView>,
    notes: Vec<(String, String, String, String)>,
    members: Vec<(String, String)>,
    my_kind: String,
    assigned_to_me: bool,
    can_coordinate: bool,
    can_update: bool,
    can_take_part: bool,
    errors: FieldErrors,
    note: String,
    reason: String,
    handoff: HandoffForm,
}

#[derive(Default)]
struct Kept {
    errors: FieldErrors,
    note: String,
    reason: String,
    handoff: HandoffForm,
}

async fn detail<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    id: Uuid,
    kept: Kept,
) -> Result<DetailPage> {
    let can = &access.can;
    let tz = can.time_zone;
    let r = queries::one(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let me = access.me.id;
    let mut conn = state.db.acquire().await?;
    let my_kind = queries::holds(&mut conn, can.id, id, me)
        .await?
        .unwrap_or_default();
    let assigned_to_me: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM carriers WHERE can_id = $1 AND responsibility_id = $2 AND member_id = $3
                        AND (until_at IS NULL OR until_at > now()) AND assigned)",
    )
    .bind(can.id)
    .bind(id)
    .bind(me)
    .fetch_one(&mut *conn)
    .await?;
    drop(conn);
    let today = time::today_in(tz);
    let m = &access.membership;
    let carrying = my_kind == "carrier";
    Ok(DetailPage {
        nav: CanNav::new(can, m, "responsibilities"),
        kind: if r.kind == "ongoing" {
            "Ongoing role"
        } else {
            "One-off task"
        },
        due: r.due_on.map(time::date).unwrap_or_default(),
        term: r.term_ends_on.map(time::date).unwrap_or_default(),
        overdue: is_overdue(&r, today),
        single_point: r.status == "active" && r.carriers.len() == 1 && r.backups.is_empty(),
        history: queries::history(&state.db, can.id, id)
            .await?
            .into_iter()
            .map(|h| HoldingView {
                name: h.name,
                kind: if h.kind == "carrier" {
                    "carrier"
                } else {
                    "backup"
                },
                from: time::date_in(h.from_at, tz),
                until: h.until_at.map(|t| time::date_in(t, tz)).unwrap_or_default(),
                arranged_by: h.arranged_by.unwrap_or_default(),
                how: match h.ended_how.as_deref() {
                    Some("declined") => "declined",
                    Some("handed_off") => "handed it on",
                    Some("stepped_down") => "stepped down",
                    Some("finished") => "finished",
                    Some("left") => "left the CAN",
                    _ => "",
                }
                .to_string(),
                note: h.note,
            })
            .collect(),
        notes: queries::notes(&state.db, can.id, id)
            .await?
            .into_iter()
            .map(|n| {
                (
                    n.author,
                    time::datetime_in(n.created_at, tz),
                    n.status_change.unwrap_or_default(),
                    n.body,
                )
            })
            .collect(),
        members: queries::active_members(&state.db, can.id)
            .await?
            .into_iter()
            .map(|(i, n)| (i.to_string(), n))
            .collect(),
        my_kind,
        assigned_to_me,
        can_coordinate: coordinates(m),
        can_update: m.is_active() && (carrying || coordinates(m)),
        can_take_part: m.is_active(),
        errors: kept.errors,
        note: kept.note,
        reason: kept.reason,
        handoff: kept.handoff,
        r,
        ctx,
    })
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<DetailPage> {
    detail(&state, &access, ctx, id, Kept::default()).await
}

fn back(slug: &str, id: Uuid) -> String {
    format!("/c/{slug}/responsibilities/{id}")
}

fn holder_kind(raw: &str) -> &'static str {
    if raw == "backup" { "backup" } else { "carrier" }
}

pub async fn volunteer(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<VolunteerForm>,
) -> Result<Response> {
    let can = &access.can;
    let r = queries::one(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(r.status.as_str(), "open" | "active") {
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Error,
            "This responsibility is closed.",
            &back(&can.slug, id),
        )
        .await;
    }
    let kind = holder_kind(&form.kind);
    let mut tx = state.db.begin().await?;
    if queries::lock_open(&mut tx, can.id, id).await? != Some(true) {
        drop(tx);
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Error,
            "This responsibility is closed.",
            &back(&can.slug, id),
        )
        .await;
    }
    let added = queries::add_holder(
        &mut tx,
        can.id,
        id,
        access.me.id,
        kind,
        access.me.id,
        false,
        "",
    )
    .await?;
    if added {
        activity::log(
            &mut *tx,
            can.id,
            access.me.id,
            "responsibility.volunteered",
            ("responsibility", id),
            format!("{} took on “{}” as {kind}", access.me.display_name, r.title),
        )
        .await?;
    }
    tx.commit().await?;
    let text = if added {
        format!("Thank you: you are now the {kind} for “{}”.", r.title)
    } else {
        "You already hold this responsibility.".into()
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &text,
        &back(&can.slug, id),
    )
    .await
}

pub async fn assign(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<AssignForm>,
) -> Result<Response> {
    let can = &access.can;
    let r = queries::one(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = holder_kind(&form.kind);
    let mut tx = state.db.begin().await?;
    if queries::lock_open(&mut tx, can.id, id).await? != Some(true) {
        drop(tx);
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Error,
            "This responsibility is closed.",
            &back(&can.slug, id),
        )
        .await;
    }
    let target: Option<Uuid> = form.member_id.trim().parse().ok();
    let name = match target {
        Some(t) => queries::active_member(&mut tx, can.id, t).await?,
        None => None,
    };
    let (Some(target), Some(name)) = (target, name) else {
        drop(tx);
        let mut errors = FieldErrors::new();
        errors.add("member_id", "Choose an active member of this CAN: people who are away or have left, or belong elsewhere, cannot be given responsibilities.");
        let page = detail(
            &state,
            &access,
            ctx,
            id,
            Kept {
                errors,
                ..Kept::default()
            },
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let added = queries::add_holder(
        &mut tx,
        can.id,
        id,
        target,
        kind,
        access.me.id,
        target != access.me.id,
        "",
    )
    .await?;
    if added {
        activity::log(
            &mut *tx,
            can.id,
            access.me.id,
            "responsibility.assigned",
            ("responsibility", id),
            format!(
                "{} asked {name} to be {kind} for “{}”",
                access.me.display_name, r.title
            ),
        )
        .await?;
        let email: String = sqlx::query_scalar("SELECT email FROM members WHERE id = $1")
            .bind(target)
            .fetch_one(&mut *tx)
            .await?;
        outbox::enqueue(
            &mut *tx,
            &NewMail {
                can_id: Some(can.id),
                to: email,
                subject: format!("{}: would you be {kind} for “{}”?", can.name, r.title),
                body: format!(
                    "{} asked you to be the {kind} for “{}” in {}.\n\nIf it is too much right now, you can decline with a word of why — that is welcome, and helps the group spread the load:\n{}{}\n",
                    access.me.display_name,
                    r.title,
                    can.name,
                    state.config.public_url,
                    back(&can.slug, id)
                ),
                dedupe_key: Some(format!("responsibility:{id}:assigned:{target}:{}", Utc::now().timestamp())),
            },
        )
        .await?;
    }
    tx.commit().await?;
    let text = if added {
        format!("{name} is asked to be {kind}; they have been told and can decline.")
    } else {
        format!("{name} already holds it.")
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &text,
        &back(&can.slug, id),
    )
    .await
}

pub async fn decline(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<DeclineForm>,
) -> Result<Response> {
    let can = &access.can;
    let r = queries::one(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let reason = errors.check("reason", webforms::text(&form.reason, "a reason", 1, 500));
    let Some(reason) = reason else {
        let page = detail(
            &state,
            &access,
            ctx,
            id,
            Kept {
                errors,
                reason: form.reason,
                ..Kept::default()
            },
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.db.begin().await?;
    // Only a holding someone else arranged can be declined (a volunteer steps down instead).
    let assigned: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM carriers WHERE can_id = $1 AND responsibility_id = $2 AND member_id = $3
                        AND assigned AND (until_at IS NULL OR until_at > now()))",
    )
    .bind(can.id)
    .bind(id)
    .bind(access.me.id)
    .fetch_one(&mut *tx)
    .await?;
    if !assigned {
        return Err(AppError::Forbidden(
            "Only someone asked to hold this can decline it.",
        ));
    }
    let ended = queries::end_holder(
        &mut tx,
        can.id,
        id,
        access.me.id,
        "declined",
        None,
        Some(&reason),
    )
    .await?;
    if ended.is_none() {
        return Err(AppError::Forbidden(
            "Only someone asked to hold this can decline it.",
        ));
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "responsibility.declined",
        ("responsibility", id),
        format!(
            "{} declined “{}”: {reason}",
            access.me.display_name, r.title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Info,
        "You declined. Thank you for saying so.",
        &back(&can.slug, id),
    )
    .await
}

pub async fn handoff(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<HandoffForm>,
) -> Result<Response> {
    let can = &access.can;
    let r = queries::one(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    // One change at a time per responsibility: two hand-offs from two tabs cannot both happen.
    if queries::lock_open(&mut tx, can.id, id).await? != Some(true) {
        drop(tx);
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Error,
            "This responsibility is closed.",
            &back(&can.slug, id),
        )
        .await;
    }
    let still_mine: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM carriers WHERE can_id = $1 AND responsibility_id = $2 AND member_id = $3
                        AND kind = 'carrier' AND until_at IS NULL)",
    )
    .bind(can.id)
    .bind(id)
    .bind(access.me.id)
    .fetch_one(&mut *tx)
    .await?;
    // Only a carrier who has not already handed it on (an overlap is still theirs to finish).
    if !still_mine {
        return Err(AppError::Forbidden(
            "Only someone who carries this responsibility can hand it on.",
        ));
    }
    let mut errors = FieldErrors::new();
    let to: Option<Uuid> = form.to.trim().parse().ok();
    let note = errors.check(
        "handoff_note",
        webforms::text(&form.handoff_note, "the hand-over note", 0, 2000),
    );
    let overlap = errors.check(
        "overlap_days",
        match form.overlap_days.trim() {
            "" => Ok(0),
            s => match s.parse::<i64>() {
                Ok(n) if (0..=60).contains(&n) => Ok(n),
                _ => Err("Overlap is 0 to 60 days.".to_string()),
            },
        },
    );
    let name = match to {
        Some(t) if t == access.me.id => {
            errors.add("to", "You already carry it: hand it to someone else.");
            None
        }
        Some(t) => {
            let n = queries::active_member(&mut tx, can.id, t).await?;
            if n.is_none() {
                errors.add("to", "Choose an active member of this CAN.");
            } else if queries::holds(&mut tx, can.id, id, t).await?.as_deref() == Some("carrier") {
                errors.add("to", "They carry it already.");
            }
            n
        }
        None => {
            errors.add("to", "Choose who takes it on.");
            None
        }
    };
    let (Some(to), Some(name), Some(note), Some(overlap), true) =
        (to, name, note, overlap, errors.is_empty())
    else {
        drop(tx);
        let page = detail(
            &state,
            &access,
            ctx,
            id,
            Kept {
                errors,
                handoff: form,
                ..Kept::default()
            },
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    // With no overlap the old holding ends at once; with one, it ends that many days from now.
    let until = (overlap > 0).then(|| Utc::now() + chrono::Duration::days(overlap));
    queries::end_holder(
        &mut tx,
        can.id,
        id,
        access.me.id,
        "handed_off",
        until,
        Some(&note),
    )
    .await?;
    // A backup who takes over stops being the backup.
    queries::end_holder(&mut tx, can.id, id, to, "stepped_down", None, None).await?;
    queries::add_holder(
        &mut tx,
        can.id,
        id,
        to,
        "carrier",
        access.me.id,
        false,
        &note,
    )
    .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "responsibility.handed_off",
        ("responsibility", id),
        format!(
            "{} handed “{}” to {name}{}",
            access.me.display_name,
            r.title,
            if overlap > 0 {
                format!(", carrying it together for {overlap} days")
            } else {
                String::new()
            }
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &format!("Handed to {name}. The history keeps both of you."),
        &back(&can.slug, id),
    )
    .await
}

pub async fn step_down(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let can = &access.can;
    let r = queries::one(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let ended = queries::end_holder(
        &mut tx,
        can.id,
        id,
        access.me.id,
        "stepped_down",
        None,
        None,
    )
    .await?;
    if ended.is_none() {
        return Err(AppError::Forbidden("You do not hold this responsibility."));
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "responsibility.stepped_down",
        ("responsibility", id),
        format!("{} stepped down from “{}”", access.me.display_name, r.title),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Info,
        "You stepped down. The coordinators will see it is open.",
        &back(&can.slug, id),
    )
    .await
}

/// Status changes and progress notes, by carriers and coordinators. A status change from a stale
/// page is refused with 409 and the note kept; a note alone is always added.
pub async fn progress(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<ProgressForm>,
) -> Result<Response> {
    let can = &access.can;
    let r = queries::one(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let carrying = queries::holds(&mut tx, can.id, id, access.me.id)
        .await?
        .as_deref()
        == Some("carrier");
    if !(carrying || coordinates(&access.membership)) {
        return Err(AppError::Forbidden(
            "Only its carriers and the coordinators can update a responsibility.",
        ));
    }
    let mut errors = FieldErrors::new();
    let note = errors.check("note", webforms::text(&form.note, "the note", 0, 2000));
    let status = match form.status.as_str() {
        "" | "unchanged" => Some(None),
        s @ ("done" | "dropped" | "active" | "open") => Some(Some(s.to_string())),
        _ => {
            errors.add("status", "Choose a status from the list.");
            None
        }
    };
    if matches!(status, Some(None)) && note.as_deref().is_some_and(str::is_empty) {
        errors.add("note", "Write a note or change the status.");
    }
    let (Some(note), Some(status), true) = (note, status, errors.is_empty()) else {
        drop(tx);
        let page = detail(
            &state,
            &access,
            ctx,
            id,
            Kept {
                errors,
                note: form.note,
                ..Kept::default()
            },
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if let Some(s) = &status {
        let version: i32 = form.version.trim().parse().unwrap_or(-1);
        let changed = sqlx::query("UPDATE responsibilities SET status = $3, version = version + 1 WHERE can_id = $1 AND id = $2 AND version = $4")
            .bind(can.id)
            .bind(id)
            .bind(s)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        if changed.rows_affected() == 0 {
            drop(tx);
            let mut errors = FieldErrors::new();
            errors.add("status", "Someone changed this responsibility while you were writing. Your note is kept below: check the status now shown and send it again.");
            let page = detail(
                &state,
                &access,
                ctx,
                id,
                Kept {
                    errors,
                    note: form.note,
                    ..Kept::default()
                },
            )
            .await?;
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        // A done or dropped responsibility keeps who carried it (that is its history); it no
        // longer counts towards anyone's load, which counts active ones only.
        queries::sync_status(&mut tx, can.id, id).await?;
    }
    if !note.is_empty() || status.is_some() {
        sqlx::query("INSERT INTO progress_notes (id, can_id, responsibility_id, author_id, body, status_change) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(Uuid::now_v7())
            .bind(can.id)
            .bind(id)
            .bind(access.me.id)
            .bind(&note)
            .bind(&status)
            .execute(&mut *tx)
            .await?;
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "responsibility.progress",
        ("responsibility", id),
        format!(
            "{} updated “{}”{}",
            access.me.display_name,
            r.title,
            status
                .as_ref()
                .map(|s| format!(" to {s}"))
                .unwrap_or_default()
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Saved.",
        &back(&can.slug, id),
    )
    .await
}

pub struct LoadRow {
    pub name: String,
    pub load: i64,
    pub count: i64,
    pub flag: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "responsibilities/load.html")]
pub struct LoadPage {
    ctx: Layout,
    nav: CanNav,
    rows: Vec<LoadRow>,
    median: String,
    threshold: String,
    single_points: Vec<(String, String, String)>,
    suggestions: Vec<(String, String, String, String)>,
}

pub async fn load_view(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
) -> Result<LoadPage> {
    let can = &access.can;
    let members = queries::loads(&state.db, can.id).await?;
    let loads: Vec<i64> = members.iter().map(|m| m.load).collect();
    let median = load::median(&loads);
    let all = queries::all(&state.db, can.id).await?;
    let overloaded: Vec<&queries::MemberLoad> = members
        .iter()
        .filter(|m| load::overburdened(m.load, median))
        .collect();
    let spare: Vec<&queries::MemberLoad> = members
        .iter()
        .filter(|m| (m.load as f64) < median.max(1.0))
        .collect();
    let mut suggestions = Vec::new();
    for heavy in &overloaded {
        for r in all
            .iter()
            .filter(|r| r.status == "active" && r.carrier_ids.contains(&heavy.id))
        {
            let text = format!("{} {}", r.title, r.description);
            let mut candidates: Vec<(&queries::MemberLoad, usize)> = spare
                .iter()
                .filter(|m| !r.carrier_ids.contains(&m.id))
                .map(|m| (*m, load::affinity(&m.skills, &text)))
                .collect();
            candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.load.cmp(&b.0.load)));
            if let Some((who, affinity)) = candidates.first() {
                suggestions.push((
                    r.title.clone(),
                    heavy.name.clone(),
                    who.name.clone(),
                    if *affinity > 0 {
                        format!("their interests ({}) fit", who.skills)
                    } else {
                        "they have room".into()
                    },
                ));
            }
        }
    }
    Ok(LoadPage {
        ctx,
        nav: CanNav::new(can, &access.membership, "load"),
        median: format!("{median:.1}"),
        threshold: format!("{:.1}", (2.0 * median).max(1.0)),
        rows: members
            .iter()
            .map(|m| LoadRow {
                name: m.name.clone(),
                load: m.load,
                count: m.count,
                flag: if load::overburdened(m.load, median) {
                    "overburdened"
                } else if m.count == 0 {
                    "invite to carry something"
                } else {
                    ""
                },
            })
            .collect(),
        single_points: all
            .iter()
            .filter(|r| r.status == "active" && r.carriers.len() == 1 && r.backups.is_empty())
            .map(|r| (r.id.to_string(), r.title.clone(), r.carriers.join(", ")))
            .collect(),
        suggestions,
    })
}

/// A meeting's action item becomes a task on the board, carried by its owner if it has one.
pub async fn from_action_item(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    Path((_slug, meeting, action)): Path<(String, Uuid, Uuid)>,
) -> Result<Response> {
    let can = &access.can;
    let mut tx = state.db.begin().await?;
    let item: Option<(String, Option<Uuid>, Option<chrono::NaiveDate>)> = sqlx::query_as(
        "SELECT title, owner_id, due_on FROM action_items WHERE can_id = $1 AND meeting_id = $2 AND id = $3 FOR UPDATE",
    )
    .bind(can.id)
    .bind(meeting)
    .bind(action)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((title, owner, due_on)) = item else {
        return Err(AppError::NotFound);
    };
    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM responsibilities WHERE can_id = $1 AND action_item_id = $2",
    )
    .bind(can.id)
    .bind(action)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(existing) = existing {
        drop(tx);
        return Ok(axum::response::Redirect::to(&back(&can.slug, existing)).into_response());
    }
    let r = NewResponsibility {
        title: title
            .chars()
            .take(120)
            .collect::<String>()
            .chars()
            .collect(),
        description: "From a meeting's action item.".into(),
        ongoing: false,
        goal_id: None,
        cadence: String::new(),
        due_on,
        term_ends_on: None,
        effort: 1,
    };
    let id = queries::insert(&mut tx, can.id, &r, access.me.id, Some(action)).await?;
    if let Some(owner) = owner
        && queries::active_member(&mut tx, can.id, owner)
            .await?
            .is_some()
    {
        queries::add_holder(
            &mut tx,
            can.id,
            id,
            owner,
            "carrier",
            access.me.id,
            owner != access.me.id,
            "",
        )
        .await?;
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "responsibility.from_action",
        ("responsibility", id),
        format!(
            "{} put the action “{}” on the responsibilities board",
            access.me.display_name, r.title
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The action item is now a responsibility on the board.",
        &back(&can.slug, id),
    )
    .await
}

pub async fn edit_page(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<FormPage> {
    let r = queries::one(&state.db, access.can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let date = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let form = ResponsibilityForm {
        title: r.title.clone(),
        description: r.description.clone(),
        kind: r.kind.clone(),
        goal_id: r.goal_id.map(|g| g.to_string()).unwrap_or_default(),
        cadence: r.cadence.clone(),
        due_on: date(r.due_on),
        term_ends_on: date(r.term_ends_on),
        effort: r.effort.to_string(),
        confirm_past: String::new(),
    };
    let mut page = form_page(&state, &access, ctx, form, FieldErrors::new()).await?;
    page.editing = Some(id.to_string());
    Ok(page)
}

/// Changes a responsibility's description, goal, rhythm, dates or effort. A due date or term end
/// that changes gets its reminders again.
pub async fn update(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(mut form): Form<ResponsibilityForm>,
) -> Result<Response> {
    let can = &access.can;
    let existing = queries::one(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // A due date that was already there needs no new confirmation.
    if existing.due_on.map(|d| d.format("%Y-%m-%d").to_string())
        == Some(form.due_on.trim().to_string())
    {
        form.confirm_past = "yes".into();
    }
    let today = time::today_in(can.time_zone);
    let mut parsed = NewResponsibility::parse(&form, today);
    let mut tx = state.db.begin().await?;
    if let Ok(r) = &parsed
        && let Some(goal) = r.goal_id
        && !queries::goal_exists(&mut tx, can.id, goal).await?
    {
        let mut errors = FieldErrors::new();
        errors.add("goal_id", "Choose a goal from the list.");
        parsed = Err(errors);
    }
    let r = match parsed {
        Ok(r) => r,
        Err(errors) => {
            drop(tx);
            let mut page = form_page(&state, &access, ctx, form, errors).await?;
            page.editing = Some(id.to_string());
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    sqlx::query(
        "UPDATE responsibilities SET title = $3, description = $4, kind = $5, goal_id = $6, cadence = $7,
                due_on = $8, term_ends_on = $9, effort = $10, version = version + 1,
                due_reminder_sent_at = CASE WHEN due_on IS NOT DISTINCT FROM $8 THEN due_reminder_sent_at END,
                overdue_reminder_sent_at = CASE WHEN due_on IS NOT DISTINCT FROM $8 THEN overdue_reminder_sent_at END,
                term_reminder_sent_at = CASE WHEN term_ends_on IS NOT DISTINCT FROM $9 THEN term_reminder_sent_at END
         WHERE can_id = $1 AND id = $2",
    )
    .bind(can.id)
    .bind(id)
    .bind(&r.title)
    .bind(&r.description)
    .bind(if r.ongoing { "ongoing" } else { "task" })
    .bind(r.goal_id)
    .bind(&r.cadence)
    .bind(r.due_on)
    .bind(r.term_ends_on)
    .bind(r.effort)
    .execute(&mut *tx)
    .await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "responsibility.updated",
        ("responsibility", id),
        format!("{} changed “{}”", access.me.display_name, r.title),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Saved.",
        &back(&can.slug, id),
    )
    .await
}
