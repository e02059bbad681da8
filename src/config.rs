//! Settings from the environment. Everything has a default that works on a developer's machine;
//! production sets `DATABASE_URL`, `CANOPY_BIND`, `CANOPY_PUBLIC_URL` and `CANOPY_SMTP_URL`.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone)]
pub struct Config {
    /// An existing PostgreSQL server. When unset, an embedded cluster is started in `data_dir`.
    pub database_url: Option<String>,
    pub bind: SocketAddr,
    /// Where the embedded cluster keeps its files.
    pub data_dir: PathBuf,
    /// The address people open; decides whether cookies are `Secure` and which `Origin` is ours.
    pub public_url: String,
    /// Where the PostgreSQL server binaries are, when not on PATH or in the usual Debian place.
    pub pg_bin: Option<PathBuf>,
    /// Whether `public_url` was given or derived from `bind` (then it follows the bound port).
    pub public_url_given: bool,
    /// Time zone suggested to new members until they choose their own.
    pub default_time_zone: chrono_tz::Tz,
    /// The SMTP server mail goes out through (may carry a password). When unset, mail is written
    /// as `.eml` files into `outbox_dir` instead.
    pub smtp_url: Option<String>,
    /// The `From` of every mail, checked to be a valid mailbox.
    pub mail_from: String,
    /// Where mail is written when there is no SMTP server.
    pub outbox_dir: PathBuf,
    /// Behind a reverse proxy: the header in which it passes the client's address (e.g.
    /// `x-forwarded-for`; its last entry is used, the one our proxy added). Unset: the TCP peer.
    pub client_ip_header: Option<axum::http::HeaderName>,
    /// How many accounts may be made (each costs an Argon2 hash).
    pub sign_ups: SignUpLimits,
}

/// How many accounts may be made: from one client address in an hour, and from anywhere in a
/// minute. A load test from one address raises them; production keeps the defaults unless many
/// neighbours share one address (a library, a housing block behind one router).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignUpLimits {
    pub per_address_per_hour: i64,
    pub per_minute: i64,
}

impl Default for SignUpLimits {
    fn default() -> Self {
        Self {
            per_address_per_hour: 5,
            per_minute: 30,
        }
    }
}

// The database and SMTP URLs may carry a password: never print them.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "[redacted]"),
            )
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("public_url", &self.public_url)
            .field("default_time_zone", &self.default_time_zone)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "[redacted]"))
            .field("mail_from", &self.mail_from)
            .field("outbox_dir", &self.outbox_dir)
            .field("sign_ups", &self.sign_ups)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}={value:?}: {reason}")]
pub struct ConfigError {
    name: &'static str,
    value: String,
    reason: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bind_text = var("CANOPY_BIND").unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = bind_text.parse().map_err(|e| ConfigError {
            name: "CANOPY_BIND",
            value: bind_text.clone(),
            reason: format!("{e} (expected e.g. 127.0.0.1:3000)"),
        })?;
        let public_url_given = var("CANOPY_PUBLIC_URL").is_some();
        let public_url = var("CANOPY_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{}", display_addr(bind)))
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError {
                name: "CANOPY_PUBLIC_URL",
                value: public_url,
                reason: "must start with http:// or https://".into(),
            });
        }
        let tz_text = var("CANOPY_DEFAULT_TIME_ZONE").unwrap_or_else(|| "UTC".into());
        let default_time_zone = tz_text.parse().map_err(|_| ConfigError {
            name: "CANOPY_DEFAULT_TIME_ZONE",
            value: tz_text.clone(),
            reason: "not an IANA time zone name such as Europe/Berlin".into(),
        })?;
        let mail_from = var("CANOPY_MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.into());
        if let Err(e) = mail_from.parse::<lettre::message::Mailbox>() {
            return Err(ConfigError {
                name: "CANOPY_MAIL_FROM",
                value: mail_from,
                reason: format!("{e} (expected e.g. Canopy <canopy@example.org>)"),
            });
        }
        let data_dir = var("CANOPY_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("data/postgres"));
        let outbox_dir = var("CANOPY_OUTBOX_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| default_outbox_dir(&data_dir));
        let client_ip_header = match var("CANOPY_CLIENT_IP_HEADER") {
            Some(h) => Some(
                h.trim()
                    .to_ascii_lowercase()
                    .parse()
                    .map_err(|_| ConfigError {
                        name: "CANOPY_CLIENT_IP_HEADER",
                        value: h.clone(),
                        reason: "not a header name (e.g. x-forwarded-for)".into(),
                    })?,
            ),
            None => None,
        };
        let count = |name: &'static str, default: i64| match var(name) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(ConfigError {
                    name,
                    value: v.clone(),
                    reason: "not a whole number of at least 1".into(),
                }),
            },
        };
        let defaults = SignUpLimits::default();
        let sign_ups = SignUpLimits {
            per_address_per_hour: count(
                "CANOPY_SIGN_UPS_PER_ADDRESS_PER_HOUR",
                defaults.per_address_per_hour,
            )?,
            per_minute: count("CANOPY_SIGN_UPS_PER_MINUTE", defaults.per_minute)?,
        };
        Ok(Self {
            database_url: var("DATABASE_URL"),
            bind,
            data_dir,
            public_url,
            pg_bin: var("CANOPY_PG_BIN").map(PathBuf::from),
            public_url_given,
            default_time_zone,
            // Checked when the mailer is built, so that an error never echoes the password.
            smtp_url: var("CANOPY_SMTP_URL"),
            mail_from,
            outbox_dir,
            client_ip_header,
            sign_ups,
        })
    }

    /// Settings for in-process tests: no database URL (the harness supplies a pool), no SMTP
    /// server (mail goes into a folder under the system's temporary folder).
    pub fn for_tests() -> Self {
        Self {
            database_url: None,
            bind: ([127, 0, 0, 1], 0).into(),
            data_dir: PathBuf::from("data/postgres"),
            public_url: "http://localhost".into(),
            pg_bin: None,
            public_url_given: true,
            default_time_zone: chrono_tz::UTC,
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.into(),
            outbox_dir: std::env::temp_dir().join("canopy-test-outbox"),
            client_ip_header: None,
            sign_ups: SignUpLimits::default(),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The address people open, given where we actually listen (port 0 picks a free port).
    pub fn follow_bound_address(&mut self, bound: SocketAddr) {
        if !self.public_url_given {
            self.public_url = format!("http://{}", display_addr(bound));
        }
    }
}

pub const DEFAULT_MAIL_FROM: &str = "Canopy <canopy@localhost>";

/// A folder `outbox` beside the embedded cluster's folder (`data/outbox` for `data/postgres`), so
/// that a developer finds the mail they "sent" next to the rest of the local state.
fn default_outbox_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir
        .parent()
        .map(|parent| parent.join("outbox"))
        .unwrap_or_else(|| PathBuf::from("outbox"))
}

/// `0.0.0.0` is where we listen, not an address a browser can open.
fn display_addr(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("localhost:{}", addr.port())
    } else {
        addr.to_string()
    }
}
