//! Database faults, in-process: while PostgreSQL cannot be reached every page answers 503 with
//! Retry-After within the pool's acquire timeout (not a 500, not a hang); a query that is wrong
//! is still a 500. (The cluster test stops a real PostgreSQL under load: tests/cluster.)

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use canopy::{AppState, Config};
use http_body_util::BodyExt;
use sqlx::postgres::PgConnectOptions;
use tower::ServiceExt;

use crate::helpers::TestApp;

/// The app on a pool whose database is down: a loopback port where nothing listens any more.
fn app_whose_database_is_down() -> Router {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = PgConnectOptions::new()
        .host("127.0.0.1")
        .port(port)
        .username("canopy")
        .database("canopy");
    let pool = canopy::db::pool_options().connect_lazy_with(options);
    canopy::app(AppState::new(pool, Config::for_tests()))
}

async fn answer(
    app: &Router,
    request: Request<Body>,
) -> (StatusCode, Option<String>, String, Duration) {
    let began = Instant::now();
    let response = app.clone().oneshot(request).await.unwrap();
    let took = began.elapsed();
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        retry_after,
        String::from_utf8_lossy(&body).into_owned(),
        took,
    )
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, "canopy_session=some-earlier-session")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn pages_answer_503_with_retry_after_while_the_database_is_down() {
    let app = app_whose_database_is_down();
    let paths = ["/", "/sign-in", "/c", "/c/riverside", "/account/profile"];
    let answers = futures_util::future::join_all(paths.iter().map(|p| answer(&app, get(p)))).await;
    for (path, (status, retry_after, body, took)) in paths.iter().zip(answers) {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
        assert_eq!(retry_after.as_deref(), Some("5"), "{path}");
        assert!(
            body.contains("We cannot reach our records just now"),
            "{path}: {body}"
        );
        assert!(body.contains("may not have been saved"), "{path}");
        assert!(
            took < canopy::db::ACQUIRE_TIMEOUT + Duration::from_secs(1),
            "{path} took {took:?}"
        );
    }
}

#[tokio::test]
async fn a_form_sent_while_the_database_is_down_is_a_503_not_a_500() {
    let app = app_whose_database_is_down();
    let request = Request::post("/sign-in")
        .header(header::HOST, "localhost")
        .header(header::COOKIE, "canopy_session=some-earlier-session")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("email=a%40example.org&password=x&csrf_token=t"))
        .unwrap();
    let (status, retry_after, _, _) = answer(&app, request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry_after.is_some());
}

#[tokio::test]
async fn the_health_check_says_503_while_the_database_is_down() {
    let app = app_whose_database_is_down();
    let (status, _, body, took) = answer(&app, get("/healthz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "database unavailable\n");
    assert!(took < canopy::db::ACQUIRE_TIMEOUT + Duration::from_secs(1));
}

#[tokio::test]
async fn a_query_that_is_wrong_is_still_a_500() {
    let app = TestApp::new().await;
    // A broken schema is our bug, not an outage: no Retry-After, no "try again shortly". (A
    // visitor without a session reads only the CSRF signing key, so that is what breaks.)
    sqlx::query("ALTER TABLE app_secrets RENAME COLUMN secret TO secret_gone")
        .execute(&app.db)
        .await
        .unwrap();
    let page = app.browser().get("/sign-in").await;
    page.assert_status(StatusCode::INTERNAL_SERVER_ERROR)
        .assert_contains("Something went wrong on our side");
    assert!(page.headers.get(header::RETRY_AFTER).is_none());
}

/// When every connection is busy (a burst, a slow page), a request waits for the pool's acquire
/// timeout and then answers 503 with Retry-After — never a 500 — and the next request, once a
/// connection is free again, is served.
#[tokio::test]
async fn an_exhausted_pool_answers_503_then_recovers() {
    let app = TestApp::new().await;
    let options = (*app.db.connect_options()).clone();
    let pool = canopy::db::pool_options()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let router = canopy::app(AppState::new(pool.clone(), Config::for_tests()));
    let held = pool.acquire().await.unwrap();
    let (status, retry_after, body, took) = answer(&router, get("/c")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(retry_after.as_deref(), Some("5"));
    assert!(
        took >= canopy::db::ACQUIRE_TIMEOUT && took < canopy::db::ACQUIRE_TIMEOUT * 2,
        "answered after {took:?}"
    );
    drop(held);
    let (status, _, body, _) = answer(&router, get("/c")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
