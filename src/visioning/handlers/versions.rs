//! Vision versions: proposing a text (drawing on hopes), reading a version, comparing two, and
//! editing safely: a version written from an out-of-date view is refused with 409, the newer text
//! shown beside the writer's, which is kept in the form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member, Requirement};
use crate::cans::model::Role;
use crate::cans::nav::{CanNav, Section};
use crate::error::{AppError, OrNotFound, Result};
use crate::visioning::diff::{self, Change, Run};
use crate::visioning::forms::{Draft, DraftForm, RoundForm};
use crate::visioning::model::RoundOutcome;
use crate::visioning::queries::{self, Version};
use crate::visioning::rounds;
use crate::visioning::versions::{self, SaveRefusal};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Layout, MultiForm, Path, Query, page_with_status, time};

pub struct HopeChoice {
    pub id: Uuid,
    pub author: String,
    pub body: String,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/draft.html")]
pub struct DraftPage {
    ctx: Layout,
    nav: CanNav,
    form: DraftForm,
    hopes: Vec<HopeChoice>,
    from: Option<i32>,
    /// The version someone saved while the writer was writing, shown beside their text.
    newer: Option<Version>,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FromQuery {
    from: String,
}

async fn hope_choices(
    state: &AppState,
    can_id: Uuid,
    checked: &[String],
) -> Result<Vec<HopeChoice>> {
    Ok(queries::hopes(&state.db, can_id)
        .await?
        .into_iter()
        .map(|h| HopeChoice {
            checked: checked.iter().any(|c| *c == h.id.to_string()),
            id: h.id,
            author: h.author,
            body: h.body,
        })
        .collect())
}

pub async fn draft_page(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Query(query): Query<FromQuery>,
) -> Result<DraftPage> {
    let can = &access.can;
    let latest = queries::latest_number(&state.db, can.id).await?;
    let from = match query.from.trim().parse::<i32>() {
        Ok(n) => Some(
            queries::version(&state.db, can.id, n)
                .await?
                .or_not_found()?,
        ),
        Err(_) => None,
    };
    let (body, checked) = match &from {
        Some(v) => (
            v.body.clone(),
            queries::version_hopes(&state.db, can.id, v.id)
                .await?
                .into_iter()
                .map(|h| h.id.to_string())
                .collect(),
        ),
        None => (String::new(), Vec::new()),
    };
    Ok(DraftPage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Vision),
        hopes: hope_choices(&state, can.id, &checked).await?,
        form: DraftForm {
            body,
            note: String::new(),
            hope: checked,
            base_version: latest.to_string(),
            from: from
                .as_ref()
                .map(|v| v.number.to_string())
                .unwrap_or_default(),
        },
        from: from.map(|v| v.number),
        newer: None,
        errors: FieldErrors::new(),
    })
}

pub async fn save_draft(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    MultiForm(mut form): MultiForm<DraftForm>,
) -> Result<Response> {
    let (errors, newer) = match Draft::try_from(&form) {
        Err(errors) => (errors, None),
        Ok(draft) => match versions::save(&state.db, &access, &draft).await? {
            Ok(number) => {
                let text = format!("Version {number} is saved.");
                let to = format!("/vision/versions/{number}");
                return access
                    .redirect(&state.db, FlashKind::Success, &text, &to)
                    .await;
            }
            Err(SaveRefusal::Outdated(newest)) => {
                // Saving again after reading the newer text is a deliberate choice: allow it.
                form.base_version = newest.number.to_string();
                let mut errors = FieldErrors::new();
                errors.add(
                    "body",
                    format!(
                        "While you were writing, {} saved version {}. Your text is kept below; read theirs \
                         beside it, merge what you want, and save again.",
                        newest.author, newest.number
                    ),
                );
                (errors, Some(newest))
            }
        },
    };
    let status = match newer {
        Some(_) => StatusCode::CONFLICT,
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = DraftPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::Vision),
        hopes: hope_choices(&state, access.can.id, &form.hope).await?,
        from: None,
        newer,
        form,
        errors,
    };
    page_with_status(status, page)
}

pub struct RoundRow {
    pub id: Uuid,
    pub opened: String,
    /// How it ended; `None` while it is open.
    pub outcome: Option<RoundOutcome>,
    pub closes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/version.html")]
pub struct VersionPage {
    ctx: Layout,
    nav: CanNav,
    version: Version,
    created: String,
    adopted: Option<String>,
    hopes: Vec<HopeChoice>,
    rounds: Vec<RoundRow>,
    can_edit: bool,
    can_open_round: bool,
    round_form: RoundForm,
    errors: FieldErrors,
}

pub async fn version_page(
    state: &AppState,
    access: &CanAccess<impl Requirement>,
    ctx: Layout,
    number: i32,
    round_form: RoundForm,
    errors: FieldErrors,
) -> Result<VersionPage> {
    let can = &access.can;
    let tz = can.time_zone;
    let version = queries::version(&state.db, can.id, number)
        .await?
        .or_not_found()?;
    let hopes = queries::version_hopes(&state.db, can.id, version.id)
        .await?
        .into_iter()
        .map(|h| HopeChoice {
            id: h.id,
            author: h.author,
            body: h.body,
            checked: true,
        })
        .collect();
    let all_rounds = rounds::rounds(&state.db, can.id).await?;
    let any_open = all_rounds.iter().any(|r| r.closed_at.is_none());
    let rounds = all_rounds
        .into_iter()
        .filter(|r| r.version_id == version.id)
        .map(|r| RoundRow {
            id: r.id,
            opened: time::date_in(r.opened_at, tz),
            outcome: r.outcome,
            closes: time::datetime_in(r.closes_at, tz),
        })
        .collect();
    let m = &access.membership;
    let facilitates = m.is_active() && (m.has(Role::Facilitator) || m.has(Role::Organiser));
    Ok(VersionPage {
        ctx,
        nav: CanNav::new(can, m, Section::Vision),
        created: time::datetime_in(version.created_at, tz),
        adopted: version.adopted_at.map(|t| time::date_in(t, tz)),
        can_edit: m.is_active(),
        can_open_round: facilitates && !any_open && version.adopted_at.is_none(),
        version,
        hopes,
        rounds,
        round_form,
        errors,
    })
}

/// A week from now at 20:00 in the group's zone: a sensible first suggestion for a closing time.
pub fn default_round_form(tz: chrono_tz::Tz) -> RoundForm {
    let day = time::today_in(tz) + chrono::Duration::days(7);
    RoundForm {
        closes_on: day.format("%Y-%m-%d").to_string(),
        closes_time: "20:00".into(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, number)): Path<(String, i32)>,
) -> Result<VersionPage> {
    let form = default_round_form(access.can.time_zone);
    version_page(&state, &access, ctx, number, form, FieldErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompareQuery {
    from: String,
    to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/compare.html")]
pub struct ComparePage {
    ctx: Layout,
    nav: CanNav,
    from: i32,
    to: i32,
    runs: Vec<Run>,
    numbers: Vec<i32>,
}

pub async fn compare(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Query(query): Query<CompareQuery>,
) -> Result<ComparePage> {
    let can = &access.can;
    let latest = queries::latest_number(&state.db, can.id).await?;
    let to = query.to.trim().parse::<i32>().unwrap_or(latest);
    let from = match query.from.trim().parse::<i32>() {
        Ok(n) => n,
        Err(_) => to.checked_sub(1).ok_or(AppError::NotFound)?,
    };
    let old = queries::version(&state.db, can.id, from)
        .await?
        .or_not_found()?;
    let new = queries::version(&state.db, can.id, to)
        .await?
        .or_not_found()?;
    Ok(ComparePage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Vision),
        runs: diff::words(&old.body, &new.body),
        from,
        to,
        numbers: (1..=latest).rev().collect(),
    })
}
