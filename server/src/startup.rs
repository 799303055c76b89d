//! Opening the database, seeding demo data and serving.

use app::auth::ssr::client_addr::TrustedProxies;
use app::db;
use app::demo::{self, DEMO_SCHOOLS};
use app::mail::outbox::deliver_due;
use app::mail::transport::Mailer;
use app::sms::SmsGateway;
use app::state::AppState;
use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::router::{build_router, spawn_session_cleanup, RouterSettings};
use crate::secret_key::load_sealer;

/// Opens (creating) the data folder and database, and applies migrations.
pub async fn open_state(config: &Config, public_url: &str) -> Result<AppState, String> {
    app::files::create_private_dir(&config.data_dir).map_err(|e| {
        format!(
            "cannot create the data folder {}: {e}",
            config.data_dir.display()
        )
    })?;
    if let Some(file) = db::sqlite_file(&config.database_url.0) {
        prepare_private_database(&file)?;
    }
    let pool = db::connect(&config.database_url.0)
        .await
        .map_err(|e| format!("cannot open the database {:?}: {e}", config.database_url))?;
    db::migrate(&pool)
        .await
        .map_err(|e| format!("cannot apply migrations: {e}"))?;
    let sealer = load_sealer(config)?;
    Ok(AppState::new(pool, sealer, public_url)
        .with_sms(sms_gateway(config)?)
        .with_private_sso_networks(config.sso_private_networks))
}

/// Creates the SQLite file owner-only before SQLite opens it (its `-wal`
/// and `-shm` files then get the same mode), and shuts other users out of
/// files an earlier version created with the umask's permissions.
fn prepare_private_database(file: &std::path::Path) -> Result<(), String> {
    let cannot = |e: std::io::Error| format!("cannot prepare the database {}: {e}", file.display());
    if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(cannot)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file).map_err(cannot)?;
    for suffix in ["", "-wal", "-shm"] {
        let path = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
        if path.exists() {
            app::files::make_private(&path).map_err(cannot)?;
        }
    }
    Ok(())
}

/// The SMS gateway the configuration asks for: `SMS_GATEWAY_URL`, or
/// `.txt` files in `<data>/outbox/sms/`.
pub fn sms_gateway(config: &Config) -> Result<SmsGateway, String> {
    match &config.sms_gateway_url {
        Some(url) => SmsGateway::http(secrecy::ExposeSecret::expose_secret(url)),
        None => Ok(SmsGateway::files(
            config.data_dir.join("outbox").join("sms"),
        )),
    }
}

/// Creates the demo schools on an empty database and says what was made.
pub async fn seed_demo(state: &AppState, learners_per_class: Option<usize>) -> Result<(), String> {
    match demo::seed_if_empty_sized(state, learners_per_class)
        .await
        .map_err(|e| format!("cannot create demo data: {e}"))?
    {
        Some(summary) => tracing::info!(
            schools = summary.schools,
            learners = summary.learners,
            "created the demo schools"
        ),
        None => tracing::info!("the database already has schools: no demo data added"),
    }
    Ok(())
}

/// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
/// What `serve` seeds: nothing, or the demo schools (optionally with more
/// learners per class).
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoSeed {
    pub enabled: bool,
    pub learners_per_class: Option<usize>,
}

pub async fn serve(
    config: Config,
    leptos_options: LeptosOptions,
    demo: DemoSeed,
) -> Result<(), String> {
    let listener = TcpListener::bind(config.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.site_addr))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    // With port 0 the real port is known only now.
    let public_url = if std::env::var("CLASSKEYS_PUBLIC_URL").is_ok() {
        config.public_url.clone()
    } else {
        format!("http://{bound}")
    };
    let state = open_state(&config, &public_url).await?;
    if demo.enabled {
        seed_demo(&state, demo.learners_per_class).await?;
    }
    spawn_session_cleanup(&state);
    spawn_outbox_worker(&state, mailer(&config)?);
    let reset_requests = state.reset_requests.clone();
    let router = build_router(
        state,
        RouterSettings {
            leptos_options,
            secure_cookies: config.secure_cookies(),
            trusted_proxies: TrustedProxies(config.trusted_proxies.clone()),
        },
    );
    print_banner(&public_url, demo.enabled);
    crate::serve::serve(
        listener,
        router,
        crate::serve::HEADER_READ_TIMEOUT,
        shutdown_signal(),
    )
    .await;
    // "Forgot password?" requests already answered still get their links
    // queued (the outbox sends them after a restart).
    if tokio::time::timeout(crate::serve::DRAIN_TIMEOUT, reset_requests.flush())
        .await
        .is_err()
    {
        tracing::warn!("stopped before every reset link request was handled");
    }
    Ok(())
}

fn print_banner(url: &str, demo: bool) {
    println!("ClassKeys is listening on {url}");
    if demo {
        println!("Demo sign-ins (school code / username / password):");
        for school in DEMO_SCHOOLS {
            println!(
                "  {:<4} {:<8} {}   ({})",
                school.code, "admin", school.owner_password, school.owner_email
            );
            for staff in school.staff {
                println!(
                    "  {:<4} {:<8} {}   ({})",
                    school.code, staff.username, staff.password, staff.email
                );
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// The email transport the configuration asks for.
pub fn mailer(config: &Config) -> Result<Mailer, String> {
    match &config.smtp_url {
        Some(url) => Mailer::smtp(secrecy::ExposeSecret::expose_secret(url)),
        None => {
            let folder = config.data_dir.join("outbox").join("email");
            Mailer::files(folder.clone())
                .map_err(|e| format!("cannot create {}: {e}", folder.display()))
        }
    }
}

/// Delivers queued email every two seconds, retrying with backoff.
pub fn spawn_outbox_worker(state: &AppState, mailer: Mailer) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            interval.tick().await;
            // Each poll claims a small batch; poll again at once while
            // emails go out.
            loop {
                match deliver_due(&state.db, &state.sealer, &mailer, state.clock.now()).await {
                    Ok(0) => break,
                    Ok(_) => continue,
                    Err(error) => {
                        tracing::warn!(%error, "could not deliver queued email");
                        break;
                    }
                }
            }
        }
    });
}
