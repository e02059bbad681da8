//! The meetings list, scheduling a series or a one-off meeting, a series' page (who served when),
//! and changing a series (future occurrences follow; past ones and moved ones stay).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Facilitator, Member, Requirement};
use crate::cans::nav::{CanNav, Section};
use crate::error::{OrNotFound, Result};
use crate::meetings::ahead::{self, AheadDate};
use crate::meetings::forms::{self, KindQuery, RepeatChoice, Schedule, ScheduleForm};
use crate::meetings::queries::polls::{self, PollLine};
use crate::meetings::queries::{self, Meeting};
use crate::meetings::recurrence;
use crate::meetings::schedule::{self, Scheduled};
use crate::meetings::series::{self, SeriesRow};
use crate::meetings::when;
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, Query, time, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "meetings/list.html")]
pub struct ListPage {
    ctx: Layout,
    nav: CanNav,
    upcoming: Vec<Meeting>,
    past: Vec<Meeting>,
    series: Vec<SeriesRow>,
    polls: Vec<PollLine>,
    can_schedule: bool,
    tz: Tz,
    /// The group's today: each series says where it stands from its rule.
    today: NaiveDate,
}

impl ListPage {
    fn when(&self, m: &Meeting) -> String {
        when(m.starts_at, m.ends_at, self.tz)
    }
}

pub async fn list(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<ListPage> {
    let (db, can) = (&state.db, &access.can);
    let now = Utc::now();
    let horizon = now + chrono::Duration::days(series::HORIZON_DAYS);
    let mut upcoming =
        queries::between(db, can.id, now - chrono::Duration::hours(3), horizon).await?;
    upcoming.retain(|m| m.ends_at > now);
    let mut past = queries::recent(db, can.id, 10).await?;
    past.retain(|m| m.ends_at <= now);
    Ok(ListPage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Meetings),
        upcoming,
        past,
        series: series::all_series(db, can.id).await?,
        polls: polls::recent(db, can.id, 10).await?,
        can_schedule: Facilitator::accepts(&access.membership),
        tz: can.time_zone,
        today: time::today_in(can.time_zone),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/schedule.html")]
pub struct SchedulePage {
    ctx: Layout,
    nav: CanNav,
    form: ScheduleForm,
    errors: FieldErrors,
    /// The series being changed; `None` when scheduling anew.
    editing: Option<Uuid>,
    /// The kind of repetition chosen (the second step shows only its fields); `None` while it
    /// is still to be chosen (the first step).
    kind: Option<&'static RepeatChoice>,
    tz: Tz,
}

impl SchedulePage {
    fn new<R: Requirement>(
        access: &CanAccess<R>,
        ctx: Layout,
        form: ScheduleForm,
        errors: FieldErrors,
        editing: Option<Uuid>,
    ) -> Self {
        Self {
            ctx,
            nav: CanNav::new(&access.can, &access.membership, Section::Meetings),
            kind: RepeatChoice::find(&form.repeat, editing.is_some()),
            form,
            errors,
            editing,
            tz: access.can.time_zone,
        }
    }

    /// A series' own zone (kept from when it was made; the CAN's may have changed since).
    fn in_zone(self, tz: chrono_tz::Tz) -> Self {
        Self { tz, ..self }
    }

    /// Where the first step's choice of `kind` leads.
    fn choose_path(&self, kind: &str) -> String {
        format!("{}?repeat={kind}", self.step_path())
    }

    /// The form's own page (the first step when `?repeat=choose`).
    fn step_path(&self) -> String {
        match self.editing {
            Some(id) => format!("/c/{}/meetings/series/{id}/edit", self.nav.slug),
            None => format!("/c/{}/meetings/new", self.nav.slug),
        }
    }

    /// Back to the first step, to choose another kind.
    fn change_kind_path(&self) -> String {
        self.choose_path(CHOOSE)
    }
}

/// `?repeat=choose`: the first step, even when editing a series (which otherwise opens at its
/// own kind).
const CHOOSE: &str = "choose";

/// The schedule form: without `?repeat=`, the first step (how often?); with it, that kind's
/// fields.
pub async fn new_page(
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Query(query): Query<KindQuery>,
) -> SchedulePage {
    let mut form = ScheduleForm::blank(time::today_in(access.can.time_zone));
    form.repeat = query.repeat.unwrap_or_default();
    SchedulePage::new(&access, ctx, form, FieldErrors::new(), None)
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Form(form): Form<ScheduleForm>,
) -> Result<Response> {
    let schedule = match Schedule::parse(&form, time::today_in(access.can.time_zone)) {
        Ok(s) => s,
        Err(errors) => return unprocessable(SchedulePage::new(&access, ctx, form, errors, None)),
    };
    let to = match schedule::create(&state.db, &access, &schedule).await? {
        Scheduled::Series(id) => format!("/meetings/series/{id}"),
        Scheduled::Meeting(id) => format!("/meetings/{id}"),
    };
    let text = "The meeting is scheduled.";
    access
        .redirect(&state.db, FlashKind::Success, text, &to)
        .await
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/series.html")]
pub struct SeriesPage {
    ctx: Layout,
    nav: CanNav,
    series: SeriesRow,
    /// "Weekly on Thursdays at 19:00 from 18 March 2027".
    summary: String,
    /// Its next dates from the rule, however far ahead, each with what became of it.
    ahead: Vec<AheadDate>,
    /// Occurrences ahead that the rule no longer gives (kept when the series changed).
    off_rule: Vec<Meeting>,
    /// Those that have begun, latest first.
    served: Vec<Meeting>,
    can_schedule: bool,
    tz: Tz,
}

impl SeriesPage {
    fn when(&self, m: &Meeting) -> String {
        when(m.starts_at, m.ends_at, self.tz)
    }

    fn date(&self, at: &DateTime<Utc>) -> String {
        time::date_in(*at, self.tz)
    }

    fn horizon_weeks(&self) -> i64 {
        series::HORIZON_DAYS / 7
    }
}

pub async fn series_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<SeriesPage> {
    let can = &access.can;
    let series = series::find(&state.db, can.id, id).await?.or_not_found()?;
    let all = queries::of_series(&state.db, can.id, id).await?;
    let now = Utc::now();
    let today = time::today_in(can.time_zone);
    let existing = ahead::occurrences(&state.db, can.id, id, today).await?;
    let facilitator = |meeting: Uuid| {
        all.iter()
            .find(|m| m.id == meeting)
            .and_then(|m| m.facilitator.clone())
    };
    let ahead = ahead::ahead(&series, today, 16, &existing, facilitator);
    let off_rule = all
        .iter()
        .filter(|m| m.ends_at > now && !m.status.is_cancelled())
        .filter(|m| !ahead.iter().any(|a| a.meeting_id == Some(m.id)))
        .filter(|m| {
            !existing
                .iter()
                .any(|o| o.id == m.id && series_falls_on(&series, o.occurrence_on))
        })
        .cloned()
        .collect();
    Ok(SeriesPage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Meetings),
        summary: series.summary(today),
        ahead,
        off_rule,
        served: all
            .iter()
            .rev()
            .filter(|m| m.starts_at <= now)
            .cloned()
            .collect(),
        series,
        can_schedule: Facilitator::accepts(&access.membership),
        tz: can.time_zone,
    })
}

fn series_falls_on(s: &SeriesRow, day: NaiveDate) -> bool {
    recurrence::falls_on(&s.rrule, s.starts_on, s.until_on, day)
}

/// Changing a series opens at its own kind; `?repeat=` switches to another (or, with
/// `choose`, back to the first step), keeping the rest of the series' values.
pub async fn edit_page(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Query(query): Query<KindQuery>,
) -> Result<SchedulePage> {
    let s = series::find(&state.db, access.can.id, id)
        .await?
        .or_not_found()?;
    let mut form = ScheduleForm::from_series(&s, time::today_in(s.time_zone));
    if let Some(repeat) = query.repeat {
        form.repeat = repeat;
    }
    Ok(SchedulePage::new(&access, ctx, form, FieldErrors::new(), Some(id)).in_zone(s.time_zone))
}

pub async fn update(
    State(state): State<AppState>,
    access: CanAccess<Facilitator>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<ScheduleForm>,
) -> Result<Response> {
    let s = series::find(&state.db, access.can.id, id)
        .await?
        .or_not_found()?;
    let schedule = match Schedule::parse_series(&form, time::today_in(s.time_zone)) {
        Ok(s) => s,
        Err(errors) => {
            let page = SchedulePage::new(&access, ctx, form, errors, Some(id));
            return unprocessable(page.in_zone(s.time_zone));
        }
    };
    let base_url = &state.config.public_url;
    let edited = schedule::edit(&state.db, &access, id, &schedule, base_url).await?;
    let text = match edited.agendas_filled {
        0 => "The series is changed; future meetings follow (past ones and ones moved by hand stay as they were).".to_string(),
        1 => "The series is changed; future meetings follow (past ones and ones moved by hand stay as they were). One future meeting without an agenda now has the template's items.".to_string(),
        n => format!("The series is changed; future meetings follow (past ones and ones moved by hand stay as they were). {n} future meetings without an agenda now have the template's items."),
    };
    let to = format!("/meetings/series/{id}");
    access
        .redirect(&state.db, FlashKind::Success, &text, &to)
        .await
}
