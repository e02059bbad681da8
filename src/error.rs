//! The one error type. Every failure a handler can meet becomes an HTML page with the right
//! status; the cause of a 500 is logged inside the request's span and never shown to the visitor.

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

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    fn status_and_text(&self) -> (StatusCode, &'static str, &'static str) {
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
            Self::Database(e) => tracing::error!(error = %e, "database error"),
            Self::Internal(e) => tracing::error!(error = %e, "internal error"),
            other => tracing::info!(error = %other, "request refused"),
        }
        let (status, title, message) = self.status_and_text();
        error_page(status, title, message)
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
