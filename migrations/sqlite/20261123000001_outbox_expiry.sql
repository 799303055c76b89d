-- A queued email carrying a link is not delivered once the link has expired
-- (its body, which holds the live link, is blanked then).
ALTER TABLE outgoing_messages ADD COLUMN expires_at BIGINT;
