//! The test harness: one embedded PostgreSQL per test process, a fresh database per test, and a
//! small cookie-keeping client that drives the router the way a browser would.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use canopy::db::embedded::{EmbeddedPostgres, Options};
use canopy::{AppState, Config};
use http_body_util::BodyExt;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use tower::ServiceExt;
use uuid::Uuid;

const TEMPLATE_DB: &str = "canopy_template";

struct Cluster {
    pg: EmbeddedPostgres,
}

fn cluster() -> &'static EmbeddedPostgres {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    &CLUSTER
        .get_or_init(|| {
            ensure_postgres_installed();
            let root = std::env::temp_dir();
            remove_stale_test_dirs(&root);
            let dir = root.join(format!("canopy-test-{}", std::process::id()));
            let mut opts = Options::new(dir.join("pg")).for_tests();
            // The query budget test (budget.rs) counts each page's statements here. BEGIN and
            // COMMIT are not statements we count; the many test databases share one table, which
            // must not evict a test's rows while it measures.
            for (k, v) in [
                ("shared_preload_libraries", "pg_stat_statements"),
                ("pg_stat_statements.track", "top"),
                ("pg_stat_statements.track_utility", "off"),
                ("pg_stat_statements.max", "50000"),
            ] {
                opts.settings.push((k.into(), v.into()));
            }
            let pg = EmbeddedPostgres::start(&opts)
                .unwrap_or_else(|e| panic!("starting the test PostgreSQL failed: {e}"));
            // Migrate a template once; every test's database is a cheap file copy of it. Done on a
            // runtime of its own because each test has its own (short-lived) runtime.
            let admin = pg.connect_options("postgres");
            let template = pg.connect_options(TEMPLATE_DB);
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(async {
                        // The statistics view lives in `postgres`, beside the test databases
                        // rather than in them: reading it adds nothing to a test's counts.
                        let mut postgres = PgConnection::connect_with(&admin).await.unwrap();
                        sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                            .execute(&mut postgres)
                            .await
                            .unwrap();
                        postgres.close().await.unwrap();
                        canopy::db::ensure_database(admin, TEMPLATE_DB)
                            .await
                            .unwrap();
                        let mut conn = PgConnection::connect_with(&template).await.unwrap();
                        canopy::MIGRATOR.run(&mut conn).await.unwrap();
                        conn.close().await.unwrap();
                    })
            })
            .join()
            .expect("migrating the template database failed");
            Cluster { pg }
        })
        .pg
}

/// On a fresh machine `cargo test` is the whole set-up: without PostgreSQL's server binaries the
/// project's own install script brings them (it says what to run when it cannot).
fn ensure_postgres_installed() {
    crate::install::ensure("the integration tests", || {
        let on_path = std::env::var_os("PATH").is_some_and(|p| {
            std::env::split_paths(&p)
                .any(|d| d.join("initdb").exists() && d.join("postgres").exists())
        });
        let debian = std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
            versions
                .flatten()
                .any(|v| v.path().join("bin/initdb").exists())
        });
        if on_path || debian || std::env::var_os("CANOPY_PG_BIN").is_some() {
            Vec::new()
        } else {
            vec!["PostgreSQL's server binaries (initdb, postgres)".to_string()]
        }
    });
}

/// Test clusters die with their process; their folders are removed by a later run.
fn remove_stale_test_dirs(root: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("canopy-test-")
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: signal 0 only asks whether the process exists.
        if unsafe { libc::kill(pid, 0) } != 0 {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A connection to the cluster's `postgres` database, where the statement statistics are read.
pub async fn postgres_connection() -> PgConnection {
    PgConnection::connect_with(&cluster().connect_options("postgres"))
        .await
        .unwrap()
}

/// A fresh, migrated database of its own.
pub async fn fresh_pool() -> PgPool {
    let pg = cluster();
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::connect_with(&pg.connect_options("postgres"))
        .await
        .unwrap();
    sqlx::query(&format!(
        "CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB} STRATEGY FILE_COPY"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
    PgPoolOptions::new()
        .max_connections(5)
        .connect_with(pg.connect_options(&name))
        .await
        .unwrap()
}

pub struct TestApp {
    pub db: PgPool,
    router: Router,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(Config::for_tests()).await
    }

    pub async fn with_config(config: Config) -> Self {
        let db = fresh_pool().await;
        let router = canopy::app(AppState::new(db.clone(), config));
        Self { db, router }
    }

    /// The app on an existing database (e.g. one restored from a backup).
    pub fn on_pool(db: PgPool) -> Self {
        let router = canopy::app(AppState::new(db.clone(), Config::for_tests()));
        Self { db, router }
    }

    /// A libpq connection string for this app's database (for pg_dump and pg_restore).
    pub fn conninfo(&self) -> String {
        let o = self.db.connect_options();
        format!(
            "host={} user={} dbname={}",
            o.get_host(),
            o.get_username(),
            o.get_database().unwrap_or_default()
        )
    }

    /// Another app instance on the same database, as behind a load balancer.
    pub fn second_instance(&self) -> TestApp {
        let router = canopy::app(AppState::new(self.db.clone(), Config::for_tests()));
        TestApp {
            db: self.db.clone(),
            router,
        }
    }

    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookie: None,
            csrf: None,
            address: None,
        }
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// The id of the member with this email address.
    pub async fn member_id(&self, email: &str) -> Uuid {
        sqlx::query_scalar("SELECT id FROM members WHERE email = $1")
            .bind(email)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// The id of the member with this display name (fixture names are unique).
    pub async fn member_named(&self, name: &str) -> Uuid {
        sqlx::query_scalar("SELECT id FROM members WHERE display_name = $1")
            .bind(name)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// Signs up a member through the real form and returns a browser signed in as them. Each
    /// member signs up from an address of their own, as neighbours do from their homes (sign-ups
    /// are limited per address).
    pub async fn member(&self, email: &str, name: &str) -> Browser {
        let mut b = self.browser();
        b.address = Some(own_address());
        b.get("/sign-up").await.assert_status(StatusCode::OK);
        let page = b
            .post(
                "/sign-up",
                &[
                    ("email", email),
                    ("display_name", name),
                    ("password", PASSWORD),
                    ("time_zone", "Europe/London"),
                ],
            )
            .await;
        page.assert_status(StatusCode::SEE_OTHER);
        b
    }

    /// Makes the member's account a day old: new accounts may not mail invitations in their
    /// first hour.
    pub async fn age_account(&self, email: &str) {
        sqlx::query("UPDATE members SET created_at = now() - interval '1 day' WHERE email = $1")
            .bind(email)
            .execute(&self.db)
            .await
            .unwrap();
    }
}

/// A client address no other browser in this test process has (from 10.0.0.0/8).
pub fn own_address() -> SocketAddr {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let [_, a, b, c] = n.to_be_bytes();
    SocketAddr::from(([10, a, b, c], 40000))
}

pub const PASSWORD: &str = "correct horse battery";

/// Keeps the session cookie and the last page's CSRF token, like a browser with one tab.
pub struct Browser {
    router: Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub address: Option<SocketAddr>,
}

#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected the page to contain {text:?}; it was:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.body.contains(text),
            "expected the page not to contain {text:?}; it was:\n{}",
            self.body
        );
        self
    }

    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub fn set_cookie(&self) -> Option<&str> {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
    }

    /// The message shown beside a field (`<p class="field-error" id="{field}-error">`).
    pub fn field_error(&self, field: &str) -> Option<String> {
        let marker = format!("id=\"{field}-error\">");
        let start = self.body.find(&marker)? + marker.len();
        let rest = &self.body[start..];
        let end = rest.find("</p>")?;
        Some(
            rest[..end]
                .replace("<span class=\"visually-hidden\">Error: </span>", "")
                .trim()
                .to_string(),
        )
    }

    /// The `value` of the input named `name`.
    pub fn input_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\"");
        let at = self.body.find(&marker)?;
        let rest = &self.body[at..];
        let v = rest.find("value=\"")? + 7;
        let end = rest[v..].find('"')?;
        Some(rest[v..v + end].to_string())
    }
}

impl Browser {
    /// The same browser (cookie and all) talking to another app, e.g. one on a restored copy.
    pub fn same_session_on(&self, app: &TestApp) -> Browser {
        Browser {
            router: app.router.clone(),
            cookie: self.cookie.clone(),
            csrf: self.csrf.clone(),
            address: self.address,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.request("GET", path).body(Body::empty()).unwrap();
        self.send(request).await
    }

    /// A GET with extra request headers.
    pub async fn get_with_headers(&mut self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut builder = self.request("GET", path);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    /// Posts a form as our own page would: with this session's CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("csrf_token", &token));
        let body = form_body(&all);
        self.post_raw(path, body.into_bytes(), &[]).await
    }

    /// Posts a form with this session's CSRF token and extra headers.
    pub async fn post_with_headers(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("csrf_token", &token));
        self.post_raw(path, form_body(&all).into_bytes(), headers)
            .await
    }

    /// Posts exactly `body`, with extra headers and no token added.
    pub async fn post_raw(&mut self, path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Page {
        let mut builder = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if let Some(c) = &self.cookie {
            builder = builder.header(header::COOKIE, format!("canopy_session={c}"));
        }
        builder
    }

    async fn send(&mut self, mut request: Request<Body>) -> Page {
        if let Some(address) = self.address {
            request.extensions_mut().insert(ConnectInfo(address));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8(bytes.to_vec()).expect("pages are UTF-8");
        if let Some(set) = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            && let Some(value) = set
                .split(';')
                .next()
                .and_then(|kv| kv.strip_prefix("canopy_session="))
        {
            self.cookie =
                (!value.is_empty() && !set.contains("Max-Age=0")).then(|| value.to_string());
        }
        if let Some(token) = csrf_in(&body) {
            self.csrf = Some(token);
        }
        Page {
            status,
            headers,
            body,
        }
    }
}

fn csrf_in(body: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_string())
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A folder for one test, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("canopy-{tag}-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// --- Scenario fixtures shared by the area tests: a CAN started, people invited and joined. ---

/// The invitation-free way into a CAN: starts one through the real form.
pub async fn start_can(b: &mut Browser, name: &str, slug: &str, visibility: &str) -> Page {
    b.get("/c/new").await.assert_status(StatusCode::OK);
    b.post(
        "/c/new",
        &[
            ("name", name),
            ("slug", slug),
            ("place", "Riverside"),
            ("purpose", "Neighbours looking out for each other"),
            ("rationale", "Nobody should be alone"),
            ("rules", "Be kind. Keep what is said in confidence."),
            ("time_zone", "Europe/London"),
            ("visibility", visibility),
        ],
    )
    .await
}

/// An organiser makes an invitation link; returns its path (`/join/…`).
pub async fn invite_link(b: &mut Browser, slug: &str, max_uses: &str, email: &str) -> String {
    b.get(&format!("/c/{slug}/invitations"))
        .await
        .assert_status(StatusCode::OK);
    let page = b
        .post(
            &format!("/c/{slug}/invitations"),
            &[
                ("email", email),
                ("max_uses", max_uses),
                ("expires_in_days", "14"),
                ("note", ""),
            ],
        )
        .await;
    page.assert_status(StatusCode::CREATED)
        .assert_contains("Your invitation link is ready");
    extract_link(&page.body)
        .split_once("/join/")
        .map(|(_, t)| format!("/join/{t}"))
        .unwrap()
}

fn extract_link(body: &str) -> String {
    let at = body.find("id=\"invite-link\"").unwrap();
    let rest = &body[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    let end = rest[v..].find('"').unwrap();
    rest[v..v + end].to_string()
}

/// Opens an invitation and joins with the rules acknowledged.
pub async fn join(b: &mut Browser, path: &str) -> Page {
    b.get(path).await.assert_status(StatusCode::OK);
    b.post(path, &[("acknowledge_rules", "yes")]).await
}

/// An organiser's CAN with one more member; returns (app, organiser, member, slug).
pub async fn can_with_member(visibility: &str) -> (TestApp, Browser, Browser, String) {
    let app = TestApp::new().await;
    let mut organiser = app.member("olu@example.org", "Olu").await;
    start_can(&mut organiser, "Riverside Neighbours", "", visibility)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let path = invite_link(&mut organiser, "riverside-neighbours", "5", "").await;
    let mut member = app.member("mia@example.org", "Mia").await;
    join(&mut member, &path)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    (app, organiser, member, "riverside-neighbours".into())
}

/// Olu's invite-only CAN "Riverside Neighbours" with these people joined through one link; all
/// active. Returns (app, Olu, the others in order, slug).
pub async fn team(people: &[(&str, &str)]) -> (TestApp, Browser, Vec<Browser>, String) {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside Neighbours", "", "invite_only").await;
    let slug = "riverside-neighbours".to_string();
    let path = invite_link(&mut olu, &slug, "10", "").await;
    let mut others = Vec::new();
    for (email, name) in people {
        let mut b = app.member(email, name).await;
        join(&mut b, &path)
            .await
            .assert_status(StatusCode::SEE_OTHER);
        others.push(b);
    }
    (app, olu, others, slug)
}
