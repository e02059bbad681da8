//! A proposal's page: its current text, every earlier text with what changed, its links, the
//! count, each member's answer with its reason (answers to an earlier text marked and not
//! counted), who has not answered, the answer form, and the outcome once closed. Answering goes
//! through the consent machinery (`visioning::rounds::answer`), as a vision round's does.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member, Requirement};
use crate::cans::model::{MembershipStatus, Role};
use crate::cans::nav::{CanNav, Section};
use crate::error::{OrNotFound, Result};
use crate::proposals::amend::may_change;
use crate::proposals::forms::WithdrawForm;
use crate::proposals::model::outcome_words;
use crate::proposals::queries::{self, Proposal};
use crate::visioning::diff::{self, Change, Run};
use crate::visioning::forms::{Answer, AnswerForm, Consent, quorum_words};
use crate::visioning::model::RoundOutcome;
use crate::visioning::rounds::{self, AnswerOutcome, AtClose, Count};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, page_with_status, time, unprocessable};

/// A member's latest answer.
pub struct AnswerView {
    pub member_id: Uuid,
    pub name: String,
    pub left: bool,
    pub answer: Answer,
    pub reason: String,
    pub when: String,
    /// The text it was given to, when that is not the current one (it no longer counts).
    pub earlier: Option<i32>,
    /// Visible comments on this objection's thread.
    pub thread: i64,
}

/// One text of the proposal, with what changed from the one before.
pub struct VersionView {
    pub number: i32,
    pub title: String,
    /// The title before, when this text changed it.
    pub old_title: Option<String>,
    pub author: String,
    pub note: String,
    pub when: String,
    pub runs: Vec<Run>,
}

#[derive(Template, WebTemplate)]
#[template(path = "proposals/proposal.html")]
pub struct ProposalPage {
    ctx: Layout,
    nav: CanNav,
    p: Proposal,
    open: bool,
    created: String,
    closes: String,
    left: String,
    closed: String,
    outcome: Option<RoundOutcome>,
    count: Count,
    quorum_words: String,
    whom: &'static str,
    answers: Vec<AnswerView>,
    /// My answer was to an earlier text.
    mine_earlier: Option<i32>,
    waiting: Vec<String>,
    versions: Vec<VersionView>,
    objections: Vec<(String, String)>,
    can_answer: bool,
    can_change: bool,
    can_close: bool,
    choices: [Answer; 3],
    form: AnswerForm,
    withdraw: WithdrawForm,
    errors: FieldErrors,
    notice: Option<String>,
}

impl ProposalPage {
    fn outcome_text(&self) -> &'static str {
        self.outcome.map(outcome_words).unwrap_or_default()
    }

    fn is_added(&self, r: &Run) -> bool {
        r.kind == Change::Added
    }

    fn is_removed(&self, r: &Run) -> bool {
        r.kind == Change::Removed
    }
}

/// What the page shows again after a refused answer or withdrawal.
#[derive(Default)]
pub struct Refused {
    pub form: Option<AnswerForm>,
    pub withdraw: WithdrawForm,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

pub async fn render<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    id: Uuid,
    refused: Refused,
) -> Result<ProposalPage> {
    let (can, m) = (&access.can, &access.membership);
    let (db, tz, now) = (&state.db, can.time_zone, Utc::now());
    let mut p = queries::proposal(db, can.id, id).await?.or_not_found()?;
    if p.is_due(now) {
        // A page must never show a proposal that is neither open nor decided.
        let mut tx = db.begin().await?;
        rounds::close_in(&mut tx, can.id, p.round_id, None, &state.config.public_url).await?;
        tx.commit().await?;
        p = queries::proposal(db, can.id, id).await?.or_not_found()?;
    }
    let open = p.is_open(now);
    let answers = rounds::answers(db, p.round_id).await?;
    let threads: HashMap<Uuid, i64> = queries::objection_threads(db, p.round_id)
        .await?
        .into_iter()
        .collect();
    let tally = rounds::tally(db, can.id, p.round_id).await?;
    let at_close = AtClose {
        active: p.active_at_close,
        answered: p.answered_at_close,
        endorse: p.endorse_at_close,
        stand_aside: p.stand_aside_at_close,
        object: p.object_at_close,
    };
    let mut count = Count::new(at_close, tally, (p.quorum_num, p.quorum_den), open);
    if p.closed_at_meeting {
        count.needed = count.active;
    }
    let mine = answers.iter().find(|a| a.member_id == access.me.id);
    let form = refused.form.unwrap_or_else(|| AnswerForm {
        answer: mine.map(|a| a.answer.as_str().into()).unwrap_or_default(),
        reason: mine.map(|a| a.reason.clone()).unwrap_or_default(),
    });
    let mine_earlier = mine.filter(|a| !a.current).map(|a| a.text_version);
    let objections = match p.outcome {
        Some(RoundOutcome::Blocked) => answers
            .iter()
            .filter(|a| a.current && a.answer.is_objection())
            .map(|a| (a.name.clone(), a.reason.clone()))
            .collect(),
        _ => Vec::new(),
    };
    let waiting = match open {
        true => rounds::not_answered(db, can.id, p.round_id).await?,
        false => Vec::new(),
    };
    let versions = versions(db, can.id, id, tz).await?;
    let facilitates = m.is_active() && (m.has(Role::Facilitator) || m.has(Role::Organiser));
    Ok(ProposalPage {
        nav: CanNav::new(can, m, Section::Proposals),
        created: time::date_in(p.created_at, tz),
        closes: time::datetime_in(p.closes_at, tz),
        left: rounds::time_left(p.closes_at, now),
        closed: p
            .closed_at
            .map(|t| time::datetime_in(t, tz))
            .unwrap_or_default(),
        outcome: p.outcome,
        count,
        quorum_words: match p.closed_at_meeting {
            true => "everyone present".into(),
            false => quorum_words(p.quorum_num, p.quorum_den),
        },
        whom: match p.closed_at_meeting {
            true => "present",
            false => "active members",
        },
        answers: answers
            .into_iter()
            .map(|a| AnswerView {
                thread: threads.get(&a.member_id).copied().unwrap_or_default(),
                member_id: a.member_id,
                left: a.member_status == MembershipStatus::Left,
                earlier: (!a.current).then_some(a.text_version),
                when: time::datetime_in(a.answered_at, tz),
                name: a.name,
                answer: a.answer,
                reason: a.reason,
            })
            .collect(),
        mine_earlier,
        waiting,
        versions,
        objections,
        can_answer: open && m.is_active(),
        can_change: open && may_change(access, p.author_id),
        can_close: open && facilitates,
        choices: Answer::ALL,
        form,
        withdraw: refused.withdraw,
        errors: refused.errors,
        notice: refused.notice,
        open,
        p,
        ctx,
    })
}

/// Every text, newest first, each with its word-by-word change from the one before.
async fn versions(
    db: &sqlx::PgPool,
    can_id: Uuid,
    id: Uuid,
    tz: chrono_tz::Tz,
) -> Result<Vec<VersionView>> {
    let all = queries::versions(db, can_id, id).await?;
    let mut out: Vec<VersionView> = Vec::with_capacity(all.len());
    let mut before: Option<&queries::Version> = None;
    for v in &all {
        out.push(VersionView {
            number: v.number,
            title: v.title.clone(),
            old_title: before
                .filter(|b| b.title != v.title)
                .map(|b| b.title.clone()),
            author: v.author.clone(),
            note: v.note.clone(),
            when: time::datetime_in(v.created_at, tz),
            runs: match before {
                Some(b) => diff::words(&b.body, &v.body),
                None => Vec::new(),
            },
        });
        before = Some(v);
    }
    out.reverse();
    Ok(out)
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<ProposalPage> {
    render(&state, &access, ctx, id, Refused::default()).await
}

const CLOSED: &str =
    "This proposal is no longer open, so your answer was not recorded. Nothing has changed.";

pub async fn answer(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response> {
    let p = queries::proposal(&state.db, access.can.id, id)
        .await?
        .or_not_found()?;
    // A closed proposal answers "closed" whatever was sent, before any form message.
    let outcome = match Consent::try_from(&form) {
        _ if !p.is_open(Utc::now()) => AnswerOutcome::Closed,
        Ok(consent) => rounds::answer(&state.db, &access, p.round_id, &consent).await?,
        Err(errors) => {
            let refused = Refused {
                form: Some(form),
                errors,
                ..Refused::default()
            };
            return unprocessable(render(&state, &access, ctx, id, refused).await?);
        }
    };
    let text = match outcome {
        AnswerOutcome::Recorded => {
            "Your answer is recorded. You can change it until the proposal closes."
        }
        AnswerOutcome::Unchanged => "Your answer was already recorded; nothing changed.",
        AnswerOutcome::Closed => {
            let refused = Refused {
                form: Some(form),
                notice: Some(CLOSED.into()),
                ..Refused::default()
            };
            let page = render(&state, &access, ctx, id, refused).await?;
            return page_with_status(StatusCode::CONFLICT, page);
        }
    };
    access
        .redirect(
            &state.db,
            FlashKind::Success,
            text,
            &format!("/proposals/{id}"),
        )
        .await
}
