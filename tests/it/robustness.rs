//! No URL and no form body, however odd, gets a 500: every route is tried with real ids, ids of
//! nothing, malformed ids and hostile form fields, as the CAN's organiser (who may do the most).

use axum::http::StatusCode;
use uuid::Uuid;

use crate::helpers::{TestApp, start_can};

pub(crate) const ROUTES: &[(&str, &str)] = &[
    ("GET", "/c/{slug}"),
    ("GET", "/c/{slug}/settings"),
    ("POST", "/c/{slug}/settings"),
    ("GET", "/c/{slug}/activity?before={x}"),
    ("GET", "/c/{slug}/members"),
    ("GET", "/c/{slug}/members/{id}"),
    ("POST", "/c/{slug}/members/{id}/roles"),
    ("POST", "/c/{slug}/members/{id}/roles/{x}/end"),
    ("POST", "/c/{slug}/members/{id}/roles/{x}/renew"),
    ("POST", "/c/{slug}/membership/pause"),
    ("GET", "/c/{slug}/invitations"),
    ("POST", "/c/{slug}/invitations"),
    ("POST", "/c/{slug}/invitations/{id}/revoke"),
    ("GET", "/join/{x}"),
    ("POST", "/join/{x}"),
    ("GET", "/c/{slug}/join-requests"),
    ("POST", "/c/{slug}/join-requests/{id}/approve"),
    ("GET", "/c/{slug}/vision"),
    ("POST", "/c/{slug}/vision/hopes"),
    ("GET", "/c/{slug}/vision/hopes/{id}/edit"),
    ("POST", "/c/{slug}/vision/hopes/{id}/edit"),
    ("POST", "/c/{slug}/vision/hopes/{id}/withdraw"),
    ("POST", "/c/{slug}/vision/quorum"),
    ("POST", "/c/{slug}/vision/review"),
    ("GET", "/c/{slug}/vision/drafts/new?from={x}"),
    ("POST", "/c/{slug}/vision/drafts"),
    ("GET", "/c/{slug}/vision/versions/{x}"),
    ("POST", "/c/{slug}/vision/versions/{x}/rounds"),
    ("GET", "/c/{slug}/vision/compare?from={x}&to={x}"),
    ("GET", "/c/{slug}/vision/rounds/{id}"),
    ("POST", "/c/{slug}/vision/rounds/{id}/answer"),
    ("POST", "/c/{slug}/vision/rounds/{id}/close"),
    ("GET", "/c/{slug}/goals"),
    ("POST", "/c/{slug}/goals"),
    ("POST", "/c/{slug}/goals/{id}/status"),
    ("GET", "/c/{slug}/meetings"),
    ("POST", "/c/{slug}/meetings"),
    ("GET", "/c/{slug}/meetings/series/{id}"),
    ("GET", "/c/{slug}/meetings/series/{id}/edit"),
    ("POST", "/c/{slug}/meetings/series/{id}/edit"),
    ("POST", "/c/{slug}/meetings/polls"),
    ("GET", "/c/{slug}/meetings/polls/{id}"),
    ("POST", "/c/{slug}/meetings/polls/{id}/answer"),
    ("POST", "/c/{slug}/meetings/polls/{id}/choose"),
    ("GET", "/c/{slug}/meetings/{id}"),
    ("GET", "/c/{slug}/meetings/{id}/pack"),
    ("GET", "/c/{slug}/meetings/{id}/event.ics"),
    ("GET", "/c/{slug}/public.ics"),
    ("POST", "/c/{slug}/meetings/{id}/move"),
    ("POST", "/c/{slug}/meetings/{id}/rsvp"),
    ("POST", "/c/{slug}/meetings/{id}/roles"),
    ("POST", "/c/{slug}/meetings/{id}/attendance"),
    ("POST", "/c/{slug}/meetings/{id}/minutes"),
    ("POST", "/c/{slug}/meetings/{id}/decisions"),
    ("POST", "/c/{slug}/meetings/{id}/actions"),
    ("POST", "/c/{slug}/meetings/{id}/actions/{id}/done"),
    (
        "POST",
        "/c/{slug}/meetings/{id}/actions/{id}/responsibility",
    ),
    ("POST", "/c/{slug}/meetings/{id}/agenda"),
    ("POST", "/c/{slug}/meetings/{id}/agenda/{id}"),
    ("POST", "/c/{slug}/meetings/{id}/agenda-reviewed"),
    ("POST", "/c/{slug}/meetings/{id}/finish"),
    ("GET", "/c/{slug}/meetings/{id}/run"),
    ("POST", "/c/{slug}/meetings/{id}/run/next"),
    ("POST", "/c/{slug}/meetings/{id}/run/note"),
    ("GET", "/c/{slug}/meetings/{id}/check-in"),
    ("POST", "/c/{slug}/meetings/{id}/check-in"),
    ("GET", "/c/{slug}/responsibilities?filter={x}&by={x}"),
    ("POST", "/c/{slug}/responsibilities"),
    ("GET", "/c/{slug}/responsibilities/{id}"),
    ("GET", "/c/{slug}/responsibilities/{id}/edit"),
    ("POST", "/c/{slug}/responsibilities/{id}/edit"),
    ("POST", "/c/{slug}/responsibilities/{id}/volunteer"),
    ("POST", "/c/{slug}/responsibilities/{id}/assign"),
    ("POST", "/c/{slug}/responsibilities/{id}/decline"),
    ("POST", "/c/{slug}/responsibilities/{id}/handoff"),
    ("POST", "/c/{slug}/responsibilities/{id}/progress"),
    ("GET", "/c/{slug}/load"),
    ("GET", "/c/{slug}/stage"),
    ("POST", "/c/{slug}/stage/move"),
    ("POST", "/c/{slug}/stage/criteria"),
    ("GET", "/c/{slug}/health"),
    ("POST", "/c/{slug}/health/reach-out"),
    ("GET", "/c?q={x}&page={x}"),
    ("GET", "/calendar/{x}/canopy.ics"),
    ("POST", "/account/calendar"),
    ("POST", "/account/profile"),
    ("GET", "/account/reset/{x}"),
    ("POST", "/account/reset/{x}"),
    ("GET", "/account/sign-in-link/{x}"),
    ("POST", "/account/sign-in-link/{x}"),
    ("GET", "/c/{slug}/meetings/series/{id}/public"),
    ("POST", "/c/{slug}/meetings/series/{id}/public"),
    ("GET", "/c/{slug}/meetings/{id}/public"),
    ("POST", "/c/{slug}/meetings/{id}/public"),
    ("GET", "/c/{slug}/visit/{id}"),
    ("POST", "/c/{slug}/visit/{id}"),
    ("GET", "/c/{slug}/guests/{x}"),
    ("POST", "/c/{slug}/guests/{x}/confirm"),
    ("GET", "/c/{slug}/guests/{x}/cancel"),
    ("POST", "/c/{slug}/guests/{x}/cancel"),
    ("GET", "/c/{slug}/offers/{id}"),
    ("POST", "/c/{slug}/offers/{id}/accept"),
    ("POST", "/c/{slug}/offers/{id}/decline"),
    ("POST", "/c/{slug}/offers/{id}/withdraw"),
    ("GET", "/c/{slug}/pathways"),
    ("POST", "/c/{slug}/pathways/invite"),
    ("GET", "/notifications?before={x}"),
    ("POST", "/notifications/read-all"),
    ("POST", "/notifications/{id}/open"),
    ("GET", "/notifications/settings"),
    ("POST", "/notifications/settings"),
    ("GET", "/unsubscribe/{id}/{x}/{x}"),
    ("POST", "/unsubscribe/{id}/{x}/{x}"),
    ("GET", "/c/{slug}/support"),
    ("POST", "/c/{slug}/support"),
    ("GET", "/c/{slug}/support/{id}"),
    ("POST", "/c/{slug}/support/{id}/offer"),
    ("POST", "/c/{slug}/support/{id}/offer/withdraw"),
    ("POST", "/c/{slug}/support/{id}/met"),
    ("POST", "/c/{slug}/support/{id}/withdraw"),
    ("GET", "/c/{slug}/welcome"),
    ("GET", "/c/{slug}/newcomers"),
    ("POST", "/c/{slug}/newcomers/{id}/companion"),
    ("GET", "/c/{slug}/membership/leave"),
    ("GET", "/c/{slug}/membership/pause"),
    ("POST", "/c/{slug}/vision/hopes/{id}/resonate"),
    ("GET", "/c/{slug}/proposals?page={x}"),
    (
        "GET",
        "/c/{slug}/proposals/new?meeting={id}&agenda_item={id}",
    ),
    ("POST", "/c/{slug}/proposals/new"),
    ("GET", "/c/{slug}/proposals/{id}"),
    ("POST", "/c/{slug}/proposals/{id}/answer"),
    ("GET", "/c/{slug}/proposals/{id}/amend"),
    ("POST", "/c/{slug}/proposals/{id}/amend"),
    ("POST", "/c/{slug}/proposals/{id}/withdraw"),
    ("POST", "/c/{slug}/proposals/{id}/close"),
    ("GET", "/c/{slug}/threads/proposal/{id}"),
    ("POST", "/c/{slug}/threads/proposal/{id}"),
    ("GET", "/c/{slug}/threads/objection/{id}/{id}"),
    ("POST", "/c/{slug}/threads/objection/{id}/{id}"),
    ("GET", "/c/{slug}/threads/hope/{id}"),
    ("POST", "/c/{slug}/threads/hope/{id}"),
    ("GET", "/c/{slug}/threads/responsibility/{id}"),
    ("POST", "/c/{slug}/threads/responsibility/{id}"),
    ("GET", "/c/{slug}/threads/meeting/{id}"),
    ("POST", "/c/{slug}/threads/meeting/{id}"),
    ("GET", "/c/{slug}/comments/{id}/edit"),
    ("POST", "/c/{slug}/comments/{id}/edit"),
    ("POST", "/c/{slug}/comments/{id}/delete"),
    ("POST", "/c/{slug}/comments/{id}/hide"),
    ("POST", "/c/{slug}/comments/{id}/unhide"),
    ("GET", "/c/{slug}/comments/{id}/history"),
    ("GET", "/c/{slug}/search?q={x}&page={x}"),
    ("GET", "/c/{slug}/decisions?q={x}&before={id}"),
];

/// Routes the hostile-input run leaves out, and why: they take no id and hold no CAN's data, or they
/// would end the organiser's session mid-run. Each is covered by its own area's tests.
const NOT_TRIED: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/sign-up"),
    ("POST", "/sign-up"),
    ("GET", "/sign-in"),
    ("POST", "/sign-in"),
    ("POST", "/sign-out"),
    ("GET", "/account/profile"),
    ("GET", "/account/password"),
    ("POST", "/account/password"),
    ("GET", "/account/forgot"),
    ("POST", "/account/forgot"),
    ("GET", "/account/calendar"),
    ("GET", "/c/new"),
    ("POST", "/c/new"),
    ("GET", "/c/{slug}/meetings/new"),
    ("GET", "/c/{slug}/meetings/polls/new"),
    ("GET", "/c/{slug}/responsibilities/new"),
    ("POST", "/c/{slug}/membership/resume"),
    ("POST", "/c/{slug}/membership/leave"),
    ("POST", "/c/{slug}/membership/willing"),
    ("POST", "/c/{slug}/join-requests"),
    ("POST", "/c/{slug}/join-requests/{}/decline"),
    ("POST", "/c/{slug}/meetings/{}/cancel"),
    ("POST", "/c/{slug}/responsibilities/{}/step-down"),
    ("GET", "/c/{slug}/calendar.ics"),
    ("GET", "/healthz"),
    ("GET", "/static/canopy.css"),
    ("GET", "/static/htmx-2.0.11.min.js"),
    ("GET", "/static/run.js"),
];

/// `("GET", "/c/{slug}/x/{id}?a={x}")` → `("GET", "/c/{slug}/x/{}")`: the shape a router declares.
fn shape(method: &str, path: &str) -> (String, String) {
    let path = path.split('?').next().unwrap_or_default();
    let generic = regex_lite::Regex::new(r"\{[a-z_]+\}").unwrap();
    let path = generic.replace_all(path, |c: &regex_lite::Captures| {
        if &c[0] == "{slug}" {
            "{slug}".to_string()
        } else {
            "{}".to_string()
        }
    });
    (method.to_string(), path.into_owned())
}

/// Every (method, path) the source declares with `.route(...)`, read from src/ so that a route
/// added later cannot escape the robustness and cross-CAN runs without this test saying so.
fn declared_routes() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let route =
        regex_lite::Regex::new(r#"\.route\(\s*"([^"]+)",\s*((?:(?:get|post)\([A-Za-z_:]+\)\.?)+)"#)
            .unwrap();
    let method = regex_lite::Regex::new(r"(get|post)\(").unwrap();
    let mut routes = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = text
            .replace("( ", "(")
            .replace(" )", ")")
            .replace(" .", ".");
        for c in route.captures_iter(&text) {
            for m in method.captures_iter(&c[2]) {
                routes.push(shape(&m[1].to_uppercase(), &c[1]));
            }
        }
    }
    routes.sort();
    routes.dedup();
    routes
}

#[test]
fn every_declared_route_is_tried_or_excused() {
    let declared = declared_routes();
    assert!(
        declared.len() > 80,
        "the route reader found only {declared:?}"
    );
    let known: Vec<(String, String)> = ROUTES
        .iter()
        .chain(NOT_TRIED)
        .map(|(m, p)| shape(m, p))
        .collect();
    let missing: Vec<_> = declared.iter().filter(|r| !known.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "routes neither in ROUTES (tried with hostile input and across CANs) nor in NOT_TRIED: {missing:?}"
    );
    let stale: Vec<_> = known.iter().filter(|r| !declared.contains(r)).collect();
    assert!(
        stale.is_empty(),
        "listed routes the app does not declare: {stale:?}"
    );
}

/// Field names the forms use, each filled with something hostile.
pub(crate) const FIELDS: &[&str] = &[
    "name",
    "slug",
    "purpose",
    "rules",
    "time_zone",
    "visibility",
    "role",
    "term_ends_on",
    "email",
    "max_uses",
    "expires_in_days",
    "note",
    "acknowledge_rules",
    "message",
    "body",
    "quorum",
    "review_on",
    "base_version",
    "from",
    "hope",
    "closes_on",
    "closes_time",
    "answer",
    "reason",
    "title",
    "description",
    "status",
    "repeat",
    "interval",
    "weekday",
    "nth",
    "month_day",
    "starts_on",
    "start_time",
    "duration_minutes",
    "until_on",
    "location",
    "date",
    "time",
    "facilitator_id",
    "note_taker_id",
    "present",
    "minutes",
    "version",
    "decision",
    "action_title",
    "action_owner",
    "action_due",
    "item_title",
    "item_owner",
    "item_minutes",
    "direction",
    "option",
    "kind",
    "goal_id",
    "cadence",
    "due_on",
    "effort",
    "member_id",
    "to",
    "handoff_note",
    "overlap_days",
    "zest",
    "to",
    "hope_share_percent",
    "drift_weeks",
    "action",
    "display_name",
    "confirm_past",
    "new_password",
    "confirm_password",
    "open_to_public",
    "what_to_expect",
    "weekly_digest",
    "offer_made",
    "upto",
    "details",
    "needed_by",
    "private",
    "companion",
    "welcome",
    "until",
    "about",
    "meeting",
    "agenda_item",
    "withdraw_reason",
    "at_meeting",
    "page",
];

/// One of every kind of record in the CAN, so real ids of each kind are tried on every route.
/// Returns [meeting, hope, round, goal, responsibility, poll, action item, agenda item].
pub(crate) async fn one_of_everything(app: &TestApp, can: Uuid, me: Uuid) -> [Uuid; 8] {
    let [
        meeting,
        hope,
        version,
        round,
        goal,
        resp,
        poll,
        action,
        item,
    ] = [(); 9].map(|_| Uuid::now_v7());
    for sql in [
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at) VALUES ($1, $2, 'M', now() - interval '1 hour', now())",
        "INSERT INTO hopes (id, can_id, author_id, body) VALUES ($3, $2, $10, 'H')",
        "INSERT INTO vision_versions (id, can_id, number, body, author_id) VALUES ($4, $2, 1, 'V', $10)",
        "INSERT INTO consent_rounds (id, can_id, version_id, opened_by, closes_at, quorum_num, quorum_den) VALUES ($5, $2, $4, $10, now() + interval '1 day', 2, 3)",
        "INSERT INTO goals (id, can_id, title, created_by) VALUES ($6, $2, 'G', $10)",
        "INSERT INTO responsibilities (id, can_id, title, kind, created_by) VALUES ($7, $2, 'Rrr', 'task', $10)",
        "INSERT INTO time_polls (id, can_id, title, created_by) VALUES ($8, $2, 'P', $10)",
        "INSERT INTO action_items (id, can_id, meeting_id, title, created_by) VALUES ($9, $2, $1, 'A', $10)",
        "INSERT INTO agenda_items (id, can_id, meeting_id, position, title, proposed_by) VALUES ($11, $2, $1, 1, 'I', $10)",
        // A request for a hand under the meeting's id, so the support routes meet a real one.
        "INSERT INTO support_requests (id, can_id, asker_id, kind, details) VALUES ($1, $2, $10, 'meal', 'S')",
        // A proposal (and its round) under the meeting's id, put at that meeting's agenda item.
        "INSERT INTO proposals (id, can_id, author_id, title, body, meeting_id, agenda_item_id) VALUES ($1, $2, $10, 'P', 'B', $1, $11)",
        "INSERT INTO proposal_versions (proposal_id, can_id, number, title, body, author_id) VALUES ($1, $2, 1, 'P', 'B', $10)",
        "INSERT INTO consent_rounds (id, can_id, proposal_id, opened_by, closes_at, quorum_num, quorum_den) VALUES (gen_random_uuid(), $2, $1, $10, now() + interval '1 day', 2, 3)",
        // A comment on the meeting under the meeting's id, so the comment routes meet a real one.
        "INSERT INTO comments (id, can_id, author_id, meeting_id, body) VALUES ($1, $2, $10, $1, 'C')",
    ] {
        sqlx::query(sql)
            .bind(meeting)
            .bind(can)
            .bind(hope)
            .bind(version)
            .bind(round)
            .bind(goal)
            .bind(resp)
            .bind(poll)
            .bind(action)
            .bind(me)
            .bind(item)
            .execute(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    [meeting, hope, round, goal, resp, poll, action, item]
}

#[tokio::test]
async fn no_route_answers_500_to_odd_ids_or_hostile_forms() {
    let app = TestApp::new().await;
    let mut b = app.member("olu@example.org", "Olu").await;
    start_can(&mut b, "Riverside", "riverside", "invite_only").await;
    let me: Uuid = sqlx::query_scalar("SELECT id FROM members")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let [meeting, hope, round, goal, resp, poll, action, item] =
        one_of_everything(&app, can, me).await;
    let real: Vec<String> = [me, meeting, hope, round, goal, resp, poll, action, item]
        .iter()
        .map(Uuid::to_string)
        .collect();
    let mut ids: Vec<&str> = real.iter().map(String::as_str).collect();
    ids.extend([
        "00000000-0000-0000-0000-000000000000",
        "not-an-id",
        "%00",
        "-1",
        "99999999999999999999",
    ]);
    let values = [
        "",
        "%00",
        "-2147483649",
        "99999999999999999999",
        "9999-99-99",
        "-5000-01-01",
        "25:61",
        "%27%3B+DROP+TABLE+members%3B--",
        "%E2%80%AE%F0%9F%8C%B1",
    ];
    b.get("/").await;
    let token = b.csrf.clone().unwrap();
    for (method, template) in ROUTES {
        for id in &ids {
            for value in values {
                let path = template
                    .replace("{slug}", "riverside")
                    .replace("{id}", id)
                    .replace("{x}", value);
                let page = if *method == "GET" {
                    b.get(&path).await
                } else {
                    let mut body = format!("csrf_token={token}");
                    for f in FIELDS {
                        body.push_str(&format!("&{f}={value}"));
                    }
                    b.post_raw(&path, body.into_bytes(), &[]).await
                };
                assert!(
                    page.status != StatusCode::INTERNAL_SERVER_ERROR,
                    "{method} {path} with {value:?} answered 500:\n{}",
                    page.body
                );
                if page.set_cookie().is_some()
                    || page.status == StatusCode::FORBIDDEN && page.body.contains("expired")
                {
                    // Signed out by a form (sign-out is not in the list, but a password change
                    // would do it): sign back in to keep trying as the organiser.
                    panic!("the session changed during {method} {path}");
                }
            }
        }
    }
}

/// Everything a CAN holds, as one fingerprint per table that carries `can_id`.
async fn fingerprint(app: &TestApp, can: Uuid) -> Vec<(String, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name = 'can_id' ORDER BY table_name",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mut prints = Vec::new();
    for table in tables {
        let print: String = sqlx::query_scalar(&format!(
            "SELECT count(*)::text || ':' || COALESCE(md5(string_agg(t::text, ',' ORDER BY t::text)), '')
             FROM {table} t WHERE can_id = $1"
        ))
        .bind(can)
        .fetch_one(&app.db)
        .await
        .unwrap();
        prints.push((table, print));
    }
    prints
}

/// A plausible value for each form field, with the target CAN's real ids where a form takes one.
pub(crate) fn plausible(field: &str, person: &str, goal: &str) -> String {
    match field {
        "member_id" | "facilitator_id" | "note_taker_id" | "action_owner" | "item_owner"
        | "present" | "to" => person.to_string(),
        "goal_id" => goal.to_string(),
        "date" | "starts_on" | "due_on" | "action_due" | "closes_on" | "review_on"
        | "term_ends_on" => "2099-01-06".to_string(),
        "time" | "start_time" | "closes_time" => "19:00".to_string(),
        "answer" | "acknowledge_rules" | "confirm_past" => "yes".to_string(),
        "interval" | "nth" | "month_day" | "effort" | "version" | "max_uses" | "zest"
        | "item_minutes" | "base_version" => "1".to_string(),
        "duration_minutes" | "expires_in_days" | "overlap_days" => "60".to_string(),
        "repeat" => "weekly".to_string(),
        "weekday" => "TU".to_string(),
        "kind" => "carrier".to_string(),
        "status" => "done".to_string(),
        "role" => "organiser".to_string(),
        "visibility" => "listed".to_string(),
        "time_zone" => "Europe/London".to_string(),
        "direction" => "up".to_string(),
        _ => "Taken over from another CAN".to_string(),
    }
}

/// Generated from the route list: a member of one CAN tries every route of another CAN — by its
/// address (404 for an invite-only CAN, before anything is read) and through their own CAN's
/// address with the other CAN's real ids (whatever the answer, the other CAN's records are
/// unchanged, byte for byte, and nothing answers 500).
#[tokio::test]
async fn no_route_lets_one_can_reach_anothers_records() {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside", "riverside", "invite_only").await;
    let olu_id = app.member_id("olu@example.org").await;
    let riverside: Uuid = sqlx::query_scalar("SELECT id FROM cans WHERE slug = 'riverside'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let ids = one_of_everything(&app, riverside, olu_id).await;
    let mut mal = app.member("mal@example.org", "Mal").await;
    start_can(&mut mal, "Hillside", "hillside", "invite_only").await;
    let before = fingerprint(&app, riverside).await;

    let theirs: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let (person, goal) = (olu_id.to_string(), ids[3].to_string());
    mal.get("/").await;
    let token = mal.csrf.clone().unwrap();
    let mut body = format!("csrf_token={token}");
    for f in FIELDS {
        body.push_str(&format!(
            "&{f}={}",
            plausible(f, &person, &goal).replace(' ', "+")
        ));
    }
    let mut tried = 0;
    for (method, template) in ROUTES.iter().filter(|(_, t)| t.contains("{slug}")) {
        for id in &theirs {
            for slug in ["riverside", "hillside"] {
                let path = template
                    .replace("{slug}", slug)
                    .replace("{id}", id)
                    .replace("{x}", "1");
                let page = if *method == "GET" {
                    mal.get(&path).await
                } else {
                    mal.post_raw(&path, body.clone().into_bytes(), &[]).await
                };
                tried += 1;
                assert_ne!(
                    page.status,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "{method} {path}: {}",
                    page.body
                );
                if slug == "riverside" {
                    assert_eq!(
                        page.status,
                        StatusCode::NOT_FOUND,
                        "{method} {path} answered an outsider"
                    );
                } else if *method == "GET" && page.status == StatusCode::OK {
                    // A page of their own CAN shows nothing of the other CAN's people.
                    assert!(!page.body.contains("Olu"), "{method} {path} shows Olu");
                }
            }
        }
    }
    assert!(tried > 500, "{tried}");
    assert_eq!(
        fingerprint(&app, riverside).await,
        before,
        "another CAN's member changed Riverside's records"
    );
}
