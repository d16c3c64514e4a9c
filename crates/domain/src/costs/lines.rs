//! Cost lines: what the hub costs per year, line by line, and which lines
//! follow the volume of courses.

use serde::{Deserialize, Serialize};

use super::money::{self, div_round, kr, number, parse_fixed, percent_bp, Ore, ParseError};
use crate::errors::FieldErrors;

vocab!(
    /// Kostnadsslag.
    #[serde(rename_all = "snake_case")]
    CostKind {
        Staff = ("staff", "personal", "staff"),
        Cars = ("cars", "bilar", "cars"),
        Equipment = ("equipment", "utrustning", "equipment"),
        Premises = ("premises", "lokaler", "premises"),
        Conferences = ("conferences", "konferenser", "conferences"),
        TrainerTraining = ("trainer_training", "utbildning av utbildningsledare", "training of trainers"),
        Other = ("other", "övrigt", "other"),
    }
);

vocab!(
    /// What a volume-scaled line follows. `course_hours` is participant
    /// hours (attended hours summed over participants); the code keeps its
    /// first name so stored lines and API clients go on working.
    #[serde(rename_all = "snake_case")]
    Driver {
        CourseHours = ("course_hours", "deltagartimmar", "participant hours"),
        Sessions = ("sessions", "kurstillfällen", "sessions"),
    }
);

/// How a line's yearly amount is worked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Basis {
    /// A yearly amount, e.g. last year's actual cost.
    Annual { amount: Ore },
    /// One role: FTE × monthly salary × 12 × (1 + payroll overhead).
    /// `fte_centi` is hundredths of a full-time post, `overhead_bp`
    /// hundredths of a percent.
    Staff {
        role: String,
        fte_centi: i64,
        monthly_salary: Ore,
        overhead_bp: i64,
    },
    /// A purchase spread evenly over its depreciation years.
    Depreciation { purchase: Ore, years: i64 },
}

impl Basis {
    pub fn code(&self) -> &'static str {
        match self {
            Basis::Annual { .. } => "annual",
            Basis::Staff { .. } => "staff",
            Basis::Depreciation { .. } => "depreciation",
        }
    }
    pub fn label_sv(&self) -> &'static str {
        basis_label(self.code())
    }
}

pub fn basis_label(code: &str) -> &'static str {
    match code {
        "annual" => "årsbelopp",
        "staff" => "personal (årsarbeten × månadslön)",
        "depreciation" => "inköp med avskrivning",
        _ => "",
    }
}

/// Whether a line is fixed or follows the volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scaling", rename_all = "snake_case")]
pub enum Scaling {
    /// The same whatever the volume (and whoever takes part).
    Fixed,
    /// The basis amount is the cost for every `per_centi`/100 units of the
    /// driver: "1 utbildningsledare per 1 000 deltagartimmar".
    PerVolume { driver: Driver, per_centi: i64 },
}

impl Scaling {
    pub fn is_fixed(&self) -> bool {
        matches!(self, Scaling::Fixed)
    }
    pub fn describe(&self) -> String {
        match self {
            Scaling::Fixed => "fast".into(),
            Scaling::PerVolume { driver, per_centi } => {
                format!(
                    "per {} {}",
                    number(*per_centi as f64 / 100.0, 2),
                    driver.label_sv()
                )
            }
        }
    }
}

/// One line of the cost model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLine {
    pub id: i64,
    pub label: String,
    pub kind: CostKind,
    #[serde(flatten)]
    pub basis: Basis,
    #[serde(flatten)]
    pub scaling: Scaling,
    pub note: String,
}

/// The volume a scenario expects per year, in hundredths (centi-units) so
/// scaling is exact integer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Volume {
    pub course_hours_centi: i64,
    /// Unknown when there is no number of course hours per session.
    pub sessions_centi: Option<i64>,
}

impl Volume {
    pub fn of(&self, driver: Driver) -> Option<i64> {
        match driver {
            Driver::CourseHours => Some(self.course_hours_centi),
            Driver::Sessions => self.sessions_centi,
        }
    }
}

impl CostLine {
    /// The yearly amount before volume scaling, rounded to the öre.
    pub fn base_annual(&self) -> Ore {
        match &self.basis {
            Basis::Annual { amount } => *amount,
            Basis::Staff {
                fte_centi,
                monthly_salary,
                overhead_bp,
                ..
            } => div_round(
                *monthly_salary as i128 * 12 * *fte_centi as i128 * (10_000 + *overhead_bp as i128),
                100 * 10_000,
            ) as Ore,
            Basis::Depreciation { purchase, years } => {
                div_round(*purchase as i128, (*years).max(1) as i128) as Ore
            }
        }
    }

    /// The yearly cost at `volume`. `None` when the line follows sessions
    /// and the number of sessions is unknown.
    pub fn annual(&self, volume: &Volume) -> Option<Ore> {
        let base = self.base_annual();
        match self.scaling {
            Scaling::Fixed => Some(base),
            Scaling::PerVolume { driver, per_centi } => {
                let v = volume.of(driver)?;
                Some(div_round(base as i128 * v as i128, per_centi.max(1) as i128) as Ore)
            }
        }
    }

    /// How the basis amount is computed, in words and numbers.
    pub fn base_formula(&self) -> String {
        match &self.basis {
            Basis::Annual { amount } => format!("årsbelopp {}", kr(*amount)),
            Basis::Staff {
                role,
                fte_centi,
                monthly_salary,
                overhead_bp,
            } => format!(
                "{role}: {} årsarbeten × {} i månadslön × 12 månader × (1 + {} personalomkostnadspålägg) = {}",
                number(*fte_centi as f64 / 100.0, 2),
                kr(*monthly_salary),
                percent_bp(*overhead_bp),
                kr(self.base_annual())
            ),
            Basis::Depreciation { purchase, years } => format!(
                "inköp {} ÷ {} års avskrivning = {} per år",
                kr(*purchase),
                years,
                kr(self.base_annual())
            ),
        }
    }

    /// How the yearly cost at `volume` follows from the basis.
    pub fn scaling_formula(&self, volume: &Volume) -> String {
        match self.scaling {
            Scaling::Fixed => format!(
                "fast kostnad: {} per år oavsett volym",
                kr(self.base_annual())
            ),
            Scaling::PerVolume { driver, per_centi } => {
                match (volume.of(driver), self.annual(volume)) {
                    (Some(v), Some(a)) => format!(
                        "{} per {} {d} × {} {d} ÷ {} = {}",
                        kr(self.base_annual()),
                        number(per_centi as f64 / 100.0, 2),
                        number(v as f64 / 100.0, 2),
                        number(per_centi as f64 / 100.0, 2),
                        kr(a),
                        d = driver.label_sv(),
                    ),
                    _ => format!("följer antalet {} (okänt)", driver.label_sv()),
                }
            }
        }
    }
}

/// A cost line as typed in a form or sent to the API, before checks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LineDraft {
    pub label: String,
    pub kind: String,
    /// `annual`, `staff` or `depreciation`.
    pub basis: String,
    pub amount: String,
    pub role: String,
    pub fte: String,
    pub monthly_salary: String,
    pub overhead_pct: String,
    pub purchase: String,
    pub years: String,
    /// `fixed`, `course_hours` or `sessions`.
    pub scaling: String,
    pub per: String,
    pub note: String,
}

impl LineDraft {
    /// The draft that shows `line` in a form.
    pub fn from_line(line: &CostLine) -> LineDraft {
        let plain_kr = |o: Ore| {
            if o % 100 == 0 {
                (o / 100).to_string()
            } else {
                format!("{},{:02}", o / 100, o % 100)
            }
        };
        let plain = |v: i64| number(v as f64 / 100.0, 2).replace(' ', "");
        let mut d = LineDraft {
            label: line.label.clone(),
            kind: line.kind.code().into(),
            basis: line.basis.code().into(),
            note: line.note.clone(),
            scaling: "fixed".into(),
            ..Default::default()
        };
        match &line.basis {
            Basis::Annual { amount } => d.amount = plain_kr(*amount),
            Basis::Staff {
                role,
                fte_centi,
                monthly_salary,
                overhead_bp,
            } => {
                d.role = role.clone();
                d.fte = plain(*fte_centi);
                d.monthly_salary = plain_kr(*monthly_salary);
                d.overhead_pct = plain(*overhead_bp);
            }
            Basis::Depreciation { purchase, years } => {
                d.purchase = plain_kr(*purchase);
                d.years = years.to_string();
            }
        }
        if let Scaling::PerVolume { driver, per_centi } = line.scaling {
            d.scaling = driver.code().into();
            d.per = plain(per_centi);
        }
        d
    }
}

/// A Swedish message for a money field that could not be read.
fn money_message(what: &str, e: ParseError) -> String {
    // Definite neuter nouns (årsbeloppet, inköpspriset) take "negativt".
    let negative = if what.ends_with("et") {
        "negativt"
    } else {
        "negativ"
    };
    match e {
        ParseError::Empty => format!("Ange {what} i kronor."),
        ParseError::Negative => format!("{} får inte vara {negative}.", capitalise(what)),
        ParseError::TooManyDecimals => format!("Ange {what} i kronor med högst två decimaler."),
        ParseError::NotANumber => format!("Ange {what} som ett belopp i kronor, t.ex. 38 500."),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The most a single amount may be: a hundred billion kronor.
const MAX_ORE: Ore = 100_000_000_000 * 100;

fn money(e: &mut FieldErrors, field: &str, what: &str, s: &str) -> Option<Ore> {
    match money::parse_kr(s) {
        Ok(v) if v <= MAX_ORE => Some(v),
        Ok(_) => {
            e.add(
                field,
                "too_large",
                format!("Beloppet för {what} är orimligt högt (högst 100 miljarder kr)."),
            );
            None
        }
        Err(err) => {
            let code = if err == ParseError::Negative {
                "negative"
            } else {
                "invalid_amount"
            };
            e.add(field, code, money_message(what, err));
            None
        }
    }
}

/// Check a draft; the line gets id 0 (the store assigns ids).
pub fn check_line(d: &LineDraft) -> Result<CostLine, FieldErrors> {
    let mut e = FieldErrors::new();
    let label = d.label.trim().to_string();
    if label.is_empty() || label.chars().count() > 120 {
        e.add(
            "label",
            "invalid_label",
            "Benämningen måste vara 1–120 tecken.",
        );
    }
    let kind = CostKind::parse(&d.kind);
    if kind.is_none() {
        e.add(
            "kind",
            "invalid_kind",
            "Välj kostnadsslag: personal, bilar, utrustning, lokaler, konferenser, utbildning av utbildningsledare eller övrigt.",
        );
    }
    let basis_code = d.basis.trim().to_lowercase();
    let basis = match basis_code.as_str() {
        "annual" | "årsbelopp" => {
            money(&mut e, "amount", "årsbeloppet", &d.amount).map(|amount| Basis::Annual { amount })
        }
        "staff" | "personal" => {
            let role = d.role.trim().to_string();
            if role.is_empty() || role.chars().count() > 120 {
                e.add(
                    "role",
                    "invalid_role",
                    "Ange rollen (t.ex. utbildningsledare), högst 120 tecken.",
                );
            }
            let fte = parse_fixed(&d.fte, 2)
                .ok()
                .filter(|v| *v > 0 && *v <= 100_00);
            if fte.is_none() {
                e.add(
                    "fte",
                    "invalid_fte",
                    "Ange antal årsarbeten (heltidstjänster) som ett tal större än 0 och högst 100, t.ex. 1 eller 0,5.",
                );
            }
            let salary = money(&mut e, "monthly_salary", "månadslönen", &d.monthly_salary);
            let overhead = match parse_fixed(&d.overhead_pct, 2) {
                Ok(v) if v <= 200_00 => Some(v),
                Err(ParseError::Negative) => {
                    e.add(
                        "overhead_pct",
                        "negative",
                        "Personalomkostnadspålägget får inte vara negativt.",
                    );
                    None
                }
                _ => {
                    e.add(
                        "overhead_pct",
                        "invalid_overhead",
                        "Ange personalomkostnadspålägget i procent, 0–200 (t.ex. 42).",
                    );
                    None
                }
            };
            match (fte, salary, overhead) {
                (Some(fte_centi), Some(monthly_salary), Some(overhead_bp)) if !role.is_empty() => {
                    Some(Basis::Staff {
                        role,
                        fte_centi,
                        monthly_salary,
                        overhead_bp,
                    })
                }
                _ => None,
            }
        }
        "depreciation" | "avskrivning" => {
            let purchase = money(&mut e, "purchase", "inköpspriset", &d.purchase);
            let years = d
                .years
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|y| (1..=50).contains(y));
            if years.is_none() {
                e.add(
                    "years",
                    "invalid_years",
                    "Ange avskrivningstiden i hela år, 1–50.",
                );
            }
            match (purchase, years) {
                (Some(purchase), Some(years)) => Some(Basis::Depreciation { purchase, years }),
                _ => None,
            }
        }
        _ => {
            e.add(
                "basis",
                "invalid_basis",
                "Välj beräkningssätt: årsbelopp, personal (årsarbeten × månadslön) eller inköp med avskrivning.",
            );
            None
        }
    };
    match (kind, &basis) {
        (Some(k), Some(Basis::Staff { .. })) if k != CostKind::Staff => e.add(
            "basis",
            "basis_kind",
            "Beräkningssättet personal (årsarbeten × månadslön) gäller bara kostnadsslaget personal.",
        ),
        (Some(CostKind::Staff), Some(Basis::Depreciation { .. })) => e.add(
            "basis",
            "basis_kind",
            "Personalkostnader skrivs inte av: välj årsbelopp eller personal.",
        ),
        _ => {}
    }
    let scaling = match d.scaling.trim().to_lowercase().as_str() {
        "" | "fixed" | "fast" => Some(Scaling::Fixed),
        // The measure's new name and the old Swedish word still read.
        s => match Driver::parse(match s {
            "participant_hours" | "kurstimmar" => "course_hours",
            other => other,
        }) {
            Some(driver) => match parse_fixed(&d.per, 2)
                .ok()
                .filter(|v| *v > 0 && *v <= 1_000_000_000_00)
            {
                Some(per_centi) => Some(Scaling::PerVolume { driver, per_centi }),
                None => {
                    e.add(
                        "per",
                        "invalid_per",
                        format!(
                            "Ange för hur många {} beloppet gäller (t.ex. 1 000), ett tal större än 0.",
                            driver.label_sv()
                        ),
                    );
                    None
                }
            },
            None => {
                e.add(
                    "scaling",
                    "invalid_scaling",
                    "Välj om kostnaden är fast eller följer antalet deltagartimmar eller kurstillfällen.",
                );
                None
            }
        },
    };
    let note = d.note.trim().to_string();
    if note.chars().count() > 1000 {
        e.add(
            "note",
            "too_long",
            "Anteckningen får vara högst 1 000 tecken.",
        );
    }
    match (kind, basis, scaling) {
        (Some(kind), Some(basis), Some(scaling)) if e.is_empty() => Ok(CostLine {
            id: 0,
            label,
            kind,
            basis,
            scaling,
            note,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> LineDraft {
        LineDraft {
            label: "Utbildningsledare".into(),
            kind: "staff".into(),
            basis: "staff".into(),
            role: "utbildningsledare".into(),
            fte: "1,5".into(),
            monthly_salary: "38 000".into(),
            overhead_pct: "42".into(),
            scaling: "fixed".into(),
            ..Default::default()
        }
    }

    fn fields(e: &FieldErrors) -> Vec<&str> {
        e.0.iter().map(|x| x.field.as_str()).collect()
    }

    #[test]
    fn staff_cost_is_fte_times_salary_times_twelve_plus_overhead() {
        let l = check_line(&draft()).unwrap();
        // 1.5 × 38 000 × 12 × 1.42 = 971 280 kr
        assert_eq!(l.base_annual(), 97_128_000);
        assert!(l.base_formula().contains("1,5 årsarbeten × 38 000 kr"));
        assert!(l.base_formula().contains("42 % personalomkostnadspålägg"));
    }

    #[test]
    fn staff_cost_rounds_half_away_from_zero_to_the_ore() {
        let l = CostLine {
            id: 1,
            label: "x".into(),
            kind: CostKind::Staff,
            basis: Basis::Staff {
                role: "x".into(),
                fte_centi: 33,
                monthly_salary: 101,
                overhead_bp: 3142,
            },
            scaling: Scaling::Fixed,
            note: String::new(),
        };
        // 1.01 kr × 12 × 0.33 × 1.3142 = 5.2562… kr → 526 öre
        assert_eq!(l.base_annual(), 526);
    }

    #[test]
    fn depreciation_spreads_the_purchase() {
        let l = check_line(&LineDraft {
            label: "Simuleringsdockor".into(),
            kind: "utrustning".into(),
            basis: "depreciation".into(),
            purchase: "553 426".into(),
            years: "5".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(l.base_annual(), 11_068_520);
        assert_eq!(
            l.annual(&Volume {
                course_hours_centi: 0,
                sessions_centi: None
            }),
            Some(11_068_520)
        );
        assert!(l.base_formula().contains("553 426 kr ÷ 5"));
    }

    #[test]
    fn volume_scaled_lines_follow_volume_and_fixed_lines_do_not() {
        let mut d = draft();
        d.fte = "1".into();
        d.scaling = "course_hours".into();
        d.per = "1 000".into();
        let l = check_line(&d).unwrap();
        let base = l.base_annual(); // 1 FTE per 1 000 course hours
        let at = |h: i64| {
            l.annual(&Volume {
                course_hours_centi: h * 100,
                sessions_centi: None,
            })
            .unwrap()
        };
        assert_eq!(at(1000), base);
        assert_eq!(at(2000), 2 * base);
        assert_eq!(at(500), base / 2);
        assert_eq!(at(0), 0);
        // Proportional throughout.
        for h in [1, 7, 250, 999, 8478, 42_000] {
            assert_eq!(at(h), div_round(base as i128 * h as i128, 1000) as Ore);
        }
        let fixed = check_line(&draft()).unwrap();
        for h in [0, 1000, 50_000] {
            assert_eq!(
                fixed.annual(&Volume {
                    course_hours_centi: h * 100,
                    sessions_centi: Some(5)
                }),
                Some(fixed.base_annual())
            );
        }
    }

    #[test]
    fn session_scaled_line_needs_a_number_of_sessions() {
        let l = check_line(&LineDraft {
            label: "Bilar".into(),
            kind: "cars".into(),
            basis: "annual".into(),
            amount: "1 200".into(),
            scaling: "sessions".into(),
            per: "10".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            l.annual(&Volume {
                course_hours_centi: 100,
                sessions_centi: None
            }),
            None
        );
        assert_eq!(
            l.annual(&Volume {
                course_hours_centi: 100,
                sessions_centi: Some(2500)
            }),
            Some(300_000)
        );
        assert!(l
            .scaling_formula(&Volume {
                course_hours_centi: 0,
                sessions_centi: Some(2500)
            })
            .contains("25 kurstillfällen"));
    }

    #[test]
    fn negative_and_missing_amounts_name_the_field() {
        let e = check_line(&LineDraft {
            label: "Bilar".into(),
            kind: "cars".into(),
            basis: "annual".into(),
            amount: "-5 000".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(fields(&e), ["amount"]);
        assert_eq!(e.0[0].code, "negative");
        assert_eq!(e.get("amount"), Some("Årsbeloppet får inte vara negativt."));
        let mut d = draft();
        d.monthly_salary = "−38 000".into();
        d.overhead_pct = "-3".into();
        d.fte = "0".into();
        d.role = " ".into();
        let e = check_line(&d).unwrap_err();
        assert_eq!(
            fields(&e),
            ["role", "fte", "monthly_salary", "overhead_pct"]
        );
        assert!(e.0.iter().filter(|x| x.code == "negative").count() == 2);
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = check_line(&LineDraft {
            label: "".into(),
            kind: "flyg".into(),
            basis: "?".into(),
            scaling: "ibland".into(),
            note: "x".repeat(1001),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(fields(&e), ["label", "kind", "basis", "scaling", "note"]);
        let e = check_line(&LineDraft {
            label: "Dockor".into(),
            kind: "equipment".into(),
            basis: "depreciation".into(),
            purchase: "1,234".into(),
            years: "0".into(),
            scaling: "course_hours".into(),
            per: "0".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(fields(&e), ["purchase", "years", "per"]);
        assert!(e.get("purchase").unwrap().contains("två decimaler"));
        assert!(e.get("per").unwrap().contains("deltagartimmar"));
    }

    #[test]
    fn basis_must_fit_the_kind() {
        let mut d = draft();
        d.kind = "cars".into();
        assert_eq!(fields(&check_line(&d).unwrap_err()), ["basis"]);
        let e = check_line(&LineDraft {
            label: "Personal".into(),
            kind: "staff".into(),
            basis: "depreciation".into(),
            purchase: "100".into(),
            years: "3".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(fields(&e), ["basis"]);
        // A staff lump sum (last year's actual cost) is fine.
        let l = check_line(&LineDraft {
            label: "Projektpersonal".into(),
            kind: "personal".into(),
            basis: "annual".into(),
            amount: "3 327 214".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(l.base_annual(), 332_721_400);
        assert!(l.scaling.is_fixed());
    }

    #[test]
    fn a_line_round_trips_through_its_draft() {
        let mut d = draft();
        d.monthly_salary = "38 000,50".into();
        d.overhead_pct = "31,42".into();
        d.scaling = "deltagartimmar".into();
        d.per = "1 000,5".into();
        let l = check_line(&d).unwrap();
        assert_eq!(check_line(&LineDraft::from_line(&l)).unwrap(), l);
        let dep = check_line(&LineDraft {
            label: "Bil".into(),
            kind: "cars".into(),
            basis: "depreciation".into(),
            purchase: "250 000".into(),
            years: "6".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(check_line(&LineDraft::from_line(&dep)).unwrap(), dep);
    }

    #[test]
    fn kinds_and_drivers_parse_code_or_swedish_label() {
        assert_eq!(
            CostKind::parse("Utbildning av utbildningsledare"),
            Some(CostKind::TrainerTraining)
        );
        assert_eq!(CostKind::parse("övrigt"), Some(CostKind::Other));
        assert_eq!(Driver::parse("kurstillfällen"), Some(Driver::Sessions));
        assert_eq!(Driver::parse("deltagartimmar"), Some(Driver::CourseHours));
        for old in ["kurstimmar", "participant_hours", "course_hours"] {
            let d = LineDraft {
                scaling: old.into(),
                per: "1000".into(),
                ..draft()
            };
            assert_eq!(
                check_line(&d).unwrap().scaling,
                Scaling::PerVolume {
                    driver: Driver::CourseHours,
                    per_centi: 100_000
                },
                "{old}"
            );
        }
        assert_eq!(CostKind::ALL.len(), 7);
        assert_eq!(
            Scaling::PerVolume {
                driver: Driver::CourseHours,
                per_centi: 100_000
            }
            .describe(),
            "per 1 000 deltagartimmar"
        );
    }
}
