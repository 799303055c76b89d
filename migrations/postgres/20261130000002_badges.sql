-- Login cards and QR badges (DESIGN.md §3 "Login cards and QR badges";
-- issue #14).

-- "Badge sign-in": off until a school turns it on.
ALTER TABLE schools ADD COLUMN badges_enabled BOOLEAN NOT NULL DEFAULT FALSE;

-- One badge per learner. The token in the QR is never stored: only its
-- hash, to find the badge at sign-in. `badge_id` is random; the token is
-- derived from it with the server key (key `key_id`), so cards can be
-- printed again while that key is configured.
CREATE TABLE badges (
    learner_id   TEXT PRIMARY KEY REFERENCES accounts (id),
    school_id    TEXT NOT NULL REFERENCES schools (id),
    badge_id     TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    created_by   TEXT
);
CREATE INDEX badges_school ON badges (school_id);
