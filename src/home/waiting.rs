//! "Waiting on you": what a member could answer or do now, across their CANs or in one, computed
//! from the records themselves in one statement (no to-do table that could drift from them).
//! Shown at the top of the dashboard and of a CAN's home page, and listed in the weekly digest.
//!
//! Every part of the statement starts from the person's active memberships and reaches the
//! records through an index on (CAN, member) or on the record's CAN, so its cost follows what one
//! person belongs to, never the number of CANs. [`for_members`] answers for many people at once
//! (the digest's batch); [`for_member`] is the same statement for one.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::error::Result;
use crate::stages::health::CHECK_IN_DAYS;
use crate::web::time;

/// How long a note-taker is reminded of minutes still to write after a meeting.
pub const MINUTES_DAYS: i32 = 14;

/// What kind of thing waits; the order is the order of urgency among things due at the same time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum WaitingKind {
    /// A task you carry whose date has passed.
    Overdue,
    /// An ask (carry, back up, take over, take notes at a meeting) offered to you.
    Offer,
    /// A consent round on the vision you have not answered.
    Round,
    /// An open proposal you have not answered, or whose text changed since your answer.
    Proposal,
    /// The minutes of a meeting where you took notes.
    Minutes,
    /// The next meeting, without your answer.
    Rsvp,
    /// The next meeting you facilitate has proposals on its agenda.
    Agenda,
    /// A time poll you have not answered.
    Poll,
    /// The check-in after a meeting you were at.
    CheckIn,
    /// People ask to join a CAN you organise (one item per CAN).
    JoinRequest,
}

impl WaitingKind {
    /// A short label shown before the item (and read first by a screen reader).
    pub fn label(self) -> &'static str {
        match self {
            Self::Overdue => "Overdue",
            Self::Offer => "Asked of you",
            Self::Round => "Consent round",
            Self::Proposal => "Proposal",
            Self::Minutes => "Minutes",
            Self::Rsvp => "Meeting",
            Self::Agenda => "Agenda",
            Self::Poll => "Poll",
            Self::CheckIn => "Check-in",
            Self::JoinRequest => "Join request",
        }
    }
}

/// A one-click answer: a form posting `fields` (and the CSRF token) to `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneClick {
    pub action: String,
    /// The button's words, e.g. "Accept".
    pub label: String,
    /// What the button is about, read by screen readers after the label, e.g. "“Flyers”".
    pub about: String,
    pub fields: Vec<(&'static str, String)>,
}

/// One thing waiting on a member.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub kind: WaitingKind,
    pub can_name: String,
    /// What to do, in a sentence.
    pub text: String,
    /// A path where it can be seen and answered.
    pub link: String,
    /// "2 days left", "overdue since 3 November 2026", …
    pub time_left: Option<String>,
    /// One-click answers (none where an answer needs reading first).
    pub forms: Vec<OneClick>,
    /// When it falls due (the order of the list), if it has a time.
    pub due_at: Option<DateTime<Utc>>,
}

/// A row of the statement: the common columns every part fills (NULL where it has nothing).
#[derive(Debug, sqlx::FromRow)]
struct Row {
    member_id: Uuid,
    kind: WaitingKind,
    slug: String,
    can_name: String,
    /// The record the item is about (round, poll, meeting, offer, responsibility; the CAN for
    /// join requests).
    id: Uuid,
    /// Its title, or the (first) name of those asking to join.
    title: String,
    /// The asker of an offer.
    who: Option<String>,
    /// An offer's kind; "amended" for a proposal whose text changed since the answer.
    detail: Option<String>,
    due_at: Option<DateTime<Utc>>,
    /// A vision version's number, how many agenda proposals, how many ask to join.
    n: Option<i64>,
    due_on: Option<NaiveDate>,
}

/// The statement. `$1` the members, `$2` one CAN or NULL for all, `$3` now, `$4` the days a
/// check-in stays open, `$5` the days minutes are asked for.
const WAITING: &str = "
WITH mine AS (
    SELECT ms.member_id, ms.can_id, c.slug, c.name AS can_name,
           EXISTS (SELECT 1 FROM role_grants g
                   WHERE g.can_id = ms.can_id AND g.member_id = ms.member_id AND g.ended_at IS NULL
                     AND g.role = 'organiser') AS organiser,
           EXISTS (SELECT 1 FROM role_grants g
                   WHERE g.can_id = ms.can_id AND g.member_id = ms.member_id AND g.ended_at IS NULL
                     AND g.role IN ('organiser', 'facilitator')) AS facilitates
    FROM memberships ms JOIN cans c ON c.id = ms.can_id
    WHERE ms.member_id = ANY($1) AND ms.status = 'active' AND ($2::uuid IS NULL OR ms.can_id = $2)
),
next AS (
    SELECT m.*, g.id AS meeting_id, g.title, g.starts_at, g.facilitator_id, g.agenda_reviewed_at
    FROM mine m CROSS JOIN LATERAL (
        SELECT g.id, g.title, g.starts_at, g.facilitator_id, g.agenda_reviewed_at FROM meetings g
        WHERE g.can_id = m.can_id AND g.status = 'scheduled'
          AND g.starts_at > $3 - interval '12 hours' AND g.ends_at > $3
        ORDER BY g.starts_at LIMIT 1) g
),
-- The next meeting still to start (for 'are you coming?'), not one already under way.
coming AS (
    SELECT m.*, g.id AS meeting_id, g.title, g.starts_at
    FROM mine m CROSS JOIN LATERAL (
        SELECT g.id, g.title, g.starts_at FROM meetings g
        WHERE g.can_id = m.can_id AND g.status = 'scheduled' AND g.starts_at > $3
        ORDER BY g.starts_at LIMIT 1) g
)
SELECT m.member_id, 'round' AS kind, m.can_id, m.slug, m.can_name, r.id, '' AS title,
       NULL::text AS who, NULL::text AS detail, r.closes_at AS due_at, v.number::bigint AS n,
       NULL::date AS due_on
FROM mine m
JOIN consent_rounds r ON r.can_id = m.can_id AND r.closed_at IS NULL AND r.closes_at > $3
JOIN vision_versions v ON v.id = r.version_id
WHERE NOT EXISTS (SELECT 1 FROM consent_answers a WHERE a.round_id = r.id AND a.member_id = m.member_id)
UNION ALL
SELECT m.member_id, 'proposal', m.can_id, m.slug, m.can_name, p.id, p.title, NULL,
       CASE WHEN a.member_id IS NOT NULL THEN 'amended' END, r.closes_at, NULL, NULL
FROM mine m
JOIN proposals p ON p.can_id = m.can_id AND p.status = 'open'
JOIN consent_rounds r ON r.proposal_id = p.id AND r.closed_at IS NULL AND r.closes_at > $3
LEFT JOIN consent_answers a ON a.round_id = r.id AND a.member_id = m.member_id
WHERE a.member_id IS NULL OR a.text_version <> r.text_version
UNION ALL
SELECT m.member_id, 'poll', m.can_id, m.slug, m.can_name, p.id, p.title, NULL, NULL, NULL, NULL, NULL
FROM mine m
JOIN time_polls p ON p.can_id = m.can_id AND p.closed_at IS NULL
WHERE NOT EXISTS (SELECT 1 FROM time_poll_answers a
                  WHERE a.can_id = p.can_id AND a.member_id = m.member_id AND a.poll_id = p.id)
UNION ALL
SELECT x.member_id, 'rsvp', x.can_id, x.slug, x.can_name, x.meeting_id, x.title, NULL, NULL,
       x.starts_at, NULL, NULL
FROM coming x
WHERE NOT EXISTS (SELECT 1 FROM rsvps v WHERE v.meeting_id = x.meeting_id AND v.member_id = x.member_id)
UNION ALL
SELECT x.member_id, 'agenda', x.can_id, x.slug, x.can_name, x.meeting_id, x.title, NULL, NULL,
       x.starts_at, a.n, NULL
FROM next x
CROSS JOIN LATERAL (
    SELECT count(*) AS n FROM agenda_items a
    WHERE a.meeting_id = x.meeting_id AND a.status = 'open' AND a.started_at IS NULL
      AND a.carried_from IS NULL AND a.proposed_by <> x.member_id
      -- Only what was proposed since the agenda was last ordered.
      AND a.created_at > coalesce(x.agenda_reviewed_at, '-infinity')) a
WHERE a.n > 0
  AND (x.facilitator_id = x.member_id OR (x.facilitator_id IS NULL AND x.facilitates))
UNION ALL
SELECT m.member_id, 'check_in', m.can_id, m.slug, m.can_name, g.id, g.title, NULL, NULL,
       g.ends_at + make_interval(days => $4), NULL, NULL
FROM mine m
JOIN attendance a ON a.can_id = m.can_id AND a.member_id = m.member_id
JOIN meetings g ON g.id = a.meeting_id AND g.status = 'held'
                AND g.ends_at > $3 - make_interval(days => $4)
WHERE NOT EXISTS (SELECT 1 FROM check_ins k WHERE k.meeting_id = g.id AND k.member_id = m.member_id)
UNION ALL
SELECT m.member_id, 'offer', m.can_id, m.slug, m.can_name, o.id, coalesce(r.title, g.title),
       f.display_name, o.kind, o.expires_at, NULL, NULL
FROM mine m
JOIN offers o ON o.can_id = m.can_id AND o.to_member = m.member_id AND o.status = 'open'
             AND o.expires_at > $3
LEFT JOIN responsibilities r ON r.id = o.responsibility_id
LEFT JOIN meetings g ON g.id = o.meeting_id
JOIN members f ON f.id = o.from_member
UNION ALL
SELECT m.member_id, 'minutes', m.can_id, m.slug, m.can_name, g.id, g.title, NULL, NULL, g.ends_at,
       NULL, NULL
FROM mine m
JOIN meetings g ON g.note_taker_id = m.member_id AND g.can_id = m.can_id
WHERE g.status IN ('held', 'scheduled') AND g.ends_at <= $3
  AND g.ends_at > $3 - make_interval(days => $5) AND btrim(g.minutes) = ''
UNION ALL
SELECT m.member_id, 'join_request', m.can_id, m.slug, m.can_name, m.can_id, j.name, NULL, NULL,
       NULL, j.n, NULL
FROM mine m
CROSS JOIN LATERAL (
    SELECT count(*) AS n, min(p.display_name) AS name
    FROM join_requests j JOIN members p ON p.id = j.member_id
    WHERE j.can_id = m.can_id AND j.status = 'pending') j
WHERE m.organiser AND j.n > 0
UNION ALL
SELECT m.member_id, 'overdue', m.can_id, m.slug, m.can_name, r.id, r.title, NULL, NULL,
       r.overdue_from, NULL, r.due_on
FROM mine m
JOIN carriers k ON k.can_id = m.can_id AND k.member_id = m.member_id AND k.kind = 'carrier'
               AND k.from_at <= $3 AND (k.until_at IS NULL OR k.until_at > $3)
JOIN responsibilities r ON r.id = k.responsibility_id AND r.kind = 'task'
                       AND r.status IN ('open', 'active') AND r.overdue_from <= $3
ORDER BY member_id, due_at NULLS LAST, can_name, title, id";

/// What waits on `member` now: in CAN `can` only, or in all their CANs; most urgent first.
pub async fn for_member(
    db: impl PgExecutor<'_>,
    member: Uuid,
    can: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<Waiting>> {
    Ok(for_members(db, &[member], can, now)
        .await?
        .into_iter()
        .map(|(_, w)| w)
        .collect())
}

/// What waits on each of `members` (in all their CANs, or in `can`), in one statement: pairs of
/// member and item, grouped by member, each member's most urgent first.
pub async fn for_members(
    db: impl PgExecutor<'_>,
    members: &[Uuid],
    can: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<(Uuid, Waiting)>> {
    let rows: Vec<Row> = sqlx::query_as(WAITING)
        .bind(members)
        .bind(can)
        .bind(now)
        .bind(CHECK_IN_DAYS)
        .bind(MINUTES_DAYS)
        .fetch_all(db)
        .await?;
    let mut out: Vec<(Uuid, Waiting)> = rows
        .into_iter()
        .map(|r| (r.member_id, item(r, now)))
        .collect();
    // Among things due at the same time (or with no time), the kind's urgency decides.
    out.sort_by(|(ma, a), (mb, b)| {
        ma.cmp(mb)
            .then(a.due_at.is_none().cmp(&b.due_at.is_none()))
            .then(a.due_at.cmp(&b.due_at))
            .then((a.kind as u8).cmp(&(b.kind as u8)))
    });
    Ok(out)
}

/// The row in words, with its link and one-click answers.
fn item(r: Row, now: DateTime<Utc>) -> Waiting {
    let base = format!("/c/{}", r.slug);
    let title = &r.title;
    let (text, link, time_left, forms) = match r.kind {
        WaitingKind::Round => (
            format!(
                "Answer the consent round on vision version {}",
                r.n.unwrap_or_default()
            ),
            format!("{base}/vision/rounds/{}", r.id),
            r.due_at.map(|at| left(now, at, "left to answer")),
            Vec::new(),
        ),
        WaitingKind::Proposal => (
            match r.detail.as_deref() {
                Some("amended") => format!("“{title}” was amended since your answer: answer again"),
                _ => format!("Endorse, stand aside or object: “{title}”"),
            },
            format!("{base}/proposals/{}", r.id),
            r.due_at.map(|at| left(now, at, "left to answer")),
            Vec::new(),
        ),
        WaitingKind::Poll => (
            format!("Say which times suit you in the poll “{title}”"),
            format!("{base}/meetings/polls/{}", r.id),
            None,
            Vec::new(),
        ),
        WaitingKind::Rsvp => {
            let action = format!("{base}/meetings/{}/rsvp", r.id);
            let about = format!(", I'm coming to “{title}”");
            let not = format!(", I can't come to “{title}”");
            (
                format!("Are you coming to “{title}”?"),
                format!("{base}/meetings/{}", r.id),
                r.due_at.map(|at| left(now, at, "until it starts")),
                vec![
                    OneClick {
                        action: action.clone(),
                        label: "Yes".into(),
                        about,
                        fields: vec![("answer", "yes".into())],
                    },
                    OneClick {
                        action,
                        label: "No".into(),
                        about: not,
                        fields: vec![("answer", "no".into())],
                    },
                ],
            )
        }
        WaitingKind::Agenda => {
            let n = r.n.unwrap_or_default();
            let proposals = match n {
                1 => "1 proposal".to_string(),
                n => format!("{n} proposals"),
            };
            (
                format!("Order the agenda of “{title}”: {proposals} from members"),
                format!("{base}/meetings/{}#agenda", r.id),
                r.due_at.map(|at| left(now, at, "until it starts")),
                Vec::new(),
            )
        }
        WaitingKind::CheckIn => (
            format!("Check in after “{title}”: how was it for you?"),
            format!("{base}/meetings/{}/check-in", r.id),
            r.due_at.map(|at| left(now, at, "left to check in")),
            Vec::new(),
        ),
        WaitingKind::Offer => {
            let who = r.who.as_deref().unwrap_or("Someone");
            let text = match r.detail.as_deref() {
                Some("backup") => format!("{who} asks you to back up “{title}”"),
                Some("handoff") => format!("{who} asks you to take over “{title}”"),
                Some("note_taker") => format!("{who} asks you to take notes at “{title}”"),
                _ => format!("{who} asks you to carry “{title}”"),
            };
            (
                text,
                format!("{base}/offers/{}", r.id),
                r.due_at.map(|at| left(now, at, "left to answer")),
                vec![OneClick {
                    action: format!("{base}/offers/{}/accept", r.id),
                    label: "Accept".into(),
                    about: format!(" “{title}”"),
                    fields: Vec::new(),
                }],
            )
        }
        WaitingKind::Minutes => (
            format!("Write the minutes of “{title}”: you took the notes"),
            format!("{base}/meetings/{}#minutes", r.id),
            None,
            Vec::new(),
        ),
        WaitingKind::JoinRequest => (
            match r.n.unwrap_or_default() {
                1 => format!("{title} asks to join"),
                n => format!("{n} people ask to join"),
            },
            format!("{base}/join-requests"),
            None,
            Vec::new(),
        ),
        WaitingKind::Overdue => (
            format!("“{title}” is overdue"),
            format!("{base}/responsibilities/{}", r.id),
            r.due_on.map(|d| format!("was due {}", time::date(d))),
            Vec::new(),
        ),
    };
    Waiting {
        kind: r.kind,
        can_name: r.can_name,
        text,
        link,
        time_left,
        forms,
        due_at: r.due_at,
    }
}

/// "3 days left to answer", "5 hours until it starts", "less than an hour left to answer".
fn left(now: DateTime<Utc>, at: DateTime<Utc>, what: &str) -> String {
    let minutes = (at - now).num_minutes().max(0);
    // Days to the nearest (a round closing in 2 days 23 hours has "3 days left"); hours whole.
    let (hours, days) = (minutes / 60, (minutes + 12 * 60) / (60 * 24));
    match () {
        _ if hours >= 48 => format!("{days} days {what}"),
        _ if hours >= 2 => format!("{hours} hours {what}"),
        _ if hours == 1 => format!("1 hour {what}"),
        _ => format!("less than an hour {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn time_left_is_said_in_the_largest_whole_unit() {
        let now = Utc::now();
        let at = |m: i64| now + Duration::minutes(m);
        assert_eq!(left(now, at(3 * 24 * 60 + 5), "left"), "3 days left");
        assert_eq!(left(now, at(3 * 24 * 60 - 5), "left"), "3 days left");
        assert_eq!(left(now, at(47 * 60), "left"), "47 hours left");
        assert_eq!(left(now, at(90), "left"), "1 hour left");
        assert_eq!(left(now, at(20), "left"), "less than an hour left");
        assert_eq!(left(now, at(-20), "left"), "less than an hour left");
    }
}
