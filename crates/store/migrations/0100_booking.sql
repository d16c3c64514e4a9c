-- Bookings, waiting list, reservations, offers and notices.

ALTER TABLE sessions ADD COLUMN created_by_account_id BIGINT;
ALTER TABLE sessions ADD COLUMN cancelled_at BIGINT;

-- When a waiting person was given a seat (a promoted person may decline).
ALTER TABLE bookings ADD COLUMN promoted_at BIGINT;
-- The reservation or offer the seat was named into, if any.
ALTER TABLE bookings ADD COLUMN hold_id BIGINT;
-- Who made the booking: self, manager or coordinator.
ALTER TABLE bookings ADD COLUMN booked_via TEXT NOT NULL DEFAULT 'self';
-- SEQUENCE of the booking's calendar invitation; raised on every update.
ALTER TABLE bookings ADD COLUMN ics_sequence BIGINT NOT NULL DEFAULT 0;
-- SHA-256 of the secret in a promoted person's one-click decline link.
ALTER TABLE bookings ADD COLUMN token_hash TEXT;
CREATE INDEX bookings_waitlist ON bookings(session_id, waitlist_seq);

-- Seats held before anyone is named: a manager's reservation for a unit
-- (kind 'reservation'), or a place offered to one person after their
-- session was cancelled (kind 'offer'). Unnamed seats count as taken
-- until expires_at; then they go to the waiting list and everyone else.
CREATE TABLE session_holds (
    id {{id}},
    session_id BIGINT NOT NULL REFERENCES sessions(id),
    kind TEXT NOT NULL,
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    unit_id BIGINT REFERENCES units(id),
    person_id BIGINT REFERENCES people(id),
    from_session_id BIGINT REFERENCES sessions(id),
    -- how many of the seats come from the municipality's quota
    quota_seats BIGINT NOT NULL,
    general_seats BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- set when given up early, or by the sweep after expires_at
    released_at BIGINT,
    token_hash TEXT,
    created_by_account_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX session_holds_session ON session_holds(session_id);
CREATE INDEX session_holds_person ON session_holds(person_id);

-- Secret personal calendar feeds (the token is the whole credential and
-- grants read access to one person's bookings only).
CREATE TABLE calendar_feeds (
    person_id BIGINT PRIMARY KEY REFERENCES people(id),
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

ALTER TABLE trainer_certifications ADD COLUMN valid_until TEXT;

ALTER TABLE outbox ADD COLUMN session_id BIGINT;
ALTER TABLE outbox ADD COLUMN booking_id BIGINT;
CREATE INDEX outbox_created ON outbox(created_at);

-- 1 for demo sessions made up on top of the real catalogue.
ALTER TABLE sessions ADD COLUMN synthetic BIGINT NOT NULL DEFAULT 0;
