//! The run view, for those who run a meeting (its facilitator and note-taker, the group's
//! facilitators and organisers): the agenda as the spine, each item with its time budget and the
//! one under way with its clock; attendance as a tick list; a decision, an action item or a note
//! recorded against the item under way; "Next item". Its forms post to the meeting's own routes
//! with `?view=run` ([`Reply`]), so they come back here; htmx swaps `#run` in place.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{ActionView, Kept, Part, Reply, refusal};
use crate::AppState;
use crate::cans::model::Role;
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::meetings::access::{MeetingAccess, MeetingRequirement, Runner};
use crate::meetings::agenda::{self as agenda_service, NextOutcome, NoteOutcome};
use crate::meetings::forms::{ActionForm, DecisionForm};
use crate::meetings::queries::agenda::{self, AgendaItem};
use crate::meetings::queries::record::{self, ActionItem, Decision};
use crate::meetings::queries::{self, Meeting, Person};
use crate::meetings::when;
use crate::proposals::queries::AtMeetingLine;
use crate::web::forms::{self as webforms, FieldErrors};
use crate::web::{FlashKind, Form, Layout, time};

/// How long the item under way has run, against its budget.
pub struct Clock {
    /// "19:12", in the group's zone.
    pub started: String,
    /// The start as milliseconds since 1970, for the script that ticks the clock.
    pub started_ms: i64,
    pub used: i64,
    pub budget: Option<i32>,
}

impl Clock {
    fn new(started_at: DateTime<Utc>, budget: Option<i32>, now: DateTime<Utc>, tz: Tz) -> Self {
        Self {
            started: started_at.with_timezone(&tz).format("%H:%M").to_string(),
            started_ms: started_at.timestamp_millis(),
            used: (now - started_at).num_minutes().max(0),
            budget,
        }
    }

    /// "8 of 10 min", "12 of 10 min (2 over)" or "8 min" (no budget).
    pub fn used_words(&self) -> String {
        match self.budget.map(i64::from) {
            Some(budget) if self.used > budget => {
                format!(
                    "{} of {budget} min ({} over)",
                    self.used,
                    self.used - budget
                )
            }
            Some(budget) => format!("{} of {budget} min", self.used),
            None => format!("{} min", self.used),
        }
    }

    pub fn budget_value(&self) -> String {
        self.budget.map(|b| b.to_string()).unwrap_or_default()
    }
}

/// One agenda item with what was recorded against it.
pub struct RunItem {
    pub item: AgendaItem,
    pub clock: Option<Clock>,
    pub decisions: Vec<Decision>,
    pub actions: Vec<ActionView>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub note: String,
}

impl NoteForm {
    pub fn parse(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        errors
            .check("note", webforms::text(&self.note, "the note", 0, 4000))
            .ok_or(errors)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/run.html", blocks = ["run_part"])]
pub struct RunPage {
    ctx: Layout,
    nav: CanNav,
    meeting: Meeting,
    tz: Tz,
    items: Vec<RunItem>,
    /// The item under way: its title, and its id (sent with "Next item").
    current: Option<String>,
    current_id: Option<Uuid>,
    /// Decisions and actions recorded while no item was under way.
    other_decisions: Vec<Decision>,
    other_actions: Vec<ActionView>,
    earlier_actions: Vec<ActionView>,
    can_schedule: bool,
    people: Vec<Person>,
    attended: usize,
    members: Vec<Person>,
    proposed: usize,
    carried: usize,
    note: String,
    decision: DecisionForm,
    action: ActionForm,
    kept: Kept,
    /// Proposals put at this meeting, with how many of those present answered each.
    proposals: Vec<AtMeetingLine>,
    /// The caller may close them here (the meeting's facilitator, the group's facilitators).
    closes_proposals: bool,
}

impl RunPage {
    fn base(&self) -> String {
        format!("/c/{}/meetings/{}", self.nav.slug, self.meeting.id)
    }

    fn when_group(&self) -> String {
        when(self.meeting.starts_at, self.meeting.ends_at, self.tz)
    }

    fn date(&self, at: &DateTime<Utc>) -> String {
        time::date_in(*at, self.tz)
    }

    /// "Put to consent" from an agenda item: the new-proposal form with the meeting and item.
    fn put_to_consent(&self, item: &Uuid) -> String {
        format!(
            "/c/{}/proposals/new?meeting={}&agenda_item={item}",
            self.nav.slug, self.meeting.id
        )
    }
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

/// The run view, keeping what a refused submission had.
pub async fn render<R: MeetingRequirement>(
    state: &AppState,
    access: &MeetingAccess<R>,
    ctx: Layout,
    kept: Kept,
) -> Result<RunPage> {
    let (can, g, me) = (&access.can, &access.meeting, access.me.id);
    let tz = can.time_zone;
    let now = Utc::now();
    let people = queries::people(&state.db, can.id, g.id).await?;
    let agenda = agenda::agenda(&state.db, g.id).await?;
    let mut decisions = record::decisions(&state.db, g.id).await?;
    let mut actions = views(record::actions_of(&state.db, g.id).await?, me);
    let earlier_actions = views(
        record::open_earlier_actions(&state.db, can.id, g.series_id, g.starts_at).await?,
        me,
    );
    let facilitator = g.facilitator_id;
    let proposed = agenda
        .iter()
        .filter(|a| !a.carried && Some(a.proposer_id) != facilitator)
        .count();
    let carried = agenda.iter().filter(|a| a.carried).count();
    let proposals = crate::proposals::queries::at_meeting(&state.db, can.id, g.id).await?;
    let m = &access.membership;
    let closes_proposals = m.is_active()
        && (facilitator == Some(me) || m.has(Role::Facilitator) || m.has(Role::Organiser));
    let current = agenda.iter().find(|a| a.is_current());
    let note = match &kept.note {
        Some(note) => note.clone(),
        None => current.map(|a| a.notes.clone()).unwrap_or_default(),
    };
    let current_title = current.map(|a| a.title.clone());
    let current_id = current.map(|a| a.id);
    let items = agenda
        .into_iter()
        .map(|item| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut decisions)
                .into_iter()
                .partition(|d| d.agenda_item_id == Some(item.id));
            decisions = rest;
            let (their, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut actions)
                .into_iter()
                .partition(|a| a.item.agenda_item_id == Some(item.id));
            actions = rest;
            RunItem {
                clock: item
                    .started_at
                    .filter(|_| item.is_current())
                    .map(|at| Clock::new(at, item.minutes_budget, now, tz)),
                decisions: mine,
                actions: their,
                item,
            }
        })
        .collect();
    Ok(RunPage {
        nav: CanNav::new(can, &access.membership, Section::Meetings),
        meeting: g.clone(),
        tz,
        items,
        current: current_title,
        current_id,
        other_decisions: decisions,
        other_actions: actions,
        earlier_actions,
        can_schedule: access.schedules(),
        attended: people.iter().filter(|p| p.present).count(),
        members: people.iter().filter(|p| p.is_active()).cloned().collect(),
        people,
        proposed,
        carried,
        note,
        decision: kept.decision.clone(),
        action: kept.action.clone(),
        kept,
        proposals,
        closes_proposals,
        ctx,
    })
}

pub async fn page(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
    ctx: Layout,
) -> Result<RunPage> {
    render(&state, &access, ctx, Kept::default()).await
}

/// "Next item": the item under way is done, the next one's clock starts.
pub async fn next(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
    reply: Reply,
    ctx: Layout,
    Form(form): Form<NextForm>,
) -> Result<Response> {
    let reply = Reply { run: true, ..reply };
    let outcome = match form.from() {
        Some(from) => agenda_service::next(&state.db, &access, from).await?,
        None => NextOutcome::AlreadyMoved,
    };
    let text = match outcome {
        NextOutcome::Started(title) => format!("Now: {title}."),
        NextOutcome::Finished => {
            "That was the last item. Close the meeting when you are ready.".to_string()
        }
        NextOutcome::AlreadyMoved => {
            let kept = Kept::notice(
                "The meeting had already moved on (someone else pressed Next item, or the press \
                 came twice): here is where it stands now.",
            );
            return reply
                .refused(
                    &state,
                    &access,
                    ctx,
                    Part::Agenda,
                    kept,
                    StatusCode::CONFLICT,
                )
                .await;
        }
        NextOutcome::Cancelled => {
            let kept = Kept::notice("This meeting is cancelled: there is nothing to run.");
            return reply
                .refused(
                    &state,
                    &access,
                    ctx,
                    Part::Agenda,
                    kept,
                    StatusCode::CONFLICT,
                )
                .await;
        }
    };
    let done = (FlashKind::Success, text.as_str());
    reply.done(&state, &access, ctx, Part::Agenda, done).await
}

/// "Next item", sent with the item the person saw under way (empty: none was).
#[derive(Debug, Default, Deserialize)]
pub struct NextForm {
    #[serde(default)]
    from: String,
}

impl NextForm {
    /// The item seen under way: `Some(None)` when none was, `None` when the value is not an
    /// item id at all (treated as "the meeting has moved on": nothing changes).
    fn from(&self) -> Option<Option<Uuid>> {
        match self.from.trim() {
            "" => Some(None),
            id => id.parse().ok().map(Some),
        }
    }
}

/// A note against the item under way.
pub async fn note(
    State(state): State<AppState>,
    access: MeetingAccess<Runner>,
    reply: Reply,
    ctx: Layout,
    Form(form): Form<NoteForm>,
) -> Result<Response> {
    let reply = Reply { run: true, ..reply };
    let errors = match form.parse() {
        Ok(text) => match agenda_service::note(&state.db, &access, &text).await? {
            NoteOutcome::Saved => {
                let done = (FlashKind::Success, "The note is kept.");
                return reply.done(&state, &access, ctx, Part::Agenda, done).await;
            }
            NoteOutcome::NothingUnderWay => refusal(
                "note",
                "No item is under way: start one with “Next item”, then note against it.",
            ),
        },
        Err(errors) => errors,
    };
    let kept = Kept {
        errors,
        note: Some(form.note),
        ..Kept::default()
    };
    reply
        .refused(
            &state,
            &access,
            ctx,
            Part::Agenda,
            kept,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::Clock;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn the_clock_says_minutes_used_against_the_budget_in_the_groups_zone() {
        let start = Utc.with_ymd_and_hms(2026, 7, 2, 18, 12, 0).unwrap(); // ok: test fixture
        let london = chrono_tz::Europe::London;
        let at = |mins| start + Duration::minutes(mins) + Duration::seconds(30);
        let clock = Clock::new(start, Some(10), at(8), london);
        assert_eq!(clock.started, "19:12");
        assert_eq!(clock.used_words(), "8 of 10 min");
        assert_eq!(
            Clock::new(start, Some(10), at(12), london).used_words(),
            "12 of 10 min (2 over)"
        );
        assert_eq!(Clock::new(start, None, at(3), london).used_words(), "3 min");
        // A clock a little ahead of ours never counts below zero.
        assert_eq!(
            Clock::new(start, Some(5), start - Duration::seconds(20), london).used_words(),
            "0 of 5 min"
        );
    }
}
