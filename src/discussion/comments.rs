//! Posting, editing, removing, hiding and showing again a comment. Each change is one
//! transaction: the change, its activity line, and the notifications it causes (a mention, a
//! reply, a hidden comment's author told why).
//!
//! Who sees what: a removed comment's words are never shown (the row keeps them for the log);
//! a hidden one's only to its author (with the reason) and the organisers; everyone else sees
//! one line saying the organisers hid a comment, so the thread still reads.

use std::collections::HashSet;

use askama::Template;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::{Body, Reason};
use super::mail::{Hidden, Mentioned, Replied};
use super::queries::{self, Comment, EarlierText};
use super::subjects::{self, Thread};
use super::text::{self, CommentHtml};
use super::{Subject, comment_path};
use crate::cans::access::{ActiveMember, CanAccess, Member, Organiser, Requirement};
use crate::cans::model::Can;
use crate::error::{AppError, OrNotFound, Result};
use crate::notifications::{self, Kind, Notice, Recipient};

/// How much of a comment a notification quotes.
const EXCERPT: usize = 280;

/// What a change to a comment came to.
#[derive(Debug)]
pub enum Outcome {
    /// Done; the comment's thread.
    Done(Subject),
    /// Nothing changed, and this says why; the comment's thread.
    Refused(Subject, &'static str),
}

/// The thread's subject in this CAN, or 404.
pub async fn thread<R: Requirement>(
    db: &PgPool,
    access: &CanAccess<R>,
    subject: Subject,
) -> Result<Thread> {
    subjects::load(db, &access.can, subject)
        .await?
        .or_not_found()
}

/// A comment as one viewer sees it on its thread.
pub struct CommentView {
    pub id: Uuid,
    pub author: String,
    /// The viewer wrote it.
    pub mine: bool,
    /// When it was posted, in the CAN's zone.
    pub posted: String,
    pub edited: bool,
    /// Removed by its author: "Comment removed", nothing more.
    pub removed: bool,
    pub hidden: bool,
    /// The words, when the viewer may read them.
    pub html: Option<CommentHtml>,
    /// Why it is hidden, for its author and the organisers.
    pub hidden_reason: Option<String>,
}

impl CommentView {
    pub fn new(
        c: &queries::ThreadComment,
        viewer: Uuid,
        organiser: bool,
        tz: chrono_tz::Tz,
    ) -> Self {
        let mine = c.author_id == viewer;
        let readable = !c.deleted && (!c.hidden || mine || organiser);
        Self {
            id: c.id,
            author: c.author.clone(),
            mine,
            posted: crate::web::time::datetime_in(c.created_at, tz),
            edited: c.edited_at.is_some(),
            removed: c.deleted,
            hidden: c.hidden && !c.deleted,
            html: readable.then(|| text::render(&c.body)),
            hidden_reason: (readable && c.hidden).then(|| c.hidden_reason.clone()),
        }
    }

    /// The line the viewer reads instead of the words, if any.
    pub fn instead(&self) -> Option<&'static str> {
        if self.removed {
            Some("Comment removed")
        } else if self.html.is_none() {
            Some("A comment was hidden by the organisers")
        } else {
            None
        }
    }
}

/// The thread's comments as the caller sees them, oldest first.
pub async fn comments<R: Requirement>(
    db: &PgPool,
    access: &CanAccess<R>,
    subject: &Subject,
) -> Result<Vec<CommentView>> {
    let organiser = access.membership.is_organiser();
    let rows = queries::thread(db, access.can.id, subject, access.me.id, organiser).await?;
    Ok(rows
        .iter()
        .map(|c| CommentView::new(c, access.me.id, organiser, access.can.time_zone))
        .collect())
}

/// Refuses anyone whose membership is not active any more (read again under a lock: leaving at
/// the same moment waits for this change, or this change sees them gone).
async fn still_active(conn: &mut PgConnection, can: Uuid, me: Uuid) -> Result<()> {
    match queries::hold_membership(conn, can, me).await?.as_deref() {
        Some("active") => Ok(()),
        Some("paused") => Err(AppError::Forbidden(<ActiveMember as Requirement>::REFUSAL)),
        _ => Err(AppError::NotFound),
    }
}

/// The active member comments on the thread; those mentioned and those taking part are told.
pub async fn post(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    subject: Subject,
    body: &Body,
    base_url: &str,
) -> Result<Uuid> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    still_active(&mut tx, can.id, me.id).await?;
    let thread = subjects::load(&mut *tx, can, subject)
        .await?
        .or_not_found()?;
    let id = Uuid::now_v7();
    queries::insert(&mut tx, id, can.id, me.id, &subject, body.as_str()).await?;
    access
        .log(
            &mut tx,
            "comment.posted",
            ("comment", id),
            format!("{} commented on {}", me.name, thread.what),
        )
        .await?;
    let members = queries::active_members(&mut tx, can.id).await?;
    let mut mentioned = text::mentions(body.as_str(), &members);
    mentioned.remove(&me.id);
    tell_mentioned(
        &mut tx,
        access,
        &thread,
        id,
        body.as_str(),
        &mentioned,
        base_url,
    )
    .await?;

    let mut replied: Vec<Uuid> =
        queries::still_members_of_thread(&mut tx, can.id, &subject, &thread.people).await?;
    replied.retain(|p| *p != me.id && !mentioned.contains(p));
    if !replied.is_empty() {
        let detail = Replied {
            can_name: &can.name,
            author: me.name,
            what: &thread.what,
            excerpt: &text::excerpt(body.as_str(), EXCERPT),
        }
        .render()
        .map_err(AppError::internal)?;
        let notice = Notice {
            kind: Kind::CommentReply,
            can: Some((can.id, &can.name)),
            line: format!("{} commented on {}", me.name, thread.what),
            link: comment_path(&can.slug, &subject, id),
            key: format!("comment:{id}:reply"),
        };
        let to: Vec<Recipient> = replied
            .into_iter()
            .map(|p| Recipient::with_detail(p, detail.clone()))
            .collect();
        notifications::notify(&mut tx, base_url, &notice, &to).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Tells those a comment mentions (once per comment and person: the key says so).
async fn tell_mentioned<R: Requirement>(
    conn: &mut PgConnection,
    access: &CanAccess<R>,
    thread: &Thread,
    comment: Uuid,
    body: &str,
    mentioned: &HashSet<Uuid>,
    base_url: &str,
) -> Result<()> {
    if mentioned.is_empty() {
        return Ok(());
    }
    let (can, me) = (&access.can, access.actor());
    let detail = Mentioned {
        can_name: &can.name,
        author: me.name,
        what: &thread.what,
        excerpt: &text::excerpt(body, EXCERPT),
    }
    .render()
    .map_err(AppError::internal)?;
    let notice = Notice {
        kind: Kind::Mentioned,
        can: Some((can.id, &can.name)),
        line: format!("{} mentioned you in a comment on {}", me.name, thread.what),
        link: comment_path(&can.slug, &thread.subject, comment),
        key: format!("comment:{comment}:mentioned"),
    };
    let to: Vec<Recipient> = mentioned
        .iter()
        .map(|p| Recipient::with_detail(*p, detail.clone()))
        .collect();
    notifications::notify(conn, base_url, &notice, &to).await?;
    Ok(())
}

/// The caller's own comment, to edit: 404 for anyone else's (or another CAN's, or none).
pub async fn own(db: &PgPool, access: &CanAccess<ActiveMember>, id: Uuid) -> Result<Comment> {
    let c = queries::comment(db, access.can.id, id)
        .await?
        .filter(|c| c.author_id == access.me.id)
        .or_not_found()?;
    Ok(c)
}

/// The author changes their comment's words; the old ones are kept as its history. Someone the
/// new words mention for the first time is told.
pub async fn edit(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    body: &Body,
    base_url: &str,
) -> Result<Outcome> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    still_active(&mut tx, can.id, me.id).await?;
    let old = queries::lock_comment(&mut tx, can.id, id)
        .await?
        .filter(|c| c.author_id == me.id)
        .or_not_found()?;
    let subject = old.subject().or_not_found()?;
    if old.deleted {
        return Ok(Outcome::Refused(
            subject,
            "You removed this comment, so it can no longer be edited.",
        ));
    }
    if old.body == body.as_str() {
        return Ok(Outcome::Done(subject));
    }
    let thread = subjects::load(&mut *tx, can, subject)
        .await?
        .or_not_found()?;
    queries::edit(&mut tx, can.id, &old, body.as_str()).await?;
    access
        .log(
            &mut tx,
            "comment.edited",
            ("comment", id),
            format!("{} edited their comment on {}", me.name, thread.what),
        )
        .await?;
    let members = queries::active_members(&mut tx, can.id).await?;
    let before = text::mentions(&old.body, &members);
    let mut newly: HashSet<Uuid> = text::mentions(body.as_str(), &members)
        .difference(&before)
        .copied()
        .collect();
    newly.remove(&me.id);
    // A hidden comment reaches nobody new: those it would name could not read it.
    if old.hidden {
        newly.clear();
    }
    tell_mentioned(
        &mut tx,
        access,
        &thread,
        id,
        body.as_str(),
        &newly,
        base_url,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Done(subject))
}

/// The author removes their comment: "Comment removed" stays in its place; the words stay in
/// the row for the log and are never shown again.
pub async fn delete(db: &PgPool, access: &CanAccess<Member>, id: Uuid) -> Result<Outcome> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    let c = queries::lock_comment(&mut tx, can.id, id)
        .await?
        .filter(|c| c.author_id == me.id)
        .or_not_found()?;
    let subject = c.subject().or_not_found()?;
    if c.deleted {
        return Ok(Outcome::Done(subject));
    }
    let what = what_of(&mut tx, can, subject).await?;
    queries::delete(&mut tx, can.id, id).await?;
    access
        .log(
            &mut tx,
            "comment.removed",
            ("comment", id),
            format!("{} removed their comment on {what}", me.name),
        )
        .await?;
    tx.commit().await?;
    Ok(Outcome::Done(subject))
}

/// A comment for the organisers' hide form: one of this CAN, or 404.
pub async fn any_in_can<R: Requirement>(
    db: &PgPool,
    access: &CanAccess<R>,
    id: Uuid,
) -> Result<Comment> {
    queries::comment(db, access.can.id, id)
        .await?
        .or_not_found()
}

/// An organiser hides a comment that breaks the rules for participation; its author is told
/// why (unless they left, or hid their own).
pub async fn hide(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    id: Uuid,
    reason: &Reason,
    base_url: &str,
) -> Result<Outcome> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    let c = queries::lock_comment(&mut tx, can.id, id)
        .await?
        .or_not_found()?;
    let subject = c.subject().or_not_found()?;
    if c.deleted {
        return Ok(Outcome::Refused(
            subject,
            "Its author removed this comment already: nobody sees it.",
        ));
    }
    if c.hidden {
        return Ok(Outcome::Refused(subject, "This comment is hidden already."));
    }
    let what = what_of(&mut tx, can, subject).await?;
    let at: DateTime<Utc> = queries::hide(&mut tx, can.id, id, me.id, reason.as_str()).await?;
    access
        .log(
            &mut tx,
            "comment.hidden",
            ("comment", id),
            format!(
                "{} hid {}’s comment on {what}: {}",
                me.name,
                c.author,
                reason.as_str()
            ),
        )
        .await?;
    let author_here = queries::hold_membership(&mut tx, can.id, c.author_id)
        .await?
        .is_some_and(|s| s != "left");
    if c.author_id != me.id && author_here {
        let detail = Hidden {
            can_name: &can.name,
            what: &what,
            reason: reason.as_str(),
            excerpt: &text::excerpt(&c.body, EXCERPT),
        }
        .render()
        .map_err(AppError::internal)?;
        let notice = Notice {
            kind: Kind::CommentHidden,
            can: Some((can.id, &can.name)),
            line: format!(
                "An organiser hid your comment on {what}. Why: {}",
                text::excerpt(reason.as_str(), 160)
            ),
            link: comment_path(&can.slug, &subject, id),
            key: format!("comment:{id}:hidden:{}", at.timestamp_micros()),
        };
        notifications::notify(
            &mut tx,
            base_url,
            &notice,
            &[Recipient::with_detail(c.author_id, detail)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Outcome::Done(subject))
}

/// An organiser shows a hidden comment to everyone again.
pub async fn unhide(db: &PgPool, access: &CanAccess<Organiser>, id: Uuid) -> Result<Outcome> {
    let (can, me) = (&access.can, access.actor());
    let mut tx = db.begin().await?;
    let c = queries::lock_comment(&mut tx, can.id, id)
        .await?
        .or_not_found()?;
    let subject = c.subject().or_not_found()?;
    if !c.hidden {
        return Ok(Outcome::Refused(subject, "This comment is not hidden."));
    }
    let what = what_of(&mut tx, can, subject).await?;
    queries::unhide(&mut tx, can.id, id).await?;
    access
        .log(
            &mut tx,
            "comment.unhidden",
            ("comment", id),
            format!("{} showed {}’s comment on {what} again", me.name, c.author),
        )
        .await?;
    tx.commit().await?;
    Ok(Outcome::Done(subject))
}

/// A comment's history: the comment and its earlier texts, for those who may see the comment
/// (never for a removed one; for a hidden one, its author and the organisers). 404 otherwise.
pub async fn history(
    db: &PgPool,
    access: &CanAccess<Member>,
    id: Uuid,
) -> Result<(Comment, Vec<EarlierText>)> {
    let c = queries::comment(db, access.can.id, id)
        .await?
        .filter(|c| {
            !c.deleted
                && (!c.hidden || c.author_id == access.me.id || access.membership.is_organiser())
        })
        .or_not_found()?;
    let earlier = queries::earlier_texts(db, access.can.id, id).await?;
    Ok((c, earlier))
}

/// What a thread is about, for the log ("Mia’s hope"), or "a thread" when its subject is gone.
async fn what_of(tx: &mut PgConnection, can: &Can, subject: Subject) -> Result<String> {
    Ok(subjects::load(&mut *tx, can, subject)
        .await?
        .map(|t| t.what)
        .unwrap_or_else(|| "a thread".into()))
}
