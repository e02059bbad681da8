//! Abuse limits, probed from outside as an abuser would: invitation mails, sign-ups, sign-in
//! lock-outs used as a weapon, repeated join requests, and what a taken web address gives away.
//! Each limit is hit through the real router, and the answer is checked as a person sees it
//! (status, message, `Retry-After`) along with what the database holds (nothing written).

use std::net::SocketAddr;

use axum::http::StatusCode;
use canopy::accounts::throttle;
use canopy::cans::invitations::{MAILS_PER_CAN, MAILS_PER_SENDER};

use crate::helpers::{Browser, PASSWORD, Page, TestApp, invite_link, join, own_address, start_can};

fn retry_after(page: &Page) -> u64 {
    page.headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After on a {} answer", page.status))
}

// ---- Invitation mails ----------------------------------------------------------------------

/// Olu, whose account is a day old, organises the invite-only "Riverside".
async fn organiser() -> (TestApp, Browser) {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    app.age_account("olu@example.org").await;
    start_can(&mut olu, "Riverside", "riverside", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    olu.get("/c/riverside/invitations").await;
    (app, olu)
}

async fn mail_invitation(b: &mut Browser, slug: &str, email: &str) -> Page {
    b.post(
        &format!("/c/{slug}/invitations"),
        &[
            ("email", email),
            ("max_uses", "1"),
            ("expires_in_days", "14"),
            ("note", "flyer"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_can_mails_at_most_twenty_invitations_a_day_then_links_are_shared_by_hand() {
    let (app, mut olu) = organiser().await;
    for i in 0..MAILS_PER_CAN {
        mail_invitation(&mut olu, "riverside", &format!("guest{i}@example.org"))
            .await
            .assert_status(StatusCode::CREATED);
    }
    let page = mail_invitation(&mut olu, "riverside", "one-more@example.org").await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&page);
    assert!((23 * 3600..=24 * 3600).contains(&wait), "{wait}");
    assert_eq!(
        page.field_error("email").unwrap().replace("&#39;", "'"),
        "Today's 20 invitation mails for this CAN have been sent; you can send more in 24 hours. \
         Meanwhile, leave the email empty to make a link and share it by hand."
    );
    // The form keeps what was typed.
    assert_eq!(
        page.input_value("email").as_deref(),
        Some("one-more@example.org")
    );
    assert_eq!(page.input_value("note").as_deref(), Some("flyer"));
    // Nothing was written: no invitation, no mail, no log line.
    assert_eq!(app.count("invitations").await, MAILS_PER_CAN);
    assert_eq!(app.count("outbox").await, MAILS_PER_CAN);
    assert_eq!(
        app.count("outbox WHERE to_address = 'one-more@example.org'")
            .await,
        0
    );
    assert_eq!(
        app.count("activity_log WHERE action = 'invitation.created'")
            .await,
        MAILS_PER_CAN
    );

    // A link to share by hand is still made.
    mail_invitation(&mut olu, "riverside", "")
        .await
        .assert_status(StatusCode::CREATED)
        .assert_contains("Your invitation link is ready");
    assert_eq!(app.count("invitations").await, MAILS_PER_CAN + 1);

    // A day later there is room again.
    sqlx::query("UPDATE invitations SET created_at = created_at - interval '1 day'")
        .execute(&app.db)
        .await
        .unwrap();
    mail_invitation(&mut olu, "riverside", "one-more@example.org")
        .await
        .assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn one_person_mails_at_most_fifty_invitations_a_day_across_their_cans() {
    let (app, mut olu) = organiser().await;
    start_can(&mut olu, "Hillside", "hillside", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // Earlier today Olu mailed fifty invitations for Hillside (an hour ago).
    sqlx::query(
        "INSERT INTO invitations (id, can_id, token_hash, email, max_uses, expires_at, created_by, created_at)
         SELECT gen_random_uuid(), c.id, sha256(('t' || i)::bytea), 'guest' || i || '@example.org',
                1, now() + interval '14 days', c.created_by, now() - interval '1 hour'
         FROM cans c, generate_series(1, $1::int) i WHERE c.slug = 'hillside'",
    )
    .bind(MAILS_PER_SENDER as i32)
    .execute(&app.db)
    .await
    .unwrap();

    olu.get("/c/riverside/invitations").await;
    let page = mail_invitation(&mut olu, "riverside", "kai@example.org").await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&page);
    assert!((22 * 3600..=23 * 3600).contains(&wait), "{wait}");
    let message = page.field_error("email").unwrap();
    assert!(
        message.starts_with(
            "You have sent 50 invitation mails today, the most one person can send in a day; \
             you can send more in 23 hours."
        ),
        "{message}"
    );
    assert_eq!(app.count("invitations").await, MAILS_PER_SENDER);
    assert_eq!(app.count("outbox").await, 0);

    // Another organiser of the same CAN is not held back by Olu's count.
    let path = invite_link(&mut olu, "riverside", "1", "").await;
    let mut ama = app.member("ama@example.org", "Ama").await;
    app.age_account("ama@example.org").await;
    join(&mut ama, &path)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let ama_id = app.member_id("ama@example.org").await;
    olu.get(&format!("/c/riverside/members/{ama_id}")).await;
    olu.post(
        &format!("/c/riverside/members/{ama_id}/roles"),
        &[("role", "organiser")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    ama.get("/c/riverside/invitations").await;
    mail_invitation(&mut ama, "riverside", "kai@example.org")
        .await
        .assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn the_same_address_gets_one_invitation_mail_a_day_from_a_can() {
    let (app, mut olu) = organiser().await;
    mail_invitation(&mut olu, "riverside", "kai@example.org")
        .await
        .assert_status(StatusCode::CREATED);
    // Again, in other letter case: refused.
    let page = mail_invitation(&mut olu, "riverside", "KAI@example.org").await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&page) > 23 * 3600);
    assert!(
        page.field_error("email")
            .unwrap()
            .starts_with("An invitation to this address was mailed in the last day.")
    );
    assert_eq!(
        page.input_value("email").as_deref(),
        Some("KAI@example.org")
    );
    assert_eq!(app.count("invitations").await, 1);
    assert_eq!(app.count("outbox").await, 1);

    // Another CAN may invite the same person.
    start_can(&mut olu, "Hillside", "hillside", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    olu.get("/c/hillside/invitations").await;
    mail_invitation(&mut olu, "hillside", "kai@example.org")
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(app.count("outbox").await, 2);
}

#[tokio::test]
async fn an_account_in_its_first_hour_mails_no_invitations_but_can_make_a_link() {
    let app = TestApp::new().await;
    let mut newcomer = app.member("new@example.org", "Newcomer").await;
    start_can(
        &mut newcomer,
        "Totally Real Prize Draw",
        "prize",
        "invite_only",
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    newcomer.get("/c/prize/invitations").await;
    let page = mail_invitation(&mut newcomer, "prize", "victim@example.org").await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&page);
    assert!((3500..=3600).contains(&wait), "{wait}");
    assert_eq!(
        page.field_error("email").as_deref(),
        Some(
            "New accounts can mail invitations once they are an hour old: in 60 minutes. \
             Meanwhile, leave the email empty to make a link and share it by hand."
        )
    );
    assert_eq!(app.count("invitations").await, 0);
    assert_eq!(app.count("outbox").await, 0);

    mail_invitation(&mut newcomer, "prize", "")
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(app.count("invitations").await, 1);
    assert_eq!(app.count("outbox").await, 0);
}

#[tokio::test]
async fn parallel_invitation_posts_cannot_exceed_the_limit() {
    let (app, mut olu) = organiser().await;
    for i in 0..MAILS_PER_CAN - 2 {
        mail_invitation(&mut olu, "riverside", &format!("guest{i}@example.org"))
            .await
            .assert_status(StatusCode::CREATED);
    }
    // Eight more at once, each to someone else: two fit.
    let posts = (0..8).map(|i| {
        let mut tab = app.browser();
        tab.cookie = olu.cookie.clone();
        tab.csrf = olu.csrf.clone();
        tab.address = olu.address;
        async move {
            let email = format!("rush{i}@example.org");
            mail_invitation(&mut tab, "riverside", &email).await.status
        }
    });
    let statuses = futures_util::future::join_all(posts).await;
    let made = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert_eq!(made, 2, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(app.count("invitations").await, MAILS_PER_CAN);
    assert_eq!(app.count("outbox").await, MAILS_PER_CAN);
}

// ---- Sign-ups ------------------------------------------------------------------------------

async fn sign_up_from(app: &TestApp, address: SocketAddr, email: &str) -> Page {
    let mut b = app.browser();
    b.address = Some(address);
    b.get("/sign-up").await;
    b.post(
        "/sign-up",
        &[
            ("email", email),
            ("display_name", "Sam"),
            ("password", PASSWORD),
            ("time_zone", "Europe/Berlin"),
        ],
    )
    .await
}

#[tokio::test]
async fn one_address_makes_at_most_five_accounts_an_hour() {
    let app = TestApp::new().await;
    let limit = canopy::config::SignUpLimits::default().per_address_per_hour;
    let cafe: SocketAddr = "198.51.100.20:5000".parse().unwrap();
    for i in 0..limit {
        sign_up_from(&app, cafe, &format!("sam{i}@example.org"))
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let page = sign_up_from(&app, cafe, "sam-again@example.org").await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&page);
    assert!((3500..=3600).contains(&wait), "{wait}");
    page.assert_contains(
        "Several accounts have been made from your network in the last hour, the most we allow. \
         Try again in 60 minutes; nothing was saved.",
    );
    // The form is kept (but never the password).
    assert_eq!(
        page.input_value("email").as_deref(),
        Some("sam-again@example.org")
    );
    assert_eq!(page.input_value("display_name").as_deref(), Some("Sam"));
    assert_eq!(page.input_value("password").as_deref(), Some(""));
    assert_eq!(app.count("members").await, limit);
    assert_eq!(
        app.count("rate_events WHERE scope = 'sign_up_address'")
            .await,
        limit,
        "the refused sign-up is not counted"
    );

    // A neighbour elsewhere signs up as usual.
    sign_up_from(&app, own_address(), "sam-again@example.org")
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn at_most_thirty_accounts_a_minute_are_made_from_anywhere() {
    let app = TestApp::new().await;
    let limit = canopy::config::SignUpLimits::default().per_minute;
    for i in 0..limit {
        sign_up_from(&app, own_address(), &format!("bot{i}@example.org"))
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let page = sign_up_from(&app, own_address(), "one-more@example.org").await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&page) <= 60);
    page.assert_contains("Many people are signing up right now. Try again in");
    assert_eq!(app.count("members").await, limit);
    assert_eq!(
        app.count("sessions WHERE member_id IS NOT NULL").await,
        limit
    );
}

// ---- Sign-in lock-outs ---------------------------------------------------------------------

async fn sign_in_from(app: &TestApp, address: SocketAddr, password: &str) -> Page {
    let mut b = app.browser();
    b.address = Some(address);
    b.get("/sign-in").await;
    b.post(
        "/sign-in",
        &[("email", "kim@example.org"), ("password", password)],
    )
    .await
}

#[tokio::test]
async fn another_address_hammering_an_account_does_not_lock_its_owner_out() {
    let app = TestApp::new().await;
    let kim = app.member("kim@example.org", "Kim").await;
    let home = kim.address.unwrap();
    let attacker: SocketAddr = "203.0.113.66:4000".parse().unwrap();
    let mut b = app.browser();
    b.address = Some(attacker);
    b.get("/sign-in").await;
    for _ in 0..throttle::PER_ACCOUNT_ADDRESS {
        b.post(
            "/sign-in",
            &[("email", "kim@example.org"), ("password", "guess guess")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The attacker's address is locked out of Kim's account, the right password included...
    let page = b
        .post(
            "/sign-in",
            &[("email", "kim@example.org"), ("password", PASSWORD)],
        )
        .await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains("Too many failed sign-ins.");
    let wait = retry_after(&page);
    assert!((14 * 60..=15 * 60).contains(&wait), "{wait}");

    // ...while Kim, at home, signs in as usual.
    sign_in_from(&app, home, PASSWORD)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // The lock-out is the attacker's alone: no mail went to Kim.
    assert_eq!(app.count("outbox").await, 0);
}

#[tokio::test]
async fn past_the_account_ceiling_sign_ins_are_slowed_and_the_owner_gets_a_one_time_link() {
    let app = TestApp::new().await;
    let kim = app.member("kim@example.org", "Kim").await;
    let home = kim.address.unwrap();
    // Fifty wrong passwords from ten addresses (five each, under the per-address lock).
    for bot in 0..throttle::PER_ACCOUNT / throttle::PER_ACCOUNT_ADDRESS {
        let mut b = app.browser();
        b.address = Some(own_address());
        b.get("/sign-in").await;
        for _ in 0..throttle::PER_ACCOUNT_ADDRESS {
            let page = b
                .post(
                    "/sign-in",
                    &[("email", "kim@example.org"), ("password", "guess guess")],
                )
                .await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "bot {bot}");
        }
    }
    assert_eq!(app.count("outbox").await, 0);
    // However slow this machine, the guesses are still coming in.
    let guesses_go_on = || async {
        sqlx::query("UPDATE rate_events SET at = now()")
            .execute(&app.db)
            .await
            .unwrap();
    };
    guesses_go_on().await;

    // The next attempt, from yet another address, is slowed rather than checked.
    let page = sign_in_from(&app, own_address(), "guess again").await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains("slowed down: try again in")
        .assert_contains("look in your mail for a link");
    let wait = retry_after(&page);
    assert!(
        (1..=throttle::SLOWED_SPACING.as_secs()).contains(&wait),
        "a short wait, not a lock-out: {wait}"
    );

    // Kim is mailed once, however many attempts follow.
    sign_in_from(&app, own_address(), "and again")
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    let (to, subject, body): (String, String, String) =
        sqlx::query_as("SELECT to_address, subject, body_text FROM outbox")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(to, "kim@example.org");
    assert_eq!(
        subject,
        "Someone is trying passwords for your Canopy account"
    );
    let link = body
        .lines()
        .find(|l| l.contains("/account/sign-in-link/"))
        .unwrap()
        .trim()
        .trim_start_matches("http://localhost")
        .to_string();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM sign_in_links")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(
        stored,
        link.rsplit('/').next().unwrap().as_bytes(),
        "only a hash is kept"
    );

    // Opening the link shows a button; pressing it signs Kim in, once.
    let mut phone = app.browser();
    phone.address = Some(home);
    phone
        .get(&link)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Sign me in");
    assert_eq!(
        app.count("sign_in_links WHERE used_at IS NULL").await,
        1,
        "opening the link does not use it"
    );
    let page = phone.post(&link, &[]).await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/account/profile"));
    phone
        .get("/account/profile")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("You are signed in. Many wrong passwords were tried for your account");
    phone
        .get(&link)
        .await
        .assert_status(StatusCode::GONE)
        .assert_contains("expired or has been used");
    let mut thief = app.browser();
    thief.get("/sign-in").await;
    thief.post(&link, &[]).await.assert_status(StatusCode::GONE);
    thief.get(&link).await.assert_status(StatusCode::GONE);
    thief
        .get("/account/profile")
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // Slowed, not locked: once the short wait has passed, Kim's password works from home.
    guesses_go_on().await;
    sign_in_from(&app, home, PASSWORD)
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    sqlx::query("UPDATE rate_events SET at = at - make_interval(secs => $1)")
        .bind(throttle::SLOWED_SPACING.as_secs_f64() + 1.0)
        .execute(&app.db)
        .await
        .unwrap();
    sign_in_from(&app, home, PASSWORD)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("outbox").await, 1);
}

// ---- A password change ends the ways in it did not make ------------------------------------

#[tokio::test]
async fn a_password_change_voids_reset_and_sign_in_links_and_offers_a_new_calendar_link() {
    let app = TestApp::new().await;
    let mut ola = app.member("ola@example.org", "Ola").await;
    ola.get("/account/calendar").await;
    ola.post("/account/calendar", &[("action", "new")])
        .await
        .assert_status(StatusCode::OK);
    let old_feed: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM calendar_tokens")
        .fetch_one(&app.db)
        .await
        .unwrap();
    // A reset link and a sign-in link are out.
    let mut other = app.browser();
    other.get("/account/forgot").await;
    other
        .post("/account/forgot", &[("email", "ola@example.org")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    canopy::accounts::sign_in_links::warn_owner(&app.db, "ola@example.org", "http://localhost")
        .await
        .unwrap();
    let links: Vec<String> = sqlx::query_scalar("SELECT body_text FROM outbox ORDER BY created_at")
        .fetch_all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|body: &String| {
            body.lines()
                .find(|l| l.contains("http://localhost/account/"))
                .unwrap()
                .trim()
                .trim_start_matches("http://localhost")
                .to_string()
        })
        .collect();
    assert_eq!(links.len(), 2);
    for link in &links {
        other.get(link).await.assert_status(StatusCode::OK);
    }

    ola.get("/account/password").await;
    let page = ola
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    let after = page.location().unwrap().to_string();
    assert_eq!(after, "/account/profile?changed=password");

    // Neither link works any more.
    for link in &links {
        other.get(link).await.assert_status(StatusCode::GONE);
    }
    assert_eq!(app.count("password_resets WHERE used_at IS NULL").await, 0);
    assert_eq!(app.count("sign_in_links WHERE used_at IS NULL").await, 0);

    // The page after the change offers a new calendar link, and the button makes one.
    let page = ola.get(&after).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Your password is changed")
        .assert_contains("Make a new calendar link")
        .assert_contains("action=\"/account/calendar\"");
    ola.post("/account/calendar", &[("action", "new")])
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Your private link.");
    let new_feed: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM calendar_tokens")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(old_feed, new_feed);
    // The ordinary profile page does not nag.
    ola.get("/account/profile")
        .await
        .assert_lacks("Make a new calendar link");
}

#[tokio::test]
async fn without_a_calendar_link_nothing_is_offered_after_a_password_change() {
    let app = TestApp::new().await;
    let mut ada = app.member("ada@example.org", "Ada").await;
    ada.get("/account/password").await;
    ada.post(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a brand new passphrase"),
            ("confirm_password", "a brand new passphrase"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    ada.get("/account/profile?changed=password")
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("Make a new calendar link");
}

// ---- Join requests -------------------------------------------------------------------------

async fn ask_to_join(b: &mut Browser) -> Page {
    b.get("/c/riverside").await;
    b.post(
        "/c/riverside/join-requests",
        &[("message", "Hello again"), ("acknowledge_rules", "yes")],
    )
    .await
}

#[tokio::test]
async fn after_a_decline_the_same_person_may_not_ask_again_for_thirty_days() {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside", "riverside", "listed")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut dex = app.member("dex@example.org", "Dex").await;
    ask_to_join(&mut dex)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // One pending at a time: asking twice writes nothing more.
    ask_to_join(&mut dex)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("join_requests").await, 1);
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM join_requests")
        .fetch_one(&app.db)
        .await
        .unwrap();
    olu.get("/c/riverside/join-requests").await;
    olu.post(&format!("/c/riverside/join-requests/{id}/decline"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // Straight after the decline: refused, with the day they may ask again.
    let page = ask_to_join(&mut dex).await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains(
            "The organisers declined your last request to join. You can ask again from",
        );
    let wait = retry_after(&page);
    assert!(
        (29 * 86400..=30 * 86400).contains(&wait),
        "about thirty days: {wait}"
    );
    assert_eq!(app.count("join_requests").await, 1);
    assert_eq!(
        app.count("activity_log WHERE action = 'join_request.created'")
            .await,
        1
    );
    // The public page says so instead of offering the form.
    dex.get("/c/riverside")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("You can ask again from")
        .assert_lacks("Ask to join</button>");

    // Thirty days on, they may.
    sqlx::query("UPDATE join_requests SET decided_at = decided_at - interval '31 days'")
        .execute(&app.db)
        .await
        .unwrap();
    ask_to_join(&mut dex)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("join_requests WHERE status = 'pending'").await, 1);
}

#[tokio::test]
async fn a_withdrawn_request_does_not_hold_anyone_back() {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside", "riverside", "listed")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut ama = app.member("ama@example.org", "Ama").await;
    ask_to_join(&mut ama)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // Withdrawn, as when the person joins another way and leaves again.
    sqlx::query("UPDATE join_requests SET status = 'withdrawn', decided_at = now()")
        .execute(&app.db)
        .await
        .unwrap();
    ask_to_join(&mut ama)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("join_requests WHERE status = 'pending'").await, 1);
}

// ---- What a taken web address gives away ---------------------------------------------------

#[tokio::test]
async fn a_taken_web_address_answers_alike_for_a_listed_and_an_invite_only_can() {
    let app = TestApp::new().await;
    let mut olu = app.member("olu@example.org", "Olu").await;
    start_can(&mut olu, "Riverside", "riverside", "listed")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    start_can(&mut olu, "Safe House", "safehouse", "invite_only")
        .await
        .assert_status(StatusCode::SEE_OTHER);

    let mut ama = app.member("ama@example.org", "Ama").await;
    let listed = start_can(&mut ama, "Another group", "riverside", "listed").await;
    let hidden = start_can(&mut ama, "Another group", "safehouse", "listed").await;
    assert_eq!(listed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hidden.status, listed.status);
    let listed = listed.field_error("slug").unwrap();
    let hidden = hidden.field_error("slug").unwrap();
    assert_eq!(
        hidden,
        "The web address “safehouse” is not available. “safehouse-2” is free: use it, or choose \
         another."
    );
    assert_eq!(
        hidden.replace("safehouse", "X"),
        listed.replace("riverside", "X"),
        "the same words whatever the CAN behind the address"
    );
    for hint in [
        "CAN",
        "group",
        "taken",
        "exists",
        "private",
        "invite",
        "Safe House",
    ] {
        assert!(!hidden.contains(hint), "{hint:?} in {hidden:?}");
    }
    assert_eq!(app.count("cans").await, 2);
}
