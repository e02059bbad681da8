//! Canopy: a web service in which neighbourhood organisers run community action networks.
//!
//! [`app`] builds the whole application as one router so that tests drive it in-process;
//! `main.rs` only reads settings, connects, migrates and serves.

pub mod accounts;
pub mod cans;
pub mod config;
pub mod db;
pub mod discussion;
pub mod error;
mod home;
pub mod meetings;
pub mod notifications;
pub mod outbox;
pub mod pathways;
pub mod proposals;
pub mod rate;
pub mod responsibilities;
pub mod scheduler;
pub mod search;
pub mod seed;
pub mod stages;
pub mod support;
pub mod thread_links;
pub mod visioning;
pub mod web;
pub mod welcome;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::routing::get;
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use config::Config;
pub use db::MIGRATOR;

/// Largest request body we read: forms are small; anything bigger is refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;
/// A request still running after this is answered with 408, so shutdown is never held up long.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What every handler can reach. Cheap to clone; holds no per-user state (that lives in
/// PostgreSQL), so any number of instances behave as one.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    pub body_limit: usize,
    /// The key that signs anonymous visitors' CSRF tokens: the same in every instance (it lives in
    /// the database), read once per process on first use.
    pub csrf_key: Arc<tokio::sync::OnceCell<Vec<u8>>>,
}

impl AppState {
    pub fn new(db: PgPool, config: Config) -> Self {
        Self {
            db,
            config: Arc::new(config),
            body_limit: BODY_LIMIT,
            csrf_key: Arc::default(),
        }
    }
}

pub fn app(state: AppState) -> Router {
    // Pages and forms: these need the session (who is signed in, the CSRF token).
    let pages = Router::new()
        .merge(home::router())
        .merge(accounts::router())
        .merge(cans::router())
        .merge(visioning::router())
        .merge(meetings::router())
        .merge(responsibilities::router())
        .merge(stages::router())
        .merge(notifications::router())
        .merge(support::router())
        .merge(welcome::router())
        .merge(pathways::router())
        .merge(proposals::router())
        .merge(discussion::router())
        .merge(search::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::session::middleware,
        ));

    Router::new()
        .merge(pages)
        .route("/healthz", get(healthz))
        .route("/static/canopy.css", get(stylesheet))
        .route("/static/htmx-2.0.11.min.js", get(htmx_script))
        .route("/static/run.js", get(run_script))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(
            ServiceBuilder::new()
                // The client's own X-Request-Id is kept aside (logged as such), never used as ours.
                .layer(middleware::map_request(web::set_aside_client_request_id))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(web::request_span)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                ))
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .layer(middleware::map_response(web::security_headers))
        .with_state(state)
}

/// 200 when the database answers, 503 when it does not (for load balancers and monitors).
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(&state.db).await {
        Ok(_) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

/// The stylesheet is compiled in, so the binary needs no files beside it.
async fn stylesheet() -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/canopy.css"),
    )
        .into_response()
}

/// htmx, from npm (`htmx.org`, pinned in tests/browser/package.json), compiled in as the
/// stylesheet is; its version is in its name, so browsers may keep it for good. Loaded only by the
/// meeting and run pages.
async fn htmx_script() -> Response {
    script(
        include_str!("../static/htmx-2.0.11.min.js"),
        "public, max-age=31536000, immutable",
    )
}

/// htmx's settings (no eval, no injected style, 409/422 answers swapped) and the run view's clock.
async fn run_script() -> Response {
    script(include_str!("../static/run.js"), "public, max-age=3600")
}

fn script(body: &'static str, cache: &'static str) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

async fn not_found() -> Response {
    error::error_page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing here. The link may be old, or the page may be private.",
    )
}

async fn method_not_allowed() -> Response {
    error::error_page(
        StatusCode::METHOD_NOT_ALLOWED,
        "Not something this page does",
        "This address exists, but not for what your browser asked. Go back and use the page's own links and buttons.",
    )
}

/// What housekeeping removed.
#[derive(Debug, Default, PartialEq)]
pub struct Housekeeping {
    pub sessions: u64,
    pub rate_events: u64,
}

/// Deletes expired sessions and rate events no limit counts any more. Safe to run from every
/// instance.
pub async fn housekeeping(db: &PgPool) -> error::Result<Housekeeping> {
    Ok(Housekeeping {
        sessions: web::session::purge_expired(db).await?,
        rate_events: rate::purge_old(db).await?,
    })
}

/// Every periodic job of every feature, for [`scheduler::spawn`].
pub fn jobs() -> Vec<scheduler::Job> {
    let mut jobs = vec![scheduler::Job::new(
        "housekeeping",
        Duration::from_secs(600),
        |ctx: scheduler::JobContext| async move { housekeeping(&ctx.db).await },
    )];
    jobs.extend(cans::jobs());
    jobs.extend(visioning::jobs());
    jobs.extend(meetings::jobs());
    jobs.extend(responsibilities::jobs());
    jobs.extend(stages::jobs());
    jobs.extend(notifications::jobs());
    jobs
}
