-- A version per calendar month of attended time, raised by every change to
-- attendance_facts in that month: an aggregate of past months (co-financing
-- over a programme) can be kept in memory and reused for as long as the
-- versions of the months it read are unchanged. The month is the Stockholm
-- month of starts_at; Stockholm is UTC+1 or UTC+2, so both UTC months of
-- starts_at + 1 h and + 2 h are raised (one of them is the right one).
CREATE TABLE attendance_month_versions (
    month TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
CREATE TRIGGER attendance_month_versions_insert AFTER INSERT ON attendance_facts
BEGIN
    INSERT INTO attendance_month_versions (month, version)
    VALUES (strftime('%Y-%m', NEW.starts_at + 3600, 'unixepoch'), 1)
    ON CONFLICT (month) DO UPDATE SET version = version + 1;
    INSERT INTO attendance_month_versions (month, version)
    VALUES (strftime('%Y-%m', NEW.starts_at + 7200, 'unixepoch'), 1)
    ON CONFLICT (month) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER attendance_month_versions_delete AFTER DELETE ON attendance_facts
BEGIN
    INSERT INTO attendance_month_versions (month, version)
    VALUES (strftime('%Y-%m', OLD.starts_at + 3600, 'unixepoch'), 1)
    ON CONFLICT (month) DO UPDATE SET version = version + 1;
    INSERT INTO attendance_month_versions (month, version)
    VALUES (strftime('%Y-%m', OLD.starts_at + 7200, 'unixepoch'), 1)
    ON CONFLICT (month) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER attendance_month_versions_update AFTER UPDATE ON attendance_facts
BEGIN
    INSERT INTO attendance_month_versions (month, version)
    VALUES (strftime('%Y-%m', OLD.starts_at + 3600, 'unixepoch'), 1)
    ON CONFLICT (month) DO UPDATE SET version = version + 1;
    INSERT INTO attendance_month_versions (month, version)
    VALUES (strftime('%Y-%m', OLD.starts_at + 7200, 'unixepoch'), 1)
    ON CONFLICT (month) DO UPDATE SET version = version + 1;
    INSERT INTO attendance_month_versions (month, version)
    VALUES (strftime('%Y-%m', NEW.starts_at + 3600, 'unixepoch'), 1)
    ON CONFLICT (month) DO UPDATE SET version = version + 1;
    INSERT INTO attendance_month_versions (month, version)
    VALUES (strftime('%Y-%m', NEW.starts_at + 7200, 'unixepoch'), 1)
    ON CONFLICT (month) DO UPDATE SET version = version + 1;
END;
