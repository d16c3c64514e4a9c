-- Planning the term (issue 18): a trainer's availability per term, and
-- the places agreed ahead per municipality, term and course or package.
-- A term is written '2027-vt' (ISO weeks 2–25) or '2027-ht' (33–51).

-- One row per trainer and term: the week numbers they can teach
-- ('2,3,4'), the weekdays ('mon,tue'), at most how many sessions a week,
-- and a note. Assignments outside it are warned of, never refused.
CREATE TABLE trainer_availability (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people(id),
    term TEXT NOT NULL,
    weeks TEXT NOT NULL DEFAULT '',
    weekdays TEXT NOT NULL DEFAULT '',
    max_per_week BIGINT NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    UNIQUE (person_id, term)
);
CREATE INDEX trainer_availability_term ON trainer_availability(term, person_id);

-- Places agreed with a municipality for a term, for one course or one
-- package (exactly one of the two). synthetic = 1 for demo data.
CREATE TABLE agreed_volumes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    term TEXT NOT NULL,
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    course_id BIGINT REFERENCES courses(id),
    package_id BIGINT REFERENCES packages(id),
    places BIGINT NOT NULL,
    synthetic BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    CHECK ((course_id IS NULL) <> (package_id IS NULL)),
    CHECK (places > 0)
);
CREATE UNIQUE INDEX agreed_volumes_course ON agreed_volumes(term, municipality_id, course_id) WHERE course_id IS NOT NULL;
CREATE UNIQUE INDEX agreed_volumes_package ON agreed_volumes(term, municipality_id, package_id) WHERE package_id IS NOT NULL;
