//! The weekly digest, for every member who wants it (`members.weekly_digest`): one mail a week
//! for all their CANs with what happened (the notifications they chose to get in the digest,
//! then marked mailed), the meetings of the next seven days in their own zone, what is waiting
//! on them, and — for organisers and coordinators — each CAN's stage, next steps, drifting
//! people and load. Someone with nothing to be told gets no mail. A row in `weekly_digests`
//! claims the person's week, so two instances never send it twice.
//!
//! Weeks are UTC weeks from Monday. A CAN falls due at the first tick of its week; its members
//! who have not had this week's digest get it then (their other CANs included), and the clock
//! writes down the next Monday in `can_clocks`, so a tick finds the CANs still due through an
//! index. Each batch of CANs is served by a fixed number of statements for all its members
//! (readers, notifications, meetings, waiting items, leads), plus the stage part once per CAN
//! that has an organiser or coordinator among them, and one transaction per mail.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::attention::Viewer;
use super::mail::{self, Line, Weekly};
use super::queries::{self, Reader};
use super::{guide, health};
use crate::cans::model::Can;
use crate::error::Result;
use crate::home::waiting;
use crate::notifications::{self, Scope};
use crate::outbox::{self, NewMail};

/// The Monday of the week `day` falls in.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// How many of the week's notifications a digest lists; the rest are counted (and in the inbox).
const HAPPENED_SHOWN: usize = 30;

/// How many CANs one pass looks at: their members are served together.
const BATCH: i64 = 200;

/// How far ahead "coming up" looks.
const COMING_DAYS: i64 = 7;

/// Writes the week's digests that are due by `today`; returns how many mails it wrote.
pub async fn tick(db: &PgPool, base_url: &str, today: NaiveDate) -> Result<usize> {
    let week = week_of(today);
    let next_week = week + chrono::Duration::days(7);
    let mut written = 0;
    // CANs whose batch failed this run: left due, so the next tick tries them again.
    let mut failed = Vec::new();
    loop {
        let due = queries::digest_due(db, today, &failed, BATCH).await?;
        if due.is_empty() {
            break;
        }
        let ids: Vec<Uuid> = due.iter().map(|c| c.id).collect();
        match batch(db, base_url, week, &ids).await {
            Ok(n) => {
                written += n;
                queries::digest_done(db, &ids, next_week).await?;
            }
            Err(e) => {
                tracing::warn!(error = %e, "weekly digest failed for a batch of CANs");
                failed.extend(ids);
            }
        }
    }
    Ok(written)
}

/// Everyone in these CANs who is owed this week's digest.
async fn batch(db: &PgPool, base_url: &str, week: NaiveDate, can_ids: &[Uuid]) -> Result<usize> {
    let readers = queries::digest_readers(db, can_ids, week).await?;
    if readers.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let ids: Vec<Uuid> = readers.iter().map(|r| r.id).collect();
    let happened = group(queries::digest_notifications(db, &ids).await?, |n| {
        n.member_id
    });
    let until = now + chrono::Duration::days(COMING_DAYS);
    let coming = group(queries::digest_meetings(db, &ids, now, until).await?, |g| {
        g.member_id
    });
    let mut waiting: HashMap<Uuid, Vec<waiting::Waiting>> = HashMap::new();
    for (member, w) in waiting::for_members(db, &ids, None, now).await? {
        waiting.entry(member).or_default().push(w);
    }
    let leads = queries::digest_leads(db, &ids).await?;
    let stages = stage_parts(db, base_url, &leads).await?;
    let key = notifications::link_key(db).await?;

    let mut written = 0;
    for reader in &readers {
        let mine = Parts {
            happened: happened.get(&reader.id).map(Vec::as_slice).unwrap_or(&[]),
            coming: coming.get(&reader.id).map(Vec::as_slice).unwrap_or(&[]),
            waiting: waiting.get(&reader.id).map(Vec::as_slice).unwrap_or(&[]),
            stages: leads
                .iter()
                .filter(|l| l.member_id == reader.id)
                .filter_map(|l| stages.get(&(l.can_id, l.viewer())))
                .collect(),
        };
        // One person's trouble must not stop the others' digests.
        match one(db, base_url, &key, week, reader, &mine).await {
            Ok(true) => written += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(member_id = %reader.id, error = %e, "weekly digest failed for a member")
            }
        }
    }
    Ok(written)
}

/// Rows grouped by member, keeping their order.
fn group<T>(rows: Vec<T>, member: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut out: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(member(&row)).or_default().push(row);
    }
    out
}

/// A CAN's stage part, with its name (for the subject when it is the only CAN).
struct StagePart {
    can_name: String,
    text: String,
}

/// The stage part of each CAN someone in the batch organises or coordinates, computed once per
/// CAN and written once for each way of reading it (who drifts is named to organisers and
/// facilitators only).
async fn stage_parts(
    db: &PgPool,
    base_url: &str,
    leads: &[queries::Lead],
) -> Result<HashMap<(Uuid, Viewer), StagePart>> {
    let mut can_ids: Vec<Uuid> = leads.iter().map(|l| l.can_id).collect();
    can_ids.sort();
    can_ids.dedup();
    let mut out = HashMap::new();
    if can_ids.is_empty() {
        return Ok(out);
    }
    for can in queries::digest_cans(db, &can_ids).await? {
        let mut viewers: Vec<Viewer> = leads
            .iter()
            .filter(|l| l.can_id == can.id)
            .map(queries::Lead::viewer)
            .collect();
        viewers.sort_by_key(|v| (v.sees_drifting, v.leads, v.organiser));
        viewers.dedup();
        match stage_part(db, base_url, &can, &viewers).await {
            Ok(texts) => {
                for (viewer, text) in texts {
                    let part = StagePart {
                        can_name: can.name.clone(),
                        text,
                    };
                    out.insert((can.id, viewer), part);
                }
            }
            Err(e) => tracing::warn!(can_id = %can.id, error = %e, "digest stage part failed"),
        }
    }
    Ok(out)
}

/// The CAN's stage part as each of these viewers reads it.
async fn stage_part(
    db: &PgPool,
    base_url: &str,
    can: &Can,
    viewers: &[Viewer],
) -> Result<Vec<(Viewer, String)>> {
    // Terms and the vision review are judged by the group's own day, not the clock's (the digest
    // goes out early on Monday in UTC, still Sunday west of it).
    let today = crate::web::time::today_in(can.time_zone);
    let (criteria, facts) = guide::assess(db, can.id).await?;
    let (_, h) = health::compute(db, can.id, today).await?;
    viewers
        .iter()
        .map(|v| {
            let steps = guide::guide(can.stage, &facts, &criteria, *v, today, &can.slug);
            Ok((*v, stage_text(base_url, can, &h, &steps, *v)?))
        })
        .collect()
}

fn stage_text(
    base_url: &str,
    can: &Can,
    h: &health::Health,
    steps: &[guide::Step],
    viewer: Viewer,
) -> Result<String> {
    use askama::Template;
    let load_change = match h.load_history.as_slice() {
        [.., before, now]
            if (before.overburdened, before.idle, before.single_points)
                != (now.overburdened, now.idle, now.single_points) =>
        {
            Some((*before, *now))
        }
        _ => None,
    };
    mail::Digest {
        can_name: &can.name,
        stage: can.stage,
        open_steps: steps.iter().filter(|s| !s.done).collect(),
        drifting: if viewer.sees_drifting {
            &h.drifting
        } else {
            &[]
        },
        single_points: &h.single_points,
        load_change,
        base_url,
        slug: &can.slug,
    }
    .render()
    .map_err(crate::error::AppError::internal)
}

/// What one person's digest is made of.
struct Parts<'a> {
    happened: &'a [queries::Happened],
    coming: &'a [queries::Coming],
    waiting: &'a [waiting::Waiting],
    stages: Vec<&'a StagePart>,
}

impl Parts<'_> {
    fn is_empty(&self) -> bool {
        self.happened.is_empty()
            && self.coming.is_empty()
            && self.waiting.is_empty()
            && self.stages.is_empty()
    }

    /// The one CAN everything is about, if there is one.
    fn only_can(&self) -> Option<&str> {
        let mut names = self
            .happened
            .iter()
            .filter_map(|n| n.can_name.as_deref())
            .chain(self.coming.iter().map(|g| g.can_name.as_str()))
            .chain(self.waiting.iter().map(|w| w.can_name.as_str()))
            .chain(self.stages.iter().map(|s| s.can_name.as_str()));
        let first = names.next()?;
        names.all(|n| n == first).then_some(first)
    }
}

/// Claims the person's week and writes their digest; false when they have nothing to be told
/// or another instance claimed it first.
async fn one(
    db: &PgPool,
    base_url: &str,
    key: &[u8],
    week: NaiveDate,
    reader: &Reader,
    parts: &Parts<'_>,
) -> Result<bool> {
    if parts.is_empty() {
        return Ok(false);
    }
    let tz = reader.time_zone;
    let at = |path: &str| format!("{base_url}{path}");
    let words = Weekly {
        name: &reader.name,
        more_happened: parts.happened.len().saturating_sub(HAPPENED_SHOWN),
        inbox: at("/notifications"),
        happened: parts
            .happened
            .iter()
            .take(HAPPENED_SHOWN)
            .map(|n| Line {
                can_name: n.can_name.clone(),
                text: n.line.clone(),
                link: at(&n.link),
                when: None,
            })
            .collect(),
        coming: parts
            .coming
            .iter()
            .map(|g| Line {
                can_name: Some(g.can_name.clone()),
                text: g.title.clone(),
                link: at(&format!("/c/{}/meetings/{}", g.slug, g.id)),
                when: Some(crate::meetings::when(g.starts_at, g.ends_at, tz)),
            })
            .collect(),
        waiting: parts
            .waiting
            .iter()
            .map(|w| Line {
                can_name: Some(w.can_name.clone()),
                text: w.text.clone(),
                link: at(&w.link),
                when: w.time_left.clone(),
            })
            .collect(),
        stages: parts.stages.iter().map(|s| s.text.clone()).collect(),
        only_can: parts.only_can(),
        settings: at("/notifications/settings"),
        unsubscribe: at(&notifications::unsubscribe_path(
            key,
            reader.id,
            Scope::Digest,
        )),
    };
    let mail = NewMail {
        can_id: None,
        to: reader.email.clone(),
        subject: words.subject(),
        body: words.text()?,
        html: Some(words.html()?),
        unsubscribe: Some(words.unsubscribe.clone()),
        dedupe_key: Some(format!("digest:{}:{week}", reader.id)),
    };
    let mut tx = db.begin().await?;
    if !queries::claim_digest(&mut tx, reader.id, week).await? {
        return Ok(false);
    }
    outbox::enqueue(&mut *tx, &mail).await?;
    let carried: Vec<Uuid> = parts.happened.iter().map(|n| n.id).collect();
    if !carried.is_empty() {
        queries::digest_mailed(&mut tx, &carried).await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap(); // ok: test fixture
        assert_eq!(week_of(d(11, 21)), d(11, 16));
        assert_eq!(week_of(d(11, 16)), d(11, 16));
        assert_eq!(week_of(d(11, 22)), d(11, 16));
    }
}
