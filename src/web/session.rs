//! Browser sessions and CSRF protection.
//!
//! A session is an opaque random token in an HttpOnly cookie; the database keeps only its SHA-256
//! hash, so a leaked table cannot be replayed. Every visitor who opens a page gets a session
//! cookie because every form, sign-in included, carries that session's CSRF token. A visitor who
//! is not signed in costs no row: their session id is derived from the cookie and their CSRF token
//! is the cookie signed with a key every instance shares ([`AppState::csrf_key`]), so reading
//! public pages writes nothing. A row is written only when there is something to keep — a
//! flash message for the next page, or a sign-in. The middleware here refuses a state-changing
//! request unless it comes from our own origin *and* carries the token, so no handler can forget
//! the check.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::AppState;
use crate::error::{AppError, Result};
use crate::web::token;

pub const COOKIE: &str = "canopy_session";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Paths under this prefix take one-click unsubscribe POSTs without a session (see [`middleware`]).
pub const UNSUBSCRIBE_PREFIX: &str = "/unsubscribe/";

/// How long a signed-in session lasts.
pub const MEMBER_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Anonymous sessions only carry a CSRF token and a flash message.
pub const ANONYMOUS_TTL: Duration = Duration::from_secs(24 * 3600);

/// The session of the current request, placed in the request's extensions by [`middleware`].
#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub csrf_token: String,
    pub member: Option<SignedIn>,
    pub flash: Option<Flash>,
}

/// Who is signed in: what every page's header needs.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub id: Uuid,
    pub display_name: String,
    /// The member's own IANA zone: times are shown in it beside the group's.
    pub time_zone: chrono_tz::Tz,
    /// Unread notifications (counted up to [`UNREAD_SHOWN`]), for the header's link to the inbox.
    pub unread: i64,
}

/// The header counts unread notifications up to this many ("99+" beyond).
pub const UNREAD_SHOWN: i64 = 100;

impl SignedIn {
    /// The header's count: nothing when all is read, "99+" when there are many.
    pub fn unread_label(&self) -> Option<String> {
        match self.unread {
            0 => None,
            n if n >= UNREAD_SHOWN => Some(format!("{}+", UNREAD_SHOWN - 1)),
            n => Some(n.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    Info,
    Success,
    Error,
}

impl FlashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Success => "success",
            Self::Error => "error",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "success" => Self::Success,
            "error" => Self::Error,
            _ => Self::Info,
        }
    }
}

/// A freshly created session: the token goes to the browser once and is never stored.
#[derive(Debug)]
pub struct NewSession {
    pub id: Uuid,
    pub token: String,
    pub csrf_token: String,
    pub ttl: Duration,
}

/// Creates a session, signed in when `member_id` is given.
pub async fn create(
    db: impl PgExecutor<'_>,
    member_id: Option<Uuid>,
    flash: Option<Flash>,
) -> Result<NewSession> {
    let ttl = if member_id.is_some() {
        MEMBER_TTL
    } else {
        ANONYMOUS_TTL
    };
    let id = Uuid::now_v7();
    let token = token::random();
    let csrf_token = token::random();
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, member_id, csrf_token, flash_kind, flash_text, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))",
    )
    .bind(id)
    .bind(token::hash(&token))
    .bind(member_id)
    .bind(&csrf_token)
    .bind(flash.as_ref().map(|f| f.kind.as_str()))
    .bind(flash.as_ref().map(|f| f.text.as_str()))
    .bind(ttl.as_secs() as f64)
    .execute(db)
    .await?;
    Ok(NewSession {
        id,
        token,
        csrf_token,
        ttl,
    })
}

pub async fn delete(db: impl PgExecutor<'_>, id: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Signs the member out everywhere except in `keep`.
pub async fn delete_others(db: impl PgExecutor<'_>, member_id: Uuid, keep: Uuid) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE member_id = $1 AND id <> $2")
        .bind(member_id)
        .bind(keep)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Shows `text` on the next page this session renders (Post/Redirect/Get). An anonymous visitor's
/// session gets its row here, when there first is something to keep.
pub async fn set_flash(
    db: impl PgExecutor<'_>,
    session_id: Uuid,
    kind: FlashKind,
    text: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, csrf_token, flash_kind, flash_text, expires_at)
         VALUES ($1, $4, '', $2, $3, now() + make_interval(secs => $5))
         ON CONFLICT (id) DO UPDATE SET flash_kind = $2, flash_text = $3",
    )
    .bind(session_id)
    .bind(kind.as_str())
    .bind(text)
    // A row made this way is found by its id (derived from the cookie), never by this hash.
    .bind(token::hash(&format!("row:{session_id}")))
    .bind(ANONYMOUS_TTL.as_secs() as f64)
    .execute(db)
    .await?;
    Ok(())
}

/// The session id of an anonymous visitor's cookie: derived, so that it needs no row, and found
/// again when a row is written for it.
fn anonymous_id(token: &str) -> Uuid {
    let digest = token::hash(&format!("anonymous-session:{token}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The CSRF token of an anonymous visitor: their cookie, signed.
fn anonymous_csrf(key: &[u8], token: &str) -> String {
    token::sign(key, token.as_bytes())
}

/// The shared signing key, read from the database once per process.
async fn csrf_key(state: &AppState) -> Result<&[u8]> {
    let key = state
        .csrf_key
        .get_or_try_init(|| async {
            sqlx::query_scalar::<_, Vec<u8>>("SELECT secret FROM app_secrets WHERE name = 'csrf'")
                .fetch_one(&state.db)
                .await
        })
        .await?;
    Ok(key.as_slice())
}

/// Clears the flash message once a page has shown it.
pub async fn take_flash(db: impl PgExecutor<'_>, session_id: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET flash_kind = NULL, flash_text = NULL
         WHERE id = $1 AND flash_kind IS NOT NULL",
    )
    .bind(session_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Removes expired sessions; any instance may run it at any time.
pub async fn purge_expired(db: impl PgExecutor<'_>) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= now()")
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uuid,
    csrf_token: String,
    flash_kind: Option<String>,
    flash_text: Option<String>,
    member_id: Option<Uuid>,
    display_name: Option<String>,
    time_zone: Option<String>,
    unread: i64,
}

/// The session behind a cookie: a signed-in one (or an anonymous one that has a row) by the
/// token's hash, or an anonymous one's row by the id derived from the token. `None`: no row.
async fn load(db: impl PgExecutor<'_>, token: &str) -> Result<Option<Session>> {
    let row: Option<SessionRow> = sqlx::query_as(
        // The unread count rides along in the same statement, so the header costs no query.
        "SELECT s.id, s.csrf_token, s.flash_kind, s.flash_text, m.id AS member_id, m.display_name, m.time_zone,
                (SELECT count(*) FROM (SELECT 1 FROM notifications n
                                       WHERE n.member_id = m.id AND n.read_at IS NULL
                                       LIMIT $3) u) AS unread
         FROM sessions s LEFT JOIN members m ON m.id = s.member_id
         WHERE (s.token_hash = $1 OR (s.id = $2 AND s.member_id IS NULL)) AND s.expires_at > now()
         ORDER BY s.member_id IS NULL
         LIMIT 1",
    )
    .bind(token::hash(token))
    .bind(anonymous_id(token))
    .bind(UNREAD_SHOWN)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Session {
        id: r.id,
        csrf_token: r.csrf_token,
        member: r
            .member_id
            .zip(r.display_name)
            .map(|(id, display_name)| SignedIn {
                id,
                display_name,
                // Zones are checked when saved; an unreadable one shows times in UTC rather
                // than refusing every page to that member.
                time_zone: r
                    .time_zone
                    .as_deref()
                    .and_then(|z| z.parse().ok())
                    .unwrap_or(chrono_tz::UTC),
                unread: r.unread,
            }),
        flash: r.flash_kind.zip(r.flash_text).map(|(kind, text)| Flash {
            kind: FlashKind::parse(&kind),
            text,
        }),
    }))
}

/// `/unsubscribe/{member}/{scope}/{signature}` exactly: three non-empty segments, so no other
/// route that might one day live under the prefix loses its CSRF check by accident.
fn is_unsubscribe_link(path: &str) -> bool {
    path.strip_prefix(UNSUBSCRIBE_PREFIX).is_some_and(|rest| {
        let segments: Vec<&str> = rest.split('/').collect();
        segments.len() == 3 && segments.iter().all(|s| !s.is_empty())
    })
}

/// The `Set-Cookie` value that hands `session` to the browser.
pub fn cookie(session: &NewSession, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        session.token,
        session.ttl.as_secs()
    );
    HeaderValue::from_str(&value).expect("cookie is ASCII") // ok: base64url token, ASCII we wrote
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Loads the session, refuses cross-site or token-less state changes, and starts an anonymous
/// session for a visitor who has none (so that the page can carry a CSRF token).
pub async fn middleware(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response> {
    let (mut parts, body) = request.into_parts();
    let token = cookie_token(&parts.headers);
    let mut session = match &token {
        Some(token) => load(&state.db, token).await?,
        None => None,
    };
    // Anonymous visitors' CSRF tokens are signed, not stored: the same in every instance.
    if let Some(token) = &token {
        match &mut session {
            Some(s) if s.member.is_none() => {
                s.csrf_token = anonymous_csrf(csrf_key(&state).await?, token)
            }
            Some(_) => {}
            None => {
                session = Some(Session {
                    id: anonymous_id(token),
                    csrf_token: anonymous_csrf(csrf_key(&state).await?, token),
                    member: None,
                    flash: None,
                })
            }
        }
    }

    // A one-click unsubscribe (RFC 8058) is POSTed by the recipient's mail provider, with no
    // cookie, token or origin: the signed link itself is the authority, and it can only turn
    // mails off.
    let one_click = parts.method == Method::POST && is_unsubscribe_link(parts.uri.path());
    let body = if is_safe(&parts.method) || one_click {
        body
    } else {
        check_origin(&parts.headers, &state.config.public_url)?;
        let bytes = axum::body::to_bytes(body, state.body_limit)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        let sent = submitted_csrf_token(&parts.headers, &bytes)?;
        let expected = session.as_ref().map(|s| s.csrf_token.as_str());
        match (sent, expected) {
            (Some(sent), Some(expected))
                if token::constant_time_eq(sent.as_bytes(), expected.as_bytes()) => {}
            _ => {
                return Err(AppError::Forbidden(
                    "This form has expired or did not come from one of our pages. Go back, reload \
                     the page, and send it again.",
                ));
            }
        }
        Body::from(bytes)
    };

    let mut new_cookie = None;
    // Calendar apps poll feeds without cookies: they get no session (and no row each time).
    let wants_page = !parts.uri.path().ends_with(".ics");
    if session.is_none() && is_safe(&parts.method) && wants_page {
        // A cookie, and nothing written: the row comes when there is something to keep.
        let token = token::random();
        new_cookie = Some(cookie(
            &NewSession {
                id: anonymous_id(&token),
                token: token.clone(),
                csrf_token: String::new(),
                ttl: ANONYMOUS_TTL,
            },
            state.config.secure_cookies(),
        ));
        session = Some(Session {
            id: anonymous_id(&token),
            csrf_token: anonymous_csrf(csrf_key(&state).await?, &token),
            member: None,
            flash: None,
        });
    }
    if let Some(session) = session {
        parts.extensions.insert(session);
    }

    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(value) = new_cookie
        && !response.headers().contains_key(header::SET_COOKIE)
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// A state-changing request must come from our own pages: refuse a browser's cross-site request
/// (`Sec-Fetch-Site`) and any foreign `Origin`. Clients that send neither still need the token.
fn check_origin(headers: &HeaderMap, public_url: &str) -> Result<()> {
    const REFUSAL: &str = "This form was sent from another site, so we did not act on it.";
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return Err(AppError::Forbidden(REFUSAL));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("null");
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let same_host = origin
        .split_once("://")
        .is_some_and(|(_, authority)| !host.is_empty() && authority.eq_ignore_ascii_case(host));
    if same_host || origin.eq_ignore_ascii_case(public_url) {
        Ok(())
    } else {
        Err(AppError::Forbidden(REFUSAL))
    }
}

/// Finds the CSRF token in a form body (or header), refusing bodies that are not valid UTF-8 so
/// that no handler ever sees text with characters silently replaced.
fn submitted_csrf_token<'a>(headers: &'a HeaderMap, body: &'a Bytes) -> Result<Option<String>> {
    if let Some(token) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Ok(Some(token.to_string()));
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(None);
    }
    let mut token = None;
    for pair in body.split(|b| *b == b'&') {
        let mut halves = pair.splitn(2, |b| *b == b'=');
        let name = decode_strict(halves.next().unwrap_or_default())?;
        let value = decode_strict(halves.next().unwrap_or_default())?;
        if name == CSRF_FIELD {
            token = Some(value);
        }
    }
    Ok(token)
}

fn decode_strict(raw: &[u8]) -> Result<String> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
    String::from_utf8(bytes).map_err(|_| {
        AppError::BadRequest(
            "The form contained characters that are not valid text (UTF-8), so nothing was saved. \
             Go back, retype the text, and send it again.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_unsubscribe_link_itself_skips_the_csrf_check() {
        assert!(is_unsubscribe_link("/unsubscribe/0190/offer_made/abc"));
        for path in [
            "/unsubscribe/",
            "/unsubscribe/0190/offer_made",
            "/unsubscribe/0190/offer_made/abc/more",
            "/unsubscribe/0190//abc",
            "//unsubscribe/0190/offer_made/abc",
            "/c/elm/unsubscribe/0190/offer_made/abc",
        ] {
            assert!(!is_unsubscribe_link(path), "{path}");
        }
    }
}
