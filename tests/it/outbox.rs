//! The mail outbox on a real PostgreSQL: workers racing for the same mail, de-duplication,
//! retries after a failing server, and mail left behind by a worker that died.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use canopy::config::DEFAULT_MAIL_FROM;
use canopy::outbox::{self, Mailer, NewMail};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TempDir, fresh_pool};

fn mail(to: &str, subject: &str) -> NewMail {
    NewMail {
        can_id: Some(Uuid::now_v7()),
        to: to.into(),
        subject: subject.into(),
        body: format!("Hello {to},\n\nThis is about: {subject}.\n"),
        ..NewMail::default()
    }
}

fn folder_mailer(dir: &TempDir) -> Mailer {
    Mailer::folder(&dir.0, DEFAULT_MAIL_FROM).unwrap()
}

/// An SMTP server that is not there: a port we just had and gave back.
fn unreachable_smtp(user_and_password: &str) -> Mailer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://{user_and_password}@127.0.0.1:{port}");
    Mailer::smtp(&url, DEFAULT_MAIL_FROM, Duration::from_secs(2)).unwrap()
}

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect()
}

/// The (To, Subject) of an .eml file, read from its header block.
fn to_and_subject(file: &Path) -> (String, String) {
    let text = std::fs::read_to_string(file).unwrap();
    let head = text
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} header in:\n{text}"))
            .to_string()
    };
    assert_eq!(header("From"), DEFAULT_MAIL_FROM);
    (header("To"), header("Subject"))
}

async fn statuses(db: &PgPool) -> Vec<(String, String, i32)> {
    sqlx::query_as("SELECT to_address, status, attempts FROM outbox ORDER BY to_address")
        .fetch_all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn two_workers_racing_send_each_mail_exactly_once() {
    let db = fresh_pool().await;
    let expected: BTreeSet<(String, String)> = [
        ("ada@example.org", "You are invited to Elm Street Friends"),
        ("bo@example.org", "Meeting on Thursday"),
        ("cy@example.org", "Your turn to bring tea"),
    ]
    .iter()
    .map(|(to, subject)| (to.to_string(), subject.to_string()))
    .collect();
    for (to, subject) in &expected {
        assert!(outbox::enqueue(&db, &mail(to, subject)).await.unwrap());
    }

    let (dir_a, dir_b) = (TempDir::new("outbox-a"), TempDir::new("outbox-b"));
    let (mailer_a, mailer_b) = (folder_mailer(&dir_a), folder_mailer(&dir_b));
    let mut claimed = 0;
    for _ in 0..4 {
        let (a, b) = tokio::join!(
            outbox::run_once(&db, &mailer_a, 2),
            outbox::run_once(&db, &mailer_b, 2)
        );
        claimed += a.unwrap() + b.unwrap();
    }
    assert_eq!(claimed, 3, "each mail is claimed once");

    let files: Vec<PathBuf> = eml_files(&dir_a.0)
        .into_iter()
        .chain(eml_files(&dir_b.0))
        .collect();
    assert_eq!(files.len(), 3, "three mails, three files: {files:?}");
    let written: BTreeSet<(String, String)> = files.iter().map(|f| to_and_subject(f)).collect();
    assert_eq!(written, expected);

    for (to, status, attempts) in statuses(&db).await {
        assert_eq!((status.as_str(), attempts), ("sent", 1), "{to}");
    }
    let unsent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE sent_at IS NULL OR claimed_until IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(unsent, 0);
}

#[tokio::test]
async fn the_same_dedupe_key_writes_one_mail() {
    let db = fresh_pool().await;
    let invitation = NewMail {
        dedupe_key: Some("invitation:42".into()),
        ..mail("ada@example.org", "You are invited")
    };
    assert!(outbox::enqueue(&db, &invitation).await.unwrap());
    assert!(!outbox::enqueue(&db, &invitation).await.unwrap());
    // Mail without a key is never taken for a duplicate.
    assert!(
        outbox::enqueue(&db, &mail("ada@example.org", "Hi"))
            .await
            .unwrap()
    );
    assert!(
        outbox::enqueue(&db, &mail("ada@example.org", "Hi"))
            .await
            .unwrap()
    );

    let keyed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE dedupe_key = 'invitation:42'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(keyed, 1);
}

#[tokio::test]
async fn mail_enqueued_in_a_rolled_back_transaction_is_never_sent() {
    let db = fresh_pool().await;
    let mut tx = db.begin().await.unwrap();
    assert!(
        outbox::enqueue(&mut *tx, &mail("ada@example.org", "Invited"))
            .await
            .unwrap()
    );
    tx.rollback().await.unwrap();

    let dir = TempDir::new("outbox-rollback");
    assert_eq!(
        outbox::run_once(&db, &folder_mailer(&dir), 10)
            .await
            .unwrap(),
        0
    );
    assert!(eml_files(&dir.0).is_empty());
}

#[tokio::test]
async fn a_failing_server_puts_the_mail_back_for_a_later_retry() {
    let db = fresh_pool().await;
    outbox::enqueue(&db, &mail("ada@example.org", "Invited"))
        .await
        .unwrap();
    let mailer = unreachable_smtp("canopy:s3cret-password");
    assert!(!format!("{mailer:?}").contains("s3cret"));

    assert_eq!(outbox::run_once(&db, &mailer, 10).await.unwrap(), 1);

    let (status, attempts, retry_later, last_error, sent_at): (
        String,
        i32,
        bool,
        Option<String>,
        Option<chrono::DateTime<chrono::Utc>>,
    ) = sqlx::query_as(
        "SELECT status, attempts, next_attempt_at > now() + interval '50 seconds', last_error,
                sent_at
         FROM outbox",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(status, "pending");
    assert_eq!(attempts, 1);
    assert!(retry_later, "the first retry waits about a minute");
    let last_error = last_error.expect("the error is kept");
    assert!(last_error.starts_with("SMTP:"), "{last_error}");
    assert!(!last_error.contains("s3cret"), "{last_error}");
    assert_eq!(sent_at, None);

    // Not due yet: another pass leaves it alone.
    assert_eq!(outbox::run_once(&db, &mailer, 10).await.unwrap(), 0);
}

#[tokio::test]
async fn the_last_allowed_attempt_failing_marks_the_mail_failed() {
    let db = fresh_pool().await;
    outbox::enqueue(&db, &mail("ada@example.org", "Invited"))
        .await
        .unwrap();
    sqlx::query("UPDATE outbox SET attempts = $1")
        .bind(outbox::MAX_ATTEMPTS - 1)
        .execute(&db)
        .await
        .unwrap();

    outbox::run_once(&db, &unreachable_smtp("u:p"), 10)
        .await
        .unwrap();

    assert_eq!(
        statuses(&db).await,
        vec![(
            "ada@example.org".into(),
            "failed".into(),
            outbox::MAX_ATTEMPTS
        )]
    );
}

#[tokio::test]
async fn an_unusable_address_fails_at_once_and_other_mail_still_goes() {
    let db = fresh_pool().await;
    outbox::enqueue(&db, &mail("not an address", "Invited"))
        .await
        .unwrap();
    outbox::enqueue(&db, &mail("bo@example.org", "Invited"))
        .await
        .unwrap();
    let dir = TempDir::new("outbox-invalid");

    assert_eq!(
        outbox::run_once(&db, &folder_mailer(&dir), 10)
            .await
            .unwrap(),
        2
    );

    assert_eq!(
        statuses(&db).await,
        vec![
            ("bo@example.org".into(), "sent".into(), 1),
            ("not an address".into(), "failed".into(), 1),
        ]
    );
    assert_eq!(eml_files(&dir.0).len(), 1);
}

#[tokio::test]
async fn mail_whose_worker_died_while_sending_is_picked_up_again() {
    let db = fresh_pool().await;
    outbox::enqueue(&db, &mail("ada@example.org", "Lease expired"))
        .await
        .unwrap();
    outbox::enqueue(&db, &mail("bo@example.org", "Still being sent"))
        .await
        .unwrap();
    // Both were claimed by a worker; ada's claim has run out, bo's has not.
    sqlx::query(
        "UPDATE outbox SET status = 'sending', attempts = 1,
             claimed_until = CASE WHEN to_address = 'ada@example.org'
                                  THEN now() - interval '1 minute'
                                  ELSE now() + interval '1 minute' END",
    )
    .execute(&db)
    .await
    .unwrap();
    let dir = TempDir::new("outbox-lease");

    assert_eq!(
        outbox::run_once(&db, &folder_mailer(&dir), 10)
            .await
            .unwrap(),
        1
    );

    let files = eml_files(&dir.0);
    assert_eq!(files.len(), 1);
    assert_eq!(
        to_and_subject(&files[0]),
        ("ada@example.org".into(), "Lease expired".into())
    );
    assert_eq!(
        statuses(&db).await,
        vec![
            ("ada@example.org".into(), "sent".into(), 2),
            ("bo@example.org".into(), "sending".into(), 1),
        ]
    );
}

#[test]
fn settings_never_show_the_smtp_password() {
    let config = canopy::Config {
        smtp_url: Some("smtps://canopy:s3cret@mail.example.org".into()),
        ..canopy::Config::for_tests()
    };
    let shown = format!("{config:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("smtp_url"), "{shown}");
}
