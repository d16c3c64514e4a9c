CREATE FUNCTION people_left_at() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.active = 0 AND NEW.left_at IS NULL THEN
            NEW.left_at := NEW.updated_at;
        END IF;
    ELSIF OLD.active = 1 AND NEW.active = 0 THEN
        NEW.left_at := NEW.updated_at;
    ELSIF OLD.active = 0 AND NEW.active = 1 THEN
        NEW.left_at := NULL;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER people_left_at BEFORE INSERT OR UPDATE ON people
FOR EACH ROW EXECUTE FUNCTION people_left_at();
