//! The visioning page: the adopted vision, everyone's hopes (and who has yet to share one), the
//! versions so far, the open round; adding, editing and withdrawing one's own hopes; saying that
//! someone else's hope resonates (a toggle), and the way into each hope's replies.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member, Organiser, Requirement};
use crate::cans::nav::{CanNav, Section};
use crate::cans::queries::active_members;
use crate::error::{AppError, OrNotFound, Result};
use crate::visioning::forms::{self, HopeForm, QUORUM_CHOICES, QuorumForm};
use crate::visioning::hopes::Resonance;
use crate::visioning::queries::{self, Adopted, ListedHope, Version};
use crate::visioning::{hopes, rounds};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, time, unprocessable};

pub struct AdoptedView {
    pub number: i32,
    pub body: String,
    pub adopted: String,
    pub review: Option<String>,
}

impl AdoptedView {
    fn new(a: Adopted, tz: chrono_tz::Tz) -> Self {
        Self {
            number: a.number,
            body: a.body,
            adopted: time::date_in(a.adopted_at, tz),
            review: a.review_on.map(time::date),
        }
    }
}

pub struct HopeView {
    pub id: Uuid,
    pub author: String,
    pub body: String,
    pub created: String,
    pub mine: bool,
    pub edited: bool,
    /// How many members said it resonates with them (its author sees this on their own hope).
    pub resonances: i64,
    /// Whether the viewer is one of them.
    pub resonated: bool,
    /// Visible replies in its thread.
    pub replies: i64,
}

impl HopeView {
    fn new(listed: ListedHope, me: Uuid, tz: chrono_tz::Tz) -> Self {
        let h = listed.hope;
        Self {
            id: h.id,
            mine: h.author_id == me,
            author: h.author,
            body: h.body,
            created: time::date_in(h.created_at, tz),
            edited: h.edited,
            resonances: listed.resonances,
            resonated: listed.resonated,
            replies: listed.replies,
        }
    }
}

pub struct VersionRow {
    pub number: i32,
    pub author: String,
    pub created: String,
    pub note: String,
    pub adopted: bool,
}

impl VersionRow {
    fn new(v: Version, tz: chrono_tz::Tz) -> Self {
        Self {
            number: v.number,
            author: v.author,
            created: time::date_in(v.created_at, tz),
            note: v.note,
            adopted: v.adopted_at.is_some(),
        }
    }
}

pub struct RoundBanner {
    pub id: Uuid,
    pub number: i32,
    pub closes: String,
}

/// A quorum organisers may choose, and whether it is the group's now.
pub struct QuorumChoice {
    pub value: String,
    pub words: &'static str,
    pub selected: bool,
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
    quorum_choices: Vec<QuorumChoice>,
    form: HopeForm,
    errors: FieldErrors,
}

/// Active members who have shared a hope, and those not yet heard from, by name.
async fn contributors(db: &sqlx::PgPool, can_id: Uuid) -> Result<(Vec<String>, Vec<String>)> {
    let authors = queries::hope_authors(db, can_id).await?;
    let mut people = active_members(db, can_id).await?;
    people.sort_by_key(|p| p.name.to_lowercase());
    let (shared, waiting): (Vec<_>, Vec<_>) =
        people.into_iter().partition(|p| authors.contains(&p.id));
    let names = |people: Vec<crate::cans::queries::Person>| people.into_iter().map(|p| p.name);
    Ok((names(shared).collect(), names(waiting).collect()))
}

async fn vision_page_for<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    form: HopeForm,
    errors: FieldErrors,
) -> Result<VisionPage> {
    let (db, can) = (&state.db, &access.can);
    let tz = can.time_zone;
    let adopted = queries::adopted_vision(db, can.id).await?;
    let open_round = rounds::open_round_of(db, can.id).await?;
    let hopes = queries::hope_list(db, can.id, access.me.id).await?;
    let (contributed, waiting) = contributors(db, can.id).await?;
    let versions = queries::versions(db, can.id).await?;
    let (num, den) = queries::quorum(db, can.id).await?;
    Ok(VisionPage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Vision),
        adopted: adopted.map(|a| AdoptedView::new(a, tz)),
        open_round: open_round.map(|r| RoundBanner {
            id: r.id,
            number: r.version_number,
            closes: time::datetime_in(r.closes_at, tz),
        }),
        hopes: hopes
            .into_iter()
            .map(|h| HopeView::new(h, access.me.id, tz))
            .collect(),
        contributed,
        waiting,
        versions: versions
            .into_iter()
            .map(|v| VersionRow::new(v, tz))
            .collect(),
        can_take_part: access.membership.is_active(),
        is_organiser: access.membership.is_organiser(),
        quorum_words: forms::quorum_words(num, den),
        quorum_choices: QUORUM_CHOICES
            .iter()
            .map(|&(n, d, words)| QuorumChoice {
                value: format!("{n}/{d}"),
                words,
                selected: (n, d) == (num, den),
            })
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
    let (form, errors) = (HopeForm::default(), FieldErrors::new());
    vision_page_for(&state, &access, ctx, form, errors).await
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
            return unprocessable(vision_page_for(&state, &access, ctx, form, errors).await?);
        }
    };
    hopes::add(&state.db, &access, &body).await?;
    let text = "Thank you: your hope is part of the picture now.";
    access
        .redirect(&state.db, FlashKind::Success, text, "/vision#hopes")
        .await
}

#[derive(Template, WebTemplate)]
#[template(path = "visioning/hope_edit.html")]
pub struct HopeEditPage {
    ctx: Layout,
    nav: CanNav,
    id: Uuid,
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
        .or_not_found()?;
    Ok(HopeEditPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::Vision),
        id,
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
    // Only one's own hope: anyone else's id is not found.
    queries::own_hope(&state.db, access.can.id, access.me.id, id)
        .await?
        .or_not_found()?;
    let body = match forms::hope(&form) {
        Ok(b) => b,
        Err(errors) => {
            let nav = CanNav::new(&access.can, &access.membership, Section::Vision);
            return unprocessable(HopeEditPage {
                ctx,
                nav,
                id,
                form,
                errors,
            });
        }
    };
    hopes::edit(&state.db, &access, id, &body).await?;
    let text = "Your hope is updated.";
    access
        .redirect(&state.db, FlashKind::Success, text, "/vision#hopes")
        .await
}

pub async fn withdraw(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    hopes::withdraw(&state.db, &access, id).await?;
    let text = "Your hope is withdrawn. Versions that drew on it still show it.";
    access
        .redirect(&state.db, FlashKind::Success, text, "/vision#hopes")
        .await
}

/// "This resonates", pressed or taken back; back to the hope on the vision page.
pub async fn resonate(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let text = match hopes::resonate(&state.db, &access, id).await? {
        Resonance::Added => "Thank you for saying so: this hope resonates with you.",
        Resonance::TakenBack => "You took back “this resonates”.",
        Resonance::OwnHope => {
            return Err(AppError::Forbidden(
                "This is your own hope: the others say whether it resonates with them.",
            ));
        }
    };
    let back = format!("/vision#hope-{id}");
    access
        .redirect(&state.db, FlashKind::Success, text, &back)
        .await
}

pub async fn set_quorum(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    Form(form): Form<QuorumForm>,
) -> Result<Response> {
    let back = "/vision#quorum";
    let Some((num, den)) = forms::quorum(&form) else {
        let text = "Choose a quorum from the list.";
        return access
            .redirect(&state.db, FlashKind::Error, text, back)
            .await;
    };
    hopes::set_quorum(&state.db, &access, (num, den)).await?;
    let text = format!(
        "From the next consent round, {} of active members must answer.",
        forms::quorum_words(num, den)
    );
    access
        .redirect(&state.db, FlashKind::Success, &text, back)
        .await
}
