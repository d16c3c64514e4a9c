-- Attendance, certificates, surveys, funding and the indicator report.

-- Certificates: numbers run per year; a random code verifies a certificate.
CREATE TABLE certificate_counters (
    year BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);
ALTER TABLE completions ADD COLUMN verify_code TEXT;
ALTER TABLE completions ADD COLUMN booking_id BIGINT;
-- set when the expiry reminder has been queued
ALTER TABLE completions ADD COLUMN reminded_at BIGINT;
CREATE UNIQUE INDEX completions_verify_code ON completions(verify_code);
CREATE INDEX completions_session ON completions(session_id);
CREATE INDEX completions_expires ON completions(expires_on);

-- When attendance was closed, and by which historical import a session came.
ALTER TABLE sessions ADD COLUMN closed_at BIGINT;
ALTER TABLE sessions ADD COLUMN import_batch_id BIGINT;
CREATE INDEX sessions_status_starts ON sessions(status, starts_at);

-- One row per attended booking, with what the report groups by, so the
-- indicator report reads index ranges instead of joining five tables.
-- prev_at: start of the same person's previous attended session (ordered by
-- start, then booking id); prev_course_at: the same within the course. A
-- row starts a person's participation in [from, to] exactly when prev_at is
-- NULL or before `from`, which makes "unique participants" a plain count.
CREATE TABLE attendance_facts (
    booking_id BIGINT PRIMARY KEY,
    session_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    course_id BIGINT NOT NULL,
    starts_at BIGINT NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    gender TEXT NOT NULL,
    municipality_id BIGINT NOT NULL,
    role_group TEXT NOT NULL,
    prev_at BIGINT,
    prev_course_at BIGINT
);
CREATE INDEX attendance_facts_muni ON attendance_facts(municipality_id, starts_at, prev_at, hours);
CREATE INDEX attendance_facts_gender ON attendance_facts(gender, starts_at, prev_at, hours);
CREATE INDEX attendance_facts_group ON attendance_facts(role_group, starts_at, prev_at, hours);
CREATE INDEX attendance_facts_course ON attendance_facts(course_id, starts_at, prev_course_at, hours);
CREATE INDEX attendance_facts_person ON attendance_facts(person_id, starts_at);
CREATE INDEX attendance_facts_session ON attendance_facts(session_id);
CREATE INDEX attendance_facts_time ON attendance_facts(starts_at, prev_at);

-- Funding programme (one current programme; older ones kept).
CREATE TABLE funding_programmes (
    id {{id}},
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    granted_sek BIGINT NOT NULL,
    cofinancing_rate DOUBLE PRECISION NOT NULL,
    target_hours DOUBLE PRECISION NOT NULL,
    current BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE funding_employees (
    programme_id BIGINT NOT NULL REFERENCES funding_programmes(id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    employees BIGINT NOT NULL,
    PRIMARY KEY (programme_id, municipality_id)
);

-- Surveys. Question sets are edited by coordinators; responses are
-- anonymous: linked to a session only, never to a person or invitation.
CREATE TABLE survey_questions (
    id {{id}},
    survey_kind TEXT NOT NULL,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    metric TEXT NOT NULL DEFAULT '',
    required BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE TABLE survey_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- Who is asked (needed to send the link and to ask only once).
CREATE TABLE survey_invitations (
    id {{id}},
    survey_kind TEXT NOT NULL,
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    token_hash TEXT NOT NULL UNIQUE,
    due_on TEXT NOT NULL,
    sent BIGINT NOT NULL DEFAULT 0,
    answered BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (survey_kind, session_id, person_id)
);
CREATE INDEX survey_invitations_person ON survey_invitations(person_id);
CREATE TABLE survey_responses (
    id {{id}},
    survey_kind TEXT NOT NULL,
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    -- the day only: a timestamp could be matched with the invitation
    submitted_on TEXT NOT NULL
);
CREATE INDEX survey_responses_session ON survey_responses(session_id);
CREATE TABLE survey_answers (
    response_id BIGINT NOT NULL REFERENCES survey_responses(id),
    question_id BIGINT NOT NULL REFERENCES survey_questions(id),
    value_int BIGINT,
    value_text TEXT,
    PRIMARY KEY (response_id, question_id)
);
CREATE INDEX survey_answers_question ON survey_answers(question_id);

-- Historical imports: what came from which file (a file is imported once).
CREATE TABLE import_batches (
    id {{id}},
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    rows_imported BIGINT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    actor_label TEXT NOT NULL
);
-- The opaque person_ref of historical files, mapped to a person.
CREATE TABLE import_person_refs (
    person_ref TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id)
);

-- Needs inventory (from the annual report), linked to courses.
CREATE TABLE needs_items (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    profession TEXT NOT NULL,
    position BIGINT NOT NULL,
    item TEXT NOT NULL,
    reported_status TEXT NOT NULL,
    certainty TEXT NOT NULL DEFAULT ''
);
CREATE TABLE needs_item_courses (
    need_id BIGINT NOT NULL REFERENCES needs_items(id),
    course_id BIGINT NOT NULL REFERENCES courses(id),
    PRIMARY KEY (need_id, course_id)
);
