//! Pathways of engagement (issue 16 §1): every step of a member's path computed from what they did,
//! with the day it was first reached, alone and out of order; the counts per step and who moved
//! in the last 90 days; one suggested next invitation per active member from the group's real
//! openings (an unowned responsibility, a missing backup, a meeting without a note-taker, a hope
//! that meets a goal), matched to skills; the invitation sent as an offer (and a note-taker
//! invitation accepted, or refused when the meeting changed); who may see what.

use axum::http::StatusCode;
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use crate::helpers::{self, Browser, TestApp, start_can};
use canopy::pathways::queries;

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 18, 0, 0).unwrap()
}

async fn can_id(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A member of the CAN who joined on `joined` (written straight into the tables: the path is
/// about what the records say, whatever wrote them).
async fn person(app: &TestApp, can: Uuid, name: &str, joined: DateTime<Utc>) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO members (id, email, display_name, password_hash) VALUES ($1, $2, $3, 'x')",
    )
    .bind(id)
    .bind(format!("{}@example.org", name.to_lowercase()))
    .bind(name)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO memberships (id, can_id, member_id, status, joined_at, rules_acknowledged_at)
         VALUES ($1, $2, $3, 'active', $4, $4)",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(id)
    .bind(joined)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

async fn meeting(
    app: &TestApp,
    can: Uuid,
    title: &str,
    starts: DateTime<Utc>,
    status: &str,
    (facilitator, note_taker): (Option<Uuid>, Option<Uuid>),
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, status, facilitator_id, note_taker_id)
         VALUES ($1, $2, $3, $4, $4 + interval '1 hour', $5, $6, $7)",
    )
    .bind(id)
    .bind(can)
    .bind(title)
    .bind(starts)
    .bind(status)
    .bind(facilitator)
    .bind(note_taker)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

async fn attended(app: &TestApp, can: Uuid, meeting: Uuid, member: Uuid) {
    sqlx::query(
        "INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by) VALUES ($1, $2, $3, $3)",
    )
    .bind(meeting)
    .bind(can)
    .bind(member)
    .execute(&app.db)
    .await
    .unwrap();
}

async fn hope(app: &TestApp, can: Uuid, author: Uuid, body: &str, when: DateTime<Utc>) {
    sqlx::query(
        "INSERT INTO hopes (id, can_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(author)
    .bind(body)
    .bind(when)
    .execute(&app.db)
    .await
    .unwrap();
}

/// A responsibility (`kind` task or ongoing, `status`), serving `goal` if given.
async fn responsibility(
    app: &TestApp,
    can: Uuid,
    title: &str,
    description: &str,
    (kind, status): (&str, &str),
    goal: Option<Uuid>,
    by: Uuid,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO responsibilities (id, can_id, title, description, kind, status, goal_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(can)
    .bind(title)
    .bind(description)
    .bind(kind)
    .bind(status)
    .bind(goal)
    .bind(by)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

/// A holding (`carrier` or `backup`) from `from`, ended at `until` how (if it ended).
async fn holds(
    app: &TestApp,
    can: Uuid,
    responsibility: Uuid,
    member: Uuid,
    kind: &str,
    from: DateTime<Utc>,
    ended: Option<(DateTime<Utc>, &str)>,
) {
    sqlx::query(
        "INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, from_at, until_at, ended_how)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(responsibility)
    .bind(member)
    .bind(kind)
    .bind(from)
    .bind(ended.map(|e| e.0))
    .bind(ended.map(|e| e.1))
    .execute(&app.db)
    .await
    .unwrap();
}

async fn goal(app: &TestApp, can: Uuid, title: &str, description: &str, by: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO goals (id, can_id, title, description, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(can)
    .bind(title)
    .bind(description)
    .bind(by)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

async fn row(app: &TestApp, can: Uuid, member: Uuid) -> queries::MemberRow {
    queries::paths(&app.db, can)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.member_id == member)
        .expect("a current member is on the paths")
}

#[tokio::test]
async fn every_step_is_computed_from_what_people_did_each_alone_with_the_day_first_reached() {
    let (app, _olu, _, slug) = helpers::team(&[]).await;
    let can = can_id(&app, &slug).await;
    let olu = app.member_id("olu@example.org").await;
    let joined = at(2026, 1, 10);

    // Joined only.
    let jo = person(&app, can, "Jo", joined).await;
    // Shared a hope (twice: the first counts; a withdrawn hope was shared all the same).
    let hana = person(&app, can, "Hana", joined).await;
    hope(&app, can, hana, "A tool library", at(2026, 3, 2)).await;
    hope(&app, can, hana, "Shade on the square", at(2026, 2, 1)).await;
    sqlx::query("UPDATE hopes SET withdrawn_at = now() WHERE body = 'Shade on the square'")
        .execute(&app.db)
        .await
        .unwrap();
    // Came to a meeting (dated by the meeting), and not counted for a cancelled one.
    let mo = person(&app, can, "Mo", joined).await;
    let cancelled = meeting(
        &app,
        can,
        "Cancelled",
        at(2026, 2, 3),
        "cancelled",
        (None, None),
    )
    .await;
    attended(&app, can, cancelled, mo).await;
    let first = meeting(&app, can, "First", at(2026, 2, 10), "held", (None, None)).await;
    let second = meeting(&app, can, "Second", at(2026, 3, 10), "held", (None, None)).await;
    attended(&app, can, second, mo).await;
    attended(&app, can, first, mo).await;
    // Answered a consent round.
    let cy = person(&app, can, "Cy", joined).await;
    let version = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO vision_versions (id, can_id, number, body, author_id) VALUES ($1, $2, 1, 'We look out for each other', $3)",
    )
    .bind(version)
    .bind(can)
    .bind(olu)
    .execute(&app.db)
    .await
    .unwrap();
    let round = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO consent_rounds (id, can_id, version_id, opened_by, opened_at, closes_at, quorum_num, quorum_den)
         VALUES ($1, $2, $3, $4, $5, $5 + interval '7 days', 2, 3)",
    )
    .bind(round)
    .bind(can)
    .bind(version)
    .bind(olu)
    .bind(at(2026, 4, 1))
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO consent_answers (round_id, can_id, member_id, answer, answered_at) VALUES ($1, $2, $3, 'endorse', $4)",
    )
    .bind(round)
    .bind(can)
    .bind(cy)
    .bind(at(2026, 4, 3))
    .execute(&app.db)
    .await
    .unwrap();
    // Carried a task (finished since: it still counts), and a declined one does not count.
    let ty = person(&app, can, "Ty", joined).await;
    let hall = responsibility(&app, can, "Book the hall", "", ("task", "done"), None, olu).await;
    holds(
        &app,
        can,
        hall,
        ty,
        "carrier",
        at(2026, 5, 1),
        Some((at(2026, 5, 9), "finished")),
    )
    .await;
    let declined_task = responsibility(&app, can, "Posters", "", ("task", "open"), None, olu).await;
    holds(
        &app,
        can,
        declined_task,
        ty,
        "carrier",
        at(2026, 4, 20),
        Some((at(2026, 4, 21), "declined")),
    )
    .await;
    // Backs up an ongoing responsibility.
    let bo = person(&app, can, "Bo", joined).await;
    let treasurer =
        responsibility(&app, can, "Treasurer", "", ("ongoing", "active"), None, olu).await;
    holds(&app, can, treasurer, bo, "backup", at(2026, 6, 1), None).await;
    // Carries an ongoing responsibility (handed on since: it was carried).
    let ca = person(&app, can, "Ca", joined).await;
    holds(
        &app,
        can,
        treasurer,
        ca,
        "carrier",
        at(2026, 6, 5),
        Some((at(2026, 7, 1), "handed_off")),
    )
    .await;
    // Facilitated one held meeting and took notes at an earlier one; a scheduled one does not count.
    let fa = person(&app, can, "Fa", joined).await;
    meeting(
        &app,
        can,
        "Third",
        at(2026, 7, 10),
        "held",
        (Some(fa), None),
    )
    .await;
    meeting(
        &app,
        can,
        "Fourth",
        at(2026, 7, 3),
        "held",
        (None, Some(fa)),
    )
    .await;
    meeting(
        &app,
        can,
        "Ahead",
        Utc::now() + chrono::TimeDelta::days(3),
        "scheduled",
        (Some(fa), None),
    )
    .await;
    // Held a shared role (ended since).
    let ro = person(&app, can, "Ro", joined).await;
    sqlx::query(
        "INSERT INTO role_grants (id, can_id, member_id, role, granted_by, granted_at, ended_at)
         VALUES ($1, $2, $3, 'coordinator', $4, $5, $6)",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(ro)
    .bind(olu)
    .bind(at(2026, 8, 1))
    .bind(at(2026, 9, 1))
    .execute(&app.db)
    .await
    .unwrap();

    use canopy::pathways::path::Step::*;
    let expect = [
        (jo, Joined, joined),
        (hana, SharedHope, at(2026, 2, 1)),
        (mo, CameToMeeting, at(2026, 2, 10)),
        (cy, AnsweredRound, at(2026, 4, 3)),
        (ty, CarriedTask, at(2026, 5, 1)),
        (bo, BacksUp, at(2026, 6, 1)),
        (ca, CarriesOngoing, at(2026, 6, 5)),
        (fa, RanMeeting, at(2026, 7, 3)),
        (ro, HoldsRole, at(2026, 8, 1)),
    ];
    for (member, step, when) in expect {
        let path = row(&app, can, member).await.path();
        let mut want = vec![(Joined, joined)];
        if step != Joined {
            want.push((step, when));
        }
        assert_eq!(path.reached_steps(), want, "{step:?}");
        assert_eq!(path.furthest(), step);
    }
    let mo_row = row(&app, can, mo).await;
    assert_eq!(mo_row.meetings, 2, "the cancelled meeting is not counted");
    assert_eq!(
        row(&app, can, hana).await.hopes,
        vec!["A tool library".to_string()]
    );

    // The counts: each of the nine stands at their own step; Olu (the founder) holds a role.
    let mut olu_b = _olu;
    let page = olu_b.get(&format!("/c/{slug}/pathways")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<th scope=\"row\">Joined</th><td>1</td><td>10</td>")
        .assert_contains("<th scope=\"row\">Shared a hope</th><td>1</td><td>1</td>")
        .assert_contains("<th scope=\"row\">Came to a meeting</th><td>1</td><td>1</td>")
        .assert_contains("<th scope=\"row\">Holds a shared role</th><td>2</td><td>2</td>");
}

#[tokio::test]
async fn steps_reached_out_of_order_keep_their_own_days_and_who_moved_looks_back_90_days() {
    let (app, mut olu_b, _, slug) = helpers::team(&[]).await;
    let can = can_id(&app, &slug).await;
    let olu = app.member_id("olu@example.org").await;
    // Whole seconds: the database keeps microseconds.
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 0);
    let days = |n: i64| now - chrono::TimeDelta::days(n);
    // Kim joined long ago, carried an ongoing responsibility before ever coming to a meeting, and
    // came to her first meeting ten days ago; she never shared a hope.
    let kim = person(&app, can, "Kim", days(300)).await;
    let garden = responsibility(&app, can, "Garden", "", ("ongoing", "active"), None, olu).await;
    holds(&app, can, garden, kim, "carrier", days(200), None).await;
    let recent = meeting(&app, can, "Recent", days(10), "held", (Some(olu), None)).await;
    attended(&app, can, recent, kim).await;
    // Lee joined 100 days ago (not a move in the last 90) and shared a hope 20 days ago.
    let lee = person(&app, can, "Lee", days(100)).await;
    hope(&app, can, lee, "A street party", days(20)).await;

    let kim_path = row(&app, can, kim).await.path();
    use canopy::pathways::path::Step::*;
    assert_eq!(
        kim_path
            .reached_steps()
            .into_iter()
            .map(|(s, _)| s)
            .collect::<Vec<_>>(),
        vec![Joined, CameToMeeting, CarriesOngoing]
    );
    assert_eq!(kim_path.first(CarriesOngoing), Some(days(200)));
    assert!(kim_path.first(CameToMeeting).unwrap() > kim_path.first(CarriesOngoing).unwrap());
    assert_eq!(kim_path.furthest(), CarriesOngoing);

    let page = olu_b.get(&format!("/c/{slug}/pathways")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<strong>Kim</strong> came to a first meeting")
        .assert_contains("<strong>Lee</strong> shared a first hope")
        .assert_lacks("<strong>Lee</strong> joined")
        .assert_lacks("<strong>Kim</strong> began carrying")
        .assert_contains(
            "<th scope=\"row\">Carries an ongoing responsibility</th><td>1</td><td>1</td>",
        )
        .assert_contains("<th scope=\"row\">Came to a meeting</th><td>0</td><td>1</td>");
    // The day is said in the CAN's zone.
    let day = canopy::web::time::date_in(days(20), chrono_tz::Europe::London);
    page.assert_contains(&format!(
        "shared a first hope <span class=\"muted\">on {day}</span>"
    ));
}

/// Olu's group with one opening of each kind and four members each fitting one:
/// - Ana (no meetings, carries nothing) hopes for "more trees on our street"; the goal "Green the
///   street" has an unowned "Water the planters" → rule (d);
/// - Ben (came to 2 meetings, carries nothing, skills "cooking") and the unowned task "Soup
///   night" about cooking → rule (a) with skills;
/// - Cas carried a task once → the missing backup of "Treasurer" (carried by Olu) → rule (b);
/// - Dee carries "Flyers" (backed up by Olu) and offers to take notes → the "Monday meeting" in
///   five days without a note-taker (Olu facilitates) → rule (c).
struct Openings {
    app: TestApp,
    olu: Browser,
    people: Vec<Browser>,
    slug: String,
    can: Uuid,
    ids: [Uuid; 4],
    soup: Uuid,
    treasurer: Uuid,
    monday: Uuid,
}

async fn openings() -> Openings {
    let (app, olu_b, people, slug) = helpers::team(&[
        ("ana@example.org", "Ana"),
        ("ben@example.org", "Ben"),
        ("cas@example.org", "Cas"),
        ("dee@example.org", "Dee"),
    ])
    .await;
    let can = can_id(&app, &slug).await;
    let olu = app.member_id("olu@example.org").await;
    let mut ids = [Uuid::nil(); 4];
    for (i, email) in ["ana", "ben", "cas", "dee"].iter().enumerate() {
        ids[i] = app.member_id(&format!("{email}@example.org")).await;
    }
    let [ana, ben, cas, dee] = ids;
    let green = goal(
        &app,
        can,
        "Green the street",
        "Trees and planters along Mill Road",
        olu,
    )
    .await;
    hope(&app, can, ana, "More trees on our street", Utc::now()).await;
    responsibility(
        &app,
        can,
        "Water the planters",
        "",
        ("ongoing", "open"),
        Some(green),
        olu,
    )
    .await;
    sqlx::query("UPDATE members SET skills = 'cooking, singing' WHERE id = $1")
        .bind(ben)
        .execute(&app.db)
        .await
        .unwrap();
    let soup = responsibility(
        &app,
        can,
        "Soup night",
        "Cooking for the neighbours",
        ("task", "open"),
        None,
        olu,
    )
    .await;
    for (n, title) in [(20, "Spring meeting"), (10, "Summer meeting")] {
        let g = meeting(
            &app,
            can,
            title,
            Utc::now() - chrono::TimeDelta::days(n),
            "held",
            (Some(olu), None),
        )
        .await;
        attended(&app, can, g, ben).await;
    }
    let treasurer =
        responsibility(&app, can, "Treasurer", "", ("ongoing", "active"), None, olu).await;
    holds(&app, can, treasurer, olu, "carrier", at(2026, 1, 1), None).await;
    let old_task =
        responsibility(&app, can, "Book the hall", "", ("task", "done"), None, olu).await;
    holds(
        &app,
        can,
        old_task,
        cas,
        "carrier",
        at(2026, 2, 1),
        Some((at(2026, 2, 8), "finished")),
    )
    .await;
    let flyers = responsibility(&app, can, "Flyers", "", ("ongoing", "active"), None, olu).await;
    holds(&app, can, flyers, dee, "carrier", at(2026, 3, 1), None).await;
    holds(&app, can, flyers, olu, "backup", at(2026, 3, 1), None).await;
    sqlx::query("UPDATE memberships SET willing_to_take_notes = true WHERE member_id = $1")
        .bind(dee)
        .execute(&app.db)
        .await
        .unwrap();
    let monday = meeting(
        &app,
        can,
        "Monday meeting",
        Utc::now() + chrono::TimeDelta::days(5),
        "scheduled",
        (Some(olu), None),
    )
    .await;
    Openings {
        app,
        olu: olu_b,
        people,
        slug,
        can,
        ids,
        soup,
        treasurer,
        monday,
    }
}

#[tokio::test]
async fn each_rule_suggests_a_real_opening_matched_to_the_person_with_why() {
    let mut o = openings().await;
    let page = o.olu.get(&format!("/c/{}/pathways", o.slug)).await;
    page.assert_status(StatusCode::OK)
        // (d) Ana's hope meets the goal of an unowned responsibility.
        .assert_contains("Invite to <a href=\"/c/riverside-neighbours/responsibilities/")
        .assert_contains("carry “Water the planters”</a>: carries nothing yet; their hope “More trees on our street” meets the goal “Green the street”.")
        // (a) with skills: Ben comes but carries nothing, and cooks.
        .assert_contains("carry “Soup night”</a>: carries nothing yet and came to 2 meetings; their skills (cooking, singing) fit “Soup night”.")
        // (b) Cas carried a task: a backup for Treasurer (never Olu, who carries it).
        .assert_contains("back up “Treasurer”</a>: has carried a task; “Treasurer” has no backup.")
        // (c) Dee carries something and offers to take notes.
        .assert_contains("take notes at “Monday meeting”</a> (")
        .assert_contains(": has carried an ongoing responsibility; they offer to take notes.")
        .assert_contains(&format!("name=\"opening\" value=\"carrier:{}\"", o.soup))
        .assert_contains(&format!("name=\"opening\" value=\"backup:{}\"", o.treasurer))
        .assert_contains(&format!("name=\"opening\" value=\"note_taker:{}\"", o.monday))
        .assert_contains("Invite Ben to carry “Soup night”");
    // Each went to the one it fits: the form for Ben names Soup night, and so on.
    let [ana, ben, cas, dee] = o.ids;
    for (member, opening) in [
        (ben, format!("carrier:{}", o.soup)),
        (cas, format!("backup:{}", o.treasurer)),
        (dee, format!("note_taker:{}", o.monday)),
    ] {
        let form = format!(
            "name=\"member_id\" value=\"{member}\">\n      <input type=\"hidden\" name=\"opening\" value=\"{opening}\">"
        );
        page.assert_contains(&form);
    }
    assert!(page.body.contains(&format!("value=\"{ana}\"")));
    // A paused member is not suggested anything.
    sqlx::query("UPDATE memberships SET status = 'paused' WHERE member_id = $1")
        .bind(ben)
        .execute(&o.app.db)
        .await
        .unwrap();
    let page = o.olu.get(&format!("/c/{}/pathways", o.slug)).await;
    page.assert_lacks("Invite Ben")
        .assert_contains("1 of them away for a while");
    let _ = &mut o.people;
}

async fn notifications(app: &TestApp, member: Uuid, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM notifications WHERE member_id = $1 AND kind = $2")
        .bind(member)
        .bind(kind)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_invite_button_sends_an_offer_the_person_hears_of_and_the_page_then_shows_it() {
    let mut o = openings().await;
    let ben = o.ids[1];
    let path = format!("/c/{}/pathways", o.slug);
    o.olu.get(&path).await;
    let page = o
        .olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &ben.to_string()),
                ("opening", &format!("carrier:{}", o.soup)),
                ("note", "Your soup is famous"),
            ],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    let (kind, note, to): (String, String, Uuid) = sqlx::query_as(
        "SELECT kind, note, to_member FROM offers WHERE responsibility_id = $1 AND status = 'open'",
    )
    .bind(o.soup)
    .fetch_one(&o.app.db)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), note.as_str(), to),
        ("carrier", "Your soup is famous", ben)
    );
    assert_eq!(notifications(&o.app, ben, "offer_made").await, 1);
    let page = o.olu.get(&path).await;
    page.assert_contains("Ben is invited to carry “Soup night”.")
        .assert_contains("Invited to carry “Soup night” (until ")
        .assert_lacks("Invite Ben to");
    // Soup night is asked of Ben now: nobody else is invited to it.
    assert!(!page.body.contains(&format!("value=\"carrier:{}\"", o.soup)));
    // Ben finds it waiting on him.
    let ben_b = &mut o.people[1];
    ben_b
        .get(&format!("/c/{}", o.slug))
        .await
        .assert_contains("Olu asks you to carry “Soup night”");
    // Asking the same again sends nothing new.
    o.olu.get(&path).await;
    let again = o
        .olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &ben.to_string()),
                ("opening", &format!("carrier:{}", o.soup)),
                ("note", ""),
            ],
        )
        .await;
    again.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(o.app.count("offers").await, 1);
    let _ = o.can;
}

#[tokio::test]
async fn a_note_taker_invitation_accepted_makes_them_the_meetings_note_taker() {
    let mut o = openings().await;
    let dee = o.ids[3];
    let path = format!("/c/{}/pathways", o.slug);
    o.olu.get(&path).await;
    o.olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &dee.to_string()),
                ("opening", &format!("note_taker:{}", o.monday)),
                ("note", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let offer: Uuid = sqlx::query_scalar(
        "SELECT id FROM offers WHERE meeting_id = $1 AND kind = 'note_taker' AND responsibility_id IS NULL",
    )
    .bind(o.monday)
    .fetch_one(&o.app.db)
    .await
    .unwrap();
    assert_eq!(notifications(&o.app, dee, "offer_made").await, 1);
    let dee_b = &mut o.people[3];
    dee_b
        .get(&format!("/c/{}", o.slug))
        .await
        .assert_contains("Olu asks you to take notes at “Monday meeting”");
    let page = dee_b.get(&format!("/c/{}/offers/{offer}", o.slug)).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Olu asks you to take notes at “Monday meeting”")
        .assert_contains(&format!(
            "href=\"/c/{}/meetings/{}\">Monday meeting</a>, ",
            o.slug, o.monday
        ));
    let answered = dee_b
        .post(&format!("/c/{}/offers/{offer}/accept", o.slug), &[])
        .await;
    answered.assert_status(StatusCode::SEE_OTHER);
    let (note_taker, status) = note_taker_and_status(&o.app, o.monday, offer).await;
    assert_eq!((note_taker, status.as_str()), (Some(dee), "accepted"));
    dee_b
        .get(&format!("/c/{}/offers/{offer}", o.slug))
        .await
        .assert_contains("Thank you: you take the notes at “Monday meeting”.");
    assert_eq!(
        notifications(
            &o.app,
            o.app.member_id("olu@example.org").await,
            "offer_answered"
        )
        .await,
        1
    );
}

/// Olu invites Dee to take the notes at Monday's meeting; returns the offer.
async fn note_taker_offer(o: &mut Openings) -> Uuid {
    let path = format!("/c/{}/pathways", o.slug);
    o.olu.get(&path).await;
    o.olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &o.ids[3].to_string()),
                ("opening", &format!("note_taker:{}", o.monday)),
                ("note", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    sqlx::query_scalar("SELECT id FROM offers WHERE meeting_id = $1")
        .bind(o.monday)
        .fetch_one(&o.app.db)
        .await
        .unwrap()
}

/// The person asked accepts; the ask's page as they then read it (with what the answer came to).
async fn accept(b: &mut Browser, slug: &str, offer: Uuid) -> helpers::Page {
    b.post(&format!("/c/{slug}/offers/{offer}/accept"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    b.get(&format!("/c/{slug}/offers/{offer}")).await
}

/// The meeting's note-taker, and the offer's status.
async fn note_taker_and_status(
    app: &TestApp,
    meeting: Uuid,
    offer: Uuid,
) -> (Option<Uuid>, String) {
    sqlx::query_as(
        "SELECT g.note_taker_id, o.status FROM meetings g, offers o WHERE g.id = $1 AND o.id = $2",
    )
    .bind(meeting)
    .bind(offer)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn accepting_is_refused_when_the_meeting_got_a_note_taker_meanwhile_or_was_cancelled() {
    let mut o = openings().await;
    let offer = note_taker_offer(&mut o).await;
    let ana = o.ids[0];
    sqlx::query("UPDATE meetings SET note_taker_id = $2 WHERE id = $1")
        .bind(o.monday)
        .bind(ana)
        .execute(&o.app.db)
        .await
        .unwrap();
    let dee_b = &mut o.people[3];
    dee_b.get(&format!("/c/{}/offers/{offer}", o.slug)).await;
    accept(dee_b, &o.slug, offer)
        .await
        .assert_contains("Someone else takes the notes at this meeting now: nothing changed.");
    let (note_taker, status) = note_taker_and_status(&o.app, o.monday, offer).await;
    assert_eq!((note_taker, status.as_str()), (Some(ana), "open"));

    // Cancelled: refused too, nothing changed.
    sqlx::query("UPDATE meetings SET note_taker_id = NULL, status = 'cancelled' WHERE id = $1")
        .bind(o.monday)
        .execute(&o.app.db)
        .await
        .unwrap();
    accept(dee_b, &o.slug, offer)
        .await
        .assert_contains("This meeting is no longer scheduled");
    let (note_taker, status) = note_taker_and_status(&o.app, o.monday, offer).await;
    assert_eq!((note_taker, status.as_str()), (None, "open"));
    // Declining still works, and tells Olu.
    dee_b
        .post(
            &format!("/c/{}/offers/{offer}/decline", o.slug),
            &[("reason", "Away that week")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM offers WHERE id = $1")
        .bind(offer)
        .fetch_one(&o.app.db)
        .await
        .unwrap();
    assert_eq!(status, "declined");
}

#[tokio::test]
async fn a_note_taker_ask_is_withdrawn_when_the_person_leaves_and_expires_like_the_others() {
    let mut o = openings().await;
    let offer = note_taker_offer(&mut o).await;
    // Olu (the asker) leaving withdraws it, and Dee hears so.
    let (can, _) = canopy::cans::access::load(&o.app.db, &o.slug, None)
        .await
        .unwrap()
        .unwrap();
    let olu = o.app.member_id("olu@example.org").await;
    let mut tx = o.app.db.begin().await.unwrap();
    canopy::responsibilities::offers::withdraw_involving(
        &mut tx,
        &can,
        olu,
        "Olu",
        "http://localhost",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let status: String = sqlx::query_scalar("SELECT status FROM offers WHERE id = $1")
        .bind(offer)
        .fetch_one(&o.app.db)
        .await
        .unwrap();
    assert_eq!(status, "withdrawn");
    assert_eq!(notifications(&o.app, o.ids[3], "offer_withdrawn").await, 1);
    let line: String = sqlx::query_scalar(
        "SELECT line FROM notifications WHERE member_id = $1 AND kind = 'offer_withdrawn'",
    )
    .bind(o.ids[3])
    .fetch_one(&o.app.db)
    .await
    .unwrap();
    assert_eq!(
        line,
        "You are no longer asked to take notes at “Monday meeting”: Olu left Riverside Neighbours"
    );

    // Expiry: the clock settles an open one and tells the asker.
    sqlx::query("UPDATE offers SET status = 'open', answered_at = NULL WHERE id = $1")
        .bind(offer)
        .execute(&o.app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE offers SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day' WHERE id = $1")
        .bind(offer)
        .execute(&o.app.db)
        .await
        .unwrap();
    let n = canopy::responsibilities::offers::expire(&o.app.db, "http://localhost")
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(notifications(&o.app, olu, "offer_expired").await, 1);
    let line: String = sqlx::query_scalar(
        "SELECT line FROM notifications WHERE member_id = $1 AND kind = 'offer_expired'",
    )
    .bind(olu)
    .fetch_one(&o.app.db)
    .await
    .unwrap();
    assert_eq!(
        line,
        "Dee did not answer your ask to take notes at “Monday meeting” in time"
    );
}

#[tokio::test]
async fn plain_members_may_not_see_the_pathways_view() {
    let o = openings().await;
    let mut ben = o.people.into_iter().nth(1).unwrap();
    ben.get(&format!("/c/{}/pathways", o.slug))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    ben.get(&format!("/c/{}", o.slug)).await;
    ben.post(
        &format!("/c/{}/pathways/invite", o.slug),
        &[
            ("member_id", &o.ids[0].to_string()),
            ("opening", &format!("carrier:{}", o.soup)),
            ("note", ""),
        ],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(o.app.count("offers").await, 0);
}

#[tokio::test]
async fn ids_of_another_can_or_of_nothing_are_404_and_nothing_is_written() {
    let mut o = openings().await;
    let mut mal = o.app.member("mal@example.org", "Mal").await;
    start_can(&mut mal, "Hillside", "hillside", "invite_only").await;
    let hillside = can_id(&o.app, "hillside").await;
    let mal_id = o.app.member_id("mal@example.org").await;
    let theirs = responsibility(
        &o.app,
        hillside,
        "Hillside job",
        "",
        ("task", "open"),
        None,
        mal_id,
    )
    .await;
    let path = format!("/c/{}/pathways", o.slug);
    o.olu.get(&path).await;
    let ben = o.ids[1].to_string();
    for (member, opening) in [
        (mal_id.to_string(), format!("carrier:{}", o.soup)),
        (ben.clone(), format!("carrier:{theirs}")),
        (ben.clone(), format!("backup:{theirs}")),
        (ben.clone(), format!("note_taker:{}", Uuid::now_v7())),
        (ben.clone(), "carrier:nonsense".to_string()),
        ("nobody".to_string(), format!("carrier:{}", o.soup)),
        (ben.clone(), format!("handoff:{}", o.soup)),
    ] {
        o.olu
            .post(
                &format!("{path}/invite"),
                &[("member_id", &member), ("opening", &opening), ("note", "")],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    assert_eq!(o.app.count("offers").await, 0);
    assert_eq!(o.app.count("notifications").await, 0);
}

#[tokio::test]
async fn a_note_too_long_is_refused_beside_the_field_with_the_text_kept() {
    let mut o = openings().await;
    let path = format!("/c/{}/pathways", o.slug);
    o.olu.get(&path).await;
    let long = "Would you? ".repeat(100);
    let page = o
        .olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &o.ids[1].to_string()),
                ("opening", &format!("carrier:{}", o.soup)),
                ("note", &long),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("note")
            .unwrap()
            .contains("at most 1000 characters")
    );
    page.assert_contains(long.trim_end());
    assert_eq!(o.app.count("offers").await, 0);
}

#[tokio::test]
async fn an_opening_filled_meanwhile_or_a_member_away_is_refused_with_a_message_and_nothing_sent() {
    let mut o = openings().await;
    let path = format!("/c/{}/pathways", o.slug);
    let [ana, ben, cas, _] = o.ids;
    // Soup night found a carrier meanwhile.
    holds(
        &o.app,
        o.can,
        o.soup,
        ana,
        "carrier",
        Utc::now() - chrono::TimeDelta::minutes(1),
        None,
    )
    .await;
    o.olu.get(&path).await;
    o.olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &ben.to_string()),
                ("opening", &format!("carrier:{}", o.soup)),
                ("note", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    o.olu
        .get(&path)
        .await
        .assert_contains("Not sent to Ben: someone carries “Soup night” now.");
    // Cas went away for a while.
    sqlx::query("UPDATE memberships SET status = 'paused' WHERE member_id = $1")
        .bind(cas)
        .execute(&o.app.db)
        .await
        .unwrap();
    o.olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &cas.to_string()),
                ("opening", &format!("backup:{}", o.treasurer)),
                ("note", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    o.olu
        .get(&path)
        .await
        .assert_contains("Cas is not an active member now");
    // A carrier is never asked to back up their own.
    holds(
        &o.app,
        o.can,
        o.treasurer,
        ben,
        "carrier",
        Utc::now() - chrono::TimeDelta::minutes(1),
        None,
    )
    .await;
    o.olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &ben.to_string()),
                ("opening", &format!("backup:{}", o.treasurer)),
                ("note", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    o.olu
        .get(&path)
        .await
        .assert_contains("they carry “Treasurer” already");
    assert_eq!(o.app.count("offers").await, 0);
}

#[tokio::test]
async fn each_member_sees_their_own_path_and_one_next_step_and_nobody_else_does() {
    let mut o = openings().await;
    let ben = o.ids[1];
    let mine = format!("/c/{}/members/{ben}", o.slug);
    let ben_b = &mut o.people[1];
    let page = ben_b.get(&mine).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Your path in this group")
        .assert_contains("You joined the group")
        .assert_contains("You came to a meeting")
        .assert_contains("You could carry “Soup night”.")
        .assert_contains("You came to 2 meetings and do not carry anything yet; your skills (cooking, singing) fit “Soup night”.")
        .assert_contains(&format!("href=\"/c/{}/responsibilities/{}\">See “Soup night”</a>", o.slug, o.soup))
        .assert_lacks("score");
    // Nobody else sees it on Ben's page: not the organiser, not another member.
    o.olu
        .get(&mine)
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("Your path in this group")
        .assert_lacks("You could")
        .assert_lacks("You came to");
    o.people[0]
        .get(&mine)
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("Your path in this group")
        .assert_lacks("Soup night");
    // Invited, Ben's next step is to answer.
    let path = format!("/c/{}/pathways", o.slug);
    o.olu.get(&path).await;
    o.olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &ben.to_string()),
                ("opening", &format!("carrier:{}", o.soup)),
                ("note", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    o.people[1]
        .get(&mine)
        .await
        .assert_contains("Answer the invitation to carry “Soup night” (until ")
        .assert_lacks("You could");
}

#[tokio::test]
async fn nobody_invites_themselves() {
    let mut o = openings().await;
    let olu = o.app.member_id("olu@example.org").await;
    let path = format!("/c/{}/pathways", o.slug);
    let page = o.olu.get(&path).await;
    page.assert_lacks("Invite Olu to")
        .assert_contains("For you: <a href=");
    o.olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &olu.to_string()),
                ("opening", &format!("carrier:{}", o.soup)),
                ("note", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    o.olu.get(&path).await.assert_contains(
        "Nobody invites themselves: to carry “Soup night”, take it on from its own page.",
    );
    assert_eq!(o.app.count("offers").await, 0);
}

#[tokio::test]
async fn cancelling_the_meeting_withdraws_its_note_taker_ask_and_tells_the_person_asked() {
    let mut o = openings().await;
    let offer = note_taker_offer(&mut o).await;
    let meeting = format!("/c/{}/meetings/{}", o.slug, o.monday);
    o.olu.get(&meeting).await;
    o.olu
        .post(&format!("{meeting}/cancel"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM offers WHERE id = $1")
        .bind(offer)
        .fetch_one(&o.app.db)
        .await
        .unwrap();
    assert_eq!(status, "withdrawn");
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT line FROM notifications WHERE member_id = $1 AND kind = 'offer_withdrawn'",
    )
    .bind(o.ids[3])
    .fetch_all(&o.app.db)
    .await
    .unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("Olu cancelled the meeting"), "{told:?}");
    // The ask's page says so to the person asked; nothing is left to accept.
    let dee = &mut o.people[3];
    dee.get(&format!("/c/{}/offers/{offer}", o.slug))
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("/accept\"");
}

#[tokio::test]
async fn a_note_taker_ask_lapses_when_its_meeting_starts() {
    let mut o = openings().await;
    let offer = note_taker_offer(&mut o).await;
    // The meeting is five days ahead, sooner than an ask's seven days.
    let (expires, starts): (DateTime<Utc>, DateTime<Utc>) = sqlx::query_as(
        "SELECT o.expires_at, g.starts_at FROM offers o JOIN meetings g ON g.id = o.meeting_id
         WHERE o.id = $1",
    )
    .bind(offer)
    .fetch_one(&o.app.db)
    .await
    .unwrap();
    assert_eq!(expires, starts);
}

#[tokio::test]
async fn an_opening_is_asked_of_one_person_at_a_time_and_a_person_has_one_ask_to_answer() {
    let mut o = openings().await;
    let path = format!("/c/{}/pathways", o.slug);
    // Two coordinators on stale pages: Ana then Ben asked to carry Soup night.
    let soup = format!("carrier:{}", o.soup);
    for member in [o.ids[0], o.ids[1]] {
        o.olu.get(&path).await;
        let member = member.to_string();
        o.olu
            .post(
                &format!("{path}/invite"),
                &[
                    ("member_id", member.as_str()),
                    ("opening", soup.as_str()),
                    ("note", ""),
                ],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    assert_eq!(
        o.app
            .count(&format!(
                "offers WHERE responsibility_id = '{}' AND status = 'open'",
                o.soup
            ))
            .await,
        1
    );
    o.olu
        .get(&path)
        .await
        .assert_contains("has been asked to carry “Soup night” already and has not answered yet");
    // Ana has her ask to answer: no second one (backing up the Treasurer) reaches her.
    o.olu.get(&path).await;
    let opening = format!("backup:{}", o.treasurer);
    let ana = o.ids[0].to_string();
    o.olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", ana.as_str()),
                ("opening", opening.as_str()),
                ("note", ""),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        o.app
            .count(&format!(
                "offers WHERE to_member = '{ana}' AND status = 'open'"
            ))
            .await,
        1
    );
    o.olu
        .get(&path)
        .await
        .assert_contains("Ana has an invitation waiting for their answer");
}

#[tokio::test]
async fn accepting_notes_is_refused_to_the_meeting_s_facilitator() {
    let mut o = openings().await;
    let offer = note_taker_offer(&mut o).await;
    let dee = o.ids[3];
    sqlx::query("UPDATE meetings SET facilitator_id = $2 WHERE id = $1")
        .bind(o.monday)
        .bind(dee)
        .execute(&o.app.db)
        .await
        .unwrap();
    let dee_b = &mut o.people[3];
    dee_b.get(&format!("/c/{}/offers/{offer}", o.slug)).await;
    accept(dee_b, &o.slug, offer)
        .await
        .assert_contains("You facilitate this meeting now");
    let note_taker: Option<Uuid> =
        sqlx::query_scalar("SELECT note_taker_id FROM meetings WHERE id = $1")
            .bind(o.monday)
            .fetch_one(&o.app.db)
            .await
            .unwrap();
    assert_eq!(note_taker, None);
}

#[tokio::test]
async fn a_refused_note_for_a_suggestion_that_changed_meanwhile_is_not_put_on_another() {
    let mut o = openings().await;
    let path = format!("/c/{}/pathways", o.slug);
    o.olu.get(&path).await;
    // Ben's suggestion is Soup night; the form was for the Treasurer's backup (a stale page).
    let page = o
        .olu
        .post(
            &format!("{path}/invite"),
            &[
                ("member_id", &o.ids[1].to_string()),
                ("opening", &format!("backup:{}", o.treasurer)),
                ("note", &"Would you? ".repeat(100)),
            ],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    o.olu
        .get(&path)
        .await
        .assert_contains("Nothing was sent: the suggestion for Ben changed meanwhile.");
    assert_eq!(o.app.count("offers").await, 0);
}
