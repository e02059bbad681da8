//! One comment: its author edits or removes it; organisers hide it with a reason or show it
//! again; anyone who may see it reads its earlier texts. Each action comes back to the comment on
//! its thread with a message.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::thread::{Kept, render};
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Member, Organiser, Requirement};
use crate::cans::nav::{CanNav, Section};
use crate::discussion::comments::{self, Outcome};
use crate::discussion::forms::{BODY_MAX, Body, CommentForm, HideForm, Reason};
use crate::discussion::text::{self, CommentHtml};
use crate::discussion::{Subject, comment_path};
use crate::error::{OrNotFound, Result};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Path, redirect_with_flash, time, unprocessable};

/// Back to the comment on its thread, with what the action came to.
async fn back<R: Requirement>(
    state: &AppState,
    access: &CanAccess<R>,
    id: Uuid,
    outcome: Outcome,
    done: &str,
) -> Result<Response> {
    let (subject, kind, words) = match outcome {
        Outcome::Done(subject) => (subject, FlashKind::Success, done),
        Outcome::Refused(subject, why) => (subject, FlashKind::Error, why),
    };
    redirect_with_flash(
        &state.db,
        access.me.session_id,
        kind,
        words,
        &comment_path(&access.can.slug, &subject, id),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "discussion/edit.html")]
pub struct EditPage {
    ctx: Layout,
    nav: CanNav,
    id: Uuid,
    body: String,
    errors: FieldErrors,
    body_max: usize,
    /// The comment on its thread.
    back: String,
}

fn section(subject: &Subject) -> Section {
    match subject {
        Subject::Proposal(_) | Subject::Objection { .. } => Section::Proposals,
        Subject::Hope(_) => Section::Vision,
        Subject::Responsibility(_) => Section::Responsibilities,
        Subject::Meeting(_) => Section::Meetings,
    }
}

fn edit_form(
    access: &CanAccess<ActiveMember>,
    ctx: Layout,
    id: Uuid,
    subject: Subject,
    body: String,
    errors: FieldErrors,
) -> EditPage {
    EditPage {
        nav: CanNav::new(&access.can, &access.membership, section(&subject)),
        id,
        body,
        errors,
        body_max: BODY_MAX,
        back: comment_path(&access.can.slug, &subject, id),
        ctx,
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let c = comments::own(&state.db, &access, id).await?;
    let subject = c.subject().or_not_found()?;
    if c.deleted {
        let outcome = Outcome::Refused(
            subject,
            "You removed this comment, so it can no longer be edited.",
        );
        return back(&state, &access, id, outcome, "").await;
    }
    let page = edit_form(&access, ctx, id, subject, c.body, FieldErrors::new());
    Ok(axum::response::IntoResponse::into_response(page))
}

pub async fn edit(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<CommentForm>,
) -> Result<Response> {
    let body = match Body::parse(&form) {
        Ok(body) => body,
        Err(errors) => {
            let c = comments::own(&state.db, &access, id).await?;
            let subject = c.subject().or_not_found()?;
            return unprocessable(edit_form(&access, ctx, id, subject, form.body, errors));
        }
    };
    let outcome = comments::edit(&state.db, &access, id, &body, &state.config.public_url).await?;
    back(&state, &access, id, outcome, "Your comment is saved.").await
}

pub async fn delete(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let outcome = comments::delete(&state.db, &access, id).await?;
    back(&state, &access, id, outcome, "Your comment is removed.").await
}

pub async fn hide(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<HideForm>,
) -> Result<Response> {
    let reason = match Reason::parse(&form) {
        Ok(reason) => reason,
        Err(errors) => {
            let c = comments::any_in_can(&state.db, &access, id).await?;
            let subject = c.subject().or_not_found()?;
            let kept = Kept {
                hide_for: Some(id),
                reason: form.reason,
                errors,
                ..Kept::default()
            };
            return unprocessable(render(&state, &access, ctx, subject, kept).await?);
        }
    };
    let base_url = &state.config.public_url;
    let outcome = comments::hide(&state.db, &access, id, &reason, base_url).await?;
    let done = "The comment is hidden from members. Its author is told why.";
    back(&state, &access, id, outcome, done).await
}

pub async fn unhide(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let outcome = comments::unhide(&state.db, &access, id).await?;
    back(
        &state,
        &access,
        id,
        outcome,
        "The comment is shown to everyone again.",
    )
    .await
}

/// An earlier text of a comment, as the history shows it.
pub struct EarlierView {
    pub html: CommentHtml,
    pub written: String,
    pub replaced: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "discussion/history.html")]
pub struct HistoryPage {
    ctx: Layout,
    nav: CanNav,
    author: String,
    posted: String,
    edited: Option<String>,
    current: CommentHtml,
    /// Oldest first.
    earlier: Vec<EarlierView>,
    back: String,
}

pub async fn history(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<HistoryPage> {
    let (c, earlier) = comments::history(&state.db, &access, id).await?;
    let subject = c.subject().or_not_found()?;
    let tz = access.can.time_zone;
    Ok(HistoryPage {
        nav: CanNav::new(&access.can, &access.membership, section(&subject)),
        author: c.author.clone(),
        posted: time::datetime_in(c.created_at, tz),
        edited: c.edited_at.map(|t| time::datetime_in(t, tz)),
        current: text::render(&c.body),
        earlier: earlier
            .iter()
            .map(|e| EarlierView {
                html: text::render(&e.body),
                written: time::datetime_in(e.written_at, tz),
                replaced: time::datetime_in(e.replaced_at, tz),
            })
            .collect(),
        back: comment_path(&access.can.slug, &subject, id),
        ctx,
    })
}
