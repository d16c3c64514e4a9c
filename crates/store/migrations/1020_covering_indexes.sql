-- Indexes that let the pages of a unit, a course or a person read what they
-- need from the index alone.

-- A person's bookings by status, with the session and the cancellation time
-- in the index itself: the manager's start page, the unit page and the gap
-- analysis read a unit's bookings of one status, and through the old index
-- on person_id alone each of them fetched every booking row from the table
-- (about 20 per person, scattered: 20 000 page reads for a unit of 860 at
-- national scale). It starts with person_id, so it replaces that index.
CREATE INDEX bookings_person_status ON bookings(person_id, status, session_id, cancelled_at);
DROP INDEX bookings_person;

-- A person's completions by course and date: whether a certificate has been
-- renewed (a later completion of the same course) is then read from the
-- index alone. It starts with person_id, so it replaces that index.
CREATE INDEX completions_person_course ON completions(person_id, course_id, completed_on, expires_on);
DROP INDEX completions_person;

-- The trainers qualified for a course (the scheduling form, courses that
-- depend on one trainer): the primary key starts with the trainer.
CREATE INDEX trainer_courses_course ON trainer_courses(course_id, person_id);

-- The coordinator's start page counts messages that failed to go out and
-- sessions that ended without being closed: both few among many (a
-- national outbox holds tens of thousands of messages waiting for their
-- turn; a year holds a hundred thousand closed sessions).
CREATE INDEX outbox_failed ON outbox(id) WHERE sent_at IS NULL AND attempts > 0;
CREATE INDEX sessions_not_closed ON sessions(ends_at) WHERE closed_at IS NULL AND status <> 'cancelled';

-- The latest change to any session: kept survey counts are reused only
-- while it is unchanged (store::surveys::term_counts).
CREATE INDEX sessions_updated ON sessions(updated_at);
