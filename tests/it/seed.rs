//! The sample-data generator (`canopy seed`), run as a library on a fresh test database: the
//! groups it makes hold together, the app serves them to the accounts it prints, a first start on
//! them mails nobody, and it keeps away from real data.

use axum::http::StatusCode;
use canopy::seed::{self, SeedError, SeedOptions, SeedReport};
use chrono::Utc;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp};

fn three_cans() -> SeedOptions {
    SeedOptions {
        cans: 3,
        members: 12,
        weeks: 8,
        ..SeedOptions::default()
    }
}

async fn seeded(opts: &SeedOptions) -> (TestApp, SeedReport) {
    let app = TestApp::new().await;
    let report = seed::run(&app.db, opts)
        .await
        .unwrap_or_else(|e| panic!("seeding failed: {e}"));
    (app, report)
}

async fn signed_in(app: &TestApp, email: &str, password: &str) -> Browser {
    let mut b = app.browser();
    b.get("/sign-in").await.assert_status(StatusCode::OK);
    b.post("/sign-in", &[("email", email), ("password", password)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    b
}

async fn scalar_i64(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
}

#[tokio::test]
async fn the_report_counts_what_the_database_holds() {
    let (app, report) = seeded(&three_cans()).await;
    assert_eq!(report.rows.get("cans"), Some(&3));
    assert_eq!(report.rows.get("members"), Some(&36));
    for (table, n) in &report.rows {
        assert_eq!(app.count(table).await as u64, *n, "rows in {table}");
        assert!(*n > 0, "the seed made no {table}");
    }
    assert!(report.to_string().contains(seed::PASSWORD));
    assert_eq!(report.can_path, "/c/seed-1");
}

#[tokio::test]
async fn every_seeded_can_is_a_whole_group() {
    let (app, _) = seeded(&three_cans()).await;
    #[derive(sqlx::FromRow, Debug)]
    struct Group {
        slug: String,
        stage: String,
        adopted_by_consent: bool,
        versions: i64,
        goals: i64,
        series: i64,
        held_with_attendance: i64,
        held_with_minutes: i64,
        ahead: i64,
        carried_with_backup: i64,
        handed_off: i64,
        active_organisers: i64,
        check_ins: i64,
        moves: i64,
        open_rounds: i64,
        open_proposal_rounds: i64,
        proposals: i64,
        adopted_proposals_decided: i64,
        searchable: i64,
    }
    let groups: Vec<Group> = sqlx::query_as(
        "SELECT c.slug, c.stage,
                c.vision_version_id IS NOT NULL AND EXISTS (SELECT 1 FROM consent_rounds r
                    WHERE r.can_id = c.id AND r.version_id = c.vision_version_id AND r.outcome = 'adopted'
                      AND r.object_at_close = 0 AND r.answered_at_close * 3 >= r.active_at_close * 2) AS adopted_by_consent,
                (SELECT count(*) FROM vision_versions v WHERE v.can_id = c.id) AS versions,
                (SELECT count(*) FROM goals g WHERE g.can_id = c.id) AS goals,
                (SELECT count(*) FROM meeting_series s WHERE s.can_id = c.id) AS series,
                (SELECT count(*) FROM meetings g WHERE g.can_id = c.id AND g.status = 'held'
                   AND EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = g.id)) AS held_with_attendance,
                (SELECT count(*) FROM meetings g WHERE g.can_id = c.id AND g.status = 'held'
                   AND btrim(g.minutes) <> '') AS held_with_minutes,
                (SELECT count(*) FROM meetings g WHERE g.can_id = c.id AND g.status = 'scheduled'
                   AND g.starts_at > now()) AS ahead,
                (SELECT count(*) FROM responsibilities r WHERE r.can_id = c.id
                   AND EXISTS (SELECT 1 FROM carriers k WHERE k.responsibility_id = r.id AND k.kind = 'carrier' AND k.until_at IS NULL)
                   AND EXISTS (SELECT 1 FROM carriers k WHERE k.responsibility_id = r.id AND k.kind = 'backup' AND k.until_at IS NULL))
                   AS carried_with_backup,
                (SELECT count(*) FROM carriers k WHERE k.can_id = c.id AND k.ended_how = 'handed_off') AS handed_off,
                (SELECT count(*) FROM role_grants g JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id
                   WHERE g.can_id = c.id AND g.role = 'organiser' AND g.ended_at IS NULL AND m.status = 'active')
                   AS active_organisers,
                (SELECT count(*) FROM check_ins k WHERE k.can_id = c.id) AS check_ins,
                (SELECT count(*) FROM stage_transitions t WHERE t.can_id = c.id) AS moves,
                (SELECT count(*) FROM consent_rounds r WHERE r.can_id = c.id AND r.closed_at IS NULL
                   AND r.version_id IS NOT NULL) AS open_rounds,
                (SELECT count(*) FROM consent_rounds r WHERE r.can_id = c.id AND r.closed_at IS NULL
                   AND r.proposal_id IS NOT NULL) AS open_proposal_rounds,
                (SELECT count(*) FROM proposals p WHERE p.can_id = c.id) AS proposals,
                (SELECT count(*) FROM proposals p JOIN decisions d ON d.proposal_id = p.id
                   JOIN consent_rounds r ON r.proposal_id = p.id AND r.outcome = 'adopted'
                   WHERE p.can_id = c.id AND p.status = 'adopted') AS adopted_proposals_decided,
                (SELECT count(DISTINCT e.kind) FROM search_entries e WHERE e.can_id = c.id) AS searchable
         FROM cans c ORDER BY c.slug",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(groups.len(), 3);
    for g in &groups {
        assert!(g.slug.starts_with("seed-"), "{g:?}");
        assert!(g.adopted_by_consent, "{g:?}");
        assert!((2..=4).contains(&g.versions), "{g:?}");
        assert_eq!(g.goals, 3, "{g:?}");
        assert_eq!(g.series, 1, "{g:?}");
        assert!(g.held_with_attendance >= 6, "{g:?}");
        assert!(g.held_with_minutes >= 3, "{g:?}");
        assert!(g.ahead >= 10, "about twelve weeks ahead: {g:?}");
        assert!(g.carried_with_backup >= 3, "{g:?}");
        assert!(g.handed_off >= 1, "{g:?}");
        assert!(g.active_organisers >= 1, "{g:?}");
        assert!(g.check_ins >= 1, "{g:?}");
        assert!(g.moves >= 1, "{g:?}");
        assert_eq!(g.open_rounds, i64::from(g.stage == "visioning"), "{g:?}");
        // Issue 17: proposals run beside the vision, the newest still open; those adopted are
        // decisions; everything a member may read is in the search index, of every kind.
        assert_eq!(g.open_proposal_rounds, 1, "{g:?}");
        assert!(g.proposals >= 3, "{g:?}");
        assert_eq!(
            g.adopted_proposals_decided,
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM proposals p JOIN cans c ON c.id = p.can_id
                 WHERE c.slug = $1 AND p.status = 'adopted'"
            )
            .bind(&g.slug)
            .fetch_one(&app.db)
            .await
            .unwrap(),
            "{g:?}"
        );
        assert_eq!(g.searchable, 6, "{g:?}");
    }
    let stages: std::collections::BTreeSet<&str> =
        groups.iter().map(|g| g.stage.as_str()).collect();
    assert_eq!(
        stages.into_iter().collect::<Vec<_>>(),
        ["organizing", "sustaining", "visioning"]
    );

    // Nobody belongs to a CAN without an active organiser.
    assert_eq!(
        scalar_i64(
            &app,
            "SELECT count(*) FROM memberships m WHERE NOT EXISTS (
                 SELECT 1 FROM role_grants g JOIN memberships o ON o.can_id = g.can_id AND o.member_id = g.member_id
                 WHERE g.can_id = m.can_id AND g.role = 'organiser' AND g.ended_at IS NULL AND o.status = 'active')"
        )
        .await,
        0
    );
    // Mostly active, some away, a few gone; some drift: they came once, and not to the last three.
    for (status, at_least) in [("active", 25), ("paused", 3), ("left", 3)] {
        let n = scalar_i64(
            &app,
            &format!("SELECT count(*) FROM memberships WHERE status = '{status}'"),
        )
        .await;
        assert!(n >= at_least, "{n} {status}");
    }
    let drifting = scalar_i64(
        &app,
        "SELECT count(*) FROM memberships m WHERE m.status = 'active'
           AND EXISTS (SELECT 1 FROM attendance a WHERE a.can_id = m.can_id AND a.member_id = m.member_id)
           AND NOT EXISTS (SELECT 1 FROM attendance a JOIN (
                   SELECT id FROM meetings g WHERE g.can_id = m.can_id AND g.status = 'held'
                   ORDER BY g.starts_at DESC LIMIT 3) r ON r.id = a.meeting_id
               WHERE a.member_id = m.member_id)",
    )
    .await;
    assert!(drifting >= 3, "{drifting} drifting");
    // Someone belongs to two groups.
    assert!(
        scalar_i64(
            &app,
            "SELECT count(*) FROM (SELECT member_id FROM memberships GROUP BY 1 HAVING count(*) > 1) x"
        )
        .await
            >= 1
    );
    // Role history: ended grants beside current ones; objections always with a reason.
    assert!(
        scalar_i64(
            &app,
            "SELECT count(*) FROM role_grants WHERE ended_at IS NOT NULL"
        )
        .await
            >= 6
    );
    assert!(
        scalar_i64(
            &app,
            "SELECT count(*) FROM consent_answer_history WHERE answer = 'object' AND btrim(reason) <> ''"
        )
        .await
            >= 3
    );
    // Nothing happened in the future, and meetings ahead are still to come.
    assert_eq!(
        scalar_i64(&app, "SELECT count(*) FROM activity_log WHERE at > now()").await,
        0
    );
    assert_eq!(
        scalar_i64(
            &app,
            "SELECT count(*) FROM meetings WHERE status = 'held' AND starts_at > now()"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn each_group_stands_at_the_stage_its_data_supports() {
    use canopy::cans::model::Stage;
    use canopy::stages::guide;
    let (app, _) = seeded(&three_cans()).await;
    let cans: Vec<(Uuid, String, Stage)> = sqlx::query_as("SELECT id, slug, stage FROM cans")
        .fetch_all(&app.db)
        .await
        .unwrap();
    for (id, slug, stage) in cans {
        let (criteria, facts) = guide::assess(&app.db, id).await.unwrap();
        let ready = |s: Stage| guide::ready(&guide::steps(s, &facts, &criteria, &slug));
        match stage {
            // Moved on with every step done, and still so.
            Stage::Sustaining => assert!(ready(Stage::Organizing), "{slug}: {facts:?}"),
            // Done with visioning; one responsibility still needs someone to carry it.
            Stage::Organizing => {
                assert!(ready(Stage::Visioning), "{slug}: {facts:?}");
                assert!(!ready(Stage::Organizing), "{slug}: {facts:?}");
                assert_eq!(facts.open_responsibilities.len(), 1, "{slug}");
            }
            // Back for a renewal, with a new draft in an open round.
            Stage::Visioning => assert!(facts.vision_adopted, "{slug}"),
        }
    }
}

#[tokio::test]
async fn seeded_series_are_what_the_app_would_have_materialised() {
    let (app, _) = seeded(&three_cans()).await;
    let series: Vec<(Uuid, Uuid)> = sqlx::query_as("SELECT id, can_id FROM meeting_series")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    for (id, can_id) in series {
        let s = canopy::meetings::series::series(&mut conn, can_id, id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            s.rrule.starts_with("FREQ=WEEKLY;INTERVAL=1;BYDAY="),
            "{}",
            s.rrule
        );
        let today = canopy::web::time::today_in(s.time_zone);
        // Every occurrence the rule gives, past and ahead, exists at its wall-clock time.
        let dates = canopy::meetings::recurrence::dates(
            &s.rrule,
            s.starts_on,
            s.until_on,
            s.starts_on,
            today + chrono::Duration::days(canopy::meetings::series::HORIZON_DAYS),
        )
        .unwrap();
        let stored: Vec<(chrono::NaiveDate, chrono::DateTime<Utc>)> = sqlx::query_as(
            "SELECT occurrence_on, starts_at FROM meetings WHERE series_id = $1 ORDER BY occurrence_on",
        )
        .bind(id)
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert_eq!(stored.len(), dates.len());
        for ((on, starts), expected) in stored.iter().zip(&dates) {
            assert_eq!(on, expected);
            assert_eq!(*starts, s.times_on(*on).0);
        }
        // The clock that extends series finds nothing left to make.
        let made = canopy::meetings::series::materialise(&mut conn, &s, today)
            .await
            .unwrap();
        assert_eq!(made, 0);
    }
}

#[tokio::test]
async fn a_first_start_on_a_seed_mails_nobody() {
    let (app, _) = seeded(&three_cans()).await;
    let base = "http://localhost";
    canopy::meetings::jobs::tick(&app.db, base).await.unwrap();
    canopy::visioning::rounds::tick(&app.db, base)
        .await
        .unwrap();
    canopy::responsibilities::jobs::tick(&app.db, base)
        .await
        .unwrap();
    canopy::stages::digest::tick(&app.db, base, Utc::now().date_naive())
        .await
        .unwrap();
    assert_eq!(app.count("outbox").await, 0);
}

#[tokio::test]
async fn the_printed_accounts_sign_in_and_every_page_of_each_group_answers() {
    let (app, report) = seeded(&three_cans()).await;
    for role in ["organiser", "facilitator", "coordinator", "member"] {
        let account = report.account(role).unwrap_or_else(|| panic!("no {role}"));
        assert!(account.email.ends_with("@seed.canopy.test"));
        let mut b = signed_in(&app, &account.email, report.password).await;
        b.get(&report.can_path).await.assert_status(StatusCode::OK);
    }

    // Each group's founding organiser opens every page of their group.
    let founders: Vec<(String, String, Uuid)> = sqlx::query_as(
        "SELECT c.slug, p.email, c.id FROM cans c JOIN members p ON p.id = c.created_by ORDER BY c.slug",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    for (slug, email, can_id) in founders {
        let mut b = signed_in(&app, &email, report.password).await;
        let id = |sql: &str| {
            let db = app.db.clone();
            let sql = sql.to_string();
            async move {
                sqlx::query_scalar::<_, Uuid>(&sql)
                    .bind(can_id)
                    .fetch_one(&db)
                    .await
                    .unwrap_or_else(|e| panic!("{e}: {sql}"))
            }
        };
        let held = id("SELECT id FROM meetings WHERE can_id = $1 AND status = 'held' ORDER BY starts_at DESC LIMIT 1").await;
        let next = id("SELECT id FROM meetings WHERE can_id = $1 AND status = 'scheduled' ORDER BY starts_at LIMIT 1").await;
        let series = id("SELECT id FROM meeting_series WHERE can_id = $1").await;
        let handed = id("SELECT responsibility_id FROM carriers WHERE can_id = $1 AND ended_how = 'handed_off' LIMIT 1").await;
        let round =
            id("SELECT id FROM consent_rounds WHERE can_id = $1 AND version_id IS NOT NULL ORDER BY opened_at DESC LIMIT 1")
                .await;
        let member =
            id("SELECT member_id FROM memberships WHERE can_id = $1 AND status = 'left' LIMIT 1")
                .await;
        let c = format!("/c/{slug}");
        for path in [
            "/".to_string(),
            c.clone(),
            format!("{c}/meetings"),
            format!("{c}/meetings/{held}"),
            format!("{c}/meetings/{held}/pack"),
            format!("{c}/meetings/{next}"),
            format!("{c}/meetings/series/{series}"),
            format!("{c}/responsibilities"),
            format!("{c}/responsibilities?by=goal"),
            format!("{c}/responsibilities/{handed}"),
            format!("{c}/load"),
            format!("{c}/health"),
            format!("{c}/stage"),
            format!("{c}/vision"),
            format!("{c}/vision/versions/1"),
            format!("{c}/vision/rounds/{round}"),
            format!("{c}/goals"),
            format!("{c}/members"),
            format!("{c}/members/{member}"),
            format!("{c}/activity"),
            format!("{c}/decisions"),
            format!("{c}/search?q=meeting"),
        ] {
            let page = b.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}:\n{}", page.body);
        }
    }
}

#[tokio::test]
async fn the_demo_is_one_lively_can_with_something_of_everything() {
    let (app, report) = seeded(&SeedOptions {
        demo: true,
        ..SeedOptions::default()
    })
    .await;
    assert_eq!((report.cans, report.members, report.weeks), (1, 12, 8));
    for table in [
        "reach_outs",
        "time_polls",
        "time_poll_answers",
        "check_ins",
        "decisions",
        "action_items",
        "progress_notes",
        "stage_transitions",
        "rsvps",
        "proposals",
        "proposal_versions",
        "comments",
        "hope_resonances",
        "search_entries",
    ] {
        assert!(app.count(table).await > 0, "the demo has no {table}");
    }
    let mut b = signed_in(&app, &report.accounts[0].email, report.password).await;
    let health = b.get("/c/seed-1/health").await;
    health.assert_status(StatusCode::OK);
    // Someone drifting, one of them already contacted.
    health.assert_contains("checked in");
}

#[tokio::test]
async fn a_database_with_real_members_is_refused_unless_named() {
    let app = TestApp::new().await;
    app.member("ada@example.org", "Ada").await;
    let small = SeedOptions {
        cans: 1,
        members: 8,
        weeks: 4,
        ..SeedOptions::default()
    };
    let refused = seed::run(&app.db, &small).await.unwrap_err();
    assert!(matches!(refused, SeedError::Refused(_)), "{refused}");
    assert!(
        refused.to_string().contains("--force-database"),
        "{refused}"
    );
    let wrong = SeedOptions {
        force_database: Some("canopy".into()),
        ..small.clone()
    };
    assert!(matches!(
        seed::run(&app.db, &wrong).await,
        Err(SeedError::Refused(_))
    ));
    assert_eq!(app.count("cans").await, 0);
    assert_eq!(app.count("members").await, 1);

    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let named = SeedOptions {
        force_database: Some(name),
        ..small
    };
    let report = seed::run(&app.db, &named).await.unwrap();
    assert_eq!(report.rows.get("cans"), Some(&1));
    assert_eq!(app.count("members").await, 9);
}

#[tokio::test]
async fn a_second_seed_is_refused() {
    let small = SeedOptions {
        cans: 1,
        members: 8,
        weeks: 4,
        ..SeedOptions::default()
    };
    let (app, _) = seeded(&small).await;
    let again = seed::run(&app.db, &small).await.unwrap_err();
    assert!(
        again.to_string().contains("already holds a seed"),
        "{again}"
    );
    assert_eq!(app.count("cans").await, 1);
}
