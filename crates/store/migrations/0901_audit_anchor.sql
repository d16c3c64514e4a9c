-- The audit log's retention (docs/privacy.md): the retention run removes
-- the oldest entries, and each removal leaves an anchor: the id and hash
-- of the last removed entry (the next entry's `prev_hash`), how many went,
-- the cut-off, when and in which retention run. `navet audit verify`
-- walks the chain from the newest anchor. Anchors are append-only, and
-- the log refuses DELETE except of entries at or before the newest anchor.
CREATE TABLE audit_anchors (
    id {{id}},
    through_id BIGINT NOT NULL,
    through_hash TEXT NOT NULL,
    removed BIGINT NOT NULL,
    cutoff BIGINT NOT NULL,
    at BIGINT NOT NULL,
    run_id BIGINT NOT NULL REFERENCES retention_runs(id)
);
