-- The second factor for password sign-ins of admins and coordinators (TOTP,
-- RFC 6238). One row per account that has set up an authenticator app:
-- the shared secret (base32; it must be readable to compute the expected
-- code, see docs/security.md for what protects it) and the time step of
-- the last code accepted, so no code counts twice.
CREATE TABLE second_factors (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
    secret TEXT NOT NULL,
    last_step BIGINT NOT NULL,
    enrolled_at BIGINT NOT NULL
);

-- One-time recovery codes, stored as SHA-256 hashes; used_at is set when
-- one is spent.
CREATE TABLE recovery_codes (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_account ON recovery_codes(account_id);

-- A password sign-in waiting for its code (or for the app to be set up):
-- keyed by the SHA-256 of a secret in a short-lived cookie. It is not a
-- login session: nothing but the code step accepts it. enrol_secret holds
-- the secret being set up until the first code confirms it.
CREATE TABLE second_factor_logins (
    flow_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    enrol_secret TEXT,
    next TEXT NOT NULL,
    end_others BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX second_factor_logins_created ON second_factor_logins(created_at);
