-- Funding sources (finansieringskällor): the funding programme and other
-- sources that pay for participations (a state grant such as
-- Äldreomsorgslyftet, the municipality's own budget). An exclusive source
-- forbids the same person and course being claimed from another exclusive
-- source (ESF+ and a state grant may not pay for the same costs); a
-- non-exclusive one (co-financing from one's own budget) conflicts with
-- nothing. The source of the current programme follows it when the
-- programme is saved again (programme_id).
CREATE TABLE funding_sources (
    id {{id}},
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    exclusive BIGINT NOT NULL DEFAULT 0,
    programme_id BIGINT REFERENCES funding_programmes(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX funding_sources_programme ON funding_sources(programme_id);

-- A session's source, and a single booking's override of it (the
-- effective source is the booking's, else the session's).
ALTER TABLE sessions ADD COLUMN funding_source_id BIGINT REFERENCES funding_sources(id);
ALTER TABLE bookings ADD COLUMN funding_source_id BIGINT REFERENCES funding_sources(id);

-- The effective source of each attended booking, and the previous attended
-- session of the same person (and of the same person and course) within
-- that source: the indicator report filtered by source counts unique
-- participants the way the whole report does (see reports.rs).
ALTER TABLE attendance_facts ADD COLUMN funding_source_id BIGINT;
ALTER TABLE attendance_facts ADD COLUMN prev_source_at BIGINT;
ALTER TABLE attendance_facts ADD COLUMN prev_course_source_at BIGINT;
CREATE INDEX attendance_facts_source ON attendance_facts(funding_source_id, municipality_id, starts_at);

-- Which source a participant file was filtered by (NULL: all).
ALTER TABLE esf_exports ADD COLUMN funding_source_id BIGINT;

-- The current programme's source, the sessions within its period under
-- it, and the facts rebuilt with their sources.
-- @step funding_sources
