//! Time poll pages: offering weekly slots, the poll page (answers per slot, ranked), answering,
//! and choosing the slot that starts a weekly series.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono_tz::Tz;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Facilitator, Member, Requirement};
use crate::cans::nav::{CanNav, Section};
use crate::error::{AppError, OrNotFound, Result};
use crate::meetings::forms::{ChooseForm, NewPoll, PollAnswers, PollForm, SlotRow};
use crate::meetings::model::PollAnswer;
use crate::meetings::polls::{self, AnswerOutcome, ChooseOutcome, slot_labels};
use crate::meetings::queries::polls::{self as poll_queries, Answer, Poll, Slot};
use crate::meetings::recurrence;
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, MultiForm, Path, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "meetings/poll_new.html")]
pub struct NewPollPage {
    ctx: Layout,
    nav: CanNav,
    form: PollForm,
    rows: Vec<SlotRow>,
    errors: FieldErrors,
    tz: Tz,
}

impl NewPollPage {
    fn new<R: Requirement>(
        access: &CanAccess<R>,
        ctx: Layout,
        form: PollForm,
        errors: FieldErrors,
    ) -> Self {
        Self {
            ctx,
            nav: CanNav::new(&access.can, &access.membership, Section::Meetings),
            rows: form.rows(),
            form,
            errors,
            tz: access.can.time_zone,
        }
    }
}

pub async fn new_page(access: CanAccess<Facilitator>, ctx: Layout) -> NewPollPage {
    NewPollPage::new(&access, ctx, PollForm::blank(), FieldErrors::new())
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    MultiForm(form): MultiForm<PollForm>,
) -> Result<Response> {
    let poll = match NewPoll::try_from(&form) {
        Ok(p) => p,
        Err(errors) => return unprocessable(NewPollPage::new(&access, ctx, form, errors)),
    };
    let id = polls::create(&state.db, &access, &poll, &state.config.public_url).await?;
    let text = "The poll is open: members can answer now.";
    let to = format!("/meetings/polls/{id}");
    access
        .redirect(&state.db, FlashKind::Success, text, &to)
        .await
}

/// One slot and who answered what.
pub struct SlotView {
    pub id: Uuid,
    /// "Tuesdays 19:00" in the group's zone.
    pub label: String,
    /// The same in the viewer's zone, when it differs.
    pub viewer_label: Option<String>,
    pub yes: Vec<String>,
    pub if_need_be: Vec<String>,
    pub no: Vec<String>,
    /// Yes counts two, if need be one.
    pub score: i64,
    pub best: bool,
    pub mine: Option<PollAnswer>,
}

impl SlotView {
    fn new(slot: &Slot, answers: &[Answer], me: Uuid, (group, viewer): (Tz, Tz)) -> Self {
        let who = |answer: PollAnswer| -> Vec<String> {
            answers
                .iter()
                .filter(|a| a.option_id == slot.id && a.answer == answer)
                .map(|a| a.name.clone())
                .collect()
        };
        let (label, viewer_label) = slot_labels(slot.weekday, slot.start_time, group, viewer);
        let (yes, if_need_be, no) = (
            who(PollAnswer::Yes),
            who(PollAnswer::IfNeedBe),
            who(PollAnswer::No),
        );
        Self {
            id: slot.id,
            label,
            viewer_label,
            score: 2 * yes.len() as i64 + if_need_be.len() as i64,
            yes,
            if_need_be,
            no,
            best: false,
            mine: answers
                .iter()
                .find(|a| a.option_id == slot.id && a.member_id == me)
                .map(|a| a.answer),
        }
    }

    fn is_mine(&self, answer: &PollAnswer) -> bool {
        self.mine.as_ref() == Some(answer)
    }

    /// Ranks a slot: most points, then fewest who cannot come.
    fn rank(&self) -> (i64, i64) {
        (self.score, -(self.no.len() as i64))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/poll.html")]
pub struct PollPage {
    ctx: Layout,
    nav: CanNav,
    id: Uuid,
    poll: Poll,
    slots: Vec<SlotView>,
    waiting: Vec<String>,
    can_answer: bool,
    can_choose: bool,
    tz: Tz,
}

impl PollPage {
    /// The slots, best first (by points, then by yes answers).
    fn ranked(&self) -> Vec<&SlotView> {
        let mut ranked: Vec<&SlotView> = self.slots.iter().collect();
        ranked.sort_by(|a, b| b.score.cmp(&a.score).then(b.yes.len().cmp(&a.yes.len())));
        ranked
    }
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<PollPage> {
    let (db, can) = (&state.db, &access.can);
    let poll = poll_queries::poll(db, can.id, id).await?.or_not_found()?;
    let answers = poll_queries::answers(db, can.id, id).await?;
    let zones = (can.time_zone, access.me.time_zone);
    let mut slots: Vec<SlotView> = poll_queries::slots(db, can.id, id)
        .await?
        .iter()
        .map(|slot| SlotView::new(slot, &answers, access.me.id, zones))
        .collect();
    let top = slots.iter().map(SlotView::rank).max();
    for s in &mut slots {
        s.best = s.score > 0 && Some(s.rank()) == top;
    }
    let m = &access.membership;
    Ok(PollPage {
        ctx,
        nav: CanNav::new(can, m, Section::Meetings),
        id,
        can_answer: poll.open && m.is_active(),
        can_choose: poll.open && Facilitator::accepts(m),
        poll,
        slots,
        waiting: poll_queries::waiting(db, can.id, id).await?,
        tz: can.time_zone,
    })
}

pub async fn answer(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<PollAnswers>,
) -> Result<Response> {
    let (kind, text) = match polls::answer(&state.db, &access, id, &form.answers()).await? {
        AnswerOutcome::Saved => (FlashKind::Success, "Your answers are saved."),
        AnswerOutcome::Closed => (
            FlashKind::Error,
            "This poll is closed: a time has been chosen. Nothing was changed.",
        ),
    };
    let to = format!("/meetings/polls/{id}");
    access.redirect(&state.db, kind, text, &to).await
}

pub async fn choose(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<ChooseForm>,
) -> Result<Response> {
    let slot = form
        .slot()
        .ok_or(AppError::BadRequest("Choose one of the poll's slots."))?;
    match polls::choose(&state.db, &access, id, slot, &state.config.public_url).await? {
        ChooseOutcome::Chosen { series_id } => {
            let text = "The series is created from the chosen slot. Add the place and an agenda template if you like.";
            let to = format!("/meetings/series/{series_id}/edit");
            access
                .redirect(&state.db, FlashKind::Success, text, &to)
                .await
        }
        ChooseOutcome::AlreadyChosen => {
            let text = "A time was already chosen for this poll.";
            let to = format!("/meetings/polls/{id}");
            access.redirect(&state.db, FlashKind::Info, text, &to).await
        }
    }
}
