-- Minimum numbers and a go/no-go date: a session is worth holding only
-- with at least `min_participants` booked; on `decision_on` (a local date
-- before the start) the coordinator decides whether it goes ahead.
ALTER TABLE sessions ADD COLUMN min_participants BIGINT;
ALTER TABLE sessions ADD COLUMN decision_on TEXT;
CREATE INDEX sessions_decision ON sessions(decision_on);
