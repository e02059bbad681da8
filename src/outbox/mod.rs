//! The mail outbox. A change that should send mail (an invitation, a reminder) writes the mail
//! into the `outbox` table in its own transaction, so the mail exists exactly when the change
//! does; a worker on every app instance then sends what is due.
//!
//! Several workers may run at once. Each claims a batch with `FOR UPDATE SKIP LOCKED` and marks
//! it `sending` with a lease, so no two workers hold the same mail; the lease is renewed just
//! before each mail is sent, and a worker that finds its claim taken over skips the mail. A mail
//! is therefore sent once, unless a server dies between sending it and marking it sent: then its
//! lease runs out and another worker sends it again (at least once, never silently lost).

mod mailer;

use std::time::Duration;

use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::error::Result;

pub use mailer::{Mailer, Outgoing, SMTP_TIMEOUT, SendError};

/// How long a claimed mail belongs to the worker that claimed it. Must exceed one SMTP
/// conversation ([`SMTP_TIMEOUT`]) by a wide margin: the lease is renewed before each mail.
pub const LEASE: Duration = Duration::from_secs(5 * 60);
/// After this many failed attempts a mail is marked `failed` and left alone.
pub const MAX_ATTEMPTS: i32 = 8;
/// The first retry waits this long; each further one twice as long as the one before...
pub const FIRST_RETRY: Duration = Duration::from_secs(60);
/// ...but never longer than this.
pub const MAX_RETRY: Duration = Duration::from_secs(6 * 3600);
/// How often the worker looks for due mail when there is no backlog.
pub const POLL_EVERY: Duration = Duration::from_secs(5);
/// How many mails one pass of the worker claims.
pub const BATCH: i64 = 20;
/// `last_error` keeps this many characters of the error.
const ERROR_TEXT_MAX: usize = 1000;

/// A mail to write into the outbox.
#[derive(Debug, Clone, Default)]
pub struct NewMail {
    /// The CAN the mail is about, if any (kept for the record; no foreign key).
    pub can_id: Option<Uuid>,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// An HTML alternative to `body`: the mail goes out as multipart/alternative when present.
    pub html: Option<String>,
    /// The one-click unsubscribe address (RFC 8058): sent as `List-Unsubscribe` with
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    pub unsubscribe: Option<String>,
    /// Makes the mail unique: a second [`enqueue`] with the same key writes nothing.
    pub dedupe_key: Option<String>,
}

/// A mail's words: an askama text template (`templates/mail/<area>/<name>.txt`, not escaped:
/// it is plain text) plus its subject line. Each area keeps its mails in its own `mail.rs`, so
/// what people receive reads in one place and handlers never hold mail text.
pub trait MailText: askama::Template {
    fn subject(&self) -> String;

    /// The mail to `to`, about `can_id`, unique by `dedupe_key` when one is given.
    fn to(&self, to: &str, can_id: Option<Uuid>, dedupe_key: Option<String>) -> Result<NewMail> {
        Ok(NewMail {
            can_id,
            to: to.to_string(),
            subject: self.subject(),
            body: self.render().map_err(crate::error::AppError::internal)?,
            html: None,
            unsubscribe: None,
            dedupe_key,
        })
    }
}

/// Writes `mail` into the outbox; call it inside the transaction of the change that causes it.
/// Returns false when a mail with the same dedupe_key already exists (nothing written).
/// The address is checked when the mail is sent: one that does not parse marks the mail `failed`.
pub async fn enqueue(db: impl PgExecutor<'_>, mail: &NewMail) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO outbox (id, can_id, to_address, subject, body_text, dedupe_key, body_html, unsubscribe_url)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT ON CONSTRAINT outbox_dedupe_key_key DO NOTHING",
    )
    .bind(Uuid::now_v7())
    .bind(mail.can_id)
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(&mail.dedupe_key)
    .bind(&mail.html)
    .bind(&mail.unsubscribe)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A mail this worker has claimed. `attempts` (counting this one) doubles as the claim's token:
/// a later claim by another worker raises it, so our updates no longer match.
#[derive(sqlx::FromRow)]
struct Claimed {
    id: Uuid,
    to_address: String,
    subject: String,
    body_text: String,
    body_html: Option<String>,
    unsubscribe_url: Option<String>,
    attempts: i32,
}

/// One pass of the worker: claims up to `batch` due mails (pending and due, or `sending` with an
/// expired lease), sends each, and records the outcome. Returns how many mails it claimed, so a
/// caller knows whether more may be waiting. Safe to run from any number of instances at once.
pub async fn run_once(db: &PgPool, mailer: &Mailer, batch: i64) -> Result<usize> {
    let claimed: Vec<Claimed> = sqlx::query_as(
        "WITH claimed AS (
             UPDATE outbox
             SET status = 'sending',
                 claimed_until = now() + make_interval(secs => $2),
                 attempts = attempts + 1
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE (status = 'pending' AND next_attempt_at <= now())
                    OR (status = 'sending' AND claimed_until < now() AND attempts < $3)
                 ORDER BY created_at, id
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, to_address, subject, body_text, body_html, unsubscribe_url, attempts, created_at)
         SELECT id, to_address, subject, body_text, body_html, unsubscribe_url, attempts
         FROM claimed ORDER BY created_at, id",
    )
    .bind(batch)
    .bind(LEASE.as_secs_f64())
    .bind(MAX_ATTEMPTS)
    .fetch_all(db)
    .await?;

    // A mail whose worker kept dying mid-send is given up on, not retried for ever.
    sqlx::query(
        "UPDATE outbox SET status = 'failed', last_error = 'gave up: the sending worker stopped repeatedly'
         WHERE status = 'sending' AND claimed_until < now() AND attempts >= $1",
    )
    .bind(MAX_ATTEMPTS)
    .execute(db)
    .await?;

    for mail in &claimed {
        if !renew_lease(db, mail).await? {
            tracing::warn!(id = %mail.id, "outbox: another worker took this mail over; skipping it");
            continue;
        }
        let outgoing = Outgoing {
            id: mail.id,
            to: &mail.to_address,
            subject: &mail.subject,
            text: &mail.body_text,
            html: mail.body_html.as_deref(),
            unsubscribe: mail.unsubscribe_url.as_deref(),
        };
        match mailer.send(&outgoing).await {
            Ok(()) => {
                // The mail is out: a brief database hiccup here must not make us send it again
                // after the lease, so try a few times before giving up.
                let mut tries = 0;
                while let Err(e) = mark_sent(db, mail).await {
                    tries += 1;
                    if tries >= 5 {
                        return Err(e);
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200 * tries)).await;
                }
            }
            Err(e) => record_failure(db, mail, &e).await?,
        }
    }
    Ok(claimed.len())
}

/// Extends our claim just before sending, so the lease only has to outlast one mail, not a batch.
/// False when the claim is no longer ours.
async fn renew_lease(db: &PgPool, mail: &Claimed) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET claimed_until = now() + make_interval(secs => $3)
         WHERE id = $1 AND status = 'sending' AND attempts = $2",
    )
    .bind(mail.id)
    .bind(mail.attempts)
    .bind(LEASE.as_secs_f64())
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn mark_sent(db: &PgPool, mail: &Claimed) -> Result<()> {
    let done = sqlx::query(
        "UPDATE outbox
         SET status = 'sent', sent_at = now(), claimed_until = NULL, last_error = NULL
         WHERE id = $1 AND status = 'sending' AND attempts = $2",
    )
    .bind(mail.id)
    .bind(mail.attempts)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        // Only if sending outlasted the lease: then another worker may send it too.
        tracing::warn!(id = %mail.id, "outbox: mail sent after its claim had expired");
    }
    Ok(())
}

async fn record_failure(db: &PgPool, mail: &Claimed, error: &SendError) -> Result<()> {
    let give_up = error.is_permanent() || mail.attempts >= MAX_ATTEMPTS;
    let text: String = error.to_string().chars().take(ERROR_TEXT_MAX).collect();
    let delay = retry_delay(mail.attempts);
    sqlx::query(
        "UPDATE outbox
         SET status = CASE WHEN $3 THEN 'failed' ELSE 'pending' END,
             next_attempt_at = now() + make_interval(secs => $4),
             claimed_until = NULL,
             last_error = $5
         WHERE id = $1 AND status = 'sending' AND attempts = $2",
    )
    .bind(mail.id)
    .bind(mail.attempts)
    .bind(give_up)
    .bind(delay.as_secs_f64())
    .bind(&text)
    .execute(db)
    .await?;
    if give_up {
        tracing::error!(id = %mail.id, attempts = mail.attempts, error = %text, "outbox: giving up on a mail");
    } else {
        tracing::warn!(id = %mail.id, attempts = mail.attempts, retry_in_s = delay.as_secs(), error = %text, "outbox: sending failed; will retry");
    }
    Ok(())
}

/// How long to wait after the `attempts`-th failed attempt: 1 min, 2 min, 4 min … capped at 6 h.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    FIRST_RETRY.saturating_mul(1 << doublings).min(MAX_RETRY)
}

/// Sends due mail every [`POLL_EVERY`] until the runtime shuts down; a backlog is worked through
/// without waiting. A failed pass is logged and the loop goes on.
pub fn spawn_worker(db: PgPool, mailer: Mailer) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(POLL_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if db.is_closed() {
                return;
            }
            loop {
                match run_once(&db, &mailer, BATCH).await {
                    Ok(claimed) if claimed as i64 >= BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox: a pass of the mail worker failed");
                        break;
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_six_hours() {
        assert_eq!(retry_delay(1), Duration::from_secs(60));
        assert_eq!(retry_delay(2), Duration::from_secs(120));
        assert_eq!(retry_delay(4), Duration::from_secs(480));
        assert_eq!(retry_delay(MAX_ATTEMPTS - 1), Duration::from_secs(64 * 60));
        assert_eq!(retry_delay(9), Duration::from_secs(256 * 60));
        assert_eq!(retry_delay(10), Duration::from_secs(6 * 3600));
        assert_eq!(retry_delay(i32::MAX), Duration::from_secs(6 * 3600));
        assert_eq!(retry_delay(0), Duration::from_secs(60));
    }
}
