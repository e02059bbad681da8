//! Vision versions: proposing a text (drawing on hopes), reading a version, comparing two, and
//! editing safely: a version written from an out-of-date view is refused with 409, the newer text
//! shown beside the writer's, which is kept in the form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member};
use crate::cans::activity;
use crate::cans::nav::CanNav;
use crate::error::{AppError, Result};
use crate::visioning::diff::{self, Run};
use crate::visioning::forms::{Draft, DraftForm, RoundForm};
use crate::visioning::queries::{self, Version};
use crate::visioning::rounds;
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Layout, MultiForm, Path, Query, redirect_with_flash, time};

pub struct HopeChoice {
    pub id: String,
    pub author: String,
    pub body: String,
    pub checked: bool,
}

pub struct Newer {
    pub number: i32,
    pub author: String,
    pub body: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/draft.html")]
pub struct DraftPage {
    ctx: Layout,
    nav: CanNav,
    form: DraftForm,
    hopes: Vec<HopeChoice>,
    from: Option<i32>,
    newer: Option<Newer>,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FromQuery {
    from: String,
}

async fn hope_choices(
    state: &AppState,
    can_id: uuid::Uuid,
    checked: &[String],
) -> Result<Vec<HopeChoice>> {
    Ok(queries::hopes(&state.db, can_id)
        .await?
        .into_iter()
        .map(|h| HopeChoice {
            checked: checked.iter().any(|c| *c == h.id.to_string()),
            id: h.id.to_string(),
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
                .ok_or(AppError::NotFound)?,
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
        nav: CanNav::new(can, &access.membership, "vision"),
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
    MultiForm(form): MultiForm<DraftForm>,
) -> Result<Response> {
    let can = &access.can;
    let draft = match Draft::try_from(&form) {
        Ok(d) => d,
        Err(errors) => {
            let page = DraftPage {
                ctx,
                nav: CanNav::new(can, &access.membership, "vision"),
                hopes: hope_choices(&state, can.id, &form.hope).await?,
                from: None,
                newer: None,
                form,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };

    let mut tx = state.db.begin().await?;
    // Versions of one CAN are numbered one after another: lock the CAN while taking the next.
    crate::cans::queries::lock_can(&mut tx, can.id).await?;
    let latest = queries::latest_number(&mut *tx, can.id).await?;
    if latest != draft.base_version {
        let newest = queries::version(&mut *tx, can.id, latest)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(tx);
        let mut form = form;
        // Saving again after reading the newer text is a deliberate choice: allow it.
        form.base_version = latest.to_string();
        let mut errors = FieldErrors::new();
        errors.add(
            "body",
            format!(
                "While you were writing, {} saved version {}. Your text is kept below; read theirs \
                 beside it, merge what you want, and save again.",
                newest.author, newest.number
            ),
        );
        let page = DraftPage {
            ctx,
            nav: CanNav::new(can, &access.membership, "vision"),
            hopes: hope_choices(&state, can.id, &form.hope).await?,
            from: None,
            newer: Some(Newer {
                number: newest.number,
                author: newest.author,
                body: newest.body,
            }),
            form,
            errors,
        };
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let number = latest + 1;
    // The version the writer started from (when editing one), not merely the newest.
    let based_on = draft.from.filter(|n| *n > 0 && *n <= latest);
    let id =
        queries::insert_version(&mut tx, can.id, number, access.me.id, &draft, based_on).await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "vision.version_saved",
        ("vision_version", id),
        format!("{} saved vision version {number}", access.me.display_name),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &format!("Version {number} is saved."),
        &format!("/c/{}/vision/versions/{number}", can.slug),
    )
    .await
}

pub struct RoundRow {
    pub id: String,
    pub opened: String,
    pub state: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/version.html")]
pub struct VersionPage {
    ctx: Layout,
    nav: CanNav,
    version: Version,
    created: String,
    adopted: String,
    hopes: Vec<HopeChoice>,
    rounds: Vec<RoundRow>,
    can_edit: bool,
    can_open_round: bool,
    round_form: RoundForm,
    errors: FieldErrors,
}

pub async fn version_page(
    state: &AppState,
    access: &CanAccess<impl crate::cans::access::Requirement>,
    ctx: Layout,
    number: i32,
    round_form: RoundForm,
    errors: FieldErrors,
) -> Result<VersionPage> {
    let can = &access.can;
    let tz = can.time_zone;
    let version = queries::version(&state.db, can.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let hopes = queries::version_hopes(&state.db, can.id, version.id)
        .await?
        .into_iter()
        .map(|h| HopeChoice {
            id: h.id.to_string(),
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
            id: r.id.to_string(),
            opened: time::date_in(r.opened_at, tz),
            state: match &r.outcome {
                Some(o) => rounds::outcome_words(o).to_string(),
                None => format!("open until {}", time::datetime_in(r.closes_at, tz)),
            },
        })
        .collect();
    let m = &access.membership;
    let facilitates = m.is_active()
        && (m.has(crate::cans::model::Role::Facilitator)
            || m.has(crate::cans::model::Role::Organiser));
    Ok(VersionPage {
        ctx,
        nav: CanNav::new(can, m, "vision"),
        created: time::datetime_in(version.created_at, tz),
        adopted: version
            .adopted_at
            .map(|t| time::date_in(t, tz))
            .unwrap_or_default(),
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
        .ok_or(AppError::NotFound)?;
    let new = queries::version(&state.db, can.id, to)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ComparePage {
        ctx,
        nav: CanNav::new(can, &access.membership, "vision"),
        runs: diff::words(&old.body, &new.body),
        from,
        to,
        numbers: (1..=latest).rev().collect(),
    })
}
