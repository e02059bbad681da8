//! The web baseline: CSRF, security headers, error pages, limits, health.

use axum::http::StatusCode;

use crate::helpers::{PASSWORD, TestApp, form_body};

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_writes_nothing() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    b.get("/sign-up").await;
    let body = form_body(&[
        ("email", "eve@example.org"),
        ("display_name", "Eve"),
        ("password", PASSWORD),
        ("time_zone", "UTC"),
    ]);
    let page = b.post_raw("/sign-up", body.into_bytes(), &[]).await;
    page.assert_status(StatusCode::FORBIDDEN)
        .assert_contains("This form has expired or did not come from one of our pages.");
    assert_eq!(app.count("members").await, 0);
}

#[tokio::test]
async fn a_form_with_another_sessions_token_is_refused() {
    let app = TestApp::new().await;
    let mut attacker = app.browser();
    attacker.get("/sign-up").await;
    let mut victim = app.member("vic@example.org", "Vic").await;
    victim.csrf = attacker.csrf.clone();
    victim
        .post("/sign-out", &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    victim.get("/").await.assert_contains("Hello, Vic");
}

#[tokio::test]
async fn a_post_without_any_session_is_refused() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    let body = form_body(&[
        ("email", "a@example.org"),
        ("password", PASSWORD),
        ("csrf_token", "made-up"),
    ]);
    b.post_raw("/sign-in", body.into_bytes(), &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_valid_token() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    b.get("/sign-up").await;
    let token = b.csrf.clone().unwrap();
    let body = form_body(&[
        ("email", "eve@example.org"),
        ("display_name", "Eve"),
        ("password", PASSWORD),
        ("time_zone", "UTC"),
        ("csrf_token", &token),
    ]);
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")][..],
        &[("sec-fetch-site", "cross-site")][..],
    ] {
        b.post_raw("/sign-up", body.clone().into_bytes(), headers)
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("sent from another site");
    }
    assert_eq!(app.count("members").await, 0);

    // Our own origin is accepted.
    b.post_raw(
        "/sign-up",
        body.into_bytes(),
        &[
            ("origin", "http://localhost"),
            ("sec-fetch-site", "same-origin"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("members").await, 1);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    for path in [
        "/",
        "/sign-in",
        "/no-such-page",
        "/healthz",
        "/static/canopy.css",
    ] {
        let page = b.get(path).await;
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(page.headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(page.headers["referrer-policy"], "same-origin", "{path}");
        assert!(page.headers.contains_key("x-request-id"), "{path}");
    }
}

#[tokio::test]
async fn pages_carry_no_inline_script_or_style() {
    let app = TestApp::new().await;
    let mut b = app.member("ivy@example.org", "Ivy").await;
    for path in [
        "/",
        "/account/profile",
        "/account/password",
        "/no-such-page",
    ] {
        let page = b.get(path).await;
        page.assert_lacks("<script")
            .assert_lacks("style=")
            .assert_lacks("<style");
    }
}

#[tokio::test]
async fn an_unknown_page_gets_the_html_404_page() {
    let app = TestApp::new().await;
    let page = app.browser().get("/no/such/page").await;
    page.assert_status(StatusCode::NOT_FOUND)
        .assert_contains("<h1>Page not found</h1>");
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn a_wrong_method_gets_an_html_page() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    b.get("/").await;
    let page = b.post("/healthz", &[]).await;
    page.assert_status(StatusCode::METHOD_NOT_ALLOWED)
        .assert_contains("<h1>");
}

#[tokio::test]
async fn a_database_failure_shows_a_plain_500_page_without_internals() {
    let app = TestApp::new().await;
    let mut b = app.member("zed@example.org", "Zed").await;
    // Break the schema under the running app.
    sqlx::query("ALTER TABLE members RENAME COLUMN skills TO skills_gone")
        .execute(&app.db)
        .await
        .unwrap();
    let page = b.get("/account/profile").await;
    page.assert_status(StatusCode::INTERNAL_SERVER_ERROR)
        .assert_contains("Something went wrong on our side")
        .assert_lacks("skills")
        .assert_lacks("column");
}

#[tokio::test]
async fn an_oversized_form_is_refused_with_413() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    b.get("/sign-up").await;
    let huge = "x".repeat(canopy::BODY_LIMIT + 1);
    let page = b
        .post(
            "/sign-up",
            &[
                ("email", "big@example.org"),
                ("display_name", &huge),
                ("password", PASSWORD),
            ],
        )
        .await;
    page.assert_status(StatusCode::PAYLOAD_TOO_LARGE)
        .assert_contains("larger than we accept");
    assert_eq!(app.count("members").await, 0);
}

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = TestApp::new().await;
    let page = app.browser().get("/healthz").await;
    page.assert_status(StatusCode::OK);
    assert_eq!(page.body, "ok\n");
    app.db.close().await;
    app.browser()
        .get("/healthz")
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn forms_link_each_error_to_its_field_for_screen_readers() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    b.get("/sign-in").await;
    let page = b
        .post("/sign-in", &[("email", "not-an-email"), ("password", "")])
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("role=\"alert\"")
        .assert_contains("<a href=\"#email\">")
        .assert_contains("aria-invalid=\"true\"")
        .assert_contains("aria-describedby=\"email-error\"");
    assert_eq!(
        page.field_error("email").as_deref(),
        Some("Enter an email address like name@example.org.")
    );
    assert_eq!(
        page.field_error("password").as_deref(),
        Some("Enter your password.")
    );
}

#[tokio::test]
async fn expired_sessions_are_swept_by_housekeeping() {
    let app = TestApp::new().await;
    app.member("old@example.org", "Old").await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .unwrap();
    canopy::housekeeping(&app.db).await.unwrap();
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn a_clients_request_id_is_never_taken_as_ours() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    let page = b
        .get_with_headers("/sign-in", &[("x-request-id", "forged-id-0001")])
        .await;
    page.assert_status(StatusCode::OK);
    let ours = page.headers["x-request-id"].to_str().unwrap();
    assert_ne!(ours, "forged-id-0001");
    assert!(
        uuid::Uuid::parse_str(ours).is_ok(),
        "our own id is a UUID: {ours}"
    );
}

#[tokio::test]
async fn reading_pages_without_signing_in_writes_no_session_rows() {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    crate::helpers::start_can(&mut olu, "Riverside", "riverside", "listed").await;
    let before = app.count("sessions").await;
    for _ in 0..20 {
        for path in [
            "/",
            "/sign-in",
            "/sign-up",
            "/c",
            "/c/riverside",
            "/healthz",
        ] {
            // A new visitor each time: no cookie, as a crawler or a first visit.
            app.browser().get(path).await.assert_status(StatusCode::OK);
        }
    }
    assert_eq!(app.count("sessions").await, before, "GETs wrote sessions");

    // The same visitor can still use a form: sign-in with a wrong password is refused beside
    // the field (422, not a CSRF refusal), and a message for the next page is kept.
    let mut visitor = app.browser();
    visitor.get("/sign-in").await;
    visitor
        .post(
            "/sign-in",
            &[
                ("email", "olu@example.org"),
                ("password", "wrong"),
                ("next", ""),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    visitor.get("/account/forgot").await;
    visitor
        .post("/account/forgot", &[("email", "olu@example.org")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    visitor
        .get("/sign-in")
        .await
        .assert_contains("If an account uses that address");
    // A form from another anonymous visitor's page does not pass for this one.
    let mut other = app.browser();
    other.get("/sign-in").await;
    let foreign = other.csrf.clone().unwrap();
    let body = format!("email=olu%40example.org&password=x&csrf_token={foreign}");
    visitor
        .post_raw("/sign-in", body.into_bytes(), &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
}
