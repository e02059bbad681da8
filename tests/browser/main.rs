//! End-to-end journeys in a real browser: Debian's Chromium driven through chromedriver, against
//! the real server binary on its embedded PostgreSQL. Every page visited is checked with axe-core
//! (no serious or critical violation), with the Nu HTML Checker (no error), and at phone width
//! (no horizontal scrolling, tap targets of 44px). The first journey runs again with JavaScript
//! off. Each journey leaves a screenshot in target/browser-artifacts/.
//!
//! Needs chromium, chromedriver, java, and tests/browser/node_modules. When any is missing the suite
//! runs scripts/install-deps itself (as on a fresh machine, where `cargo test` is the whole set-up),
//! and fails — never skips — when they still cannot be had, so a green run always tested the pages.

#[path = "../common/install.rs"]
mod install;
mod webdriver;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::{Connection, PgConnection};
use webdriver::Driver;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const PASSWORD: &str = "correct horse battery";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn artifacts() -> PathBuf {
    let dir = root().join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What is missing for the browser suite, if anything.
fn missing() -> Vec<String> {
    let mut gone = Vec::new();
    for (what, path) in [
        (
            "chromium (apt-get install chromium)",
            PathBuf::from("/usr/bin/chromium"),
        ),
        (
            "chromedriver (apt-get install chromium-driver)",
            PathBuf::from("/usr/bin/chromedriver"),
        ),
        (
            "axe-core (npm ci in tests/browser)",
            root().join("tests/browser/node_modules/axe-core/axe.min.js"),
        ),
        (
            "vnu-jar (npm ci in tests/browser)",
            root().join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar"),
        ),
    ] {
        if !path.exists() {
            gone.push(what.to_string());
        }
    }
    if Command::new("java").arg("-version").output().is_err() {
        gone.push("java (apt-get install default-jre-headless)".into());
    }
    gone
}

fn ensure_installed() {
    install::ensure("the browser suite", missing);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        // SAFETY: signalling our own child; SIGTERM lets the server stop its database cleanly.
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGTERM);
        }
        let began = Instant::now();
        while began.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Server {
    _process: Process,
    base: String,
    data: PathBuf,
}

fn start_server(dir: &Path) -> Server {
    let data = dir.join("postgres");
    let mut child = Command::new(env!("CARGO_BIN_EXE_canopy"))
        .env_remove("DATABASE_URL")
        .env_remove("CANOPY_PUBLIC_URL")
        .env_remove("CANOPY_SMTP_URL")
        .env("CANOPY_DATA_DIR", &data)
        .env("CANOPY_OUTBOX_DIR", dir.join("outbox"))
        .env("CANOPY_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Canopy is ready: open ") {
                let _ = tx.send(url.to_string());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(90))
        .expect("server starts");
    Server {
        _process: Process(child),
        base,
        data,
    }
}

fn start_chromedriver() -> (Process, String) {
    let port = free_port();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let began = Instant::now();
    while TcpStream::connect(&addr).is_err() {
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (Process(child), addr)
}

/// Fetches a page as served (not as the browser's DOM), with the browser's session cookie.
fn fetch(url: &str, cookie: Option<&str>) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let mut stream = TcpStream::connect(host).unwrap();
    let cookie = cookie
        .map(|c| format!("Cookie: canopy_session={c}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{cookie}\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    raw.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// Checks every page a journey visits.
struct Checks {
    axe: String,
    pages: Vec<(String, String)>,
    visited: Vec<String>,
    violations: Vec<String>,
}

impl Checks {
    fn new() -> Self {
        Self {
            axe: std::fs::read_to_string(
                root().join("tests/browser/node_modules/axe-core/axe.min.js"),
            )
            .unwrap(),
            pages: Vec::new(),
            visited: Vec::new(),
            violations: Vec::new(),
        }
    }

    /// Records the current page: its served HTML for the checker, and axe's findings.
    fn page(&mut self, d: &Driver, javascript: bool) {
        let url = d.url();
        if self.visited.contains(&url) {
            return;
        }
        self.visited.push(url.clone());
        self.pages.push((
            url.clone(),
            fetch(&url, d.cookie("canopy_session").as_deref()),
        ));
        if !javascript {
            return;
        }
        d.execute(&format!("{}\n;return true;", self.axe));
        let found = d.execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
               .catch(e => done(['axe failed: ' + e]));",
        );
        for v in found.as_array().cloned().unwrap_or_default() {
            self.violations
                .push(format!("{url}: {}", v.as_str().unwrap_or_default()));
        }
    }
}

fn submit(d: &Driver, checks: &mut Checks, js: bool, button: &str) {
    let b = d.button(button);
    d.click_and_wait(&b);
    checks.page(d, js);
}

fn open(d: &Driver, checks: &mut Checks, js: bool, url: &str) {
    d.goto(url);
    checks.page(d, js);
}

fn sign_up(d: &Driver, c: &mut Checks, js: bool, base: &str, email: &str, name: &str) {
    open(d, c, js, &format!("{base}/sign-up"));
    d.type_into("#email", email);
    d.type_into("#display_name", name);
    d.type_into("#password", PASSWORD);
    submit(d, c, js, "Create account");
    assert!(
        d.text().contains(&format!("Hello, {name}")),
        "signed up: {}",
        d.text()
    );
}

/// Journey 1: an organiser signs up, starts a CAN and copies an invite link; a neighbour joins
/// through it, acknowledging the rules.
fn start_and_invite(
    driver: &str,
    c: &mut Checks,
    js: bool,
    base: &str,
    tag: &str,
) -> (Driver, Driver, String) {
    let olu = Driver::new(driver, js).unwrap();
    sign_up(&olu, c, js, base, &format!("olu{tag}@example.org"), "Olu");
    open(&olu, c, js, &format!("{base}/c/new"));
    olu.type_into("#name", &format!("Riverside {tag}"));
    olu.type_into("#purpose", "Neighbours who look out for each other");
    olu.type_into("#rules", "Be kind. Keep confidences.");
    submit(&olu, c, js, "Start the CAN");
    let slug = olu.url().rsplit('/').next().unwrap().to_string();
    assert!(olu.text().contains("you are its first organiser"));
    open(&olu, c, js, &format!("{base}/c/{slug}/invitations"));
    olu.type_into("#max_uses", "10");
    submit(&olu, c, js, "Make invitation link");
    let link = olu.attribute("#invite-link", "value");
    assert!(link.contains("/join/"), "{link}");

    let mia = Driver::new(driver, js).unwrap();
    open(&mia, c, js, &link);
    assert!(mia.text().contains("Be kind. Keep confidences."));
    let signup = mia.find("a[href^=\"/sign-up?next=\"]");
    mia.click_and_wait(&signup);
    c.page(&mia, js);
    mia.type_into("#email", &format!("mia{tag}@example.org"));
    mia.type_into("#display_name", "Mia");
    mia.type_into("#password", PASSWORD);
    submit(&mia, c, js, "Create account");
    assert!(
        mia.url().contains("/join/"),
        "back at the invitation: {}",
        mia.url()
    );
    let tick = mia.find("#acknowledge_rules");
    mia.click(&tick);
    submit(&mia, c, js, &format!("Join Riverside {tag}"));
    assert!(
        mia.text().contains(&format!("Welcome to Riverside {tag}!")),
        "{}",
        mia.text()
    );
    mia.screenshot(&artifacts().join(format!(
        "journey-1-join{}.png",
        if js { "" } else { "-nojs" }
    )));
    (olu, mia, slug)
}

async fn db(server: &Server) -> PgConnection {
    let opts = sqlx::postgres::PgConnectOptions::new()
        .host(&server.data.to_string_lossy())
        .username("canopy")
        .database("canopy");
    PgConnection::connect_with(&opts).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_in_a_real_browser() {
    ensure_installed();
    let began = Instant::now();
    let dir = std::env::temp_dir().join(format!("canopy-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = start_server(&dir);
    let (_chromedriver, driver) = start_chromedriver();
    let base = server.base.clone();
    let mut c = Checks::new();
    let js = true;

    // 1. Start a CAN, invite, join (with JavaScript, then again without).
    let (olu, mia, slug) = start_and_invite(&driver, &mut c, js, &base, "a");
    {
        let (no_js_olu, no_js_mia, _) = start_and_invite(&driver, &mut c, false, &base, "b");
        drop((no_js_olu, no_js_mia));
    }

    // 2. Visioning: hopes, a draft, a consent round with an objection that is withdrawn, adoption, a goal.
    for (who, hope) in [
        (&olu, "A bench for old and young"),
        (&mia, "Nobody eats alone"),
    ] {
        open(who, &mut c, js, &format!("{base}/c/{slug}/vision"));
        who.type_into("#body", hope);
        submit(who, &mut c, js, "Add my hope");
    }
    open(
        &mia,
        &mut c,
        js,
        &format!("{base}/c/{slug}/vision/drafts/new"),
    );
    mia.type_into(
        "#body",
        "Neighbours who eat together and look out for each other.",
    );
    let first_hope = mia.find("input[name=\"hope\"]");
    mia.click(&first_hope);
    submit(&mia, &mut c, js, "Save as a new version");
    open(
        &olu,
        &mut c,
        js,
        &format!("{base}/c/{slug}/vision/versions/1"),
    );
    submit(&olu, &mut c, js, "Open consent round");
    let round_url = olu.url();
    open(&mia, &mut c, js, &round_url);
    let object = mia.find("#answer-object");
    mia.click(&object);
    mia.type_into("#reason", "It forgets the children");
    submit(&mia, &mut c, js, "Give my answer");
    assert!(mia.text().contains("1 object"));
    let aside = mia.find("#answer-stand_aside");
    mia.click(&aside);
    submit(&mia, &mut c, js, "Give my answer");
    open(&olu, &mut c, js, &round_url);
    let endorse = olu.find("#answer");
    olu.click(&endorse);
    submit(&olu, &mut c, js, "Give my answer");
    submit(&olu, &mut c, js, "Close the round now");
    assert!(olu.text().contains("adopted"), "{}", olu.text());
    open(&olu, &mut c, js, &format!("{base}/c/{slug}/goals"));
    olu.type_into("#title", "A weekly shared meal");
    submit(&olu, &mut c, js, "Set goal");
    assert!(olu.text().contains("A weekly shared meal"));
    olu.screenshot(&artifacts().join("journey-2-vision.png"));

    // 3. Meetings: a time poll, a weekly series, an RSVP, attendance, minutes, a decision, an
    //    action item that becomes a responsibility.
    open(
        &olu,
        &mut c,
        js,
        &format!("{base}/c/{slug}/meetings/polls/new"),
    );
    olu.type_into("#title", "Neighbourhood circle");
    submit(&olu, &mut c, js, "Open the poll");
    let poll_url = olu.url();
    open(&mia, &mut c, js, &poll_url);
    for radio in mia_radios(&mia) {
        mia.click(&radio);
    }
    submit(&mia, &mut c, js, "Save my answers");
    open(&olu, &mut c, js, &poll_url);
    submit(&olu, &mut c, js, "Meet Saturdays 10:00");
    olu.type_into("#location", "The community hall");
    submit(&olu, &mut c, js, "Save the series");
    let mut conn = db(&server).await;
    // The meetings list and the series page speak from the rule; scheduling asks how often first.
    open(&olu, &mut c, js, &format!("{base}/c/{slug}/meetings"));
    assert!(
        olu.text().contains("Weekly on Saturdays at 10:00"),
        "{}",
        olu.text()
    );
    let series: uuid::Uuid = sqlx::query_scalar("SELECT id FROM meeting_series")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    open(
        &olu,
        &mut c,
        js,
        &format!("{base}/c/{slug}/meetings/series/{series}"),
    );
    assert!(olu.text().contains("Who served when"), "{}", olu.text());
    // Opened to the neighbourhood: the settings, then the visitor's page for its first meeting.
    open(
        &olu,
        &mut c,
        js,
        &format!("{base}/c/{slug}/meetings/series/{series}/public"),
    );
    let open_box = olu.find("#open_to_public");
    olu.click(&open_box);
    olu.type_into("#what_to_expect", "Tea and a round of names.");
    submit(&olu, &mut c, js, "Save");
    // This CAN is invite-only: refused beside the box, the words kept. Once listed, it opens.
    assert!(olu.text().contains("invite-only"), "{}", olu.text());
    sqlx::query("UPDATE cans SET visibility = 'listed' WHERE slug = $1")
        .bind(&slug)
        .execute(&mut conn)
        .await
        .unwrap();
    submit(&olu, &mut c, js, "Save");
    assert!(
        olu.text().contains("to the neighbourhood"),
        "{}",
        olu.text()
    );
    open(&olu, &mut c, js, &format!("{base}/c/{slug}/meetings/new"));
    open(
        &olu,
        &mut c,
        js,
        &format!("{base}/c/{slug}/meetings/new?repeat=monthly_nth"),
    );
    let meeting: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM meetings ORDER BY starts_at LIMIT 1")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let meeting_url = format!("{base}/c/{slug}/meetings/{meeting}");
    open(
        &olu,
        &mut c,
        js,
        &format!("{base}/c/{slug}/visit/{meeting}"),
    );
    assert!(
        olu.text().contains("Tea and a round of names."),
        "{}",
        olu.text()
    );
    open(&mia, &mut c, js, &meeting_url);
    submit(&mia, &mut c, js, "Yes");
    // The meeting happens now.
    sqlx::query("UPDATE meetings SET starts_at = now() - interval '30 minutes', ends_at = now() + interval '1 hour' WHERE id = $1")
        .bind(meeting).execute(&mut conn).await.unwrap();
    open(&olu, &mut c, js, &meeting_url);
    // Mia answered yes; Olu came too without having answered: tick both.
    let boxes: Value =
        olu.execute("return [...document.querySelectorAll('input[name=present]')].map(b => b.id)");
    for id in boxes.as_array().unwrap() {
        let b = olu.find(&format!("#{}", id.as_str().unwrap()));
        olu.click(&b);
    }
    submit(&olu, &mut c, js, "Save attendance");
    assert!(
        olu.text().contains("Attendance saved: 2 present."),
        "{}",
        olu.text()
    );
    olu.type_into("#minutes", "We planned the street party.");
    submit(&olu, &mut c, js, "Save minutes");
    olu.type_into("#decision", "A street party in June");
    submit(&olu, &mut c, js, "Record decision");
    olu.type_into("#action_title", "Book the hall");
    submit(&olu, &mut c, js, "Add action item");
    submit(&olu, &mut c, js, "Make it a responsibility: Book the hall");
    assert!(
        olu.text()
            .contains("The action item is now a responsibility"),
        "{}",
        olu.text()
    );
    olu.screenshot(&artifacts().join("journey-3-meeting.png"));

    // 3b. Running the meeting: with JavaScript, htmx updates the run view in place (a marker set
    //     on the page survives every step, so nothing reloaded); without, the same steps reload.
    open(&olu, &mut c, js, &meeting_url);
    for (title, minutes) in [("Street party plans", "10"), ("Garden rota", "5")] {
        olu.type_into("#item_title", title);
        olu.type_into("#item_minutes", minutes);
        let add = olu.button("Add to agenda");
        olu.click(&add);
        olu.wait_until(&format!(
            "document.querySelector('#agenda-part') && document.querySelector('#agenda-part').innerText.includes('{title}')"
        ));
    }
    let run_url = format!("{meeting_url}/run");
    open(&olu, &mut c, js, &run_url);
    assert_eq!(
        olu.execute("return document.querySelectorAll('head style, [style]').length")
            .as_i64(),
        Some(0),
        "htmx injected no style"
    );
    olu.execute("document.body.dataset.marker = 'no reload'; return true");
    let start = olu.button("Start the first item");
    olu.click(&start);
    olu.wait_until("document.body.innerText.includes('Now: Street party plans.')");
    assert!(
        olu.try_find("[data-clock-started]").is_some(),
        "the clock shows"
    );
    let mia_box = format!("#present-{}", member_id(&mut conn, "Mia").await);
    let tick = olu.find(&mia_box);
    olu.click(&tick);
    let save = olu.button("Save attendance");
    olu.click(&save);
    olu.wait_until("document.body.innerText.includes('Attendance saved: 1 present.')");
    olu.type_into("#decision", "Tables from the school");
    let record = olu.button("Record decision");
    olu.click(&record);
    olu.wait_until("document.body.innerText.includes('The decision is recorded.')");
    assert!(
        olu.text().contains("Tables from the school"),
        "{}",
        olu.text()
    );
    // An empty decision comes back (422) with the message beside the field, the cursor in it.
    let record = olu.button("Record decision");
    olu.click(&record);
    olu.wait_until("document.activeElement && document.activeElement.id === 'decision' && document.querySelector('#decision[aria-invalid=true]')");
    assert!(olu.text().contains("Enter the decision."), "{}", olu.text());
    let next = olu.button("Next item");
    olu.click(&next);
    olu.wait_until("document.body.innerText.includes('Now: Garden rota.')");
    assert_eq!(
        olu.execute("return document.body.dataset.marker").as_str(),
        Some("no reload"),
        "the run view updated in place"
    );
    assert_eq!(olu.url(), run_url, "no navigation");
    let csp = olu.console_errors();
    assert!(
        csp.iter().all(|e| !e.contains("Content Security Policy")),
        "CSP violations in the console: {csp:?}"
    );
    olu.screenshot(&artifacts().join("journey-3b-run.png"));
    {
        // The same without JavaScript: every step a full page.
        let plain = Driver::new(&driver, false).unwrap();
        plain.goto(&format!("{base}/sign-in"));
        plain.type_into("#email", "olua@example.org");
        plain.type_into("#password", PASSWORD);
        let b = plain.button("Sign in");
        plain.click_and_wait(&b);
        open(&plain, &mut c, false, &run_url);
        assert!(
            plain.text().contains("Under way: Garden rota."),
            "{}",
            plain.text()
        );
        let tick = plain.find(&mia_box);
        plain.click(&tick);
        submit(&plain, &mut c, false, "Save attendance");
        assert!(
            plain.text().contains("Attendance saved: 2 present."),
            "{}",
            plain.text()
        );
        plain.type_into("#decision", "A rota on the noticeboard");
        submit(&plain, &mut c, false, "Record decision");
        assert!(plain.text().contains("The decision is recorded."));
        assert!(plain.text().contains("A rota on the noticeboard"));
        submit(&plain, &mut c, false, "Next item");
        assert!(
            plain.text().contains("That was the last item"),
            "{}",
            plain.text()
        );
        assert_eq!(plain.url(), run_url);
        plain.screenshot(&artifacts().join("journey-3b-run-nojs.png"));
    }
    let items: Vec<(String, bool)> = sqlx::query_as(
        "SELECT status, done_at IS NOT NULL FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(meeting)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        items,
        vec![("done".to_string(), true), ("done".to_string(), true)]
    );

    // 4. Responsibilities: assign, hand off, the load view flags someone; the stage guide moves on.
    let guide_before = {
        open(&olu, &mut c, js, &format!("{base}/c/{slug}/stage"));
        olu.text()
    };
    assert!(
        guide_before.contains("Every step is done"),
        "{guide_before}"
    );
    submit(&olu, &mut c, js, "Move on to Organizing");
    let organizing = olu.text();
    assert!(
        organizing.contains("Give these goals a responsibility: A weekly shared meal"),
        "{organizing}"
    );
    for (title, effort) in [("Cook the meal", "5"), ("Wash up", "3")] {
        open(
            &olu,
            &mut c,
            js,
            &format!("{base}/c/{slug}/responsibilities/new"),
        );
        olu.type_into("#title", title);
        olu.select("#goal_id", &goal_id(&mut conn).await);
        olu.type_into("#effort", effort);
        submit(&olu, &mut c, js, "Put it on the board");
        olu.select("#member_id", &member_id(&mut conn, "Olu").await);
        submit(&olu, &mut c, js, "Ask them");
    }
    let cook = olu.url().replace("Wash", "");
    open(&olu, &mut c, js, &format!("{base}/c/{slug}/load"));
    assert!(olu.text().contains("overburdened"), "{}", olu.text());
    // Issue 16: the pathways view.
    open(&olu, &mut c, js, &format!("{base}/c/{slug}/pathways"));
    assert!(olu.text().contains("Next invitations"), "{}", olu.text());
    // Hand one on to Mia.
    open(&olu, &mut c, js, &cook);
    olu.select("#to", &member_id(&mut conn, "Mia").await);
    olu.type_into("#handoff_note", "The pans are in the hall");
    submit(&olu, &mut c, js, "Hand it on");
    // Issue 15: a hand-off is an offer until Mia accepts it.
    assert!(olu.text().contains("Offered to Mia"), "{}", olu.text());
    // Issue 16: Mia's own path on her own page, with the ask to answer as her next step.
    let mia_id = member_id(&mut conn, "Mia").await;
    open(
        &mia,
        &mut c,
        js,
        &format!("{base}/c/{slug}/members/{mia_id}"),
    );
    assert!(
        mia.text().contains("Your path in this group")
            && mia.text().contains("Answer the invitation"),
        "{}",
        mia.text()
    );
    open(&olu, &mut c, js, &format!("{base}/c/{slug}/stage"));
    let organizing_after = olu.text();
    assert!(
        organizing_after.contains("Every active goal has a responsibility"),
        "{organizing_after}"
    );
    olu.screenshot(&artifacts().join("journey-4-responsibilities.png"));
    open(&olu, &mut c, js, &format!("{base}/c/{slug}/health"));

    // Issue 15: the inbox and the mail settings, with JavaScript and without. Olu has one
    // notification (written as a service would); opening it marks it read and goes to its page.
    sqlx::query(
        "INSERT INTO notifications (id, member_id, can_id, kind, line, link, delivery, dedupe_key)
         SELECT $1, m.id, c.id, 'poll_opened', 'A poll for the summer party opened', '/c/' || c.slug,
                'off', 'browser:1'
         FROM members m, cans c WHERE m.email = 'olua@example.org' AND c.slug = $2",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(&slug)
    .execute(&mut conn)
    .await
    .unwrap();
    open(&olu, &mut c, js, &format!("{base}/notifications"));
    assert!(
        olu.text().contains("A poll for the summer party opened"),
        "{}",
        olu.text()
    );
    open(&olu, &mut c, js, &format!("{base}/notifications/settings"));
    let off = olu.find("#offer_made-off");
    olu.click(&off);
    submit(&olu, &mut c, js, "Save mail settings");
    assert!(
        olu.text().contains("Your mail settings are saved."),
        "{}",
        olu.text()
    );
    {
        let plain = Driver::new(&driver, false).unwrap();
        plain.goto(&format!("{base}/sign-in"));
        plain.type_into("#email", "olua@example.org");
        plain.type_into("#password", PASSWORD);
        let b = plain.button("Sign in");
        plain.click_and_wait(&b);
        open(
            &plain,
            &mut c,
            false,
            &format!("{base}/notifications/settings"),
        );
        let digest_off = plain.find("#weekly_digest-no");
        plain.click(&digest_off);
        submit(&plain, &mut c, false, "Save mail settings");
        assert!(plain.text().contains("Your mail settings are saved."));
        open(&plain, &mut c, false, &format!("{base}/notifications"));
        let open_it = plain.find("form[action$=\"/open\"] button");
        plain.click_and_wait(&open_it);
        assert!(
            plain.url().ends_with(&format!("/c/{slug}")),
            "opened: {}",
            plain.url()
        );
        plain.goto(&format!("{base}/notifications"));
        assert!(!plain.text().contains("Mark all read"), "{}", plain.text());
    }

    // Keyboard only: sign in with Tab and Enter; focus is visible; errors are announced.
    let kb = Driver::new(&driver, js).unwrap();
    open(&kb, &mut c, js, &format!("{base}/sign-in"));
    kb.keys(ENTER); // nothing focused yet: no effect
    let mut steps = 0;
    while kb
        .execute("return document.activeElement && document.activeElement.id")
        .as_str()
        != Some("email")
    {
        kb.keys(TAB);
        steps += 1;
        assert!(steps < 20, "the email field is reachable by Tab");
    }
    let outline = kb.execute("return getComputedStyle(document.activeElement).outlineStyle");
    assert_ne!(outline.as_str(), Some("none"), "focus is visible");
    kb.keys("not-an-email");
    kb.keys(TAB);
    kb.keys(ENTER);
    kb.wait_until("document.querySelector('#email[aria-invalid=true]')");
    c.page(&kb, js);
    assert_eq!(kb.attribute("#email", "ariaInvalid"), "true");
    let described =
        kb.execute("return document.getElementById('email').getAttribute('aria-describedby')");
    assert_eq!(described.as_str(), Some("email-error"));
    kb.type_into("#email", "olua@example.org");
    kb.type_into("#password", PASSWORD);
    kb.keys(ENTER);
    kb.wait_until("document.body.innerText.includes('Hello, Olu')");
    assert!(
        kb.text().contains("Hello, Olu"),
        "signed in by keyboard: {}",
        kb.text()
    );
    drop(kb);

    // Keyboard only, the sign-up form from start to finish: Tab from field to field, Enter on the
    // button.
    let kb = Driver::new(&driver, js).unwrap();
    open(&kb, &mut c, js, &format!("{base}/sign-up"));
    let mut steps = 0;
    while kb
        .execute("return document.activeElement && document.activeElement.id")
        .as_str()
        != Some("email")
    {
        kb.keys(TAB);
        steps += 1;
        assert!(steps < 20, "the email field is reachable by Tab");
    }
    kb.keys("kim@example.org");
    kb.keys(TAB);
    kb.keys("Kim");
    kb.keys(TAB);
    kb.keys(PASSWORD);
    kb.keys(TAB); // the time zone list keeps its default
    kb.keys(TAB);
    assert_eq!(
        kb.execute("return document.activeElement.textContent.trim()")
            .as_str(),
        Some("Create account"),
        "Tab reaches the button after the fields"
    );
    kb.keys(ENTER);
    kb.wait_until("document.body.innerText.includes('Hello, Kim')");
    drop(kb);

    // 4b. An ask answered on a phone (issue 15): at 390 px wide, Olu asks Mia to carry a
    //     responsibility; Mia signs in, opens the ask from the responsibility's page, accepts;
    //     the board shows her carrying it.
    {
        let sign_in_on_phone = |email: &str| {
            let d = Driver::new(&driver, js).unwrap();
            d.window(390, 844);
            d.goto(&format!("{base}/sign-in"));
            d.type_into("#email", email);
            d.type_into("#password", PASSWORD);
            let b = d.button("Sign in");
            d.click_and_wait(&b);
            d
        };
        let olu_phone = sign_in_on_phone("olua@example.org");
        open(
            &olu_phone,
            &mut c,
            js,
            &format!("{base}/c/{slug}/responsibilities/new"),
        );
        olu_phone.type_into("#title", "Lay the tables");
        olu_phone.type_into("#effort", "2");
        submit(&olu_phone, &mut c, js, "Put it on the board");
        let tables = olu_phone.url();
        olu_phone.select("#member_id", &member_id(&mut conn, "Mia").await);
        olu_phone.type_into("#ask_note", "You set them so well last time");
        submit(&olu_phone, &mut c, js, "Ask them");
        let asked = olu_phone.text();
        assert!(asked.contains("Mia is asked to be the carrier"), "{asked}");
        assert!(asked.contains("Offered to Mia (until"), "{asked}");

        let mia_phone = sign_in_on_phone("miaa@example.org");
        open(&mia_phone, &mut c, js, &tables);
        let answer = mia_phone.find("a[href*=\"/offers/\"]");
        mia_phone.click_and_wait(&answer);
        c.page(&mia_phone, js);
        let offer = mia_phone.text();
        assert!(
            offer.contains("Olu asks you to carry “Lay the tables”")
                && offer.contains("You set them so well last time"),
            "{offer}"
        );
        submit(&mia_phone, &mut c, js, "Accept");
        assert!(
            mia_phone
                .text()
                .contains("you are now the carrier for “Lay the tables”"),
            "{}",
            mia_phone.text()
        );
        open(
            &mia_phone,
            &mut c,
            js,
            &format!("{base}/c/{slug}/responsibilities"),
        );
        let card: Value = mia_phone.execute(
            "return [...document.querySelectorAll('.card')].find(c => c.textContent.includes('Lay the tables')).innerText",
        );
        let card = card.as_str().unwrap_or_default().to_string();
        assert!(card.contains("Carried by: Mia"), "{card}");
        assert!(!card.contains("Offered to"), "{card}");
        mia_phone.screenshot(&artifacts().join("journey-4b-offer-on-a-phone.png"));
    }

    // 4c. A newcomer's first visit on a phone (issue 16): Mia offers to welcome newcomers; at
    //     390 px wide, Kim opens Olu's invitation link, signs in, joins and lands on her welcome
    //     page, which names Mia as her companion and offers the next meeting; she answers yes
    //     from there, and the page never scrolls sideways.
    {
        let mia_id = member_id(&mut conn, "Mia").await;
        open(
            &mia,
            &mut c,
            js,
            &format!("{base}/c/{slug}/members/{mia_id}"),
        );
        let welcome_box = mia.find("#welcome");
        mia.click(&welcome_box);
        submit(&mia, &mut c, js, "Save what I offer");
        open(&olu, &mut c, js, &format!("{base}/c/{slug}/invitations"));
        olu.type_into("#max_uses", "1");
        submit(&olu, &mut c, js, "Make invitation link");
        let link = olu.attribute("#invite-link", "value");

        let kim = Driver::new(&driver, js).unwrap();
        kim.window(390, 844);
        open(&kim, &mut c, js, &link);
        // Kim has an account already (sign-ups from one address are limited, and this suite has
        // made its five): she signs in from the invitation and comes back to it.
        let sign_in = kim.find("a[href^=\"/sign-in?next=\"]");
        kim.click_and_wait(&sign_in);
        c.page(&kim, js);
        kim.type_into("#email", "kim@example.org");
        kim.type_into("#password", PASSWORD);
        submit(&kim, &mut c, js, "Sign in");
        assert!(
            kim.url().contains("/join/"),
            "back at the invitation: {}",
            kim.url()
        );
        let tick = kim.find("#acknowledge_rules");
        kim.click(&tick);
        let can_name: String = sqlx::query_scalar("SELECT name FROM cans WHERE slug = $1")
            .bind(&slug)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        submit(&kim, &mut c, js, &format!("Join {can_name}"));
        assert!(
            kim.url().ends_with(&format!("/c/{slug}/welcome")),
            "lands on the welcome page: {}",
            kim.url()
        );
        let welcome = kim.text();
        assert!(welcome.contains("Mia welcomes you"), "{welcome}");
        assert!(
            welcome.contains("The next meeting") && welcome.contains("Are you coming?"),
            "{welcome}"
        );
        let sideways = |d: &Driver| -> bool {
            d.execute("return document.documentElement.scrollWidth > window.innerWidth + 1")
                .as_bool()
                .unwrap_or(true)
        };
        assert!(
            !sideways(&kim),
            "the welcome page scrolls sideways at 390 px"
        );
        kim.screenshot(&artifacts().join("journey-4c-welcome-on-a-phone.png"));
        submit(&kim, &mut c, js, "Yes");
        assert!(kim.text().contains("See you there."), "{}", kim.text());
        open(&kim, &mut c, js, &format!("{base}/c/{slug}/welcome"));
        assert!(kim.text().contains("You said yes."), "{}", kim.text());
        assert!(
            !sideways(&kim),
            "the welcome page scrolls sideways at 390 px"
        );
        // Olu sees Kim among the newcomers, welcomed by Mia, who said yes to a meeting.
        open(&olu, &mut c, js, &format!("{base}/c/{slug}/newcomers"));
        let newcomers = olu.text();
        assert!(
            newcomers.contains("Kim")
                && newcomers.contains("Welcome companion: Mia")
                && newcomers.contains("Said yes to a meeting: yes"),
            "{newcomers}"
        );
    }

    // 4d. "This resonates" on a phone (issue 17): at 390 px wide, Mia presses it on Olu's hope and
    //     sees the count change and her button pressed.
    {
        let hope: uuid::Uuid =
            sqlx::query_scalar("SELECT id FROM hopes WHERE body = 'A bench for old and young'")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        let mia_phone = Driver::new(&driver, js).unwrap();
        mia_phone.window(390, 844);
        mia_phone.goto(&format!("{base}/sign-in"));
        mia_phone.type_into("#email", "miaa@example.org");
        mia_phone.type_into("#password", PASSWORD);
        let b = mia_phone.button("Sign in");
        mia_phone.click_and_wait(&b);
        open(&mia_phone, &mut c, js, &format!("{base}/c/{slug}/vision"));
        let card = format!("#hope-{hope}");
        let count = |d: &Driver| -> String {
            d.execute(&format!(
                "return document.querySelector('{card}').innerText"
            ))
            .as_str()
            .unwrap_or_default()
            .to_string()
        };
        let pressed = |d: &Driver| -> String {
            d.execute(&format!(
                "return document.querySelector('{card} button[aria-pressed]').getAttribute('aria-pressed')"
            ))
            .as_str()
            .unwrap_or_default()
            .to_string()
        };
        let before = count(&mia_phone);
        assert!(!before.contains("resonates with"), "{before}");
        assert_eq!(pressed(&mia_phone), "false");
        let press = mia_phone.find(&format!("{card} button[aria-pressed]"));
        mia_phone.click_and_wait(&press);
        c.page(&mia_phone, js);
        let after = count(&mia_phone);
        assert!(after.contains("resonates with 1"), "{after}");
        assert!(after.contains("Take back “this resonates”"), "{after}");
        assert_eq!(pressed(&mia_phone), "true");
        assert!(
            mia_phone
                .text()
                .contains("Thank you for saying so: this hope resonates with you."),
            "{}",
            mia_phone.text()
        );
        mia_phone.screenshot(&artifacts().join("journey-4d-resonates-on-a-phone.png"));
    }

    // 4e. A proposal on a phone, its objection talked through, then withdrawn (issue 17): at
    //     390 px wide, Mia puts a proposal and Olu objects with a reason; Mia follows "Talk it
    //     through" to the objection's thread and asks, Olu answers there, and Mia withdraws the
    //     proposal with her reason; the page shows "Withdrawn" and the thread's two comments.
    {
        let phone_of = |email: &str| {
            let d = Driver::new(&driver, js).unwrap();
            d.window(390, 844);
            d.goto(&format!("{base}/sign-in"));
            d.type_into("#email", email);
            d.type_into("#password", PASSWORD);
            let b = d.button("Sign in");
            d.click_and_wait(&b);
            d
        };
        let mia_phone = phone_of("miaa@example.org");
        open(
            &mia_phone,
            &mut c,
            js,
            &format!("{base}/c/{slug}/proposals"),
        );
        open(
            &mia_phone,
            &mut c,
            js,
            &format!("{base}/c/{slug}/proposals/new"),
        );
        mia_phone.type_into("#title", "Quiet hours in the garden");
        mia_phone.type_into("#body", "We keep the garden quiet after 22:00.");
        submit(&mia_phone, &mut c, js, "Put it to the group");
        let proposal = mia_phone.url();
        assert!(
            mia_phone
                .text()
                .contains("Your proposal is put to the group"),
            "{}",
            mia_phone.text()
        );

        let olu_phone = phone_of("olua@example.org");
        open(&olu_phone, &mut c, js, &proposal);
        let object = olu_phone.find("#answer-object");
        olu_phone.click(&object);
        olu_phone.type_into("#reason", "Some of us work night shifts.");
        submit(&olu_phone, &mut c, js, "Give my answer");
        let answered = olu_phone.text();
        assert!(
            answered.contains("Your answer is recorded")
                && answered.contains("Talk it through (0)"),
            "{answered}"
        );

        // Mia reaches the objection's thread from the proposal page, as a person would.
        open(&mia_phone, &mut c, js, &proposal);
        let talk = mia_phone.find("a[href*='/threads/objection/']");
        mia_phone.click_and_wait(&talk);
        c.page(&mia_phone, js);
        let thread = mia_phone.url();
        assert!(
            mia_phone
                .text()
                .contains("Olu’s objection to “Quiet hours in the garden”"),
            "{}",
            mia_phone.text()
        );
        mia_phone.type_into("#body", "Would 23:00 work for those on night shifts?");
        let post = mia_phone.button("Post comment");
        mia_phone.click_and_wait(&post);
        open(&olu_phone, &mut c, js, &thread);
        olu_phone.type_into(
            "#body",
            "Not really: we sleep in the day. Quiet mornings matter more.",
        );
        let post = olu_phone.button("Post comment");
        olu_phone.click_and_wait(&post);
        open(&mia_phone, &mut c, js, &thread);
        let talked = mia_phone.text();
        assert!(
            talked.contains("Would 23:00 work for those on night shifts?")
                && talked.contains("Not really: we sleep in the day."),
            "{talked}"
        );

        open(&mia_phone, &mut c, js, &proposal);
        assert!(
            mia_phone.text().contains("Talk it through (2)"),
            "{}",
            mia_phone.text()
        );
        mia_phone.type_into(
            "#withdraw_reason",
            "Olu is right; I will redraft it for mornings.",
        );
        submit(&mia_phone, &mut c, js, "Withdraw the proposal");
        let withdrawn = mia_phone.text();
        assert!(
            withdrawn.contains("Withdrawn by Mia")
                && withdrawn.contains("Why: Olu is right; I will redraft it for mornings."),
            "{withdrawn}"
        );
        assert!(
            !mia_phone
                .execute("return document.documentElement.scrollWidth > window.innerWidth + 1")
                .as_bool()
                .unwrap_or(true),
            "the proposal page scrolls sideways at 390 px"
        );
        mia_phone.screenshot(&artifacts().join("journey-4e-proposal-talked-through.png"));
    }

    // 4f. Talking things through (issue 17): Mia answers Olu's hope in its thread, naming him and
    //     linking a page; the link is safe; Olu (an organiser) hides the comment with a reason,
    //     which Mia reads beside her words.
    {
        let hope_id: uuid::Uuid =
            sqlx::query_scalar("SELECT id FROM hopes WHERE body = 'A bench for old and young'")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        let thread = format!("{base}/c/{slug}/threads/hope/{hope_id}");
        open(&mia, &mut c, js, &thread);
        assert!(mia.text().contains("Olu’s hope"), "{}", mia.text());
        mia.type_into(
            "#body",
            "Yes @Olu! Like these: https://example.org/benches?a=1&b=2.",
        );
        // The answer lands on the new comment's anchor; the checks read the page without it.
        let post = mia.button("Post comment");
        mia.click_and_wait(&post);
        open(&mia, &mut c, js, &thread);
        let rel = mia.attribute(".comment-body a", "rel");
        assert_eq!(rel, "nofollow ugc noopener");
        let href = mia.attribute(".comment-body a", "href");
        assert_eq!(href, "https://example.org/benches?a=1&b=2");
        let comment_id: uuid::Uuid =
            sqlx::query_scalar("SELECT id FROM comments WHERE hope_id = $1")
                .bind(hope_id)
                .fetch_one(&mut conn)
                .await
                .unwrap();

        open(&olu, &mut c, js, &thread);
        let summary = olu.find("details.hide-comment summary");
        olu.click(&summary);
        olu.type_into(
            &format!("#reason-{comment_id}"),
            "Please no links to shops.",
        );
        let hide = olu.button("Hide it from members");
        olu.click_and_wait(&hide);
        open(&olu, &mut c, js, &thread);
        assert!(olu.text().contains("Hidden from members"), "{}", olu.text());
        open(&mia, &mut c, js, &thread);
        let seen = mia.text();
        assert!(
            seen.contains("The organisers hid your comment")
                && seen.contains("Why: Please no links to shops."),
            "{seen}"
        );
        mia.screenshot(&artifacts().join("journey-4f-thread.png"));
    }

    // 5. Phone width: every page visited, at 390×844, scrolls only vertically and has 44px targets.
    let phone = Driver::new(&driver, js).unwrap();
    phone.window(390, 844);
    phone.goto(&format!("{base}/sign-in"));
    phone.type_into("#email", "olua@example.org");
    phone.type_into("#password", PASSWORD);
    let b = phone.button("Sign in");
    phone.click_and_wait(&b);
    let mut narrow = Vec::new();
    for url in c.visited.clone() {
        if url.contains("/join/") || url.contains("/sign-up") {
            continue;
        }
        phone.goto(&url);
        let report: Value = phone.execute(
            "const out = [];
             if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push('scrolls sideways: ' + document.documentElement.scrollWidth);
             const targets = document.querySelectorAll('button, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), nav a, .choice');
             for (const t of targets) { const r = t.getBoundingClientRect(); if (r.width > 0 && r.height > 0 && r.height < 43.5) out.push('small target ' + t.tagName + ' ' + (t.id || t.textContent.trim().slice(0, 30)) + ' ' + r.height); }
             return out;",
        );
        for problem in report.as_array().cloned().unwrap_or_default() {
            narrow.push(format!("{url}: {}", problem.as_str().unwrap_or_default()));
        }
    }
    phone.goto(&format!("{base}/c/{slug}"));
    phone.screenshot(&artifacts().join("journey-5-phone.png"));
    drop(phone);

    // The Nu HTML Checker on every page as served.
    let html_dir = artifacts().join("html");
    let _ = std::fs::remove_dir_all(&html_dir);
    std::fs::create_dir_all(&html_dir).unwrap();
    for (i, (url, html)) in c.pages.iter().enumerate() {
        std::fs::write(
            html_dir.join(format!("{i:03}.html")),
            format!("<!-- {url} -->\n{html}"),
        )
        .unwrap();
    }
    let vnu = Command::new("java")
        .args([
            "-jar",
            &root()
                .join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar")
                .to_string_lossy(),
            "--errors-only",
            "--format",
            "text",
            "--skip-non-html",
        ])
        .arg(&html_dir)
        .output()
        .unwrap();
    let vnu_errors =
        String::from_utf8_lossy(&vnu.stderr).to_string() + &String::from_utf8_lossy(&vnu.stdout);

    let _ = writeln!(
        std::io::stderr(),
        "browser suite: {} pages checked with axe and the Nu checker, {} at phone width, in {:.0?}; screenshots in {}",
        c.pages.len(),
        c.visited.len(),
        began.elapsed(),
        artifacts().display()
    );
    assert!(
        c.violations.is_empty(),
        "axe found serious or critical violations:\n{}",
        c.violations.join("\n")
    );
    assert!(
        narrow.is_empty(),
        "phone-width problems:\n{}",
        narrow.join("\n")
    );
    assert!(
        vnu.status.success() && !vnu_errors.contains(": error:"),
        "HTML errors:\n{vnu_errors}"
    );
    drop((olu, mia));
    let _ = std::fs::remove_dir_all(&dir);
}

fn mia_radios(d: &Driver) -> Vec<String> {
    // Saturday yes, Tuesday if need be: the default poll offers Tuesdays 19:00 and Saturdays 10:00.
    let ids: Value = d.execute(
        "return [...document.querySelectorAll('input[type=radio]')].filter(r => r.value === (r.closest('fieldset').textContent.includes('Saturdays') ? 'yes' : 'if_need_be')).map(r => r.id)",
    );
    ids.as_array()
        .unwrap()
        .iter()
        .map(|id| d.find(&format!("#{}", id.as_str().unwrap())))
        .collect()
}

async fn goal_id(conn: &mut PgConnection) -> String {
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM goals LIMIT 1")
        .fetch_one(conn)
        .await
        .unwrap();
    id.to_string()
}

async fn member_id(conn: &mut PgConnection, name: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar(
        "SELECT id FROM members WHERE display_name = $1 ORDER BY created_at LIMIT 1",
    )
    .bind(name)
    .fetch_one(conn)
    .await
    .unwrap();
    id.to_string()
}
