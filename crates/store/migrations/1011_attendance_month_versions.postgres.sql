-- A version per calendar month of attended time, raised by every change to
-- attendance_facts in that month: an aggregate of past months (co-financing
-- over a programme) can be kept in memory and reused for as long as the
-- versions of the months it read are unchanged. The month is the Stockholm
-- month of starts_at; Stockholm is UTC+1 or UTC+2, so both UTC months of
-- starts_at + 1 h and + 2 h are raised (one of them is the right one).
-- Statement-level triggers: a rebuild of millions of rows raises each month
-- once.
CREATE TABLE attendance_month_versions (
    month TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
CREATE FUNCTION attendance_month_versions_raise() RETURNS trigger AS $$
BEGIN
    INSERT INTO attendance_month_versions (month, version)
    SELECT DISTINCT to_char(to_timestamp(c.starts_at + o.secs) AT TIME ZONE 'UTC', 'YYYY-MM'), 1
    FROM changed_rows c CROSS JOIN (VALUES (3600), (7200)) AS o(secs)
    ON CONFLICT (month) DO UPDATE SET version = attendance_month_versions.version + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER attendance_month_versions_insert AFTER INSERT ON attendance_facts
REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_month_versions_raise();
CREATE TRIGGER attendance_month_versions_delete AFTER DELETE ON attendance_facts
REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_month_versions_raise();
CREATE TRIGGER attendance_month_versions_update_old AFTER UPDATE ON attendance_facts
REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_month_versions_raise();
CREATE TRIGGER attendance_month_versions_update_new AFTER UPDATE ON attendance_facts
REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_month_versions_raise();
