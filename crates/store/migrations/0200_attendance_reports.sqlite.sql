-- Keep report facts in step with the person and the session they describe.
CREATE TRIGGER people_facts_sync AFTER UPDATE OF gender, municipality_id, role_id ON people
BEGIN
    UPDATE attendance_facts SET gender = NEW.gender, municipality_id = NEW.municipality_id,
        role_group = (SELECT role_group FROM roles WHERE id = NEW.role_id)
    WHERE person_id = NEW.id;
END;
CREATE TRIGGER sessions_facts_sync AFTER UPDATE OF hours ON sessions
BEGIN
    UPDATE attendance_facts SET hours = NEW.hours WHERE session_id = NEW.id;
END;
