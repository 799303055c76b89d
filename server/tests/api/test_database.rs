//! Which database a test runs on: SQLite in the test's data folder, or, when
//! `CLASSKEYS_TEST_POSTGRES` names a PostgreSQL server (as
//! `scripts/with-postgres.sh` sets it), a fresh database there for each test.

use std::path::Path;

use std::hash::{DefaultHasher, Hash, Hasher};

use sqlx::Connection;

/// The PostgreSQL server the tests run on, if any.
pub fn postgres() -> Option<String> {
    std::env::var("CLASSKEYS_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// The `DATABASE_URL` for a test whose data folder is `data`: `None` (the
/// SQLite default in the folder) or a PostgreSQL database named after the
/// folder, created empty the first time it is asked for.
pub fn database_url_for(data: &Path) -> Option<String> {
    let server = postgres()?;
    let mut hasher = DefaultHasher::new();
    data.hash(&mut hasher);
    let name = format!("test_{:016x}", hasher.finish());
    let base = server
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&server);
    let url = format!("{base}/{name}");
    // Its own thread and runtime: callers may be sync tests or async ones.
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let mut admin = sqlx::PgConnection::connect(&server)
                    .await
                    .expect("the test PostgreSQL answers");
                let exists: Option<i32> =
                    sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                        .bind(&name)
                        .fetch_optional(&mut admin)
                        .await
                        .unwrap();
                if exists.is_none() {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                        .execute(&mut admin)
                        .await
                        .unwrap();
                }
            })
    })
    .join()
    .unwrap();
    Some(url)
}

/// The database URL the app of a data folder runs on.
pub fn app_database_url(data: &Path) -> String {
    database_url_for(data)
        .unwrap_or_else(|| format!("sqlite://{}", data.join("classkeys.db").display()))
}

/// Makes the database refuse an update of `table` (of `column`, if given)
/// for rows matching `when` (an SQL condition on `NEW`), as a disk error or
/// a constraint would: a trigger, written for the backend the test runs on.
pub async fn refuse_updates(
    db: &app::db::Db,
    name: &str,
    (table, column): (&str, Option<&str>),
    when: &str,
) {
    let of = column.map(|c| format!(" OF {c}")).unwrap_or_default();
    let sql = if postgres().is_some() {
        format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF {when} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$; \
             CREATE TRIGGER {name} BEFORE UPDATE{of} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();"
        )
    } else {
        format!(
            "CREATE TRIGGER {name} BEFORE UPDATE{of} ON {table} WHEN {when} \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(db)
        .await
        .unwrap();
}

/// Every audit row's actor, target and detail, for tests that check what
/// was never written down.
pub async fn audit_text(db: &app::db::Db) -> String {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT actor_label || target_label || detail FROM audit_events")
            .fetch_all(db)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(text,)| text)
        .collect::<Vec<_>>()
        .join(",")
}
