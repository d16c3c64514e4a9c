-- Manageable API tokens: a name (the existing `label`), an optional expiry,
-- a read-only flag, and when it was revoked. `last_used_at` exists already.
-- Tokens made before this version keep no expiry.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN read_only BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT;
CREATE INDEX api_tokens_account ON api_tokens(account_id);
