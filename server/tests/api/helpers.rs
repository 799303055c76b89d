//! `spawn_app()`: the real router on port 0 over a fresh database, a
//! cookie-keeping client, and the small world of accounts tests build on.

use std::sync::LazyLock;

use app::auth::ssr::client_addr::TrustedProxies;
use app::auth::SignedInUser;
use app::db::new_id;
use app::error::AppError;
use app::passwords::hashing::hash_blocking;
use app::state::AppState;
use leptos::prelude::LeptosOptions;
use server::config::Config;
use server::router::{build_router, RouterSettings};
use server::startup::open_state;

/// The password every fixture account starts with (hashed once per run).
pub const PASSWORD: &str = "maple-river-42";
static PASSWORD_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking(PASSWORD).unwrap().0);

pub struct TestApp {
    pub url: String,
    pub state: AppState,
    pub client: reqwest::Client,
    /// The data folder, also the site root (static files go in `pkg/`).
    pub data: tempfile::TempDir,
    /// The server task, stopped when the app is dropped so its database
    /// connections close (tests that build many apps stay within
    /// PostgreSQL's connection limit).
    server: tokio::task::AbortHandle,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Ids of the accounts in the fixture world.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub oak: String,
    pub oak_owner: String,
    pub oak_admin: String,
    pub oak_lead: String,
    pub oak_teacher: String,
    pub oak_learner: String,
    pub oak_learner2: String,
    pub oak_parent: String,
    pub riv: String,
    pub riv_owner: String,
    pub riv_teacher: String,
}

/// The `Set-Cookie` line of `response` for the cookie `name` (e.g.
/// `__Host-classkeys_session`), attributes included.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|line| line.starts_with(&prefix))
        .map(str::to_owned)
}

/// A `Set-Cookie` line's `name=value`, without its attributes.
pub fn cookie_pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap_or_default()
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(false).await
}

/// `secure_cookies` is what an https `CLASSKEYS_PUBLIC_URL` turns on.
pub async fn spawn_app_with(secure_cookies: bool) -> TestApp {
    spawn_app_configured(secure_cookies, &[]).await
}

/// With extra environment settings, e.g. `SMS_GATEWAY_URL` or `SMTP_URL`.
pub async fn spawn_app_configured(secure_cookies: bool, settings: &[(&str, &str)]) -> TestApp {
    let data = tempfile::tempdir().unwrap();
    start_server(data, None, secure_cookies, settings).await
}

impl TestApp {
    /// A second server on the same database and secret key, as a load
    /// balancer's other instance: a client's cookies reach both (cookies
    /// do not tell ports apart), so a test can alternate between them.
    pub async fn second_server(&self) -> TestApp {
        start_server(
            tempfile::tempdir().unwrap(),
            Some(self.data.path()),
            false,
            &[],
        )
        .await
    }
}

/// Starts the router over `data`, or over `shared` (another app's data
/// folder, database and key) when given.
async fn start_server(
    data: tempfile::TempDir,
    shared: Option<&std::path::Path>,
    secure_cookies: bool,
    settings: &[(&str, &str)],
) -> TestApp {
    let folder = shared.unwrap_or(data.path());
    let data_dir = folder.to_string_lossy().to_string();
    let database_url = crate::test_database::database_url_for(folder);
    let config = Config::from_lookup(|name| match name {
        "CLASSKEYS_DATA" => Some(data_dir.clone()),
        "DATABASE_URL" => database_url.clone(),
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        _ => settings
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_string()),
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}");
    // Links and redirect URLs name the test server, unless a test sets the
    // public URL a deployment would have.
    let public_url = settings
        .iter()
        .find(|(key, _)| *key == "CLASSKEYS_PUBLIC_URL")
        .map_or(url.as_str(), |(_, value)| value);
    let state = open_state(&config, public_url).await.unwrap();
    let leptos_options = LeptosOptions::builder()
        .output_name("classkeys")
        .site_root(data_dir.clone())
        .site_pkg_dir("pkg")
        .build();
    let router = build_router(
        state.clone(),
        RouterSettings {
            leptos_options,
            secure_cookies,
            trusted_proxies: TrustedProxies(config.trusted_proxies.clone()),
        },
    );
    let server = tokio::spawn(async move {
        server::serve::serve(
            listener,
            router,
            server::serve::HEADER_READ_TIMEOUT,
            std::future::pending(),
        )
        .await;
    });
    let server = server.abort_handle();
    TestApp {
        url,
        state,
        client: new_client(),
        data,
        server,
    }
}

impl TestApp {
    /// Calls a server function the way the browser does: a form POST.
    pub async fn call_as(
        &self,
        client: &reqwest::Client,
        name: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(format!("{}/api/{name}", self.url))
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form the way a browser does before the WebAssembly has loaded.
    pub async fn plain_form_post(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{name}", self.url))
            .header("sec-fetch-site", "same-origin")
            .header("accept", "text/html")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function as a client at `addr` behind a trusted proxy
    /// (the app must trust 127.0.0.1: `CLASSKEYS_TRUSTED_PROXIES`).
    pub async fn call_from(
        &self,
        addr: &str,
        name: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        new_client()
            .post(format!("{}/api/{name}", self.url))
            .header("sec-fetch-site", "same-origin")
            .header("x-forwarded-for", addr)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function whose arguments travel as JSON.
    pub async fn call_json(&self, name: &str, body: serde_json::Value) -> reqwest::Response {
        self.call_json_as(&self.client, name, body).await
    }

    pub async fn call_json_as(
        &self,
        client: &reqwest::Client,
        name: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        client
            .post(format!("{}/api/{name}", self.url))
            .header("sec-fetch-site", "same-origin")
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// "Reset" in a learner's dialog as `client`, checked to have worked.
    pub async fn reset_learner_as(&self, client: &reqwest::Client, learner: &str, password: &str) {
        let response = self
            .call_as(
                client,
                "reset_learner_password",
                &[("learner_id", learner), ("password", password)],
            )
            .await;
        assert_eq!(response.status(), 200, "reset {learner}");
    }

    /// Reset links of `account` that still work.
    pub async fn usable_links(&self, account: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM reset_tokens WHERE account_id = $1 AND used_at IS NULL",
        )
        .bind(account)
        .fetch_one(&self.state.db)
        .await
        .unwrap();
        n
    }

    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.call_as(&self.client, name, form).await
    }

    pub async fn sign_in_as(
        &self,
        client: &reqwest::Client,
        school: &str,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        self.call_as(
            client,
            "sign_in",
            &[
                ("school_code", school),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Signs `client` in and checks that it worked: a test that then sees
    /// the client signed out knows something signed it out.
    pub async fn signed_in_as(
        &self,
        client: &reqwest::Client,
        school: &str,
        username: &str,
        password: &str,
    ) {
        let response = self.sign_in_as(client, school, username, password).await;
        assert_eq!(response.status(), 200, "{username} signs in");
        assert!(
            self.current_user_of(client).await.is_some(),
            "{username} is signed in"
        );
    }

    pub async fn sign_in(&self, school: &str, username: &str, password: &str) -> reqwest::Response {
        self.sign_in_as(&self.client, school, username, password)
            .await
    }

    pub async fn current_user_of(&self, client: &reqwest::Client) -> Option<SignedInUser> {
        let response = self.call_as(client, "current_user", &[]).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn current_user(&self) -> Option<SignedInUser> {
        self.current_user_of(&self.client).await
    }

    /// Builds two schools: OAK with every kind of account, RIV with an owner
    /// and a teacher. Every password is [`PASSWORD`].
    pub async fn world(&self) -> World {
        let mut world = World {
            oak: self.school("Oakwood Primary", "OAK").await,
            ..Default::default()
        };
        world.riv = self.school("Riverside Academy", "RIV").await;
        world.oak_owner = self
            .account(
                &world.oak,
                "owner",
                "admin",
                Some("owner@oakwood.example"),
                (false, false),
            )
            .await;
        world.oak_admin = self
            .account(
                &world.oak,
                "staff",
                "office",
                Some("office@oakwood.example"),
                (true, false),
            )
            .await;
        world.oak_lead = self
            .account(
                &world.oak,
                "staff",
                "lead",
                Some("lead@oakwood.example"),
                (false, true),
            )
            .await;
        world.oak_teacher = self
            .account(
                &world.oak,
                "staff",
                "teacher",
                Some("teacher@oakwood.example"),
                (false, false),
            )
            .await;
        world.oak_learner = self
            .account(&world.oak, "learner", "amelias", None, (false, false))
            .await;
        world.oak_learner2 = self
            .account(&world.oak, "learner", "oliverj", None, (false, false))
            .await;
        world.oak_parent = self
            .account(
                &world.oak,
                "parent",
                "parent@home.example",
                Some("parent@home.example"),
                (false, false),
            )
            .await;
        world.riv_owner = self
            .account(
                &world.riv,
                "owner",
                "admin",
                Some("owner@riverside.example"),
                (false, false),
            )
            .await;
        world.riv_teacher = self
            .account(
                &world.riv,
                "staff",
                "teacher",
                Some("teacher@riverside.example"),
                (false, false),
            )
            .await;
        world
    }

    pub async fn school(&self, name: &str, code: &str) -> String {
        let id = new_id();
        sqlx::query("INSERT INTO schools (id, name, code, created_at) VALUES ($1, $2, $3, 0)")
            .bind(&id)
            .bind(name)
            .bind(code)
            .execute(&self.state.db)
            .await
            .unwrap();
        id
    }

    pub async fn account(
        &self,
        school: &str,
        role: &str,
        username: &str,
        email: Option<&str>,
        (full_admin, lead): (bool, bool),
    ) -> String {
        let id = new_id();
        sqlx::query(
            "INSERT INTO accounts (id, school_id, role, is_full_admin, is_lead_teacher, username, \
             display_name, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0)",
        )
        .bind(&id)
        .bind(school)
        .bind(role)
        .bind(full_admin)
        .bind(lead)
        .bind(username)
        .bind(format!("{username} display"))
        .bind(email)
        .bind(&*PASSWORD_HASH)
        .execute(&self.state.db)
        .await
        .unwrap();
        id
    }

    /// A class of `school` with its teachers and learners.
    pub async fn class(
        &self,
        school: &str,
        name: &str,
        teachers: &[&str],
        learners: &[&str],
    ) -> String {
        let id = new_id();
        sqlx::query("INSERT INTO classes (id, school_id, name, created_at) VALUES ($1, $2, $3, 0)")
            .bind(&id)
            .bind(school)
            .bind(name)
            .execute(&self.state.db)
            .await
            .unwrap();
        for (table, members) in [("class_teachers", teachers), ("enrolments", learners)] {
            for member in members {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO {table} (class_id, account_id) VALUES ($1, $2)"
                )))
                .bind(&id)
                .bind(member)
                .execute(&self.state.db)
                .await
                .unwrap();
            }
        }
        id
    }

    pub async fn password_hash(&self, account: &str) -> String {
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_one(&self.state.db)
            .await
            .unwrap();
        hash
    }

    pub async fn set_flag(&self, account: &str, column: &str, value: bool) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE accounts SET {column} = $1 WHERE id = $2"
        )))
        .bind(value)
        .bind(account)
        .execute(&self.state.db)
        .await
        .unwrap();
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT action FROM audit_events ORDER BY created_at, rowid")
                .fetch_all(&self.state.db)
                .await
                .unwrap();
        rows.into_iter().map(|(a,)| a).collect()
    }
}

/// The teacher's current details as "Save" would send them, with changes.
pub async fn teacher_changes(
    app: &TestApp,
    world: &World,
    changes: serde_json::Value,
) -> serde_json::Value {
    let (version,): (i64,) = sqlx::query_as("SELECT row_version FROM accounts WHERE id = $1")
        .bind(&world.oak_teacher)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let mut body = serde_json::json!({
        "id": world.oak_teacher,
        "display_name": "Tess Teacher",
        "email": "teacher@oakwood.example",
        "mobile": "",
        "full_admin": false,
        "lead_teacher": false,
        "class_ids": [],
        "new_password": "",
        "require_new_password": true,
        "version": version,
    });
    for (key, value) in changes.as_object().unwrap() {
        body[key] = value.clone();
    }
    serde_json::json!({ "changes": body })
}

/// The emails queued so far: recipient and plain text.
pub async fn queued(app: &TestApp) -> Vec<(String, String)> {
    app.state.reset_requests.flush().await;
    app::mail::outbox::opened_messages(&app.state.db, &app.state.sealer)
        .await
        .unwrap()
}

/// Runs the outbox through `mailer` until nothing more is due, as the
/// worker does; returns how many emails went out.
pub async fn deliver_with(app: &TestApp, mailer: &app::mail::transport::Mailer) -> usize {
    app.state.reset_requests.flush().await;
    let mut sent = 0;
    loop {
        let batch = app::mail::outbox::deliver_due(
            &app.state.db,
            &app.state.sealer,
            mailer,
            app.state.clock.now(),
        )
        .await
        .unwrap();
        if batch == 0 {
            return sent;
        }
        sent += batch;
    }
}

/// Delivers the outbox into `.eml` files and returns their contents, with
/// quoted-printable soft line breaks undone.
pub async fn deliver(app: &TestApp) -> Vec<String> {
    let folder = app.data.path().join("outbox/email");
    let mailer = app::mail::transport::Mailer::files(folder.clone()).unwrap();
    deliver_with(app, &mailer).await;
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .replace("=\r\n", "")
                .replace("=3D", "=")
        })
        .collect()
}

/// The token of the first reset, welcome or parent confirmation link in an email.
pub fn link_in(eml: &str) -> String {
    let (start, prefix) = ["/reset-password/", "/welcome/", "/parent/confirm/"]
        .into_iter()
        .filter_map(|prefix| eml.find(prefix).map(|start| (start, prefix)))
        .min()
        .expect("a link");
    eml[start + prefix.len()..].chars().take(43).collect()
}

/// The app error in a failed server-function response.
pub async fn app_error(response: reqwest::Response) -> (u16, AppError) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let error =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not an AppError: {status} {text}"));
    (status, error)
}

/// "Preview" of `file` as `client`.
pub async fn preview_import(
    app: &TestApp,
    client: &reqwest::Client,
    file: &[u8],
    inactivate_missing: bool,
) -> reqwest::Response {
    use base64::Engine;
    let file = base64::engine::general_purpose::STANDARD.encode(file);
    let body = serde_json::json!({ "file": file, "inactivate_missing": inactivate_missing });
    app.call_json_as(client, "preview_import", body).await
}

/// "Apply import" of `file` as `client`, followed to its end: the outcome.
pub async fn apply_import(
    app: &TestApp,
    client: &reqwest::Client,
    file: &[u8],
    inactivate_missing: bool,
) -> Result<app::roster::ImportSummary, String> {
    use base64::Engine;
    let file = base64::engine::general_purpose::STANDARD.encode(file);
    let body = serde_json::json!({ "file": file, "inactivate_missing": inactivate_missing });
    let response = app.call_json_as(client, "start_import", body).await;
    if response.status() != 200 {
        return Err(format!(
            "{}: {}",
            response.status(),
            response.text().await.unwrap()
        ));
    }
    let job: String = response.json().await.unwrap();
    follow_import(app, client, &job).await
}

/// Asks how an import is until it has ended (each answer waits on the
/// server's work, not on a timer).
pub async fn follow_import(
    app: &TestApp,
    client: &reqwest::Client,
    job: &str,
) -> Result<app::roster::ImportSummary, String> {
    loop {
        let response = app
            .call_as(client, "import_progress", &[("job_id", job)])
            .await;
        assert_eq!(response.status(), 200);
        let progress: app::roster::ImportProgress = response.json().await.unwrap();
        assert!(progress.percent <= 100);
        if let Some(outcome) = progress.outcome {
            return outcome;
        }
        tokio::task::yield_now().await;
    }
}
