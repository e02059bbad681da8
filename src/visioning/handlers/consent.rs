//! Consent round pages: opening a round on a version, the round page (tally, reasons, who has not
//! answered, time left), answering, and closing.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use uuid::Uuid;

use super::time_left;
use super::versions::version_page;
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Facilitator, Member, Requirement};
use crate::cans::model::{MembershipStatus, Role};
use crate::cans::nav::{CanNav, Section};
use crate::error::{OrNotFound, Result};
use crate::visioning::forms::{self, Answer, AnswerForm, Consent, RoundForm};
use crate::visioning::queries;
use crate::visioning::rounds::{
    self, AnswerLine, AnswerOutcome, AtClose, Count, HistoryLine, Round, Tally,
};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, page_with_status, time, unprocessable};

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
        .or_not_found()?;
    let closes_at = match forms::closing_time(&form, can.time_zone, Utc::now()) {
        Ok(t) => t,
        Err(errors) => {
            return unprocessable(version_page(&state, &access, ctx, number, form, errors).await?);
        }
    };
    let base_url = &state.config.public_url;
    let id = match rounds::open(&state.db, &access, &version, closes_at, base_url).await? {
        Ok(id) => id,
        Err(refusal) => {
            let mut errors = FieldErrors::new();
            errors.add("closes_on", refusal.message());
            let page = version_page(&state, &access, ctx, number, form, errors).await?;
            return page_with_status(StatusCode::CONFLICT, page);
        }
    };
    let text = "The consent round is open, and every active member has been told.";
    let to = format!("/vision/rounds/{id}");
    access
        .redirect(&state.db, FlashKind::Success, text, &to)
        .await
}

/// A member's current answer.
pub struct AnswerView {
    pub name: String,
    /// They have left the CAN since (their objection still stands).
    pub left: bool,
    pub answer: Answer,
    pub reason: String,
    pub when: String,
}

impl AnswerView {
    fn new(a: AnswerLine, tz: chrono_tz::Tz) -> Self {
        Self {
            name: a.name,
            left: a.member_status == MembershipStatus::Left,
            answer: a.answer,
            reason: a.reason,
            when: time::datetime_in(a.answered_at, tz),
        }
    }
}

/// An answer as it was given (the history keeps changed ones).
pub struct ChangeView {
    pub name: String,
    pub answer: Answer,
    pub reason: String,
    pub when: String,
}

impl ChangeView {
    fn new(h: HistoryLine, tz: chrono_tz::Tz) -> Self {
        Self {
            name: h.name,
            answer: h.answer,
            reason: h.reason,
            when: time::datetime_in(h.answered_at, tz),
        }
    }
}

/// Where the group stands: a closed round shows the count it was decided on.
fn count(round: &Round, tally: Tally, open: bool) -> Count {
    let at_close = AtClose {
        active: round.active_at_close,
        answered: round.answered_at_close,
        endorse: round.endorse_at_close,
        stand_aside: round.stand_aside_at_close,
        object: round.object_at_close,
    };
    Count::new(at_close, tally, (round.quorum_num, round.quorum_den), open)
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/round.html")]
pub struct RoundPage {
    ctx: Layout,
    nav: CanNav,
    round: Round,
    body: String,
    opened: String,
    open: bool,
    closes: String,
    left: String,
    count: Count,
    quorum_words: String,
    answers: Vec<AnswerView>,
    waiting: Vec<String>,
    changes: Vec<ChangeView>,
    can_answer: bool,
    can_close: bool,
    choices: [Answer; 3],
    form: AnswerForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

/// What the page shows again after a refused answer.
struct Refused {
    form: AnswerForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

const CLOSED: &str = "This round has closed, so your answer was not recorded. Nothing has changed.";

async fn round_page<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    id: Uuid,
    refused: Option<Refused>,
) -> Result<RoundPage> {
    let (can, m) = (&access.can, &access.membership);
    let (db, tz, now) = (&state.db, can.time_zone, Utc::now());
    let mut round = rounds::round(db, can.id, id).await?.or_not_found()?;
    if round.is_due(now) {
        rounds::close_due(db, &round, &state.config.public_url).await?;
        round = rounds::round(db, can.id, id).await?.or_not_found()?;
    }
    let version = queries::version(db, can.id, round.version_number)
        .await?
        .or_not_found()?;
    let answers = rounds::answers(db, round.id).await?;
    let refused = refused.unwrap_or_else(|| Refused {
        form: own_answer(&answers, access.me.id),
        errors: FieldErrors::new(),
        notice: None,
    });
    let open = round.is_open(now);
    let facilitates = m.has(Role::Facilitator) || m.has(Role::Organiser);
    Ok(RoundPage {
        ctx,
        nav: CanNav::new(can, m, Section::Vision),
        body: version.body,
        opened: time::date_in(round.opened_at, tz),
        open,
        closes: time::datetime_in(round.closes_at, tz),
        left: time_left(round.closes_at, now),
        count: count(&round, rounds::tally(db, can.id, round.id).await?, open),
        quorum_words: forms::quorum_words(round.quorum_num, round.quorum_den),
        waiting: match open {
            true => rounds::not_answered(db, can.id, round.id).await?,
            false => Vec::new(),
        },
        changes: changes(db, &round, tz).await?,
        answers: answers
            .into_iter()
            .map(|a| AnswerView::new(a, tz))
            .collect(),
        can_answer: open && m.is_active(),
        can_close: open && m.is_active() && facilitates,
        choices: Answer::ALL,
        round,
        form: refused.form,
        errors: refused.errors,
        notice: refused.notice,
    })
}

/// The caller's own answer so far, to fill the form with.
fn own_answer(answers: &[AnswerLine], me: Uuid) -> AnswerForm {
    let mine = answers.iter().find(|a| a.member_id == me);
    AnswerForm {
        answer: mine.map(|a| a.answer.as_str().into()).unwrap_or_default(),
        reason: mine.map(|a| a.reason.clone()).unwrap_or_default(),
    }
}

async fn changes(db: &sqlx::PgPool, round: &Round, tz: chrono_tz::Tz) -> Result<Vec<ChangeView>> {
    let history = rounds::history(db, round.id).await?;
    Ok(history
        .into_iter()
        .map(|h| ChangeView::new(h, tz))
        .collect())
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<RoundPage> {
    round_page(&state, &access, ctx, id, None).await
}

pub async fn answer(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response> {
    let round = rounds::round(&state.db, access.can.id, id)
        .await?
        .or_not_found()?;
    // A closed round answers "closed" whatever was sent, before any form message.
    let outcome = match Consent::try_from(&form) {
        _ if !round.is_open(Utc::now()) => AnswerOutcome::Closed,
        Ok(consent) => rounds::answer(&state.db, &access, id, &consent).await?,
        Err(errors) => {
            let refused = Refused {
                form,
                errors,
                notice: None,
            };
            return unprocessable(round_page(&state, &access, ctx, id, Some(refused)).await?);
        }
    };
    let text = match outcome {
        AnswerOutcome::Recorded => {
            "Your answer is recorded. You can change it until the round closes."
        }
        AnswerOutcome::Unchanged => "Your answer was already recorded; nothing changed.",
        AnswerOutcome::Closed => {
            let (errors, notice) = (FieldErrors::new(), Some(CLOSED));
            let refused = Refused {
                form,
                errors,
                notice,
            };
            let page = round_page(&state, &access, ctx, id, Some(refused)).await?;
            return page_with_status(StatusCode::CONFLICT, page);
        }
    };
    let to = format!("/vision/rounds/{id}");
    access
        .redirect(&state.db, FlashKind::Success, text, &to)
        .await
}

pub async fn close(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    rounds::round(&state.db, access.can.id, id)
        .await?
        .or_not_found()?;
    let base_url = &state.config.public_url;
    let (kind, text) = match rounds::close(&state.db, &access, id, base_url).await? {
        Some(o) => {
            let kind = match o.is_adopted() {
                true => FlashKind::Success,
                false => FlashKind::Info,
            };
            (kind, format!("The round is closed: {}.", o.words()))
        }
        None => (FlashKind::Info, "The round was already closed.".to_string()),
    };
    let to = format!("/vision/rounds/{id}");
    access.redirect(&state.db, kind, &text, &to).await
}
