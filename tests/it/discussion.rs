//! Talking things through (issue 17 §2): comments on proposals, objections, hopes,
//! responsibilities and meetings; edits kept as history; the author removes theirs ("Comment
//! removed"); organisers hide one with a reason the author reads; mentions by name and replies
//! reach people through notifications; nothing crosses from one CAN to another.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, start_can, team};

const SLUG: &str = "riverside-neighbours";

/// Olu's CAN (Olu organises) with Mia, Noor and Kai, all active; Mal runs Hillside.
/// Returns (app, Olu, [Mia, Noor, Kai], Mal).
async fn group() -> (TestApp, Browser, Vec<Browser>, Browser) {
    let (app, olu, others, _) = team(&[
        ("mia@example.org", "Mia"),
        ("noor@example.org", "Noor"),
        ("kai@example.org", "Kai"),
    ])
    .await;
    let mut mal = app.member("mal@example.org", "Mal").await;
    start_can(&mut mal, "Hillside", "hillside", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    (app, olu, others, mal)
}

async fn can_id(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM cans WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A proposal put by `author` in the CAN, with its open consent round; returns (proposal, round).
async fn proposal(app: &TestApp, can: Uuid, author: Uuid, title: &str) -> (Uuid, Uuid) {
    let (id, round) = (Uuid::now_v7(), Uuid::now_v7());
    sqlx::query(
        "INSERT INTO proposals (id, can_id, author_id, title, body) VALUES ($1, $2, $3, $4, 'We propose it.')",
    )
    .bind(id)
    .bind(can)
    .bind(author)
    .bind(title)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO consent_rounds (id, can_id, proposal_id, opened_by, closes_at, quorum_num, quorum_den)
         VALUES ($1, $2, $3, $4, now() + interval '7 days', 1, 2)",
    )
    .bind(round)
    .bind(can)
    .bind(id)
    .bind(author)
    .execute(&app.db)
    .await
    .unwrap();
    (id, round)
}

/// `member` answers the round (an objection needs a reason).
async fn answer(app: &TestApp, can: Uuid, round: Uuid, member: Uuid, answer: &str, reason: &str) {
    sqlx::query(
        "INSERT INTO consent_answers (round_id, can_id, member_id, answer, reason) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(round)
    .bind(can)
    .bind(member)
    .bind(answer)
    .bind(reason)
    .execute(&app.db)
    .await
    .unwrap();
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

/// A responsibility carried by `carrier`.
async fn responsibility(app: &TestApp, can: Uuid, creator: Uuid, carrier: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO responsibilities (id, can_id, title, kind, status, created_by)
         VALUES ($1, $2, 'Flyers for the fair', 'task', 'active', $3)",
    )
    .bind(id)
    .bind(can)
    .bind(creator)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, from_at)
         VALUES ($1, $2, $3, $4, 'carrier', now() - interval '1 day')",
    )
    .bind(Uuid::now_v7())
    .bind(can)
    .bind(id)
    .bind(carrier)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

/// A meeting facilitated by `facilitator`.
async fn meeting(app: &TestApp, can: Uuid, facilitator: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO meetings (id, can_id, title, starts_at, ends_at, facilitator_id)
         VALUES ($1, $2, 'March gathering', now() + interval '2 days',
                 now() + interval '2 days 2 hours', $3)",
    )
    .bind(id)
    .bind(can)
    .bind(facilitator)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

/// `b` comments on the thread at `path` through its page; returns the new comment's id.
async fn comment(b: &mut Browser, path: &str, words: &str) -> Uuid {
    b.get(path).await.assert_status(StatusCode::OK);
    let page = b.post(path, &[("body", words)]).await;
    page.assert_status(StatusCode::SEE_OTHER);
    let location = page.location().expect("back to the thread").to_string();
    let (to, anchor) = location
        .split_once("#comment-")
        .expect("at the new comment");
    assert_eq!(to, path);
    anchor.parse().unwrap()
}

/// Who was told of `kind` (display names, sorted).
async fn told(app: &TestApp, kind: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT p.display_name FROM notifications n JOIN members p ON p.id = n.member_id
         WHERE n.kind = $1 ORDER BY p.display_name, n.created_at",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn activity(app: &TestApp, action: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT summary FROM activity_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

fn thread(kind: &str, id: impl std::fmt::Display) -> String {
    format!("/c/{SLUG}/threads/{kind}/{id}")
}

fn at(comment: Uuid, rest: &str) -> String {
    format!("/c/{SLUG}/comments/{comment}{rest}")
}

#[tokio::test]
async fn a_member_comments_on_a_proposal_and_edits_it_keeping_its_history() {
    let (app, mut olu, mut others, _) = group().await;
    let can = can_id(&app, SLUG).await;
    let (p, _) = proposal(&app, can, app.member_named("Olu").await, "Quiet hours").await;
    let path = thread("proposal", p);
    let mia = &mut others[0];

    let page = mia.get(&path).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Discussion of “Quiet hours”")
        .assert_contains(&format!("href=\"/c/{SLUG}/proposals/{p}\""))
        .assert_contains("Nobody has commented yet")
        .assert_contains(&format!("href=\"/c/{SLUG}#rules\""));

    let id = comment(mia, &path, "I can live with ten o'clock.\nBut not nine.").await;
    let page = mia.get(&path).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Your comment is posted.")
        .assert_contains(&format!("id=\"comment-{id}\""))
        .assert_contains("I can live with ten o&#39;clock.<br>\nBut not nine.")
        .assert_contains("Comments (1)")
        .assert_lacks(">edited</a>");

    // Mia edits it: the thread says "edited" and the history keeps the first words.
    mia.get(&at(id, "/edit"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("But not nine.");
    let saved = mia
        .post(&at(id, "/edit"), &[("body", "Ten o'clock works for me.")])
        .await;
    saved.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location(),
        Some(format!("{path}#comment-{id}").as_str())
    );
    let page = olu.get(&path).await;
    page.assert_contains("Ten o&#39;clock works for me.")
        .assert_lacks("But not nine.")
        .assert_contains(&format!(
            "<a href=\"/c/{SLUG}/comments/{id}/history\">edited</a>"
        ));
    let history = olu.get(&at(id, "/history")).await;
    history
        .assert_status(StatusCode::OK)
        .assert_contains("Ten o&#39;clock works for me.")
        .assert_contains("I can live with ten o&#39;clock.<br>\nBut not nine.");
    assert_eq!(app.count("comment_edits").await, 1);

    // Only the author edits: Olu (an organiser) finds nothing to edit.
    olu.get(&at(id, "/edit"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    olu.post(&at(id, "/edit"), &[("body", "Olu's words")])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let body: String = sqlx::query_scalar("SELECT body FROM comments WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(body, "Ten o'clock works for me.");

    assert_eq!(
        activity(&app, "comment.posted").await,
        ["Mia commented on the proposal “Quiet hours”"]
    );
    assert_eq!(
        activity(&app, "comment.edited").await,
        ["Mia edited their comment on the proposal “Quiet hours”"]
    );
}

#[tokio::test]
async fn the_author_removes_their_comment_and_comment_removed_stays_in_its_place() {
    let (app, mut olu, mut others, _) = group().await;
    let can = can_id(&app, SLUG).await;
    let h = hope(&app, can, app.member_named("Olu").await, "A shared garden").await;
    let path = thread("hope", h);
    let id = comment(&mut others[0], &path, "Something I regret writing").await;
    // Someone else cannot remove it.
    others[1].get(&path).await;
    others[1]
        .post(&at(id, "/delete"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let mia = &mut others[0];
    mia.get(&path).await;
    let removed = mia.post(&at(id, "/delete"), &[]).await;
    removed.assert_status(StatusCode::SEE_OTHER);
    mia.get(&path)
        .await
        .assert_contains("Your comment is removed.")
        .assert_contains("Comment removed")
        .assert_lacks("Something I regret writing");
    olu.get(&path)
        .await
        .assert_contains("Comment removed")
        .assert_lacks("Something I regret writing");
    // Its history shows nothing either; it cannot be edited back.
    olu.get(&at(id, "/history"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let mia = &mut others[0];
    mia.get(&path).await;
    let again = mia.post(&at(id, "/edit"), &[("body", "Back again")]).await;
    again.assert_status(StatusCode::SEE_OTHER);
    mia.get(&path)
        .await
        .assert_contains("can no longer be edited")
        .assert_lacks("Back again");

    // The words stay in the row, for the log.
    let (body, deleted): (String, bool) =
        sqlx::query_as("SELECT body, deleted_at IS NOT NULL FROM comments WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(body, "Something I regret writing");
    assert!(deleted);
    assert_eq!(
        activity(&app, "comment.removed").await,
        ["Mia removed their comment on Olu’s hope"]
    );
}

#[tokio::test]
async fn organisers_hide_a_comment_with_a_reason_the_author_reads_and_can_show_it_again() {
    let (app, mut olu, mut others, _) = group().await;
    let can = can_id(&app, SLUG).await;
    let m = meeting(&app, can, app.member_named("Olu").await).await;
    let path = thread("meeting", m);
    let id = comment(&mut others[0], &path, "Noor never does anything").await;

    // Noor, not an organiser, may not hide it.
    let noor = &mut others[1];
    noor.get(&path).await.assert_lacks("Hide this comment");
    noor.post(&at(id, "/hide"), &[("reason", "I don't like it")])
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // A reason is needed, and a too-long one comes back with its words.
    let page = olu.get(&path).await;
    page.assert_contains("Hide this comment");
    let long = format!("Unkind {}", "x".repeat(500));
    let refused = olu.post(&at(id, "/hide"), &[("reason", &long)]).await;
    refused
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("at most 500 characters")
        .assert_contains(&long);
    olu.post(&at(id, "/hide"), &[("reason", "  ")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Enter the reason.");

    let hidden = olu
        .post(
            &at(id, "/hide"),
            &[("reason", "Blaming a neighbour breaks our rules.")],
        )
        .await;
    hidden.assert_status(StatusCode::SEE_OTHER);

    // Other members see one line in its place; the author sees their words and why.
    others[1]
        .get(&path)
        .await
        .assert_contains("A comment was hidden by the organisers")
        .assert_lacks("Noor never does anything")
        .assert_lacks("Blaming a neighbour");
    others[2]
        .get(&at(id, "/history"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    others[0]
        .get(&path)
        .await
        .assert_contains("Noor never does anything")
        .assert_contains("The organisers hid your comment")
        .assert_contains("Why: Blaming a neighbour breaks our rules.");
    olu.get(&path)
        .await
        .assert_contains("Noor never does anything")
        .assert_contains("Show it to everyone again");

    // The author is told, with the reason.
    let (line, detail): (String, Option<String>) =
        sqlx::query_as("SELECT line, detail FROM notifications WHERE kind = 'comment_hidden'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        line,
        "An organiser hid your comment on the meeting “March gathering”. Why: Blaming a neighbour breaks our rules."
    );
    assert!(
        detail
            .unwrap()
            .contains("Why: Blaming a neighbour breaks our rules.")
    );
    assert_eq!(told(&app, "comment_hidden").await, ["Mia"]);
    // While hidden, an edit that names someone tells nobody: they could not read it.
    others[0].get(&at(id, "/edit")).await;
    others[0]
        .post(&at(id, "/edit"), &[("body", "Sorry @Noor, I take it back")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(told(&app, "mentioned").await.is_empty());
    others[1]
        .get(&path)
        .await
        .assert_lacks("I take it back")
        .assert_contains("A comment was hidden by the organisers");

    // Shown again: everyone reads it.
    olu.get(&path).await;
    olu.post(&at(id, "/unhide"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    others[1]
        .get(&path)
        .await
        .assert_contains("Sorry @Noor, I take it back")
        .assert_lacks("A comment was hidden");
    assert_eq!(
        activity(&app, "comment.hidden").await,
        [
            "Olu hid Mia’s comment on the meeting “March gathering”: Blaming a neighbour breaks our rules."
        ]
    );
    assert_eq!(
        activity(&app, "comment.unhidden").await,
        ["Olu showed Mia’s comment on the meeting “March gathering” again"]
    );
}

#[tokio::test]
async fn comments_are_escaped_and_their_links_are_safe() {
    let (app, _olu, mut others, _) = group().await;
    let can = can_id(&app, SLUG).await;
    let (p, _) = proposal(&app, can, app.member_named("Olu").await, "Safety").await;
    let path = thread("proposal", p);
    let words = "<script>alert(\"hi\")</script> See https://example.org/a?b=1&c=2. \
                 Not javascript:alert(1) nor <a href=\"http://evil.example\">x</a>";
    let mia = &mut others[0];
    comment(mia, &path, words).await;
    let page = mia.get(&path).await;
    page.assert_contains("&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;")
        .assert_lacks("<script>alert")
        .assert_contains(
            "<a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">https://example.org/a?b=1&amp;c=2</a>.",
        )
        .assert_contains("Not javascript:alert(1) nor &lt;a href=&quot;")
        .assert_lacks("href=\"javascript")
        .assert_lacks("<a href=\"http://evil.example\">");
}

#[tokio::test]
async fn mentions_tell_the_person_named_but_never_the_author_and_an_edit_only_the_newly_named() {
    let (app, _olu, mut others, _) = team(&[
        ("mia@example.org", "Mia"),
        ("mj@example.org", "Mia Jones"),
        ("noor@example.org", "Noor"),
    ])
    .await;
    let can = can_id(&app, SLUG).await;
    let h = hope(
        &app,
        can,
        app.member_named("Olu").await,
        "Benches by the river",
    )
    .await;
    let path = thread("hope", h);
    let noor = &mut others[2];
    let id = comment(noor, &path, "Thanks @mia jones, and a note to myself @Noor").await;
    assert_eq!(told(&app, "mentioned").await, ["Mia Jones"]);
    let (line, link): (String, String) =
        sqlx::query_as("SELECT line, link FROM notifications WHERE kind = 'mentioned'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(line, "Noor mentioned you in a comment on Olu’s hope");
    assert_eq!(link, format!("{path}#comment-{id}"));
    // Rendered as the plain name.
    noor.get(&path)
        .await
        .assert_contains("Thanks @mia jones, and a note to myself @Noor");

    // An edit that adds Mia tells Mia only; Mia Jones is not told twice.
    noor.get(&at(id, "/edit")).await;
    noor.post(
        &at(id, "/edit"),
        &[("body", "Thanks @Mia Jones and @Mia, and @Noor")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(told(&app, "mentioned").await, ["Mia", "Mia Jones"]);
}

#[tokio::test]
async fn a_comment_reaches_the_subjects_author_and_earlier_commenters_but_not_who_left() {
    let (app, mut olu, mut others, _) = group().await;
    let can = can_id(&app, SLUG).await;
    let (p, _) = proposal(&app, can, app.member_named("Olu").await, "Quiet hours").await;
    let path = thread("proposal", p);

    comment(&mut others[2], &path, "Kai was here first").await;
    assert_eq!(told(&app, "comment_reply").await, ["Olu"]);
    // Kai leaves the CAN.
    sqlx::query("UPDATE memberships SET status = 'left' WHERE member_id = $1")
        .bind(app.member_named("Kai").await)
        .execute(&app.db)
        .await
        .unwrap();

    comment(&mut others[0], &path, "Mia agrees").await;
    // Noor mentions Mia: Mia is told once (the mention), Olu gets a reply, Kai (left) nothing.
    comment(&mut others[1], &path, "What do you think, @Mia?").await;
    assert_eq!(told(&app, "comment_reply").await, ["Olu", "Olu", "Olu"]);
    // Olu answers: the earlier commenters still here are told, Olu (the author) is not.
    comment(&mut olu, &path, "Thank you all").await;
    assert_eq!(
        told(&app, "comment_reply").await,
        ["Mia", "Noor", "Olu", "Olu", "Olu"]
    );
    assert_eq!(told(&app, "mentioned").await, ["Mia"]);
    let kai = app.member_named("Kai").await;
    let kai_told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE member_id = $1 AND kind LIKE 'comment%'",
    )
    .bind(kai)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(kai_told, 0);
    // A reply waits for the digest unless the person chose otherwise.
    let deliveries: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT delivery FROM notifications WHERE kind = 'comment_reply'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(deliveries, ["digest"]);
}

#[tokio::test]
async fn every_subject_has_a_thread_that_reaches_the_people_it_concerns() {
    let (app, mut olu, mut others, _) = group().await;
    let can = can_id(&app, SLUG).await;
    let (olu_id, mia_id, noor_id) = (
        app.member_named("Olu").await,
        app.member_named("Mia").await,
        app.member_named("Noor").await,
    );

    // A hope: shown with how many it resonates with.
    let h = hope(&app, can, mia_id, "A repair café").await;
    for who in [olu_id, noor_id] {
        sqlx::query("INSERT INTO hope_resonances (hope_id, can_id, member_id) VALUES ($1, $2, $3)")
            .bind(h)
            .bind(can)
            .bind(who)
            .execute(&app.db)
            .await
            .unwrap();
    }
    olu.get(&thread("hope", h))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Mia’s hope")
        .assert_contains("A repair café")
        .assert_contains("Resonates with 2 members")
        .assert_contains(&format!("href=\"/c/{SLUG}/vision#hope-{h}\""));
    comment(&mut olu, &thread("hope", h), "Me too").await;

    // A responsibility: its carrier hears.
    let r = responsibility(&app, can, olu_id, noor_id).await;
    olu.get(&thread("responsibility", r))
        .await
        .assert_contains("Discussion of “Flyers for the fair”")
        .assert_contains("carried by Noor");
    comment(&mut olu, &thread("responsibility", r), "How many flyers?").await;

    // A meeting: its facilitator hears.
    let m = meeting(&app, can, mia_id).await;
    others[1]
        .get(&thread("meeting", m))
        .await
        .assert_contains("Discussion of “March gathering”")
        .assert_contains(&format!("href=\"/c/{SLUG}/meetings/{m}\""));
    comment(&mut others[1], &thread("meeting", m), "Can we start later?").await;

    // An objection: a thread per objector, "talk it through"; the objector hears.
    let (p, round) = proposal(&app, can, olu_id, "Quiet hours").await;
    answer(
        &app,
        can,
        round,
        noor_id,
        "object",
        "Shift workers sleep by day",
    )
    .await;
    let objection = format!("/c/{SLUG}/threads/objection/{round}/{noor_id}");
    others[0]
        .get(&objection)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Noor’s objection to “Quiet hours”")
        .assert_contains("Shift workers sleep by day")
        .assert_contains("The objection stands")
        .assert_contains(&format!("href=\"/c/{SLUG}/proposals/{p}\""));
    comment(&mut others[0], &objection, "Could quiet hours start later?").await;
    // A withdrawn objection keeps its thread.
    sqlx::query("INSERT INTO consent_answer_history (round_id, can_id, member_id, answer, reason) VALUES ($1, $2, $3, 'object', 'Shift workers sleep by day')")
        .bind(round)
        .bind(can)
        .bind(noor_id)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE consent_answers SET answer = 'endorse', reason = '' WHERE round_id = $1 AND member_id = $2")
        .bind(round)
        .bind(noor_id)
        .execute(&app.db)
        .await
        .unwrap();
    others[0]
        .get(&objection)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("The objection was withdrawn")
        .assert_contains("Could quiet hours start later?");
    // An answer that never was an objection has no thread.
    answer(&app, can, round, mia_id, "endorse", "").await;
    others[0]
        .get(&format!("/c/{SLUG}/threads/objection/{round}/{mia_id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.display_name, n.line FROM notifications n JOIN members p ON p.id = n.member_id
         WHERE n.kind = 'comment_reply' ORDER BY n.created_at",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            ("Mia".to_string(), "Olu commented on Mia’s hope".to_string()),
            (
                "Noor".to_string(),
                "Olu commented on the responsibility “Flyers for the fair”".to_string()
            ),
            (
                "Mia".to_string(),
                "Noor commented on the meeting “March gathering”".to_string()
            ),
            (
                "Noor".to_string(),
                "Mia commented on Noor’s objection to “Quiet hours”".to_string()
            ),
        ]
    );
    // Every comment hangs on its own subject.
    let subjects: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT coalesce(proposal_id, objection_round_id, hope_id, responsibility_id, meeting_id)) FROM comments",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(subjects, 4);
}

#[tokio::test]
async fn another_cans_threads_and_comments_are_not_found() {
    let (app, mut olu, mut others, mut mal) = group().await;
    let can = can_id(&app, SLUG).await;
    let hillside = can_id(&app, "hillside").await;
    let (olu_id, noor_id) = (
        app.member_named("Olu").await,
        app.member_named("Noor").await,
    );
    let (p, round) = proposal(&app, can, olu_id, "Quiet hours").await;
    answer(&app, can, round, noor_id, "object", "Too early").await;
    let h = hope(&app, can, olu_id, "Benches").await;
    let r = responsibility(&app, can, olu_id, noor_id).await;
    let m = meeting(&app, can, olu_id).await;
    let id = comment(&mut olu, &thread("proposal", p), "Riverside only").await;

    // Mal, an organiser of Hillside, through Hillside's address with Riverside's ids.
    let paths = [
        format!("/c/hillside/threads/proposal/{p}"),
        format!("/c/hillside/threads/objection/{round}/{noor_id}"),
        format!("/c/hillside/threads/hope/{h}"),
        format!("/c/hillside/threads/responsibility/{r}"),
        format!("/c/hillside/threads/meeting/{m}"),
    ];
    mal.get("/c/hillside").await;
    for path in &paths {
        mal.get(path).await.assert_status(StatusCode::NOT_FOUND);
        mal.post(path, &[("body", "From Hillside")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    for (action, fields) in [
        ("/history", None),
        ("/edit", None),
        ("/edit", Some(("body", "Changed"))),
        ("/delete", Some(("body", ""))),
        ("/hide", Some(("reason", "Because"))),
        ("/unhide", Some(("reason", ""))),
    ] {
        let path = format!("/c/hillside/comments/{id}{action}");
        let page = match fields {
            None => mal.get(&path).await,
            Some(f) => mal.post(&path, &[f]).await,
        };
        page.assert_status(StatusCode::NOT_FOUND);
    }
    // And through Riverside's own address: Mal is no member there.
    mal.get(&thread("proposal", p))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // Nothing changed, nothing was written in Hillside.
    let (body, hidden): (String, bool) =
        sqlx::query_as("SELECT body, hidden_at IS NOT NULL FROM comments WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((body.as_str(), hidden), ("Riverside only", false));
    let theirs: i64 = sqlx::query_scalar("SELECT count(*) FROM comments WHERE can_id = $1")
        .bind(hillside)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(theirs, 0);

    // Inside Riverside: someone else's comment is not Mia's to edit or remove, nor hers to hide.
    let mia = &mut others[0];
    mia.get(&thread("proposal", p)).await;
    mia.get(&at(id, "/edit"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.post(&at(id, "/edit"), &[("body", "Mia's now")])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.post(&at(id, "/delete"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.post(&at(id, "/hide"), &[("reason", "Because")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    mia.post(&at(id, "/unhide"), &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // A withdrawn hope, an unknown id: nothing there.
    sqlx::query("UPDATE hopes SET withdrawn_at = now() WHERE id = $1")
        .bind(h)
        .execute(&app.db)
        .await
        .unwrap();
    mia.get(&thread("hope", h))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.get(&thread("proposal", Uuid::now_v7()))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.get(&thread("meeting", "not-an-id"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_empty_or_overlong_comment_comes_back_with_its_words() {
    let (app, _olu, mut others, _) = group().await;
    let can = can_id(&app, SLUG).await;
    let m = meeting(&app, can, app.member_named("Olu").await).await;
    let path = thread("meeting", m);
    let mia = &mut others[0];
    mia.get(&path).await;
    mia.post(&path, &[("body", "  \n  ")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Enter your comment.")
        .assert_contains("Discussion of “March gathering”");
    let long = format!("<b>mine</b> {}", "y".repeat(4000));
    let page = mia.post(&path, &[("body", &long)]).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("at most 4000 characters")
        .assert_contains(&format!("&#60;b&#62;mine&#60;/b&#62; {}", "y".repeat(4000)));
    assert_eq!(app.count("comments").await, 0);

    // The same for an edit.
    let id = comment(mia, &path, "Short and sweet").await;
    mia.get(&at(id, "/edit")).await;
    mia.post(&at(id, "/edit"), &[("body", &long)])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("at most 4000 characters")
        .assert_contains(&format!("&#60;b&#62;mine&#60;/b&#62; {}", "y".repeat(4000)));
    assert_eq!(app.count("comment_edits").await, 0);
}

#[tokio::test]
async fn a_member_who_left_cannot_post_and_one_who_is_away_only_reads() {
    let (app, _olu, mut others, _) = group().await;
    let can = can_id(&app, SLUG).await;
    let h = hope(&app, can, app.member_named("Olu").await, "Street party").await;
    let path = thread("hope", h);
    let (mia, rest) = others.split_first_mut().unwrap();
    let (noor, _) = rest.split_first_mut().unwrap();
    mia.get(&path).await.assert_status(StatusCode::OK);
    noor.get(&path).await.assert_status(StatusCode::OK);

    sqlx::query("UPDATE memberships SET status = 'left' WHERE member_id = $1")
        .bind(app.member_named("Mia").await)
        .execute(&app.db)
        .await
        .unwrap();
    mia.post(&path, &[("body", "Still here?")])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    mia.get(&path).await.assert_status(StatusCode::NOT_FOUND);

    sqlx::query("UPDATE memberships SET status = 'paused' WHERE member_id = $1")
        .bind(app.member_named("Noor").await)
        .execute(&app.db)
        .await
        .unwrap();
    noor.get(&path)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Your membership is paused")
        .assert_lacks("Post comment");
    noor.post(&path, &[("body", "From afar")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.count("comments").await, 0);
}
