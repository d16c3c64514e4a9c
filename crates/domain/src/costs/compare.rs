//! Several scenarios side by side, with the differences explained in plain
//! Swedish against the first (the baseline).

use serde::Serialize;

use super::money::{div_round, kr, kr_signed, number, Ore};
use super::scenario::{genitive, join_sv, kommuner, ScenarioResult};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioColumn {
    pub scenario_id: i64,
    pub name: String,
    pub weights_label: String,
    pub municipalities: usize,
    pub fixed: Ore,
    pub variable: Ore,
    pub total: Ore,
    pub course_hours: f64,
    pub participants: f64,
    pub per_course_hour: Option<Ore>,
    pub per_participant: Option<Ore>,
    pub per_inhabitant: Option<Ore>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparisonRow {
    pub municipality_id: i64,
    pub name: String,
    /// Per scenario (in column order): what the municipality pays per year,
    /// `None` when it does not take part.
    pub shares: Vec<Option<Ore>>,
}

/// How one scenario differs from the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub base: usize,
    pub other: usize,
    pub summary: String,
    pub municipalities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub columns: Vec<ScenarioColumn>,
    pub rows: Vec<ComparisonRow>,
    pub differences: Vec<Difference>,
}

fn pct(fraction: f64) -> String {
    format!("{} %", number(fraction * 100.0, 1))
}

fn more_less(delta: Ore, more: &str, less: &str) -> String {
    if delta > 0 {
        format!("{} {more}", kr(delta))
    } else {
        format!("{} {less}", kr(-delta))
    }
}

/// Compare scenarios; the first is the baseline the others are explained against.
pub fn compare(results: &[ScenarioResult]) -> Comparison {
    let columns = results
        .iter()
        .map(|r| ScenarioColumn {
            scenario_id: r.scenario_id,
            name: r.name.clone(),
            weights_label: r.weights_label.clone(),
            municipalities: r.municipalities.len(),
            fixed: r.fixed,
            variable: r.variable,
            total: r.total,
            course_hours: r.course_hours,
            participants: r.participants,
            per_course_hour: r.per_course_hour,
            per_participant: r.per_participant,
            per_inhabitant: r.per_inhabitant,
        })
        .collect();
    let mut names: Vec<(i64, String)> = Vec::new();
    for r in results {
        for m in &r.municipalities {
            if !names.iter().any(|(id, _)| *id == m.id) {
                names.push((m.id, m.name.clone()));
            }
        }
    }
    crate::collation::sort_swedish_by(&mut names, |(_, n)| n);
    let rows = names
        .iter()
        .map(|(id, name)| ComparisonRow {
            municipality_id: *id,
            name: name.clone(),
            shares: results
                .iter()
                .map(|r| r.municipality(*id).map(|m| m.share))
                .collect(),
        })
        .collect();
    let differences = (1..results.len())
        .map(|i| difference(results, 0, i))
        .collect();
    Comparison {
        columns,
        rows,
        differences,
    }
}

fn names_missing(from: &ScenarioResult, in_: &ScenarioResult) -> Vec<String> {
    from.municipalities
        .iter()
        .filter(|m| in_.municipality(m.id).is_none())
        .map(|m| m.name.clone())
        .collect()
}

/// Explain scenario `other` against `base`.
pub fn difference(results: &[ScenarioResult], base: usize, other: usize) -> Difference {
    let a = &results[base];
    let b = &results[other];
    let (an, bn) = (format!("”{}”", a.name), format!("”{}”", b.name));
    let left = names_missing(a, b);
    let joined = names_missing(b, a);
    let d_total = b.total - a.total;
    let d_var = b.variable - a.variable;
    let same_key = a.weights == b.weights;

    let mut summary = if d_total == 0 {
        format!("{bn} kostar {} per år, lika mycket som {an}", kr(b.total))
    } else {
        format!(
            "{bn} kostar {} per år, {} än {an} ({})",
            kr(b.total),
            more_less(d_total, "mer", "mindre"),
            kr(a.total)
        )
    };
    let mut why = Vec::new();
    if d_var != 0 {
        why.push(format!(
            "de rörliga kostnaderna följer volymen ({} i stället för {} deltagartimmar per år)",
            number(b.course_hours, 0),
            number(a.course_hours, 0)
        ));
    }
    if a.fixed == b.fixed && a.fixed > 0 {
        why.push(format!("de fasta kostnaderna ({}) är desamma", kr(a.fixed)));
    }
    if d_total != 0 && !why.is_empty() {
        summary.push_str(", eftersom ");
        summary.push_str(&join_sv(&why));
    }
    summary.push('.');
    if !left.is_empty() || !joined.is_empty() {
        summary.push_str(&format!(
            " I {bn} deltar {}, i {an} {}.",
            kommuner(b.municipalities.len()),
            kommuner(a.municipalities.len())
        ));
    }
    if !same_key {
        summary.push_str(&format!(
            " Fördelningsnyckeln är {} i {bn} och {} i {an}.",
            b.weights_label, a.weights_label
        ));
    }

    let mut lines = Vec::new();
    let mut names: Vec<(i64, String)> = a
        .municipalities
        .iter()
        .chain(b.municipalities.iter())
        .map(|m| (m.id, m.name.clone()))
        .collect();
    crate::collation::sort_swedish_by(&mut names, |(_, n)| n);
    names.dedup_by_key(|(id, _)| *id);
    for (id, name) in names {
        match (a.municipality(id), b.municipality(id)) {
            (Some(ma), None) => lines.push(format!(
                "{name} är inte med i {bn} och betalar inget där (i {an}: {} per år).",
                kr(ma.share)
            )),
            (None, Some(mb)) => lines.push(format!(
                "{name} är med i {bn} och betalar {} per år där; i {an} är {name} inte med.",
                kr(mb.share)
            )),
            (Some(ma), Some(mb)) => {
                let delta = mb.share - ma.share;
                if delta.abs() < 100 {
                    lines.push(format!(
                        "{name} betalar lika mycket i {bn} som i {an} ({} per år).",
                        kr(mb.share)
                    ));
                    continue;
                }
                // Each reason with the direction it pushes this municipality's
                // payment: those that agree with the difference explain it
                // ("eftersom"), the others are named as working against it ("trots att").
                let d_fraction = mb.fraction - ma.fraction;
                let fraction_dir = if d_fraction.abs() < 0.0005 {
                    0
                } else if d_fraction > 0.0 {
                    1
                } else {
                    -1
                };
                let mut why: Vec<(i64, String)> = Vec::new();
                if !left.is_empty() {
                    if a.fixed > 0 {
                        why.push((
                            1,
                            format!(
                                "{} inte är med och de fasta kostnaderna ({}) delas av {} i stället för {}",
                                join_sv(&left),
                                kr(a.fixed),
                                kommuner(b.municipalities.len()),
                                a.municipalities.len()
                            ),
                        ));
                    } else {
                        why.push((1, format!("{} inte är med", join_sv(&left))));
                    }
                }
                if !joined.is_empty() {
                    why.push((-1, format!("{} tillkommer", join_sv(&joined))));
                }
                if d_var != 0 {
                    why.push((
                        d_var.signum(),
                        format!(
                            "de rörliga kostnaderna är {} när volymen är {} i stället för {} deltagartimmar per år",
                            more_less(d_var, "högre", "lägre"),
                            number(b.course_hours, 0),
                            number(a.course_hours, 0)
                        ),
                    ));
                }
                if !same_key {
                    why.push((
                        fraction_dir,
                        format!(
                            "fördelningsnyckeln är {} i stället för {}",
                            b.weights_label, a.weights_label
                        ),
                    ));
                }
                if fraction_dir != 0 {
                    why.push((
                        fraction_dir,
                        format!(
                            "{} andel av kostnaden går från {} till {}",
                            genitive(&name),
                            pct(ma.fraction),
                            pct(mb.fraction)
                        ),
                    ));
                }
                let dir = delta.signum();
                let mut because: Vec<String> = why
                    .iter()
                    .filter(|(d, _)| *d == dir)
                    .map(|(_, t)| t.clone())
                    .collect();
                // A reason that does not move this municipality's payment is left out.
                let mut despite: Vec<String> = why
                    .iter()
                    .filter(|(d, _)| *d == -dir)
                    .map(|(_, t)| t.clone())
                    .collect();
                if because.is_empty() {
                    because = std::mem::take(&mut despite);
                }
                if because.is_empty() {
                    because.push(format!(
                        "{} egen förväntade volym är en annan",
                        genitive(&name)
                    ));
                }
                let mut s = format!(
                    "{name} betalar {} per år i {bn} än i {an} ({} i stället för {}), eftersom {}",
                    more_less(delta, "mer", "mindre"),
                    kr(mb.share),
                    kr(ma.share),
                    join_sv(&because)
                );
                if !despite.is_empty() {
                    s.push_str(&format!(", trots att {}", join_sv(&despite)));
                }
                s.push('.');
                // Split the difference: total changed at the old share, and share changed.
                if a.total > 0 && d_total != 0 {
                    let from_total =
                        div_round(d_total as i128 * ma.share as i128, a.total as i128) as Ore;
                    let from_share = delta - from_total;
                    if from_total.abs() >= 100 && from_share.abs() >= 100 {
                        s.push_str(&format!(
                            " Av skillnaden kommer {} av att totalkostnaden ändras och {} av att {} andel ändras.",
                            kr_signed(from_total),
                            kr_signed(from_share),
                            genitive(&name)
                        ));
                    }
                }
                lines.push(s);
            }
            (None, None) => {}
        }
    }
    Difference {
        base,
        other,
        summary,
        municipalities: lines,
    }
}
