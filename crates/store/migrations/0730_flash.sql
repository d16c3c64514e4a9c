-- A message for the next page after a form ("saved", "refused because …"),
-- kept with the login session and read once, instead of text carried in the
-- query string where anyone could put their own words in a banner.
ALTER TABLE web_sessions ADD COLUMN flash_kind TEXT;
ALTER TABLE web_sessions ADD COLUMN flash_text TEXT;
