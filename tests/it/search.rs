//! Search inside a CAN and its decisions page (issue 17): ranking, stemming in the CAN's language,
//! isolation between CANs, what is never found (hidden and deleted comments, withdrawn hopes,
//! requests for a hand), escaping of the highlighted snippet, the decisions list with minutes and
//! adopted proposals, pagination, refusals.
//!
//! Things to find are written straight into their tables (the index's triggers must pick them up
//! from any writer, the seed included), as another area's service would write them.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::helpers::{Page, TestApp, can_with_member, invite_link, join, start_can, team};

async fn can_id(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn hope(app: &TestApp, can: Uuid, author: Uuid, body: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO hopes (id, can_id, author_id, body) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(can)
        .bind(author)
        .bind(body)
        .execute(&app.db)
        .await
        .unwrap();
    id
}

async fn proposal(app: &TestApp, can: Uuid, author: Uuid, title: &str, body: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO proposals (id, can_id, author_id, title, body) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(can)
    .bind(author)
    .bind(title)
    .bind(body)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

async fn meeting(app: &TestApp, can: Uuid, title: &str, minutes: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, status, minutes)
         VALUES ($1, $2, $3, now() - interval '2 days', now() - interval '2 days' + interval '1 hour',
                 'held', $4)",
    )
    .bind(id)
    .bind(can)
    .bind(title)
    .bind(minutes)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

async fn minutes_decision(
    app: &TestApp,
    can: Uuid,
    meeting: Uuid,
    by: Uuid,
    body: &str,
    ago_minutes: i32,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO decisions (id, can_id, meeting_id, body, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, now() - make_interval(mins => $6))",
    )
    .bind(id)
    .bind(can)
    .bind(meeting)
    .bind(body)
    .bind(by)
    .bind(ago_minutes)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

/// A proposal adopted by consent (its round closed with this tally) and the decision it became.
async fn adopted(
    app: &TestApp,
    can: Uuid,
    author: Uuid,
    title: &str,
    tally: (i32, i32, i32, i32),
    ago_minutes: i32,
) -> Uuid {
    let id = proposal(app, can, author, title, "The full text of the proposal.").await;
    sqlx::query("UPDATE proposals SET status = 'adopted', closed_at = now() WHERE id = $1;")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO consent_rounds (id, can_id, proposal_id, opened_by, opened_at, closes_at,
                                     closed_at, outcome, quorum_num, quorum_den,
                                     endorse_at_close, stand_aside_at_close, object_at_close,
                                     active_at_close, answered_at_close)
         VALUES ($1, $2, $3, $4, now() - interval '8 days', now() - interval '1 day', now() - interval '1 day',
                 'adopted', 2, 3, $5, $6, $7, $8, $5 + $6 + $7)",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(id)
    .bind(author)
    .bind(tally.0)
    .bind(tally.1)
    .bind(tally.2)
    .bind(tally.3)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO decisions (id, can_id, proposal_id, body, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, now() - make_interval(mins => $6))",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(id)
    .bind(title)
    .bind(author)
    .bind(ago_minutes)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

async fn responsibility(
    app: &TestApp,
    can: Uuid,
    by: Uuid,
    title: &str,
    description: &str,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO responsibilities (id, can_id, title, description, kind, created_by)
         VALUES ($1, $2, $3, $4, 'ongoing', $5)",
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

/// A comment on a hope; `state` is "visible", "deleted" or "hidden" (hidden by `by`).
async fn comment_on_hope(
    app: &TestApp,
    can: Uuid,
    hope: Uuid,
    by: Uuid,
    body: &str,
    state: &str,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO comments (id, can_id, author_id, hope_id, body, deleted_at, hidden_at, hidden_by,
                               hidden_reason)
         VALUES ($1, $2, $3, $4, $5,
                 CASE WHEN $6 = 'deleted' THEN now() END,
                 CASE WHEN $6 = 'hidden' THEN now() END,
                 CASE WHEN $6 = 'hidden' THEN $3 END,
                 CASE WHEN $6 = 'hidden' THEN 'Breaks the rules' ELSE '' END)",
    )
    .bind(id)
    .bind(can)
    .bind(by)
    .bind(hope)
    .bind(body)
    .bind(state)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

/// Where `needle` first appears in the page (panics, with the page, when it does not).
#[track_caller]
fn at(page: &Page, needle: &str) -> usize {
    page.body
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on the page:\n{}", page.body))
}

fn search_path(slug: &str, q: &str) -> String {
    format!(
        "/c/{slug}/search?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q)
            .finish()
    )
}

#[tokio::test]
async fn a_title_match_ranks_above_a_body_match_and_both_words_above_one() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let can = can_id(&app, &slug).await;
    let me = app.member_named("Olu").await;
    // The body match is the newer one, so only the weights can put the title match first.
    proposal(
        &app,
        can,
        me,
        "Greenhouse heating",
        "Ideas for the cold months.",
    )
    .await;
    proposal(
        &app,
        can,
        me,
        "Bike repairs",
        "Bring tools; the greenhouse door also sticks.",
    )
    .await;
    let page = olu.get(&search_path(&slug, "greenhouse")).await;
    assert!(
        at(&page, "Greenhouse heating") < at(&page, "Bike repairs"),
        "a title match comes before a body match"
    );

    // Both words matched above one; equal matches newest first.
    // (The one-word match is the newer, so only the rank can order them.)
    hope(&app, can, me, "Mending the orchard shed roof together").await;
    hope(&app, can, me, "A shed for everyone's bicycles").await;
    let page = olu.get(&search_path(&slug, "orchard or shed")).await;
    assert!(
        at(&page, "Mending the <mark>orchard</mark> <mark>shed</mark>")
            < at(&page, "A <mark>shed</mark> for everyone"),
        "both words before one"
    );
    hope(&app, can, me, "A second shed for everyone's bicycles").await;
    let page = olu.get(&search_path(&slug, "bicycles")).await;
    assert!(
        at(&page, "A second shed") < at(&page, "A shed for"),
        "the newer of two equal matches first"
    );
}

#[tokio::test]
async fn words_are_found_in_their_other_forms_in_the_cans_language() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let can = can_id(&app, &slug).await;
    let me = app.member_named("Olu").await;
    hope(&app, can, me, "I hope our garden feeds the street").await;
    let page = olu.get(&search_path(&slug, "gardens")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("our <mark>garden</mark> feeds");

    hope(&app, can, me, "Queremos un jardín comunitario").await;
    hope(&app, can, me, "Los jardines del barrio").await;
    // Read in English, the Spanish plural finds only itself.
    let page = olu.get(&search_path(&slug, "jardines")).await;
    page.assert_lacks("comunitario");
    // A CAN that speaks Spanish: its rows are re-indexed in Spanish, and both forms meet.
    sqlx::query("UPDATE cans SET language = 'es' WHERE id = $1")
        .bind(can)
        .execute(&app.db)
        .await
        .unwrap();
    for q in ["jardines", "jardín"] {
        let page = olu.get(&search_path(&slug, q)).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("un <mark>jardín</mark> comunitario")
            .assert_contains("Los <mark>jardines</mark> del barrio");
    }
    // New rows of a Spanish CAN are indexed in Spanish too.
    hope(&app, can, me, "Un jardín más").await;
    olu.get(&search_path(&slug, "jardines"))
        .await
        .assert_contains("Un <mark>jardín</mark> más");
}

#[tokio::test]
async fn a_search_finds_only_its_own_cans_things_of_every_kind() {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside", "riverside", "invite_only").await;
    let mut bea = app.member("bea@example.org", "Bea").await;
    start_can(&mut bea, "Hillside", "hillside", "invite_only").await;
    let (river, hill) = (
        can_id(&app, "riverside").await,
        can_id(&app, "hillside").await,
    );
    let (o, b) = (app.member_named("Olu").await, app.member_named("Bea").await);
    for (can, who, tag) in [(river, o, "alpha"), (hill, b, "bravo")] {
        let p = proposal(&app, can, who, &format!("Compost {tag} plan"), "Bins").await;
        let m = meeting(
            &app,
            can,
            &format!("Compost {tag} meeting"),
            "We talked compost.",
        )
        .await;
        minutes_decision(&app, can, m, who, &format!("Compost {tag} decided"), 5).await;
        let h = hope(&app, can, who, &format!("Compost {tag} hope")).await;
        comment_on_hope(
            &app,
            can,
            h,
            who,
            &format!("Compost {tag} reply"),
            "visible",
        )
        .await;
        responsibility(
            &app,
            can,
            who,
            &format!("Compost {tag} care"),
            "Turn it weekly",
        )
        .await;
        adopted(
            &app,
            can,
            who,
            &format!("Compost {tag} by consent"),
            (1, 0, 0, 1),
            1,
        )
        .await;
        assert_ne!(p, Uuid::nil());
    }
    let page = olu.get(&search_path("riverside", "compost")).await;
    page.assert_status(StatusCode::OK);
    for thing in [
        "Compost alpha plan",
        "Compost alpha meeting",
        "Compost alpha decided",
        "<mark>Compost</mark> alpha hope",
        "<mark>Compost</mark> alpha reply",
        "Compost alpha care",
        "Compost alpha by consent",
    ] {
        page.assert_contains(thing);
    }
    page.assert_lacks("bravo");
    for badge in [
        "Proposal",
        "Meeting",
        "Decision",
        "Hope",
        "Comment",
        "Responsibility",
    ] {
        page.assert_contains(&format!("<span class=\"badge\">{badge}</span>"));
    }
    let decisions = olu.get("/c/riverside/decisions?q=compost").await;
    decisions
        .assert_status(StatusCode::OK)
        .assert_contains("alpha decided")
        .assert_lacks("bravo");
    // Each result leads to its thing in its own CAN.
    page.assert_contains("href=\"/c/riverside/threads/hope/")
        .assert_contains("#comment-")
        .assert_contains("href=\"/c/riverside/responsibilities/")
        .assert_contains("href=\"/c/riverside/meetings/")
        .assert_contains("href=\"/c/riverside/proposals/");
    // And Bea, searching hers, sees none of Olu's.
    bea.get(&search_path("hillside", "compost"))
        .await
        .assert_contains("bravo")
        .assert_lacks("alpha");
}

#[tokio::test]
async fn hidden_and_deleted_comments_withdrawn_hopes_and_requests_for_a_hand_are_never_found() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let can = can_id(&app, &slug).await;
    let (o, m) = (app.member_named("Olu").await, app.member_named("Mia").await);
    let h = hope(&app, can, m, "Lanterns along the towpath").await;
    comment_on_hope(&app, can, h, m, "lantern seen by all", "visible").await;
    comment_on_hope(&app, can, h, m, "lantern taken back", "deleted").await;
    comment_on_hope(&app, can, h, m, "lantern hidden at once", "hidden").await;
    let later = comment_on_hope(&app, can, h, m, "lantern hidden later", "visible").await;
    let gone = hope(&app, can, m, "A lantern hope withdrawn").await;
    sqlx::query(
        "UPDATE comments SET hidden_at = now(), hidden_by = $2, hidden_reason = 'Off topic'
         WHERE id = $1",
    )
    .bind(later)
    .bind(o)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("UPDATE hopes SET withdrawn_at = now() WHERE id = $1")
        .bind(gone)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO support_requests (id, can_id, asker_id, kind, details, private)
         VALUES ($1, $2, $3, 'ride', 'A lantern ride to the clinic', true)",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(m)
    .execute(&app.db)
    .await
    .unwrap();
    let page = olu.get(&search_path(&slug, "lantern")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("seen by all")
        .assert_contains("<mark>Lanterns</mark> along the towpath")
        .assert_lacks("taken back")
        .assert_lacks("hidden at once")
        .assert_lacks("hidden later")
        .assert_lacks("hope withdrawn")
        .assert_lacks("clinic");
    // A comment edited back into view (an organiser's hide undone by SQL here) is found again.
    sqlx::query(
        "UPDATE comments SET hidden_at = NULL, hidden_by = NULL, hidden_reason = '' WHERE id = $1",
    )
    .bind(later)
    .execute(&app.db)
    .await
    .unwrap();
    olu.get(&search_path(&slug, "lantern"))
        .await
        .assert_contains("hidden later");
}

#[tokio::test]
async fn stored_markup_shows_as_text_and_only_our_marks_are_html() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let can = can_id(&app, &slug).await;
    let me = app.member_named("Olu").await;
    hope(
        &app,
        can,
        me,
        "<script>alert('x')</script> a <mark>fake</mark> mark near the pond & \"quotes\"",
    )
    .await;
    proposal(
        &app,
        can,
        me,
        "<b>Pond</b> <script>x</script>",
        "Clean the pond.",
    )
    .await;
    let page = olu.get(&search_path(&slug, "pond")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        .assert_contains("&lt;mark&gt;fake&lt;/mark&gt;")
        .assert_contains("near the <mark>pond</mark> &amp; &quot;quotes&quot;")
        .assert_lacks("<script>")
        .assert_lacks("<mark>fake")
        .assert_lacks("<b>Pond");
}

#[tokio::test]
async fn the_decisions_page_lists_minutes_and_adopted_proposals_newest_first() {
    let (app, mut olu, mut mia, slug) = can_with_member("invite_only").await;
    let can = can_id(&app, &slug).await;
    let me = app.member_named("Olu").await;
    mia.get(&format!("/c/{slug}/decisions"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("No decisions yet");
    let m = meeting(&app, can, "Spring planning", "").await;
    minutes_decision(&app, can, m, me, "Buy a second wheelbarrow", 30).await;
    let p = adopted(&app, can, me, "Plant an orchard", (4, 1, 0, 6), 10).await;
    let page = mia.get(&format!("/c/{slug}/decisions")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Buy a second wheelbarrow")
        .assert_contains(&format!(
            "href=\"/c/{slug}/meetings/{m}\">Spring planning</a>"
        ))
        .assert_contains(&format!(
            "href=\"/c/{slug}/proposals/{p}\">Plant an orchard</a>"
        ))
        .assert_contains("decided by consent")
        .assert_contains("4 endorsed, 1 stood aside, no objection, of 6 active members");
    assert!(
        at(&page, "Plant an orchard") < at(&page, "wheelbarrow"),
        "newest first"
    );
    // Narrowed by words, with the words marked.
    let page = olu
        .get(&format!("/c/{slug}/decisions?q=wheelbarrows"))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Buy a second <mark>wheelbarrow</mark>")
        .assert_lacks("orchard");
    olu.get(&format!("/c/{slug}/decisions?q=tractor"))
        .await
        .assert_contains("No decision matches “tractor”");
}

#[tokio::test]
async fn long_lists_come_in_pages() {
    let (app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let can = can_id(&app, &slug).await;
    let me = app.member_named("Olu").await;
    let m = meeting(&app, can, "Long meeting", "").await;
    for i in 0..45 {
        minutes_decision(
            &app,
            can,
            m,
            me,
            &format!("Decision number {i:02}"),
            100 - i,
        )
        .await;
    }
    let first = olu.get(&format!("/c/{slug}/decisions")).await;
    first
        .assert_contains("Decision number 44")
        .assert_contains("Decision number 15");
    first.assert_lacks("Decision number 14");
    let older = first.body.split("href=\"").find_map(|rest| {
        let link = &rest[..rest.find('"')?];
        link.contains("before=").then(|| link.replace("&amp;", "&"))
    });
    let older = older.expect("an older link");
    let second = olu.get(&older).await;
    second
        .assert_status(StatusCode::OK)
        .assert_contains("Decision number 14")
        .assert_contains("Decision number 00")
        .assert_lacks("Decision number 15")
        .assert_lacks("Older decisions");

    for i in 0..25 {
        hope(&app, can, me, &format!("Hope about kites, number {i:02}")).await;
    }
    let page = olu.get(&search_path(&slug, "kites")).await;
    assert_eq!(page.body.matches("<li class=\"card\">").count(), 20);
    page.assert_contains("More results");
    let page = olu.get(&format!("/c/{slug}/search?q=kites&page=2")).await;
    assert_eq!(page.body.matches("<li class=\"card\">").count(), 5);
    page.assert_lacks("More results");
}

#[tokio::test]
async fn an_empty_search_shows_the_box_and_an_overlong_one_is_refused_with_the_words_kept() {
    let (_app, mut olu, _mia, slug) = can_with_member("invite_only").await;
    let page = olu.get(&format!("/c/{slug}/search")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("type=\"search\"")
        .assert_lacks("Nothing in this CAN matches");
    let long = "word ".repeat(41);
    for base in ["search", "decisions"] {
        let page = olu
            .get(&format!(
                "/c/{slug}/{base}?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", &long)
                    .finish()
            ))
            .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            page.field_error("q").as_deref(),
            Some("Your search must be at most 200 characters (this is 204).")
        );
        assert_eq!(page.input_value("q").as_deref(), Some(long.as_str()));
    }
    olu.get(&search_path(&slug, &"w".repeat(200)))
        .await
        .assert_status(StatusCode::OK);
    // Stop words alone find nothing, and say so.
    olu.get(&search_path(&slug, "the and of"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Nothing in this CAN matches");
}

#[tokio::test]
async fn only_members_may_search_or_read_the_decisions() {
    let (app, mut olu, _others, slug) = team(&[("mia@example.org", "Mia")]).await;
    let mut outsider = app.member("zed@example.org", "Zed").await;
    for path in [search_path(&slug, "garden"), format!("/c/{slug}/decisions")] {
        olu.get(&path).await.assert_status(StatusCode::OK);
        outsider
            .get(&path)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // A listed CAN shows outsiders its public page, but its search and decisions are for
    // members.
    start_can(&mut olu, "Open Garden", "open-garden", "listed").await;
    for path in [
        search_path("open-garden", "garden"),
        "/c/open-garden/decisions".to_string(),
    ] {
        outsider
            .get(&path)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // Joining makes them a member.
    let link = invite_link(&mut olu, "open-garden", "2", "").await;
    join(&mut outsider, &link).await;
    outsider
        .get("/c/open-garden/decisions")
        .await
        .assert_status(StatusCode::OK);
}
