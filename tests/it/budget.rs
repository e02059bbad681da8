//! The query budget (issue 13): every page answers in a handful of SQL statements, the same
//! handful however many members, meetings and responsibilities a group has, and a GET writes
//! nothing. A page that runs a query per row is fast on a demo and collapses on a real group, and
//! nothing else would tell us before a benchmark does.
//!
//! How it counts: the test cluster loads `pg_stat_statements` (top-level statements only, BEGIN
//! and COMMIT not counted; see `helpers.rs`). Each page is opened once to warm the connections,
//! then this database's counters are reset, the page is opened again, and the statements this
//! database ran are read back — from the `postgres` database, so that reading adds nothing. The
//! app runs in process with no clock, so what is counted is the request's own work: its session
//! lookup included, the sign-in before it not. Two databases filled by the product's own
//! generator, a small one and a bigger one (grown by hand where the generator keeps a list at a
//! fixed size, and checked to hold more of every list a page shows), must give the same count for
//! every page: a statement per row shows up as a difference.

use std::fmt::Write as _;

use axum::http::StatusCode;
use canopy::seed::{self, SeedOptions, SeedReport};
use sqlx::Connection;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, postgres_connection};

/// Who opens a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Organiser,
    PlainMember,
    /// A calendar app: no cookie, only the private link.
    CalendarApp,
}

/// A page of the budget: its name in reports, its path (`{held}`, `{next}`, `{member}`,
/// `{responsibility}` and `{feed}` are filled in per fixture), who opens it, and the most
/// statements it may take.
struct Budget {
    name: &'static str,
    path: &'static str,
    who: Who,
    budget: usize,
}

const fn page(name: &'static str, path: &'static str, who: Who, budget: usize) -> Budget {
    Budget {
        name,
        path,
        who,
        budget,
    }
}

/// Every page of issue 13 and the ones beside them; ten statements at most, whatever the page.
const PAGES: &[Budget] = &[
    page("dashboard (organiser)", "/", Who::Organiser, 10),
    page("dashboard (member)", "/", Who::PlainMember, 10),
    page("CAN home", "/c/seed-1", Who::Organiser, 10),
    page("meetings list", "/c/seed-1/meetings", Who::Organiser, 10),
    page(
        "held meeting",
        "/c/seed-1/meetings/{held}",
        Who::Organiser,
        10,
    ),
    page(
        "upcoming meeting",
        "/c/seed-1/meetings/{next}",
        Who::Organiser,
        10,
    ),
    page(
        "run view",
        "/c/seed-1/meetings/{next}/run",
        Who::Organiser,
        10,
    ),
    page("board", "/c/seed-1/responsibilities", Who::Organiser, 10),
    page(
        "board: unowned",
        "/c/seed-1/responsibilities?filter=unowned",
        Who::Organiser,
        10,
    ),
    page(
        "board: no backup",
        "/c/seed-1/responsibilities?filter=no_backup",
        Who::Organiser,
        10,
    ),
    page(
        "board: overdue",
        "/c/seed-1/responsibilities?filter=overdue",
        Who::Organiser,
        10,
    ),
    page(
        "board: mine",
        "/c/seed-1/responsibilities?filter=mine",
        Who::Organiser,
        10,
    ),
    page(
        "board: by goal",
        "/c/seed-1/responsibilities?by=goal",
        Who::Organiser,
        10,
    ),
    page(
        "responsibility",
        "/c/seed-1/responsibilities/{responsibility}",
        Who::Organiser,
        10,
    ),
    page("load view", "/c/seed-1/load", Who::Organiser, 10),
    page("health view", "/c/seed-1/health", Who::Organiser, 10),
    page("stage guide", "/c/seed-1/stage", Who::Organiser, 10),
    page("CAN calendar", "/c/seed-1/calendar.ics", Who::Organiser, 10),
    page("directory", "/c", Who::Organiser, 10),
    page("vision", "/c/seed-1/vision", Who::Organiser, 10),
    page("members", "/c/seed-1/members", Who::Organiser, 10),
    page(
        "member page",
        "/c/seed-1/members/{member}",
        Who::Organiser,
        10,
    ),
    page("activity", "/c/seed-1/activity", Who::Organiser, 10),
    page("profile", "/account/profile", Who::Organiser, 10),
    page("private feed", "{feed}", Who::CalendarApp, 10),
    // Meetings open to the neighbourhood (issue 14); visitors are signed out, as a calendar app is.
    page("public page (visitor)", "/c/seed-1", Who::CalendarApp, 10),
    page(
        "visit an open meeting",
        "/c/seed-1/visit/{next}",
        Who::CalendarApp,
        10,
    ),
    page(
        "guest's link",
        "/c/seed-1/guests/{guest}",
        Who::CalendarApp,
        10,
    ),
    page(
        "guest's cancel link",
        "/c/seed-1/guests/{guest}/cancel",
        Who::CalendarApp,
        10,
    ),
    page(
        "meeting: open to the neighbourhood",
        "/c/seed-1/meetings/{next}/public",
        Who::Organiser,
        10,
    ),
    page(
        "series: open to the neighbourhood",
        "/c/seed-1/meetings/series/{series}/public",
        Who::Organiser,
        10,
    ),
    page("public feed", "/c/seed-1/public.ics", Who::CalendarApp, 10),
    page(
        "series page",
        "/c/seed-1/meetings/series/{series}",
        Who::Organiser,
        10,
    ),
    // Issue 15: an ask waiting for the member's answer, seen by the organiser who asked.
    page("offer", "/c/seed-1/offers/{offer}", Who::Organiser, 10),
    page(
        "offer (asked)",
        "/c/seed-1/offers/{offer}",
        Who::PlainMember,
        10,
    ),
    // Issue 15: the inbox (the organiser has notifications, more on the big group), the mail
    // settings, and an unsubscribe link opened from a mail (no session).
    page("inbox", "/notifications", Who::Organiser, 10),
    page(
        "mail settings",
        "/notifications/settings",
        Who::Organiser,
        10,
    ),
    page("unsubscribe link", "{unsubscribe}", Who::CalendarApp, 10),
    // Issue 16: asking for a hand. The organiser asked the fixture's request (and sees who
    // offered); the member sees how many did.
    page("support", "/c/seed-1/support", Who::Organiser, 10),
    page(
        "support (member)",
        "/c/seed-1/support",
        Who::PlainMember,
        10,
    ),
    page(
        "support request",
        "/c/seed-1/support/{support}",
        Who::Organiser,
        10,
    ),
    page(
        "support request (member)",
        "/c/seed-1/support/{support}",
        Who::PlainMember,
        10,
    ),
    // Issue 16: a member's welcome page, and the organisers' newcomers page.
    page("welcome", "/c/seed-1/welcome", Who::PlainMember, 10),
    page("newcomers", "/c/seed-1/newcomers", Who::Organiser, 10),
    // Issue 16: the stage guide and the CAN home say what needs attention, read by a member (who
    // is not told who drifts) as by an organiser; the health view for a member too.
    page("CAN home (member)", "/c/seed-1", Who::PlainMember, 10),
    page(
        "stage guide (member)",
        "/c/seed-1/stage",
        Who::PlainMember,
        10,
    ),
    page(
        "health view (member)",
        "/c/seed-1/health",
        Who::PlainMember,
        10,
    ),
    // Issue 16: leaving asks for confirmation (what it hands back); time away asks until when.
    page(
        "leave: confirmation",
        "/c/seed-1/membership/leave",
        Who::Organiser,
        10,
    ),
    page(
        "away for a while",
        "/c/seed-1/membership/pause",
        Who::Organiser,
        10,
    ),
    // Issue 16: the pathways view, and a member's own page with their own path.
    page("pathways", "/c/seed-1/pathways", Who::Organiser, 10),
    page(
        "own member page (own path)",
        "/c/seed-1/members/{member}",
        Who::PlainMember,
        10,
    ),
    // Issue 17: proposals (the list, the form, a proposal answered by everyone, its amendment).
    page("proposals", "/c/seed-1/proposals", Who::PlainMember, 10),
    page(
        "new proposal",
        "/c/seed-1/proposals/new",
        Who::PlainMember,
        10,
    ),
    page(
        "proposal",
        "/c/seed-1/proposals/{proposal}",
        Who::PlainMember,
        10,
    ),
    page(
        "amend a proposal",
        "/c/seed-1/proposals/{proposal}/amend",
        Who::Organiser,
        10,
    ),
    // Issue 17: discussion threads on every kind of subject (a comment from each active member,
    // some edited, hidden or removed), a comment's history and its edit form.
    page(
        "proposal thread",
        "/c/seed-1/threads/proposal/{proposal}",
        Who::Organiser,
        10,
    ),
    page(
        "proposal thread (member)",
        "/c/seed-1/threads/proposal/{proposal}",
        Who::PlainMember,
        10,
    ),
    page(
        "objection thread",
        "/c/seed-1/threads/objection/{round}/{member}",
        Who::Organiser,
        10,
    ),
    page(
        "hope thread",
        "/c/seed-1/threads/hope/{hope}",
        Who::PlainMember,
        10,
    ),
    page(
        "responsibility thread",
        "/c/seed-1/threads/responsibility/{responsibility}",
        Who::Organiser,
        10,
    ),
    page(
        "meeting thread",
        "/c/seed-1/threads/meeting/{held}",
        Who::Organiser,
        10,
    ),
    page(
        "comment history",
        "/c/seed-1/comments/{comment}/history",
        Who::PlainMember,
        10,
    ),
    page(
        "comment edit",
        "/c/seed-1/comments/{comment}/edit",
        Who::Organiser,
        10,
    ),
    // Issue 17: search (a word on many rows, a rare one, a second page) and the decisions list
    // (whole, narrowed by words, an older page).
    page(
        "search: common word",
        "/c/seed-1/search?q=meeting",
        Who::PlainMember,
        10,
    ),
    page(
        "search: rare word",
        "/c/seed-1/search?q=wheelbarrow",
        Who::Organiser,
        10,
    ),
    page(
        "search: second page",
        "/c/seed-1/search?q=meeting&page=2",
        Who::PlainMember,
        10,
    ),
    page("decisions", "/c/seed-1/decisions", Who::PlainMember, 10),
    page(
        "decisions: narrowed",
        "/c/seed-1/decisions?q=meeting",
        Who::Organiser,
        10,
    ),
];

/// The fixture's open proposal (by the organiser, amended once, answered by every active member,
/// half of them to the first text), its consent round (where the plain member objects), a hope of
/// the plain member's, and the organiser's edited comment on the held meeting; each fixture is its
/// own database, so fixed ids serve both.
const PROPOSAL: &str = "01900000-0000-7000-8000-0000000000b1";
const ROUND: &str = "01900000-0000-7000-8000-0000000000b2";
const HOPE: &str = "01900000-0000-7000-8000-0000000000b3";
const COMMENT: &str = "01900000-0000-7000-8000-0000000000b4";

/// The fixture's request for a hand (asked by the organiser, offered on by the other members).
const SUPPORT: &str = "01900000-0000-7000-8000-0000000000a1";

/// The fixture's open offer (the organiser asks the member to back up its responsibility); each
/// fixture is its own database, so one fixed id serves both.
const OFFER: &str = "01900000-0000-7000-8000-00000000000f";

/// The link of the fixture's guest of the upcoming meeting (only its hash is stored).
const GUEST_LINK: &str = "budget-guest-link";

/// One statement as `pg_stat_statements` keeps it: normalised text and how often it ran.
type Statement = (String, i64);

/// How big a fixture is. The generator keeps some lists at a fixed size whatever the options
/// (three goals, a role or two per core member, a few vision versions, a handful of agenda items
/// and a decision per meeting, one CAN per person); a grown fixture gets more of those by hand, so
/// that a statement per row of any list a page shows makes the two counts differ.
struct Size {
    label: &'static str,
    cans: u32,
    members: u32,
    weeks: u32,
    grown: bool,
}

const SMALL: Size = Size {
    label: "small (2 CANs × 8 members × 4 weeks)",
    cans: 2,
    members: 8,
    weeks: 4,
    grown: false,
};

const BIG: Size = Size {
    label: "big (6 CANs × 24 members × 12 weeks, grown)",
    cans: 6,
    members: 24,
    weeks: 12,
    grown: true,
};

/// The rows of one list a page shows, counted in a fixture: the big one must hold more of each.
/// `$1` CAN seed-1, `$2` the held meeting, `$3` the upcoming one, `$4` the responsibility, `$5`
/// the plain member, `$6` the organiser.
const LISTS: &[(&str, &str)] = &[
    (
        "listed CANs",
        "SELECT count(*) FROM cans WHERE visibility = 'listed'",
    ),
    (
        "organiser's CANs",
        "SELECT count(*) FROM memberships WHERE member_id = $6 AND status = 'active'",
    ),
    (
        "member's CANs",
        "SELECT count(*) FROM memberships WHERE member_id = $5 AND status = 'active'",
    ),
    (
        "organiser carries",
        "SELECT count(*) FROM carriers WHERE member_id = $6 AND until_at IS NULL",
    ),
    (
        "member carries",
        "SELECT count(*) FROM carriers WHERE member_id = $5 AND until_at IS NULL",
    ),
    (
        "memberships",
        "SELECT count(*) FROM memberships WHERE can_id = $1",
    ),
    (
        "active role grants",
        "SELECT count(*) FROM role_grants WHERE can_id = $1 AND ended_at IS NULL",
    ),
    (
        "held meetings",
        "SELECT count(*) FROM meetings WHERE can_id = $1 AND status = 'held'",
    ),
    (
        "meetings ahead",
        "SELECT count(*) FROM meetings WHERE can_id = $1 AND status = 'scheduled' AND starts_at > now()",
    ),
    (
        "attendance",
        "SELECT count(*) FROM attendance WHERE can_id = $1",
    ),
    (
        "check-ins",
        "SELECT count(*) FROM check_ins WHERE can_id = $1",
    ),
    ("hopes", "SELECT count(*) FROM hopes WHERE can_id = $1"),
    ("goals", "SELECT count(*) FROM goals WHERE can_id = $1"),
    (
        "vision versions",
        "SELECT count(*) FROM vision_versions WHERE can_id = $1",
    ),
    (
        "responsibilities",
        "SELECT count(*) FROM responsibilities WHERE can_id = $1",
    ),
    (
        "carriers",
        "SELECT count(*) FROM carriers WHERE can_id = $1",
    ),
    (
        "activity",
        "SELECT count(*) FROM activity_log WHERE can_id = $1",
    ),
    (
        "held: agenda items",
        "SELECT count(*) FROM agenda_items WHERE meeting_id = $2",
    ),
    (
        "held: decisions",
        "SELECT count(*) FROM decisions WHERE meeting_id = $2",
    ),
    (
        "held: action items",
        "SELECT count(*) FROM action_items WHERE meeting_id = $2",
    ),
    (
        "held: attendance",
        "SELECT count(*) FROM attendance WHERE meeting_id = $2",
    ),
    (
        "upcoming: agenda items",
        "SELECT count(*) FROM agenda_items WHERE meeting_id = $3",
    ),
    (
        "upcoming: RSVPs",
        "SELECT count(*) FROM rsvps WHERE meeting_id = $3",
    ),
    (
        "responsibility: carriers",
        "SELECT count(*) FROM carriers WHERE responsibility_id = $4",
    ),
    (
        "responsibility: notes",
        "SELECT count(*) FROM progress_notes WHERE responsibility_id = $4",
    ),
    (
        "member: role history",
        "SELECT count(*) FROM role_grants WHERE can_id = $1 AND member_id = $5",
    ),
    (
        "organiser's notifications",
        "SELECT count(*) FROM notifications WHERE member_id = $6",
    ),
    (
        "requests for a hand",
        "SELECT count(*) FROM support_requests WHERE can_id = $1",
    ),
    (
        "offers to help",
        "SELECT count(*) FROM support_offers WHERE can_id = $1",
    ),
    (
        "comments",
        "SELECT count(*) FROM comments WHERE can_id = $1",
    ),
    (
        "comment edits",
        "SELECT count(*) FROM comment_edits WHERE can_id = $1",
    ),
    (
        "decisions",
        "SELECT count(*) FROM decisions WHERE can_id = $1",
    ),
    (
        "searchable things",
        "SELECT count(*) FROM search_entries WHERE can_id = $1",
    ),
];

/// More of what the generator keeps at a fixed size, around the rows the pages show. Plain
/// inserts, checked by the schema's constraints; `$1`…`$6` as in [`LISTS`].
const GROW: &[&str] = &[
    // The organiser and the plain member belong to every CAN, and back something up in each.
    "INSERT INTO memberships (id, can_id, member_id, status, joined_at, rules_acknowledged_at, status_changed_at)
     SELECT gen_random_uuid(), c.id, p.id, 'active', now() - interval '60 days', now() - interval '60 days',
            now() - interval '60 days'
     FROM cans c CROSS JOIN unnest(ARRAY[$5, $6]::uuid[]) AS p (id)
     ON CONFLICT (can_id, member_id) DO NOTHING",
    "INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, from_at, arranged_by)
     SELECT DISTINCT ON (r.can_id, p.id) gen_random_uuid(), r.can_id, r.id, p.id, 'backup',
            now() - interval '20 days', p.id
     FROM responsibilities r CROSS JOIN unnest(ARRAY[$5, $6]::uuid[]) AS p (id)
     WHERE r.can_id <> $1 AND r.status IN ('open', 'active')
       AND NOT EXISTS (SELECT 1 FROM carriers k WHERE k.responsibility_id = r.id AND k.member_id = p.id
                       AND k.until_at IS NULL)
     ORDER BY r.can_id, p.id, r.title",
    "INSERT INTO goals (id, can_id, title, status, created_by, created_at)
     SELECT gen_random_uuid(), $1, 'Another goal, number ' || i, 'active', $6, now() - make_interval(days => i)
     FROM generate_series(1, 5) AS i",
    "INSERT INTO role_grants (id, can_id, member_id, role, granted_by, granted_at)
     SELECT gen_random_uuid(), m.can_id, m.member_id, 'facilitator', $6, now() - interval '10 days'
     FROM memberships m
     WHERE m.can_id = $1 AND m.status = 'active' AND m.member_id <> $5
       AND NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.can_id = m.can_id AND g.member_id = m.member_id
                       AND g.role = 'facilitator' AND g.ended_at IS NULL)
     ORDER BY m.joined_at LIMIT 5",
    // Roles the plain member held once (and holds no more).
    "INSERT INTO role_grants (id, can_id, member_id, role, granted_by, granted_at, ended_at, ended_by)
     SELECT gen_random_uuid(), $1, $5, x.role, $6, now() - make_interval(days => 200 - 30 * x.i::int),
            now() - make_interval(days => 190 - 30 * x.i::int), $6
     FROM unnest(ARRAY['facilitator', 'coordinator', 'organiser']) WITH ORDINALITY AS x (role, i)",
    "INSERT INTO vision_versions (id, can_id, number, body, author_id, based_on, created_at)
     SELECT gen_random_uuid(), $1, v.top + i, 'A draft that goes further, number ' || i, $6, v.top,
            now() - make_interval(days => 10 - i)
     FROM (SELECT max(number) AS top FROM vision_versions WHERE can_id = $1) AS v, generate_series(1, 3) AS i",
    "INSERT INTO decisions (id, can_id, meeting_id, body, recorded_by, created_at)
     SELECT gen_random_uuid(), $1, g.id, 'We also agreed on point ' || i, $6, g.ends_at - make_interval(mins => 30 - i)
     FROM meetings g, generate_series(1, 5) AS i WHERE g.id = $2",
    "INSERT INTO action_items (id, can_id, meeting_id, title, owner_id, due_on, status, created_by, created_at)
     SELECT gen_random_uuid(), $1, g.id, 'Follow up on point ' || m.i, m.member_id, current_date + m.i::int, 'open',
            $6, g.ends_at - interval '5 minutes'
     FROM meetings g,
          (SELECT member_id, row_number() OVER (ORDER BY joined_at) AS i FROM memberships
           WHERE can_id = $1 AND status = 'active' LIMIT 5) AS m
     WHERE g.id = $2",
    "INSERT INTO agenda_items (id, can_id, meeting_id, position, title, status, proposed_by, created_at)
     SELECT gen_random_uuid(), $1, g.id, a.top + i, 'One more thing, number ' || i,
            CASE WHEN g.status = 'held' THEN 'done' ELSE 'open' END, $6, g.starts_at - interval '2 days'
     FROM meetings g,
          LATERAL (SELECT coalesce(max(position), 0) AS top FROM agenda_items WHERE meeting_id = g.id) AS a,
          generate_series(1, 5) AS i
     WHERE g.id IN ($2, $3)",
    // Earlier carriers who handed the responsibility on, and notes along the way.
    "INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, from_at, until_at, arranged_by, ended_how)
     SELECT gen_random_uuid(), $1, $4, m.member_id, 'carrier', now() - make_interval(days => 400 - 20 * m.i::int),
            now() - make_interval(days => 390 - 20 * m.i::int), $6, 'handed_off'
     FROM (SELECT member_id, row_number() OVER (ORDER BY joined_at) AS i FROM memberships
           WHERE can_id = $1 AND status = 'active' LIMIT 4) AS m",
    "INSERT INTO progress_notes (id, can_id, responsibility_id, author_id, body, created_at)
     SELECT gen_random_uuid(), $1, $4, $6, 'Still going, note ' || i, now() - make_interval(days => 30 - i)
     FROM generate_series(1, 5) AS i",
];

/// The rows a fixture's pages are about.
#[derive(Clone, Copy)]
struct Ids {
    can: Uuid,
    held: Uuid,
    next: Uuid,
    responsibility: Uuid,
    member: Uuid,
    organiser: Uuid,
}

/// A seeded database, its accounts signed in, and the ids its page paths need.
struct Fixture {
    label: &'static str,
    app: TestApp,
    organiser: Browser,
    member: Browser,
    calendar_app: Browser,
    ids: Ids,
    feed: String,
    /// The series of the upcoming meeting (open to the neighbourhood).
    series: Uuid,
    /// The organiser's one-click unsubscribe path for one kind.
    unsubscribe: String,
}

impl Fixture {
    async fn seeded(size: &Size) -> Fixture {
        let label = size.label;
        let app = TestApp::new().await;
        let report = seed::run(
            &app.db,
            &SeedOptions {
                cans: size.cans,
                members: size.members,
                weeks: size.weeks,
                ..SeedOptions::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("seeding the {label} fixture failed: {e}"));
        let mut organiser = signed_in(&app, &report, "organiser").await;
        let member = signed_in(&app, &report, "member").await;

        let can: Uuid = scalar(&app, "SELECT id FROM cans WHERE slug = 'seed-1'", None).await;
        // The latest meeting that has everything a held meeting's page shows.
        let held: Uuid = scalar(
            &app,
            "SELECT g.id FROM meetings g WHERE g.can_id = $1 AND g.status = 'held'
               AND btrim(g.minutes) <> ''
               AND EXISTS (SELECT 1 FROM decisions d WHERE d.meeting_id = g.id)
               AND EXISTS (SELECT 1 FROM action_items a WHERE a.meeting_id = g.id)
               AND EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = g.id)
             ORDER BY g.starts_at DESC LIMIT 1",
            Some(can),
        )
        .await;
        let next: Uuid = scalar(
            &app,
            "SELECT id FROM meetings WHERE can_id = $1 AND status = 'scheduled' AND starts_at > now()
             ORDER BY starts_at LIMIT 1",
            Some(can),
        )
        .await;
        // The one whose page has the most history: carriers, backups, hand-offs.
        let responsibility: Uuid = scalar(
            &app,
            "SELECT r.id FROM responsibilities r LEFT JOIN carriers k ON k.responsibility_id = r.id
             WHERE r.can_id = $1 GROUP BY r.id ORDER BY count(k.*) DESC, r.title LIMIT 1",
            Some(can),
        )
        .await;
        let account = |role| report.account(role).expect("the seed prints its accounts");
        let ids = Ids {
            can,
            held,
            next,
            responsibility,
            member: app.member_id(&account("member").email).await,
            organiser: app.member_id(&account("organiser").email).await,
        };
        if size.grown {
            let mut tx = app.db.begin().await.unwrap();
            for sql in GROW {
                ids.bind(sqlx::query(sql))
                    .execute(&mut *tx)
                    .await
                    .unwrap_or_else(|e| panic!("growing the {label} fixture: {e}\n{sql}"));
            }
            tx.commit().await.unwrap();
        }

        // Issue 14: seed-1's series is open to the neighbourhood and its next meeting has a
        // confirmed guest, so the visitors' pages have something to show.
        let series: Uuid = scalar(
            &app,
            "SELECT series_id FROM meetings WHERE id = $1",
            Some(ids.next),
        )
        .await;
        sqlx::query(
            "UPDATE meeting_series SET open_to_public = true, what_to_expect = 'Tea first.'
             WHERE id = $1",
        )
        .bind(series)
        .execute(&app.db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO meeting_guests (id, can_id, meeting_id, name, email, token_hash, confirmed_at)
             VALUES ($1, $2, $3, 'A neighbour', 'neighbour@example.org', $4, now())",
        )
        .bind(Uuid::now_v7())
        .bind(ids.can)
        .bind(ids.next)
        .bind(canopy::web::token::hash(GUEST_LINK))
        .execute(&app.db)
        .await
        .unwrap();

        // Issue 15: the organiser asks the member to back up the responsibility.
        sqlx::query(
            "INSERT INTO offers (id, can_id, responsibility_id, kind, from_member, to_member, note, expires_at)
             VALUES ($1::uuid, $2, $3, 'backup', $4, $5, 'You know the hall', now() + interval '7 days')",
        )
        .bind(OFFER)
        .bind(ids.can)
        .bind(ids.responsibility)
        .bind(ids.organiser)
        .bind(ids.member)
        .execute(&app.db)
        .await
        .unwrap();

        // The organiser's private calendar link, made through the page that makes it.
        organiser
            .get("/account/calendar")
            .await
            .assert_status(StatusCode::OK);
        let made = organiser
            .post("/account/calendar", &[("action", "new")])
            .await;
        made.assert_status(StatusCode::OK);
        let feed = made
            .body
            .split("id=\"feed-link\" type=\"text\" readonly value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page shows the new link")
            .trim_start_matches("http://localhost")
            .to_string();

        // Issue 15: the organiser's notifications, from every CAN, half of them read; a page
        // and more on the big group.
        sqlx::query(
            "INSERT INTO notifications (id, member_id, can_id, kind, line, link, delivery, dedupe_key,
                                        created_at, read_at)
             SELECT gen_random_uuid(), $1, c.id, 'poll_opened', 'A poll opened, number ' || i,
                    '/c/' || c.slug, 'off', 'budget:' || c.id || ':' || i, now() - make_interval(mins => i),
                    CASE WHEN i % 2 = 0 THEN now() END
             FROM cans c CROSS JOIN generate_series(1, $2) AS i",
        )
        .bind(ids.organiser)
        .bind(if size.grown { 60 } else { 3 })
        .execute(&app.db)
        .await
        .unwrap();
        // Issue 16: the organiser asks for a hand, every other active member offers; each active
        // member has asked once too (some privately, some met already).
        for sql in [
            "INSERT INTO support_requests (id, can_id, asker_id, kind, details, created_at)
             VALUES ($1::uuid, $2, $3, 'meal', 'Soup for two', now() - interval '3 days')",
            "INSERT INTO support_requests (id, can_id, asker_id, kind, details, private, status,
                                           created_at, closed_at)
             SELECT gen_random_uuid(), m.can_id, m.member_id, 'ride', 'A ride, number ' || m.i,
                    m.i % 3 = 0, CASE WHEN m.i % 2 = 0 THEN 'met' ELSE 'open' END,
                    now() - make_interval(days => m.i::int),
                    CASE WHEN m.i % 2 = 0 THEN now() - interval '1 hour' END
             FROM (SELECT can_id, member_id, row_number() OVER (ORDER BY joined_at) AS i
                   FROM memberships WHERE can_id = $2 AND status = 'active') AS m",
            "INSERT INTO support_offers (request_id, can_id, member_id, note)
             SELECT $1::uuid, can_id, member_id, 'I can help' FROM memberships
             WHERE can_id = $2 AND status = 'active' AND member_id <> $3",
        ] {
            sqlx::query(sql)
                .bind(SUPPORT)
                .bind(ids.can)
                .bind(ids.organiser)
                .execute(&app.db)
                .await
                .unwrap_or_else(|e| panic!("{e}: {sql}"));
        }

        // Issue 17: the organiser's open proposal, amended once, answered by every active member
        // (every other one to the first text, objecting, with a thread on their objection), and
        // decided proposals (three, or sixty on the big group).
        for sql in [
            "INSERT INTO proposals (id, can_id, author_id, title, body, version)
             VALUES ($1::uuid, $2, $3, 'Quiet hours', 'We keep the garden quiet after 23:00.', 2)",
            "INSERT INTO proposal_versions (proposal_id, can_id, number, title, body, author_id, note)
             VALUES ($1::uuid, $2, 1, 'Quiet hours', 'We keep the garden quiet after 22:00.', $3, ''),
                    ($1::uuid, $2, 2, 'Quiet hours', 'We keep the garden quiet after 23:00.', $3, 'Later')",
            "INSERT INTO consent_rounds (id, can_id, proposal_id, opened_by, opened_at, closes_at, quorum_num,
                                         quorum_den, text_version)
             VALUES ($5::uuid, $2, $1::uuid, $3, now() - interval '1 day', now() + interval '5 days', 2, 3, 2)",
            "INSERT INTO consent_answers (round_id, can_id, member_id, answer, reason, text_version)
             SELECT r.id, m.can_id, m.member_id, CASE WHEN m.i % 2 = 0 THEN 'endorse' ELSE 'object' END,
                    'Reason number ' || m.i, 1 + (m.i % 2)::int
             FROM consent_rounds r,
                  (SELECT can_id, member_id, row_number() OVER (ORDER BY joined_at) AS i
                   FROM memberships WHERE can_id = $2 AND status = 'active') AS m
             WHERE r.proposal_id = $1::uuid",
            // The plain member objects, whichever half they fell in: their objection's thread is
            // a page of the budget.
            "UPDATE consent_answers SET answer = 'object', reason = 'Shift workers sleep by day'
             WHERE round_id = $5::uuid AND member_id = $6",
            "INSERT INTO comments (id, can_id, author_id, objection_round_id, objection_member_id, body)
             SELECT gen_random_uuid(), a.can_id, $3, a.round_id, a.member_id, 'Can we talk?'
             FROM consent_answers a JOIN consent_rounds r ON r.id = a.round_id
             WHERE r.proposal_id = $1::uuid AND a.answer = 'object'",
            "INSERT INTO comments (id, can_id, author_id, proposal_id, body)
             VALUES (gen_random_uuid(), $2, $3, $1::uuid, 'Good idea')",
            "INSERT INTO proposals (id, can_id, author_id, title, body, status, created_at, closed_at)
             SELECT gen_random_uuid(), $2, $3, 'Decided, number ' || i, 'Text', 'not_adopted',
                    now() - make_interval(days => i + 2), now() - make_interval(days => i)
             FROM generate_series(1, $4) AS i",
        ] {
            sqlx::query(sql)
                .bind(PROPOSAL)
                .bind(ids.can)
                .bind(ids.organiser)
                .bind(if size.grown { 60 } else { 3 })
                .bind(ROUND)
                .bind(ids.member)
                .execute(&app.db)
                .await
                .unwrap_or_else(|e| panic!("{e}: {sql}"));
        }

        // Issue 17: a hope of the plain member's, and on every thread a comment from each active
        // member (every third edited, every fourth hidden, every fifth removed); the organiser's
        // first comment on the held meeting has earlier texts.
        let subject_columns = [
            ("proposal_id", PROPOSAL.to_string()),
            ("hope_id", HOPE.to_string()),
            ("responsibility_id", ids.responsibility.to_string()),
            ("meeting_id", ids.held.to_string()),
        ];
        let mut threads: Vec<String> = vec![
            format!("INSERT INTO hopes (id, can_id, author_id, body) VALUES ('{HOPE}', $1, $3, 'A garden')"),
            format!("INSERT INTO comments (id, can_id, author_id, meeting_id, body, created_at, edited_at)
                     VALUES ('{COMMENT}', $1, $2, '{}', 'The first word', now() - interval '2 days', now())",
                    ids.held),
            format!("INSERT INTO comment_edits (comment_id, can_id, body, written_at)
                     SELECT '{COMMENT}', $1, 'Earlier text ' || i, now() - make_interval(hours => 40 - i)
                     FROM generate_series(1, {}) AS i WHERE $2::uuid IS NOT NULL AND $3::uuid IS NOT NULL",
                    if size.grown { 6 } else { 2 }),
        ];
        let every = "SELECT gen_random_uuid(), m.can_id, m.member_id, {value},
                            'Comment ' || m.i || ', see https://example.org/' || m.i || ' @Someone',
                            now() - make_interval(mins => m.i::int),
                            CASE WHEN m.i % 3 = 0 THEN now() END, CASE WHEN m.i % 5 = 0 THEN now() END,
                            CASE WHEN m.i % 4 = 0 THEN now() END, CASE WHEN m.i % 4 = 0 THEN $2::uuid END,
                            CASE WHEN m.i % 4 = 0 THEN 'Unkind' ELSE '' END
                     FROM (SELECT can_id, member_id, row_number() OVER (ORDER BY joined_at) AS i
                           FROM memberships WHERE can_id = $1 AND status = 'active') AS m
                     WHERE $3::uuid IS NOT NULL";
        let columns = "id, can_id, author_id, {column}, body, created_at, edited_at, deleted_at,
                       hidden_at, hidden_by, hidden_reason";
        for (column, value) in &subject_columns {
            threads.push(format!(
                "INSERT INTO comments ({}) {}",
                columns.replace("{column}", column),
                every.replace("{value}", &format!("'{value}'::uuid"))
            ));
        }
        threads.push(format!(
            "INSERT INTO comments ({}) {}",
            columns.replace("{column}", "objection_round_id, objection_member_id"),
            every.replace("{value}", &format!("'{ROUND}'::uuid, $3::uuid"))
        ));
        for sql in &threads {
            let q = sqlx::query(sql).bind(ids.can).bind(ids.organiser);
            let q = if sql.contains("$3") {
                q.bind(ids.member)
            } else {
                q
            };
            q.execute(&app.db)
                .await
                .unwrap_or_else(|e| panic!("{e}: {sql}"));
        }

        let key = canopy::notifications::link_key(&app.db).await.unwrap();
        let unsubscribe = canopy::notifications::unsubscribe_path(
            &key,
            ids.organiser,
            canopy::notifications::Scope::Kind(canopy::notifications::Kind::PollOpened),
        );

        let calendar_app = app.browser();
        Fixture {
            unsubscribe,
            label,
            app,
            organiser,
            member,
            calendar_app,
            ids,
            feed,
            series,
        }
    }

    /// How many rows each list in [`LISTS`] has here.
    async fn lists(&self) -> Vec<i64> {
        let mut out = Vec::new();
        for (what, sql) in LISTS {
            let n: i64 = self
                .ids
                .bind_scalar(sqlx::query_scalar(sql))
                .fetch_one(&self.app.db)
                .await
                .unwrap_or_else(|e| panic!("counting {what}: {e}"));
            out.push(n);
        }
        out
    }

    fn path(&self, template: &str) -> String {
        template
            .replace("{held}", &self.ids.held.to_string())
            .replace("{next}", &self.ids.next.to_string())
            .replace("{responsibility}", &self.ids.responsibility.to_string())
            .replace("{member}", &self.ids.member.to_string())
            .replace("{feed}", &self.feed)
            .replace("{series}", &self.series.to_string())
            .replace("{guest}", GUEST_LINK)
            .replace("{offer}", OFFER)
            .replace("{unsubscribe}", &self.unsubscribe)
            .replace("{support}", SUPPORT)
            .replace("{proposal}", PROPOSAL)
            .replace("{round}", ROUND)
            .replace("{hope}", HOPE)
            .replace("{comment}", COMMENT)
    }

    /// The statements `page` takes here.
    async fn measure(&mut self, page: &Budget) -> Vec<Statement> {
        let path = self.path(page.path);
        let client = match page.who {
            Who::Organiser => &mut self.organiser,
            Who::PlainMember => &mut self.member,
            Who::CalendarApp => &mut self.calendar_app,
        };
        statements_for(&self.app, client, &path).await
    }
}

type Args = sqlx::postgres::PgArguments;

impl Ids {
    fn values(&self) -> [Uuid; 6] {
        [
            self.can,
            self.held,
            self.next,
            self.responsibility,
            self.member,
            self.organiser,
        ]
    }

    fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Postgres, Args>,
    ) -> sqlx::query::Query<'q, sqlx::Postgres, Args> {
        self.values().into_iter().fold(q, |q, id| q.bind(id))
    }

    fn bind_scalar<'q>(
        &self,
        q: sqlx::query::QueryScalar<'q, sqlx::Postgres, i64, Args>,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Postgres, i64, Args> {
        self.values().into_iter().fold(q, |q, id| q.bind(id))
    }
}

async fn signed_in(app: &TestApp, report: &SeedReport, role: &str) -> Browser {
    let account = report
        .account(role)
        .unwrap_or_else(|| panic!("the seed prints no {role}"));
    let mut b = app.browser();
    b.get("/sign-in").await.assert_status(StatusCode::OK);
    b.post(
        "/sign-in",
        &[
            ("email", account.email.as_str()),
            ("password", report.password),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    b
}

async fn scalar(app: &TestApp, sql: &str, bind: Option<Uuid>) -> Uuid {
    let mut q = sqlx::query_scalar::<_, Uuid>(sql);
    if let Some(id) = bind {
        q = q.bind(id);
    }
    q.fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
}

/// The statements one GET of `path` by `client` runs in the app's database, with their calls.
///
/// The page is opened once first: that shows and clears any flash message left by signing in, and
/// fills the connections' statement caches (sqlx asks the catalog about a custom type the first
/// time a connection meets it; those lookups are sqlx's, once per connection, and are left out).
async fn statements_for(app: &TestApp, client: &mut Browser, path: &str) -> Vec<Statement> {
    let database = app
        .db
        .connect_options()
        .get_database()
        .expect("test pools name their database")
        .to_string();
    let mut stats = postgres_connection().await;
    let dbid: i64 = sqlx::query_scalar("SELECT oid::bigint FROM pg_database WHERE datname = $1")
        .bind(&database)
        .fetch_one(&mut stats)
        .await
        .unwrap();
    assert!(dbid > 0, "a reset with dbid 0 would clear every database");

    let warm = client.get(path).await;
    assert_eq!(warm.status, StatusCode::OK, "GET {path}:\n{}", warm.body);
    settle(app).await;
    sqlx::query("SELECT pg_stat_statements_reset(0, $1::bigint::oid, 0)")
        .bind(dbid)
        .execute(&mut stats)
        .await
        .unwrap();

    let page = client.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "GET {path}:\n{}", page.body);
    settle(app).await;

    let rows: Vec<Statement> = sqlx::query_as(
        "SELECT query, calls FROM pg_stat_statements
         WHERE dbid = $1::bigint::oid AND calls > 0
         ORDER BY calls DESC, query",
    )
    .bind(dbid)
    .fetch_all(&mut stats)
    .await
    .unwrap();
    stats.close().await.unwrap();
    rows.into_iter()
        .filter(|(query, _)| !is_sqlx_introspection(query))
        .collect()
}

/// How many statements one GET of `path` by `client` takes (for a test of its own that fills a
/// database in a way the seeded fixtures do not).
pub(crate) async fn statements_on(app: &TestApp, client: &mut Browser, path: &str) -> usize {
    total(&statements_for(app, client, path).await)
}

/// Waits until every connection of the app's pool has finished what it was sent: a query read only
/// up to its first row may still be ending on the server when the response is back, and the
/// statistics are written when it ends.
async fn settle(app: &TestApp) {
    let mut held = Vec::new();
    for _ in 0..app.db.num_idle() {
        let mut conn = app.db.acquire().await.unwrap();
        conn.ping().await.unwrap();
        held.push(conn);
    }
}

/// sqlx's own catalog lookups (`sqlx-postgres`, `connection/describe.rs`); the app never reads
/// the catalog.
fn is_sqlx_introspection(query: &str) -> bool {
    query.contains("pg_catalog.") || query.contains("::regtype::oid")
}

/// Whether a statement changes data: its words, outside string literals and comments, make an
/// INSERT, UPDATE, DELETE or MERGE. (`pg_stat_statements` replaces literals by `$n` only in the
/// texts it saw parsed; a statement prepared before the reset keeps its literals.)
fn writes(query: &str) -> bool {
    let words: Vec<String> = code_only(query)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    words.iter().enumerate().any(|(i, w)| match w.as_str() {
        "INSERT" | "DELETE" | "MERGE" => true,
        // `FOR UPDATE` and `FOR NO KEY UPDATE` lock; `DO UPDATE` belongs to an INSERT.
        "UPDATE" => !matches!(
            words.get(i.wrapping_sub(1)).map(String::as_str),
            Some("FOR" | "KEY" | "DO")
        ),
        _ => false,
    })
}

/// The statement with string literals and comments blanked out.
fn code_only(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A doubled quote inside a literal ends it and starts another: same result.
            '\'' => {
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                }
                out.push(' ');
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                out.push(' ');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for d in chars.by_ref() {
                    if last == '*' && d == '/' {
                        break;
                    }
                    last = d;
                }
                out.push(' ');
            }
            c => out.push(c),
        }
    }
    out
}

fn total(statements: &[Statement]) -> usize {
    statements.iter().map(|(_, calls)| *calls as usize).sum()
}

/// One line per statement: calls, then the text on one line, shortened.
fn listing(statements: &[Statement]) -> String {
    let mut out = String::new();
    for (query, calls) in statements {
        let flat = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = if flat.chars().count() > 240 {
            flat.chars().take(240).chain("…".chars()).collect()
        } else {
            flat
        };
        let _ = writeln!(out, "      {calls:>4} × {short}");
    }
    out
}

#[tokio::test]
async fn every_page_keeps_to_its_statement_budget_on_small_and_big_groups_and_a_get_writes_nothing()
{
    let (mut small, mut big) = tokio::join!(Fixture::seeded(&SMALL), Fixture::seeded(&BIG));

    // The comparison means something only where the big group has more to list.
    let (ls, lb) = (small.lists().await, big.lists().await);
    let mut sizes = String::new();
    for ((what, _), (s, b)) in LISTS.iter().zip(ls.iter().zip(&lb)) {
        let _ = writeln!(sizes, "  {what:<26} {s:>5} {b:>5}");
    }
    assert!(
        ls.iter().zip(&lb).all(|(s, b)| b > s),
        "the big fixture must hold more of every list than the small one:\n{sizes}"
    );

    let mut table = format!(
        "{:<24} {:>6} {:>6} {:>4}  writes\n",
        "page", "budget", "small", "big"
    );
    let mut failures = String::new();
    for page in PAGES {
        let s = small.measure(page).await;
        let b = big.measure(page).await;
        let (ns, nb) = (total(&s), total(&b));
        // Each writing text once, with its calls on the big group (or the small one).
        let mut written: Vec<Statement> = b.iter().filter(|(q, _)| writes(q)).cloned().collect();
        for (q, calls) in s.iter().filter(|(q, _)| writes(q)) {
            if !written.iter().any(|(w, _)| w == q) {
                written.push((q.clone(), *calls));
            }
        }
        let _ = writeln!(
            table,
            "{:<24} {:>6} {:>6} {:>4}  {}",
            page.name,
            page.budget,
            ns,
            nb,
            if written.is_empty() { "no" } else { "YES" }
        );

        let mut broken = Vec::new();
        if ns.max(nb) > page.budget {
            broken.push(format!("over its budget of {}", page.budget));
        }
        if ns != nb {
            broken.push("a different count on the bigger group (a statement per row?)".into());
        }
        if !written.is_empty() {
            broken.push(format!("a GET that writes:\n{}", listing(&written)));
        }
        if broken.is_empty() {
            continue;
        }
        let _ = writeln!(
            failures,
            "\n{} (GET {}): {} statements on the small group, {} on the big one, budget {}\n  - {}",
            page.name,
            page.path,
            ns,
            nb,
            page.budget,
            broken.join("\n  - ")
        );
        let _ = write!(
            failures,
            "    {}:\n{}    {}:\n{}",
            small.label,
            listing(&s),
            big.label,
            listing(&b)
        );
    }
    eprintln!("Rows listed (small, big):\n{sizes}\nStatements per page (calls):\n{table}");
    assert!(
        failures.is_empty(),
        "pages over their query budget, growing with the group, or writing on GET:\n\n{table}{failures}"
    );
}

#[test]
fn writes_are_told_from_reads_and_locks() {
    for q in [
        "INSERT INTO load_snapshots (can_id) VALUES ($1) ON CONFLICT (can_id) DO UPDATE SET x = $2",
        "UPDATE sessions SET flash_kind = NULL WHERE id = $1",
        "WITH gone AS (DELETE FROM sessions WHERE id = $1 RETURNING id) SELECT count(*) FROM gone",
        "merge into t using s on t.id = s.id when matched then update set x = s.x",
    ] {
        assert!(writes(q), "{q}");
    }
    for q in [
        "SELECT id, updated_at, deleted_by FROM cans WHERE slug = $1",
        "SELECT id FROM meetings WHERE id = $1 FOR UPDATE",
        "SELECT id FROM meetings WHERE id = $1 FOR NO KEY UPDATE",
        "SELECT inserted_at FROM activity_log",
        "SELECT id FROM activity_log WHERE kind IN ('update', 'delete''s') -- insert\n LIMIT 1",
        "SELECT /* update */ count(*) FROM carriers WHERE kind = 'carrier'",
    ] {
        assert!(!writes(q), "{q}");
    }
}
