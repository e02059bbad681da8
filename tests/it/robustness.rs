//! No URL and no form body, however odd, gets a 500: every route is tried with real ids, ids of
//! nothing, malformed ids and hostile form fields, as the CAN's organiser (who may do the most).

use axum::http::StatusCode;
use uuid::Uuid;

use crate::helpers::{TestApp, start_can};

const ROUTES: &[(&str, &str)] = &[
    ("GET", "/c/{slug}"),
    ("GET", "/c/{slug}/settings"),
    ("POST", "/c/{slug}/settings"),
    ("GET", "/c/{slug}/activity?before={x}"),
    ("GET", "/c/{slug}/members"),
    ("GET", "/c/{slug}/members/{id}"),
    ("POST", "/c/{slug}/members/{id}/roles"),
    ("POST", "/c/{slug}/members/{id}/roles/{x}/end"),
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
    ("POST", "/c/{slug}/meetings/{id}/finish"),
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
];

/// Field names the forms use, each filled with something hostile.
const FIELDS: &[&str] = &[
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
];

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
    // One of everything, so real ids of each kind are tried on every route.
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
