//! `/login` as a plain HTML page and form (DESIGN.md §5: the sign-in page
//! loads no more than 150 KB of WebAssembly; it loads none).

use crate::helpers::{new_client, set_cookie, spawn_app, TestApp, PASSWORD};

/// Posts the sign-in form as a browser does.
async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(format!("{}/login", app.url))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .form(fields)
        .send()
        .await
        .unwrap()
}

fn fields<'a>(school: &'a str, username: &'a str, password: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("school_code", school),
        ("username", username),
        ("password", password),
    ]
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = client
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// The value of the `<input>` with this id, as the server rendered it.
fn input_value(html: &str, id: &str) -> Option<String> {
    let tag = html
        .split(&format!("id=\"{id}\""))
        .nth(1)?
        .split('>')
        .next()?;
    let value = tag.split("value=\"").nth(1)?.split('"').next()?;
    Some(value.to_string())
}

#[tokio::test]
async fn the_sign_in_page_loads_no_webassembly_and_other_pages_do() {
    let app = spawn_app().await;
    let login = page(&app, &app.client, "/login").await;
    assert!(
        login.contains(r#"<form method="post" action="/login""#),
        "a plain form: {login}"
    );
    for label in ["School code", "Username", "Password", "Sign in"] {
        assert!(login.contains(&format!(">{label}<")), "{label}");
    }
    // Of the site's own files it names the stylesheet alone.
    let named: Vec<&str> = login
        .split("/pkg/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default())
        .collect();
    assert!(
        !named.is_empty() && named.iter().all(|file| file.ends_with(".css")),
        "no hydration scripts or WebAssembly: {named:?}"
    );
    assert!(
        !login.contains(".wasm") && !login.contains("type=\"module\""),
        "{login}"
    );
    assert!(
        login.contains("<body data-hydrated=\"true\""),
        "interactive as it arrives"
    );
    // Every other page still hydrates.
    let other = page(&app, &app.client, "/forgot-password").await;
    assert!(other.contains("/pkg/classkeys.js"), "{other}");
    assert!(!other.contains("data-hydrated"), "the WebAssembly marks it");
}

#[tokio::test]
async fn a_right_password_posted_by_the_form_signs_in_and_goes_home() {
    let app = spawn_app().await;
    app.world().await;
    let response = post_form(&app, &app.client, &fields("oak", "teacher", PASSWORD)).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let school = set_cookie(&response, "classkeys_school").unwrap_or_default();
    assert!(
        school.starts_with("classkeys_school=OAK;") && school.contains("HttpOnly"),
        "the school code is remembered: {school:?}"
    );
    assert!(set_cookie(&response, "classkeys_session").is_some());
    assert_eq!(app.current_user().await.unwrap().username, "teacher");
    // Signed in, the sign-in page sends a browser home.
    let again = app
        .client
        .get(format!("{}/login", app.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 302);
    assert_eq!(again.headers()["location"], "/");
}

#[tokio::test]
async fn a_user_who_must_change_their_password_is_sent_to_that_form() {
    let app = spawn_app().await;
    let world = app.world().await;
    sqlx::query("UPDATE accounts SET must_change_password = TRUE WHERE id = $1")
        .bind(&world.oak_teacher)
        .execute(&app.state.db)
        .await
        .unwrap();
    let response = post_form(&app, &app.client, &fields("OAK", "teacher", PASSWORD)).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/account/new-password");
}

#[tokio::test]
async fn a_wrong_password_shows_the_page_again_with_the_message_and_what_was_typed() {
    let app = spawn_app().await;
    app.world().await;
    let typed = "not-the-password-7";
    let response = post_form(&app, &app.client, &fields("OAK", "teacher", typed)).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    assert!(
        html.contains(
            r#"role="alert" id="sign_in_error" class="error">The school code, username or password is not right."#
        ),
        "{html}"
    );
    assert_eq!(input_value(&html, "school_code").as_deref(), Some("OAK"));
    assert_eq!(input_value(&html, "username").as_deref(), Some("teacher"));
    assert!(!html.contains(typed), "the password never comes back");
    // The page's one script may run: it carries the header's nonce.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        html.contains(&format!("<script nonce=\"{nonce}\">")),
        "{html}"
    );
    assert!(app.current_user().await.is_none());
}

#[tokio::test]
async fn an_empty_form_is_explained_and_a_malformed_one_too() {
    let app = spawn_app().await;
    let response = post_form(&app, &app.client, &fields("", "", "")).await;
    assert_eq!(response.status(), 422);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Enter your username or email address."));
    let response = app
        .client
        .post(format!("{}/login", app.url))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("<form"));
}

#[tokio::test]
async fn form_failures_lock_the_account_like_any_other() {
    let app = spawn_app().await;
    app.world().await;
    // As in sign_in.rs: a second ticking between attempts changes nothing.
    app.state.clock.freeze();
    for attempt in 1..=10 {
        let response =
            post_form(&app, &app.client, &fields("OAK", "teacher", "wrong-pass-1")).await;
        // The tenth failure locks the account, and says so.
        let expected = if attempt < 10 { 401 } else { 423 };
        assert_eq!(response.status(), expected, "attempt {attempt}");
    }
    let response = post_form(&app, &app.client, &fields("OAK", "teacher", PASSWORD)).await;
    assert_eq!(response.status(), 423);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("This account is locked after too many failed sign-ins."));
    assert!(app.current_user().await.is_none());
}

#[tokio::test]
async fn an_inactive_account_is_refused_by_the_form() {
    let app = spawn_app().await;
    let world = app.world().await;
    sqlx::query("UPDATE accounts SET active = FALSE WHERE id = $1")
        .bind(&world.oak_teacher)
        .execute(&app.state.db)
        .await
        .unwrap();
    let response = post_form(&app, &app.client, &fields("OAK", "teacher", PASSWORD)).await;
    assert_ne!(response.status(), 303);
    assert!(app.current_user().await.is_none());
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let app = spawn_app().await;
    app.world().await;
    let response = app
        .client
        .post(format!("{}/login", app.url))
        .header("sec-fetch-site", "cross-site")
        .form(&fields("OAK", "teacher", PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(app.current_user().await.is_none());
}

#[tokio::test]
async fn the_remembered_school_code_is_filled_in() {
    let app = spawn_app().await;
    app.world().await;
    let device = new_client();
    let response = post_form(&app, &device, &fields("oak", "teacher", PASSWORD)).await;
    assert_eq!(response.status(), 303);
    app.call_as(&device, "sign_out", &[]).await;
    let html = page(&app, &device, "/login").await;
    assert_eq!(input_value(&html, "school_code").as_deref(), Some("OAK"));
    assert_eq!(input_value(&html, "username").as_deref(), Some(""));
}

#[tokio::test]
async fn what_was_typed_comes_back_escaped() {
    let app = spawn_app().await;
    let typed = r#"x"><script>alert(1)</script>"#;
    let response = post_form(&app, &app.client, &fields(typed, typed, "some-password-1")).await;
    assert_eq!(response.status(), 401);
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)"),
        "shown as typed: {html}"
    );
}

#[tokio::test]
async fn after_a_password_change_the_next_sign_in_page_has_the_username_and_only_that_one() {
    let app = spawn_app().await;
    app.world().await;
    let tablet = new_client();
    let response = post_form(&app, &tablet, &fields("OAK", "teacher", PASSWORD)).await;
    assert_eq!(response.status(), 303);
    let changed = app
        .call_as(
            &tablet,
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "copper-lantern-83"),
                ("confirm_new_password", "copper-lantern-83"),
            ],
        )
        .await;
    assert_eq!(changed.status(), 200);
    let kept = set_cookie(&changed, "classkeys_username").expect("the username is kept");
    assert!(kept.starts_with("classkeys_username=teacher;"), "{kept}");
    assert!(
        kept.contains("Max-Age=600") && kept.contains("HttpOnly"),
        "{kept}"
    );

    // Only the page that says the password changed fills it in.
    let after = page(&app, &tablet, "/login?notice=password-changed").await;
    assert_eq!(input_value(&after, "username").as_deref(), Some("teacher"));
    assert_eq!(input_value(&after, "school_code").as_deref(), Some("OAK"));
    let plain = page(&app, &tablet, "/login").await;
    assert_eq!(input_value(&plain, "username").as_deref(), Some(""));

    // The next sign-in, whoever's, ends it.
    let response = post_form(&app, &tablet, &fields("OAK", "lead", PASSWORD)).await;
    assert_eq!(response.status(), 303);
    let ended = set_cookie(&response, "classkeys_username").expect("cleared");
    assert!(ended.starts_with("classkeys_username=;"), "{ended}");
    assert!(ended.contains("Max-Age=0"), "{ended}");
    app.call_as(&tablet, "sign_out", &[]).await;
    let later = page(&app, &tablet, "/login?notice=password-changed").await;
    assert_eq!(input_value(&later, "username").as_deref(), Some(""));
}
