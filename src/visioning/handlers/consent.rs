//! Consent round pages: opening a round on a version, the round page (tally, reasons, who has not
//! answered, time left), answering, and closing.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use uuid::Uuid;

use super::time_left;
use super::versions::version_page;
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Facilitator, Member, Requirement};
use crate::cans::nav::CanNav;
use crate::error::{AppError, Result};
use crate::visioning::forms::{self, Answer, AnswerForm, Consent, RoundForm, needed};
use crate::visioning::queries;
use crate::visioning::rounds::{self, AnswerOutcome, OpenRefusal};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, redirect_with_flash, time};

pub async fn open(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Path((_slug, number)): Path<(String, i32)>,
    Form(form): Form<RoundForm>,
) -> Result<Response> {
    let can = &access.can;
    let version = queries::version(&state.db, can.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz = can.time_zone;
    let closes_at = match forms::closing_time(&form, tz, Utc::now()) {
        Ok(t) => t,
        Err(errors) => {
            let page = version_page(&state, &access, ctx, number, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let opened = rounds::open(
        &mut tx,
        can,
        (version.id, number),
        (access.me.id, &access.me.display_name),
        closes_at,
        &state.config.public_url,
    )
    .await?;
    let id = match opened {
        Ok(id) => id,
        Err(refusal) => {
            drop(tx);
            let mut errors = FieldErrors::new();
            errors.add(
                "closes_on",
                match refusal {
                    OpenRefusal::AlreadyOpen => {
                        "A consent round is already open. Close it before opening another."
                    }
                    OpenRefusal::AlreadyAdopted => {
                        "This version is already the group's adopted vision."
                    }
                },
            );
            let page = version_page(&state, &access, ctx, number, form, errors).await?;
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
    };
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The consent round is open, and every active member has been told.",
        &format!("/c/{}/vision/rounds/{id}", can.slug),
    )
    .await
}

pub struct AnswerView {
    pub name: String,
    pub answer: &'static str,
    pub reason: String,
    pub when: String,
    pub objection: bool,
}

pub struct ChangeView {
    pub name: String,
    pub answer: &'static str,
    pub reason: String,
    pub when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/round.html")]
pub struct RoundPage {
    ctx: Layout,
    nav: CanNav,
    id: String,
    number: i32,
    body: String,
    opened_by: String,
    opened: String,
    open: bool,
    closes: String,
    left: String,
    outcome: String,
    endorse: i64,
    stand_aside: i64,
    object: i64,
    answered: i64,
    active: i64,
    needed: i64,
    quorum_words: String,
    answers: Vec<AnswerView>,
    waiting: Vec<String>,
    changes: Vec<ChangeView>,
    can_answer: bool,
    can_close: bool,
    choices: Vec<(&'static str, &'static str, &'static str)>,
    form: AnswerForm,
    errors: FieldErrors,
    notice: String,
}

async fn round_page<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    id: Uuid,
    form: Option<AnswerForm>,
    errors: FieldErrors,
    notice: String,
) -> Result<RoundPage> {
    let can = &access.can;
    let tz = can.time_zone;
    let mut round = rounds::round(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if round.closed_at.is_none() && round.closes_at <= Utc::now() {
        // Its time is up and the clock has not come round yet: close it now, so the page never
        // shows a round that is neither open nor decided.
        let mut tx = state.db.begin().await?;
        rounds::close(&mut tx, can.id, id, None, &state.config.public_url).await?;
        tx.commit().await?;
        round = rounds::round(&state.db, can.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let version = queries::version(&state.db, can.id, round.version_number)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let answers = rounds::answers(&state.db, round.id).await?;
    let mut conn = state.db.acquire().await?;
    let tally = rounds::tally(&mut conn, can.id, round.id).await?;
    drop(conn);
    let mine = answers.iter().find(|a| a.member_id == access.me.id);
    let form = form.unwrap_or_else(|| AnswerForm {
        answer: mine.map(|a| a.answer.clone()).unwrap_or_default(),
        reason: mine.map(|a| a.reason.clone()).unwrap_or_default(),
    });
    let label = |a: &str| Answer::parse(a).map(Answer::label).unwrap_or("Answer");
    let m = &access.membership;
    let open = round.is_open(now);
    let (active, answered) = match (round.active_at_close, round.answered_at_close) {
        (Some(a), Some(b)) if !open => (i64::from(a), i64::from(b)),
        _ => (tally.active, tally.answered),
    };
    Ok(RoundPage {
        ctx,
        nav: CanNav::new(can, m, "vision"),
        id: round.id.to_string(),
        number: round.version_number,
        body: version.body,
        opened_by: round.opened_by.clone(),
        opened: time::date_in(round.opened_at, tz),
        open,
        closes: time::datetime_in(round.closes_at, tz),
        left: time_left(round.closes_at, now),
        outcome: round
            .outcome
            .as_deref()
            .map(rounds::outcome_words)
            .unwrap_or_default()
            .to_string(),
        // A closed round shows the count it was decided on.
        endorse: round.endorse_at_close.map_or(tally.endorse, i64::from),
        stand_aside: round
            .stand_aside_at_close
            .map_or(tally.stand_aside, i64::from),
        object: round.object_at_close.map_or(tally.object, i64::from),
        answered,
        active,
        needed: needed(active, round.quorum_num, round.quorum_den),
        quorum_words: forms::quorum_words(round.quorum_num, round.quorum_den),
        waiting: if open {
            rounds::not_answered(&state.db, can.id, round.id).await?
        } else {
            Vec::new()
        },
        changes: rounds::history(&state.db, round.id)
            .await?
            .into_iter()
            .map(|h| ChangeView {
                answer: label(&h.answer),
                name: h.name,
                reason: h.reason,
                when: time::datetime_in(h.answered_at, tz),
            })
            .collect(),
        answers: answers
            .into_iter()
            .map(|a| AnswerView {
                objection: a.answer == "object",
                answer: label(&a.answer),
                name: if a.member_status == "left" {
                    format!("{} (has left the CAN)", a.name)
                } else {
                    a.name
                },
                reason: a.reason,
                when: time::datetime_in(a.answered_at, tz),
            })
            .collect(),
        can_answer: open && m.is_active(),
        can_close: open
            && m.is_active()
            && (m.has(crate::cans::model::Role::Facilitator)
                || m.has(crate::cans::model::Role::Organiser)),
        choices: Answer::ALL
            .iter()
            .map(|a| (a.as_str(), a.label(), a.explain()))
            .collect(),
        form,
        errors,
        notice,
    })
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<RoundPage> {
    round_page(
        &state,
        &access,
        ctx,
        id,
        None,
        FieldErrors::new(),
        String::new(),
    )
    .await
}

pub async fn answer(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response> {
    let can = &access.can;
    let round = rounds::round(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // A closed round answers "closed" whatever was sent, before any form message.
    if !round.is_open(Utc::now()) {
        let notice = "This round has closed, so your answer was not recorded. Nothing has changed."
            .to_string();
        let page = round_page(
            &state,
            &access,
            ctx,
            id,
            Some(form),
            FieldErrors::new(),
            notice,
        )
        .await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let consent = match Consent::try_from(&form) {
        Ok(c) => c,
        Err(errors) => {
            let page =
                round_page(&state, &access, ctx, id, Some(form), errors, String::new()).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let outcome = rounds::answer(
        &mut tx,
        can.id,
        id,
        (access.me.id, &access.me.display_name),
        consent.answer,
        &consent.reason,
    )
    .await?;
    tx.commit().await?;
    let text = match outcome {
        AnswerOutcome::Closed => {
            let page = round_page(
                &state,
                &access,
                ctx,
                id,
                Some(form),
                FieldErrors::new(),
                "This round has closed, so your answer was not recorded. Nothing has changed."
                    .into(),
            )
            .await?;
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        AnswerOutcome::Unchanged => "Your answer was already recorded; nothing changed.",
        AnswerOutcome::Recorded => {
            "Your answer is recorded. You can change it until the round closes."
        }
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        text,
        &format!("/c/{}/vision/rounds/{id}", can.slug),
    )
    .await
}

pub async fn close(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let can = &access.can;
    rounds::round(&state.db, can.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let outcome = rounds::close(
        &mut tx,
        can.id,
        id,
        Some((access.me.id, &access.me.display_name)),
        &state.config.public_url,
    )
    .await?;
    tx.commit().await?;
    let text = match outcome {
        Some(o) => format!("The round is closed: {}.", rounds::outcome_words(o)),
        None => "The round was already closed.".to_string(),
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        if outcome == Some("adopted") {
            FlashKind::Success
        } else {
            FlashKind::Info
        },
        &text,
        &format!("/c/{}/vision/rounds/{id}", can.slug),
    )
    .await
}
