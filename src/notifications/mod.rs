//! Notifications: every event that concerns someone writes one row per recipient, in the same
//! transaction as the change ([`notify`]). The row is the inbox entry (`/notifications`, the
//! header's unread count); whether it also becomes a mail — at once, in the weekly digest, or not
//! at all — is the recipient's choice per kind ([`Kind::default_delivery`] when they made none).
//!
//! Immediate mails are limited to [`MAILS_PER_HOUR`] per person in any hour: beyond that a
//! notification waits, and the "meanwhile" clock folds everything waiting into one mail when the
//! hour allows. Every notification mail is multipart (text + HTML) and carries a one-click
//! unsubscribe link (RFC 8058) signed for that person and kind, which works without signing in.

pub mod forms;
mod handlers;
pub mod jobs;
pub mod kind;
mod mail;
pub mod prefs;
pub mod queries;

use std::collections::HashSet;

use axum::Router;
use axum::routing::{get, post};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::AppState;
use crate::error::{AppError, Result};
use crate::outbox::{self, NewMail};
use crate::scheduler::Job;
use crate::web::token;

pub use kind::{Delivery, Kind};

/// The inbox, the mail settings, and the unsubscribe links (which work without signing in).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(handlers::inbox))
        .route("/notifications/read-all", post(handlers::read_all))
        .route("/notifications/{id}/open", post(handlers::open))
        .route(
            "/notifications/settings",
            get(handlers::settings).post(handlers::save_settings),
        )
        .route(
            "/unsubscribe/{member}/{scope}/{sig}",
            get(handlers::unsubscribe_page).post(handlers::unsubscribe),
        )
}

/// The clock's work for notifications: the "meanwhile" fold, every minute.
pub fn jobs() -> Vec<Job> {
    jobs::jobs()
}

/// A notification's detail is kept up to this many characters.
const DETAIL_MAX: usize = 4000;

/// At most this many notification mails (alone or folded) reach one person in any hour.
pub const MAILS_PER_HOUR: i64 = 3;

/// One event, as the people it concerns will read it.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub kind: Kind,
    /// The CAN it is about (id and name): the name leads the mail's subject.
    pub can: Option<(Uuid, &'a str)>,
    /// One line for the inbox and the subject, e.g. "Ana asked you to carry “Flyers”". Kept short
    /// (cut at 300 characters).
    pub line: String,
    /// A path on this site where the person can see and answer it, e.g. `/c/elm/responsibilities/…`.
    pub link: String,
    /// Unique per recipient for this event: a retried change (or a clock's second tick) writes
    /// nothing twice. E.g. `offer:{id}:made`.
    pub key: String,
}

/// Who a notice goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub member: Uuid,
    /// A fuller text for this person's mail (e.g. a meeting's new time in their own zone); the
    /// line alone when `None`. The inbox always shows the line.
    pub detail: Option<String>,
}

impl Recipient {
    pub fn plain(member: Uuid) -> Self {
        Self {
            member,
            detail: None,
        }
    }

    pub fn with_detail(member: Uuid, detail: String) -> Self {
        Self {
            member,
            detail: Some(detail),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Written {
    id: Uuid,
    member_id: Uuid,
}

#[derive(sqlx::FromRow)]
struct MailTo {
    id: Uuid,
    email: String,
    /// Notification mails this person got in the last hour.
    sent: i64,
    /// Whether earlier immediate notifications still wait for the hourly limit: a new one then
    /// waits behind them, so the fold keeps their order.
    waiting: bool,
    key: Vec<u8>,
}

/// Writes one notification per recipient (a recipient listed twice gets one) and mails those
/// who want it at once, within the hourly limit. Call it inside the change's transaction.
/// Returns the members a notification was written for (none for a retried key).
pub async fn notify(
    conn: &mut PgConnection,
    base_url: &str,
    notice: &Notice<'_>,
    to: &[Recipient],
) -> Result<Vec<Uuid>> {
    let mut seen = HashSet::new();
    let to: Vec<&Recipient> = to.iter().filter(|r| seen.insert(r.member)).collect();
    if to.is_empty() {
        return Ok(Vec::new());
    }
    let members: Vec<Uuid> = to.iter().map(|r| r.member).collect();
    let ids: Vec<Uuid> = to.iter().map(|_| Uuid::now_v7()).collect();
    // Kept with the row, so the inbox shows it too (cut to what the column allows).
    let details: Vec<Option<String>> = to
        .iter()
        .map(|r| {
            r.detail
                .as_ref()
                .map(|d| d.chars().take(DETAIL_MAX).collect())
        })
        .collect();
    let line: String = notice.line.chars().take(300).collect();
    let written: Vec<(Written, Delivery)> = sqlx::query_as::<_, (Uuid, Uuid, Delivery)>(
        "INSERT INTO notifications (id, member_id, can_id, kind, line, link, delivery, dedupe_key, detail)
         SELECT x.id, x.member_id, $3, $4, $5, $6, COALESCE(p.delivery, $7), $8, x.detail
         FROM unnest($1::uuid[], $2::uuid[], $9::text[]) AS x (id, member_id, detail)
         LEFT JOIN notification_prefs p ON p.member_id = x.member_id AND p.kind = $4
         ON CONFLICT ON CONSTRAINT notifications_dedupe_key DO NOTHING
         RETURNING id, member_id, delivery",
    )
    .bind(&ids)
    .bind(&members)
    .bind(notice.can.map(|(id, _)| id))
    .bind(notice.kind)
    .bind(&line)
    .bind(&notice.link)
    .bind(notice.kind.default_delivery())
    .bind(&notice.key)
    .bind(&details)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, member_id, delivery)| (Written { id, member_id }, delivery))
    .collect();

    let now: Vec<&Written> = written
        .iter()
        .filter(|(_, d)| *d == Delivery::Now)
        .map(|(w, _)| w)
        .collect();
    if !now.is_empty() {
        mail_now(conn, base_url, notice, &line, &to, &now).await?;
    }
    Ok(written.into_iter().map(|(w, _)| w.member_id).collect())
}

/// Mails the immediate notifications just written, one mail each, to those still within the hour's
/// limit; the others wait for the "meanwhile" fold.
async fn mail_now(
    conn: &mut PgConnection,
    base_url: &str,
    notice: &Notice<'_>,
    line: &str,
    to: &[&Recipient],
    written: &[&Written],
) -> Result<()> {
    let members: Vec<Uuid> = written.iter().map(|w| w.member_id).collect();
    let new_ids: Vec<Uuid> = written.iter().map(|w| w.id).collect();
    let people: Vec<MailTo> = sqlx::query_as(
        "SELECT m.id, m.email,
                (SELECT count(*) FROM notification_mails nm
                 WHERE nm.member_id = m.id AND nm.sent_at > now() - interval '1 hour') AS sent,
                EXISTS (SELECT 1 FROM notifications w
                        WHERE w.member_id = m.id AND w.delivery = 'now' AND w.mailed_at IS NULL
                          AND w.id <> ALL($2)) AS waiting,
                k.secret AS key
         FROM members m CROSS JOIN app_secrets k
         WHERE m.id = ANY($1) AND k.name = 'mail_links'",
    )
    .bind(&members)
    .bind(&new_ids)
    .fetch_all(&mut *conn)
    .await?;

    let mut mailed = Vec::new();
    for person in people
        .iter()
        .filter(|p| p.sent < MAILS_PER_HOUR && !p.waiting)
    {
        let Some(w) = written.iter().find(|w| w.member_id == person.id) else {
            continue;
        };
        let detail = to
            .iter()
            .find(|r| r.member == person.id)
            .and_then(|r| r.detail.as_deref());
        let words = mail::One {
            can_name: notice.can.map(|(_, name)| name),
            line,
            detail,
            link: format!("{base_url}{}", notice.link),
            settings: format!("{base_url}/notifications/settings"),
            kind_label: notice.kind.label(),
        };
        let unsubscribe = format!(
            "{base_url}{}",
            unsubscribe_path(&person.key, person.id, Scope::Kind(notice.kind))
        );
        let mail = NewMail {
            can_id: notice.can.map(|(id, _)| id),
            to: person.email.clone(),
            subject: subject(notice.can.map(|(_, name)| name), line),
            body: words.text(&unsubscribe)?,
            html: Some(words.html(&unsubscribe)?),
            unsubscribe: Some(unsubscribe),
            dedupe_key: Some(format!("notification:{}", w.id)),
        };
        outbox::enqueue(&mut *conn, &mail).await?;
        mailed.push((w.id, person.id));
    }
    if mailed.is_empty() {
        return Ok(());
    }
    let (ids, members): (Vec<Uuid>, Vec<Uuid>) = mailed.into_iter().unzip();
    record_mailed(conn, &ids, &members, &vec![1; members.len()]).await
}

/// Marks notifications as mailed and records the mails against each person's hourly limit:
/// `members[i]` got one mail carrying `carried[i]` notifications.
pub(crate) async fn record_mailed(
    conn: &mut PgConnection,
    notification_ids: &[Uuid],
    members: &[Uuid],
    carried: &[i32],
) -> Result<()> {
    sqlx::query("UPDATE notifications SET mailed_at = now() WHERE id = ANY($1)")
        .bind(notification_ids)
        .execute(&mut *conn)
        .await?;
    let ids: Vec<Uuid> = members.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query(
        "INSERT INTO notification_mails (id, member_id, carried)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[])",
    )
    .bind(&ids)
    .bind(members)
    .bind(carried)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// "[Elm Street] Ana asked you to carry “Flyers”": the CAN first, so an inbox sorts itself.
pub fn subject(can_name: Option<&str>, line: &str) -> String {
    match can_name {
        Some(name) => format!("[{name}] {line}"),
        None => line.to_string(),
    }
}

/// What an unsubscribe link turns off: one kind, or every notification mail, or the weekly
/// digest (`members.weekly_digest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Kind(Kind),
    All,
    Digest,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kind(kind) => kind.as_str(),
            Self::All => "all",
            Self::Digest => "digest",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        if raw == "all" {
            Some(Self::All)
        } else if raw == "digest" {
            Some(Self::Digest)
        } else {
            Kind::parse(raw).map(Self::Kind)
        }
    }
}

/// `/unsubscribe/{member}/{scope}/{signature}`: the signature (HMAC under the shared
/// `mail_links` key) proves we made the link for this person and scope, so nothing is stored and
/// a forged or altered link matches nothing.
pub fn unsubscribe_path(key: &[u8], member: Uuid, scope: Scope) -> String {
    format!(
        "/unsubscribe/{member}/{}/{}",
        scope.as_str(),
        signature(key, member, scope)
    )
}

fn signature(key: &[u8], member: Uuid, scope: Scope) -> String {
    token::sign(
        key,
        format!("unsubscribe:{member}:{}", scope.as_str()).as_bytes(),
    )
}

/// The scope of an unsubscribe link, if `sig` is ours for this member and scope.
pub fn verify_unsubscribe(key: &[u8], member: Uuid, scope: &str, sig: &str) -> Option<Scope> {
    let scope = Scope::parse(scope)?;
    let expected = signature(key, member, scope);
    token::constant_time_eq(expected.as_bytes(), sig.as_bytes()).then_some(scope)
}

/// The shared key that signs unsubscribe links.
pub async fn link_key(db: impl sqlx::PgExecutor<'_>) -> Result<Vec<u8>> {
    sqlx::query_scalar("SELECT secret FROM app_secrets WHERE name = 'mail_links'")
        .fetch_optional(db)
        .await?
        .ok_or_else(|| AppError::internal("the mail_links secret is missing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsubscribe_links_are_bound_to_member_and_scope() {
        let key = [7u8; 32];
        let me = Uuid::now_v7();
        let path = unsubscribe_path(&key, me, Scope::Kind(Kind::OfferMade));
        let parts: Vec<&str> = path.split('/').collect();
        assert_eq!(parts[1], "unsubscribe");
        assert_eq!(
            verify_unsubscribe(&key, me, parts[3], parts[4]),
            Some(Scope::Kind(Kind::OfferMade))
        );
        // Another kind, another person, another key: none of them verifies.
        assert_eq!(verify_unsubscribe(&key, me, "poll_opened", parts[4]), None);
        assert_eq!(
            verify_unsubscribe(&key, Uuid::now_v7(), parts[3], parts[4]),
            None
        );
        assert_eq!(verify_unsubscribe(&[8u8; 32], me, parts[3], parts[4]), None);
        assert_eq!(verify_unsubscribe(&key, me, "nonsense", parts[4]), None);
    }
}
