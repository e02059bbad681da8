//! One meeting's page: its time in the group's zone and the viewer's, place, the member's answer
//! first, then facilitator and note-taker (with a fair rotation suggestion), the agenda, RSVPs,
//! attendance, minutes, decisions and action items. Every form on it comes back here when
//! refused, with what was typed kept ([`Kept`]). A form sent by htmx gets back only the part of
//! the page (or of the run view) it changed ([`Reply`]); without JavaScript, the whole page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::Member;
use crate::cans::nav::{CanNav, Section};
use crate::error::{AppError, Result};
use crate::meetings::access::{MeetingAccess, MeetingRequirement};
use crate::meetings::forms::{ActionForm, AgendaForm, DecisionForm, MoveForm, RolesForm};
use crate::meetings::model::{AgendaStatus, Rsvp};
use crate::meetings::queries::agenda::{self, AgendaItem};
use crate::meetings::queries::record::{self, ActionItem, Decision};
use crate::meetings::queries::{self, Meeting, Person, Suggested};
use crate::meetings::record::SavedMinutes;
use crate::meetings::{when, when_for_viewer};
use crate::thread_links::DiscussionLink;
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Layout, page_with_status, time, unprocessable};

/// What a re-rendered page keeps of a refused submission.
#[derive(Default)]
pub struct Kept {
    pub errors: FieldErrors,
    /// What an htmx request's change did, said beside the part it returns (a full reload gets a
    /// flash instead).
    pub said: Option<String>,
    /// Why nothing happened, said beside the part an htmx request gets back.
    pub part_notice: Option<&'static str>,
    /// Why nothing happened, when no field is to blame.
    pub notice: Option<&'static str>,
    pub minutes: Option<String>,
    /// Minutes someone else saved meanwhile.
    pub newer_minutes: Option<SavedMinutes>,
    pub action: ActionForm,
    pub agenda: AgendaForm,
    pub moved: Option<MoveForm>,
    pub decision: DecisionForm,
    /// The run view's note, as typed.
    pub note: Option<String>,
}

impl Kept {
    pub fn notice(notice: &'static str) -> Self {
        Self {
            notice: Some(notice),
            ..Self::default()
        }
    }

    pub fn errors(errors: FieldErrors) -> Self {
        Self {
            errors,
            ..Self::default()
        }
    }
}

/// One message, beside `field`: a refusal the form could not know of.
pub fn refusal(field: &'static str, message: &'static str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add(field, message);
    errors
}

/// Who rotation suggests for the two roles.
pub struct Suggestion {
    pub facilitator: Suggested,
    pub note_taker: Suggested,
}

pub struct ActionView {
    pub item: ActionItem,
    /// Whether the viewer owns it (and so may tick it off).
    pub mine: bool,
}

#[derive(Template, WebTemplate)]
#[template(
    path = "meetings/meeting.html",
    blocks = ["rsvp_part", "agenda_part", "attendance_part", "decisions_part", "actions_part"]
)]
pub struct MeetingPage {
    ctx: Layout,
    nav: CanNav,
    meeting: Meeting,
    tz: Tz,
    when_viewer: Option<String>,
    can_schedule: bool,
    can_run: bool,
    can_take_part: bool,
    suggestion: Option<Suggestion>,
    /// Active members, for the selects.
    members: Vec<Person>,
    agenda: Vec<AgendaItem>,
    yes: Vec<String>,
    maybe: Vec<String>,
    no: Vec<String>,
    my_rsvp: Option<Rsvp>,
    people: Vec<Person>,
    attended: usize,
    minutes: String,
    minutes_version: i32,
    decisions: Vec<Decision>,
    actions: Vec<ActionView>,
    earlier_actions: Vec<ActionView>,
    roles_form: RolesForm,
    move_form: MoveForm,
    kept: Kept,
    /// Open to the neighbourhood, and its guests (issue 14; `meetings/guest_block.html`).
    guests: crate::meetings::guests::GuestBlock,
    /// The way into the meeting's discussion (`_discussion_link.html`).
    discussion: DiscussionLink,
}

impl MeetingPage {
    /// This meeting's URL, which its forms post below.
    fn base(&self) -> String {
        format!("/c/{}/meetings/{}", self.nav.slug, self.meeting.id)
    }

    /// "Tuesday 24 November 2026, 19:00–20:30" in the group's zone.
    fn when_group(&self) -> String {
        when(self.meeting.starts_at, self.meeting.ends_at, self.tz)
    }

    fn date(&self, at: &DateTime<Utc>) -> String {
        time::date_in(*at, self.tz)
    }

    /// Whether `answer` is the viewer's answer now.
    fn is_mine(&self, answer: &Rsvp) -> bool {
        self.my_rsvp.as_ref() == Some(answer)
    }
}

/// Names of those who gave `answer`.
fn said(people: &[Person], answer: Rsvp) -> Vec<String> {
    people
        .iter()
        .filter(|p| p.rsvp == Some(answer))
        .map(|p| p.name.clone())
        .collect()
}

fn views(items: Vec<ActionItem>, me: Uuid) -> Vec<ActionView> {
    items
        .into_iter()
        .map(|item| ActionView {
            mine: item.owner_id == Some(me),
            item,
        })
        .collect()
}

/// Rotation's suggestion, for those who run a scheduled one-off meeting or one of a rotating series.
async fn suggestion(state: &AppState, g: &Meeting) -> Result<Option<Suggestion>> {
    Ok(queries::suggest(&state.db, g.can_id, g.id)
        .await?
        .map(|(facilitator, note_taker)| Suggestion {
            facilitator,
            note_taker,
        }))
}

/// The page, keeping what a refused submission had (`Kept::default()` for none).
pub async fn render<R: MeetingRequirement>(
    state: &AppState,
    access: &MeetingAccess<R>,
    ctx: Layout,
    kept: Kept,
) -> Result<MeetingPage> {
    let (can, g, me) = (&access.can, &access.meeting, access.me.id);
    let tz = can.time_zone;
    let can_run = access.runs();
    let people = queries::people(&state.db, can.id, g.id).await?;
    // One-off meetings (no series) get a suggestion too; a series may turn rotation off.
    let rotates = g.status.is_scheduled() && g.rotate_roles != Some(false);
    let minutes = kept.minutes.clone().unwrap_or_else(|| g.minutes.clone());
    // After a clash, the next save builds on the version that won it.
    let minutes_version = kept
        .newer_minutes
        .as_ref()
        .map_or(g.minutes_version, |newer| newer.version);
    Ok(MeetingPage {
        nav: CanNav::new(can, &access.membership, Section::Meetings),
        when_viewer: when_for_viewer(g.starts_at, g.ends_at, tz, access.me.time_zone),
        tz,
        can_schedule: access.schedules(),
        can_run,
        can_take_part: access.membership.is_active(),
        suggestion: if can_run && rotates {
            suggestion(state, g).await?
        } else {
            None
        },
        members: people.iter().filter(|p| p.is_active()).cloned().collect(),
        agenda: agenda::agenda(&state.db, g.id).await?,
        yes: said(&people, Rsvp::Yes),
        maybe: said(&people, Rsvp::Maybe),
        no: said(&people, Rsvp::No),
        my_rsvp: people.iter().find(|p| p.id == me).and_then(|p| p.rsvp),
        attended: people.iter().filter(|p| p.present).count(),
        people,
        minutes,
        minutes_version,
        decisions: record::decisions(&state.db, g.id).await?,
        actions: views(record::actions_of(&state.db, g.id).await?, me),
        earlier_actions: views(
            record::open_earlier_actions(&state.db, can.id, g.series_id, g.starts_at).await?,
            me,
        ),
        roles_form: RolesForm::of(g.facilitator_id, g.note_taker_id),
        move_form: kept
            .moved
            .clone()
            .unwrap_or_else(|| MoveForm::of(g.starts_at, g.duration_minutes(), tz)),
        meeting: g.clone(),
        kept,
        ctx,
        guests: crate::meetings::guests::block(&state.db, g, access.schedules()).await?,
        discussion: DiscussionLink::new(
            format!("/c/{}/threads/meeting/{}", can.slug, g.id),
            g.comments,
            g.last_comment_at,
            tz,
        ),
    })
}

/// The page again with 422: a refused form, its messages beside the fields and its input kept.
pub async fn invalid<R: MeetingRequirement>(
    state: &AppState,
    access: &MeetingAccess<R>,
    ctx: Layout,
    kept: Kept,
) -> Result<Response> {
    unprocessable(render(state, access, ctx, kept).await?)
}

/// The page again with 409: a change that no longer applies (nothing was changed).
pub async fn conflict<R: MeetingRequirement>(
    state: &AppState,
    access: &MeetingAccess<R>,
    ctx: Layout,
    kept: Kept,
) -> Result<Response> {
    page_with_status(
        StatusCode::CONFLICT,
        render(state, access, ctx, kept).await?,
    )
}

pub async fn page(
    State(state): State<AppState>,
    access: MeetingAccess<Member>,
    ctx: Layout,
) -> Result<MeetingPage> {
    render(&state, &access, ctx, Kept::default()).await
}

/// The part of the meeting page a form changes: what an htmx request gets back, and where a
/// full reload returns to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Rsvp,
    Agenda,
    Attendance,
    Decisions,
    Actions,
}

impl Part {
    fn anchor(self) -> &'static str {
        match self {
            Self::Rsvp => "rsvp",
            Self::Agenda => "agenda",
            Self::Attendance => "attendance",
            Self::Decisions => "decisions",
            Self::Actions => "actions",
        }
    }
}

/// How to answer a form on the meeting page or the run view. htmx sends `HX-Request: true` and
/// gets the changed part back (200, or 422/409 with the message beside the field); a plain post
/// gets Post/Redirect/Get with a flash, or the whole page again. Forms on the run view post with
/// `?view=run`, so both answers return there (for those who may run the meeting).
pub struct Reply {
    pub htmx: bool,
    pub run: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Reply {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        let htmx = parts
            .headers
            .get("hx-request")
            .is_some_and(|v| v.as_bytes() == b"true");
        let run = parts
            .uri
            .query()
            .is_some_and(|q| q.split('&').any(|pair| pair == "view=run"));
        Ok(Self { htmx, run })
    }
}

/// A fragment of a page (no layout), with `status`.
pub fn fragment(status: StatusCode, template: &impl Template) -> Result<Response> {
    let html = template.render().map_err(AppError::internal)?;
    Ok((status, Html(html)).into_response())
}

impl Reply {
    /// Whether the answer is the run view (asked for, and the caller may run the meeting).
    fn to_run<R: MeetingRequirement>(&self, access: &MeetingAccess<R>) -> bool {
        self.run && access.runs()
    }

    /// The change is made: the changed part (htmx) or a redirect with `text` as a flash.
    pub async fn done<R: MeetingRequirement>(
        &self,
        state: &AppState,
        access: &MeetingAccess<R>,
        ctx: Layout,
        part: Part,
        (kind, text): (FlashKind, &str),
    ) -> Result<Response> {
        if self.htmx {
            let kept = Kept {
                said: Some(text.to_string()),
                ..Kept::default()
            };
            return self
                .show(state, access, ctx, part, kept, StatusCode::OK)
                .await;
        }
        if self.to_run(access) {
            let rest = format!("/meetings/{}/run", access.id());
            return access.redirect(&state.db, kind, text, &rest).await;
        }
        access.back(&state.db, kind, text, part.anchor()).await
    }

    /// Nothing was changed: the part, or the whole page, again with `status` and `kept`.
    pub async fn refused<R: MeetingRequirement>(
        &self,
        state: &AppState,
        access: &MeetingAccess<R>,
        ctx: Layout,
        part: Part,
        kept: Kept,
        status: StatusCode,
    ) -> Result<Response> {
        if self.htmx {
            return self.show(state, access, ctx, part, kept, status).await;
        }
        if self.to_run(access) {
            let page = super::run::render(state, access, ctx, kept).await?;
            return page_with_status(status, page);
        }
        page_with_status(status, render(state, access, ctx, kept).await?)
    }

    /// The part (htmx): the run view's, or the meeting page's `part`.
    pub async fn show<R: MeetingRequirement>(
        &self,
        state: &AppState,
        access: &MeetingAccess<R>,
        ctx: Layout,
        part: Part,
        mut kept: Kept,
        status: StatusCode,
    ) -> Result<Response> {
        // A part has no page top: why nothing happened is said beside it.
        kept.part_notice = kept.notice.take();
        if self.to_run(access) {
            let page = super::run::render(state, access, ctx, kept).await?;
            return fragment(status, &page.as_run_part());
        }
        let page = render(state, access, ctx, kept).await?;
        match part {
            Part::Rsvp => fragment(status, &page.as_rsvp_part()),
            Part::Agenda => fragment(status, &page.as_agenda_part()),
            Part::Attendance => fragment(status, &page.as_attendance_part()),
            Part::Decisions => fragment(status, &page.as_decisions_part()),
            Part::Actions => fragment(status, &page.as_actions_part()),
        }
    }
}
