-- Undoing a cancellation within ten minutes needs what the booking was
-- before: 'booked' or 'waitlisted', and its place on the waiting list.
-- Cleared when the cancellation is undone.
ALTER TABLE bookings ADD COLUMN cancelled_from TEXT;
ALTER TABLE bookings ADD COLUMN cancelled_waitlist_seq BIGINT;
-- When a session's times, place or seats were last changed, and by whom.
ALTER TABLE sessions ADD COLUMN edited_at BIGINT;
ALTER TABLE sessions ADD COLUMN edited_by_account_id BIGINT;
