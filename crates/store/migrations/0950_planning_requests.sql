-- Planning the term: a municipality's request for a local session, and
-- interest in a course that has no session yet.

-- A request for a local session from a manager (or a municipality's
-- contact, or a coordinator on their behalf). Weeks are ISO weeks
-- ('2027-W10'), weekdays codes ('mon,tue'), times 'dag', 'kvall', 'helg'.
CREATE TABLE session_requests (
    id {{id}},
    course_id BIGINT NOT NULL REFERENCES courses(id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    unit_id BIGINT REFERENCES units(id),
    place TEXT NOT NULL DEFAULT '',
    participants BIGINT NOT NULL,
    first_week TEXT NOT NULL,
    last_week TEXT NOT NULL,
    weekdays TEXT NOT NULL DEFAULT '',
    times TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    requested_by_account_id BIGINT REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    -- open, planned, merged, declined
    status TEXT NOT NULL DEFAULT 'open',
    session_id BIGINT REFERENCES sessions(id),
    merged_into_request_id BIGINT REFERENCES session_requests(id),
    decline_reason TEXT NOT NULL DEFAULT '',
    answered_at BIGINT,
    answered_by_account_id BIGINT
);
CREATE INDEX session_requests_status ON session_requests(status, id);
CREATE INDEX session_requests_course ON session_requests(course_id, municipality_id);
CREATE INDEX session_requests_municipality ON session_requests(municipality_id, id);

-- "Anmäl intresse": one row per person and course; a manager may count
-- their staff (people > 1). Withdrawn interest is deleted.
CREATE TABLE course_interest (
    id {{id}},
    course_id BIGINT NOT NULL REFERENCES courses(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    people BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (course_id, person_id)
);
CREATE INDEX course_interest_course ON course_interest(course_id, municipality_id);
