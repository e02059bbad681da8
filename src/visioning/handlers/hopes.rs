//! The visioning page: the adopted vision, everyone's hopes (and who has yet to share one), the
//! versions so far, the open round; adding, editing and withdrawing one's own hopes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member, Organiser, Requirement};
use crate::cans::activity;
use crate::cans::nav::CanNav;
use crate::error::{AppError, Result};
use crate::visioning::forms::{self, HopeForm, QUORUM_CHOICES, QuorumForm};
use crate::visioning::{queries, rounds};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, redirect_with_flash, time};

pub struct AdoptedView {
    pub number: i32,
    pub body: String,
    pub adopted: String,
    pub review: String,
}

pub struct HopeView {
    pub id: String,
    pub author: String,
    pub body: String,
    pub created: String,
    pub mine: bool,
    pub edited: bool,
}

pub struct VersionRow {
    pub number: i32,
    pub author: String,
    pub created: String,
    pub note: String,
    pub adopted: bool,
}

pub struct RoundBanner {
    pub id: String,
    pub number: i32,
    pub closes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/vision.html")]
pub struct VisionPage {
    ctx: Layout,
    nav: CanNav,
    adopted: Option<AdoptedView>,
    open_round: Option<RoundBanner>,
    hopes: Vec<HopeView>,
    contributed: Vec<String>,
    waiting: Vec<String>,
    versions: Vec<VersionRow>,
    can_take_part: bool,
    is_organiser: bool,
    quorum_words: String,
    quorum_choices: Vec<(String, &'static str, bool)>,
    form: HopeForm,
    errors: FieldErrors,
}

async fn vision_page_for<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    form: HopeForm,
    errors: FieldErrors,
) -> Result<VisionPage> {
    let can = &access.can;
    let tz = can.time_zone;
    let adopted = queries::adopted_vision(&state.db, can.id)
        .await?
        .map(|a| AdoptedView {
            number: a.number,
            body: a.body,
            adopted: time::date_in(a.adopted_at, tz),
            review: a.review_on.map(time::date).unwrap_or_default(),
        });
    let open_round = rounds::open_round_of(&state.db, can.id)
        .await?
        .map(|r| RoundBanner {
            id: r.id.to_string(),
            number: r.version_number,
            closes: time::datetime_in(r.closes_at, tz),
        });
    let hopes = queries::hopes(&state.db, can.id)
        .await?
        .into_iter()
        .map(|h| HopeView {
            id: h.id.to_string(),
            mine: h.author_id == access.me.id,
            author: h.author,
            body: h.body,
            created: time::date_in(h.created_at, tz),
            edited: h.edited,
        })
        .collect();
    let (contributed, waiting): (Vec<_>, Vec<_>) = queries::contributors(&state.db, can.id)
        .await?
        .into_iter()
        .partition(|(_, shared)| *shared);
    let versions = queries::versions(&state.db, can.id)
        .await?
        .into_iter()
        .map(|v| VersionRow {
            number: v.number,
            author: v.author,
            created: time::date_in(v.created_at, tz),
            note: v.note,
            adopted: v.adopted_at.is_some(),
        })
        .collect();
    let (num, den) = queries::quorum(&state.db, can.id).await?;
    Ok(VisionPage {
        ctx,
        nav: CanNav::new(can, &access.membership, "vision"),
        adopted,
        open_round,
        hopes,
        contributed: contributed.into_iter().map(|(n, _)| n).collect(),
        waiting: waiting.into_iter().map(|(n, _)| n).collect(),
        versions,
        can_take_part: access.membership.is_active(),
        is_organiser: access.membership.is_organiser(),
        quorum_words: forms::quorum_words(num, den),
        quorum_choices: QUORUM_CHOICES
            .iter()
            .map(|(n, d, words)| (format!("{n}/{d}"), *words, *n == num && *d == den))
            .collect(),
        form,
        errors,
    })
}

pub async fn vision_page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<VisionPage> {
    vision_page_for(
        &state,
        &access,
        ctx,
        HopeForm::default(),
        FieldErrors::new(),
    )
    .await
}

pub async fn add(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Form(form): Form<HopeForm>,
) -> Result<Response> {
    let body = match forms::hope(&form) {
        Ok(b) => b,
        Err(errors) => {
            let page = vision_page_for(&state, &access, ctx, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let can = &access.can;
    let mut tx = state.db.begin().await?;
    let id = queries::insert_hope(&mut *tx, can.id, access.me.id, &body).await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "hope.added",
        ("hope", id),
        format!("{} shared a hope", access.me.display_name),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Thank you: your hope is part of the picture now.",
        &format!("/c/{}/vision#hopes", can.slug),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/hope_edit.html")]
pub struct HopeEditPage {
    ctx: Layout,
    nav: CanNav,
    id: String,
    form: HopeForm,
    errors: FieldErrors,
}

pub async fn edit_page(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<HopeEditPage> {
    let body = queries::own_hope(&state.db, access.can.id, access.me.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HopeEditPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, "vision"),
        id: id.to_string(),
        form: HopeForm { body },
        errors: FieldErrors::new(),
    })
}

pub async fn edit(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<HopeForm>,
) -> Result<Response> {
    let can = &access.can;
    // Only one's own hope: anyone else's id is not found.
    queries::own_hope(&state.db, can.id, access.me.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let body = match forms::hope(&form) {
        Ok(b) => b,
        Err(errors) => {
            let page = HopeEditPage {
                ctx,
                nav: CanNav::new(can, &access.membership, "vision"),
                id: id.to_string(),
                form,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    if !queries::update_hope(&mut *tx, can.id, access.me.id, id, &body).await? {
        return Err(AppError::NotFound);
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "hope.edited",
        ("hope", id),
        format!("{} edited their hope", access.me.display_name),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Your hope is updated.",
        &format!("/c/{}/vision#hopes", can.slug),
    )
    .await
}

pub async fn withdraw(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let can = &access.can;
    let mut tx = state.db.begin().await?;
    if !queries::withdraw_hope(&mut *tx, can.id, access.me.id, id).await? {
        return Err(AppError::NotFound);
    }
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "hope.withdrawn",
        ("hope", id),
        format!("{} withdrew a hope", access.me.display_name),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Your hope is withdrawn. Versions that drew on it still show it.",
        &format!("/c/{}/vision#hopes", can.slug),
    )
    .await
}

pub async fn set_quorum(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    Form(form): Form<QuorumForm>,
) -> Result<Response> {
    let can = &access.can;
    let back = format!("/c/{}/vision#quorum", can.slug);
    let Some((num, den)) = forms::quorum(&form) else {
        return redirect_with_flash(
            &state.db,
            access.me.session_id,
            FlashKind::Error,
            "Choose a quorum from the list.",
            &back,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    queries::set_quorum(&mut *tx, can.id, num, den).await?;
    activity::log(
        &mut *tx,
        can.id,
        access.me.id,
        "can.quorum_changed",
        ("can", can.id),
        format!(
            "{} set the quorum for adopting the vision to {} of active members",
            access.me.display_name,
            forms::quorum_words(num, den)
        ),
    )
    .await?;
    tx.commit().await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        &format!(
            "From the next consent round, {} of active members must answer.",
            forms::quorum_words(num, den)
        ),
        &back,
    )
    .await
}
