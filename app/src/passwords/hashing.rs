//! Argon2id hashing off the async runtime, with bounded parallelism.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use argon2::{Algorithm, Argon2, Params, Version};
use password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use secrecy::{ExposeSecret, SecretString};

use super::fair_queue::{FairQueue, HashQueue};
use super::hash_threads::HashThreads;

use crate::error::AppError;

/// OWASP's argon2id recommendation: 19 MiB of memory, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// An argon2id PHC string. Deliberately neither `Serialize` nor `Display`:
/// a hash never leaves the server.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredHash(pub String);

impl std::fmt::Debug for StoredHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredHash(..)")
    }
}

pub fn argon2id() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("the OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes synchronously; for benchmarks and blocking contexts.
pub fn hash_blocking(password: &str) -> Result<StoredHash, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2id()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| StoredHash(hash.to_string()))
        .map_err(|error| {
            tracing::error!(%error, "argon2 hashing failed");
            AppError::Internal
        })
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2id()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(error) => {
            tracing::error!(%error, "stored password hash is malformed");
            false
        }
    }
}

/// A hash of a password nobody knows, verified for unknown usernames so that
/// they cost the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_blocking("no account has this password 7f3a")
        .map(|hash| hash.0)
        .unwrap_or_default()
});

/// Runs argon2 on threads of its own ([`HashThreads`]), one hash per core at
/// a time, so a burst of sign-ins cannot starve the async runtime or exhaust
/// memory; the cores are shared fairly between client networks (see
/// [`FairQueue`]).
#[derive(Clone)]
pub struct PasswordHasher {
    queue: FairQueue,
    threads: Arc<HashThreads>,
    next_bulk: Arc<AtomicU64>,
    verifications: Arc<AtomicU64>,
}

impl PasswordHasher {
    /// `max_parallel` hashes at a time, on as many threads started now (at
    /// the calling thread's CPU priority).
    ///
    /// # Panics
    /// If the operating system refuses to start a thread.
    pub fn new(max_parallel: usize) -> Self {
        let threads = HashThreads::start(max_parallel).expect("start the password hashing threads");
        PasswordHasher {
            queue: FairQueue::new(max_parallel),
            threads: Arc::new(threads),
            next_bulk: Arc::default(),
            verifications: Arc::default(),
        }
    }

    /// One worker per available core.
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores)
    }

    /// Password verifications run so far, real or dummy (for tests that
    /// check an unknown name costs the same work as a wrong password).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Hashes a password for signed-in staff or the command line.
    pub async fn hash(&self, password: &SecretString) -> Result<StoredHash, AppError> {
        self.hash_in(HashQueue::Server, password).await
    }

    /// Hashes a password in `queue`'s turn.
    pub async fn hash_in(
        &self,
        queue: HashQueue,
        password: &SecretString,
    ) -> Result<StoredHash, AppError> {
        let password = password.clone();
        self.run(queue, move || hash_blocking(password.expose_secret()))
            .await?
    }

    /// Checks a password for signed-in work (e.g. "not your current one").
    pub async fn verify(&self, password: &SecretString, stored: Option<&StoredHash>) -> bool {
        self.verify_in(HashQueue::Server, password, stored).await
    }

    /// Checks a password against a stored hash, or against a dummy hash when
    /// there is no account, so both cases take the same time and work.
    pub async fn verify_in(
        &self,
        queue: HashQueue,
        password: &SecretString,
        stored: Option<&StoredHash>,
    ) -> bool {
        let password = password.clone();
        let stored = stored.map(|hash| hash.0.clone());
        let verifications = self.verifications.clone();
        self.run(queue, move || {
            verifications.fetch_add(1, Ordering::Relaxed);
            match stored {
                Some(stored) => verify_blocking(password.expose_secret(), &stored),
                None => {
                    let _ = verify_blocking(password.expose_secret(), &DUMMY_HASH);
                    false
                }
            }
        })
        .await
        .unwrap_or(false)
    }

    /// Hashes many passwords as one bulk job: it may use every core, taking
    /// turns with everyone else's work, so a class of 30 takes about
    /// 30 / cores hash times and sign-ins meanwhile wait for one hash at most.
    pub async fn hash_many(
        &self,
        passwords: Vec<SecretString>,
    ) -> Result<Vec<StoredHash>, AppError> {
        self.hash_many_counted(passwords, &AtomicUsize::new(0))
            .await
    }

    /// [`Self::hash_many`], adding one to `done` as each hash ends (the
    /// progress bar of a roster import).
    pub async fn hash_many_counted(
        &self,
        passwords: Vec<SecretString>,
        done: &AtomicUsize,
    ) -> Result<Vec<StoredHash>, AppError> {
        let queue = HashQueue::Bulk(self.next_bulk.fetch_add(1, Ordering::Relaxed));
        let mut tasks = tokio::task::JoinSet::new();
        for (index, password) in passwords.into_iter().enumerate() {
            let hasher = self.clone();
            tasks.spawn(async move { (index, hasher.hash_in(queue, &password).await) });
        }
        let mut hashes = vec![None; tasks.len()];
        while let Some(joined) = tasks.join_next().await {
            let (index, hash) = joined.map_err(|_| AppError::Internal)?;
            hashes[index] = Some(hash?);
            done.fetch_add(1, Ordering::Relaxed);
        }
        hashes
            .into_iter()
            .map(|hash| hash.ok_or(AppError::Internal))
            .collect()
    }

    async fn run<T: Send + 'static>(
        &self,
        queue: HashQueue,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = self.queue.acquire(queue).await;
        // The permit goes with the hash: a request dropped mid-hash (the
        // client went away, the timeout fired) frees its core only when the
        // hash really ends, so dropping connections cannot start more.
        self.threads
            .run(move || {
                let _permit = permit;
                work()
            })
            .await
            .ok_or_else(|| {
                tracing::error!("password hashing failed: its thread panicked");
                AppError::Internal
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hasher = PasswordHasher::new(2);
        let password = SecretString::from("greenfox47");
        let hash = hasher.hash(&password).await.unwrap();
        assert!(
            hash.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.0
        );
        assert!(hasher.verify(&password, Some(&hash)).await);
        assert!(
            !hasher
                .verify(&SecretString::from("greenfox48"), Some(&hash))
                .await
        );
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let hasher = PasswordHasher::new(2);
        let password = SecretString::from("greenfox47");
        let first = hasher.hash(&password).await.unwrap();
        let second = hasher.hash(&password).await.unwrap();
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn no_account_never_verifies() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify(&SecretString::from(""), None).await);
        assert!(!hasher.verify(&SecretString::from("greenfox47"), None).await);
    }

    #[tokio::test]
    async fn many_hashes_come_back_in_order() {
        let hasher = PasswordHasher::new(2);
        let passwords: Vec<SecretString> = ["one-pass-1", "two-pass-2", "three-pass-3"]
            .map(SecretString::from)
            .into();
        let hashes = hasher.hash_many(passwords.clone()).await.unwrap();
        for (password, hash) in passwords.iter().zip(&hashes) {
            assert!(hasher.verify(password, Some(hash)).await);
        }
    }

    #[tokio::test]
    async fn defect_2_a_dropped_request_keeps_its_core_until_its_hash_ends() {
        let hasher = PasswordHasher::new(1);
        let (started, hashing) = tokio::sync::oneshot::channel();
        let (finish, finished) = std::sync::mpsc::channel::<()>();
        let request = tokio::spawn({
            let hasher = hasher.clone();
            async move {
                hasher
                    .run(HashQueue::Server, move || {
                        let _ = started.send(());
                        let _ = finished.recv();
                    })
                    .await
            }
        });
        hashing.await.unwrap();
        // The client went away: its request is dropped mid-hash...
        request.abort();
        let _ = request.await;
        // ...but the hash still runs, so its core is not handed out again.
        assert_eq!(hasher.queue.idle_workers(), 0);
        finish.send(()).unwrap();
        hasher.run(HashQueue::Server, || ()).await.unwrap();
        assert_eq!(hasher.queue.idle_workers(), 1);
    }

    #[test]
    fn debug_output_hides_the_hash() {
        assert_eq!(
            format!("{:?}", StoredHash("$argon2id$secret".into())),
            "StoredHash(..)"
        );
    }
}
