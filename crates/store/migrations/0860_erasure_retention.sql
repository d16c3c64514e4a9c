-- Erasure and the retention schedule (docs/privacy.md).
-- `erased_at`: when the person's identifying data was removed; the row
-- stays under a pseudonym so reports for past periods keep their figures.
ALTER TABLE people ADD COLUMN erased_at BIGINT;
-- A legal hold on a funding programme's records: while one is in force
-- (released_at NULL) neither erasure nor the retention run removes
-- records of people who attended sessions in the programme's period.
CREATE TABLE legal_holds (
    id {{id}},
    programme_id BIGINT NOT NULL REFERENCES funding_programmes(id),
    reason TEXT NOT NULL,
    placed_at BIGINT NOT NULL,
    placed_by_account_id BIGINT,
    released_at BIGINT,
    released_by_account_id BIGINT
);
CREATE INDEX legal_holds_programme ON legal_holds(programme_id);
-- Each real retention run: when, by what, and how many of each kind
-- (JSON object, kind code -> count).
CREATE TABLE retention_runs (
    id {{id}},
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    actor_label TEXT NOT NULL,
    counts TEXT NOT NULL
);
