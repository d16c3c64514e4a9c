-- A trainer's sessions (their start page, "Mina kurstillfällen", their
-- calendar feed, clash checks) by person: the primary key starts with the
-- session, so each of those read the whole table (515 sessions of one
-- trainer among 100 000 at national scale).
CREATE INDEX session_trainers_person ON session_trainers(person_id, session_id);
