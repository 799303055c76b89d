-- The roster (DESIGN.md §3 "Roster: classes and learners"): archived
-- classes, learners' ids in the school's information system, and year-end
-- rollovers that can be undone.

-- Set when a class is archived: it leaves the lists, its learners keep
-- their accounts and enrolments, and it can be restored.
ALTER TABLE classes ADD COLUMN archived_at BIGINT;

-- The id of a learner in the school's own system (the roster file's
-- `external_id`, OneRoster's `sourcedId`): an import matches by it first.
ALTER TABLE accounts ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX accounts_external_id_unique
    ON accounts (school_id, external_id) WHERE external_id IS NOT NULL;

-- One applied year-end rollover; `undone_at` is set by "Undo rollover".
CREATE TABLE rollovers (
    id         TEXT PRIMARY KEY,
    school_id  TEXT NOT NULL REFERENCES schools (id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    undone_at  BIGINT
);
CREATE INDEX rollovers_school ON rollovers (school_id, created_at);

-- Each learner the rollover moved out of a class: into `to_class_id`, or
-- inactivated as a leaver (NULL). `row_version` is the learner's version
-- right after the rollover: undo refuses once any learner changed since.
CREATE TABLE rollover_moves (
    rollover_id   TEXT NOT NULL REFERENCES rollovers (id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_class_id TEXT NOT NULL REFERENCES classes (id),
    to_class_id   TEXT REFERENCES classes (id),
    row_version   BIGINT NOT NULL,
    PRIMARY KEY (rollover_id, account_id, from_class_id)
);

-- Classes a rollover created ("a new class name"): undo removes them.
CREATE TABLE rollover_classes (
    rollover_id TEXT NOT NULL REFERENCES rollovers (id) ON DELETE CASCADE,
    class_id    TEXT NOT NULL REFERENCES classes (id),
    PRIMARY KEY (rollover_id, class_id)
);
