//! A tower-sessions store on the `sessions` table. Rows are keyed by a
//! SHA-256 of the session id and carry the account id, so every session of
//! an account can be ended at once.

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use super::account_prefetch;
use super::accounts::{account_columns, AccountRecord};
use super::ACCOUNT_ID_KEY;
use crate::clock::Clock;
use crate::db::{Db, Flag};

#[derive(Clone)]
pub struct SqlSessionStore {
    db: Db,
    clock: Clock,
}

impl std::fmt::Debug for SqlSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqlSessionStore")
    }
}

impl SqlSessionStore {
    pub fn new(db: Db, clock: Clock) -> Self {
        SqlSessionStore { db, clock }
    }

    /// tower-sessions dates expiries by the wall clock; rows are dated by
    /// [`Clock`], so tests that move the clock on see sessions expire.
    fn clock_shift(&self) -> i64 {
        self.clock.now() - OffsetDateTime::now_utc().unix_timestamp()
    }

    fn stored_expiry(&self, record: &Record) -> i64 {
        record.expiry_date.unix_timestamp() + self.clock_shift()
    }
}

fn row_key(id: &Id) -> String {
    crate::digest::sha256_hex(id.to_string().as_bytes())
}

fn backend_error(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn account_id(record: &Record) -> Option<String> {
    record
        .data
        .get(ACCOUNT_ID_KEY)
        .and_then(|value| value.as_str())
        .map(str::to_owned)
}

/// Ends every session of an account, wherever it is signed in.
pub async fn delete_sessions_of<'e, E>(executor: E, account_id: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// A session with the account it is signed in to: two plain LEFT JOINs, so
/// each is a look-up by primary key (SQLite would build a nested join on the
/// right of a LEFT JOIN for the whole table first).
const LOAD_QUERY: &str = concat!(
    "SELECT ses.data AS session_data, ses.expires_at AS session_expires_at, \
     s.id IS NOT NULL AS has_account, ",
    account_columns!(),
    " FROM sessions ses LEFT JOIN accounts a ON a.id = ses.account_id \
     LEFT JOIN schools s ON s.id = a.school_id \
     WHERE ses.id = $1 AND ses.expires_at > $2"
);

enum OnConflict {
    KeepExisting,
    Replace,
}

impl SqlSessionStore {
    /// Writes a record; returns whether a row was written.
    async fn write(&self, record: &Record, on_conflict: OnConflict) -> session_store::Result<bool> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let sql = match on_conflict {
            OnConflict::KeepExisting => {
                "INSERT INTO sessions (id, account_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING"
            }
            OnConflict::Replace => {
                "INSERT INTO sessions (id, account_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, \
                 data = excluded.data, expires_at = excluded.expires_at"
            }
        };
        let written = sqlx::query(sql)
            .bind(row_key(&record.id))
            .bind(account_id(record))
            .bind(&data)
            .bind(self.stored_expiry(record))
            .execute(&self.db)
            .await
            .map_err(backend_error)?;
        Ok(written.rows_affected() == 1)
    }
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // 128 random bits make a collision all but impossible; retry anyway.
        while !self.write(record, OnConflict::KeepExisting).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, OnConflict::Replace).await?;
        Ok(())
    }

    /// Loads the session and, in the same query, the account it is signed
    /// in to, which the backend then takes ([`super::account_prefetch`]).
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        use sqlx::{FromRow, Row};

        let row = sqlx::query(LOAD_QUERY)
            .bind(row_key(id))
            .bind(self.clock.now())
            .fetch_optional(&self.db)
            .await
            .map_err(backend_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let data: String = row.try_get("session_data").map_err(backend_error)?;
        let expires_at: i64 = row.try_get("session_expires_at").map_err(backend_error)?;
        let Flag(has_account) = row.try_get("has_account").map_err(backend_error)?;
        if has_account {
            account_prefetch::keep(AccountRecord::from_row(&row).map_err(backend_error)?);
        }
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp(expires_at - self.clock_shift())
                .map_err(backend_error)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(row_key(id))
            .execute(&self.db)
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for SqlSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(self.clock.now())
            .execute(&self.db)
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::fresh_db;

    fn record(expires_in: i64, account: Option<&str>) -> Record {
        let mut data = std::collections::HashMap::new();
        if let Some(account) = account {
            data.insert(ACCOUNT_ID_KEY.to_string(), serde_json::json!(account));
        }
        Record {
            id: Id::default(),
            data,
            expiry_date: OffsetDateTime::now_utc() + time::Duration::seconds(expires_in),
        }
    }

    #[tokio::test]
    async fn a_saved_session_loads_until_it_expires() {
        let (db, _dir) = fresh_db().await;
        let clock = Clock::default();
        let store = SqlSessionStore::new(db, clock.clone());
        let mut session = record(3600, Some("a1"));
        store.create(&mut session).await.unwrap();
        let loaded = store
            .load(&session.id)
            .await
            .unwrap()
            .expect("session loads");
        assert_eq!(loaded.data, session.data);
        clock.advance(3601);
        assert!(store.load(&session.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_session_loads_with_its_account_as_it_is_now() {
        let (db, _dir) = fresh_db().await;
        sqlx::query(
            "INSERT INTO schools (id, name, code, created_at) VALUES ('s1', 'Oakwood', 'OAK', 0); \
             INSERT INTO accounts (id, school_id, role, username, display_name, password_hash, \
             created_at) VALUES ('a1', 's1', 'staff', 'teacher', 'A Teacher', 'hash', 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        let store = SqlSessionStore::new(db.clone(), Clock::default());
        let mut signed_in = record(3600, Some("a1"));
        let mut anonymous = record(3600, None);
        store.create(&mut signed_in).await.unwrap();
        store.create(&mut anonymous).await.unwrap();
        sqlx::query("UPDATE accounts SET active = FALSE, session_epoch = 7 WHERE id = 'a1'")
            .execute(&db)
            .await
            .unwrap();
        let in_a_request = |id: Id| {
            let store = store.clone();
            account_prefetch::scope(async move {
                store.load(&id).await.unwrap().expect("session loads");
                account_prefetch::take("a1")
            })
        };
        let account = in_a_request(signed_in.id)
            .await
            .expect("the account comes along");
        assert_eq!(
            (account.school_code.as_str(), account.username.as_str()),
            ("OAK", "teacher")
        );
        assert!(
            !account.active,
            "read as it is now, not as it was at sign-in"
        );
        assert_eq!(account.session_epoch, 7);
        assert!(in_a_request(anonymous.id).await.is_none());
    }

    #[tokio::test]
    async fn loading_a_session_looks_up_rows_and_never_scans_a_table() {
        let (db, _dir) = fresh_db().await;
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "EXPLAIN QUERY PLAN {LOAD_QUERY}"
        )))
        .bind("key")
        .bind(0_i64)
        .fetch_all(&db)
        .await
        .unwrap();
        let steps: Vec<&str> = plan.iter().map(|(_, _, _, step)| step.as_str()).collect();
        assert_eq!(steps.len(), 3, "{steps:?}");
        assert!(
            steps.iter().all(|step| step.starts_with("SEARCH ")),
            "{steps:?}"
        );
    }

    #[tokio::test]
    async fn the_table_never_holds_the_session_id_itself() {
        let (db, _dir) = fresh_db().await;
        let store = SqlSessionStore::new(db.clone(), Clock::default());
        let mut session = record(3600, None);
        store.create(&mut session).await.unwrap();
        let (key,): (String,) = sqlx::query_as("SELECT id FROM sessions")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_ne!(key, session.id.to_string());
        assert_eq!(key.len(), 64);
    }

    #[tokio::test]
    async fn every_session_of_an_account_can_be_ended() {
        let (db, _dir) = fresh_db().await;
        let store = SqlSessionStore::new(db.clone(), Clock::default());
        let mut phone = record(3600, Some("a1"));
        let mut tablet = record(3600, Some("a1"));
        let mut someone_else = record(3600, Some("a2"));
        for session in [&mut phone, &mut tablet, &mut someone_else] {
            store.create(session).await.unwrap();
        }
        delete_sessions_of(&db, "a1").await.unwrap();
        assert!(store.load(&phone.id).await.unwrap().is_none());
        assert!(store.load(&tablet.id).await.unwrap().is_none());
        assert!(store.load(&someone_else.id).await.unwrap().is_some());
    }
}
