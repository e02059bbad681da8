//! A member's own membership: being away for a while (with a day to come back), resuming,
//! leaving (after a page that says what it hands back), and offering to facilitate or take
//! notes. Each path names no member, so it only ever changes the caller's own membership.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

use super::members::member_page;
use super::{CanNav, Section};
use crate::AppState;
use crate::cans::access::{CanAccess, Member};
use crate::cans::forms::{GrantForm, Willing, WillingForm};
use crate::cans::leaving::forms::{Away, Leave, LeaveForm, PauseForm, REASON_MAX, latest_return};
use crate::cans::membership::{self, OwnChange, StatusChange, WillingChange};
use crate::cans::model::{Can, Role};
use crate::cans::queries;
use crate::error::{OrNotFound, Result};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, redirect_with_flash, time, unprocessable};

const LAST_ORGANISER: &str = "You are the only active organiser. Name another organiser on the \
     members page first, so that the CAN is never left without one.";

/// How someone who left can come back, for the confirmation page and the flash after leaving.
fn way_back(can: &Can) -> String {
    if can.is_listed() {
        format!(
            "The door stays open: to come back, ask to join again from the page of {}.",
            can.name
        )
    } else {
        "The door stays open: to come back, ask an organiser for a new invitation link.".into()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/leave.html")]
pub struct LeavePage {
    ctx: Layout,
    nav: CanNav,
    can_name: String,
    /// Titles of what they carry, and of what they back up.
    carries: Vec<String>,
    backs_up: Vec<String>,
    roles: Vec<Role>,
    open_asks: i64,
    /// They are the only active organiser: leaving is refused until another is named.
    last_organiser: bool,
    way_back: String,
    reason: String,
    reason_max: usize,
    errors: FieldErrors,
}

impl LeavePage {
    fn reason_hint(&self) -> String {
        format!(
            "Optional, up to {} characters. Only the organisers read it: it is not shown to \
             other members, nor in the activity log.",
            self.reason_max
        )
    }
}

async fn leave_page_with(
    state: &AppState,
    access: &CanAccess<Member>,
    ctx: Layout,
    reason: String,
    errors: FieldErrors,
) -> Result<LeavePage> {
    let (can, me) = (&access.can, &access.membership);
    let preview = queries::leaving_preview(&state.db, can.id, access.me.id).await?;
    Ok(LeavePage {
        ctx,
        nav: CanNav::new(can, me, Section::Overview),
        can_name: can.name.clone(),
        carries: preview.carries,
        backs_up: preview.backs_up,
        roles: me.roles.clone(),
        open_asks: preview.open_asks,
        last_organiser: me.is_organiser() && preview.active_organisers <= 1,
        way_back: way_back(can),
        reason,
        reason_max: REASON_MAX,
        errors,
    })
}

/// What leaving would hand back, a private word for the organisers, and the confirmation.
pub async fn leave_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<LeavePage> {
    leave_page_with(&state, &access, ctx, String::new(), FieldErrors::new()).await
}

/// Leaves, but only when sent from the confirmation page; anything else goes there first.
pub async fn leave(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Form(form): Form<LeaveForm>,
) -> Result<Response> {
    if !form.confirmed() {
        let text = "Before you leave, read what leaving hands back, then confirm.";
        return access
            .redirect(&state.db, FlashKind::Info, text, "/membership/leave")
            .await;
    }
    let leave = match Leave::try_from(&form) {
        Ok(l) => l,
        Err(errors) => {
            let page = leave_page_with(&state, &access, ctx, form.reason, errors).await?;
            return unprocessable(page);
        }
    };
    let change = OwnChange::Leave {
        reason: &leave.reason,
    };
    let base_url = &state.config.public_url;
    match membership::change_own_status(&state.db, &access, change, base_url).await? {
        StatusChange::Changed => {
            // Someone who left has no page here any more: they go to their own dashboard.
            let can = &access.can;
            let text = format!(
                "You have left {}. Thank you for what you gave. {}",
                can.name,
                way_back(can)
            );
            let session = access.me.session_id;
            redirect_with_flash(&state.db, session, FlashKind::Success, &text, "/").await
        }
        StatusChange::LastOrganiser => {
            access
                .redirect(&state.db, FlashKind::Error, LAST_ORGANISER, "")
                .await
        }
        StatusChange::NothingToChange => {
            access
                .redirect(&state.db, FlashKind::Info, "Nothing to change.", "")
                .await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/pause.html")]
pub struct PausePage {
    ctx: Layout,
    nav: CanNav,
    can_name: String,
    zone: String,
    /// "1 December 2026", today where the group is, and the last day one may name.
    today: String,
    latest: String,
    /// The return day already set, when they are away.
    away_until: Option<String>,
    paused: bool,
    /// What they carry now: it stays theirs while they are away.
    carries: usize,
    /// They are the only active organiser: being away is refused until another is named.
    last_organiser: bool,
    until: String,
    errors: FieldErrors,
}

impl PausePage {
    fn until_hint(&self) -> String {
        format!(
            "The day you expect to be back: after today ({}) and by {}, as the group's time \
             zone ({}) counts days. Don't know yet? Leave it empty: you can resume whenever you \
             like.",
            self.today, self.latest, self.zone
        )
    }
}

async fn pause_page_with(
    state: &AppState,
    access: &CanAccess<Member>,
    ctx: Layout,
    until: String,
    errors: FieldErrors,
) -> Result<PausePage> {
    let can = &access.can;
    let today = time::today_in(can.time_zone);
    let preview = queries::leaving_preview(&state.db, can.id, access.me.id).await?;
    let away_until = access.membership.away_until;
    Ok(PausePage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Overview),
        can_name: can.name.clone(),
        zone: can.time_zone.name().to_string(),
        today: time::date(today),
        latest: time::date(latest_return(today)),
        away_until: away_until.map(time::date),
        paused: !access.membership.is_active(),
        carries: preview.carries.len() + preview.backs_up.len(),
        last_organiser: access.membership.is_organiser() && preview.active_organisers <= 1,
        until: match (errors.is_empty(), away_until) {
            (true, Some(d)) if until.is_empty() => d.to_string(),
            _ => until,
        },
        errors,
    })
}

/// "I'm away for a while": until when (if they know), and what being away means.
pub async fn pause_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<PausePage> {
    pause_page_with(&state, &access, ctx, String::new(), FieldErrors::new()).await
}

pub async fn pause(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Form(form): Form<PauseForm>,
) -> Result<Response> {
    let away = match Away::parse(&form, time::today_in(access.can.time_zone)) {
        Ok(a) => a,
        Err(errors) => {
            let page = pause_page_with(&state, &access, ctx, form.until, errors).await?;
            return unprocessable(page);
        }
    };
    let change = OwnChange::Pause { until: away.until };
    let base_url = &state.config.public_url;
    let name = &access.can.name;
    let (kind, text) = match membership::change_own_status(&state.db, &access, change, base_url)
        .await?
    {
        StatusChange::NothingToChange => (FlashKind::Info, "Nothing to change.".into()),
        StatusChange::LastOrganiser => (FlashKind::Error, LAST_ORGANISER.into()),
        StatusChange::Changed => match away.until {
            Some(day) => (
                FlashKind::Success,
                format!(
                    "You are away from {name} until {}. You will be back on that day, or resume \
                     whenever you are ready.",
                    time::date(day)
                ),
            ),
            None => (
                FlashKind::Success,
                format!("You are away from {name} for now. Resume whenever you are ready."),
            ),
        },
    };
    access.redirect(&state.db, kind, &text, "").await
}

pub async fn resume(State(state): State<AppState>, access: CanAccess<Member>) -> Result<Response> {
    let base_url = &state.config.public_url;
    let changed =
        membership::change_own_status(&state.db, &access, OwnChange::Resume, base_url).await?;
    let (kind, text) = match changed {
        StatusChange::Changed => (
            FlashKind::Success,
            format!("Welcome back to {}.", access.can.name),
        ),
        _ => (FlashKind::Info, "Nothing to change.".into()),
    };
    access.redirect(&state.db, kind, &text, "").await
}

/// The member says whether they are willing to facilitate and to take notes (only ever for
/// themselves: the path names no member).
pub async fn willing(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Form(form): Form<WillingForm>,
) -> Result<Response> {
    let willing = match Willing::try_from(&form) {
        Ok(w) => w,
        Err(errors) => {
            let me = queries::member(&state.db, access.can.id, access.me.id)
                .await?
                .or_not_found()?;
            let page =
                member_page(&state, &access, ctx, me, GrantForm::default(), errors, None).await?;
            return unprocessable(page);
        }
    };
    let (kind, text) = match membership::set_willing(&state.db, &access, willing).await? {
        WillingChange::NothingToChange => (FlashKind::Info, "Nothing to change."),
        WillingChange::Changed if willing == Willing::default() => (
            FlashKind::Success,
            "Saved: you are not offering to facilitate or take notes for now.",
        ),
        WillingChange::Changed => (
            FlashKind::Success,
            "Saved: rotation may now suggest you, and facilitators can see that you offer.",
        ),
    };
    let back = format!("/members/{}#willing", access.me.id);
    access.redirect(&state.db, kind, text, &back).await
}
