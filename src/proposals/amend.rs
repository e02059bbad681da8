//! Amending an open proposal (its author, or a facilitator or organiser): a new text with a note
//! on what changed. The round's text version is raised under the round's lock, so answers given
//! to the earlier text are kept but no longer count, and those who gave them are asked to answer
//! again.

use askama::Template;
use sqlx::PgPool;
use uuid::Uuid;

use super::forms::Amendment;
use super::mail;
use super::queries;
use crate::cans::access::{ActiveMember, CanAccess};
use crate::cans::model::Role;
use crate::error::{AppError, Result};
use crate::notifications::{self, Kind, Notice, Recipient};
use crate::visioning::rounds;

#[derive(Debug, PartialEq, Eq)]
pub enum AmendOutcome {
    /// Now at this version.
    Amended(i32),
    /// The proposal is decided, withdrawn, or its time is up.
    Closed,
    /// Only its author, facilitators and organisers amend a proposal.
    NotAllowed,
}

/// Whether the caller may change the proposal's text or withdraw it.
pub fn may_change<R: crate::cans::access::Requirement>(
    access: &CanAccess<R>,
    author_id: Uuid,
) -> bool {
    let m = &access.membership;
    m.is_active()
        && (author_id == access.me.id || m.has(Role::Facilitator) || m.has(Role::Organiser))
}

/// Amends the proposal; `None` when it is not the CAN's.
pub async fn amend(
    db: &PgPool,
    access: &CanAccess<ActiveMember>,
    id: Uuid,
    new: &Amendment,
    base_url: &str,
) -> Result<Option<AmendOutcome>> {
    let (can, me) = (&access.can, &access.me);
    let mut tx = db.begin().await?;
    let Some(p) = queries::lock(&mut tx, can.id, id).await? else {
        return Ok(None);
    };
    if !p.status.is_open() {
        return Ok(Some(AmendOutcome::Closed));
    }
    if !may_change(access, p.author_id) {
        return Ok(Some(AmendOutcome::NotAllowed));
    }
    let Some((text_version, answered)) = rounds::new_text_in(&mut tx, can.id, p.round_id).await?
    else {
        return Ok(Some(AmendOutcome::Closed));
    };
    let version = p.version + 1;
    debug_assert_eq!(version, text_version);
    let texts = (
        version,
        new.title.as_str(),
        new.body.as_str(),
        new.note.as_str(),
    );
    queries::amend(&mut tx, can.id, id, texts, me.id).await?;
    let summary = format!(
        "{} amended “{}” (version {version}): {}",
        me.display_name, new.title, new.note
    );
    access
        .log(&mut tx, "proposal.amended", ("proposal", id), summary)
        .await?;
    let path = access.path(&format!("/proposals/{id}"));
    let link = format!("{base_url}{path}");
    let detail = mail::Amended {
        can_name: &can.name,
        by: &me.display_name,
        title: &new.title,
        version,
        note: &new.note,
        link: &link,
    }
    .render()
    .map_err(AppError::internal)?;
    let to: Vec<Recipient> = answered
        .into_iter()
        .filter(|m| *m != me.id)
        .map(|m| Recipient::with_detail(m, detail.clone()))
        .collect();
    let notice = Notice {
        kind: Kind::ProposalAmended,
        can: Some((can.id, &can.name)),
        line: format!(
            "{} amended “{}”: please answer the new text",
            me.display_name, new.title
        ),
        link: path,
        key: format!("proposal:{id}:amended:{version}"),
    };
    notifications::notify(&mut tx, base_url, &notice, &to).await?;
    tx.commit().await?;
    Ok(Some(AmendOutcome::Amended(version)))
}
