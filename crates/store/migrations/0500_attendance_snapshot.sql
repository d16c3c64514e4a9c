-- Where a participant worked and in which role when they attended.
-- The funder's report counts history as it was: hours done while employed
-- by Örebro stay Örebro's after the person moves to Karlskoga, and a course
-- taken as an assistant nurse stays an assistant nurse's after a promotion. Set
-- when attendance is taken (or from the row of a historical import); NULL
-- on older rows means "as the person is now".
ALTER TABLE bookings ADD COLUMN attended_municipality_id BIGINT;
ALTER TABLE bookings ADD COLUMN attended_role_id BIGINT;
UPDATE bookings SET
    attended_municipality_id = (SELECT p.municipality_id FROM people p WHERE p.id = bookings.person_id),
    attended_role_id = (SELECT p.role_id FROM people p WHERE p.id = bookings.person_id)
WHERE status IN ('attended', 'absent');
