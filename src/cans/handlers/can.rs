//! Starting a CAN, its home page (members' and public views), settings, the public directory and
//! the activity log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{CanNav, role_labels};
use crate::AppState;
use crate::accounts::queries as accounts;
use crate::cans::access::{CanAccess, CanViewer, Organiser};
use crate::cans::activity;
use crate::cans::forms::{CanForm, NewCan};
use crate::cans::model::{Can, Role, Stage};
use crate::cans::queries;
use crate::error::Result;
use crate::web::forms::{FieldErrors, time_zone_names};
use crate::web::time;
use crate::web::{CurrentMember, FlashKind, Form, Layout, Query, redirect_with_flash};

#[derive(Template, WebTemplate)]
#[template(path = "cans/form.html")]
pub struct CanFormPage {
    ctx: Layout,
    form: CanForm,
    errors: FieldErrors,
    time_zones: &'static [&'static str],
    /// `None` when starting a CAN; the slug when editing one (whose address does not change).
    editing: Option<String>,
}

pub async fn new_page(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
) -> Result<Response> {
    let profile = accounts::profile(&state.db, me.id).await?;
    Ok(CanFormPage {
        ctx,
        form: CanForm {
            time_zone: profile.time_zone,
            visibility: "invite_only".into(),
            place: profile.neighbourhood,
            ..Default::default()
        },
        errors: FieldErrors::new(),
        time_zones: time_zone_names(),
        editing: None,
    }
    .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Form(form): Form<CanForm>,
) -> Result<Response> {
    let invalid = |form, errors| {
        let page = CanFormPage {
            ctx: ctx.clone(),
            form,
            errors,
            time_zones: time_zone_names(),
            editing: None,
        };
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let new = match NewCan::try_from(&form) {
        Ok(n) => n,
        Err(errors) => return Ok(invalid(form, errors)),
    };

    let mut tx = state.db.begin().await?;
    let Some(can_id) = queries::insert_can(&mut tx, &new, me.id).await? else {
        drop(tx);
        // A double click: the first submission already made this CAN. Go there.
        if queries::just_started(&state.db, new.slug.as_str(), me.id, &new.name).await? {
            return Ok(
                axum::response::Redirect::to(&format!("/c/{}", new.slug.as_str())).into_response(),
            );
        }
        let free = queries::free_slug(&state.db, new.slug.as_str()).await?;
        let mut errors = FieldErrors::new();
        errors.add(
            "slug",
            format!(
                "The address “{}” is taken. “{free}” is free: use it, or choose another.",
                new.slug.as_str()
            ),
        );
        let mut form = form;
        form.slug = new.slug.as_str().to_string();
        return Ok(invalid(form, errors));
    };
    queries::add_membership(&mut tx, can_id, me.id, chrono::Utc::now(), None).await?;
    queries::grant_role(&mut tx, can_id, me.id, Role::Organiser, Some(me.id), None).await?;
    activity::log(
        &mut *tx,
        can_id,
        me.id,
        "can.created",
        ("can", can_id),
        format!("{} started {}", me.display_name, new.name),
    )
    .await?;
    tx.commit().await?;

    redirect_with_flash(
        &state.db,
        me.session_id,
        FlashKind::Success,
        &format!(
            "{} is ready, and you are its first organiser. Next: invite your neighbours.",
            new.name
        ),
        &format!("/c/{}", new.slug.as_str()),
    )
    .await
}

pub async fn settings_page(access: CanAccess<Organiser>, ctx: Layout) -> CanFormPage {
    let c = &access.can;
    CanFormPage {
        ctx,
        form: CanForm {
            name: c.name.clone(),
            slug: c.slug.clone(),
            place: c.place.clone(),
            purpose: c.purpose.clone(),
            rationale: c.rationale.clone(),
            rules: c.rules.clone(),
            time_zone: c.time_zone.name().to_string(),
            visibility: c.visibility.as_str().into(),
        },
        errors: FieldErrors::new(),
        time_zones: time_zone_names(),
        editing: Some(c.slug.clone()),
    }
}

pub async fn update(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Form(mut form): Form<CanForm>,
) -> Result<Response> {
    // The address stays: links to it are out in the world.
    form.slug = access.can.slug.clone();
    let new = match NewCan::try_from(&form) {
        Ok(n) => n,
        Err(errors) => {
            let page = CanFormPage {
                ctx,
                form,
                errors,
                time_zones: time_zone_names(),
                editing: Some(access.can.slug.clone()),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    queries::update_can(&mut *tx, access.can.id, &new).await?;
    activity::log(
        &mut *tx,
        access.can.id,
        access.me.id,
        "can.updated",
        ("can", access.can.id),
        format!("{} updated the CAN's details", access.me.display_name),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "The CAN's details are saved.",
        &format!("/c/{}", access.can.slug),
    )
    .await
}

/// A member as the home page lists them.
pub struct MemberBadge {
    pub member_id: String,
    pub name: String,
    pub roles: Vec<&'static str>,
    pub away: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/home.html")]
pub struct HomePage {
    ctx: Layout,
    nav: CanNav,
    can: Can,
    stages: Vec<(Stage, bool, bool)>,
    members: Vec<MemberBadge>,
    my_roles: Vec<&'static str>,
    paused: bool,
    pending_requests: usize,
    created: String,
    vision: Option<(String, String)>,
    steps: Vec<crate::stages::guide::Step>,
    /// (meeting id, title, when in the group's zone)
    next_meeting: Option<(String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/public.html")]
pub struct PublicPage {
    ctx: Layout,
    can: Can,
    stages: Vec<(Stage, bool, bool)>,
    active_members: usize,
    signed_in: bool,
    request_pending: bool,
    next: String,
    errors: FieldErrors,
    message: String,
}

pub async fn home(
    State(state): State<AppState>,
    viewer: CanViewer,
    ctx: Layout,
) -> Result<Response> {
    let can = viewer.can;
    let stages = can.stage_path();
    let all = queries::members(&state.db, can.id).await?;
    let Some(membership) = viewer.membership else {
        let request_pending = match &viewer.me {
            Some(me) => queries::has_pending_request(&state.db, can.id, me.id).await?,
            None => false,
        };
        return Ok(PublicPage {
            ctx,
            active_members: all.iter().filter(|m| m.status == "active").count(),
            signed_in: viewer.me.is_some(),
            request_pending,
            next: format!("/c/{}", can.slug),
            stages,
            can,
            errors: FieldErrors::new(),
            message: String::new(),
        }
        .into_response());
    };
    let pending_requests = if membership.is_organiser() {
        queries::pending_requests(&state.db, can.id).await?.len()
    } else {
        0
    };
    let members = all
        .iter()
        .filter(|m| m.status != "left")
        .map(|m| MemberBadge {
            member_id: m.member_id.to_string(),
            name: m.display_name.clone(),
            roles: role_labels(&m.roles),
            away: m.status == "paused",
        })
        .collect();
    let vision = crate::visioning::queries::adopted_vision(&state.db, can.id)
        .await?
        .map(|v| (v.body, time::date_in(v.adopted_at, can.time_zone)));
    let criteria = crate::stages::guide::criteria(&state.db, can.id).await?;
    let facts = crate::stages::guide::facts(&state.db, can.id).await?;
    let steps = crate::stages::guide::steps(can.stage, &facts, &criteria, &can.slug);
    let next_meeting: Option<(uuid::Uuid, String, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> =
        sqlx::query_as(
            "SELECT id, title, starts_at, ends_at FROM meetings
             WHERE can_id = $1 AND status = 'scheduled' AND ends_at > now() ORDER BY starts_at LIMIT 1",
        )
        .bind(can.id)
        .fetch_optional(&state.db)
        .await?;
    let next_meeting = next_meeting.map(|(id, title, s, e)| {
        (
            id.to_string(),
            title,
            crate::meetings::when(s, e, can.time_zone),
        )
    });
    Ok(HomePage {
        ctx,
        vision,
        steps,
        next_meeting,
        nav: CanNav::new(&can, &membership, "home"),
        created: time::date_in(can.created_at, can.time_zone),
        my_roles: membership.roles.iter().map(|r| r.label()).collect(),
        paused: !membership.is_active(),
        pending_requests,
        members,
        stages,
        can,
    }
    .into_response())
}

/// Re-renders the public page of a listed CAN with the join request's errors (422).
pub async fn public_with_errors(
    state: &AppState,
    ctx: Layout,
    can: Can,
    errors: FieldErrors,
    message: String,
) -> Result<Response> {
    let all = queries::members(&state.db, can.id).await?;
    let page = PublicPage {
        ctx,
        active_members: all.iter().filter(|m| m.status == "active").count(),
        signed_in: true,
        request_pending: false,
        next: format!("/c/{}", can.slug),
        stages: can.stage_path(),
        can,
        errors,
        message,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DirectoryQuery {
    q: String,
    page: String,
}

pub struct DirectoryEntry {
    pub slug: String,
    pub name: String,
    pub place: String,
    pub purpose: String,
    pub stage: &'static str,
    pub members: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/directory.html")]
pub struct DirectoryPage {
    ctx: Layout,
    q: String,
    entries: Vec<DirectoryEntry>,
    page: i64,
    prev_link: Option<String>,
    next_link: Option<String>,
}

pub const DIRECTORY_PAGE_SIZE: i64 = 20;

pub async fn directory(
    State(state): State<AppState>,
    ctx: Layout,
    Query(query): Query<DirectoryQuery>,
) -> Result<DirectoryPage> {
    // Control characters (NUL among them) cannot be searched for; drop them.
    let q: String = query
        .q
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(100)
        .collect();
    // A page number that is not one is page 1, not an error.
    let page = query
        .page
        .trim()
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, 10_000);
    let mut rows = queries::directory(
        &state.db,
        &q,
        (page - 1) * DIRECTORY_PAGE_SIZE,
        DIRECTORY_PAGE_SIZE + 1,
    )
    .await?;
    let has_next = rows.len() as i64 > DIRECTORY_PAGE_SIZE;
    rows.truncate(DIRECTORY_PAGE_SIZE as usize);
    let link = |p: i64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !q.is_empty() {
            s.append_pair("q", &q);
        }
        s.append_pair("page", &p.to_string());
        format!("/c?{}", s.finish())
    };
    Ok(DirectoryPage {
        ctx,
        prev_link: (page > 1).then(|| link(page - 1)),
        next_link: has_next.then(|| link(page + 1)),
        entries: rows
            .into_iter()
            .map(|r| DirectoryEntry {
                stage: Stage::parse(&r.stage).label(),
                slug: r.slug,
                name: r.name,
                place: r.place,
                purpose: r.purpose,
                members: r.members,
            })
            .collect(),
        q,
        page,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActivityQuery {
    before: String,
}

pub struct ActivityLine {
    pub at: String,
    pub summary: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/activity.html")]
pub struct ActivityPage {
    ctx: Layout,
    nav: CanNav,
    lines: Vec<ActivityLine>,
    older_link: Option<String>,
}

pub async fn activity(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Query(query): Query<ActivityQuery>,
) -> Result<ActivityPage> {
    let before = query.before.trim().parse::<i64>().ok();
    let mut lines = activity::page(&state.db, access.can.id, before).await?;
    let more = lines.len() as i64 > activity::PAGE_SIZE;
    lines.truncate(activity::PAGE_SIZE as usize);
    let older_link = more
        .then(|| {
            lines
                .last()
                .map(|l| format!("/c/{}/activity?before={}", access.can.slug, l.id))
        })
        .flatten();
    let tz = access.can.time_zone;
    Ok(ActivityPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "activity"),
        lines: lines
            .into_iter()
            .map(|l| ActivityLine {
                at: time::datetime_in(l.at, tz),
                summary: l.summary,
            })
            .collect(),
        older_link,
    })
}
