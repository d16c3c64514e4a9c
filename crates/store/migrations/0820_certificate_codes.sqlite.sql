-- SQLite cannot add NOT NULL to an existing column: triggers refuse it.
CREATE TRIGGER completions_code_required_insert BEFORE INSERT ON completions
WHEN NEW.verify_code IS NULL
BEGIN
    SELECT RAISE(ABORT, 'completions.verify_code: every certificate needs a verification code');
END;
CREATE TRIGGER completions_code_required_update BEFORE UPDATE OF verify_code ON completions
WHEN NEW.verify_code IS NULL
BEGIN
    SELECT RAISE(ABORT, 'completions.verify_code: every certificate needs a verification code');
END;
