-- Failed sign-ins with a name that belongs to no account, counted and
-- locked as an account's are (10 within 15 minutes lock it for 15), so the
-- "locked" answer does not tell which emails and usernames have accounts.
-- name_key is a keyed hash of what was typed (it may be a password typed
-- into the wrong field), never the text itself.
CREATE TABLE unknown_sign_in_failures (
    name_key  TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX unknown_sign_in_failures_by_name ON unknown_sign_in_failures (name_key, failed_at);
CREATE TABLE unknown_sign_in_locks (
    name_key     TEXT PRIMARY KEY,
    locked_until BIGINT NOT NULL
);
