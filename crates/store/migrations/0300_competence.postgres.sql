-- competence_holdings follows completions. Statement-level triggers with
-- transition tables, so that a bulk insert updates each person once.
CREATE FUNCTION competence_holdings_append() RETURNS trigger AS $$
BEGIN
    INSERT INTO competence_holdings (person_id, holdings)
    SELECT person_id, string_agg(CAST(course_id AS TEXT) || ':' || completed_on || ':' || COALESCE(expires_on, ''), ' ')
    FROM new_rows GROUP BY person_id
    ON CONFLICT (person_id) DO UPDATE SET holdings = competence_holdings.holdings || ' ' || EXCLUDED.holdings;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION competence_holdings_after_delete() RETURNS trigger AS $$
BEGIN
    DELETE FROM competence_holdings WHERE person_id IN (SELECT person_id FROM old_rows);
    INSERT INTO competence_holdings (person_id, holdings)
    SELECT person_id, string_agg(CAST(course_id AS TEXT) || ':' || completed_on || ':' || COALESCE(expires_on, ''), ' ')
    FROM completions WHERE person_id IN (SELECT person_id FROM old_rows) GROUP BY person_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION competence_holdings_after_update() RETURNS trigger AS $$
BEGIN
    DELETE FROM competence_holdings
    WHERE person_id IN (SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows);
    INSERT INTO competence_holdings (person_id, holdings)
    SELECT person_id, string_agg(CAST(course_id AS TEXT) || ':' || completed_on || ':' || COALESCE(expires_on, ''), ' ')
    FROM completions WHERE person_id IN (SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows)
    GROUP BY person_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER completions_holdings_insert AFTER INSERT ON completions
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION competence_holdings_append();
CREATE TRIGGER completions_holdings_delete AFTER DELETE ON completions
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION competence_holdings_after_delete();
CREATE TRIGGER completions_holdings_update AFTER UPDATE ON completions
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION competence_holdings_after_update();
INSERT INTO competence_holdings (person_id, holdings)
SELECT person_id, string_agg(CAST(course_id AS TEXT) || ':' || completed_on || ':' || COALESCE(expires_on, ''), ' ')
FROM completions GROUP BY person_id;
