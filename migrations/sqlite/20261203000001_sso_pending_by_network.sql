-- Sign-ins waiting at a school's provider are also counted per network of
-- the browser that started them: one address sending /sso/start over and
-- over fills only its own share, not the whole school's.
ALTER TABLE sso_pending ADD COLUMN client_net TEXT NOT NULL DEFAULT '';
CREATE INDEX sso_pending_network ON sso_pending (school_id, client_net);
