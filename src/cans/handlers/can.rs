//! Starting a CAN, its settings, the public directory and the activity log. (Its home page is
//! composed in `crate::home`, which asks each area for its part.)

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{CanNav, Section};
use crate::AppState;
use crate::accounts::queries as accounts;
use crate::cans::access::{Actor, CanAccess, Organiser};
use crate::cans::activity;
use crate::cans::forms::{CanForm, NewCan};
use crate::cans::founding::{self, Started};
use crate::cans::model::Visibility;
use crate::cans::queries::{self, ListedCan};
use crate::error::Result;
use crate::web::forms::{FieldErrors, time_zone_names};
use crate::web::time;
use crate::web::{
    CurrentMember, FlashKind, Form, Layout, Query, redirect_with_flash, unprocessable,
};

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

impl CanFormPage {
    fn new(ctx: Layout, form: CanForm, errors: FieldErrors, editing: Option<String>) -> Self {
        Self {
            ctx,
            form,
            errors,
            time_zones: time_zone_names(),
            editing,
        }
    }
}

pub async fn new_page(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
) -> Result<CanFormPage> {
    let profile = accounts::profile(&state.db, me.id).await?;
    let form = CanForm {
        time_zone: profile.time_zone,
        visibility: Visibility::InviteOnly.as_str().into(),
        place: profile.neighbourhood,
        ..Default::default()
    };
    Ok(CanFormPage::new(ctx, form, FieldErrors::new(), None))
}

pub async fn create(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Form(mut form): Form<CanForm>,
) -> Result<Response> {
    let new = match NewCan::try_from(&form) {
        Ok(n) => n,
        Err(errors) => return unprocessable(CanFormPage::new(ctx, form, errors, None)),
    };
    let founder = Actor {
        id: me.id,
        name: &me.display_name,
    };
    let home = format!("/c/{}", new.slug.as_str());
    match founding::start(&state.db, founder, &new).await? {
        // A double click: the first submission already made this CAN. Go there.
        Started::Already => Ok(Redirect::to(&home).into_response()),
        Started::SlugTaken { free } => {
            let mut errors = FieldErrors::new();
            let taken = new.slug.as_str();
            // The same words whatever uses the address, so an invite-only CAN's is not given
            // away: only that this one cannot be had.
            errors.add(
                "slug",
                format!(
                    "The web address “{taken}” is not available. “{free}” is free: use it, or \
                     choose another."
                ),
            );
            form.slug = taken.to_string();
            unprocessable(CanFormPage::new(ctx, form, errors, None))
        }
        Started::New => {
            let text = format!(
                "{} is ready, and you are its first organiser. Next: invite your neighbours.",
                new.name
            );
            redirect_with_flash(&state.db, me.session_id, FlashKind::Success, &text, &home).await
        }
    }
}

pub async fn settings_page(access: CanAccess<Organiser>, ctx: Layout) -> CanFormPage {
    let c = &access.can;
    let form = CanForm {
        name: c.name.clone(),
        slug: c.slug.clone(),
        place: c.place.clone(),
        purpose: c.purpose.clone(),
        rationale: c.rationale.clone(),
        rules: c.rules.clone(),
        time_zone: c.time_zone.name().to_string(),
        visibility: c.visibility.as_str().into(),
    };
    CanFormPage::new(ctx, form, FieldErrors::new(), Some(c.slug.clone()))
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
            let editing = Some(access.can.slug.clone());
            return unprocessable(CanFormPage::new(ctx, form, errors, editing));
        }
    };
    founding::update(&state.db, &access, &new).await?;
    let text = "The CAN's details are saved.";
    access
        .redirect(&state.db, FlashKind::Success, text, "")
        .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DirectoryQuery {
    q: String,
    page: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/directory.html")]
pub struct DirectoryPage {
    ctx: Layout,
    q: String,
    entries: Vec<ListedCan>,
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
        entries: rows,
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
                .map(|l| access.path(&format!("/activity?before={}", l.id)))
        })
        .flatten();
    let tz = access.can.time_zone;
    Ok(ActivityPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::Activity),
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
