-- Every audited action (each class page opened, each sign-in refused) writes
-- one audit row: keep its indexes to those a query uses. No query filters on
-- the full client address since the per-address limits count the network
-- (audit_events_action_net, 20261129000001); this index only cost writes.
DROP INDEX IF EXISTS audit_events_action_client;
