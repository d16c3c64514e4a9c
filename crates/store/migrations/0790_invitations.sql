-- Invitations and password resets ("Glömt lösenord"). A link's key is a
-- random secret sent by e-mail; only its SHA-256 is kept here. A link is
-- used once (`used_at`), and lives 7 days (invitation) or 1 hour (reset).
-- One live invitation per person and one live reset per account: a new one
-- replaces the old (the old row is deleted, so its key is unknown).
CREATE TABLE invitations (
    id {{id}},
    person_id BIGINT NOT NULL UNIQUE REFERENCES people(id) ON DELETE CASCADE,
    token_hash TEXT UNIQUE,
    -- The provider the invitation pointed to instead of a link (no key).
    provider TEXT,
    invited_by_account_id BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE password_resets (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_account ON password_resets(account_id);
