//! Consent rounds: opening one on a version, answering, closing (by hand or when due), and the
//! reminders. A round adopts its version only with no standing objection and the quorum met.
//! Rounds close in a transaction that locks the round, so two app instances never close one twice,
//! and every mail carries a de-duplication key, so nobody gets the same reminder twice.

use chrono::{DateTime, Months, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::{Answer, needed};
use crate::cans::activity::{self, Entry};
use crate::cans::model::Can;
use crate::cans::queries::active_members;
use crate::error::Result;
use crate::outbox::{self, MailText, NewMail};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Round {
    pub id: Uuid,
    pub can_id: Uuid,
    pub version_id: Uuid,
    pub version_number: i32,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub quorum_num: i16,
    pub quorum_den: i16,
    pub active_at_close: Option<i32>,
    pub answered_at_close: Option<i32>,
    pub endorse_at_close: Option<i32>,
    pub stand_aside_at_close: Option<i32>,
    pub object_at_close: Option<i32>,
}

impl Round {
    /// Open for answers: not closed, and its closing time not yet passed.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && self.closes_at > now
    }
}

const ROUND: &str = "SELECT r.id, r.can_id, r.version_id, v.number AS version_number,
                            m.display_name AS opened_by, r.opened_at, r.closes_at, r.closed_at,
                            r.outcome, r.quorum_num, r.quorum_den, r.active_at_close, r.answered_at_close,
                            r.endorse_at_close, r.stand_aside_at_close, r.object_at_close
                     FROM consent_rounds r
                     JOIN vision_versions v ON v.id = r.version_id AND v.can_id = r.can_id
                     JOIN members m ON m.id = r.opened_by";

pub async fn round(db: &PgPool, can_id: Uuid, id: Uuid) -> Result<Option<Round>> {
    Ok(
        sqlx::query_as(&format!("{ROUND} WHERE r.can_id = $1 AND r.id = $2"))
            .bind(can_id)
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn rounds(db: &PgPool, can_id: Uuid) -> Result<Vec<Round>> {
    Ok(sqlx::query_as(&format!(
        "{ROUND} WHERE r.can_id = $1 ORDER BY r.opened_at DESC"
    ))
    .bind(can_id)
    .fetch_all(db)
    .await?)
}

pub async fn open_round_of(db: &PgPool, can_id: Uuid) -> Result<Option<Round>> {
    Ok(sqlx::query_as(&format!(
        "{ROUND} WHERE r.can_id = $1 AND r.closed_at IS NULL"
    ))
    .bind(can_id)
    .fetch_optional(db)
    .await?)
}

/// Why a round cannot be opened now, if it cannot.
pub enum OpenRefusal {
    AlreadyOpen,
    AlreadyAdopted,
}

/// Opens a round on a version; mails every active member. Refused when a round is open already.
pub async fn open(
    conn: &mut PgConnection,
    can: &Can,
    (version_id, version_number): (Uuid, i32),
    opened_by: (Uuid, &str),
    closes_at: DateTime<Utc>,
    base_url: &str,
) -> Result<Result<Uuid, OpenRefusal>> {
    let (can_id, can_slug, can_name) = (can.id, &can.slug, &can.name);
    // Only the version that is the group's vision now cannot be consented to again.
    let adopted: bool = sqlx::query_scalar(
        "SELECT vision_version_id IS NOT DISTINCT FROM $2 FROM cans WHERE id = $1",
    )
    .bind(can_id)
    .bind(version_id)
    .fetch_one(&mut *conn)
    .await?;
    // A round whose time is up but which the clock has not closed yet is closed now.
    let due: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM consent_rounds WHERE can_id = $1 AND closed_at IS NULL AND closes_at <= now()",
    )
    .bind(can_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(due) = due {
        close(conn, can_id, due, None, base_url).await?;
    }
    if adopted {
        return Ok(Err(OpenRefusal::AlreadyAdopted));
    }
    let (num, den) = super::queries::quorum(&mut *conn, can_id).await?;
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO consent_rounds (id, can_id, version_id, opened_by, closes_at, quorum_num, quorum_den)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(can_id)
    .bind(version_id)
    .bind(opened_by.0)
    .bind(closes_at)
    .bind(num)
    .bind(den)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("consent_rounds_one_open_key") => {
            return Ok(Err(OpenRefusal::AlreadyOpen));
        }
        Err(e) => return Err(e.into()),
    }
    activity::log(
        &mut *conn,
        can_id,
        opened_by.0,
        "consent_round.opened",
        ("consent_round", id),
        format!(
            "{} opened a consent round on vision version {version_number}",
            opened_by.1
        ),
    )
    .await?;
    let link = format!("{base_url}/c/{can_slug}/vision/rounds/{id}");
    let mail = super::mail::RoundOpened {
        can_name,
        opened_by: opened_by.1,
        number: version_number,
        link: &link,
        closes: crate::web::time::datetime_in(closes_at, can.time_zone),
        zone: can.time_zone,
    };
    for person in active_members(&mut *conn, can_id).await? {
        let key = format!("round:{id}:opened:{}", person.id);
        outbox::enqueue(
            &mut *conn,
            &mail.to(&person.email, Some(can_id), Some(key))?,
        )
        .await?;
    }
    Ok(Ok(id))
}

pub enum AnswerOutcome {
    Recorded,
    Unchanged,
    Closed,
}

/// Records (or changes) a member's answer while the round is open. The round row is share-locked
/// so a concurrent close waits for the answer, or the answer sees the round closed.
pub async fn answer(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
    member: (Uuid, &str),
    answer: Answer,
    reason: &str,
) -> Result<AnswerOutcome> {
    let open: Option<bool> = sqlx::query_scalar(
        "SELECT closed_at IS NULL AND closes_at > now() FROM consent_rounds
         WHERE can_id = $1 AND id = $2 FOR SHARE",
    )
    .bind(can_id)
    .bind(round_id)
    .fetch_optional(&mut *conn)
    .await?;
    if open != Some(true) {
        return Ok(AnswerOutcome::Closed);
    }
    // One answer at a time per member and round, so a double submission is seen as unchanged.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text || $2::text, 0))")
        .bind(round_id)
        .bind(member.0)
        .execute(&mut *conn)
        .await?;
    let previous: Option<(String, String)> = sqlx::query_as(
        "SELECT answer, reason FROM consent_answers WHERE round_id = $1 AND member_id = $2",
    )
    .bind(round_id)
    .bind(member.0)
    .fetch_optional(&mut *conn)
    .await?;
    if previous
        .as_ref()
        .is_some_and(|(a, r)| a == answer.as_str() && r == reason)
    {
        return Ok(AnswerOutcome::Unchanged);
    }
    sqlx::query(
        "INSERT INTO consent_answers (round_id, can_id, member_id, answer, reason)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (round_id, member_id) DO UPDATE
             SET answer = EXCLUDED.answer, reason = EXCLUDED.reason, answered_at = now()",
    )
    .bind(round_id)
    .bind(can_id)
    .bind(member.0)
    .bind(answer.as_str())
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO consent_answer_history (round_id, can_id, member_id, answer, reason)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(round_id)
    .bind(can_id)
    .bind(member.0)
    .bind(answer.as_str())
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    let withdrew =
        previous.as_ref().is_some_and(|(a, _)| a == "object") && answer != Answer::Object;
    activity::record(
        &mut *conn,
        Entry {
            can_id,
            actor_id: Some(member.0),
            action: if withdrew {
                "consent.objection_withdrawn"
            } else {
                "consent.answered"
            },
            subject_type: "consent_round",
            subject_id: Some(round_id),
            summary: if withdrew {
                format!(
                    "{} withdrew their objection and now answers {}",
                    member.1,
                    answer.label().to_lowercase()
                )
            } else {
                format!("{} answered {}", member.1, answer.label().to_lowercase())
            },
        },
    )
    .await?;
    Ok(AnswerOutcome::Recorded)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerLine {
    pub member_id: Uuid,
    pub name: String,
    pub answer: String,
    pub reason: String,
    pub answered_at: DateTime<Utc>,
    pub member_status: String,
}

pub async fn answers(db: &PgPool, round_id: Uuid) -> Result<Vec<AnswerLine>> {
    Ok(sqlx::query_as(
        "SELECT a.member_id, p.display_name AS name, a.answer, a.reason, a.answered_at,
                m.status AS member_status
         FROM consent_answers a
         JOIN members p ON p.id = a.member_id
         JOIN memberships m ON m.can_id = a.can_id AND m.member_id = a.member_id
         WHERE a.round_id = $1
         ORDER BY (a.answer = 'object') DESC, a.answered_at",
    )
    .bind(round_id)
    .fetch_all(db)
    .await?)
}

/// Active members who have not answered yet.
pub async fn not_answered(db: &PgPool, can_id: Uuid, round_id: Uuid) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT p.display_name FROM memberships m JOIN members p ON p.id = m.member_id
         WHERE m.can_id = $1 AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM consent_answers a WHERE a.round_id = $2 AND a.member_id = m.member_id)
         ORDER BY lower(p.display_name)",
    )
    .bind(can_id)
    .bind(round_id)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct HistoryLine {
    pub name: String,
    pub answer: String,
    pub reason: String,
    pub answered_at: DateTime<Utc>,
}

pub async fn history(db: &PgPool, round_id: Uuid) -> Result<Vec<HistoryLine>> {
    Ok(sqlx::query_as(
        "SELECT p.display_name AS name, h.answer, h.reason, h.answered_at
         FROM consent_answer_history h JOIN members p ON p.id = h.member_id
         WHERE h.round_id = $1 ORDER BY h.id",
    )
    .bind(round_id)
    .fetch_all(db)
    .await?)
}

/// The count that decides a round: active members, how many of them answered, and the standing
/// objections — every one, also from someone who has since paused or left: an objection is never
/// dropped silently; the objector withdraws it, or the group revises the text.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Tally {
    pub active: i64,
    pub answered: i64,
    pub endorse: i64,
    pub stand_aside: i64,
    pub object: i64,
}

pub async fn tally(conn: &mut PgConnection, can_id: Uuid, round_id: Uuid) -> Result<Tally> {
    Ok(sqlx::query_as(
        "SELECT (SELECT count(*) FROM memberships WHERE can_id = $1 AND status = 'active') AS active,
                count(a.member_id) FILTER (WHERE m.status = 'active') AS answered,
                count(*) FILTER (WHERE a.answer = 'endorse' AND m.status = 'active') AS endorse,
                count(*) FILTER (WHERE a.answer = 'stand_aside' AND m.status = 'active') AS stand_aside,
                count(*) FILTER (WHERE a.answer = 'object') AS object
         FROM consent_answers a
         JOIN memberships m ON m.can_id = a.can_id AND m.member_id = a.member_id
         WHERE a.round_id = $2",
    )
    .bind(can_id)
    .bind(round_id)
    .fetch_one(conn)
    .await?)
}

/// What closing a round now would decide.
pub fn decide(t: Tally, num: i16, den: i16) -> &'static str {
    if t.object > 0 {
        "blocked"
    } else if t.answered < needed(t.active, num, den) || t.active == 0 {
        "no_quorum"
    } else {
        "adopted"
    }
}

pub fn outcome_words(outcome: &str) -> &'static str {
    match outcome {
        "adopted" => "adopted: the vision is the group's now",
        "blocked" => "not adopted: an objection stood when the round closed",
        _ => "not adopted: too few members answered (no quorum)",
    }
}

/// Closes the round if it is still open (locking it first); returns the outcome, or `None` when
/// someone else closed it already. On adoption the version becomes the CAN's vision.
pub async fn close(
    conn: &mut PgConnection,
    can_id: Uuid,
    round_id: Uuid,
    closed_by: Option<(Uuid, &str)>,
    base_url: &str,
) -> Result<Option<&'static str>> {
    let row: Option<(Uuid, i32, i16, i16, String, String, String)> = sqlx::query_as(
        "SELECT r.version_id, v.number, r.quorum_num, r.quorum_den, c.slug, c.name, c.time_zone
         FROM consent_rounds r
         JOIN vision_versions v ON v.id = r.version_id AND v.can_id = r.can_id
         JOIN cans c ON c.id = r.can_id
         WHERE r.can_id = $1 AND r.id = $2 AND r.closed_at IS NULL
         FOR UPDATE OF r",
    )
    .bind(can_id)
    .bind(round_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((version_id, number, num, den, slug, name, tz)) = row else {
        return Ok(None);
    };
    let t = tally(conn, can_id, round_id).await?;
    let outcome = decide(t, num, den);
    sqlx::query(
        "UPDATE consent_rounds
         SET closed_at = now(), closed_by = $3, outcome = $4, active_at_close = $5, answered_at_close = $6,
             endorse_at_close = $7, stand_aside_at_close = $8, object_at_close = $9
         WHERE can_id = $1 AND id = $2",
    )
    .bind(can_id)
    .bind(round_id)
    .bind(closed_by.map(|c| c.0))
    .bind(outcome)
    .bind(t.active as i32)
    .bind(t.answered as i32)
    .bind(t.endorse as i32)
    .bind(t.stand_aside as i32)
    .bind(t.object as i32)
    .execute(&mut *conn)
    .await?;
    if outcome == "adopted" {
        let zone: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::UTC);
        let today = Utc::now().with_timezone(&zone).date_naive();
        let review_on = today.checked_add_months(Months::new(12)).unwrap_or(today);
        sqlx::query("UPDATE vision_versions SET adopted_at = now() WHERE can_id = $1 AND id = $2")
            .bind(can_id)
            .bind(version_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE cans SET vision_version_id = $2, vision_adopted_at = now(), vision_review_on = $3
             WHERE id = $1",
        )
        .bind(can_id)
        .bind(version_id)
        .bind(review_on)
        .execute(&mut *conn)
        .await?;
    }
    let summary = format!(
        "The consent round on vision version {number} closed{}: {} ({} of {} active members answered, {} needed; {} objection{})",
        closed_by
            .map(|c| format!(" ({} closed it)", c.1))
            .unwrap_or_default(),
        outcome_words(outcome),
        t.answered,
        t.active,
        needed(t.active, num, den),
        t.object,
        if t.object == 1 { "" } else { "s" },
    );
    activity::record(
        &mut *conn,
        Entry {
            can_id,
            actor_id: closed_by.map(|c| c.0),
            action: "consent_round.closed",
            subject_type: "consent_round",
            subject_id: Some(round_id),
            summary: summary.clone(),
        },
    )
    .await?;
    let link = format!("{base_url}/c/{slug}/vision/rounds/{round_id}");
    for person in active_members(&mut *conn, can_id).await? {
        outbox::enqueue(
            &mut *conn,
            &NewMail {
                can_id: Some(can_id),
                to: person.email,
                subject: format!(
                    "{name}: vision version {number} {}",
                    if outcome == "adopted" {
                        "is adopted"
                    } else {
                        "was not adopted"
                    }
                ),
                body: format!("{summary}.\n\nSee the round and everyone's reasons:\n{link}\n"),
                dedupe_key: Some(format!("round:{round_id}:closed:{}", person.id)),
            },
        )
        .await?;
    }
    Ok(Some(outcome))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub closed: usize,
    pub reminded: usize,
}

/// Closes rounds whose time is up and sends the 24-hour reminders. Safe to run from every
/// instance at once: each round is claimed with `FOR UPDATE SKIP LOCKED`.
pub async fn tick(db: &PgPool, base_url: &str) -> Result<TickReport> {
    let mut report = TickReport::default();
    loop {
        let mut tx = db.begin().await?;
        let due: Option<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT id, can_id FROM consent_rounds
             WHERE closed_at IS NULL AND closes_at <= now()
             ORDER BY closes_at LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some((round_id, can_id)) = due else { break };
        if close(&mut tx, can_id, round_id, None, base_url)
            .await?
            .is_some()
        {
            report.closed += 1;
        }
        tx.commit().await?;
    }
    loop {
        let mut tx = db.begin().await?;
        // Only rounds longer than a day get a reminder; a shorter one was just announced.
        let due: Option<ClosingSoon> = sqlx::query_as(
            "SELECT r.id AS round_id, r.can_id, v.number, r.closes_at, c.slug, c.name, c.time_zone AS tz
             FROM consent_rounds r
             JOIN vision_versions v ON v.id = r.version_id AND v.can_id = r.can_id
             JOIN cans c ON c.id = r.can_id
             WHERE r.closed_at IS NULL AND r.reminder_sent_at IS NULL
               AND r.closes_at > now() AND r.closes_at <= now() + interval '24 hours'
               AND r.closes_at - r.opened_at > interval '24 hours'
             LIMIT 1 FOR UPDATE OF r SKIP LOCKED",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(ClosingSoon {
            round_id,
            can_id,
            number,
            closes_at,
            slug,
            name,
            tz,
        }) = due
        else {
            break;
        };
        let link = format!("{base_url}/c/{slug}/vision/rounds/{round_id}");
        let waiting: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT p.id, p.email FROM memberships m JOIN members p ON p.id = m.member_id
             WHERE m.can_id = $1 AND m.status = 'active'
               AND NOT EXISTS (SELECT 1 FROM consent_answers a WHERE a.round_id = $2 AND a.member_id = m.member_id)",
        )
        .bind(can_id)
        .bind(round_id)
        .fetch_all(&mut *tx)
        .await?;
        for (member_id, email) in waiting {
            outbox::enqueue(
                &mut *tx,
                &NewMail {
                    can_id: Some(can_id),
                    to: email,
                    subject: format!("{name}: the consent round on vision version {number} closes within a day"),
                    body: format!(
                        "You have not answered yet. The round closes {} ({tz}); your voice counts towards the quorum.\n\n{link}\n",
                        crate::web::time::datetime_in(closes_at, tz)
                    ),
                    dedupe_key: Some(format!("round:{round_id}:closing:{member_id}")),
                },
            )
            .await?;
            report.reminded += 1;
        }
        sqlx::query("UPDATE consent_rounds SET reminder_sent_at = now() WHERE id = $1")
            .bind(round_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(report)
}

#[derive(sqlx::FromRow)]
struct ClosingSoon {
    round_id: Uuid,
    can_id: Uuid,
    number: i32,
    closes_at: DateTime<Utc>,
    slug: String,
    name: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    tz: chrono_tz::Tz,
}
