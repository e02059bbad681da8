//! The stage guide that thinks (issue 16): for each thing that needs attention, a group where the
//! data shows it — with its words and its link — and then the same group once it is put right,
//! where it is gone; the visioning and organizing stages gaining the same warnings; and who may
//! read who drifts (organisers and facilitators), on the guide, the CAN home and the health page.

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::helpers::{self, Browser, TestApp};

const SLUG: &str = "riverside-neighbours";

/// Olu (organiser) with Mia, Noor, Pat and Quinn, all members for a year, in the sustaining
/// stage with nothing recorded yet. Returns (app, Olu, the others, CAN id).
async fn group(stage: &str) -> (TestApp, Browser, Vec<Browser>, Uuid) {
    let (app, olu, others, _) = helpers::team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("pat@example.org", "Pat"),
        ("quinn@example.org", "Quinn"),
    ])
    .await;
    sqlx::query("UPDATE memberships SET joined_at = now() - interval '1 year', status_changed_at = now() - interval '1 year'")
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE cans SET stage = $1")
        .bind(stage)
        .execute(&app.db)
        .await
        .unwrap();
    let can: Uuid = sqlx::query_scalar("SELECT id FROM cans")
        .fetch_one(&app.db)
        .await
        .unwrap();
    (app, olu, others, can)
}

async fn id(app: &TestApp, name: &str) -> Uuid {
    app.member_named(name).await
}

/// A held meeting `days_ago` days back (ninety minutes long), with who came and who facilitated.
async fn held(
    app: &TestApp,
    can: Uuid,
    days_ago: i64,
    came: &[Uuid],
    facilitator: Option<Uuid>,
) -> Uuid {
    let meeting = Uuid::now_v7();
    let start = Utc::now() - Duration::days(days_ago) - Duration::hours(2);
    sqlx::query(
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, status, facilitator_id)
         VALUES ($1, $2, 'Circle', $3, $4, 'held', $5)",
    )
    .bind(meeting)
    .bind(can)
    .bind(start)
    .bind(start + Duration::minutes(90))
    .bind(facilitator)
    .execute(&app.db)
    .await
    .unwrap();
    for who in came {
        sqlx::query("INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by) VALUES ($1, $2, $3, $3)")
            .bind(meeting)
            .bind(can)
            .bind(who)
            .execute(&app.db)
            .await
            .unwrap();
    }
    meeting
}

/// A responsibility with this kind, status and effort, carried and backed up by these.
async fn responsibility(
    app: &TestApp,
    can: Uuid,
    title: &str,
    kind: &str,
    status: &str,
    carriers: &[Uuid],
    backups: &[Uuid],
) -> Uuid {
    let r = Uuid::now_v7();
    let by = id(app, "Olu").await;
    sqlx::query("INSERT INTO responsibilities (id, can_id, title, kind, status, created_by) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(r).bind(can).bind(title).bind(kind).bind(status).bind(by).execute(&app.db).await.unwrap();
    for who in carriers {
        hold(app, can, r, *who, "carrier").await;
    }
    for who in backups {
        hold(app, can, r, *who, "backup").await;
    }
    r
}

async fn hold(app: &TestApp, can: Uuid, r: Uuid, who: Uuid, kind: &str) {
    sqlx::query("INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, from_at) VALUES ($1, $2, $3, $4, $5, now() - interval '1 day')")
        .bind(Uuid::now_v7()).bind(can).bind(r).bind(who).bind(kind).execute(&app.db).await.unwrap();
    sqlx::query("UPDATE responsibilities SET status = 'active' WHERE id = $1 AND $2 = 'carrier'")
        .bind(r)
        .bind(kind)
        .execute(&app.db)
        .await
        .unwrap();
}

async fn sql(app: &TestApp, statement: &str) {
    sqlx::query(statement).execute(&app.db).await.unwrap();
}

/// The part of a page between two markers.
fn between<'a>(body: &'a str, from: &str, to: &str) -> &'a str {
    let start = body
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in:\n{body}"));
    let end = body[start..].find(to).map_or(body.len(), |e| start + e);
    &body[start..end]
}

/// What the stage page lists under its steps.
async fn guide(b: &mut Browser) -> String {
    let page = b.get(&format!("/c/{SLUG}/stage")).await;
    page.assert_status(StatusCode::OK);
    between(&page.body, "id=\"steps-title\"", "</section>").to_string()
}

/// What the CAN home lists under "Next steps".
async fn home(b: &mut Browser) -> String {
    let page = b.get(&format!("/c/{SLUG}")).await;
    page.assert_status(StatusCode::OK);
    between(&page.body, "id=\"next-title\"", "</section>").to_string()
}

/// The health page's drifting section.
async fn drifting(b: &mut Browser) -> String {
    let page = b.get(&format!("/c/{SLUG}/health")).await;
    page.assert_status(StatusCode::OK);
    between(&page.body, "id=\"drifting\"", "id=\"rotation-title\"").to_string()
}

/// The item as the guide links it.
fn item(link: &str, text: &str) -> String {
    format!(
        "<span class=\"visually-hidden\">Needs attention: </span><span aria-hidden=\"true\">!</span> <a href=\"/c/{SLUG}{link}\">{text}</a>"
    )
}

#[track_caller]
fn shows(section: &str, link: &str, text: &str) {
    let want = item(link, text);
    assert!(section.contains(&want), "expected {want:?} in:\n{section}");
}

#[track_caller]
fn lacks(section: &str, text: &str) {
    assert!(
        !section.contains(text),
        "expected no {text:?} in:\n{section}"
    );
}

const NOTHING: &str = "Nothing needs attention now: the group is sustaining what it built.";

fn day(d: NaiveDate) -> String {
    canopy::web::time::date(d)
}

fn today() -> NaiveDate {
    // The CAN is in Europe/London; in tests the day there is the day in UTC but around midnight.
    canopy::web::time::today_in(chrono_tz::Europe::London)
}

#[tokio::test]
async fn a_quiet_sustaining_group_needs_nothing_and_one_problem_replaces_the_all_clear_until_fixed()
{
    let (app, mut olu, mut others, can) = group("sustaining").await;
    let steps = guide(&mut olu).await;
    assert!(steps.contains("What needs attention now"), "{steps}");
    assert!(steps.contains(NOTHING), "{steps}");
    assert!(home(&mut olu).await.contains(NOTHING));
    assert!(home(&mut others[2]).await.contains(NOTHING));

    let mia = id(&app, "Mia").await;
    let garden = responsibility(&app, can, "Garden", "ongoing", "active", &[mia], &[]).await;
    let steps = guide(&mut olu).await;
    lacks(&steps, NOTHING);
    let text = "Find a backup for Garden: active, resting on one person with no backup";
    shows(&steps, "/responsibilities?filter=no_backup", text);
    shows(
        &home(&mut others[2]).await,
        "/responsibilities?filter=no_backup",
        text,
    );

    hold(&app, can, garden, id(&app, "Noor").await, "backup").await;
    let steps = guide(&mut olu).await;
    lacks(&steps, "Find a backup");
    assert!(steps.contains(NOTHING), "{steps}");
    assert!(home(&mut olu).await.contains(NOTHING));
}

#[tokio::test]
async fn a_drifting_member_nobody_reached_out_to_is_named_until_someone_checks_in() {
    let (app, mut olu, _others, can) = group("sustaining").await;
    let [o, mia, noor, pat, quinn] = [
        id(&app, "Olu").await,
        id(&app, "Mia").await,
        id(&app, "Noor").await,
        id(&app, "Pat").await,
        id(&app, "Quinn").await,
    ];
    for days in [56, 42, 28, 14] {
        held(&app, can, days, &[o, mia, noor, pat], None).await;
    }
    // Someone checked in with Quinn seven weeks ago: outside the six-week window, so not since
    // he started drifting.
    sqlx::query("INSERT INTO reach_outs (id, can_id, member_id, by_id, at) VALUES ($1, $2, $3, $4, now() - interval '7 weeks')")
        .bind(Uuid::now_v7()).bind(can).bind(quinn).bind(mia).execute(&app.db).await.unwrap();
    let text = "Reach out to Quinn: drifting away (3 meetings missed in a row, or 6 weeks without coming) and nobody has checked in since";
    shows(&guide(&mut olu).await, "/health#drifting", text);
    shows(&home(&mut olu).await, "/health#drifting", text);

    olu.get(&format!("/c/{SLUG}/health")).await;
    olu.post(
        &format!("/c/{SLUG}/health/reach-out"),
        &[("member_id", &quinn.to_string()), ("note", "Called him")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let steps = guide(&mut olu).await;
    lacks(&steps, "Reach out to");
    // Still drifting on the health page, with who reached out.
    let list = drifting(&mut olu).await;
    assert!(list.contains("<strong>Quinn</strong>"), "{list}");
    assert!(list.contains("Olu reached out on"), "{list}");
}

#[tokio::test]
async fn who_drifts_is_read_by_organisers_and_facilitators_only() {
    let (app, mut olu, mut others, can) = group("sustaining").await;
    let mut ravi = app.member("ravi@example.org", "Ravi").await;
    let path = helpers::invite_link(&mut olu, SLUG, "2", "").await;
    helpers::join(&mut ravi, &path)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let [o, mia, noor, pat, quinn, r] = [
        id(&app, "Olu").await,
        id(&app, "Mia").await,
        id(&app, "Noor").await,
        id(&app, "Pat").await,
        id(&app, "Quinn").await,
        id(&app, "Ravi").await,
    ];
    // Mia facilitates, Noor coordinates, Pat is a member, Ravi is away (and was an organiser).
    for (who, role) in [
        (mia, "facilitator"),
        (noor, "coordinator"),
        (r, "organiser"),
    ] {
        sqlx::query(
            "INSERT INTO role_grants (id, can_id, member_id, role) VALUES ($1, $2, $3, $4)",
        )
        .bind(Uuid::now_v7())
        .bind(can)
        .bind(who)
        .bind(role)
        .execute(&app.db)
        .await
        .unwrap();
    }
    sql(&app, "UPDATE memberships SET joined_at = now() - interval '1 year', status_changed_at = now() - interval '1 year'").await;
    sqlx::query("UPDATE memberships SET status = 'paused' WHERE member_id = $1")
        .bind(r)
        .execute(&app.db)
        .await
        .unwrap();
    for days in [56, 42, 28, 14] {
        held(&app, can, days, &[o, mia, noor, pat], None).await;
    }
    let named = "Reach out to Quinn: drifting away";
    let unnamed = "The group is reaching out to members who have not been seen for a while";
    let [mia_b, noor_b, pat_b] = &mut others[..3] else {
        unreachable!()
    };
    for (who, b) in [("Olu", &mut olu), ("Mia", mia_b)] {
        for section in [guide(b).await, home(b).await] {
            assert!(section.contains(named), "{who}: {section}");
            lacks(&section, unnamed);
        }
        let list = drifting(b).await;
        assert!(list.contains("<strong>Quinn</strong>"), "{who}: {list}");
        assert!(list.contains("/health/reach-out"), "{who}: {list}");
    }
    for (who, b) in [("Noor", noor_b), ("Pat", pat_b), ("Ravi", &mut ravi)] {
        for section in [guide(b).await, home(b).await] {
            shows(&section, "/health#drifting", unnamed);
            lacks(&section, "Quinn");
        }
        let list = drifting(b).await;
        assert!(
            list.contains("The group reaches out to members who have not been seen for a while"),
            "{who}: {list}"
        );
        lacks(&list, "Quinn");
        lacks(&list, "/health/reach-out");
        lacks(&list, "Nobody seems to be drifting away");
    }
    // Reaching out is for those who see who drifts: a plain member recording one could find out,
    // one try at a time, whose reach-out makes the unnamed step go away.
    others[2].get(&format!("/c/{SLUG}/health")).await;
    others[2]
        .post(
            &format!("/c/{SLUG}/health/reach-out"),
            &[("member_id", &quinn.to_string())],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.count("reach_outs").await, 0);
    let page = guide(&mut olu).await;
    assert!(page.contains(named), "{page}");
    shows(&guide(&mut others[2]).await, "/health#drifting", unnamed);
    // Nor does Quinn take himself off the organisers' list by checking in with himself.
    sql(&app, &format!("INSERT INTO reach_outs (id, can_id, member_id, by_id, at, note) SELECT gen_random_uuid(), can_id, member_id, member_id, now(), '' FROM memberships WHERE member_id = '{quinn}'")).await;
    let page = guide(&mut olu).await;
    assert!(page.contains(named), "{page}");
}

#[tokio::test]
async fn an_ongoing_responsibility_nobody_carries_is_listed_until_someone_carries_it() {
    let (app, mut olu, _others, can) = group("sustaining").await;
    let treasurer = responsibility(&app, can, "Treasurer", "ongoing", "open", &[], &[]).await;
    // A task nobody carries is not an ongoing responsibility.
    responsibility(&app, can, "Print flyers", "task", "open", &[], &[]).await;
    let steps = guide(&mut olu).await;
    shows(
        &steps,
        "/responsibilities?filter=unowned",
        "Nobody carries the ongoing responsibility Treasurer",
    );
    lacks(&steps, "Print flyers");
    let pat = id(&app, "Pat").await;
    hold(&app, can, treasurer, pat, "carrier").await;
    lacks(&guide(&mut olu).await, "Nobody carries the ongoing");
}

#[tokio::test]
async fn a_term_ending_within_thirty_days_or_kept_past_its_end_is_listed_until_renewed() {
    let (app, mut olu, _others, can) = group("sustaining").await;
    let (mia, noor) = (id(&app, "Mia").await, id(&app, "Noor").await);
    let soon = today() + Duration::days(20);
    let past = today() - Duration::days(3);
    let far = today() + Duration::days(45);
    for (who, role, ends) in [
        (mia, "facilitator", soon),
        (noor, "coordinator", past),
        (noor, "facilitator", far),
    ] {
        sqlx::query("INSERT INTO role_grants (id, can_id, member_id, role, term_ends_on) VALUES ($1, $2, $3, $4, $5)")
            .bind(Uuid::now_v7()).bind(can).bind(who).bind(role).bind(ends).execute(&app.db).await.unwrap();
    }
    let steps = guide(&mut olu).await;
    shows(
        &steps,
        &format!("/members/{mia}"),
        &format!(
            "Mia’s term as facilitator ends on {} (within 30 days): renew it or hand it on",
            day(soon)
        ),
    );
    shows(
        &steps,
        &format!("/members/{noor}"),
        &format!(
            "Noor’s term as coordinator ended on {} and the role is still held: renew it or hand it on",
            day(past)
        ),
    );
    lacks(&steps, "Noor’s term as facilitator");

    olu.get(&format!("/c/{SLUG}/members/{mia}")).await;
    let renewed = (today() + Duration::days(200)).to_string();
    olu.post(
        &format!("/c/{SLUG}/members/{mia}/roles/facilitator/renew"),
        &[("term_ends_on", &renewed)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let steps = guide(&mut olu).await;
    lacks(&steps, "Mia’s term");
    assert!(
        steps.contains("Noor’s term as coordinator ended"),
        "{steps}"
    );
}

#[tokio::test]
async fn facilitation_resting_on_one_person_is_listed_from_four_meetings_until_others_facilitate() {
    let (app, mut olu, _others, can) = group("sustaining").await;
    let [o, mia, noor] = [
        id(&app, "Olu").await,
        id(&app, "Mia").await,
        id(&app, "Noor").await,
    ];
    for days in [40, 30, 20] {
        held(&app, can, days, &[o], Some(o)).await;
    }
    // Three meetings are too few to judge.
    lacks(&guide(&mut olu).await, "facilitated");
    held(&app, can, 10, &[o], Some(mia)).await;
    shows(
        &guide(&mut olu).await,
        "/meetings",
        "Olu facilitated 3 of the last 4 meetings (more than half): share facilitating",
    );
    // Two more meetings facilitated by others: 3 of 6 is not more than half.
    held(&app, can, 5, &[o], Some(noor)).await;
    held(&app, can, 2, &[o], Some(mia)).await;
    lacks(&guide(&mut olu).await, "facilitated");
}

#[tokio::test]
async fn the_vision_review_falling_due_is_listed_until_the_group_sets_the_next_one() {
    let (app, mut olu, _others, can) = group("sustaining").await;
    let version = Uuid::now_v7();
    let o = id(&app, "Olu").await;
    sqlx::query("INSERT INTO vision_versions (id, can_id, number, body, author_id, adopted_at) VALUES ($1, $2, 1, 'Together', $3, now())")
        .bind(version).bind(can).bind(o).execute(&app.db).await.unwrap();
    let due = today() + Duration::days(10);
    sqlx::query("UPDATE cans SET vision_version_id = $1, vision_adopted_at = now() - interval '1 year', vision_review_on = $2")
        .bind(version).bind(due).execute(&app.db).await.unwrap();
    shows(
        &guide(&mut olu).await,
        "/vision",
        &format!(
            "The vision is due for review by {} (within 30 days): revisit it together",
            day(due)
        ),
    );
    let overdue = today() - Duration::days(2);
    sqlx::query("UPDATE cans SET vision_review_on = $1")
        .bind(overdue)
        .execute(&app.db)
        .await
        .unwrap();
    shows(
        &guide(&mut olu).await,
        "/vision",
        &format!(
            "The vision was due for review on {}: revisit it together",
            day(overdue)
        ),
    );
    olu.get(&format!("/c/{SLUG}/goals")).await;
    let next = (today() + Duration::days(300)).to_string();
    olu.post(&format!("/c/{SLUG}/vision/review"), &[("review_on", &next)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    lacks(&guide(&mut olu).await, "The vision");
}

#[tokio::test]
async fn someone_over_twice_the_median_load_is_listed_until_the_load_is_shared() {
    let (app, mut olu, mut others, can) = group("sustaining").await;
    let [mia, noor, pat] = [
        id(&app, "Mia").await,
        id(&app, "Noor").await,
        id(&app, "Pat").await,
    ];
    let mut carried = Vec::new();
    for title in ["Cook", "Rota", "Accounts"] {
        carried.push(responsibility(&app, can, title, "ongoing", "active", &[mia], &[]).await);
    }
    // Loads 0, 0, 0, 0, 3: the median is 0, and Mia carries 3.
    let text = "Share the load of Mia: above twice the median load (0.0)";
    shows(&guide(&mut olu).await, "/load", text);
    // A member cannot open the load view: they are sent to the board.
    shows(&guide(&mut others[2]).await, "/responsibilities", text);
    // Mia hands two on: loads 0, 0, 1, 1, 1, median 1.
    sqlx::query("UPDATE carriers SET until_at = now(), ended_how = 'handed_off' WHERE responsibility_id = ANY($1) AND member_id = $2")
        .bind(&carried[1..]).bind(mia).execute(&app.db).await.unwrap();
    hold(&app, can, carried[1], noor, "carrier").await;
    hold(&app, can, carried[2], pat, "carrier").await;
    lacks(&guide(&mut olu).await, "Share the load");
}

/// Check-ins from these members (all five scores the same) after a meeting they came to.
async fn check_ins(app: &TestApp, can: Uuid, meeting: Uuid, who: &[Uuid], score: i16) {
    for m in who {
        sqlx::query("INSERT INTO check_ins (meeting_id, can_id, member_id, zest, able_to_act, clarity, worth, connection) VALUES ($1, $2, $3, $4, $4, $4, $4, $4)")
            .bind(meeting).bind(can).bind(m).bind(score).execute(&app.db).await.unwrap();
    }
}

#[tokio::test]
async fn a_dip_in_check_ins_is_listed_until_they_recover() {
    let (app, mut olu, _others, can) = group("sustaining").await;
    let came = [
        id(&app, "Olu").await,
        id(&app, "Mia").await,
        id(&app, "Noor").await,
    ];
    // Closed meetings (a week after): three at 4, then one at 3.
    for (days, score) in [(40, 4), (33, 4), (26, 4), (19, 3)] {
        let g = held(&app, can, days, &came, None).await;
        check_ins(&app, can, g, &came, score).await;
    }
    // A meeting whose check-ins are still open counts for nothing yet, however it went.
    let open = held(&app, can, 2, &came, None).await;
    check_ins(&app, can, open, &came, 5).await;
    let text = "How people felt after the last meeting dipped: 3.0 on average against 4.0 over the 3 before (a dip is 0.5 or more, from meetings with at least 3 check-ins)";
    shows(&guide(&mut olu).await, "/health#check-ins", text);
    olu.get(&format!("/c/{SLUG}/health"))
        .await
        .assert_contains("<section id=\"check-ins\"");
    // The next closed meeting goes well again: 4 against (3 + 4 + 4) / 3.
    let g = held(&app, can, 12, &came, None).await;
    check_ins(&app, can, g, &came, 4).await;
    lacks(&guide(&mut olu).await, "dipped");
}

#[tokio::test]
async fn support_requests_waiting_over_a_week_are_counted_without_names_until_met() {
    let (app, mut olu, mut others, can) = group("sustaining").await;
    let pat = id(&app, "Pat").await;
    let ask = |private: bool, days: i32| {
        let db = app.db.clone();
        async move {
            let r = Uuid::now_v7();
            sqlx::query("INSERT INTO support_requests (id, can_id, asker_id, kind, private, created_at) VALUES ($1, $2, $3, 'meal', $4, now() - make_interval(days => $5))")
                .bind(r).bind(can).bind(pat).bind(private).bind(days).execute(&db).await.unwrap();
            r
        }
    };
    let public = ask(false, 8).await;
    let private = ask(true, 9).await;
    ask(false, 2).await;
    shows(
        &guide(&mut olu).await,
        "/support",
        "2 support requests have waited more than 7 days for a hand",
    );
    // A member does not learn of a private request.
    let steps = guide(&mut others[0]).await;
    shows(
        &steps,
        "/support",
        "1 support request has waited more than 7 days for a hand",
    );
    lacks(&steps, "Pat");
    for r in [public, private] {
        sqlx::query("UPDATE support_requests SET status = 'met', closed_at = now() WHERE id = $1")
            .bind(r)
            .execute(&app.db)
            .await
            .unwrap();
    }
    lacks(&guide(&mut olu).await, "support request");
    lacks(&guide(&mut others[0]).await, "support request");
}

#[tokio::test]
async fn members_who_came_but_carry_nothing_are_counted_until_they_carry_something() {
    let (app, mut olu, mut others, can) = group("sustaining").await;
    let [mia, noor, pat] = [
        id(&app, "Mia").await,
        id(&app, "Noor").await,
        id(&app, "Pat").await,
    ];
    held(&app, can, 3, &[mia, noor, pat], None).await;
    shows(
        &guide(&mut olu).await,
        "/pathways",
        "3 members have come to meetings but carry nothing",
    );
    shows(
        &guide(&mut others[3]).await,
        "/responsibilities?filter=unowned",
        "3 members have come to meetings but carry nothing",
    );
    responsibility(&app, can, "Buy tea", "task", "active", &[mia], &[]).await;
    shows(
        &guide(&mut olu).await,
        "/pathways",
        "2 members have come to meetings but carry nothing",
    );
    responsibility(&app, can, "Chairs", "task", "active", &[noor], &[pat]).await;
    shows(
        &guide(&mut olu).await,
        "/pathways",
        "1 member has come to meetings but carry nothing",
    );
    responsibility(&app, can, "Cups", "task", "active", &[pat], &[]).await;
    lacks(&guide(&mut olu).await, "come to meetings");
}

#[tokio::test]
async fn newcomers_who_came_to_nothing_after_thirty_days_are_counted_for_organisers_until_they_come()
 {
    let (app, mut olu, mut others, can) = group("sustaining").await;
    let quinn = id(&app, "Quinn").await;
    sqlx::query("UPDATE memberships SET joined_at = now() - interval '40 days', rules_acknowledged_at = now() - interval '40 days', status_changed_at = now() - interval '40 days' WHERE member_id = $1")
        .bind(quinn).execute(&app.db).await.unwrap();
    // Pat joined a week ago: too soon to say.
    sql(&app, "UPDATE memberships SET joined_at = now() - interval '7 days', rules_acknowledged_at = now() - interval '7 days' WHERE member_id = (SELECT id FROM members WHERE display_name = 'Pat')").await;
    let text = "1 newcomer has not come to anything 30 days after joining";
    shows(&guide(&mut olu).await, "/newcomers", text);
    lacks(&guide(&mut others[0]).await, "newcomer");
    held(&app, can, 1, &[quinn], None).await;
    lacks(&guide(&mut olu).await, "newcomer");
}

#[tokio::test]
async fn visioning_keeps_its_steps_and_gains_unheard_hopes_and_drifting() {
    let (app, mut olu, mut others, can) = group("visioning").await;
    others[0].get(&format!("/c/{SLUG}/vision")).await;
    others[0]
        .post(
            &format!("/c/{SLUG}/vision/hopes"),
            &[("body", "A shared meal")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let steps = guide(&mut olu).await;
    assert!(steps.contains("Next steps"), "{steps}");
    assert!(
        steps.contains(
            "Hopes shared by at least 3 members (50% of active members, at least 3): 1 so far"
        ),
        "{steps}"
    );
    shows(
        &steps,
        "/vision#hopes",
        "Hopes not yet heard from 4 of 5 active members (more than half)",
    );
    for (i, b) in others.iter_mut().enumerate().skip(1).take(2) {
        b.get(&format!("/c/{SLUG}/vision")).await;
        b.post(
            &format!("/c/{SLUG}/vision/hopes"),
            &[("body", &format!("Hope {i}"))],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    }
    // 2 of 5 unheard: no longer more than half.
    lacks(&guide(&mut olu).await, "Hopes not yet heard");
    // Drifting is attended to in every stage.
    let [o, mia, noor, pat] = [
        id(&app, "Olu").await,
        id(&app, "Mia").await,
        id(&app, "Noor").await,
        id(&app, "Pat").await,
    ];
    for days in [56, 42, 28, 14] {
        held(&app, can, days, &[o, mia, noor, pat], None).await;
    }
    let steps = guide(&mut olu).await;
    assert!(
        steps.contains("Reach out to Quinn: drifting away"),
        "{steps}"
    );
    assert!(
        steps.contains("A shared vision adopted by consent"),
        "{steps}"
    );
}

#[tokio::test]
async fn organizing_gains_what_needs_attention_without_holding_the_group_back() {
    let (app, mut olu, _others, can) = group("organizing").await;
    let [o, mia, noor, pat, quinn] = [
        id(&app, "Olu").await,
        id(&app, "Mia").await,
        id(&app, "Noor").await,
        id(&app, "Pat").await,
        id(&app, "Quinn").await,
    ];
    // Every organizing step done: a goal with a carried responsibility, a series, three
    // meetings held with minutes.
    sqlx::query(
        "INSERT INTO goals (id, can_id, title, created_by) VALUES ($1, $2, 'Weekly meal', $3)",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(o)
    .execute(&app.db)
    .await
    .unwrap();
    let r = responsibility(&app, can, "Cook", "ongoing", "active", &[mia], &[noor]).await;
    sql(
        &app,
        "UPDATE responsibilities SET goal_id = (SELECT id FROM goals)",
    )
    .await;
    let _ = r;
    sqlx::query("INSERT INTO meeting_series (id, can_id, title, rrule, starts_on, start_time, duration_minutes, time_zone, created_by) VALUES ($1, $2, 'Circle', 'FREQ=WEEKLY', current_date, '19:00', 90, 'Europe/London', $3)")
        .bind(Uuid::now_v7()).bind(can).bind(o).execute(&app.db).await.unwrap();
    for days in [21, 14, 7] {
        held(&app, can, days, &[o, mia, noor, pat, quinn], None).await;
    }
    sql(&app, "UPDATE meetings SET minutes = 'Notes'").await;
    let steps = guide(&mut olu).await;
    assert!(steps.contains("Every step is done"), "{steps}");
    // A support request has waited nine days: listed, and the group is still ready.
    sqlx::query("INSERT INTO support_requests (id, can_id, asker_id, kind, created_at) VALUES ($1, $2, $3, 'ride', now() - interval '9 days')")
        .bind(Uuid::now_v7()).bind(can).bind(pat).execute(&app.db).await.unwrap();
    let steps = guide(&mut olu).await;
    shows(
        &steps,
        "/support",
        "1 support request has waited more than 7 days for a hand",
    );
    assert!(steps.contains("Every step is done"), "{steps}");
    // Unowned work stays with organizing's own step, not listed twice.
    responsibility(&app, can, "Treasurer", "ongoing", "open", &[], &[]).await;
    let steps = guide(&mut olu).await;
    assert!(
        steps.contains("Find someone to carry: Treasurer"),
        "{steps}"
    );
    lacks(&steps, "Nobody carries the ongoing");
}

#[tokio::test]
async fn every_part_of_the_guides_statement_is_found_through_an_index() {
    let (app, _olu, _others, can) = group("sustaining").await;
    let mut conn = app.db.acquire().await.unwrap();
    // With sequential scans priced out, any scan left is one no index can serve.
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    let plan: Vec<String> =
        sqlx::query_scalar(&format!("EXPLAIN {}", canopy::stages::guide::assess_sql()))
            .bind(can)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let plan = plan.join("\n");
    assert!(!plan.contains("Seq Scan"), "{plan}");
}
