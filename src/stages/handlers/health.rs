//! The health view, and noting that someone reached out to a member who seems to drift away
//! (with an optional word to them, which they receive as a notification).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Facilitator, Member};
use crate::cans::model::{Can, Membership};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::stages::attention::Viewer;
use crate::stages::care;
use crate::stages::forms::{ReachOut, ReachOutForm};
use crate::stages::guide::Criteria;
use crate::stages::health::{
    self, Bar, CheckInAverage, Drifting, Health, MeetingAttendance, OpenCheckIn,
};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, time, unprocessable};

/// A meeting's attendance, for the table beside the chart.
pub struct AttendanceRow {
    pub day: String,
    pub title: String,
    pub present: i64,
    pub active: i64,
    pub percent: u32,
}

impl AttendanceRow {
    fn new(m: &MeetingAttendance, tz: chrono_tz::Tz) -> Self {
        Self {
            day: time::date_in(m.starts_at, tz),
            title: m.title.clone(),
            present: m.present,
            active: m.active,
            percent: m.percent(),
        }
    }
}

/// Someone who seems to drift away, and who last reached out to them; with the reach-out form's
/// input and message when it was sent back.
pub struct DriftView {
    pub id: Uuid,
    pub name: String,
    pub reason: String,
    pub last_attended: Option<String>,
    pub reached: Option<Reached>,
    pub note: String,
    pub word: String,
    pub word_error: Option<String>,
}

/// Who last reached out to someone drifting, and on what day.
pub struct Reached {
    pub by: String,
    pub on: String,
}

impl DriftView {
    fn new(d: &Drifting, tz: chrono_tz::Tz) -> Self {
        Self {
            id: d.member_id,
            name: d.name.clone(),
            reason: d.reason.clone(),
            last_attended: d.last_attended.map(|t| time::date_in(t, tz)),
            reached: d.last_reach_out.as_ref().map(|o| Reached {
                by: o.by.clone(),
                on: time::date_in(o.at, tz),
            }),
            note: String::new(),
            word: String::new(),
            word_error: None,
        }
    }
}

/// A meeting's check-in averages (`None` below the floor).
pub struct CheckInRow {
    pub day: String,
    pub answers: i64,
    pub averages: Option<[f64; 5]>,
}

impl CheckInRow {
    fn new(c: &CheckInAverage, tz: chrono_tz::Tz) -> Self {
        Self {
            day: time::date_in(c.starts_at, tz),
            answers: c.answers,
            averages: c.averages,
        }
    }
}

/// A meeting whose check-ins are open, and when they close (its averages appear then).
pub struct OpenCheckInRow {
    pub title: String,
    pub day: String,
    /// "1 December 2026, 20:30" in the group's zone.
    pub closes: String,
}

impl OpenCheckInRow {
    fn new(c: &OpenCheckIn, tz: chrono_tz::Tz) -> Self {
        Self {
            title: c.title.clone(),
            day: time::date_in(c.starts_at, tz),
            closes: time::datetime_in(c.closes_at, tz),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "stages/health.html")]
pub struct HealthPage {
    ctx: Layout,
    nav: CanNav,
    h: Health,
    criteria: Criteria,
    bars: Vec<Bar>,
    attendance: Vec<AttendanceRow>,
    drifting: Vec<DriftView>,
    review: Option<String>,
    review_due: bool,
    check_ins: Vec<CheckInRow>,
    open_check_ins: Vec<OpenCheckInRow>,
    /// Check-in averages are shown from this many answers.
    check_in_floor: i64,
    /// An active organiser or facilitator: sees who drifts, and the reach-out forms.
    sees_drifting: bool,
    /// A reach-out sent back whose member is no longer listed as drifting: its message, shown
    /// above the list.
    reach_out_problem: Option<String>,
    /// Asking for a hand over the last weeks: numbers only (`templates/support/_health.html`).
    support: crate::support::SupportHealth,
}

impl HealthPage {
    /// Held meetings as a share of those due: (held, due, percent), or `None` when none were due.
    fn on_schedule(&self) -> Option<(i64, i64, i64)> {
        let due = self.h.held + self.h.cancelled + self.h.unrecorded;
        (due > 0).then(|| (self.h.held, due, self.h.held * 100 / due))
    }
}

pub async fn health_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<HealthPage> {
    page(&state, &access.can, &access.membership, ctx, None).await
}

/// A reach-out form sent back with what was typed and what was wrong.
struct Again<'a> {
    form: &'a ReachOutForm,
    member_id: Uuid,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    can: &Can,
    membership: &Membership,
    ctx: Layout,
    again: Option<Again<'_>>,
) -> Result<HealthPage> {
    let tz = can.time_zone;
    let today = time::today_in(tz);
    let (criteria, mut h) = health::compute(&state.db, can.id, today).await?;
    // Who drifts is for organisers and facilitators; everyone else reads that the group reaches
    // out. The names do not even reach the template.
    let sees_drifting = Viewer::of(membership).sees_drifting;
    if !sees_drifting {
        h.drifting.clear();
    }
    let mut drifting: Vec<DriftView> = h.drifting.iter().map(|d| DriftView::new(d, tz)).collect();
    let mut reach_out_problem = None;
    if let Some(again) = again {
        let word_error = again.errors.get("word").map(str::to_string);
        match drifting.iter_mut().find(|d| d.id == again.member_id) {
            Some(d) => {
                d.note = again.form.note.clone();
                d.word = again.form.word.clone();
                d.word_error = word_error;
            }
            None => reach_out_problem = word_error,
        }
    }
    Ok(HealthPage {
        nav: CanNav::new(can, membership, Section::Health),
        bars: health::bars(&h.attendance, tz),
        attendance: h
            .attendance
            .iter()
            .map(|m| AttendanceRow::new(m, tz))
            .collect(),
        drifting,
        review: h.review_on.map(time::date),
        review_due: h
            .review_on
            .is_some_and(|d| d <= today + chrono::Duration::days(30)),
        check_ins: h.check_ins.iter().map(|c| CheckInRow::new(c, tz)).collect(),
        open_check_ins: h
            .open_check_ins
            .iter()
            .map(|c| OpenCheckInRow::new(c, tz))
            .collect(),
        check_in_floor: health::CHECK_IN_FLOOR,
        sees_drifting,
        reach_out_problem,
        support: crate::support::health(&state.db, can.id, membership.is_organiser()).await?,
        criteria,
        h,
        ctx,
    })
}

pub async fn reach_out(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Form(form): Form<ReachOutForm>,
) -> Result<Response> {
    let reach_out = match ReachOut::parse(&form)? {
        Ok(r) => r,
        Err(errors) => {
            let member_id = form.member_id.trim().parse().unwrap_or_default();
            let again = Again {
                form: &form,
                member_id,
                errors,
            };
            let page = page(&state, &access.can, &access.membership, ctx, Some(again)).await?;
            return unprocessable(page);
        }
    };
    let base_url = &state.config.public_url;
    let done = care::reach_out(&state.db, &access, &reach_out, base_url).await?;
    // A word to oneself is never sent (care::reach_out): that is not "sent already this week".
    let word_to_send = reach_out.word.is_some() && reach_out.member_id != access.me.id;
    let text = match (done.word_sent, word_to_send) {
        (true, _) => format!(
            "Noted that you reached out to {}, and sent them your word. Thank you.",
            done.name
        ),
        (false, true) => format!(
            "Noted that you reached out to {}. You sent them a word this week already, so this \
             one was not sent: one a week is plenty.",
            done.name
        ),
        (false, false) => format!("Noted that you reached out to {}. Thank you.", done.name),
    };
    access
        .redirect(&state.db, FlashKind::Success, &text, "/health#drifting")
        .await
}
