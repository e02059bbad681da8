//! The real binary, as the README runs it: embedded database, restart, SIGTERM and SIGKILL.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::helpers::{PASSWORD, TempDir, form_body};

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(data_dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_canopy"))
            .env_remove("DATABASE_URL")
            .env_remove("CANOPY_PUBLIC_URL")
            .env_remove("CANOPY_SMTP_URL")
            .env_remove("CANOPY_OUTBOX_DIR")
            .env("CANOPY_DATA_DIR", data_dir)
            .env("CANOPY_BIND", "127.0.0.1:0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the canopy binary starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("Canopy is ready: open http://") {
                    let _ = tx.send(url.trim_end_matches('/').to_string());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints the URL to open");
        Self { child, addr }
    }

    fn signal(&mut self, signal: i32) {
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
    }

    fn wait(&mut self) -> std::process::ExitStatus {
        let began = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                began.elapsed() < Duration::from_secs(30),
                "server did not stop"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn request(&self, method: &str, path: &str, cookie: Option<&str>, body: &str) -> Response {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(c) = cookie {
            head.push_str(&format!("Cookie: canopy_session={c}\r\n"));
        }
        if method == "POST" {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let cookie = head
            .lines()
            .filter_map(|l| l.strip_prefix("set-cookie: canopy_session="))
            .map(|v| v.split(';').next().unwrap().to_string())
            .next();
        Response {
            status,
            cookie,
            body: body.to_string(),
        }
    }

    /// Opens the sign-in page and signs in; returns the status of the form post.
    fn sign_in(&self, email: &str) -> u16 {
        let page = self.request("GET", "/sign-in", None, "");
        assert_eq!(page.status, 200, "{}", page.body);
        let body = form_body(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf_token", &page.csrf()),
        ]);
        self.request("POST", "/sign-in", page.cookie.as_deref(), &body)
            .status
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    cookie: Option<String>,
    body: String,
}

impl Response {
    fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker).unwrap() + marker.len();
        let end = self.body[start..].find('"').unwrap();
        self.body[start..start + end].to_string()
    }
}

fn postmaster_running(data_dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(data_dir.join("postmaster.pid")) else {
        return false;
    };
    let pid: i32 = text.lines().next().unwrap().trim().parse().unwrap();
    // SAFETY: signal 0 only asks whether the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let began = Instant::now();
    while !done() {
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "timed out waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    began.elapsed()
}

#[test]
fn the_server_keeps_members_across_restarts_and_survives_being_killed() {
    let dir = TempDir::new("server");
    let data = dir.0.join("postgres");

    // First run: a fresh data folder, a new member.
    let mut server = Server::start(&data);
    let form = server.request("GET", "/sign-up", None, "");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Create an account"));
    let body = form_body(&[
        ("email", "first@example.org"),
        ("display_name", "First Run"),
        ("password", PASSWORD),
        ("time_zone", "UTC"),
        ("csrf_token", &form.csrf()),
    ]);
    let created = server.request("POST", "/sign-up", form.cookie.as_deref(), &body);
    assert_eq!(created.status, 303, "{}", created.body);
    assert!(server.request("GET", "/healthz", None, "").status == 200);

    // SIGTERM while a sign-in is half-sent: the request still finishes, then the server exits
    // cleanly and stops its cluster.
    let page = server.request("GET", "/sign-in", None, "");
    let body = form_body(&[
        ("email", "first@example.org"),
        ("password", PASSWORD),
        ("csrf_token", &page.csrf()),
    ]);
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    write!(
        slow,
        "POST /sign-in HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nCookie: canopy_session={}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        page.cookie.as_deref().unwrap(),
        body.len()
    )
    .unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    slow.write_all(first.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.signal(libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "still serving the request in flight"
    );
    slow.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 303"),
        "the in-flight sign-in finished: {answer}"
    );

    assert!(server.wait().success(), "a SIGTERM stop exits with success");
    assert!(
        !postmaster_running(&data),
        "the cluster stops with the server"
    );
    assert!(
        !data.join("postmaster.pid").exists(),
        "and it was a clean shutdown"
    );

    // Second run: the member is still there.
    let mut server = Server::start(&data);
    assert_eq!(server.sign_in("first@example.org"), 303);

    // SIGKILL: no chance to clean up; the cluster notices its parent died and shuts itself down.
    assert!(postmaster_running(&data));
    server.signal(libc::SIGKILL);
    server.wait();
    let took = wait_until("the orphaned cluster stops", || !postmaster_running(&data));
    eprintln!("cluster stopped {took:?} after the server was killed");

    // Third run: starts normally on the same folder and the data is intact.
    let mut server = Server::start(&data);
    assert_eq!(server.sign_in("first@example.org"), 303);
    server.signal(libc::SIGINT);
    assert!(server.wait().success(), "Ctrl-C stops cleanly too");
    assert!(!postmaster_running(&data));
}
