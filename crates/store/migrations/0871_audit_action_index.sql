-- The audit log page lists the distinct actions for its filter: with this
-- index that is one probe per action (a loose index scan), not a read of
-- the whole log.
CREATE INDEX audit_log_action ON audit_log(action);
