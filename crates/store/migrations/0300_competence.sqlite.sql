-- competence_holdings follows completions.
CREATE TRIGGER completions_holdings_insert AFTER INSERT ON completions
BEGIN
    INSERT INTO competence_holdings (person_id, holdings)
    VALUES (NEW.person_id, NEW.course_id || ':' || NEW.completed_on || ':' || COALESCE(NEW.expires_on, ''))
    ON CONFLICT (person_id) DO UPDATE SET holdings = holdings || ' ' || excluded.holdings;
END;
CREATE TRIGGER completions_holdings_delete AFTER DELETE ON completions
BEGIN
    DELETE FROM competence_holdings WHERE person_id = OLD.person_id;
    INSERT INTO competence_holdings (person_id, holdings)
    SELECT person_id, group_concat(course_id || ':' || completed_on || ':' || COALESCE(expires_on, ''), ' ')
    FROM completions WHERE person_id = OLD.person_id GROUP BY person_id;
END;
CREATE TRIGGER completions_holdings_update AFTER UPDATE ON completions
BEGIN
    DELETE FROM competence_holdings WHERE person_id IN (OLD.person_id, NEW.person_id);
    INSERT INTO competence_holdings (person_id, holdings)
    SELECT person_id, group_concat(course_id || ':' || completed_on || ':' || COALESCE(expires_on, ''), ' ')
    FROM completions WHERE person_id IN (OLD.person_id, NEW.person_id) GROUP BY person_id;
END;
INSERT INTO competence_holdings (person_id, holdings)
SELECT person_id, group_concat(course_id || ':' || completed_on || ':' || COALESCE(expires_on, ''), ' ')
FROM completions GROUP BY person_id;
