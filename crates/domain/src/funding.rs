//! The funding programme (finansiering): period, granted amount,
//! co-financing rate, target course hours and each municipality's
//! commitment, which is the target hours split in proportion to its
//! number of employees.

use crate::fields::Hours;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

use crate::errors::FieldErrors;

pub mod sources;

pub use sources::double_claim;

/// A checked funding programme. Amounts in whole kronor, hours as numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Programme {
    pub name: String,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub granted_sek: i64,
    /// Share of the granted amount the municipalities co-finance (0.46 = 46 %).
    pub cofinancing_rate: f64,
    /// Participant hours the co-financing corresponds to, for the whole period.
    pub target_hours: f64,
    /// Employees per municipality, in the order given.
    pub employees: Vec<(String, i64)>,
}

/// One municipality's share of the programme's target hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commitment {
    pub municipality: String,
    pub employees: i64,
    /// Share of all employees, 0–1.
    pub share: f64,
    pub commitment_hours: f64,
}

impl Programme {
    pub fn total_employees(&self) -> i64 {
        self.employees.iter().map(|(_, n)| *n).sum()
    }

    /// Each municipality's commitment: target hours × its share of employees.
    pub fn commitments(&self) -> Vec<Commitment> {
        let total = self.total_employees();
        self.employees
            .iter()
            .map(|(m, n)| {
                let share = if total > 0 {
                    *n as f64 / total as f64
                } else {
                    0.0
                };
                Commitment {
                    municipality: m.clone(),
                    employees: *n,
                    share,
                    commitment_hours: self.target_hours * share,
                }
            })
            .collect()
    }

    pub fn commitment_for(&self, municipality: &str) -> f64 {
        self.commitments()
            .into_iter()
            .find(|c| {
                c.municipality.eq_ignore_ascii_case(municipality) || c.municipality == municipality
            })
            .map(|c| c.commitment_hours)
            .unwrap_or(0.0)
    }

    /// The co-financing in kronor (granted amount × rate).
    pub fn cofinancing_sek(&self) -> f64 {
        self.granted_sek as f64 * self.cofinancing_rate
    }

    /// Share of the programme period elapsed at the end of `at` (inclusive),
    /// 0 before the start and 1 after the end.
    pub fn elapsed_share(&self, at: NaiveDate) -> f64 {
        let total = (self.ends - self.starts).num_days() + 1;
        let done = (at.min(self.ends) - self.starts).num_days() + 1;
        if total <= 0 {
            return 1.0;
        }
        (done as f64 / total as f64).clamp(0.0, 1.0)
    }
}

/// Progress of one municipality towards its commitment at a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// Attended hours as a percentage of the whole period's commitment.
    pub achieved_pct: f64,
    /// The percentage expected by now if hours came evenly over the period.
    pub expected_pct: f64,
    /// True when the achieved share is at least the expected share, i.e.
    /// the commitment is reached by the end at the pace so far.
    pub on_track: bool,
}

pub fn progress(attended_hours: f64, commitment_hours: f64, elapsed_share: f64) -> Progress {
    let achieved_pct = if commitment_hours > 0.0 {
        attended_hours / commitment_hours * 100.0
    } else {
        0.0
    };
    let expected_pct = elapsed_share * 100.0;
    Progress {
        achieved_pct,
        expected_pct,
        on_track: commitment_hours > 0.0 && achieved_pct + 1e-9 >= expected_pct,
    }
}

/// A programme as typed in a form, before checks.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeDraft {
    pub name: String,
    pub starts: String,
    pub ends: String,
    pub granted_sek: String,
    pub cofinancing_rate: String,
    pub target_hours: String,
    /// (municipality, employees as typed)
    pub employees: Vec<(String, String)>,
}

fn parse_int(s: &str) -> Option<i64> {
    s.trim().replace(['\u{a0}', ' '], "").parse::<i64>().ok()
}

/// Check a programme. `known` are the municipality names Navet holds;
/// employee figures may be given for any subset of them. Errors name the
/// field (`employees.Örebro` for a municipality's figure).
pub fn check_programme(d: &ProgrammeDraft, known: &[String]) -> Result<Programme, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = match crate::text::single_line(&d.name, "Programmets namn") {
        Ok(n) => n,
        Err(m) => {
            e.add("name", "invalid_text", m);
            String::new()
        }
    };
    if e.is_empty() && (name.is_empty() || name.chars().count() > 200) {
        e.add(
            "name",
            "invalid_name",
            "Programmets namn måste vara 1–200 tecken.",
        );
    }
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let starts = date(&d.starts);
    if starts.is_none() {
        e.add("starts", "invalid_date", "Ange startdatum som ÅÅÅÅ-MM-DD.");
    }
    let ends = date(&d.ends);
    if ends.is_none() {
        e.add("ends", "invalid_date", "Ange slutdatum som ÅÅÅÅ-MM-DD.");
    }
    if let (Some(s), Some(t)) = (starts, ends) {
        if t <= s {
            e.add(
                "ends",
                "ends_before_start",
                "Slutdatum måste vara efter startdatum.",
            );
        }
    }
    let granted_sek = parse_int(&d.granted_sek).filter(|v| *v > 0);
    if granted_sek.is_none() {
        e.add(
            "granted_sek",
            "invalid_amount",
            "Ange beviljat belopp i hela kronor, större än 0.",
        );
    }
    let rate = crate::fields::parse_decimal(d.cofinancing_rate.trim().trim_end_matches('%'));
    let rate = match rate {
        // "46 %" or "46" typed in a form means 0.46.
        Some(r) if d.cofinancing_rate.contains('%') || (r > 1.0 && r <= 100.0) => Some(r / 100.0),
        other => other,
    }
    .filter(|r| *r > 0.0 && *r <= 1.0);
    if rate.is_none() {
        e.add(
            "cofinancing_rate",
            "invalid_rate",
            "Ange medfinansieringsgraden som en andel mellan 0 och 1 (t.ex. 0,46) eller i procent (46 %).",
        );
    }
    let target_hours = Hours::parse(&d.target_hours, f64::MAX).map(Hours::get);
    if target_hours.is_none() {
        e.add(
            "target_hours",
            "invalid_hours",
            "Ange antal deltagartimmar som ett tal större än 0.",
        );
    }
    let mut employees = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (m, n) in &d.employees {
        let field = format!("employees.{}", m.trim());
        let Some(canonical) = known
            .iter()
            .find(|k| k.to_lowercase() == m.trim().to_lowercase())
        else {
            e.add(
                &field,
                "unknown_municipality",
                crate::text::unknown("kommun", m),
            );
            continue;
        };
        if !seen.insert(canonical.clone()) {
            e.add(
                &field,
                "duplicate",
                format!("Kommunen {canonical} står flera gånger."),
            );
            continue;
        }
        if n.trim().is_empty() {
            continue;
        }
        match parse_int(n).filter(|v| *v >= 0) {
            Some(v) => employees.push((canonical.clone(), v)),
            None => e.add(
                &field,
                "invalid_employees",
                format!("Antal anställda i {canonical} måste vara ett heltal, 0 eller större."),
            ),
        }
    }
    if e.0.iter().all(|x| !x.field.starts_with("employees"))
        && employees.iter().map(|(_, n)| n).sum::<i64>() == 0
    {
        e.add(
            "employees",
            "no_employees",
            "Ange antal anställda för minst en kommun; åtagandet fördelas efter dem.",
        );
    }
    match (starts, ends, granted_sek, rate, target_hours) {
        (
            Some(starts),
            Some(ends),
            Some(granted_sek),
            Some(cofinancing_rate),
            Some(target_hours),
        ) if e.is_empty() => Ok(Programme {
            name,
            starts,
            ends,
            granted_sek,
            cofinancing_rate,
            target_hours,
            employees,
        }),
        _ => Err(e),
    }
}

/// An error in a TOML file, with the line it concerns (1-based) when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlError {
    pub line: Option<usize>,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for TomlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(
                f,
                "rad {l}, ”{}”: {}",
                crate::tabular::excerpt(&self.key),
                self.message
            ),
            None => write!(
                f,
                "”{}”: {}",
                crate::tabular::excerpt(&self.key),
                self.message
            ),
        }
    }
}

/// The line where each `key = …` is first written (at top level or in
/// `[employees]`), found in one pass over the text.
fn key_lines(text: &str) -> HashMap<&str, usize> {
    let mut out = HashMap::new();
    for (i, l) in text.lines().enumerate() {
        let l = l.trim_start();
        let (key, rest) = match l.strip_prefix('"') {
            Some(r) => match r.find('"') {
                Some(end) => (&r[..end], &r[end + 1..]),
                None => continue,
            },
            None => {
                let end = l
                    .find(|c: char| c == '=' || c.is_whitespace())
                    .unwrap_or(l.len());
                (&l[..end], &l[end..])
            }
        };
        if !key.is_empty() && rest.trim_start().starts_with('=') {
            out.entry(key).or_insert(i + 1);
        }
    }
    out
}

fn line_of(lines: &HashMap<&str, usize>, key: &str) -> Option<usize> {
    let key = key.strip_prefix("employees.").unwrap_or(key);
    lines.get(key).copied()
}

/// Largest funding file read (a programme for every municipality in
/// Sweden is about 10 kB).
pub const MAX_TOML_BYTES: usize = 256 * 1024;

/// Parse and check a funding programme written as TOML (see CONTRACTS.md).
pub fn parse_toml(text: &str, known: &[String]) -> Result<Programme, Vec<TomlError>> {
    let text = text.trim_start_matches('\u{feff}');
    if text.len() > MAX_TOML_BYTES {
        return Err(vec![TomlError {
            line: None,
            key: String::new(),
            message: format!(
                "Filen är större än {} kB; en finansieringsfil är några kB.",
                MAX_TOML_BYTES / 1024
            ),
        }]);
    }
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(err) => {
            let line = err
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            return Err(vec![TomlError {
                line,
                key: String::new(),
                message: format!("Filen är inte giltig TOML: {}", err.message()),
            }]);
        }
    };
    let lines = key_lines(text);
    let mut errs = Vec::new();
    let mut d = ProgrammeDraft::default();
    let allowed = [
        "name",
        "starts",
        "ends",
        "granted_sek",
        "cofinancing_rate",
        "target_hours",
        "employees",
    ];
    for k in table.keys() {
        if !allowed.contains(&k.as_str()) {
            errs.push(TomlError {
                line: line_of(&lines, k),
                key: k.clone(),
                message: format!("Okänd nyckel; tillåtna är {}.", allowed.join(", ")),
            });
        }
    }
    let scalar = |key: &str, errs: &mut Vec<TomlError>| -> String {
        match table.get(key) {
            None => {
                errs.push(TomlError {
                    line: None,
                    key: key.into(),
                    message: "Nyckeln saknas.".into(),
                });
                String::new()
            }
            Some(toml::Value::String(s)) => s.clone(),
            Some(toml::Value::Integer(i)) => i.to_string(),
            Some(toml::Value::Float(f)) => f.to_string(),
            Some(toml::Value::Datetime(dt)) => dt.to_string(),
            Some(_) => {
                errs.push(TomlError {
                    line: line_of(&lines, key),
                    key: key.into(),
                    message: "Värdet har fel typ.".into(),
                });
                String::new()
            }
        }
    };
    d.name = scalar("name", &mut errs);
    d.starts = scalar("starts", &mut errs);
    d.ends = scalar("ends", &mut errs);
    d.granted_sek = scalar("granted_sek", &mut errs);
    d.cofinancing_rate = scalar("cofinancing_rate", &mut errs);
    d.target_hours = scalar("target_hours", &mut errs);
    match table.get("employees") {
        Some(toml::Value::Table(t)) => {
            for (m, v) in t {
                let n = match v {
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::String(s) => s.clone(),
                    _ => "x".into(),
                };
                d.employees.push((m.clone(), n));
            }
        }
        Some(_) => errs.push(TomlError {
            line: line_of(&lines, "employees"),
            key: "employees".into(),
            message: "”employees” ska vara en tabell: [employees] med \"Kommun\" = antal.".into(),
        }),
        None => errs.push(TomlError {
            line: None,
            key: "employees".into(),
            message: "Tabellen [employees] saknas.".into(),
        }),
    }
    // Report only the first problem per key: a missing key is not also invalid.
    let missing: Vec<String> = errs.iter().map(|e| e.key.clone()).collect();
    match check_programme(&d, known) {
        Ok(p) if errs.is_empty() => Ok(p),
        Ok(_) => Err(errs),
        Err(fe) => {
            for f in fe.0 {
                if missing.contains(&f.field) {
                    continue;
                }
                errs.push(TomlError {
                    line: line_of(&lines, &f.field),
                    key: f.field,
                    message: f.message,
                });
            }
            Err(errs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        ["Örebro", "Karlskoga", "Hällefors", "Laxå"]
            .map(String::from)
            .to_vec()
    }

    const CONTRACT_EXAMPLE: &str = r#"name = "ESF Kompetensnavet"
starts = 2025-01-01
ends = 2027-06-30
granted_sek = 23731055
cofinancing_rate = 0.46
target_hours = 42000

# employees per municipality
[employees]
"Örebro" = 9000
"Karlskoga" = 1900
"#;

    #[test]
    fn contract_example_parses() {
        let p = parse_toml(CONTRACT_EXAMPLE, &known()).unwrap();
        assert_eq!(p.name, "ESF Kompetensnavet");
        assert_eq!(p.starts, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        assert_eq!(p.granted_sek, 23_731_055);
        assert!((p.cofinancing_rate - 0.46).abs() < 1e-12);
        assert_eq!(
            p.employees,
            vec![("Karlskoga".into(), 1900), ("Örebro".into(), 9000)]
        );
        assert!((p.cofinancing_sek() - 10_916_285.3).abs() < 0.01);
    }

    #[test]
    fn commitment_follows_employee_share() {
        let mut p = parse_toml(CONTRACT_EXAMPLE, &known()).unwrap();
        p.employees = vec![("Örebro".into(), 9000), ("Laxå".into(), 1000)];
        let c = p.commitments();
        assert!((c[0].commitment_hours - 37_800.0).abs() < 1e-9);
        assert!((c[1].commitment_hours - 4_200.0).abs() < 1e-9);
        assert!((c[0].share - 0.9).abs() < 1e-12);
        let sum: f64 = c.iter().map(|x| x.commitment_hours).sum();
        assert!((sum - p.target_hours).abs() < 1e-9);
        // Doubling one municipality's staff doubles its weight.
        p.employees[1].1 = 2000;
        let c = p.commitments();
        assert!((c[1].commitment_hours - 42_000.0 * 2000.0 / 11_000.0).abs() < 1e-9);
    }

    #[test]
    fn elapsed_share_and_on_track() {
        let p = parse_toml(CONTRACT_EXAMPLE, &known()).unwrap();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(p.elapsed_share(d("2024-06-01")), 0.0);
        assert_eq!(p.elapsed_share(d("2030-01-01")), 1.0);
        let end_2025 = p.elapsed_share(d("2025-12-31"));
        assert!((end_2025 - 365.0 / 911.0).abs() < 1e-12);
        // 22 % reached after 40 % of the time is behind a linear pace.
        let pr = progress(0.22 * 1000.0, 1000.0, end_2025);
        assert!(!pr.on_track);
        assert!((pr.achieved_pct - 22.0).abs() < 1e-9);
        // Hällefors' 111 % is ahead.
        assert!(progress(1110.0, 1000.0, end_2025).on_track);
        // No commitment: never on track, no division by zero.
        assert_eq!(progress(10.0, 0.0, 0.5).achieved_pct, 0.0);
    }

    #[test]
    fn every_bad_value_is_named_with_its_line() {
        let text = "name = \"\"\nstarts = 2027-01-01\nends = 2026-01-01\ngranted_sek = -5\ncofinancing_rate = 1.5e3\ntarget_hours = 0\nfoo = 1\n[employees]\n\"Stockholm\" = 10\n\"Örebro\" = -1\n";
        let errs = parse_toml(text, &known()).unwrap_err();
        let got: Vec<(Option<usize>, &str)> =
            errs.iter().map(|e| (e.line, e.key.as_str())).collect();
        assert!(got.contains(&(Some(7), "foo")), "{got:?}");
        assert!(got.contains(&(Some(1), "name")));
        assert!(got.contains(&(Some(3), "ends")));
        assert!(got.contains(&(Some(4), "granted_sek")));
        assert!(got.contains(&(Some(5), "cofinancing_rate")));
        assert!(got.contains(&(Some(6), "target_hours")));
        assert!(got.contains(&(Some(9), "employees.Stockholm")));
        assert!(got.contains(&(Some(10), "employees.Örebro")));
    }

    #[test]
    fn missing_keys_and_syntax_errors() {
        let errs = parse_toml("name = \"x\"\n", &known()).unwrap_err();
        let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "starts",
                "ends",
                "granted_sek",
                "cofinancing_rate",
                "target_hours",
                "employees"
            ]
        );
        let errs = parse_toml("name = \"x\nstarts = 2025-01-01\n", &known()).unwrap_err();
        assert_eq!(errs[0].line, Some(1));
        assert!(errs[0].message.contains("TOML"));
    }

    #[test]
    fn form_accepts_percent_and_spaces() {
        let d = ProgrammeDraft {
            name: "P".into(),
            starts: "2025-01-01".into(),
            ends: "2027-06-30".into(),
            granted_sek: "23 731 055".into(),
            cofinancing_rate: "46 %".into(),
            target_hours: "42 000".into(),
            employees: vec![
                ("örebro".into(), "9 000".into()),
                ("Laxå".into(), "".into()),
            ],
        };
        let p = check_programme(&d, &known()).unwrap();
        assert!((p.cofinancing_rate - 0.46).abs() < 1e-12);
        assert_eq!(p.granted_sek, 23_731_055);
        assert_eq!(p.employees, vec![("Örebro".into(), 9000)]);
        let d2 = ProgrammeDraft {
            cofinancing_rate: "0,46".into(),
            ..d.clone()
        };
        assert!((check_programme(&d2, &known()).unwrap().cofinancing_rate - 0.46).abs() < 1e-12);
    }
}
