-- When a person was marked as left (active 1 -> 0), cleared when they
-- return. The retention schedule's "left N years ago" counts from here,
-- not from the last change of the record. Set by the triggers below on
-- every path that marks a person as left (staff import, the person form,
-- undoing an import, erasure, any later one), from the row's own
-- `updated_at`, which each of those paths sets to Navet's clock.
ALTER TABLE people ADD COLUMN left_at BIGINT;
-- People who had left before this column existed: their last change is
-- the best record of when.
UPDATE people SET left_at = updated_at WHERE active = 0;
CREATE INDEX people_left_at ON people(left_at);
