ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;
-- @step chain_audit_log
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change;
CREATE FUNCTION audit_chain_keep_head() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_chain keeps its head row';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
FOR EACH ROW EXECUTE FUNCTION audit_chain_keep_head();
