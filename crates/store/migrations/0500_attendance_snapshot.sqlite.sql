-- A person's gender follows the person record (corrections reach every
-- report); municipality and role only where attendance kept none.
DROP TRIGGER people_facts_sync;
CREATE TRIGGER people_facts_sync AFTER UPDATE OF gender, municipality_id, role_id ON people
BEGIN
    UPDATE attendance_facts SET gender = NEW.gender WHERE person_id = NEW.id;
    UPDATE attendance_facts SET municipality_id = NEW.municipality_id,
        role_group = (SELECT role_group FROM roles WHERE id = NEW.role_id)
    WHERE person_id = NEW.id AND booking_id IN
        (SELECT id FROM bookings WHERE person_id = NEW.id AND attended_municipality_id IS NULL);
END;
