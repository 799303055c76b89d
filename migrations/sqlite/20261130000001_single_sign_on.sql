-- Single sign-on with the school's OpenID Connect provider (DESIGN.md §3
-- "Single sign-on"; issue #13).

-- One provider per school. The client secret is sealed with the server key
-- like reveal copies; it is never read back to a browser.
CREATE TABLE sso_settings (
    school_id          TEXT PRIMARY KEY REFERENCES schools (id),
    provider           TEXT NOT NULL CHECK (provider IN ('google', 'microsoft', 'oidc')),
    issuer_url         TEXT NOT NULL,
    tenant_id          TEXT NOT NULL DEFAULT '',
    client_id          TEXT NOT NULL,
    secret_key_id      TEXT NOT NULL,
    secret_sealed      TEXT NOT NULL,
    allowed_domain     TEXT NOT NULL,
    staff_enabled      BOOLEAN NOT NULL DEFAULT FALSE,
    learners_enabled   BOOLEAN NOT NULL DEFAULT FALSE,
    require_for_staff  BOOLEAN NOT NULL DEFAULT FALSE,
    row_version        BIGINT NOT NULL DEFAULT 1,
    updated_at         BIGINT NOT NULL
);

-- An identity at a provider, linked to one account of a school by
-- (issuer, subject); never by email after the first sign-in. Keyed by
-- school too: Google is one issuer for every school, and someone who works
-- at two schools has an account at each.
CREATE TABLE sso_identities (
    school_id     TEXT NOT NULL REFERENCES schools (id),
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    account_id    TEXT NOT NULL UNIQUE REFERENCES accounts (id),
    linked_at     BIGINT NOT NULL,
    PRIMARY KEY (school_id, issuer, subject)
);

-- Sign-ins sent to the provider and not back yet: looked up by the hash of
-- `state`, deleted when the callback arrives (single use), refused after
-- 10 minutes. `browser_hash` is the hash of a cookie set on the browser
-- that started it, so a callback opened in another browser signs nobody in.
CREATE TABLE sso_pending (
    state_hash     TEXT PRIMARY KEY,
    school_id      TEXT NOT NULL REFERENCES schools (id),
    purpose        TEXT NOT NULL CHECK (purpose IN ('sign_in', 'test')),
    requested_by   TEXT,
    browser_hash   TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX sso_pending_created ON sso_pending (created_at);
