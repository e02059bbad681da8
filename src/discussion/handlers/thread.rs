//! A thread's page: its subject in brief with a link back, its comments oldest first, and the
//! comment box (with the CAN's rules linked beside it). Posting comes back to the new comment.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{MatchedPath, State};
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member, Requirement};
use crate::cans::nav::CanNav;
use crate::discussion::comments::{self, CommentView};
use crate::discussion::forms::{BODY_MAX, Body, CommentForm, REASON_MAX};
use crate::discussion::subjects::Thread;
use crate::discussion::{Subject, comment_path, thread_path};
use crate::error::{OrNotFound, Result};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, redirect_with_flash, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "discussion/thread.html")]
pub struct ThreadPage {
    ctx: Layout,
    nav: CanNav,
    thread: Thread,
    /// This page's path (the comment box posts to it).
    path: String,
    comments: Vec<CommentView>,
    /// Active members may comment; a paused one reads.
    can_post: bool,
    /// Organisers may hide a comment and show it again.
    organiser: bool,
    body: String,
    errors: FieldErrors,
    body_max: usize,
    /// The comment whose "hide" form came back with a message, and its reason as typed.
    hide_for: Option<Uuid>,
    reason: String,
    reason_max: usize,
}

/// What a thread page shows besides its comments: the comment box's words, or a refused hide.
#[derive(Default)]
pub struct Kept {
    pub body: String,
    pub hide_for: Option<Uuid>,
    pub reason: String,
    pub errors: FieldErrors,
}

pub async fn render<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    ctx: Layout,
    subject: Subject,
    kept: Kept,
) -> Result<ThreadPage> {
    let thread = comments::thread(&state.db, access, subject).await?;
    let comments = comments::comments(&state.db, access, &subject).await?;
    Ok(ThreadPage {
        nav: CanNav::new(&access.can, &access.membership, thread.section),
        path: thread_path(&access.can.slug, &subject),
        thread,
        comments,
        can_post: access.membership.is_active(),
        organiser: access.membership.is_organiser(),
        body: kept.body,
        errors: kept.errors,
        body_max: BODY_MAX,
        hide_for: kept.hide_for,
        reason: kept.reason,
        reason_max: REASON_MAX,
        ctx,
    })
}

async fn post(
    state: AppState,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    subject: Subject,
    form: CommentForm,
) -> Result<Response> {
    let body = match Body::parse(&form) {
        Ok(body) => body,
        Err(errors) => {
            let kept = Kept {
                body: form.body,
                errors,
                ..Kept::default()
            };
            return unprocessable(render(&state, &access, ctx, subject, kept).await?);
        }
    };
    let id = comments::post(&state.db, &access, subject, &body, &state.config.public_url).await?;
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        FlashKind::Success,
        "Your comment is posted.",
        &comment_path(&access.can.slug, &subject, id),
    )
    .await
}

/// The subject of a one-id thread route, `/c/{slug}/threads/{kind}/{id}`: the routes name each
/// kind literally (so every one is listed and tried on its own), and one handler serves them all.
fn one_id_subject(route: &MatchedPath, id: Uuid) -> Result<Subject> {
    let kind = route.as_str().split('/').nth(4).unwrap_or_default();
    Subject::of_kind(kind, id).or_not_found()
}

/// A thread on a proposal, a hope, a responsibility or a meeting.
pub async fn thread(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    route: MatchedPath,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<ThreadPage> {
    let subject = one_id_subject(&route, id)?;
    render(&state, &access, ctx, subject, Kept::default()).await
}

pub async fn objection_thread(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, round, member)): Path<(String, Uuid, Uuid)>,
) -> Result<ThreadPage> {
    let subject = Subject::Objection { round, member };
    render(&state, &access, ctx, subject, Kept::default()).await
}

pub async fn post_thread(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    route: MatchedPath,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let subject = one_id_subject(&route, id)?;
    post(state, access, ctx, subject, form).await
}

pub async fn post_objection(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, round, member)): Path<(String, Uuid, Uuid)>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let subject = Subject::Objection { round, member };
    post(state, access, ctx, subject, form).await
}
