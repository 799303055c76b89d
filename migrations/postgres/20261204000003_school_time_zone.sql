-- The IANA time zone a school reads its times in ("Europe/London"): last
-- sign-ins, the audit log and its date filter. UTC until a full admin
-- chooses one in Settings, as every time was shown before.
ALTER TABLE schools ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
