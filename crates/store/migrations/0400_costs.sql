-- Cost scenarios: the hub's running costs per year and how they would be
-- split between the municipalities. Money is BIGINT öre; FTE (`fte_centi`),
-- percentages (`*_bp`, hundredths of a percent) and volumes (`per_centi`)
-- are integers in hundredths so the model computes exactly.

-- One row (id = 1) with the model-wide settings; absent = the defaults in code.
CREATE TABLE cost_settings (
    id BIGINT PRIMARY KEY,
    -- actual use and co-financing are counted from this date (project start)
    use_from_on TEXT NOT NULL,
    -- what one co-financed course hour was worth during the project
    cofinancing_rate_ore BIGINT NOT NULL,
    -- course hours per session; NULL = the average of sessions held
    hours_per_session DOUBLE PRECISION,
    updated_at BIGINT NOT NULL
);

CREATE TABLE cost_lines (
    id {{id}},
    label TEXT NOT NULL,
    -- staff, cars, equipment, premises, conferences, trainer_training, other
    kind TEXT NOT NULL,
    -- annual, staff, depreciation
    basis TEXT NOT NULL,
    amount_ore BIGINT,
    role TEXT,
    fte_centi BIGINT,
    monthly_salary_ore BIGINT,
    overhead_bp BIGINT,
    purchase_ore BIGINT,
    depreciation_years BIGINT,
    -- fixed, course_hours, sessions
    scaling TEXT NOT NULL,
    per_centi BIGINT,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE cost_scenarios (
    id {{id}},
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    weight_employees_bp BIGINT NOT NULL DEFAULT 0,
    weight_inhabitants_bp BIGINT NOT NULL DEFAULT 0,
    weight_use_bp BIGINT NOT NULL DEFAULT 0,
    weight_equal_bp BIGINT NOT NULL DEFAULT 0,
    -- expected volume in percent of actual use (basis points)
    volume_bp BIGINT NOT NULL DEFAULT 10000,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE cost_scenario_municipalities (
    scenario_id BIGINT NOT NULL REFERENCES cost_scenarios(id),
    municipality_id BIGINT NOT NULL REFERENCES municipalities(id),
    -- expected course hours per year; NULL = from actual use
    course_hours DOUBLE PRECISION,
    -- expected participants per year; NULL = from actual use
    participants BIGINT,
    PRIMARY KEY (scenario_id, municipality_id)
);
