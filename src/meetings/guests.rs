//! Meetings open to the neighbourhood: a listed CAN opens a series or one meeting; visitors see it
//! on the CAN's public page and say "I'll come" with a name and an email address (no account),
//! confirmed through a single-use link; confirmed guests are reminded the day before, and their
//! details are deleted [`GUEST_DATA_KEPT_DAYS`] days after the meeting.
//!
//! Nothing is public unless the CAN is listed *when it is read*: the flags stay as set if a CAN
//! becomes invite-only, but no page, link or reminder uses them then.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::MeetingAccess;
use super::forms::{NewGuest, PublicSettings};
use super::mail::{GuestCancelled, GuestConfirm, GuestMoved, GuestReminder};
use super::queries::Meeting;
use super::queries::guests as q;
use super::when;
use crate::cans::access::{CanAccess, Facilitator};
use crate::cans::model::Can;
use crate::error::Result;
use crate::outbox::{self, MailText};
use crate::rate::{self, Limit, Scope};
use crate::web::{time, token};

pub use q::{ConfirmedGuest, GuestByLink, OpenMeeting, PublicState};

/// How far ahead the public page lists open meetings.
pub const WEEKS_AHEAD: i32 = 8;
/// Guests' names and addresses are deleted this many days after their meeting ended.
pub const GUEST_DATA_KEPT_DAYS: i32 = 28;
/// "I'll come" sign-ups from one client address in an hour.
pub const SIGN_UPS_PER_ADDRESS_PER_HOUR: i64 = 10;
/// Confirmation mails to one email address in an hour (asking again re-sends one).
pub const MAILS_PER_EMAIL_PER_HOUR: i64 = 3;
/// "I'll come" sign-ups for one CAN's meetings in an hour, from anywhere: many networks together
/// cannot turn a group's open meetings into a way of mailing any number of addresses.
pub const SIGN_UPS_PER_CAN_PER_HOUR: i64 = 60;
/// Reminders claimed per round of the job.
const BATCH: i64 = 50;

/// An open meeting as a visitor's page shows it: the time in words, in the group's zone.
#[derive(Debug, Clone)]
pub struct OpenMeetingLine {
    pub id: Uuid,
    pub title: String,
    /// "Tuesday 24 November 2026, 19:00–20:30".
    pub when: String,
    pub zone: chrono_tz::Tz,
    pub location: String,
    pub what_to_expect: String,
}

impl OpenMeetingLine {
    pub fn of(m: OpenMeeting, zone: chrono_tz::Tz) -> Self {
        Self {
            when: when(m.starts_at, m.ends_at, zone),
            id: m.id,
            title: m.title,
            zone,
            location: m.location,
            what_to_expect: m.what_to_expect,
        }
    }

    /// A call link rather than a place.
    pub fn location_is_link(&self) -> bool {
        self.location.starts_with("https://") || self.location.starts_with("http://")
    }
}

/// Open meetings of a listed CAN for its public page (nothing for an invite-only one).
pub async fn upcoming_open(db: &PgPool, can: &Can) -> Result<Vec<OpenMeetingLine>> {
    if !can.is_listed() {
        return Ok(Vec::new());
    }
    let open = q::open_meetings(db, can.id, WEEKS_AHEAD).await?;
    Ok(open
        .into_iter()
        .map(|m| OpenMeetingLine::of(m, can.time_zone))
        .collect())
}

/// One meeting a visitor may come to: the CAN listed, the meeting open, scheduled and ahead.
pub async fn visitable(db: &PgPool, can: &Can, meeting_id: Uuid) -> Result<Option<OpenMeeting>> {
    if !can.is_listed() {
        return Ok(None);
    }
    q::open_meeting(db, can.id, meeting_id).await
}

/// What saving public settings came to.
pub enum Saved {
    Saved,
    /// Only a listed CAN may open meetings (closing them is always allowed).
    NotListed,
}

/// Saving what is already there writes nothing (and no activity line).
fn unchanged(before: &PublicState, after: &PublicSettings) -> bool {
    before.open_to_public == after.open && before.what_to_expect == after.what_to_expect
}

/// The activity line's words for a change of public settings.
fn summary(who: &str, title: &str, before: &PublicState, after: &PublicSettings) -> String {
    match (before.open_to_public, after.open) {
        (false, true) => format!("{who} opened “{title}” to the neighbourhood"),
        (true, false) => format!("{who} closed “{title}” to the neighbourhood"),
        _ => format!("{who} changed what newcomers to “{title}” can expect"),
    }
}

/// Opens or closes a series (and so its meetings) to the neighbourhood. `None`: no such series.
pub async fn set_series(
    db: &PgPool,
    access: &CanAccess<Facilitator>,
    id: Uuid,
    settings: &PublicSettings,
) -> Result<Option<Saved>> {
    if settings.open && !access.can.is_listed() {
        return Ok(Some(Saved::NotListed));
    }
    let mut tx = db.begin().await?;
    let Some(before) = q::series_state(&mut *tx, access.can.id, id).await? else {
        return Ok(None);
    };
    if unchanged(&before, settings) {
        return Ok(Some(Saved::Saved));
    }
    let values = (settings.open, settings.what_to_expect.as_str());
    q::set_series(&mut tx, access.can.id, id, values).await?;
    let line = summary(&access.me.display_name, &before.title, &before, settings);
    access
        .log(&mut tx, "series.public", ("meeting_series", id), line)
        .await?;
    tx.commit().await?;
    Ok(Some(Saved::Saved))
}

/// Opens or closes one meeting on its own.
pub async fn set_meeting(
    db: &PgPool,
    access: &MeetingAccess<Facilitator>,
    settings: &PublicSettings,
) -> Result<Saved> {
    if settings.open && !access.can.is_listed() {
        return Ok(Saved::NotListed);
    }
    let (can_id, id) = (access.can.id, access.id());
    let mut tx = db.begin().await?;
    if let Some(before) = q::meeting_state(&mut *tx, can_id, id).await?
        && !unchanged(&before, settings)
    {
        q::set_meeting(
            &mut tx,
            can_id,
            id,
            (settings.open, &settings.what_to_expect),
        )
        .await?;
        let line = summary(&access.me.display_name, &before.title, &before, settings);
        access
            .log(&mut tx, "meeting.public", ("meeting", id), line)
            .await?;
    }
    tx.commit().await?;
    Ok(Saved::Saved)
}

/// What a visitor's "I'll come" came to.
pub enum SignUp {
    /// A confirmation link is on its way to the address.
    Mailed,
    /// Too many sign-ups lately: from this network, for this address, or for this group.
    TooMany { wait: Duration, crowded: Crowded },
}

/// Which limit a refused sign-up met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crowded {
    Network,
    Address,
    Group,
}

/// Writes the visitor down as a pending guest (one per address per meeting: asking again gives
/// the same guest a new link) and mails the confirmation link. Limited per client address and per
/// email address, counted before anything is written.
pub async fn sign_up(
    db: &PgPool,
    can: &Can,
    meeting: &OpenMeetingLine,
    guest: &NewGuest,
    address: &str,
    public_url: &str,
) -> Result<SignUp> {
    let email_key = guest.email.throttle_key();
    let network = network_of(address);
    let can_key = can.id.to_string();
    let hour = Duration::from_secs(3600);
    let limits = [
        Limit {
            scope: Scope::GuestAddress,
            key: &network,
            max: SIGN_UPS_PER_ADDRESS_PER_HOUR,
            window: hour,
        },
        Limit {
            scope: Scope::GuestCan,
            key: &can_key,
            max: SIGN_UPS_PER_CAN_PER_HOUR,
            window: hour,
        },
        Limit {
            scope: Scope::GuestEmail,
            key: &email_key,
            max: MAILS_PER_EMAIL_PER_HOUR,
            window: hour,
        },
    ];
    if let Err(exceeded) = rate::admit(db, &limits).await? {
        let crowded = match exceeded.scope {
            Scope::GuestAddress => Crowded::Network,
            Scope::GuestCan => Crowded::Group,
            _ => Crowded::Address,
        };
        tracing::warn!(address, ?crowded, "guest sign-up refused: too many lately");
        return Ok(SignUp::TooMany {
            wait: exceeded.wait,
            crowded,
        });
    }
    let secret = token::random();
    let mut tx = db.begin().await?;
    let id = q::upsert_guest(
        &mut tx,
        can.id,
        meeting.id,
        (&guest.name, guest.email.as_str()),
        &token::hash(&secret),
    )
    .await?;
    let link = format!("{public_url}/c/{}/guests/{secret}", can.slug);
    let cancel_link = format!("{link}/cancel");
    let mail = GuestConfirm {
        name: &guest.name,
        can_name: &can.name,
        title: &meeting.title,
        when: meeting.when.clone(),
        zone: can.time_zone,
        location: &meeting.location,
        link: &link,
        cancel_link: &cancel_link,
    };
    // Each sending is its own mail: asking again is how a lost mail is sent again.
    let key = format!("meeting-guest:{id}:confirm:{}", Uuid::now_v7());
    outbox::enqueue(
        &mut *tx,
        &mail.to(guest.email.as_str(), Some(can.id), Some(key))?,
    )
    .await?;
    tx.commit().await?;
    Ok(SignUp::Mailed)
}

/// The guest a link belongs to (nothing for an invite-only CAN). A GET: writes nothing.
pub async fn by_link(db: &PgPool, can: &Can, secret: &str) -> Result<Option<GuestByLink>> {
    if !can.is_listed() {
        return Ok(None);
    }
    q::guest_by_link(db, can.id, &token::hash(secret), false).await
}

/// What pressing a button behind a guest's link came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Confirmed,
    AlreadyConfirmed,
    Cancelled,
    AlreadyCancelled,
    /// The meeting is no longer open, scheduled and ahead.
    Closed,
    /// No such link (used up by a newer one, or the guest's details deleted).
    Unknown,
}

/// The guest confirms they'll come. A link confirms once; after a cancellation, only asking
/// again (a new link) brings the guest back.
pub async fn confirm(db: &PgPool, can: &Can, secret: &str) -> Result<Answer> {
    answer(db, can, secret, true).await
}

/// "I can't come after all."
pub async fn cancel(db: &PgPool, can: &Can, secret: &str) -> Result<Answer> {
    answer(db, can, secret, false).await
}

async fn answer(db: &PgPool, can: &Can, secret: &str, coming: bool) -> Result<Answer> {
    if !can.is_listed() {
        return Ok(Answer::Unknown);
    }
    let mut tx = db.begin().await?;
    let Some(guest) = q::guest_by_link(&mut *tx, can.id, &token::hash(secret), true).await? else {
        return Ok(Answer::Unknown);
    };
    let date = time::date_in(guest.starts_at, can.time_zone);
    let outcome = if guest.cancelled_at.is_some() {
        Answer::AlreadyCancelled
    } else if !guest.still_open {
        Answer::Closed
    } else if coming && guest.confirmed_at.is_some() {
        Answer::AlreadyConfirmed
    } else if coming {
        q::mark_confirmed(&mut tx, guest.id).await?;
        let line = format!("A visitor will come to “{}” on {date}", guest.title);
        log(
            &mut tx,
            can.id,
            "meeting.guest_confirmed",
            guest.meeting_id,
            line,
        )
        .await?;
        Answer::Confirmed
    } else {
        q::mark_cancelled(&mut tx, guest.id).await?;
        if guest.confirmed_at.is_some() {
            let line = format!(
                "A visitor can no longer come to “{}” on {date}",
                guest.title
            );
            log(
                &mut tx,
                can.id,
                "meeting.guest_cancelled",
                guest.meeting_id,
                line,
            )
            .await?;
        }
        Answer::Cancelled
    };
    tx.commit().await?;
    Ok(outcome)
}

/// A visitor's doing: an activity line without an actor, and without their name (the line
/// outlives the guest's details).
async fn log(
    conn: &mut sqlx::PgConnection,
    can_id: Uuid,
    action: &str,
    meeting_id: Uuid,
    summary: String,
) -> Result<()> {
    crate::cans::activity::record(
        conn,
        crate::cans::activity::Entry {
            can_id,
            actor_id: None,
            action,
            subject_type: "meeting",
            subject_id: Some(meeting_id),
            summary,
        },
    )
    .await
}

/// A guest as the meeting page lists them.
#[derive(Debug, Clone)]
pub struct GuestRow {
    pub name: String,
    /// Only for those who schedule meetings (facilitators and organisers).
    pub email: Option<String>,
}

/// The meeting page's "open to the neighbourhood" line and its guests.
#[derive(Debug, Clone, Default)]
pub struct GuestBlock {
    /// The meeting is opened on its own.
    pub open: bool,
    /// Its series is open (and so the meeting with it).
    pub series_open: bool,
    /// Confirmed guests.
    pub guests: Vec<GuestRow>,
    /// How many asked and have not confirmed yet.
    pub pending: usize,
}

impl GuestBlock {
    pub fn is_open(&self) -> bool {
        self.open || self.series_open
    }
}

/// The meeting page's guests block: whether the meeting is open, and its guests (with their
/// addresses for those who run meetings). Reads the guests only when there are any.
pub async fn block(db: &PgPool, g: &Meeting, with_emails: bool) -> Result<GuestBlock> {
    let mut block = GuestBlock {
        open: g.open_to_public,
        series_open: g.series_open,
        ..GuestBlock::default()
    };
    if !g.has_guests {
        return Ok(block);
    }
    for line in q::guest_lines(db, g.can_id, g.id, with_emails).await? {
        // Someone who has not confirmed has not shown the address is theirs: counted, not named.
        if line.guest_id.is_some() && !line.confirmed {
            block.pending += 1;
            continue;
        }
        if let (Some(_), Some(name)) = (line.guest_id, line.name) {
            block.guests.push(GuestRow {
                name,
                email: line.email,
            });
        }
    }
    Ok(block)
}

/// Guests who confirmed and have not cancelled (name and address), for mails about a meeting
/// that moves or is cancelled.
pub async fn confirmed_guests(
    conn: impl sqlx::PgExecutor<'_>,
    can_id: Uuid,
    meeting_id: Uuid,
) -> Result<Vec<ConfirmedGuest>> {
    q::confirmed_guests(conn, can_id, meeting_id).await
}

/// What became of a meeting its guests said they would come to.
pub enum Change {
    /// Moved from `was` (start, end). `reminds` when the new time is within a day, so this mail
    /// is the reminder; otherwise the clock reminds them before the new time.
    Moved {
        was: (DateTime<Utc>, DateTime<Utc>),
        reminds: bool,
        sequence: i32,
    },
    Cancelled {
        sequence: i32,
    },
}

/// A meeting's news for its guests: which meeting, when it is (now, or was if cancelled), and
/// what changed.
pub struct News<'a> {
    pub can: &'a Can,
    pub meeting_id: Uuid,
    pub title: &'a str,
    pub location: &'a str,
    pub at: (DateTime<Utc>, DateTime<Utc>),
    pub change: Change,
}

/// Tells the meeting's confirmed guests, in the caller's transaction, that it moved (with a
/// fresh "I can't come" link, which replaces the earlier one) or was cancelled. Members are told
/// by the meeting's own mails; guests have no account, so theirs speak to a visitor.
pub async fn tell(conn: &mut PgConnection, news: &News<'_>, base_url: &str) -> Result<usize> {
    // An invite-only CAN mails nothing to outsiders (their links would not open either).
    if !news.can.is_listed() {
        return Ok(0);
    }
    let guests = q::confirmed_guests(&mut *conn, news.can.id, news.meeting_id).await?;
    let tz = news.can.time_zone;
    let now = when(news.at.0, news.at.1, tz);
    for g in &guests {
        let mail = match &news.change {
            Change::Moved {
                was,
                reminds,
                sequence,
            } => {
                let secret = token::random();
                let cancel_link = format!("{base_url}/c/{}/guests/{secret}/cancel", news.can.slug);
                let mail = GuestMoved {
                    name: &g.name,
                    can_name: &news.can.name,
                    title: news.title,
                    was: when(was.0, was.1, tz),
                    when: now.clone(),
                    zone: tz,
                    location: news.location,
                    cancel_link: &cancel_link,
                };
                q::moved(&mut *conn, g.id, &token::hash(&secret), *reminds).await?;
                let key = format!("meeting-guest:{}:moved:{sequence}", g.id);
                mail.to(&g.email, Some(news.can.id), Some(key))?
            }
            Change::Cancelled { sequence } => {
                let key = format!("meeting-guest:{}:cancelled:{sequence}", g.id);
                GuestCancelled {
                    name: &g.name,
                    can_name: &news.can.name,
                    title: news.title,
                    when: now.clone(),
                    zone: tz,
                    public_page: &format!("{base_url}/c/{}", news.can.slug),
                }
                .to(&g.email, Some(news.can.id), Some(key))?
            }
        };
        outbox::enqueue(&mut *conn, &mail).await?;
    }
    Ok(guests.len())
}

/// The network a client address stands for: an IPv4 address itself, an IPv6 address its /64
/// (one household or phone is usually given a whole /64, so counting single addresses would
/// not limit it at all).
fn network_of(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => address.to_string(),
    }
}

/// Of the meetings a series change moved or cancelled, those whose confirmed guests must hear of
/// it (none in an invite-only CAN, which mails no outsiders).
pub async fn to_tell(conn: &mut PgConnection, can: &Can, meetings: &[Uuid]) -> Result<Vec<Uuid>> {
    if meetings.is_empty() || !can.is_listed() {
        return Ok(Vec::new());
    }
    q::with_confirmed_guests(conn, can.id, meetings).await
}

/// What a round of the guests' clock did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct GuestTick {
    pub reminded: usize,
    pub forgotten: u64,
}

/// The clock's work for guests: remind the day before, forget some weeks after.
pub async fn tick(db: &PgPool, base_url: &str) -> Result<GuestTick> {
    Ok(GuestTick {
        reminded: remind(db, base_url).await?,
        forgotten: forget_past(db).await?,
    })
}

/// Reminds confirmed guests of open meetings starting within a day, once each (rows claimed with
/// SKIP LOCKED, so two instances share the work). A reminder carries a new link, which replaces
/// the earlier one (only hashes are kept, so the old link cannot be mailed again). Returns how
/// many reminders were written.
pub async fn remind(db: &PgPool, base_url: &str) -> Result<usize> {
    let mut reminded = 0;
    loop {
        let mut tx = db.begin().await?;
        let due = q::claim_due_reminders(&mut tx, BATCH).await?;
        if due.is_empty() {
            break;
        }
        for g in &due {
            let secret = token::random();
            let cancel_link = format!("{base_url}/c/{}/guests/{secret}/cancel", g.slug);
            let mail = GuestReminder {
                name: &g.name,
                can_name: &g.can_name,
                title: &g.title,
                day: day_words(g.starts_at, g.tz),
                when: when(g.starts_at, g.ends_at, g.tz),
                zone: g.tz,
                location: &g.location,
                what_to_expect: &g.what_to_expect,
                cancel_link: &cancel_link,
            };
            // Keyed by the meeting's sequence: moved after a reminder, it is reminded of again.
            let key = format!("meeting-guest:{}:reminder:{}", g.id, g.sequence);
            let mail = mail.to(&g.email, Some(g.can_id), Some(key))?;
            let written = outbox::enqueue(&mut *tx, &mail).await?;
            let hash = token::hash(&secret);
            q::mark_reminded(&mut tx, g.id, written.then_some(hash.as_slice())).await?;
            reminded += 1;
        }
        tx.commit().await?;
    }
    Ok(reminded)
}

/// "today", "tomorrow" or the date, in the group's zone, as is true when the mail is written.
fn day_words(at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    let day = at.with_timezone(&tz).date_naive();
    let today = time::today_in(tz);
    if day == today {
        "today".into()
    } else if Some(day) == today.succ_opt() {
        "tomorrow".into()
    } else {
        format!("on {}", time::date_in(at, tz))
    }
}

/// Deletes guests' names and addresses [`GUEST_DATA_KEPT_DAYS`] days after their meeting.
pub async fn forget_past(db: &PgPool) -> Result<u64> {
    q::forget_past(db, GUEST_DATA_KEPT_DAYS).await
}

#[cfg(test)]
mod tests {
    use super::network_of;

    #[test]
    fn an_ipv6_client_counts_as_its_64_and_an_ipv4_one_as_itself() {
        assert_eq!(network_of("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(network_of("2001:db8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
        assert_eq!(network_of("192.0.2.7"), "192.0.2.7");
    }
}
