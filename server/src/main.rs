//! `classkeys`: the ClassKeys server and its operator commands.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::SecretString;
use tracing_subscriber::EnvFilter;

use app::schools::ssr::{create_school, new_school_zone, NewSchool};
use server::config::Config;
use server::priority;
use server::startup::{open_state, seed_demo, serve, DemoSeed};

/// mimalloc instead of glibc's malloc: a signed-in page makes many small,
/// short-lived allocations across threads, and a profile of the class page
/// under load spent about 15% of its time in glibc's malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "classkeys",
    version,
    about = "School account and password manager"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default).
    Serve {
        /// Also create the demo schools when the database is empty.
        #[arg(long)]
        demo: bool,
        /// With --demo: learners in every demo class instead of 28.
        #[arg(long, requires = "demo", value_parser = clap::value_parser!(u16).range(1..=5000))]
        learners_per_class: Option<u16>,
    },
    /// Create the demo schools on an empty database, then exit.
    Demo {
        /// Learners in every demo class instead of 28 (for load tests).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=5000))]
        learners_per_class: Option<u16>,
    },
    /// Apply database migrations, then exit.
    Migrate,
    /// Operator commands.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Open a new school with its owner account (username `admin`). The
    /// owner's password is read from standard input.
    CreateSchool {
        /// The school's name, e.g. "Oakwood Primary".
        #[arg(long)]
        name: String,
        /// A short unique code, e.g. OAK.
        #[arg(long)]
        code: String,
        /// The owner's email address.
        #[arg(long)]
        owner_email: String,
        /// The owner's display name.
        #[arg(long, default_value = "School owner")]
        owner_name: String,
        /// Where the school's times read, e.g. Europe/London (UTC if not
        /// given; the owner can change it in Settings).
        #[arg(long)]
        time_zone: Option<String>,
    },
    /// Print a single-use, 60-minute link that lets a school's owner set a
    /// new password. Only after ownership was checked out of band. Audited.
    RecoverOwner {
        /// The school's code, e.g. OAK.
        #[arg(long)]
        school: String,
    },
    /// Re-seal every stored learner password, parent access code and
    /// queued email under the current key (CLASSKEYS_SECRET_KEY or
    /// secret.key), opening them with the keys in CLASSKEYS_OLD_SECRET_KEYS.
    /// One transaction: all or nothing. Audited.
    RotateKey,
    /// Write a consistent copy of the SQLite database to FILE while the
    /// server keeps running (FILE must not exist; it is made owner-only).
    /// Back up the secret key (secret.key) too, and keep it apart. On
    /// PostgreSQL, use pg_dump instead.
    Backup {
        /// Where to write the copy, e.g. /srv/backups/classkeys-2026-11-29.db
        #[arg(long, value_name = "FILE")]
        to: std::path::PathBuf,
    },
    /// Check that every learner's reveal copy opens, is of the current
    /// password and is the password its hash accepts (after a restore, a key
    /// rotation or a crash). Exits with failure if any is not.
    CheckReveals,
    /// Add SMS credits to a school (each reset link sent by SMS uses one).
    /// Audited.
    AddSmsCredits {
        /// The school's code, e.g. OAK.
        #[arg(long)]
        school: String,
        /// How many credits to add.
        #[arg(long)]
        credits: i64,
    },
}

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match priority::runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("classkeys: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("classkeys: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve {
        demo: false,
        learners_per_class: None,
    }) {
        Command::Serve {
            demo,
            learners_per_class,
        } => {
            let leptos_options = leptos_options()?;
            let seed = DemoSeed {
                enabled: demo,
                learners_per_class: learners_per_class.map(usize::from),
            };
            serve(config, leptos_options, seed).await
        }
        Command::Demo { learners_per_class } => {
            let state = open_state(&config, &config.public_url).await?;
            seed_demo(&state, learners_per_class.map(usize::from)).await
        }
        Command::Migrate => {
            open_state(&config, &config.public_url).await?;
            println!("Migrations applied.");
            Ok(())
        }
        Command::Admin(AdminCommand::CreateSchool {
            name,
            code,
            owner_email,
            owner_name,
            time_zone,
        }) => {
            // Checked before the password is asked for (and again on saving).
            let time_zone = time_zone.filter(|zone| !zone.trim().is_empty());
            new_school_zone(time_zone.as_deref()).map_err(|e| e.to_string())?;
            let zone_named = time_zone.is_some();
            let state = open_state(&config, &config.public_url).await?;
            let password = read_password("Owner password: ")?;
            let school = NewSchool {
                name,
                code,
                owner_email,
                owner_display_name: owner_name,
                owner_password: password,
                time_zone,
            };
            create_school(&state, school)
                .await
                .map_err(|e| e.to_string())?;
            println!("School created. The owner signs in with their email address, or the school code and username `admin`.");
            if !zone_named {
                println!("Its times show in UTC until the owner chooses the school's time zone in Settings (or give --time-zone, e.g. Europe/London).");
            }
            Ok(())
        }
        Command::Admin(AdminCommand::RecoverOwner { school }) => {
            let state = open_state(&config, &config.public_url).await?;
            let link = app::recovery::ssr::issue_owner_recovery(&state, &school)
                .await
                .map_err(|e| e.to_string())?;
            println!("Give this link to the verified owner. It works once, for 60 minutes:");
            println!("{link}");
            Ok(())
        }
        Command::Admin(AdminCommand::RotateKey) => {
            let state = open_state(&config, &config.public_url).await?;
            let rotated = app::passwords::rotation::rotate_to_current_key(&state)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Re-sealed under key {}: {} learner passwords, {} parent access codes, {} queued emails, {} single sign-on secrets.",
                state.sealer.current_key_id(),
                rotated.learner_passwords,
                rotated.parent_access_codes,
                rotated.queued_emails,
                rotated.sso_client_secrets
            );
            println!("The old keys can now be removed from CLASSKEYS_OLD_SECRET_KEYS.");
            Ok(())
        }
        Command::Admin(AdminCommand::Backup { to }) => {
            // The database as it is: not created, not migrated first.
            if let Some(file) = app::db::sqlite_file(&config.database_url.0) {
                if !file.exists() {
                    return Err(format!("there is no database at {}", file.display()));
                }
            }
            let db = app::db::connect(&config.database_url.0)
                .await
                .map_err(|e| format!("cannot open the database {:?}: {e}", config.database_url))?;
            let bytes = server::backup::backup_to(&db, &to).await?;
            println!(
                "Database copied to {} ({} KB). Keep the secret key (secret.key or CLASSKEYS_SECRET_KEY) backed up separately: without it the learner passwords and parent access codes in the copy cannot be shown.",
                to.display(),
                bytes.div_ceil(1024)
            );
            Ok(())
        }
        Command::Admin(AdminCommand::CheckReveals) => {
            let state = open_state(&config, &config.public_url).await?;
            let check = app::passwords::reveal_check::check_reveal_copies(&state)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{} reveal copies checked: {} match their password.",
                check.checked, check.matching
            );
            for (what, labels) in [
                ("of an older password", &check.stale),
                ("will not open", &check.unopenable),
                ("not the stored password", &check.differing),
            ] {
                if !labels.is_empty() {
                    println!("{} {what}: {}", labels.len(), labels.join(", "));
                }
            }
            if check.is_sound() {
                Ok(())
            } else {
                Err("some reveal copies do not match their passwords".into())
            }
        }
        Command::Admin(AdminCommand::AddSmsCredits { school, credits }) => {
            let state = open_state(&config, &config.public_url).await?;
            let (name, total) = app::settings::ssr::add_sms_credits(&state, &school, credits)
                .await
                .map_err(|e| e.to_string())?;
            println!("{name} now has {total} SMS credits.");
            Ok(())
        }
    }
}

/// Reads a password without echo from a terminal, or one line from a pipe.
fn read_password(prompt: &str) -> Result<SecretString, String> {
    let line = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt).map_err(|e| e.to_string())?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line
    };
    Ok(SecretString::from(
        line.trim_end_matches(['\r', '\n']).to_string(),
    ))
}

/// Leptos settings from the environment cargo-leptos sets, with defaults
/// that work for the built binary run on its own: the site next to it.
fn leptos_options() -> Result<leptos::prelude::LeptosOptions, String> {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.to_path_buf()));
    let set_default = |name: &str, value: &str| {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    };
    set_default("LEPTOS_OUTPUT_NAME", "classkeys");
    set_default("LEPTOS_SITE_PKG_DIR", "pkg");
    if let Some(dir) = &exe_dir {
        let site = dir.join("../site");
        if site.is_dir() {
            set_default("LEPTOS_SITE_ROOT", &site.to_string_lossy());
        }
        if dir.join("hash.txt").is_file() {
            set_default("LEPTOS_HASH_FILES", "true");
        }
    }
    leptos::prelude::get_configuration(None)
        .map(|conf| conf.leptos_options)
        .map_err(|e| format!("Leptos configuration: {e}"))
}
