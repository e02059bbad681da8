//! A tiny HTTP/1.1 client over `TcpStream` (one request per connection), enough to drive forms
//! through nginx or straight at one instance: cookies, the CSRF token, status and headers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// No request in these tests may take longer than this; a hang is a failure, not a wait.
pub const TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Which instance nginx passed the request to (the test rig's `X-Canopy-Upstream`).
    pub fn upstream(&self) -> Option<&str> {
        self.header("x-canopy-upstream")
    }

    fn session_cookie(&self) -> Option<Option<String>> {
        let set = self.header("set-cookie")?;
        let value = set.split(';').next()?.strip_prefix("canopy_session=")?;
        Some((!value.is_empty() && !set.contains("Max-Age=0")).then(|| value.to_string()))
    }

    /// The value of the input named `name` in the page.
    pub fn input(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\""))?;
        let rest = &self.body[at..];
        let v = rest.find("value=\"")? + 7;
        let end = rest[v..].find('"')?;
        Some(rest[v..v + end].to_string())
    }
}

/// Sends one request to `addr` (`host:port`) and reads the whole answer.
pub fn send(
    addr: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> std::io::Result<Response> {
    let socket: SocketAddr = addr
        .parse()
        .map_err(|e| std::io::Error::other(format!("{addr}: {e}")))?;
    let mut stream = TcpStream::connect_timeout(&socket, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        head.push_str(&format!("Cookie: canopy_session={c}\r\n"));
    }
    let body = form.unwrap_or("");
    if form.is_some() {
        head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw)
}

fn parse(raw: &[u8]) -> std::io::Result<Response> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers (connection closed early?)"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body).ok_or_else(|| bad("broken chunked body"))?;
    }
    Ok(Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Keeps the session cookie and the last page's CSRF token, like a browser with one tab; each
/// request may go to any address (nginx, or one instance straight) with the same cookie.
#[derive(Clone)]
pub struct Browser {
    pub addr: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl Browser {
    pub fn new(addr: &str) -> Self {
        Self {
            addr: addr.to_string(),
            cookie: None,
            csrf: None,
        }
    }

    pub fn get(&mut self, path: &str) -> std::io::Result<Response> {
        let addr = self.addr.clone();
        self.get_at(&addr, path)
    }

    pub fn get_at(&mut self, addr: &str, path: &str) -> std::io::Result<Response> {
        let r = send(addr, "GET", path, self.cookie.as_deref(), None)?;
        self.remember(&r);
        Ok(r)
    }

    /// Posts a form as our own page would: with this session's CSRF token.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> std::io::Result<Response> {
        let addr = self.addr.clone();
        self.post_at(&addr, path, fields)
    }

    pub fn post_at(
        &mut self,
        addr: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> std::io::Result<Response> {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all = fields.to_vec();
        all.push(("csrf_token", &token));
        let r = send(
            addr,
            "POST",
            path,
            self.cookie.as_deref(),
            Some(&form_body(&all)),
        )?;
        self.remember(&r);
        Ok(r)
    }

    fn remember(&mut self, r: &Response) {
        if let Some(cookie) = r.session_cookie() {
            self.cookie = cookie;
        }
        if let Some(token) = r.input("csrf_token") {
            self.csrf = Some(token);
        }
    }
}
