//! The CAN's asks for a hand (open ones first, oldest waiting first; then those recently met) and
//! the "I need a hand" form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

use super::RequestView;
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member, Requirement};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::support::forms::{DETAILS_MAX, NewRequest, RequestForm};
use crate::support::model::HelpKind;
use crate::support::{page, queries, requests};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, time, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "support/list.html")]
pub struct ListPage {
    ctx: Layout,
    nav: CanNav,
    open: Vec<RequestView>,
    met: Vec<RequestView>,
    /// Active members may ask (a paused one sees the list only).
    can_ask: bool,
    form: RequestForm,
    errors: FieldErrors,
    /// The earliest and latest "needed by" days the form takes (year-month-day).
    today: String,
    last_day: String,
    details_max: usize,
}

async fn render<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    form: RequestForm,
    errors: FieldErrors,
) -> Result<ListPage> {
    let (can, me) = (&access.can, access.me.id);
    let rows = queries::visible(&state.db, can.id, me, access.membership.is_organiser()).await?;
    let (open, met): (Vec<_>, Vec<_>) = rows
        .iter()
        .map(|r| RequestView::new(r, me, can.time_zone))
        .partition(|r| r.open);
    let today = time::today_in(can.time_zone);
    let last = today + chrono::TimeDelta::days(crate::support::forms::NEEDED_WITHIN_DAYS);
    Ok(ListPage {
        nav: CanNav::new(can, &access.membership, Section::Support),
        open,
        met,
        can_ask: access.membership.is_active(),
        form,
        errors,
        today: today.format("%Y-%m-%d").to_string(),
        last_day: last.format("%Y-%m-%d").to_string(),
        details_max: DETAILS_MAX,
        ctx,
    })
}

pub async fn list(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<ListPage> {
    render(
        &state,
        &access,
        ctx,
        RequestForm::default(),
        FieldErrors::new(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Form(form): Form<RequestForm>,
) -> Result<Response> {
    let today = time::today_in(access.can.time_zone);
    let new = match NewRequest::parse(&form, today) {
        Ok(new) => new,
        Err(errors) => return unprocessable(render(&state, &access, ctx, form, errors).await?),
    };
    let id = requests::ask(&state.db, &access, &new, &state.config.public_url).await?;
    let text = if new.private {
        "Your request is with the organisers. Only they and you see it."
    } else {
        "Your request is with the group. You will hear when someone offers to help."
    };
    access
        .redirect(&state.db, FlashKind::Success, text, &page(id))
        .await
}
