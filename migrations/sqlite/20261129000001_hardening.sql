-- Hardening (issue #9).
-- Queued email bodies are sealed like reveal copies: the key that sealed
-- them (NULL for bodies queued before, which are plain text).
ALTER TABLE outgoing_messages ADD COLUMN key_id TEXT;
-- Per-address limits count a network, not one address: IPv4 exactly, IPv6
-- by its /64 (see auth::ssr::client_addr::network_of).
ALTER TABLE audit_events ADD COLUMN client_net TEXT NOT NULL DEFAULT '';
UPDATE audit_events SET client_net = client_addr;
CREATE INDEX audit_events_action_net ON audit_events (action, client_net, created_at);
CREATE INDEX audit_events_action_time ON audit_events (action, created_at);
-- Optimistic concurrency: a save names the version it was made from.
ALTER TABLE accounts ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE schools ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
-- Parent sign-up by email link: the request waits here, its password
-- already hashed, until the link (stored only as a SHA-256) is opened.
-- `code_marker` is a hash of the access code row as it was when used: a code
-- regenerated since (it leaked) kills the pending sign-up.
CREATE TABLE parent_signups (
    id              TEXT PRIMARY KEY,
    learner_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    code_marker     TEXT NOT NULL,
    -- SHA-256 of a random value kept in a cookie of the browser that filled
    -- in the form: the link finishes there without the password again.
    browser_hash    TEXT NOT NULL,
    -- Wrong passwords typed on the confirmation page; five end the link.
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX parent_signups_learner ON parent_signups (learner_id);
CREATE INDEX parent_signups_email ON parent_signups (email, created_at);
