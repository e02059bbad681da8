//! What every page shares: the layout data (who is signed in, the CSRF token, the flash message),
//! the extractors that establish who is asking, form helpers, and the response headers and
//! request tracing wrapped around the whole app.

pub mod forms;
pub mod session;
pub mod time;
pub mod token;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Request, header};
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::error::{AppError, Result};
pub use session::{Flash, FlashKind, Session, SignedIn};

/// Data the base layout needs. Every page template has a `ctx: Layout` field.
#[derive(Debug, Clone)]
pub struct Layout {
    pub member: Option<SignedIn>,
    pub csrf_token: String,
    pub flash: Option<Flash>,
    /// Error pages leave out the account links: they are rendered without a session.
    pub show_account: bool,
}

impl Layout {
    /// For pages rendered outside a request's session (error pages).
    pub fn bare() -> Self {
        Self {
            member: None,
            csrf_token: String::new(),
            flash: None,
            show_account: false,
        }
    }

    pub fn flash_class(&self) -> &'static str {
        self.flash
            .as_ref()
            .map(|f| f.kind.as_str())
            .unwrap_or("info")
    }
}

impl FromRequestParts<AppState> for Layout {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let session =
            parts.extensions.get::<Session>().cloned().ok_or_else(|| {
                AppError::internal("page rendered without the session middleware")
            })?;
        // A flash message is shown once: clear it as the page that shows it is rendered.
        if session.flash.is_some() {
            session::take_flash(&state.db, session.id).await?;
        }
        Ok(Self {
            member: session.member,
            csrf_token: session.csrf_token,
            flash: session.flash,
            show_account: true,
        })
    }
}

/// The signed-in member. Someone signed out is sent to the sign-in page and brought back after.
#[derive(Debug, Clone)]
pub struct CurrentMember {
    pub id: Uuid,
    pub display_name: String,
    pub time_zone: chrono_tz::Tz,
    pub session_id: Uuid,
}

impl FromRequestParts<AppState> for CurrentMember {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self> {
        let session = parts.extensions.get::<Session>();
        match session.and_then(|s| s.member.as_ref().map(|m| (s.id, m))) {
            Some((session_id, m)) => Ok(Self {
                id: m.id,
                display_name: m.display_name.clone(),
                time_zone: m.time_zone,
                session_id,
            }),
            None => Err(AppError::SignInRequired {
                next: parts
                    .uri
                    .path_and_query()
                    .map(|pq| pq.as_str().to_string())
                    .unwrap_or_else(|| "/".into()),
            }),
        }
    }
}

/// The session of this request (present on every page and every accepted form post).
impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::internal("no session on this request"))
    }
}

/// The client's address, used to throttle repeated failures: the TCP peer, or, behind a reverse
/// proxy named in `CANOPY_CLIENT_IP_HEADER`, the last address in that header (the one our own
/// proxy wrote; earlier entries can be forged by the client).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(name) = &state.config.client_ip_header
            && let Some(last) = parts
                .headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
        {
            return Ok(Self(last.to_string()));
        }
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ci| ci.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// `axum::extract::Path` whose rejections (a malformed id, say) answer 404: a URL that names
/// nothing we have is not found, whatever its shape.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// Post/Redirect/Get: remember a message for the next page and send the browser there.
pub async fn redirect_with_flash(
    db: &sqlx::PgPool,
    session_id: Uuid,
    kind: FlashKind,
    text: &str,
    to: &str,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    session::set_flash(db, session_id, kind, text).await?;
    Ok(axum::response::Redirect::to(to).into_response())
}

/// A page shown again instead of a redirect: a refused form (422, with its messages beside the
/// fields and the input kept) or a change that lost a race (409). The one way handlers do it.
pub fn page_with_status(
    status: axum::http::StatusCode,
    page: impl axum::response::IntoResponse,
) -> Result<Response> {
    use axum::response::IntoResponse;
    Ok((status, page).into_response())
}

/// [`page_with_status`] with 422: the form is shown again with what was typed.
pub fn unprocessable(page: impl axum::response::IntoResponse) -> Result<Response> {
    page_with_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// 429 with the page (its form kept, the message beside the field) and `Retry-After`: a limit is
/// reached, and the answer says when there is room again.
pub fn too_many_requests(
    page: impl axum::response::IntoResponse,
    wait: std::time::Duration,
) -> Result<Response> {
    let mut response = page_with_status(axum::http::StatusCode::TOO_MANY_REQUESTS, page)?;
    let seconds = wait.as_secs().max(1).to_string();
    if let Ok(value) = HeaderValue::from_str(&seconds) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Ok(response)
}

/// `axum::extract::Query` whose rejections (a repeated or malformed parameter) get our error page.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

/// A form whose fields may repeat (`hope=a&hope=b` into a `Vec`), with our error page on rejection.
#[derive(Debug, FromRequest)]
#[from_request(via(axum_extra::extract::Form), rejection(AppError))]
pub struct MultiForm<T>(pub T);

/// `axum::Form` whose rejections become our error page instead of plain text.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct Form<T>(pub T);

/// Security headers on every response. The policy allows no inline script or style at all.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// The `X-Request-Id` a client sent, kept only as a separate log field: ids in our logs are ours,
/// so a client cannot forge, collide with or inject into them.
#[derive(Debug, Clone)]
pub struct ClientRequestId(pub String);

/// Takes the client's `X-Request-Id` off the request (so that ours is generated) and keeps a
/// cleaned copy — visible ASCII, at most 64 characters — as [`ClientRequestId`].
pub async fn set_aside_client_request_id<B>(mut request: Request<B>) -> Request<B> {
    if let Some(theirs) = request.headers_mut().remove("x-request-id") {
        let cleaned: String = theirs
            .as_bytes()
            .iter()
            .filter(|b| b.is_ascii_graphic())
            .take(64)
            .map(|b| char::from(*b))
            .collect();
        request.extensions_mut().insert(ClientRequestId(cleaned));
    }
    request
}

/// One span per request, named by the route that matched (not the raw URI, which carries ids).
pub fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let client_request_id = request
        .extensions()
        .get::<ClientRequestId>()
        .map(|c| c.0.as_str())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        request_id = %request_id,
        client_request_id = %client_request_id,
    )
}

/// Only local paths may be used as a redirect target after sign-in (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}
