//! A small WebDriver (W3C) client over plain HTTP to a local chromedriver: just what the journeys
//! need. Kept here rather than pulling a browser-automation crate and a TLS stack into the build.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    addr: String,
    session: String,
}

fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        payload.len()
    );
    stream
        .write_all(head.as_bytes())
        .map_err(|e| e.to_string())?;
    stream
        .write_all(payload.as_bytes())
        .map_err(|e| e.to_string())?;
    // Read exactly one response: the driver may keep the connection open.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let (head, mut body) = loop {
        let n = stream.read(&mut buf).map_err(|e| format!("{path}: {e}"))?;
        if n == 0 {
            return Err(format!("{path}: connection closed early"));
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..at]).to_string();
            break (head, raw[at + 4..].to_vec());
        }
    };
    let lower = head.to_ascii_lowercase();
    let length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    match length {
        Some(len) => {
            while body.len() < len {
                let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&buf[..n]);
            }
        }
        None => {
            // Chunked or close-delimited: read until the final chunk or the end.
            while !body.ends_with(b"0\r\n\r\n") {
                let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&buf[..n]);
            }
        }
    }
    let body = String::from_utf8_lossy(&body).to_string();
    let body = if lower.contains("transfer-encoding: chunked") {
        dechunk(&body)
    } else {
        body
    };
    let value: Value =
        serde_json::from_str(&body).map_err(|e| format!("bad JSON from driver ({e}): {body}"))?;
    if let Some(err) = value.get("value").and_then(|v| v.get("error")) {
        return Err(format!("{path}: {err} {}", value["value"]["message"]));
    }
    Ok(value["value"].clone())
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n.min(after.len())]);
        rest = after.get(n + 2..).unwrap_or("");
    }
    out
}

impl Driver {
    /// Opens a session on chromedriver at `addr` (host:port).
    pub fn new(addr: &str, javascript: bool) -> Result<Self, String> {
        let mut prefs = json!({});
        if !javascript {
            prefs = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--no-first-run", "--window-size=1280,900"],
                    "prefs": prefs
                },
                "goog:loggingPrefs": { "browser": "ALL" }
            }}
        });
        // A browser start can fail on a busy machine: try a few times before giving up.
        let mut last = String::new();
        let mut v = Value::Null;
        for _ in 0..3 {
            match http(addr, "POST", "/session", Some(&caps)) {
                Ok(ok) => {
                    v = ok;
                    break;
                }
                Err(e) => {
                    last = e;
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
        if v.is_null() {
            return Err(last);
        }
        let session = v["sessionId"].as_str().ok_or("no session id")?.to_string();
        Ok(Self {
            addr: addr.to_string(),
            session,
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let full = format!("/session/{}{path}", self.session);
        http(&self.addr, method, &full, body.as_ref()).unwrap_or_else(|e| panic!("webdriver: {e}"))
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn find(&self, css: &str) -> String {
        self.try_find(css)
            .unwrap_or_else(|| panic!("no element matches {css} on {}", self.url()))
    }

    pub fn try_find(&self, css: &str) -> Option<String> {
        let full = format!("/session/{}/element", self.session);
        let v = match http(
            &self.addr,
            "POST",
            &full,
            Some(&json!({ "using": "css selector", "value": css })),
        ) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("find {css}: {e}");
                return None;
            }
        };
        if v[ELEMENT].as_str().is_none() {
            eprintln!("find {css}: unexpected {v}");
        }
        v[ELEMENT].as_str().map(str::to_string)
    }

    /// The button (or submit input) whose text is `text`.
    pub fn button(&self, text: &str) -> String {
        let xpath = format!("//button[normalize-space()=\"{text}\"]");
        let full = format!("/session/{}/element", self.session);
        let v = http(
            &self.addr,
            "POST",
            &full,
            Some(&json!({ "using": "xpath", "value": xpath })),
        )
        .unwrap_or_else(|e| panic!("no button {text:?} on {}: {e}", self.url()));
        v[ELEMENT].as_str().unwrap().to_string()
    }

    pub fn click(&self, element: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    /// Clicks something that loads a new page, and waits until the new page has loaded.
    pub fn click_and_wait(&self, element: &str) {
        self.click(element);
        let began = std::time::Instant::now();
        let full = format!("/session/{}/element/{element}/name", self.session);
        while http(&self.addr, "GET", &full, None).is_ok() {
            assert!(
                began.elapsed() < Duration::from_secs(15),
                "no new page after a click on {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        self.wait_loaded();
    }

    /// Waits until `condition` (a JavaScript expression) is true on the current page.
    pub fn wait_until(&self, condition: &str) {
        let began = std::time::Instant::now();
        let script = format!("return document.readyState === 'complete' && !!({condition})");
        while self.execute(&script).as_bool() != Some(true) {
            assert!(
                began.elapsed() < Duration::from_secs(15),
                "timed out waiting for {condition} on {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn wait_loaded(&self) {
        let began = std::time::Instant::now();
        while self.execute("return document.readyState").as_str() != Some("complete") {
            assert!(
                began.elapsed() < Duration::from_secs(15),
                "page did not finish loading"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.call("POST", &format!("/element/{el}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Sends raw keys (e.g. Tab "\u{E004}", Enter "\u{E007}") to whatever has focus.
    pub fn keys(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        self.call(
            "POST",
            "/actions",
            Some(json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] })),
        );
        self.call("DELETE", "/actions", None);
    }

    pub fn select(&self, css: &str, value: &str) {
        let el = self.find(&format!("{css} option[value=\"{value}\"]"));
        self.click(&el);
    }

    pub fn text(&self) -> String {
        self.execute("return document.body.innerText")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn attribute(&self, css: &str, name: &str) -> String {
        let el = self.find(css);
        self.call("GET", &format!("/element/{el}/property/{name}"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn execute(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    pub fn execute_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    pub fn window(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    pub fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine as _;
        let data = self.call("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .unwrap_or_default();
        std::fs::write(path, bytes).unwrap();
    }

    /// The browser console's messages at level SEVERE since the last call (CSP violations among
    /// them), through chromedriver's log endpoint.
    pub fn console_errors(&self) -> Vec<String> {
        let v = self.call("POST", "/se/log", Some(json!({ "type": "browser" })));
        v.as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e["level"].as_str() == Some("SEVERE"))
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let v = self.call("GET", &format!("/cookie/{name}"), None);
        v["value"].as_str().map(str::to_string)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http(
            &self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}
