-- A unit's or a municipality's staff in Swedish name order: with these the
-- list reads only that unit's rows in order. With the name index alone a
-- manager's first page read the whole nation's index (250 000 entries) to
-- find one unit's 86 people.
CREATE INDEX people_unit_name ON people(unit_id, name_key, id);
CREATE INDEX people_municipality_name ON people(municipality_id, name_key, id);
