-- Sign-in attempts, one row per key (a SHA-256 of "account:EMAIL" or
-- "ip:ADDRESS", so no address or e-mail is kept here). The row is updated
-- in the transaction that decides whether an attempt may be checked: see
-- domain::login_limits. (login_failures is no longer written.)
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL
);
