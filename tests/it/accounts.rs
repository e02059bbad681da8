//! Accounts through the real router: sign-up, sign-in, sign-out, profile, password, throttling.

use axum::http::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

async fn sign_up(
    b: &mut crate::helpers::Browser,
    email: &str,
    name: &str,
    password: &str,
) -> crate::helpers::Page {
    b.get("/sign-up").await;
    b.post(
        "/sign-up",
        &[
            ("email", email),
            ("display_name", name),
            ("password", password),
            ("time_zone", "Europe/Berlin"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_new_member_signs_up_signs_out_and_signs_back_in() {
    let app = TestApp::new().await;
    let mut b = app.browser();

    let page = b.get("/sign-up").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Create an account");
    let anonymous_cookie = b
        .cookie
        .clone()
        .expect("a visitor gets a session for the form's token");

    let page = sign_up(&mut b, "ada@example.org", "Ada Lovelace", PASSWORD).await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/"));
    assert_ne!(
        b.cookie.as_deref(),
        Some(anonymous_cookie.as_str()),
        "sign-up starts a new session"
    );

    let home = b.get("/").await;
    home.assert_contains("Hello, Ada Lovelace")
        .assert_contains("Welcome to Canopy, Ada Lovelace.");
    // The welcome is shown once.
    b.get("/").await.assert_lacks("Welcome to Canopy");

    let (tz, hash): (String, String) = sqlx::query_as(
        "SELECT time_zone, password_hash FROM members WHERE email = 'ada@example.org'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(tz, "Europe/Berlin");
    assert!(
        hash.starts_with("$argon2id$"),
        "stored as an argon2id hash, not {hash}"
    );

    let page = b.post("/sign-out", &[]).await;
    page.assert_status(StatusCode::SEE_OTHER);
    let home = b.get("/").await;
    home.assert_contains("You have signed out.")
        .assert_contains("href=\"/sign-in\"")
        .assert_lacks("Ada Lovelace");

    b.get("/sign-in").await;
    // Emails match whatever their letter case.
    let page = b
        .post(
            "/sign-in",
            &[("email", "ADA@Example.org"), ("password", PASSWORD)],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    b.get("/").await.assert_contains("Hello, Ada Lovelace");
}

#[tokio::test]
async fn signing_in_rotates_the_session_and_the_old_token_stops_working() {
    let app = TestApp::new().await;
    app.member("grace@example.org", "Grace").await;

    let mut b = app.browser();
    b.get("/sign-in").await;
    let before = b.cookie.clone().unwrap();
    b.post(
        "/sign-in",
        &[("email", "grace@example.org"), ("password", PASSWORD)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let after = b.cookie.clone().unwrap();
    assert_ne!(before, after);

    let mut stale = app.browser();
    stale.cookie = Some(before);
    let page = stale.get("/account/profile").await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert!(page.location().unwrap().starts_with("/sign-in"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax_and_secure_over_https() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    let page = b.get("/sign-in").await;
    let cookie = page.set_cookie().unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http keeps cookies usable: {cookie}"
    );

    let mut config = canopy::Config::for_tests();
    config.public_url = "https://canopy.example".into();
    let app = TestApp::with_config(config).await;
    let page = app.browser().get("/sign-in").await;
    assert!(page.set_cookie().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn a_session_is_gone_after_sign_out() {
    let app = TestApp::new().await;
    let mut b = app.member("lin@example.org", "Lin").await;
    b.get("/").await;
    let token = b.cookie.clone().unwrap();
    assert_eq!(app.count("sessions WHERE member_id IS NOT NULL").await, 1);

    b.post("/sign-out", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count("sessions WHERE member_id IS NOT NULL").await, 0);

    let mut replay = app.browser();
    replay.cookie = Some(token);
    let page = replay.get("/account/profile").await;
    page.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/sign-in?next=%2Faccount%2Fprofile"));
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_sign_in_and_brought_back() {
    let app = TestApp::new().await;
    app.member("sam@example.org", "Sam").await;
    let mut b = app.browser();

    let page = b.get("/account/profile").await;
    page.assert_status(StatusCode::SEE_OTHER);
    let to = page.location().unwrap().to_string();
    assert_eq!(to, "/sign-in?next=%2Faccount%2Fprofile");

    let form = b.get(&to).await;
    assert_eq!(
        form.input_value("next").as_deref(),
        Some("/account/profile")
    );
    let page = b
        .post(
            "/sign-in",
            &[
                ("email", "sam@example.org"),
                ("password", PASSWORD),
                ("next", "/account/profile"),
            ],
        )
        .await;
    assert_eq!(page.location(), Some("/account/profile"));
    b.get("/account/profile")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("sam@example.org");
}

#[tokio::test]
async fn sign_in_never_redirects_to_another_site() {
    let app = TestApp::new().await;
    app.member("sam@example.org", "Sam").await;
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let mut b = app.browser();
        b.get("/sign-in").await;
        let page = b
            .post(
                "/sign-in",
                &[
                    ("email", "sam@example.org"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(page.location(), Some("/"), "next={next}");
    }
}

#[tokio::test]
async fn a_duplicate_email_in_any_case_is_refused_beside_the_field() {
    let app = TestApp::new().await;
    app.member("ada@example.org", "Ada").await;

    let mut b = app.browser();
    let page = sign_up(&mut b, "Ada@EXAMPLE.org", "Another Ada", PASSWORD).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("email").as_deref(),
        Some("An account with this email already exists. Sign in instead, or use another address.")
    );
    assert_eq!(
        page.input_value("display_name").as_deref(),
        Some("Another Ada")
    );
    assert_eq!(app.count("members").await, 1);
}

#[tokio::test]
async fn the_database_itself_refuses_a_second_account_for_an_email_in_other_case() {
    let app = TestApp::new().await;
    app.member("ada@example.org", "Ada").await;
    let err = sqlx::query(
        "INSERT INTO members (id, email, display_name, password_hash) VALUES ($1, 'ADA@example.org', 'x', 'x')",
    )
    .bind(uuid::Uuid::now_v7())
    .execute(&app.db)
    .await
    .unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().constraint(),
        Some("members_email_key")
    );
}

#[tokio::test]
async fn empty_fields_each_get_a_message_and_nothing_is_written() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    let page = sign_up(&mut b, "  ", "", "").await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Please check the form");
    assert_eq!(
        page.field_error("email").as_deref(),
        Some("Enter your email address.")
    );
    assert_eq!(
        page.field_error("display_name").as_deref(),
        Some("Enter your name.")
    );
    assert_eq!(
        page.field_error("password").as_deref(),
        Some("Choose a password.")
    );
    assert!(page.body.contains("aria-describedby=\"email-error\""));
    assert_eq!(app.count("members").await, 0);
}

#[tokio::test]
async fn over_long_fields_are_refused_with_the_input_kept_but_never_the_password() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    let long_name = "N".repeat(81);
    let page = sign_up(
        &mut b,
        "long@example.org",
        &long_name,
        "a secret passphrase",
    )
    .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("display_name").as_deref(),
        Some("Your name must be at most 80 characters (this is 81).")
    );
    assert_eq!(page.input_value("display_name"), Some(long_name));
    assert_eq!(
        page.input_value("email").as_deref(),
        Some("long@example.org")
    );
    page.assert_lacks("a secret passphrase");
    assert_eq!(page.input_value("password").as_deref(), Some(""));

    let page = sign_up(
        &mut b,
        &format!("{}@example.org", "x".repeat(250)),
        "X",
        PASSWORD,
    )
    .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("email").unwrap().contains("at most 254"));
    let page = sign_up(&mut b, "x@example.org", "X", &"p".repeat(201)).await;
    assert_eq!(
        page.field_error("password").as_deref(),
        Some("Use at most 200 characters.")
    );
    let page = sign_up(&mut b, "x@example.org", "X", "too short").await;
    assert!(
        page.field_error("password")
            .unwrap()
            .starts_with("Use at least 10 characters")
    );
    assert_eq!(app.count("members").await, 0);
}

#[tokio::test]
async fn a_made_up_time_zone_is_refused() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    b.get("/sign-up").await;
    let page = b
        .post(
            "/sign-up",
            &[
                ("email", "tz@example.org"),
                ("display_name", "Tz"),
                ("password", PASSWORD),
                ("time_zone", "Mars/Olympus_Mons"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("time_zone").as_deref(),
        Some("Choose a time zone from the list.")
    );
    assert_eq!(app.count("members").await, 0);
}

#[tokio::test]
async fn a_form_missing_its_fields_gets_messages_not_a_crash() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    b.get("/sign-up").await;
    let page = b.post("/sign-up", &[]).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("email").is_some());
    assert_eq!(app.count("members").await, 0);
}

#[tokio::test]
async fn invalid_utf8_is_answered_clearly_and_writes_nothing() {
    let app = TestApp::new().await;
    let mut b = app.browser();
    b.get("/sign-up").await;
    let token = b.csrf.clone().unwrap();
    let body = format!(
        "email=bad%FF%FE%40example.org&display_name=B%C3%28&password=correct+horse+battery&time_zone=UTC&csrf_token={token}"
    );
    let page = b.post_raw("/sign-up", body.into_bytes(), &[]).await;
    page.assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("not valid text (UTF-8)");
    assert_eq!(app.count("members").await, 0);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::new().await;
    app.member("kim@example.org", "Kim").await;
    let mut b = app.browser();
    b.get("/sign-in").await;

    let wrong = b
        .post(
            "/sign-in",
            &[
                ("email", "kim@example.org"),
                ("password", "not the password"),
            ],
        )
        .await;
    wrong
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("That email and password do not match an account.")
        .assert_lacks("not the password");
    assert_eq!(
        wrong.input_value("email").as_deref(),
        Some("kim@example.org")
    );

    let unknown = b
        .post(
            "/sign-in",
            &[
                ("email", "nobody@example.org"),
                ("password", "not the password"),
            ],
        )
        .await;
    unknown
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("That email and password do not match an account.");
    assert!(
        b.get("/").await.body.contains("href=\"/sign-in\""),
        "still signed out"
    );
}

#[tokio::test]
async fn failures_for_one_account_from_one_address_lock_it_out_even_with_the_right_password() {
    let app = TestApp::new().await;
    app.member("kim@example.org", "Kim").await;
    let mut b = app.browser();
    b.get("/sign-in").await;
    for _ in 0..canopy::accounts::throttle::PER_ACCOUNT_ADDRESS {
        b.post(
            "/sign-in",
            &[
                ("email", "kim@example.org"),
                ("password", "guess guess guess"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let page = b
        .post(
            "/sign-in",
            &[("email", "KIM@example.org"), ("password", PASSWORD)],
        )
        .await;
    page.assert_status(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains("Too many failed sign-ins");
    assert!(page.headers.get("retry-after").is_some());
    assert!(
        b.get("/").await.body.contains("href=\"/sign-in\""),
        "not signed in"
    );

    assert_eq!(
        app.count("rate_events WHERE scope = 'sign_in_account' AND key = 'kim@example.org'")
            .await,
        canopy::accounts::throttle::PER_ACCOUNT_ADDRESS
    );

    // The throttle lives in the database: a second app instance on the same database agrees.
    let other_instance = app.second_instance();
    let mut b = other_instance.browser();
    b.get("/sign-in").await;
    b.post(
        "/sign-in",
        &[("email", "kim@example.org"), ("password", PASSWORD)],
    )
    .await
    .assert_status(StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_slowed_down_across_accounts() {
    let app = TestApp::new().await;
    app.member("kim@example.org", "Kim").await;
    let mut b = app.browser();
    b.address = Some("203.0.113.9:5000".parse().unwrap());
    b.get("/sign-in").await;
    for i in 0..canopy::accounts::throttle::PER_ADDRESS {
        let email = format!("guess{i}@example.org");
        b.post(
            "/sign-in",
            &[("email", email.as_str()), ("password", "guess guess guess")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    b.post(
        "/sign-in",
        &[("email", "kim@example.org"), ("password", PASSWORD)],
    )
    .await
    .assert_status(StatusCode::TOO_MANY_REQUESTS);

    // Someone else, from another address, is not affected.
    let mut other = app.browser();
    other.address = Some("198.51.100.7:5000".parse().unwrap());
    other.get("/sign-in").await;
    other
        .post(
            "/sign-in",
            &[("email", "kim@example.org"), ("password", PASSWORD)],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_member_updates_their_profile_and_bad_input_keeps_what_they_typed() {
    let app = TestApp::new().await;
    let mut b = app.member("rui@example.org", "Rui").await;
    let page = b.get("/account/profile").await;
    page.assert_status(StatusCode::OK);
    assert_eq!(page.input_value("display_name").as_deref(), Some("Rui"));

    let page = b
        .post(
            "/account/profile",
            &[
                ("display_name", "Rui Costa"),
                ("pronouns", "he/him"),
                ("neighbourhood", "Riverside"),
                ("skills", "cooking, spreadsheets"),
                ("time_zone", "America/Sao_Paulo"),
            ],
        )
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    let page = b.get("/account/profile").await;
    page.assert_contains("Your profile is saved.")
        .assert_contains("cooking, spreadsheets");
    assert_eq!(
        page.input_value("neighbourhood").as_deref(),
        Some("Riverside")
    );
    let row: (String, String, String) =
        sqlx::query_as("SELECT display_name, pronouns, time_zone FROM members")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        row,
        (
            "Rui Costa".into(),
            "he/him".into(),
            "America/Sao_Paulo".into()
        )
    );
    // The header shows the new name.
    page.assert_contains("Rui Costa<span class=\"visually-hidden\">");

    let page = b
        .post(
            "/account/profile",
            &[
                ("display_name", ""),
                ("pronouns", &"p".repeat(41)),
                ("neighbourhood", "Hillside"),
                ("skills", ""),
                ("time_zone", "Nowhere/Land"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("display_name").is_some());
    assert!(page.field_error("pronouns").is_some());
    assert!(page.field_error("time_zone").is_some());
    assert_eq!(
        page.input_value("neighbourhood").as_deref(),
        Some("Hillside")
    );
    let kept: String = sqlx::query_scalar("SELECT neighbourhood FROM members")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(kept, "Riverside", "nothing of the bad submission was saved");
}

#[tokio::test]
async fn changing_the_password_signs_out_other_browsers() {
    let app = TestApp::new().await;
    let mut laptop = app.member("ola@example.org", "Ola").await;
    let mut phone = app.browser();
    phone.get("/sign-in").await;
    phone
        .post(
            "/sign-in",
            &[("email", "ola@example.org"), ("password", PASSWORD)],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);

    laptop
        .get("/account/password")
        .await
        .assert_status(StatusCode::OK);
    let page = laptop
        .post(
            "/account/password",
            &[
                ("current_password", "wrong wrong wrong"),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("current_password").as_deref(),
        Some("That is not your current password.")
    );

    let page = laptop
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a different one!"),
            ],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("confirm_password").as_deref(),
        Some("The two new passwords are not the same.")
    );

    let page = laptop
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
    laptop
        .get("/account/profile")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("your other signed-in browser was signed out");
    phone
        .get("/account/profile")
        .await
        .assert_status(StatusCode::SEE_OTHER);

    let mut b = app.browser();
    b.get("/sign-in").await;
    b.post(
        "/sign-in",
        &[("email", "ola@example.org"), ("password", PASSWORD)],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    b.post(
        "/sign-in",
        &[
            ("email", "ola@example.org"),
            ("password", "a brand new passphrase"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_under_the_limit() {
    let app = TestApp::new().await;
    app.member("kim@example.org", "Kim").await;
    let mut b = app.browser();
    b.get("/sign-in").await;
    let guesses = (0..12).map(|i| {
        let mut guesser = app.browser();
        guesser.cookie = b.cookie.clone();
        guesser.csrf = b.csrf.clone();
        async move {
            let password = format!("wrong guess number {i}");
            guesser
                .post(
                    "/sign-in",
                    &[("email", "kim@example.org"), ("password", &password)],
                )
                .await
                .status
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert!(
        checked as i64 <= canopy::accounts::throttle::PER_ACCOUNT_ADDRESS,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY || *s == StatusCode::TOO_MANY_REQUESTS)
    );
    assert!(
        app.count("rate_events WHERE scope = 'sign_in_account'")
            .await
            <= canopy::accounts::throttle::PER_ACCOUNT_ADDRESS
    );
}

#[tokio::test]
async fn behind_a_proxy_the_forwarded_address_is_throttled_not_the_proxy() {
    let mut config = canopy::Config::for_tests();
    config.client_ip_header = Some("x-forwarded-for".parse().unwrap());
    let app = TestApp::with_config(config).await;
    app.member("kim@example.org", "Kim").await;
    let mut b = app.browser();
    b.get("/sign-in").await;
    for i in 0..canopy::accounts::throttle::PER_ADDRESS {
        let email = format!("guess{i}@example.org");
        b.post_with_headers(
            "/sign-in",
            &[("email", &email), ("password", "guess guess guess")],
            &[("x-forwarded-for", "forged.example, 203.0.113.9")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    b.post_with_headers(
        "/sign-in",
        &[("email", "kim@example.org"), ("password", PASSWORD)],
        &[("x-forwarded-for", "203.0.113.9")],
    )
    .await
    .assert_status(StatusCode::TOO_MANY_REQUESTS);
    // Another neighbour behind the same proxy signs in.
    let mut other = app.browser();
    other.get("/sign-in").await;
    other
        .post_with_headers(
            "/sign-in",
            &[("email", "kim@example.org"), ("password", PASSWORD)],
            &[("x-forwarded-for", "198.51.100.7")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_forgotten_password_is_replaced_through_a_single_use_link() {
    let app = TestApp::new().await;
    let mut old_browser = app.member("ada@example.org", "Ada").await;
    let mut b = app.browser();
    b.get("/sign-in")
        .await
        .assert_contains("Forgot your password?");
    b.get("/account/forgot").await;
    // Unknown addresses get the same answer and no mail.
    let page = b
        .post("/account/forgot", &[("email", "nobody@example.org")])
        .await;
    page.assert_status(StatusCode::SEE_OTHER);
    b.get("/sign-in")
        .await
        .assert_contains("If an account uses that address");
    assert_eq!(app.count("outbox").await, 0);
    b.post("/account/forgot", &[("email", "not an email")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    b.post("/account/forgot", &[("email", "ADA@example.org")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let body: String =
        sqlx::query_scalar("SELECT body_text FROM outbox WHERE to_address = 'ADA@example.org'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let link = body
        .lines()
        .find(|l| l.contains("/account/reset/"))
        .unwrap()
        .trim()
        .to_string();
    let path = link.trim_start_matches("http://localhost").to_string();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM password_resets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(
        stored,
        path.rsplit('/').next().unwrap().as_bytes(),
        "only a hash is kept"
    );

    b.get(&path).await.assert_status(StatusCode::OK);
    let page = b
        .post(
            &path,
            &[("new_password", "short"), ("confirm_password", "short")],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    b.post(
        &path,
        &[
            ("new_password", "a fresh passphrase"),
            ("confirm_password", "a fresh passphrase"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    b.get("/")
        .await
        .assert_contains("Hello, Ada")
        .assert_contains("Your new password is set");
    // The link is spent, the old browser signed out, the old password gone.
    b.get(&path).await.assert_status(StatusCode::GONE);
    old_browser
        .get("/account/profile")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let mut c = app.browser();
    c.get("/sign-in").await;
    c.post(
        "/sign-in",
        &[("email", "ada@example.org"), ("password", PASSWORD)],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    c.post(
        "/sign-in",
        &[
            ("email", "ada@example.org"),
            ("password", "a fresh passphrase"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    // At most three links an hour; an expired link is refused.
    for _ in 0..5 {
        b.get("/account/forgot").await;
        b.post("/account/forgot", &[("email", "ada@example.org")])
            .await;
    }
    assert_eq!(
        app.count("password_resets").await,
        canopy::accounts::reset::LINKS_PER_HOUR
    );
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .unwrap();
    let body: String =
        sqlx::query_scalar("SELECT body_text FROM outbox ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let late = body
        .lines()
        .find(|l| l.contains("/account/reset/"))
        .unwrap()
        .trim()
        .trim_start_matches("http://localhost")
        .to_string();
    b.get(&late)
        .await
        .assert_status(StatusCode::GONE)
        .assert_contains("expired or has been used");
}
