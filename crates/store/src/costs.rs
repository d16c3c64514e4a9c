//! Cost model, scenarios and the actual use they start from. The rules
//! live in `domain::costs`; this module stores lines and scenarios and
//! reads each municipality's attended course hours.

use chrono::NaiveDate;
use domain::costs::{
    compute, Actuals, Basis, CostKind, CostLine, Driver, MunicipalityFacts, Scaling, Scenario,
    ScenarioMunicipality, ScenarioResult, Settings, Weights,
};
use domain::FieldErrors;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{is_unique_violation, StoreError, StoreResult};
use crate::time::{date_str, now, parse_date};

pub(crate) const INDICATORS_JSON: &str = include_str!("../../../seed/indicators_2025.json");

fn indicator(id: &str) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(INDICATORS_JSON).ok()?;
    v["indicators"]
        .as_array()?
        .iter()
        .find(|i| i["id"] == id)
        .map(|i| i["value"].clone())
}

pub(crate) fn indicator_f64(id: &str) -> f64 {
    indicator(id).and_then(|v| v.as_f64()).unwrap_or(0.0)
}

/// The settings used until a coordinator saves others: actual use counted
/// from the project start (January 2025) and a co-financed course hour
/// valued at the programme's co-financing amount divided by its target
/// hours (46 % × 23 731 055 kr ÷ 42 000 h = 259,91 kr).
pub fn default_settings() -> Settings {
    let granted = indicator_f64("budget_granted_sek");
    let rate = indicator_f64("cofinancing_rate_pct") / 100.0;
    let hours = indicator_f64("cofinancing_course_hours_target");
    let cofinancing_rate = if hours > 0.0 {
        (granted * rate * 100.0 / hours).round() as i64
    } else {
        0
    };
    let start = indicator("project_period_start")
        .and_then(|v| v.as_str().map(|s| format!("{s}-01")))
        .and_then(|s| parse_date(&s))
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date"));
    Settings {
        use_from: start,
        cofinancing_rate,
        hours_per_session_centi: None,
    }
}

fn centi_from_hours(h: f64) -> i64 {
    (h * 100.0).round() as i64
}

// ---------------------------------------------------------------------------
// Settings

pub async fn settings(db: &Db) -> StoreResult<Settings> {
    let row = sqlx::query(
        "SELECT use_from_on, cofinancing_rate_ore, hours_per_session FROM cost_settings WHERE id = 1",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        None => default_settings(),
        Some(r) => Settings {
            use_from: parse_date(&r.get::<String, _>("use_from_on"))
                .unwrap_or_else(|| default_settings().use_from),
            cofinancing_rate: r.get("cofinancing_rate_ore"),
            hours_per_session_centi: r
                .get::<Option<f64>, _>("hours_per_session")
                .map(centi_from_hours),
        },
    })
}

pub async fn save_settings(db: &Db, who: &Who, s: &Settings) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM cost_settings WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO cost_settings (id, use_from_on, cofinancing_rate_ore, hours_per_session, updated_at) VALUES (1, $1, $2, $3, $4)",
    )
    .bind(date_str(s.use_from))
    .bind(s.cofinancing_rate)
    .bind(s.hours_per_session_centi.map(|h| h as f64 / 100.0))
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "costs.settings",
        "cost_settings",
        Some(1),
        None,
        &format!(
            "från {}, {} öre per kurstimme, kurstimmar per tillfälle {:?}",
            date_str(s.use_from),
            s.cofinancing_rate,
            s.hours_per_session_centi
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Cost lines

const LINE_COLUMNS: &str =
    "id, label, kind, basis, amount_ore, role, fte_centi, monthly_salary_ore, overhead_bp, \
    purchase_ore, depreciation_years, scaling, per_centi, note";

fn line_from_row(r: &AnyRow) -> StoreResult<CostLine> {
    let bad = |what: &str| {
        StoreError::Other(anyhow::anyhow!(
            "kostnadsrad {}: ogiltigt värde i {what}",
            r.get::<i64, _>("id")
        ))
    };
    let kind = CostKind::parse(&r.get::<String, _>("kind")).ok_or_else(|| bad("kind"))?;
    let basis = match r.get::<String, _>("basis").as_str() {
        "annual" => Basis::Annual {
            amount: r
                .get::<Option<i64>, _>("amount_ore")
                .ok_or_else(|| bad("amount_ore"))?,
        },
        "staff" => Basis::Staff {
            role: r.get::<Option<String>, _>("role").unwrap_or_default(),
            fte_centi: r
                .get::<Option<i64>, _>("fte_centi")
                .ok_or_else(|| bad("fte_centi"))?,
            monthly_salary: r
                .get::<Option<i64>, _>("monthly_salary_ore")
                .ok_or_else(|| bad("monthly_salary_ore"))?,
            overhead_bp: r
                .get::<Option<i64>, _>("overhead_bp")
                .ok_or_else(|| bad("overhead_bp"))?,
        },
        "depreciation" => Basis::Depreciation {
            purchase: r
                .get::<Option<i64>, _>("purchase_ore")
                .ok_or_else(|| bad("purchase_ore"))?,
            years: r
                .get::<Option<i64>, _>("depreciation_years")
                .ok_or_else(|| bad("depreciation_years"))?,
        },
        _ => return Err(bad("basis")),
    };
    let scaling = match r.get::<String, _>("scaling").as_str() {
        "fixed" => Scaling::Fixed,
        s => Scaling::PerVolume {
            driver: Driver::parse(s).ok_or_else(|| bad("scaling"))?,
            per_centi: r
                .get::<Option<i64>, _>("per_centi")
                .ok_or_else(|| bad("per_centi"))?,
        },
    };
    Ok(CostLine {
        id: r.get("id"),
        label: r.get("label"),
        kind,
        basis,
        scaling,
        note: r.get("note"),
    })
}

/// All cost lines in the order they were added.
pub async fn lines(db: &Db) -> StoreResult<Vec<CostLine>> {
    let rows = sqlx::query(&format!(
        "SELECT {LINE_COLUMNS} FROM cost_lines ORDER BY id"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(line_from_row).collect()
}

pub async fn line(db: &Db, id: i64) -> StoreResult<CostLine> {
    let row = sqlx::query(&format!(
        "SELECT {LINE_COLUMNS} FROM cost_lines WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound("kostnadsrad"))?;
    line_from_row(&row)
}

/// The columns a line is stored in: (amount, role, fte, salary, overhead,
/// purchase, years, scaling, per).
#[allow(clippy::type_complexity)]
fn line_values(
    l: &CostLine,
) -> (
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    &'static str,
    Option<i64>,
) {
    let (amount, role, fte, salary, overhead, purchase, years) = match &l.basis {
        Basis::Annual { amount } => (Some(*amount), None, None, None, None, None, None),
        Basis::Staff {
            role,
            fte_centi,
            monthly_salary,
            overhead_bp,
        } => (
            None,
            Some(role.clone()),
            Some(*fte_centi),
            Some(*monthly_salary),
            Some(*overhead_bp),
            None,
            None,
        ),
        Basis::Depreciation { purchase, years } => {
            (None, None, None, None, None, Some(*purchase), Some(*years))
        }
    };
    let (scaling, per) = match l.scaling {
        Scaling::Fixed => ("fixed", None),
        Scaling::PerVolume { driver, per_centi } => (driver.code(), Some(per_centi)),
    };
    (
        amount, role, fte, salary, overhead, purchase, years, scaling, per,
    )
}

/// Add a checked line (see `domain::costs::check_line`); returns its id.
pub async fn create_line(db: &Db, who: &Who, l: &CostLine) -> StoreResult<i64> {
    let (amount, role, fte, salary, overhead, purchase, years, scaling, per) = line_values(l);
    let mut tx = db.begin().await?;
    let t = now();
    let id: i64 = sqlx::query(
        "INSERT INTO cost_lines (label, kind, basis, amount_ore, role, fte_centi, monthly_salary_ore, overhead_bp, \
         purchase_ore, depreciation_years, scaling, per_centi, note, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(&l.label)
    .bind(l.kind.code())
    .bind(l.basis.code())
    .bind(amount)
    .bind(role)
    .bind(fte)
    .bind(salary)
    .bind(overhead)
    .bind(purchase)
    .bind(years)
    .bind(scaling)
    .bind(per)
    .bind(&l.note)
    .bind(t)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    audit::record(
        &mut tx,
        who,
        "costs.line.create",
        "cost_line",
        Some(id),
        None,
        &format!("{}: {}", l.label, domain::costs::money::kr(l.base_annual())),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_line(db: &Db, who: &Who, id: i64, l: &CostLine) -> StoreResult<()> {
    let (amount, role, fte, salary, overhead, purchase, years, scaling, per) = line_values(l);
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE cost_lines SET label = $1, kind = $2, basis = $3, amount_ore = $4, role = $5, fte_centi = $6, \
         monthly_salary_ore = $7, overhead_bp = $8, purchase_ore = $9, depreciation_years = $10, scaling = $11, \
         per_centi = $12, note = $13, updated_at = $14 WHERE id = $15",
    )
    .bind(&l.label)
    .bind(l.kind.code())
    .bind(l.basis.code())
    .bind(amount)
    .bind(role)
    .bind(fte)
    .bind(salary)
    .bind(overhead)
    .bind(purchase)
    .bind(years)
    .bind(scaling)
    .bind(per)
    .bind(&l.note)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound("kostnadsrad"));
    }
    audit::record(
        &mut tx,
        who,
        "costs.line.update",
        "cost_line",
        Some(id),
        None,
        &format!("{}: {}", l.label, domain::costs::money::kr(l.base_annual())),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_line(db: &Db, who: &Who, id: i64) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("DELETE FROM cost_lines WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound("kostnadsrad"));
    }
    audit::record(
        &mut tx,
        who,
        "costs.line.delete",
        "cost_line",
        Some(id),
        None,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Scenarios

const SCENARIO_COLUMNS: &str =
    "id, name, description, weight_employees_bp, weight_inhabitants_bp, weight_use_bp, weight_equal_bp, volume_bp";

fn scenario_from_row(r: &AnyRow) -> Scenario {
    Scenario {
        id: r.get("id"),
        name: r.get("name"),
        description: r.get("description"),
        weights: Weights {
            employees_bp: r.get("weight_employees_bp"),
            inhabitants_bp: r.get("weight_inhabitants_bp"),
            use_bp: r.get("weight_use_bp"),
            equal_bp: r.get("weight_equal_bp"),
        },
        volume_bp: r.get("volume_bp"),
        municipalities: Vec::new(),
    }
}

async fn attach_municipalities(db: &Db, scenarios: &mut [Scenario]) -> StoreResult<()> {
    let rows = sqlx::query(
        "SELECT sm.scenario_id, sm.municipality_id, sm.course_hours, sm.participants, m.name \
         FROM cost_scenario_municipalities sm JOIN municipalities m ON m.id = sm.municipality_id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut rows: Vec<(i64, String, ScenarioMunicipality)> = rows
        .iter()
        .map(|r| {
            (
                r.get::<i64, _>("scenario_id"),
                r.get::<String, _>("name"),
                ScenarioMunicipality {
                    municipality_id: r.get("municipality_id"),
                    course_hours_centi: r
                        .get::<Option<f64>, _>("course_hours")
                        .map(centi_from_hours),
                    participants: r.get("participants"),
                },
            )
        })
        .collect();
    rows.sort_by(|a, b| domain::collation::swedish_cmp(&a.1, &b.1));
    for s in scenarios.iter_mut() {
        s.municipalities = rows
            .iter()
            .filter(|r| r.0 == s.id)
            .map(|r| r.2.clone())
            .collect();
    }
    Ok(())
}

/// All scenarios, sorted by name the Swedish way.
pub async fn scenarios(db: &Db) -> StoreResult<Vec<Scenario>> {
    let rows = sqlx::query(&format!("SELECT {SCENARIO_COLUMNS} FROM cost_scenarios"))
        .fetch_all(db.pool())
        .await?;
    let mut v: Vec<Scenario> = rows.iter().map(scenario_from_row).collect();
    attach_municipalities(db, &mut v).await?;
    domain::collation::sort_swedish_by(&mut v, |s| &s.name);
    Ok(v)
}

pub async fn scenario(db: &Db, id: i64) -> StoreResult<Scenario> {
    let row = sqlx::query(&format!(
        "SELECT {SCENARIO_COLUMNS} FROM cost_scenarios WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound("scenario"))?;
    let mut v = vec![scenario_from_row(&row)];
    attach_municipalities(db, &mut v).await?;
    Ok(v.remove(0))
}

/// Municipalities a scenario may pick from: (id, name), Swedish order.
pub async fn known_municipalities(db: &Db) -> StoreResult<Vec<(i64, String)>> {
    Ok(crate::org::municipalities(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect())
}

fn duplicate_name(name: &str) -> StoreError {
    StoreError::invalid(
        "name",
        "duplicate",
        format!("Det finns redan ett scenario som heter ”{name}”. Välj ett annat namn."),
    )
}

fn check_stored(s: &Scenario) -> StoreResult<()> {
    let mut e = FieldErrors::new();
    if s.municipalities.is_empty() {
        e.add(
            "municipalities",
            "no_municipality",
            "Välj minst en kommun som deltar i scenariot.",
        );
    }
    if s.weights.sum() != 10_000 {
        e.add(
            "weights",
            "weights_sum",
            "Vikterna i fördelningsnyckeln måste tillsammans bli 100 %.",
        );
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(e))
    }
}

async fn write_municipalities(tx: &mut crate::Tx, id: i64, s: &Scenario) -> StoreResult<()> {
    sqlx::query("DELETE FROM cost_scenario_municipalities WHERE scenario_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for m in &s.municipalities {
        sqlx::query(
            "INSERT INTO cost_scenario_municipalities (scenario_id, municipality_id, course_hours, participants) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(m.municipality_id)
        .bind(m.course_hours_centi.map(|h| h as f64 / 100.0))
        .bind(m.participants)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn scenario_detail(s: &Scenario) -> String {
    format!(
        "{}: {} kommuner, {}",
        s.name,
        s.municipalities.len(),
        s.weights.describe()
    )
}

/// Save a checked scenario (see `domain::costs::check_scenario`); returns its id.
pub async fn create_scenario(db: &Db, who: &Who, s: &Scenario) -> StoreResult<i64> {
    check_stored(s)?;
    let mut tx = db.begin().await?;
    let t = now();
    let r = sqlx::query(
        "INSERT INTO cost_scenarios (name, description, weight_employees_bp, weight_inhabitants_bp, weight_use_bp, \
         weight_equal_bp, volume_bp, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(&s.name)
    .bind(&s.description)
    .bind(s.weights.employees_bp)
    .bind(s.weights.inhabitants_bp)
    .bind(s.weights.use_bp)
    .bind(s.weights.equal_bp)
    .bind(s.volume_bp)
    .bind(t)
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match r {
        Ok(row) => row.get("id"),
        Err(e) if is_unique_violation(&e) => return Err(duplicate_name(&s.name)),
        Err(e) => return Err(e.into()),
    };
    write_municipalities(&mut tx, id, s).await?;
    audit::record(
        &mut tx,
        who,
        "costs.scenario.create",
        "cost_scenario",
        Some(id),
        None,
        &scenario_detail(s),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_scenario(db: &Db, who: &Who, id: i64, s: &Scenario) -> StoreResult<()> {
    check_stored(s)?;
    let mut tx = db.begin().await?;
    let r = sqlx::query(
        "UPDATE cost_scenarios SET name = $1, description = $2, weight_employees_bp = $3, weight_inhabitants_bp = $4, \
         weight_use_bp = $5, weight_equal_bp = $6, volume_bp = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(&s.name)
    .bind(&s.description)
    .bind(s.weights.employees_bp)
    .bind(s.weights.inhabitants_bp)
    .bind(s.weights.use_bp)
    .bind(s.weights.equal_bp)
    .bind(s.volume_bp)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await;
    match r {
        Ok(done) if done.rows_affected() == 0 => return Err(StoreError::NotFound("scenario")),
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Err(duplicate_name(&s.name)),
        Err(e) => return Err(e.into()),
    }
    write_municipalities(&mut tx, id, s).await?;
    audit::record(
        &mut tx,
        who,
        "costs.scenario.update",
        "cost_scenario",
        Some(id),
        None,
        &scenario_detail(s),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_scenario(db: &Db, who: &Who, id: i64) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM cost_scenario_municipalities WHERE scenario_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let n = sqlx::query("DELETE FROM cost_scenarios WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound("scenario"));
    }
    audit::record(
        &mut tx,
        who,
        "costs.scenario.delete",
        "cost_scenario",
        Some(id),
        None,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Actual use

/// Attended participations from `from` to `to` (inclusive, Swedish dates):
/// attended bookings on sessions starting in the period, each with the
/// session's hours and the municipality the person worked for then. These
/// are exactly the rows the indicator report counts as participant hours
/// (`attendance_facts` is built from the same bookings), so the cost model's
/// actual use and the report agree for any period. Historical imports make
/// bookings too; completions with no session behind them (the demo's
/// synthetic competence records) are competence held, not use of the hub.
/// Actual use in a period: per municipality, attended hours and people,
/// and the sessions held. Read from the indicator report's attendance rows
/// (attended bookings, with the municipality the person had when they
/// attended), and kept in memory while the period's attendance is
/// unchanged (see `crate::fact_cache`): a year at national scale is about
/// a million rows.
#[derive(Debug, Default)]
struct Use {
    /// municipality id → (hours, people)
    by_municipality: std::collections::HashMap<i64, (f64, i64)>,
    sessions_held: i64,
}

async fn actual_use(db: &Db, from: NaiveDate, to: NaiveDate) -> StoreResult<std::sync::Arc<Use>> {
    let next_day = to.succ_opt().unwrap_or(to);
    let key = (
        "costs.use",
        crate::time::day_start(from),
        crate::time::day_start(next_day),
        0,
        0,
    );
    let version = crate::attendance_versions::period_version(db, from, to).await?;
    if let Some(u) = db.fact_cache().get::<Use>(&key, version) {
        return Ok(u);
    }
    let by_municipality = sqlx::query(
        "SELECT municipality_id, COALESCE(SUM(hours), 0.0) AS attended_hours, COUNT(DISTINCT person_id) AS people \
         FROM attendance_facts WHERE starts_at >= $1 AND starts_at < $2 GROUP BY municipality_id",
    )
    .bind(key.1)
    .bind(key.2)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        (
            r.get("municipality_id"),
            (r.get("attended_hours"), r.get("people")),
        )
    })
    .collect();
    let sessions_held: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT session_id) FROM attendance_facts WHERE starts_at >= $1 AND starts_at < $2",
    )
    .bind(key.1)
    .bind(key.2)
    .fetch_one(db.pool())
    .await?;
    let u = std::sync::Arc::new(Use {
        by_municipality,
        sessions_held,
    });
    db.fact_cache().put(key, version, u.clone());
    Ok(u)
}

/// Each municipality's registered figures and its actual use in the period.
pub async fn actuals(db: &Db, from: NaiveDate, to: NaiveDate) -> StoreResult<Actuals> {
    let used = actual_use(db, from, to).await?;
    // The co-financing in kronor, valued as the funding page values it,
    // when there is a unit-cost table to value with.
    let valued = if crate::cofinancing::unit_costs(db).await?.is_empty() {
        None
    } else {
        Some(crate::cofinancing::valuation(db, from, to).await?)
    };
    let municipalities = crate::org::municipalities(db)
        .await?
        .into_iter()
        .map(|m| {
            let (hours, people) = used.by_municipality.get(&m.id).copied().unwrap_or((0.0, 0));
            let cofinancing_value = valued
                .as_ref()
                .map(|v| v.municipality_total(m.id).value_ore);
            MunicipalityFacts {
                id: m.id,
                name: m.name,
                employees: m.employees,
                inhabitants: m.inhabitants,
                inhabitants_approx: m.inhabitants_approx == 1,
                attended_hours: hours,
                participants: people,
                cofinancing_value,
            }
        })
        .collect();
    Ok(Actuals {
        from,
        to,
        municipalities,
        sessions_held: used.sessions_held,
        cofinancing_valuation: valued.map(|v| v.rule.describe_sv().to_string()),
    })
}

/// Everything a computation needs, read once.
pub struct Model {
    pub lines: Vec<CostLine>,
    pub settings: Settings,
    pub actuals: Actuals,
}

/// Read the cost model and actual use up to `today`.
pub async fn model(db: &Db, today: NaiveDate) -> StoreResult<Model> {
    let settings = settings(db).await?;
    let from = settings.use_from.min(today);
    Ok(Model {
        lines: lines(db).await?,
        actuals: actuals(db, from, today).await?,
        settings,
    })
}

impl Model {
    pub fn compute(&self, s: &Scenario) -> Result<ScenarioResult, FieldErrors> {
        compute(&self.lines, &self.settings, s, &self.actuals)
    }
    /// The scenario without the effect of each participant leaving (for
    /// lists and comparisons, which do not show it).
    pub fn compute_without_leaving(&self, s: &Scenario) -> Result<ScenarioResult, FieldErrors> {
        domain::costs::scenario::compute_to(
            &self.lines,
            &self.settings,
            s,
            &self.actuals,
            domain::costs::scenario::Depth::WithoutLeaving,
        )
    }
}

/// Compute one stored scenario as of `today`.
pub async fn result(db: &Db, id: i64, today: NaiveDate) -> StoreResult<ScenarioResult> {
    let s = scenario(db, id).await?;
    model(db, today)
        .await?
        .compute(&s)
        .map_err(StoreError::Invalid)
}
