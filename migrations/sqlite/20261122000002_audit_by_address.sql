-- Counting recent reset links per client address ("Send reset link" limit).
CREATE INDEX audit_events_action_client ON audit_events (action, client_addr, created_at);
