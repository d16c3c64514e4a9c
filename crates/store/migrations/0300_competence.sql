-- Competence: formal education, requirements, course prerequisites,
-- learning tracks (yrkesresa), packages and the needs inventory.

-- Formal education per person (registered by a manager or coordinator).
CREATE TABLE person_educations (
    id {{id}},
    person_id BIGINT NOT NULL REFERENCES people(id),
    -- domain::education::EducationKind code
    kind TEXT NOT NULL,
    -- domain::education::Direction code; '' for programmes without one
    direction TEXT NOT NULL DEFAULT '',
    completed_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    synthetic BIGINT NOT NULL DEFAULT 0,
    registered_by_account_id BIGINT,
    registered_at BIGINT NOT NULL,
    UNIQUE (person_id, kind, direction)
);
CREATE INDEX person_educations_person ON person_educations(person_id);

-- Competence requirements for a role, region-wide or narrowed.
CREATE TABLE requirements (
    id {{id}},
    role_id BIGINT NOT NULL REFERENCES roles(id),
    -- region, activity_area, unit
    scope TEXT NOT NULL,
    activity_area TEXT,
    unit_id BIGINT REFERENCES units(id),
    -- course, area, education
    kind TEXT NOT NULL,
    course_id BIGINT REFERENCES courses(id),
    area_id BIGINT REFERENCES competence_areas(id),
    level TEXT,
    education TEXT,
    direction TEXT,
    -- role|scope|target: one requirement per role, scope and target
    dedup_key TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    synthetic BIGINT NOT NULL DEFAULT 0,
    created_by_account_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX requirements_role ON requirements(role_id);
CREATE INDEX requirements_unit ON requirements(unit_id);

-- "course_id requires requires_course_id first". No cycles (checked on insert).
CREATE TABLE course_prerequisites (
    course_id BIGINT NOT NULL REFERENCES courses(id),
    requires_course_id BIGINT NOT NULL REFERENCES courses(id),
    PRIMARY KEY (course_id, requires_course_id)
);

-- Learning tracks: role × activity area (NULL = every area).
CREATE TABLE tracks (
    id {{id}},
    name TEXT NOT NULL UNIQUE,
    role_id BIGINT NOT NULL REFERENCES roles(id),
    activity_area TEXT,
    -- role_id|activity_area or role_id|*: one track per role and area
    role_area_key TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    deepening_required BIGINT NOT NULL DEFAULT 1,
    source_note TEXT NOT NULL DEFAULT '',
    synthetic BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE track_items (
    id {{id}},
    track_id BIGINT NOT NULL REFERENCES tracks(id),
    -- bas, fordjupning, spets
    block TEXT NOT NULL,
    position BIGINT NOT NULL,
    course_id BIGINT REFERENCES courses(id),
    title TEXT NOT NULL,
    -- external programmes: yrkeshogskola, hogskola, annan
    provider TEXT NOT NULL DEFAULT '',
    education TEXT NOT NULL DEFAULT '',
    direction TEXT NOT NULL DEFAULT '',
    -- the knowledge area in the pre-study this item answers (Y001…)
    source_ref TEXT NOT NULL DEFAULT ''
);
CREATE INDEX track_items_track ON track_items(track_id, position);

-- Packages: courses bundled for a target group.
CREATE TABLE packages (
    id {{id}},
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    published BIGINT NOT NULL DEFAULT 0,
    synthetic BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE package_roles (
    package_id BIGINT NOT NULL REFERENCES packages(id),
    role_id BIGINT NOT NULL REFERENCES roles(id),
    PRIMARY KEY (package_id, role_id)
);
CREATE TABLE package_areas (
    package_id BIGINT NOT NULL REFERENCES packages(id),
    activity_area TEXT NOT NULL,
    PRIMARY KEY (package_id, activity_area)
);
CREATE TABLE package_courses (
    package_id BIGINT NOT NULL REFERENCES packages(id),
    course_id BIGINT NOT NULL REFERENCES courses(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (package_id, course_id)
);

-- Needs inventory per profession (behovsinventering) and the courses that
-- answer each need: the one inventory, maintained by coordinators and read
-- by the coverage matrix. It replaces the read-only copy of 0200.
DROP TABLE needs_item_courses;
DROP TABLE needs_items;

CREATE TABLE needs (
    id {{id}},
    -- B001… from the annual report; NULL for needs added later
    code TEXT UNIQUE,
    -- domain::requirements::Profession code
    profession TEXT NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    -- domain::requirements::NeedStatus code: the recorded status
    status TEXT NOT NULL,
    -- domain::requirements::Certainty code
    certainty TEXT NOT NULL DEFAULT 'hog',
    alternative_status TEXT,
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by_account_id BIGINT
);
CREATE INDEX needs_profession ON needs(profession, position);

CREATE TABLE need_courses (
    need_id BIGINT NOT NULL REFERENCES needs(id),
    course_id BIGINT NOT NULL REFERENCES courses(id),
    PRIMARY KEY (need_id, course_id)
);
CREATE INDEX need_courses_course ON need_courses(course_id);

-- Every completion of a person packed in one value, kept by triggers on
-- completions (see the .sqlite.sql and .postgres.sql files): gap analysis
-- over a region reads one row per person instead of one per completion.
-- Entries "course_id:completed_on:expires_on" (expires_on may be empty),
-- separated by spaces. Rebuild with navet_store::gaps::rebuild_holdings.
CREATE TABLE competence_holdings (
    person_id BIGINT PRIMARY KEY,
    holdings TEXT NOT NULL
);
