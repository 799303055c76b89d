//! A real OpenID Provider for tests: panva's `oidc-provider` on Node.js
//! (`end2end/oidc/provider.mjs`), started on a free loopback port and
//! stopped when dropped. Its test endpoints add clients and accounts and
//! can tamper with the next ID token it issues.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct TestProvider {
    pub issuer: String,
    control: reqwest::Client,
    child: Child,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The client ClassKeys is registered as in tests.
pub const CLIENT_ID: &str = "classkeys-test";
pub const CLIENT_SECRET: &str = "test-secret-7f3a9c";

impl TestProvider {
    pub async fn start() -> TestProvider {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            // Piped: the provider exits when this process goes away.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs end2end/oidc/provider.mjs (npm ci in end2end/ installs it)");
        let stdout = child.stdout.take().unwrap();
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).unwrap();
            line
        })
        .await
        .unwrap();
        let ready: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("provider said {line:?}"));
        TestProvider {
            issuer: ready["issuer"].as_str().unwrap().to_string(),
            control: reqwest::Client::new(),
            child,
        }
    }

    async fn post(&self, path: &str, body: serde_json::Value) {
        let response = self
            .control
            .post(format!("{}{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            204,
            "{path}: {}",
            response.text().await.unwrap()
        );
    }

    /// Registers ClassKeys (at `app_url`) as a client.
    pub async fn register(&self, app_url: &str) {
        self.post(
            "/__test/clients",
            serde_json::json!({
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [format!("{app_url}/sso/callback")],
            }),
        )
        .await;
    }

    /// Sets what the provider says about `sub`.
    pub async fn account(&self, sub: &str, claims: serde_json::Value) {
        self.post(
            "/__test/accounts",
            serde_json::json!({ "sub": sub, "claims": claims }),
        )
        .await;
    }

    /// The next ID token is spoiled: "audience", "issuer", "signature",
    /// "expired" or "nonce".
    pub async fn tamper(&self, mode: &str) {
        self.post("/__test/tamper", serde_json::json!({ "mode": mode }))
            .await;
    }

    /// Signs in at the provider as `sub` through its login form, from
    /// `authorize_url`; returns where the provider sends the browser back
    /// (the callback URL with `code`, `state` and `iss`).
    pub async fn log_in(&self, authorize_url: &str, sub: &str) -> String {
        let browser = crate::helpers::new_client();
        let to_interaction = browser.get(authorize_url).send().await.unwrap();
        assert_eq!(to_interaction.status(), 303, "authorize");
        let interaction = self.absolute(location(&to_interaction));
        let resume = browser
            .post(&interaction)
            .form(&[("prompt", "login"), ("login", sub), ("password", "any")])
            .send()
            .await
            .unwrap();
        assert_eq!(resume.status(), 303, "login form");
        let back = browser
            .get(self.absolute(location(&resume)))
            .send()
            .await
            .unwrap();
        assert_eq!(back.status(), 303, "resume");
        location(&back).to_string()
    }

    /// Cancels at the provider's login page instead ("abort"); returns
    /// where the provider sends the browser back.
    pub async fn cancel(&self, authorize_url: &str) -> String {
        let browser = crate::helpers::new_client();
        let to_interaction = browser.get(authorize_url).send().await.unwrap();
        let interaction = self.absolute(location(&to_interaction));
        let resume = browser
            .get(format!("{interaction}/abort"))
            .send()
            .await
            .unwrap();
        assert_eq!(resume.status(), 303, "abort");
        let back = browser
            .get(self.absolute(location(&resume)))
            .send()
            .await
            .unwrap();
        assert_eq!(back.status(), 303, "resume");
        location(&back).to_string()
    }

    fn absolute(&self, location: &str) -> String {
        if location.starts_with('/') {
            format!("{}{location}", self.issuer)
        } else {
            location.to_string()
        }
    }
}

pub fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap()
}
