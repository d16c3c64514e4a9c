-- Co-financing in kronor: the funder's unit costs per occupational category
-- (a role group) and validity period, whole months (valid_from the first
-- of a month, valid_to the last day of a month, both as YYYY-MM-DD), and
-- the rounding rule applied per person and month before valuing.
CREATE TABLE unit_costs (
    id {{id}},
    category TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    hourly_ore BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX unit_costs_category ON unit_costs(category, valid_from);

-- One row (id = 1); absent = the default rule (whole hours, rounded down).
CREATE TABLE cofinancing_settings (
    id BIGINT PRIMARY KEY,
    rounding TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
