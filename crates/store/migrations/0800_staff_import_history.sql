-- Staff imports as applied, so each can be undone within seven days:
-- `staff_imports` one row per import (kept), `staff_import_people` each
-- person's values before and after it (removed after seven days, when the
-- import can no longer be undone). `role_title_mappings`: an HR title read
-- as a role, per municipality or (municipality NULL) everywhere.
CREATE TABLE staff_imports (
    id {{id}},
    account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    file_name TEXT NOT NULL,
    mode TEXT NOT NULL,
    units TEXT NOT NULL,
    added BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    left_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    undone_at BIGINT,
    undone_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL
);
CREATE INDEX staff_imports_created ON staff_imports(created_at);
CREATE TABLE staff_import_people (
    import_id BIGINT NOT NULL REFERENCES staff_imports(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    before_name TEXT,
    before_email TEXT,
    before_gender TEXT,
    before_role_id BIGINT,
    before_unit_id BIGINT,
    before_employee_no TEXT,
    before_active BIGINT,
    after_name TEXT NOT NULL,
    after_email TEXT NOT NULL,
    after_gender TEXT NOT NULL,
    after_role_id BIGINT NOT NULL,
    after_unit_id BIGINT,
    after_employee_no TEXT,
    after_active BIGINT NOT NULL,
    PRIMARY KEY (import_id, person_id)
);
CREATE INDEX staff_import_people_person ON staff_import_people(person_id);
CREATE TABLE role_title_mappings (
    id {{id}},
    municipality_id BIGINT REFERENCES municipalities(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    role_id BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX role_title_mappings_key ON role_title_mappings(COALESCE(municipality_id, 0), title);
