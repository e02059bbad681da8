//! How mail leaves the building: through an SMTP server in production, or as `.eml` files in a
//! folder on a developer's machine (and in tests), so that nothing needs a mail server to run.
//! The SMTP URL may hold a password: it is never logged, and errors never repeat it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use uuid::Uuid;

use crate::config::Config;
use crate::error::{AppError, Result};

/// How long one SMTP conversation may take before it counts as failed. Well below the worker's
/// lease, so that a mail is never still being sent when another worker may claim it again.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends mail. Cheap to clone (the SMTP connection pool is shared).
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder {
        dir: PathBuf,
        files: AsyncFileTransport<Tokio1Executor>,
    },
}

// Shows which way mail goes, never the SMTP credentials.
impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("Mailer");
        s.field("from", &self.from.to_string());
        match &self.transport {
            Transport::Smtp(_) => s.field("transport", &"smtp"),
            Transport::Folder { dir, .. } => s.field("folder", dir),
        };
        s.finish()
    }
}

/// Why a mail was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The mail itself cannot be sent (e.g. its address does not parse): trying again is useless.
    #[error("invalid mail: {0}")]
    Invalid(String),
    /// The server or the folder failed: worth trying again later.
    #[error("{0}")]
    Transport(String),
}

impl SendError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Invalid(_))
    }
}

impl Mailer {
    /// SMTP when `CANOPY_SMTP_URL` is set, otherwise `.eml` files in `CANOPY_OUTBOX_DIR`.
    pub fn from_config(config: &Config) -> Result<Self> {
        match &config.smtp_url {
            Some(url) => {
                let mailer = Self::smtp(url, &config.mail_from, SMTP_TIMEOUT)?;
                tracing::info!(from = %mailer.from, "mail goes out through the SMTP server in CANOPY_SMTP_URL");
                Ok(mailer)
            }
            None => {
                let mailer = Self::folder(&config.outbox_dir, &config.mail_from)?;
                tracing::info!(
                    folder = %config.outbox_dir.display(),
                    "no CANOPY_SMTP_URL: mail is written as .eml files into a folder"
                );
                Ok(mailer)
            }
        }
    }

    /// Sends through the SMTP server at `url` (`smtp://`, `smtp://…?tls=required`, `smtps://`,
    /// with `user:password@` if the server wants it), giving up on a conversation after `timeout`.
    /// Must be called inside the tokio runtime (the connection pool starts a cleanup task).
    pub fn smtp(url: &str, from: &str, timeout: Duration) -> Result<Self> {
        // lettre's error text names the problem, not the URL, so it cannot leak the password.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| AppError::Internal(format!("CANOPY_SMTP_URL is not usable: {e}")))?
            .timeout(Some(timeout))
            .build();
        Ok(Self {
            from: parse_from(from)?,
            transport: Transport::Smtp(transport),
        })
    }

    /// Writes each mail as an `.eml` file into `dir`, creating the folder if needed.
    pub fn folder(dir: impl AsRef<Path>, from: &str) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| {
            AppError::Internal(format!(
                "could not create the outbox folder {}: {e}",
                dir.display()
            ))
        })?;
        Ok(Self {
            from: parse_from(from)?,
            transport: Transport::Folder {
                files: AsyncFileTransport::new(&dir),
                dir,
            },
        })
    }

    /// Sends one mail. Its `id` (the outbox row) becomes the Message-ID, so that a receiving
    /// server can recognise the rare mail that reaches it twice.
    pub async fn send(&self, mail: &Outgoing<'_>) -> Result<(), SendError> {
        let (id, to, subject) = (mail.id, mail.to, mail.subject);
        let message = self.message(mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map_err(|e| SendError::Transport(format!("SMTP: {e}")))?;
                tracing::info!(%id, "mail sent");
            }
            Transport::Folder { dir, files } => {
                // The folder may have been removed while we ran; a developer expects it back.
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| SendError::Transport(format!("outbox folder: {e}")))?;
                let file_id = files
                    .send(message)
                    .await
                    .map_err(|e| SendError::Transport(format!("outbox folder: {e}")))?;
                let file = dir.join(format!("{file_id}.eml"));
                tracing::info!(%id, to, subject, file = %file.display(), "mail written");
            }
        }
        Ok(())
    }
}

/// One mail as the outbox hands it to the [`Mailer`].
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub id: Uuid,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    /// When present, the mail is multipart/alternative: this HTML beside the text.
    pub html: Option<&'a str>,
    /// One-click unsubscribe (RFC 8058): a POST to this https (or, locally, http) address turns
    /// the mail off without signing in.
    pub unsubscribe: Option<&'a str>,
}

impl Mailer {
    /// The message itself: plain text, or text and HTML as alternatives; with the list headers
    /// when the mail can be unsubscribed from.
    fn message(&self, mail: &Outgoing<'_>) -> Result<Message, SendError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| SendError::Invalid(format!("recipient {:?}: {e}", mail.to)))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(format!("<{}@{}>", mail.id, self.from.email.domain())));
        if let Some(url) = mail.unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_string(),
                ));
        }
        let built = match mail.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                mail.text.to_string(),
                html.to_string(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text.to_string()),
        };
        built.map_err(|e| SendError::Invalid(e.to_string()))
    }
}

fn parse_from(from: &str) -> Result<Mailbox> {
    from.parse()
        .map_err(|e| AppError::Internal(format!("CANOPY_MAIL_FROM {from:?} is not a mailbox: {e}")))
}
