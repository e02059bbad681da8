//! The one error type. Every failure a handler can meet becomes an HTML page with the right
//! status; the cause of a 500 is logged inside the request's span and never shown to the visitor.
//! A database that cannot be reached (stopped, restarting, every connection busy) is no bug of
//! ours: it answers 503 with `Retry-After`, so proxies and people know to try again shortly.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::web::Layout;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request could not be read at all (not a form field's problem: those re-render the form).
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("payload too large")]
    PayloadTooLarge,
    /// A members-only page asked for by someone signed out; `next` is where to return afterwards.
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

/// `lookup(...).await?.or_not_found()?`: an id that names nothing in this CAN is a 404.
pub trait OrNotFound<T> {
    fn or_not_found(self) -> Result<T>;
}

impl<T> OrNotFound<T> for Option<T> {
    fn or_not_found(self) -> Result<T> {
        self.ok_or(AppError::NotFound)
    }
}

/// What a 503 tells the client to wait before trying again, in seconds.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// True when `e` says the database cannot be reached just now rather than that a query is wrong:
/// no connection within the pool's acquire timeout, a refused or broken connection, or the server
/// (or PgBouncer) shutting down, starting up, or out of connections. Everything else is a bug.
pub fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| unavailable_sqlstate(&code)),
        _ => false,
    }
}

/// SQLSTATEs of an unreachable database: class 08 (connection exception; PgBouncer reports its
/// own refusals as 08P01), 57P01–57P03 (administrator or crash shutdown, cannot connect now:
/// "the database system is shutting down" or "starting up") and 53300 (too many connections).
fn unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    /// The database is out of reach for now (see [`database_unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Database(e) if database_unavailable(e))
    }

    fn status_and_text(&self) -> (StatusCode, &'static str, &'static str) {
        if self.is_unavailable() {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "We cannot reach our records just now",
                "The site cannot reach its database for a moment. What you just sent may not have \
                 been saved: wait a few seconds, then reload the page or send the form again.",
            );
        }
        match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here. The link may be old, or the page may be private.",
            ),
            Self::Forbidden(why) => (StatusCode::FORBIDDEN, "Not allowed", why),
            Self::BadRequest(why) => (StatusCode::BAD_REQUEST, "We could not read that", why),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "That was too much to send",
                "The form you sent was larger than we accept. Shorten the text and try again.",
            ),
            Self::SignInRequired { .. } => (
                StatusCode::SEE_OTHER,
                "Please sign in",
                "Sign in to see this page.",
            ),
            Self::Database(_) | Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side",
                "Nothing you did caused this. Please try again in a moment; if it keeps happening, \
                 tell the people who run this site.",
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Layout,
    status: u16,
    title: &'static str,
    message: &'static str,
}

/// Renders the error page for `status` (also used for the router's fallback).
pub fn error_page(status: StatusCode, title: &'static str, message: &'static str) -> Response {
    let page = ErrorPage {
        ctx: Layout::bare(),
        status: status.as_u16(),
        title,
        message,
    };
    match page.render() {
        Ok(html) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering the error page failed");
            (status, title).into_response()
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            Self::SignInRequired { next } => {
                let target = format!(
                    "/sign-in?next={}",
                    percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC)
                );
                return Redirect::to(&target).into_response();
            }
            // Busy and down look alike to the pool; the log says which it saw.
            Self::Database(sqlx::Error::PoolTimedOut) => tracing::warn!(
                "no free database connection within {} s (every connection busy, or none can \
                 be opened): answering 503",
                crate::db::ACQUIRE_TIMEOUT.as_secs()
            ),
            Self::Database(e) if database_unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable: answering 503");
            }
            Self::Database(e) => tracing::error!(error = %e, "database error"),
            Self::Internal(e) => tracing::error!(error = %e, "internal error"),
            other => tracing::info!(error = %other, "request refused"),
        }
        let (status, title, message) = self.status_and_text();
        let mut response = error_page(status, title, message);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}

impl From<axum::extract::rejection::FormRejection> for AppError {
    fn from(rejection: axum::extract::rejection::FormRejection) -> Self {
        use axum::extract::rejection::FormRejection as R;
        match rejection {
            R::BytesRejection(_) => Self::PayloadTooLarge,
            R::InvalidFormContentType(_) => {
                Self::BadRequest("This address expects a form sent from one of our pages.")
            }
            _ => Self::BadRequest(
                "The form arrived in a shape we could not read. Go back, reload the page and try again.",
            ),
        }
    }
}

impl From<axum_extra::extract::FormRejection> for AppError {
    fn from(rejection: axum_extra::extract::FormRejection) -> Self {
        use axum_extra::extract::FormRejection as R;
        match rejection {
            R::RawFormRejection(axum::extract::rejection::RawFormRejection::BytesRejection(_)) => {
                Self::PayloadTooLarge
            }
            _ => Self::BadRequest(
                "The form arrived in a shape we could not read. Go back, reload the page and try again.",
            ),
        }
    }
}

impl From<axum::extract::rejection::PathRejection> for AppError {
    fn from(_: axum::extract::rejection::PathRejection) -> Self {
        Self::NotFound
    }
}

impl From<axum::extract::rejection::QueryRejection> for AppError {
    fn from(_: axum::extract::rejection::QueryRejection) -> Self {
        Self::BadRequest("The address has parameters we could not read.")
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    /// A database error with only a SQLSTATE, as the server or PgBouncer would send it.
    #[derive(Debug)]
    struct Sqlstate(&'static str);

    impl std::fmt::Display for Sqlstate {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for Sqlstate {}

    impl sqlx::error::DatabaseError for Sqlstate {
        fn message(&self) -> &str {
            self.0
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn status_of(e: sqlx::Error) -> (StatusCode, Option<HeaderValue>) {
        let response = AppError::Database(e).into_response();
        (
            response.status(),
            response.headers().get(header::RETRY_AFTER).cloned(),
        )
    }

    #[test]
    fn an_unreachable_database_is_a_503_with_retry_after() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for e in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(refused),
            // terminating connection due to administrator command (pg_ctl stop -m fast)
            sqlx::Error::Database(Box::new(Sqlstate("57P01"))),
            // the database system is shutting down / starting up
            sqlx::Error::Database(Box::new(Sqlstate("57P03"))),
            // PgBouncer: query_wait_timeout, server conn crashed?
            sqlx::Error::Database(Box::new(Sqlstate("08P01"))),
            sqlx::Error::Database(Box::new(Sqlstate("53300"))),
        ] {
            let shown = e.to_string();
            assert_eq!(
                status_of(e),
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Some(HeaderValue::from(RETRY_AFTER_SECONDS))
                ),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_wrong_query_is_still_a_500() {
        for e in [
            sqlx::Error::RowNotFound,
            sqlx::Error::ColumnNotFound("x".into()),
            // undefined column, unique violation, division by zero
            sqlx::Error::Database(Box::new(Sqlstate("42703"))),
            sqlx::Error::Database(Box::new(Sqlstate("23505"))),
            sqlx::Error::Database(Box::new(Sqlstate("22012"))),
        ] {
            assert_eq!(status_of(e), (StatusCode::INTERNAL_SERVER_ERROR, None));
        }
    }
}
