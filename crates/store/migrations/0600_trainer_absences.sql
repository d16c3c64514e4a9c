-- Periods a trainer is away (sick leave, holiday, other duties), whole days
-- in Europe/Stockholm. No reason is stored: the cause of an absence can be
-- health data, and planning only needs the dates.
CREATE TABLE trainer_absences (
    id {{id}},
    person_id BIGINT NOT NULL REFERENCES people(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by_account_id BIGINT
);
CREATE INDEX trainer_absences_person ON trainer_absences(person_id, ends_on);
