-- ClassKeys data model (DESIGN.md §2).
-- Portable SQL: runs on SQLite and PostgreSQL. Ids are TEXT (UUIDs), times
-- are BIGINT Unix seconds, booleans are BOOLEAN, binary values are base64 TEXT.

CREATE TABLE schools (
    id                          TEXT PRIMARY KEY,
    name                        TEXT NOT NULL,
    code                        TEXT NOT NULL,
    min_password_length         INTEGER NOT NULL DEFAULT 8
                                CHECK (min_password_length BETWEEN 8 AND 128),
    require_digit               BOOLEAN NOT NULL DEFAULT TRUE,
    block_common_passwords      BOOLEAN NOT NULL DEFAULT TRUE,
    learner_passwords_visible   BOOLEAN NOT NULL DEFAULT TRUE,
    learners_change_after_reset BOOLEAN NOT NULL DEFAULT FALSE,
    sms_enabled                 BOOLEAN NOT NULL DEFAULT FALSE,
    sms_credits                 BIGINT NOT NULL DEFAULT 0 CHECK (sms_credits >= 0),
    created_at                  BIGINT NOT NULL
);
CREATE UNIQUE INDEX schools_code_unique ON schools (lower(code));

-- Owners, staff, learners and parents. A staff member without flags is a teacher.
CREATE TABLE accounts (
    id                   TEXT PRIMARY KEY,
    school_id            TEXT NOT NULL REFERENCES schools (id),
    role                 TEXT NOT NULL CHECK (role IN ('owner', 'staff', 'learner', 'parent')),
    is_full_admin        BOOLEAN NOT NULL DEFAULT FALSE,
    is_lead_teacher      BOOLEAN NOT NULL DEFAULT FALSE,
    username             TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    first_name           TEXT NOT NULL DEFAULT '',
    last_name            TEXT NOT NULL DEFAULT '',
    -- Stored lower-cased by the application; unique across the platform.
    email                TEXT,
    mobile               TEXT,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash        TEXT NOT NULL,
    -- Bumped at every password change; part of the reveal copy's associated data.
    password_version     BIGINT NOT NULL DEFAULT 1,
    password_set_by      TEXT NOT NULL DEFAULT 'staff' CHECK (password_set_by IN ('staff', 'self')),
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    -- Bumped to end every session of the account ("sign out everywhere").
    session_epoch        BIGINT NOT NULL DEFAULT 0,
    failed_sign_ins      INTEGER NOT NULL DEFAULT 0,
    first_failed_at      BIGINT,
    locked_until         BIGINT,
    last_sign_in_at      BIGINT,
    created_at           BIGINT NOT NULL,
    CHECK (role = 'staff' OR (is_full_admin = FALSE AND is_lead_teacher = FALSE))
);
CREATE UNIQUE INDEX accounts_username_unique ON accounts (school_id, lower(username));
CREATE UNIQUE INDEX accounts_email_unique ON accounts (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX accounts_one_owner ON accounts (school_id) WHERE role = 'owner';

-- The sealed "reveal copy" of a learner password that staff generated or set.
CREATE TABLE learner_password_reveals (
    account_id       TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    password_version BIGINT NOT NULL,
    key_id           TEXT NOT NULL,
    -- base64(nonce || ciphertext) under XChaCha20-Poly1305.
    sealed           TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);

CREATE TABLE classes (
    id         TEXT PRIMARY KEY,
    school_id  TEXT NOT NULL REFERENCES schools (id),
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX classes_name_unique ON classes (school_id, lower(name));

CREATE TABLE class_teachers (
    class_id   TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (class_id, account_id)
);
CREATE INDEX class_teachers_account ON class_teachers (account_id);

CREATE TABLE enrolments (
    class_id   TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (class_id, account_id)
);
CREATE INDEX enrolments_account ON enrolments (account_id);

-- One parent access code per learner: a keyed hash to look it up by what a
-- parent types, and a sealed copy so authorised staff can show it.
CREATE TABLE parent_access_codes (
    learner_id  TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    lookup_hash TEXT NOT NULL UNIQUE,
    key_id      TEXT NOT NULL,
    sealed      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE parent_links (
    parent_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    learner_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (parent_id, learner_id)
);
CREATE INDEX parent_links_learner ON parent_links (learner_id);

-- tower-sessions records. The id column holds a SHA-256 of the cookie's
-- session id, so a copy of the database cannot be used to hijack a session.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    account_id TEXT,
    data       TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE reset_tokens (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('reset_password', 'welcome', 'owner_recovery')),
    -- SHA-256 of the token; the token itself is never stored.
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX reset_tokens_account ON reset_tokens (account_id);

CREATE TABLE audit_events (
    id           TEXT PRIMARY KEY,
    school_id    TEXT REFERENCES schools (id),
    actor_id     TEXT,
    actor_label  TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_id    TEXT,
    target_label TEXT NOT NULL DEFAULT '',
    client_addr  TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX audit_events_school_time ON audit_events (school_id, created_at);

CREATE TABLE outgoing_messages (
    id              TEXT PRIMARY KEY,
    school_id       TEXT REFERENCES schools (id),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outgoing_messages_due ON outgoing_messages (status, next_attempt_at);
