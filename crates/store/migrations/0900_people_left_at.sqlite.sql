CREATE TRIGGER people_left_at_insert AFTER INSERT ON people
WHEN NEW.active = 0 AND NEW.left_at IS NULL
BEGIN UPDATE people SET left_at = NEW.updated_at WHERE id = NEW.id; END;
CREATE TRIGGER people_left_at_leave AFTER UPDATE OF active ON people
WHEN OLD.active = 1 AND NEW.active = 0
BEGIN UPDATE people SET left_at = NEW.updated_at WHERE id = NEW.id; END;
CREATE TRIGGER people_left_at_return AFTER UPDATE OF active ON people
WHEN OLD.active = 0 AND NEW.active = 1
BEGIN UPDATE people SET left_at = NULL WHERE id = NEW.id; END;
