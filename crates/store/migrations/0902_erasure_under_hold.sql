-- An erasure that a legal hold kept from finishing (docs/privacy.md):
-- everything no hold covers is gone, the person's name and employee
-- number stay with the held attendance until the hold is released; then a
-- new erasure, or the daily retention run, finishes it (and sets
-- `erased_at`).
ALTER TABLE people ADD COLUMN erasure_held_at BIGINT;
