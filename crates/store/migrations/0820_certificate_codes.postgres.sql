ALTER TABLE completions ALTER COLUMN verify_code SET NOT NULL;
