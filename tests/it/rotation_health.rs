//! Issue 14, rotation and health: members say on their membership whether they are willing to
//! facilitate or take notes, and rotation suggests among them (one-off meetings too, never one
//! person for both roles); the health view names the meeting whose check-ins are open and until
//! when, counts attendance against the members of the time, never shows "0 came" for a meeting
//! where people were marked present, and labels its chart's bars inside the SVG.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::helpers::{self, Browser, Page, TestApp};

const SLUG: &str = "riverside-neighbours";

/// Olu (organiser) with Mia, Noor and Pat, all active; returns (app, Olu, [Mia, Noor, Pat], CAN).
async fn four() -> (TestApp, Browser, Vec<Browser>, Uuid) {
    let (app, olu, others, _slug) = helpers::team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("pat@example.org", "Pat"),
    ])
    .await;
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans")
        .fetch_one(&app.db)
        .await
        .unwrap();
    (app, olu, others, can)
}

/// Everyone joined long ago.
async fn long_ago(app: &TestApp) {
    sqlx::query("UPDATE memberships SET joined_at = now() - interval '1 year', status_changed_at = now() - interval '1 year'")
        .execute(&app.db)
        .await
        .unwrap();
}

/// A meeting of no series, `status` ('scheduled' or 'held'), starting at `start` for 90 minutes,
/// with these marked present.
async fn meeting(
    app: &TestApp,
    can: Uuid,
    start: DateTime<Utc>,
    status: &str,
    present: &[Uuid],
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, status)
         VALUES ($1, $2, 'Circle', $3, $4, $5)",
    )
    .bind(id)
    .bind(can)
    .bind(start)
    .bind(start + Duration::minutes(90))
    .bind(status)
    .execute(&app.db)
    .await
    .unwrap();
    for who in present {
        sqlx::query("INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by) VALUES ($1, $2, $3, $3)")
            .bind(id)
            .bind(can)
            .bind(who)
            .execute(&app.db)
            .await
            .unwrap();
    }
    id
}

/// Who served at a meeting.
async fn served(app: &TestApp, meeting: Uuid, facilitator: Option<Uuid>, note_taker: Option<Uuid>) {
    sqlx::query("UPDATE meetings SET facilitator_id = $2, note_taker_id = $3 WHERE id = $1")
        .bind(meeting)
        .bind(facilitator)
        .bind(note_taker)
        .execute(&app.db)
        .await
        .unwrap();
}

/// The member says on their own page what they are willing to do.
async fn offer(b: &mut Browser, me: Uuid, fields: &[(&str, &str)]) -> Page {
    b.get(&format!("/c/{SLUG}/members/{me}")).await;
    b.post(&format!("/c/{SLUG}/membership/willing"), fields)
        .await
}

/// Rotation's suggestion as (facilitator, note-taker) names.
async fn suggestion(app: &TestApp, can: Uuid, meeting: Uuid) -> Option<(String, String)> {
    canopy::meetings::queries::suggest(&app.db, can, meeting)
        .await
        .unwrap()
        .map(|(f, n)| (f.display_name, n.display_name))
}

async fn willing(app: &TestApp, member: Uuid) -> (bool, bool) {
    sqlx::query_as(
        "SELECT willing_to_facilitate, willing_to_take_notes FROM memberships WHERE member_id = $1",
    )
    .bind(member)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_member_says_on_their_own_page_what_they_offer_and_only_for_themselves() {
    let (app, mut olu, mut others, _can) = four().await;
    let [mia, noor] = [
        app.member_named("Mia").await,
        app.member_named("Noor").await,
    ];
    let page = others[0].get(&format!("/c/{SLUG}/members/{mia}")).await;
    page.assert_contains("Helping run meetings")
        .assert_contains("action=\"/c/riverside-neighbours/membership/willing\"");
    // Someone else's page has no such form.
    others[0]
        .get(&format!("/c/{SLUG}/members/{noor}"))
        .await
        .assert_lacks("Helping run meetings");

    // Mia offers to facilitate; a member id slipped into the form changes nobody else.
    let noor_id = noor.to_string();
    offer(
        &mut others[0],
        mia,
        &[("facilitate", "yes"), ("member_id", &noor_id)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(willing(&app, mia).await, (true, false));
    assert_eq!(willing(&app, noor).await, (false, false));
    assert_eq!(
        app.count("activity_log WHERE action = 'membership.willing'")
            .await,
        1
    );
    let page = others[0].get(&format!("/c/{SLUG}/members/{mia}")).await;
    page.assert_contains("rotation may now suggest you")
        .assert_contains("name=\"facilitate\" value=\"yes\" checked");
    // The same again changes nothing and logs nothing.
    offer(&mut others[0], mia, &[("facilitate", "yes")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("activity_log WHERE action = 'membership.willing'")
            .await,
        1
    );

    // Bad input is refused beside the field and changes nothing; a doubled field is no 500.
    let page = offer(&mut others[0], mia, &[("take_notes", "maybe")]).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("take_notes").as_deref(),
        Some("Tick the box, or leave it empty.")
    );
    assert_eq!(willing(&app, mia).await, (true, false));
    let page = offer(
        &mut others[0],
        mia,
        &[("take_notes", "yes"), ("take_notes", "yes")],
    )
    .await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert_eq!(willing(&app, mia).await, (true, false));

    for hostile in [
        "%00",
        "%27%3B+DROP+TABLE+memberships%3B--",
        "%E2%80%AE",
        "true",
    ] {
        others[0].get(&format!("/c/{SLUG}/members/{mia}")).await;
        let token = others[0].csrf.clone().unwrap();
        let body = format!("csrf_token={token}&facilitate={hostile}&take_notes={hostile}");
        let page = others[0]
            .post_raw(
                &format!("/c/{SLUG}/membership/willing"),
                body.into_bytes(),
                &[],
            )
            .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(willing(&app, mia).await, (true, false), "{hostile}");
    }

    // Another CAN's address: not found, nothing changed.
    helpers::start_can(
        &mut olu,
        "Hillside Growers",
        "hillside-growers",
        "invite_only",
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    others[0].get(&format!("/c/{SLUG}/members/{mia}")).await;
    others[0]
        .post(
            "/c/hillside-growers/membership/willing",
            &[("take_notes", "yes")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(willing(&app, mia).await, (true, false));

    // Organisers see who offers on the members list; plain members do not.
    olu.get(&format!("/c/{SLUG}/members"))
        .await
        .assert_contains("offers to facilitate");
    others[1]
        .get(&format!("/c/{SLUG}/members"))
        .await
        .assert_lacks("offers to facilitate");

    // Unticking both withdraws the offer.
    offer(&mut others[0], mia, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(willing(&app, mia).await, (false, false));
}

#[tokio::test]
async fn rotation_suggests_willing_members_and_role_holders_fairly_for_a_one_off_meeting() {
    let (app, mut olu, mut others, can) = four().await;
    let [olu_id, mia, noor, pat] = [
        app.member_named("Olu").await,
        app.member_named("Mia").await,
        app.member_named("Noor").await,
        app.member_named("Pat").await,
    ];
    // A one-off meeting next week, no series.
    let next = meeting(&app, can, Utc::now() + Duration::days(7), "scheduled", &[]).await;
    // Nobody offers and nobody facilitates: no suggestion.
    assert_eq!(suggestion(&app, can, next).await, None);

    // Mia (no role) offers to facilitate, Noor to take notes; Pat offers nothing.
    offer(&mut others[0], mia, &[("facilitate", "yes")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    offer(&mut others[1], noor, &[("take_notes", "yes")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // Mia facilitates; of Noor (willing) and Olu (an organiser), Noor by name: neither served yet.
    assert_eq!(
        suggestion(&app, can, next).await,
        Some(("Mia".into(), "Noor".into()))
    );
    // The one-off meeting's page offers the suggestion to those who run it.
    let page = olu.get(&format!("/c/{SLUG}/meetings/{next}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Suggested by rotation")
        .assert_contains(&format!("name=\"facilitator_id\" value=\"{mia}\""))
        .assert_contains(&format!("name=\"note_taker_id\" value=\"{noor}\""));

    // Noor took notes last week: Olu is next for notes. Pat is never suggested.
    let last_week = meeting(&app, can, Utc::now() - Duration::days(7), "held", &[]).await;
    served(&app, last_week, Some(mia), Some(noor)).await;
    assert_eq!(
        suggestion(&app, can, next).await,
        Some(("Mia".into(), "Olu".into()))
    );

    // Pat is given the facilitator role: now she is suggested, as she has not facilitated and Mia
    // facilitated last week.
    olu.get(&format!("/c/{SLUG}/members/{pat}")).await;
    olu.post(
        &format!("/c/{SLUG}/members/{pat}/roles"),
        &[("role", "facilitator")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let (f, _) = suggestion(&app, can, next).await.unwrap();
    assert_eq!(f, "Pat");
    // Once Pat has facilitated too, after Mia, it is Mia's turn again; Pat, who holds the role
    // and has never taken notes, is first in line for the notes.
    let yesterday = meeting(&app, can, Utc::now() - Duration::days(1), "held", &[]).await;
    served(&app, yesterday, Some(pat), Some(olu_id)).await;
    assert_eq!(
        suggestion(&app, can, next).await,
        Some(("Mia".into(), "Pat".into()))
    );
}

#[tokio::test]
async fn rotation_never_suggests_one_person_for_both_roles() {
    let (app, mut olu, mut others, can) = four().await;
    let [olu_id, mia, noor] = [
        app.member_named("Olu").await,
        app.member_named("Mia").await,
        app.member_named("Noor").await,
    ];
    let next = meeting(&app, can, Utc::now() + Duration::days(7), "scheduled", &[]).await;
    // Mia offers both, Noor only to facilitate; Olu (organiser, a possible note-taker) says no.
    offer(
        &mut others[0],
        mia,
        &[("facilitate", "yes"), ("take_notes", "yes")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    offer(&mut others[1], noor, &[("facilitate", "yes")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    olu.get(&format!("/c/{SLUG}/meetings/{next}")).await;
    olu.post(
        &format!("/c/{SLUG}/meetings/{next}/rsvp"),
        &[("answer", "no")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    // Noor facilitated last week, Mia never: by turn Mia would facilitate, but she is the only one
    // who can take notes, so Noor facilitates and Mia takes notes.
    let last_week = meeting(&app, can, Utc::now() - Duration::days(7), "held", &[]).await;
    served(&app, last_week, Some(noor), Some(olu_id)).await;
    assert_eq!(
        suggestion(&app, can, next).await,
        Some(("Noor".into(), "Mia".into()))
    );
    // Noor says no too: Mia alone cannot hold both, so no suggestion.
    others[1].get(&format!("/c/{SLUG}/meetings/{next}")).await;
    others[1]
        .post(
            &format!("/c/{SLUG}/meetings/{next}/rsvp"),
            &[("answer", "no")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(suggestion(&app, can, next).await, None);
    // Over many meetings, the roles always go to two people.
    for days in 1..=6 {
        let m = meeting(
            &app,
            can,
            Utc::now() + Duration::days(7 + days),
            "scheduled",
            &[],
        )
        .await;
        let (f, n) = suggestion(&app, can, m).await.unwrap();
        assert_ne!(f, n);
    }
}

#[tokio::test]
async fn the_check_in_section_says_whose_check_ins_are_open_until_when_then_shows_averages() {
    let (app, mut olu, _others, can) = four().await;
    long_ago(&app).await;
    let [olu_id, mia, noor] = [
        app.member_named("Olu").await,
        app.member_named("Mia").await,
        app.member_named("Noor").await,
    ];
    let page = olu.get(&format!("/c/{SLUG}/health")).await;
    page.assert_contains("No meetings held yet.");

    let start = Utc::now() - Duration::hours(3);
    let held = meeting(&app, can, start, "held", &[olu_id, mia, noor]).await;
    let tz = chrono_tz::Europe::London;
    let closes =
        canopy::web::time::datetime_in(start + Duration::minutes(90) + Duration::days(7), tz);
    let day = canopy::web::time::date_in(start, tz);
    let page = olu.get(&format!("/c/{SLUG}/health")).await;
    page.assert_status(StatusCode::OK)
        .assert_lacks("No meetings held yet")
        .assert_contains(&format!(
            "Check-ins for “Circle” on {day} are open until {closes}. Its averages appear here then, if at least 3 people answered."
        ));

    // Three answered; a week on, check-ins have closed and the averages show.
    for (who, zest) in [(olu_id, 5), (mia, 4), (noor, 3)] {
        sqlx::query("INSERT INTO check_ins (meeting_id, can_id, member_id, zest, able_to_act, clarity, worth, connection, note) VALUES ($1, $2, $3, $4, 4, 4, 4, 4, '')")
            .bind(held)
            .bind(can)
            .bind(who)
            .bind(zest as i16)
            .execute(&app.db)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE meetings SET starts_at = starts_at - interval '8 days', ends_at = ends_at - interval '8 days'")
        .execute(&app.db)
        .await
        .unwrap();
    let page = olu.get(&format!("/c/{SLUG}/health")).await;
    page.assert_lacks("are open until")
        .assert_lacks("No meetings held yet")
        .assert_contains("<td>3</td><td>4.0</td><td>4.0</td><td>4.0</td><td>4.0</td><td>4.0</td>");
}

#[tokio::test]
async fn attendance_rates_count_the_members_of_the_time() {
    let (app, mut olu, mut others, can) = four().await;
    long_ago(&app).await;
    let [olu_id, mia, noor, pat] = [
        app.member_named("Olu").await,
        app.member_named("Mia").await,
        app.member_named("Noor").await,
        app.member_named("Pat").await,
    ];
    // Three weeks ago Olu and Mia came, Noor did not.
    meeting(
        &app,
        can,
        Utc::now() - Duration::weeks(3),
        "held",
        &[olu_id, mia],
    )
    .await;
    // Pat joined after that meeting: she does not lower its rate.
    sqlx::query("UPDATE memberships SET joined_at = now() - interval '1 week', status_changed_at = now() - interval '1 week' WHERE member_id = $1")
        .bind(pat)
        .execute(&app.db)
        .await
        .unwrap();
    // Mia leaves now: she still came, and was a member then.
    others[0].get(&format!("/c/{SLUG}")).await;
    others[0]
        .post(
            &format!("/c/{SLUG}/membership/leave"),
            &[("confirm", "yes")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = olu.get(&format!("/c/{SLUG}/health")).await;
    // 2 came of the 3 members then (Olu, Mia, Noor): 67%.
    page.assert_contains("<td>2</td><td>3</td><td>67%</td>");
    // Noor has been away for five weeks (and so was at both meetings); a meeting two weeks ago.
    sqlx::query("UPDATE memberships SET status = 'paused', status_changed_at = now() - interval '5 weeks' WHERE member_id = $1")
        .bind(noor)
        .execute(&app.db)
        .await
        .unwrap();
    meeting(
        &app,
        can,
        Utc::now() - Duration::weeks(2),
        "held",
        &[olu_id],
    )
    .await;
    let page = olu.get(&format!("/c/{SLUG}/health")).await;
    // Two weeks ago: Olu came, of Olu and Mia (Noor away, Pat not yet a member).
    page.assert_contains("<td>1</td><td>2</td><td>50%</td>");
}

#[tokio::test]
async fn a_meeting_where_people_were_marked_present_never_shows_zero_came() {
    // Everyone joined today; the group records a meeting it held two weeks ago (a series may start
    // in the past year), marking Olu and Mia present.
    let (app, mut olu, _others, can) = four().await;
    let [olu_id, mia, noor] = [
        app.member_named("Olu").await,
        app.member_named("Mia").await,
        app.member_named("Noor").await,
    ];
    let start = Utc::now() - Duration::weeks(2);
    meeting(&app, can, start, "held", &[olu_id, mia]).await;
    // And a meeting last week that Noor came to while away (paused before it, still paused).
    sqlx::query("UPDATE memberships SET status = 'paused', status_changed_at = now() - interval '3 weeks' WHERE member_id = $1")
        .bind(noor)
        .execute(&app.db)
        .await
        .unwrap();
    meeting(&app, can, Utc::now() - Duration::weeks(1), "held", &[noor]).await;
    let page = olu.get(&format!("/c/{SLUG}/health")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<td>2</td><td>2</td><td>100%</td>")
        .assert_contains("<td>1</td><td>1</td><td>100%</td>")
        .assert_lacks("<td>0</td><td>0</td>");

    // The chart's bars carry their date and count as SVG text, and a title each.
    let tz = chrono_tz::Europe::London;
    let local = start.with_timezone(&tz);
    let svg = &page.body[page.body.find("<svg class=\"chart\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    for label in [
        "2/2".to_string(),
        local.format("%-d").to_string(),
        local.format("%b").to_string(),
        "1/1".to_string(),
    ] {
        assert!(
            svg.contains(&format!("fill=\"currentColor\">{label}</text>")),
            "{label} in {svg}"
        );
    }
    let day = canopy::web::time::date_in(start, tz);
    assert!(
        svg.contains(&format!("<title>Circle, {day}: 2 of 2 came (100%)</title>")),
        "{svg}"
    );
    // The table beside it carries the same numbers.
    page.assert_contains("<caption>Attendance per meeting</caption>");
}
