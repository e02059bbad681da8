//! The "meanwhile" clock: immediate notifications held back by the hourly limit go out, once the
//! person's hour has room, folded into one mail ("While you were away… 5 more things in
//! Canopy"), with a one-click unsubscribe for every notification mail.
//!
//! Each person is folded in a transaction of their own: their waiting rows are locked with
//! `FOR UPDATE SKIP LOCKED`, the hour's count is read again under that lock, the mail is written
//! to the outbox and the rows marked mailed, together. A second instance ticking at the same time
//! skips the locked rows, and a second tick finds them mailed: each notification goes out once.

use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use super::mail::{Meanwhile, MeanwhileLine};
use super::{MAILS_PER_HOUR, Scope, link_key, queries, record_mailed, subject, unsubscribe_path};
use crate::error::Result;
use crate::outbox::{self, NewMail};
use crate::scheduler::{Job, JobContext};

/// People folded per pass; the tick goes on with the next ones until none is left.
const BATCH: i64 = 100;
/// A fold lists this many lines; the rest are counted ("…and 12 more") and are in the inbox.
pub const LINES_SHOWN: usize = 30;

pub fn jobs() -> Vec<Job> {
    vec![Job::new(
        "meanwhile mails",
        Duration::from_secs(60),
        |ctx: JobContext| async move { tick(&ctx.db, &ctx.base_url).await },
    )]
}

/// What one tick did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Folded {
    /// "Meanwhile" mails written to the outbox.
    pub mails: usize,
    /// Notifications they carried.
    pub notifications: usize,
}

/// Folds every person's waiting immediate notifications whose hour has room. Safe to run from any
/// number of instances at once.
pub async fn tick(db: &PgPool, base_url: &str) -> Result<Folded> {
    let mut done = Folded::default();
    let mut tried: Vec<Uuid> = Vec::new();
    // Read once, and only when someone has mail waiting (an idle tick is one statement).
    let mut key: Option<Vec<u8>> = None;
    loop {
        // Each person is tried once per tick (someone skipped, folded by another instance just
        // now, is left out of the next pass), so the tick ends.
        let fresh = queries::members_to_fold(db, MAILS_PER_HOUR, BATCH, &tried).await?;
        tried.extend(&fresh);
        if fresh.is_empty() {
            return Ok(done);
        }
        let key = match &key {
            Some(k) => k.clone(),
            None => key.insert(link_key(db).await?).clone(),
        };
        for member in fresh {
            if let Some(carried) = fold_one(db, base_url, &key, member).await? {
                done.mails += 1;
                done.notifications += carried;
            }
        }
    }
}

/// One person's fold in its own transaction; how many notifications it carried, or `None` when
/// there was nothing to send (another instance has them, or the hour filled up meanwhile).
async fn fold_one(db: &PgPool, base_url: &str, key: &[u8], member: Uuid) -> Result<Option<usize>> {
    let mut tx = db.begin().await?;
    let waiting = queries::claim_waiting(&mut *tx, member).await?;
    if waiting.is_empty() {
        return Ok(None);
    }
    let Some(to) = queries::fold_to(&mut *tx, member).await? else {
        return Ok(None);
    };
    if to.sent >= MAILS_PER_HOUR {
        return Ok(None);
    }
    let words = Meanwhile {
        more: waiting.len().saturating_sub(LINES_SHOWN),
        lines: waiting
            .iter()
            .take(LINES_SHOWN)
            .map(|w| MeanwhileLine {
                can_name: w.can_name.as_deref(),
                line: &w.line,
                link: format!("{base_url}{}", w.link),
            })
            .collect(),
        inbox: format!("{base_url}/notifications"),
        settings: format!("{base_url}/notifications/settings"),
    };
    let unsubscribe = format!("{base_url}{}", unsubscribe_path(key, member, Scope::All));
    let single_can = words.single_can();
    let can_id = single_can.and_then(|_| waiting.first().and_then(|w| w.can_id));
    let ids: Vec<Uuid> = waiting.iter().map(|w| w.id).collect();
    let last = ids.last().copied().unwrap_or(member);
    let mail = NewMail {
        can_id,
        to: to.email,
        subject: subject(single_can, &words.headline()),
        body: words.text(&unsubscribe)?,
        html: Some(words.html(&unsubscribe)?),
        unsubscribe: Some(unsubscribe),
        dedupe_key: Some(format!("meanwhile:{member}:{last}")),
    };
    outbox::enqueue(&mut *tx, &mail).await?;
    let carried = ids.len();
    record_mailed(&mut tx, &ids, &[member], &[carried as i32]).await?;
    tx.commit().await?;
    Ok(Some(carried))
}
