-- Sign-ins waiting at a school's provider are counted per school, so that
-- anonymous requests to /sso/start cannot fill the table (issue #13).
CREATE INDEX sso_pending_school ON sso_pending (school_id);
