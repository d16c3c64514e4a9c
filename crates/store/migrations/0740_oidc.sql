-- Sign-in through a municipality's OpenID provider. A sign-in under way is
-- kept here between the redirect to the provider and its answer: keyed by
-- the SHA-256 of a secret in the browser's cookie (so the answer is only
-- accepted in the browser that asked), with the `state`, `nonce` and PKCE
-- verifier sent along. Rows are single-use and live a few minutes.
CREATE TABLE oidc_logins (
    flow_hash TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX oidc_logins_created ON oidc_logins(created_at);

-- A login session started through a provider remembers which one, and the
-- ID token (a hint for the provider's end-session endpoint at logout).
ALTER TABLE web_sessions ADD COLUMN provider TEXT;
ALTER TABLE web_sessions ADD COLUMN id_token TEXT;
