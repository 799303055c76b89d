//! Hardening: cross-site POSTs, security headers, caching, limits, statuses.

use crate::helpers::{new_client, set_cookie, spawn_app, spawn_app_with, PASSWORD};

#[tokio::test]
async fn a_cross_site_post_is_refused_before_it_runs() {
    let app = spawn_app().await;
    app.world().await;
    let form = [
        ("school_code", "OAK"),
        ("username", "teacher"),
        ("password", PASSWORD),
    ];
    let cross_site = app
        .client
        .post(format!("{}/api/sign_in", app.url))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let same_site = app
        .client
        .post(format!("{}/api/sign_in", app.url))
        .header("sec-fetch-site", "same-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        same_site.status(),
        403,
        "a sibling subdomain is another site for us"
    );
    let foreign_origin = app
        .client
        .post(format!("{}/api/sign_in", app.url))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_origin.status(), 403);
    assert!(app.current_user().await.is_none());
    assert!(app.audit_actions().await.is_empty(), "nothing ran");
    let own_origin = app
        .client
        .post(format!("{}/api/sign_in", app.url))
        .header("origin", &app.url)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(own_origin.status(), 200);
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_csp() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce")
        .to_string();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    for name in [
        "School code",
        "Username",
        "Password",
        "Sign in",
        "Forgot password?",
    ] {
        assert!(html.contains(name), "the sign-in page shows {name}");
    }
    // Each response gets its own nonce.
    let again = app
        .client
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    assert_ne!(
        again.headers()["content-security-policy"].to_str().unwrap(),
        csp
    );
}

/// Every page, the not-found fallback included, names in its header the
/// nonce its scripts carry, also when many are rendered at once (a lost
/// header once left a busy server's 404 page unhydrated).
#[tokio::test]
async fn every_page_header_names_the_nonce_its_scripts_carry() {
    let app = spawn_app().await;
    let loads = (0..24).map(|i| {
        let path = if i % 2 == 0 {
            "/no-such-page"
        } else {
            "/login"
        };
        let request = app.client.get(format!("{}{path}", app.url)).send();
        async move {
            let response = request.await.unwrap();
            let csp = response.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_string();
            let html = response.text().await.unwrap();
            (path, csp, html)
        }
    });
    for (path, csp, html) in futures::future::join_all(loads).await {
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: the page CSP, not {csp}"));
        let script_tags: Vec<&str> = html
            .split("<script")
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap_or_default())
            .collect();
        assert!(!script_tags.is_empty(), "{path} has its hydration scripts");
        for tag in script_tags {
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: <script{tag}> carries the header's nonce {nonce}"
            );
        }
    }
}

#[tokio::test]
async fn server_function_responses_are_never_cached() {
    let app = spawn_app().await;
    let response = app.call("current_user", &[]).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_page() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/no/such/page", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/account", app.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/login");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app().await;
    let huge = "x".repeat(server::router::BODY_LIMIT_BYTES + 1);
    let response = app
        .client
        .post(format!("{}/api/sign_in", app.url))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("school_code", "OAK"),
            ("username", huge.as_str()),
            ("password", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_ask() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/login", app.url))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn malformed_server_function_calls_are_not_server_errors() {
    let app = spawn_app().await;
    let response = app.call("sign_in", &[("school_code", "OAK")]).await;
    assert!(response.status().is_client_error(), "{}", response.status());
}

/// Issue #11: static files are compressed once at build time
/// (scripts/precompress.mjs) and sent as they are; nothing is compressed
/// per request.
#[tokio::test]
async fn hashed_static_files_are_cached_for_a_year_and_sent_precompressed() {
    let app = spawn_app().await;
    let pkg = app.data.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let js = "console.log('hello');\n".repeat(200);
    std::fs::write(pkg.join("classkeys.abc123.js"), &js).unwrap();
    // Marker bytes: only the files on disk can give them back.
    std::fs::write(
        pkg.join("classkeys.abc123.js.br"),
        "brotli made at build time",
    )
    .unwrap();
    std::fs::write(
        pkg.join("classkeys.abc123.js.gz"),
        "gzip made at build time",
    )
    .unwrap();
    let get = |accept: &'static str| {
        app.client
            .get(format!("{}/pkg/classkeys.abc123.js", app.url))
            .header("accept-encoding", accept)
            .send()
    };
    let response = get("br, gzip").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(response.headers()["content-encoding"], "br");
    assert_eq!(response.text().await.unwrap(), "brotli made at build time");
    let response = get("gzip").await.unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(response.text().await.unwrap(), "gzip made at build time");
    let response = get("identity").await.unwrap();
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(response.text().await.unwrap(), js);
    let missing = app
        .client
        .get(format!("{}/pkg/classkeys.nothere.js", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["cache-control"], "no-store");
    // Pages are still compressed per request:
    // `pages_are_compressed_for_browsers_that_ask`.
}

#[tokio::test]
async fn over_https_the_session_cookie_is_secure_with_the_host_prefix() {
    let app = spawn_app_with(true).await;
    app.world().await;
    let response = app.sign_in("OAK", "teacher", PASSWORD).await;
    let cookie = set_cookie(&response, "__Host-classkeys_session")
        .unwrap_or_else(|| panic!("a __Host- session cookie in {:?}", response.headers()));
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    assert!(
        !cookie.contains("Domain="),
        "__Host- cookies have no domain: {cookie}"
    );
    assert!(response.headers().contains_key("strict-transport-security"));
    let school_cookie = set_cookie(&response, "__Host-classkeys_school")
        .expect("the remembered school code, with the __Host- prefix");
    assert!(school_cookie.contains("; Secure"), "{school_cookie}");
    // Only the prefixed cookie is read: one without it could have been
    // planted by a sibling subdomain or on a plain-http network.
    let remembered = |cookie: &'static str| {
        let app = &app;
        async move {
            let response = new_client()
                .post(format!("{}/api/remembered_school_code", app.url))
                .header("sec-fetch-site", "same-origin")
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Option<String>>().await.unwrap()
        }
    };
    assert_eq!(
        remembered("__Host-classkeys_school=OAK").await.as_deref(),
        Some("OAK")
    );
    assert_eq!(remembered("classkeys_school=RIV").await, None);
}
