-- Failed sign-ins counted over a sliding window: "10 failed attempts within
-- 15 minutes" means any 15 minutes, not a window that starts at the first
-- failure and lets up to 18 through around its end. One row per failure
-- while it is within the window; a sign-in, an unlock, a lockout or a new
-- password clears an account's rows.
CREATE TABLE sign_in_failures (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    failed_at  BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_account ON sign_in_failures (account_id, failed_at);
-- accounts.failed_sign_ins and accounts.first_failed_at are no longer read
-- or written. They stay for now: servers of the previous version, still
-- running on a shared PostgreSQL during a rolling upgrade, write them.
