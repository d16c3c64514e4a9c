CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND OLD.id <= COALESCE((SELECT MAX(through_id) FROM audit_anchors), 0) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION audit_anchors_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_anchors is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_anchors_no_change BEFORE UPDATE OR DELETE ON audit_anchors
FOR EACH ROW EXECUTE FUNCTION audit_anchors_append_only();
