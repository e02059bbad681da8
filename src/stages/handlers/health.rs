//! The health view, and noting that someone reached out to a member who seems to drift away.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::stages::care;
use crate::stages::forms::{ReachOut, ReachOutForm};
use crate::stages::guide::Criteria;
use crate::stages::health::{
    self, Bar, CheckInAverage, Drifting, Health, MeetingAttendance, OpenCheckIn,
};
use crate::web::{FlashKind, Form, Layout, time};

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

/// Someone who seems to drift away, and who last reached out to them.
pub struct DriftView {
    pub id: Uuid,
    pub name: String,
    pub reason: String,
    pub last_attended: Option<String>,
    pub reached: Option<Reached>,
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
    can_reach_out: bool,
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
    let can = &access.can;
    let tz = can.time_zone;
    let today = time::today_in(tz);
    let (criteria, h) = health::compute(&state.db, can.id, today).await?;
    Ok(HealthPage {
        nav: CanNav::new(can, &access.membership, Section::Health),
        bars: health::bars(&h.attendance, tz),
        attendance: h
            .attendance
            .iter()
            .map(|m| AttendanceRow::new(m, tz))
            .collect(),
        drifting: h.drifting.iter().map(|d| DriftView::new(d, tz)).collect(),
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
        can_reach_out: access.membership.is_active(),
        criteria,
        h,
        ctx,
    })
}

pub async fn reach_out(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Form(form): Form<ReachOutForm>,
) -> Result<Response> {
    let reach_out = ReachOut::parse(&form)?;
    let name = care::reach_out(&state.db, &access, &reach_out).await?;
    let text = format!("Noted that you reached out to {name}. Thank you.");
    access
        .redirect(&state.db, FlashKind::Success, &text, "/health#drifting")
        .await
}
