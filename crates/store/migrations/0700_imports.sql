-- Uploaded files being imported. `import_locks`: one import at a time per
-- account, shared by every instance (a row older than the stale limit is
-- taken over: its process died). `import_uploads`: a checked file waiting
-- for the user's "confirm", kept here instead of being sent back in the
-- page; base64 text, removed when confirmed, replaced by the next upload
-- and purged after an hour.
CREATE TABLE import_locks (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    started_at BIGINT NOT NULL
);
CREATE TABLE import_uploads (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX import_uploads_account ON import_uploads(account_id, kind);
