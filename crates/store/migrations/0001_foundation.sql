-- Navet core schema. Portable between SQLite and PostgreSQL:
--   {{id}}      auto-increment primary key (engine-specific)
--   *_at        BIGINT, Unix seconds UTC
--   *_on        TEXT, ISO date YYYY-MM-DD
--   flags       BIGINT 0/1 (one type on both engines)
--   hours       DOUBLE PRECISION

CREATE TABLE municipalities (
    id {{id}},
    name TEXT NOT NULL UNIQUE,
    official_name TEXT NOT NULL,
    county_part TEXT,
    employees BIGINT,
    inhabitants BIGINT,
    -- 1 when `inhabitants` is an approximate value for demo use only
    inhabitants_approx BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE units (
    id {{id}},
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    name TEXT NOT NULL,
    activity_area TEXT NOT NULL,
    synthetic BIGINT NOT NULL DEFAULT 0,
    UNIQUE (municipality_id, name)
);

CREATE TABLE roles (
    id {{id}},
    source_id TEXT,
    name TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL DEFAULT '',
    role_group TEXT NOT NULL
);

CREATE TABLE competence_areas (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    parent_id BIGINT REFERENCES competence_areas(id),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT ''
);

CREATE TABLE people (
    id {{id}},
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    gender TEXT NOT NULL,
    role_id BIGINT NOT NULL REFERENCES roles(id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    unit_id BIGINT REFERENCES units(id),
    employee_no TEXT,
    language_support TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    synthetic BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (municipality_id, employee_no)
);
CREATE INDEX people_unit ON people(unit_id);
CREATE INDEX people_municipality ON people(municipality_id);

CREATE TABLE accounts (
    id {{id}},
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    role TEXT NOT NULL,
    person_id BIGINT UNIQUE REFERENCES people(id),
    language TEXT NOT NULL DEFAULT 'sv',
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

-- What a manager manages: a unit, or a whole municipality.
CREATE TABLE account_scopes (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    unit_id BIGINT REFERENCES units(id),
    municipality_id BIGINT REFERENCES municipalities(id)
);
CREATE INDEX account_scopes_account ON account_scopes(account_id);

-- Server-side login sessions; the cookie holds a secret whose SHA-256 is the key.
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions(account_id);

CREATE TABLE api_tokens (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked BIGINT NOT NULL DEFAULT 0
);

-- Failed logins, for rate limiting per address and per account.
CREATE TABLE login_failures (
    id {{id}},
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

-- Append-only (triggers below refuse UPDATE and DELETE).
CREATE TABLE audit_log (
    id {{id}},
    at BIGINT NOT NULL,
    actor_account_id BIGINT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id BIGINT,
    person_id BIGINT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_person ON audit_log(person_id);

-- Course catalogue ---------------------------------------------------------

CREATE TABLE courses (
    id {{id}},
    code TEXT UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL,
    format TEXT NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    validity_months BIGINT,
    default_capacity BIGINT NOT NULL DEFAULT 12,
    trainers_per_session BIGINT NOT NULL DEFAULT 1,
    -- comma-separated codes: sva, teckentolk, anpassat_material
    language_support TEXT NOT NULL DEFAULT '',
    target_group TEXT NOT NULL DEFAULT '',
    planned_term TEXT NOT NULL DEFAULT '',
    -- days before the start after which a cancellation is late
    cancellation_deadline_days BIGINT NOT NULL DEFAULT 2,
    -- which fields are synthetic demo values, if any
    synthetic_note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE course_roles (
    course_id BIGINT NOT NULL REFERENCES courses(id),
    role_id BIGINT NOT NULL REFERENCES roles(id),
    PRIMARY KEY (course_id, role_id)
);

CREATE TABLE course_areas (
    course_id BIGINT NOT NULL REFERENCES courses(id),
    area_id BIGINT NOT NULL REFERENCES competence_areas(id),
    PRIMARY KEY (course_id, area_id)
);

-- Trainer registry ----------------------------------------------------------

CREATE TABLE trainers (
    person_id BIGINT PRIMARY KEY REFERENCES people(id),
    home_municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    active BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE trainer_courses (
    person_id BIGINT NOT NULL REFERENCES trainers(person_id),
    course_id BIGINT NOT NULL REFERENCES courses(id),
    PRIMARY KEY (person_id, course_id)
);

CREATE TABLE trainer_certifications (
    id {{id}},
    person_id BIGINT NOT NULL REFERENCES trainers(person_id),
    name TEXT NOT NULL,
    certified_on TEXT NOT NULL
);

-- Sessions and bookings -----------------------------------------------------

CREATE TABLE sessions (
    id {{id}},
    course_id BIGINT NOT NULL REFERENCES courses(id),
    -- the first part's start and the last part's end
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    venue TEXT NOT NULL DEFAULT '',
    capacity BIGINT NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    registration_opens_at BIGINT,
    registration_closes_at BIGINT,
    language_support TEXT NOT NULL DEFAULT '',
    -- planned, open, full, held, cancelled
    status TEXT NOT NULL,
    cancel_reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sessions_course ON sessions(course_id, starts_at);
CREATE INDEX sessions_starts ON sessions(starts_at);

-- A session may span several dates (e.g. two half-days), booked together.
CREATE TABLE session_parts (
    id {{id}},
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL
);
CREATE INDEX session_parts_session ON session_parts(session_id);

CREATE TABLE session_quotas (
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    seats BIGINT NOT NULL,
    release_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, municipality_id)
);

CREATE TABLE session_trainers (
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    person_id BIGINT NOT NULL REFERENCES trainers(person_id),
    PRIMARY KEY (session_id, person_id)
);

CREATE TABLE bookings (
    id {{id}},
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    -- booked, waitlisted, cancelled, late_cancelled, attended, absent
    status TEXT NOT NULL,
    -- waiting-list order (lower first); NULL when not waiting
    waitlist_seq BIGINT,
    -- the municipality quota the seat was taken from, if any
    quota_municipality_id BIGINT,
    support_needs TEXT NOT NULL DEFAULT '',
    booked_by_account_id BIGINT,
    booked_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    cancelled_by_account_id BIGINT,
    updated_at BIGINT NOT NULL
);
-- Rule: one live booking per person and session, also under concurrent requests.
CREATE UNIQUE INDEX bookings_live ON bookings(session_id, person_id)
    WHERE status IN ('booked', 'waitlisted', 'attended', 'absent');
CREATE INDEX bookings_person ON bookings(person_id);
CREATE INDEX bookings_session_status ON bookings(session_id, status);

-- Completions (from attendance or historical import) ------------------------

CREATE TABLE completions (
    id {{id}},
    person_id BIGINT NOT NULL REFERENCES people(id),
    course_id BIGINT NOT NULL REFERENCES courses(id),
    session_id BIGINT REFERENCES sessions(id),
    completed_on TEXT NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    certificate_no TEXT NOT NULL UNIQUE,
    expires_on TEXT,
    source TEXT NOT NULL DEFAULT 'attendance',
    created_at BIGINT NOT NULL
);
CREATE INDEX completions_person ON completions(person_id);
CREATE INDEX completions_course ON completions(course_id);

-- Notices: written in the same transaction as the change they announce,
-- delivered afterwards (SMTP or file outbox).
CREATE TABLE outbox (
    id {{id}},
    created_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    to_email TEXT NOT NULL,
    to_person_id BIGINT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    ics TEXT,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_unsent ON outbox(sent_at);
