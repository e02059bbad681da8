//! Property tests over every form route, in-process: random fields filled with random text,
//! over-long text, control characters, bidi overrides, markup and SQL, or bytes that are not
//! UTF-8. Whatever arrives: never a 500, the CAN keeps an active organiser, and markup a form
//! accepted is shown escaped on every page that shows it.

use std::io::Write;

use axum::http::StatusCode;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, start_can};
use crate::robustness::{FIELDS, ROUTES, one_of_everything, plausible};

const SCRIPT: &str = "<script>alert(1)</script>";

/// Values worth trying in any field, beside random text.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(SCRIPT.to_string()),
        Just("\"><img src=x onerror=alert(1)>".to_string()),
        Just("'; DROP TABLE members; --".to_string()),
        Just("\u{202E}gnp.exe\u{202C}".to_string()),
        Just("\u{0}\u{7}\u{1b}[31m".to_string()),
        Just("9999-99-99".to_string()),
        Just("-2147483649".to_string()),
        Just("a".repeat(5000)),
        Just("🌱".repeat(300)),
        "\\PC{0,40}",
        any::<String>(),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    route: usize,
    id: usize,
    fields: Vec<(usize, String)>,
    /// Send bytes that are not UTF-8 instead of the fields.
    raw_bytes: Option<Vec<u8>>,
}

fn cases(routes: usize, ids: usize) -> impl Strategy<Value = Case> {
    (
        0..routes,
        0..ids,
        prop::collection::vec((0..FIELDS.len(), hostile()), 1..4),
        prop::option::weighted(0.1, prop::collection::vec(any::<u8>(), 1..200)),
    )
        .prop_map(|(route, id, fields, raw_bytes)| Case {
            route,
            id,
            fields,
            raw_bytes,
        })
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn no_form_route_fails_or_shows_markup_whatever_is_sent() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (app, olu, ids, can) = runtime.block_on(async {
        let app = TestApp::new().await;
        let mut olu = app.member("olu@example.org", "Olu").await;
        start_can(&mut olu, "Riverside", "riverside", "invite_only").await;
        let me = app.member_id("olu@example.org").await;
        let can: Uuid = sqlx::query_scalar("SELECT id FROM cans")
            .fetch_one(&app.db)
            .await
            .unwrap();
        let ids = one_of_everything(&app, can, me).await;
        olu.get("/").await;
        (app, olu, ids, can)
    });
    let posts: Vec<&str> = ROUTES
        .iter()
        .filter(|(m, _)| *m == "POST")
        .map(|(_, p)| *p)
        .collect();
    let person = runtime
        .block_on(app.member_id("olu@example.org"))
        .to_string();
    let goal = ids[3].to_string();
    let mut ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    ids.push("not-an-id".into());

    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    // The runner takes a shared closure: the browser and the counts are borrowed per case.
    let browser = std::cell::RefCell::new(olu);
    let counts = std::cell::RefCell::new([0usize; 4]); // 2xx/3xx, 4xx, not UTF-8, cases
    runner
        .run(&cases(posts.len(), ids.len()), |case| {
            let mut olu = browser.borrow_mut();
            let mut counts = counts.borrow_mut();
            runtime.block_on(async {
                let path = posts[case.route]
                    .replace("{slug}", "riverside")
                    .replace("{id}", &ids[case.id])
                    .replace("{x}", "1");
                let token = olu.csrf.clone().unwrap_or_default();
                let body = match &case.raw_bytes {
                    Some(bytes) => {
                        counts[2] += 1;
                        let mut b = format!("csrf_token={token}&title=").into_bytes();
                        b.extend(bytes.iter().map(|x| if *x == b'&' { b'x' } else { *x }));
                        b
                    }
                    None => {
                        // Every field plausible, then a few replaced by what the case chose, so
                        // that hostile text reaches the forms' later checks and the database.
                        let mut values: Vec<String> = FIELDS
                            .iter()
                            .map(|f| plausible(f, &person, &goal))
                            .collect();
                        for (f, v) in &case.fields {
                            values[*f] = v.clone();
                        }
                        let mut b = format!("csrf_token={token}");
                        for (f, v) in FIELDS.iter().zip(&values) {
                            b.push_str(&format!("&{f}={}", encode(v)));
                        }
                        b.into_bytes()
                    }
                };
                let page = olu.post_raw(&path, body, &[]).await;
                counts[3] += 1;
                if page.status.is_client_error() {
                    counts[1] += 1;
                } else {
                    counts[0] += 1;
                }
                if page.status.is_server_error() {
                    return Err(TestCaseError::fail(format!(
                        "POST {path} answered {}: {}",
                        page.status, page.body
                    )));
                }
                if page.body.contains(SCRIPT) {
                    return Err(TestCaseError::fail(format!(
                        "POST {path} showed markup unescaped"
                    )));
                }
                Ok(())
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));

    let mut olu = browser.into_inner();
    let counts = counts.into_inner();
    runtime.block_on(async {
        // Whatever was accepted shows escaped on the pages that show it.
        let mut pages = vec![
            "/c/riverside".to_string(),
            "/c/riverside/settings".to_string(),
            "/c/riverside/members".to_string(),
            "/c/riverside/activity".to_string(),
            "/c/riverside/vision".to_string(),
            "/c/riverside/goals".to_string(),
            "/c/riverside/meetings".to_string(),
            "/c/riverside/responsibilities".to_string(),
            "/c/riverside/load".to_string(),
            "/c/riverside/stage".to_string(),
            "/c/riverside/health".to_string(),
            "/account/profile".to_string(),
            "/".to_string(),
        ];
        for id in &ids[..ids.len() - 1] {
            pages.push(format!("/c/riverside/meetings/{id}"));
            pages.push(format!("/c/riverside/responsibilities/{id}"));
            pages.push(format!("/c/riverside/vision/rounds/{id}"));
        }
        for path in &pages {
            let page = show(&mut olu, path).await;
            assert!(!page.is_server_error(), "GET {path} answered {page}");
        }
        let organisers: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM role_grants g JOIN memberships m
               ON m.can_id = g.can_id AND m.member_id = g.member_id
             WHERE g.can_id = $1 AND g.role = 'organiser' AND g.ended_at IS NULL
               AND m.status = 'active'",
        )
        .bind(can)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert!(organisers >= 1, "the CAN lost its last active organiser");
    });
    let line = format!(
        "fuzz: {} cases over {} form routes: {} accepted or redirected, {} refused with 4xx, {} with bytes that are not UTF-8; 0 answered 5xx\n",
        counts[3],
        posts.len(),
        counts[0],
        counts[1],
        counts[2]
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// GETs a page and checks it shows no markup unescaped; returns its status.
async fn show(b: &mut Browser, path: &str) -> StatusCode {
    let page = b.get(path).await;
    assert!(
        !page.body.contains(SCRIPT),
        "GET {path} shows markup unescaped"
    );
    page.status
}
