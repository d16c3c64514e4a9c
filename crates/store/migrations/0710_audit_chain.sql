-- The audit log as a hash chain: each entry stores the hash of the one
-- before it and its own hash over a canonical serialisation of its fields
-- (see store::audit). `audit_chain` holds the head (last id and hash); an
-- append locks that row, so concurrent appends cannot fork the chain.
-- Existing entries are chained by the Rust step below, in this transaction.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE TABLE audit_chain (
    id BIGINT PRIMARY KEY,
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, last_id, last_hash) VALUES (1, 0, '');
