-- Monthly attestation of attended time and the funder's participant file.

-- For the participant file: the year of birth only (for the age band) and,
-- where the hub chooses to keep one, the personal identity number
-- (YYYYMMDD-NNNN, checked; shown masked to all but the ESF reporter).
ALTER TABLE people ADD COLUMN birth_year BIGINT;
ALTER TABLE people ADD COLUMN personal_number TEXT;

-- A month whose attestation requests have gone out (opened_at), and
-- whether a correction after an export asks for the file to be made again.
CREATE TABLE attestation_months (
    month TEXT PRIMARY KEY,
    opened_at BIGINT,
    reexport_needed BIGINT NOT NULL DEFAULT 0,
    flagged_at BIGINT
);

-- One version of a person's month. A correction of an attested month
-- supersedes it with a new pending version pointing to it (previous_id).
-- The version keeps what was confirmed: hours (hundredths), the sessions
-- (ids, comma separated), when, how (password, oidc, api_token, paper),
-- through which provider, and which account attested or registered the
-- paper (an id only, as the audit log keeps it).
CREATE TABLE attestations (
    id {{id}},
    person_id BIGINT NOT NULL REFERENCES people(id),
    month TEXT NOT NULL,
    version BIGINT NOT NULL,
    previous_id BIGINT REFERENCES attestations(id),
    status TEXT NOT NULL,
    centi_hours BIGINT NOT NULL,
    session_count BIGINT NOT NULL,
    session_ids TEXT NOT NULL,
    attested_at BIGINT,
    method TEXT,
    provider TEXT,
    attested_by_account_id BIGINT,
    reason TEXT NOT NULL DEFAULT '',
    reminded_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (person_id, month, version)
);
CREATE INDEX attestations_month ON attestations(month, status, person_id);
CREATE INDEX attestations_person ON attestations(person_id, month);

-- Every participant file produced: its bytes (CSV text, or XLSX as
-- base64), their SHA-256, who made it and when.
CREATE TABLE esf_exports (
    id {{id}},
    month TEXT NOT NULL,
    format TEXT NOT NULL,
    format_version BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    produced_by_account_id BIGINT,
    produced_by TEXT NOT NULL,
    produced_at BIGINT NOT NULL
);
CREATE INDEX esf_exports_month ON esf_exports(month, produced_at);
