-- Roster imports in progress, in the database so that any server can answer
-- "how far is it?" (DESIGN.md §3 "Roster"; issue #12). The summary, which
-- carries the new learners' passwords, is sealed with the server key and
-- the row is deleted when the admin who ran the import reads it.
CREATE TABLE import_jobs (
    id             TEXT PRIMARY KEY,
    school_id      TEXT NOT NULL REFERENCES schools (id),
    user_id        TEXT NOT NULL,
    total          BIGINT NOT NULL,
    hashed         BIGINT NOT NULL DEFAULT 0,
    stage          TEXT NOT NULL,
    outcome_key_id TEXT,
    outcome_sealed TEXT,
    created_at     BIGINT NOT NULL,
    -- Moved on by the running server while it works: a job that stops
    -- moving without an outcome died with its server.
    updated_at     BIGINT NOT NULL
);
CREATE INDEX import_jobs_school ON import_jobs (school_id);
