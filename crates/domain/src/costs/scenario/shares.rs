//! What each municipality pays, per course hour, participant and
//! inhabitant, and what it co-financed during the project; the same per-unit
//! figures for the whole scenario.

use super::allocation::{per_unit, Allocation};
use super::volumes::{annualise, Basis};
use super::words::fmt_centi;
use super::{KeyPart, MunicipalityResult};
use crate::costs::money::{self, div_round, kr, kr_ore, number, Ore};
use crate::costs::trace::Trace;

/// Each member's result, with its share, per-unit and co-financing figures
/// in the trace.
pub(super) fn municipalities(
    trace: &mut Trace,
    b: &Basis,
    alloc: &Allocation,
) -> Vec<MunicipalityResult> {
    let Basis {
        settings,
        actuals,
        members,
        totals,
        ..
    } = b;
    let total = totals.total;
    let (period, days_i) = (b.period(), actuals.days());
    let mut results = Vec::new();
    for (mi, m) in members.iter().enumerate() {
        let f = m.facts;
        let share = alloc.share(mi);
        let mut formula_parts = Vec::new();
        for (pi, (part, amount)) in alloc.part_totals.iter().enumerate() {
            let v = alloc.values[pi][mi];
            let sum: i128 = alloc.values[pi].iter().sum();
            let exact_ore = *amount as f64 * v as f64 / sum as f64;
            let shown = |x: i128| match part {
                KeyPart::Use => fmt_centi(x as i64),
                _ => money::group_thousands(x),
            };
            formula_parts.push(format!(
                "{}: {} × {} ÷ {} = {} kr → {}",
                part.label_sv(),
                kr(*amount),
                shown(v),
                shown(sum),
                number(exact_ore / 100.0, 4),
                kr_ore(alloc.shares[mi][pi])
            ));
        }
        let fig = trace.add(
            format!("share-{}", f.id),
            format!("{} betalar per år", f.name),
            kr(share),
            format!(
                "{}; summa {} (varje del avrundad till hela ören med största-rest-metoden)",
                formula_parts.join("; "),
                kr(share)
            ),
        );
        for (pi, (part, amount)) in alloc.part_totals.iter().enumerate() {
            fig.input_figure(
                format!("Del efter {}", part.label_sv()),
                kr(*amount),
                format!("part-{}", part.code()),
            );
            let v = alloc.values[pi][mi];
            match part {
                KeyPart::Employees => {
                    fig.input(
                        format!("Anställda i {}", f.name),
                        money::group_thousands(v),
                        "kommunregistret",
                    );
                }
                KeyPart::Inhabitants => {
                    fig.input(
                        format!("Invånare i {}", f.name),
                        money::group_thousands(v),
                        if f.inhabitants_approx {
                            "kommunregistret (ungefärligt värde, endast för demo)"
                        } else {
                            "kommunregistret"
                        },
                    );
                }
                KeyPart::Use => {
                    fig.input_figure(
                        format!("Förväntade deltagartimmar, {}", f.name),
                        fmt_centi(m.hours_centi),
                        format!("hours-{}", f.id),
                    );
                }
                KeyPart::Equal => {
                    fig.input(
                        "Antal deltagande kommuner",
                        members.len().to_string(),
                        "scenariot",
                    );
                }
            }
        }
        let per_course_hour = per_unit(share, m.hours_centi);
        let per_participant = per_unit(share, m.participants_centi);
        let per_inhabitant = f.inhabitants.and_then(|i| per_unit(share, i * 100));
        let name_id = (f.name.as_str(), f.id);
        if let Some(v) = per_course_hour {
            trace_cost_per(trace, name_id, share, v, m.hours_centi, &PER_COURSE_HOUR);
        }
        if let Some(v) = per_participant {
            trace_cost_per(
                trace,
                name_id,
                share,
                v,
                m.participants_centi,
                &PER_PARTICIPANT,
            );
        }
        if let (Some(v), Some(inh)) = (per_inhabitant, f.inhabitants) {
            trace
                .add(
                    format!("per-inhabitant-{}", f.id),
                    format!("{}: kostnad per invånare", f.name),
                    kr_ore(v),
                    format!(
                        "{} ÷ {} invånare = {}",
                        kr(share),
                        money::group_thousands(inh as i128),
                        kr_ore(v)
                    ),
                )
                .input_figure(
                    format!("{} betalar per år", f.name),
                    kr(share),
                    format!("share-{}", f.id),
                )
                .input(
                    "Invånare",
                    money::group_thousands(inh as i128),
                    if f.inhabitants_approx {
                        "kommunregistret (ungefärligt värde, endast för demo)"
                    } else {
                        "kommunregistret"
                    },
                );
        }
        let cof_per_year_centi = annualise(f.attended_hours, days_i);
        let cof_value = match (f.cofinancing_value, &actuals.cofinancing_valuation) {
            // Valued at the unit costs, as the funding page does.
            (Some(valued), Some(how)) => {
                let cof_value = div_round(valued as i128 * 365, days_i as i128) as Ore;
                trace
                    .add(
                        format!("cofinancing-{}", f.id),
                        format!("{}: medfinansiering under projektet, värde per år", f.name),
                        kr(cof_value),
                        format!(
                            "{} värderat med enhetskostnaderna under {period} × 365 ÷ {days_i} dagar = {}",
                            kr(valued),
                            kr(cof_value)
                        ),
                    )
                    .input(
                        "Medfinansiering i kronor",
                        kr(valued),
                        format!(
                            "närvaroregistrerade deltagartimmar {period} per person och månad, avrundning: {how}, × enhetskostnad för yrkeskategorin och månaden (finansieringssidan)"
                        ),
                    )
                    .input("Deltagartimmar", number(f.attended_hours, 2), format!("närvaroregistrerade kurstillfällen {period}"));
                cof_value
            }
            _ => {
                let cof_value = div_round(
                    cof_per_year_centi as i128 * settings.cofinancing_rate as i128,
                    100,
                ) as Ore;
                trace
                .add(
                    format!("cofinancing-{}", f.id),
                    format!("{}: medfinansiering under projektet, värde per år", f.name),
                    kr(cof_value),
                    format!(
                        "{} deltagartimmar under {period} (arbetstid som medfinansiering) × 365 ÷ {days_i} dagar = {} per år × {} per deltagartimme = {}",
                        number(f.attended_hours, 2),
                        fmt_centi(cof_per_year_centi),
                        kr_ore(settings.cofinancing_rate),
                        kr(cof_value)
                    ),
                )
                .input("Deltagartimmar", number(f.attended_hours, 2), format!("närvaroregistrerade kurstillfällen {period}"))
                .input("Värde per medfinansierad deltagartimme", kr_ore(settings.cofinancing_rate), "kostnadsmodellens inställningar");
                cof_value
            }
        };
        results.push(MunicipalityResult {
            id: f.id,
            name: f.name.clone(),
            employees: f.employees,
            inhabitants: f.inhabitants,
            inhabitants_approx: f.inhabitants_approx,
            course_hours: m.hours_centi as f64 / 100.0,
            course_hours_source: m.hours_source,
            participants: m.participants_centi as f64 / 100.0,
            participants_source: m.participants_source,
            parts: alloc
                .part_totals
                .iter()
                .enumerate()
                .map(|(pi, (p, _))| (*p, alloc.shares[mi][pi]))
                .collect(),
            share,
            fraction: if total > 0 {
                share as f64 / total as f64
            } else {
                0.0
            },
            per_course_hour,
            per_participant,
            per_inhabitant,
            cofinancing_hours: f.attended_hours,
            cofinancing_hours_per_year: cof_per_year_centi as f64 / 100.0,
            cofinancing_value_per_year: cof_value,
        });
    }
    results
}

/// The whole scenario's cost per course hour, participant and inhabitant.
pub(super) struct PerUnit {
    pub per_course_hour: Option<Ore>,
    pub per_participant: Option<Ore>,
    pub per_inhabitant: Option<Ore>,
}

pub(super) fn per_unit_overall(trace: &mut Trace, b: &Basis) -> PerUnit {
    let Basis {
        volume,
        participants_centi,
        inhabitants_all,
        totals,
        ..
    } = b;
    let (total, participants_centi, inhabitants_all) =
        (totals.total, *participants_centi, *inhabitants_all);
    let per_course_hour = per_unit(total, volume.course_hours_centi);
    let per_participant = per_unit(total, participants_centi);
    let per_inhabitant = inhabitants_all.and_then(|i| per_unit(total, i * 100));
    if let Some(v) = per_course_hour {
        trace
            .add(
                "per-hour",
                "Kostnad per deltagartimme",
                kr_ore(v),
                format!(
                    "{} ÷ {} deltagartimmar = {}",
                    kr(total),
                    fmt_centi(volume.course_hours_centi),
                    kr_ore(v)
                ),
            )
            .input_figure("Total kostnad per år", kr(total), "total")
            .input_figure(
                "Förväntade deltagartimmar per år",
                fmt_centi(volume.course_hours_centi),
                "volume-hours",
            );
    }
    if let Some(v) = per_participant {
        trace
            .add(
                "per-participant",
                "Kostnad per deltagare",
                kr_ore(v),
                format!(
                    "{} ÷ {} deltagare = {}",
                    kr(total),
                    fmt_centi(participants_centi),
                    kr_ore(v)
                ),
            )
            .input_figure("Total kostnad per år", kr(total), "total")
            .input_figure(
                "Förväntade deltagare per år",
                fmt_centi(participants_centi),
                "volume-participants",
            );
    }
    if let (Some(v), Some(inh)) = (per_inhabitant, inhabitants_all) {
        trace
            .add(
                "per-inhabitant",
                "Kostnad per invånare",
                kr_ore(v),
                format!(
                    "{} ÷ {} invånare i de deltagande kommunerna = {}",
                    kr(total),
                    money::group_thousands(inh as i128),
                    kr_ore(v)
                ),
            )
            .input_figure("Total kostnad per år", kr(total), "total")
            .input(
                "Invånare, summa",
                money::group_thousands(inh as i128),
                "kommunregistret",
            );
    }
    PerUnit {
        per_course_hour,
        per_participant,
        per_inhabitant,
    }
}

/// A cost per unit of expected use (course hour, participant), as the
/// trace explains it.
struct UseUnit {
    key: &'static str,
    per: &'static str,
    plural: &'static str,
    expected: &'static str,
    expected_key: &'static str,
}

const PER_COURSE_HOUR: UseUnit = UseUnit {
    key: "hour",
    per: "deltagartimme",
    plural: "deltagartimmar",
    expected: "Förväntade deltagartimmar per år",
    expected_key: "hours",
};

const PER_PARTICIPANT: UseUnit = UseUnit {
    key: "participant",
    per: "deltagare",
    plural: "deltagare",
    expected: "Förväntade deltagare per år",
    expected_key: "participants",
};

/// One municipality's share divided by its expected use, with both inputs.
fn trace_cost_per(
    trace: &mut Trace,
    (name, id): (&str, i64),
    share: Ore,
    per: Ore,
    units_centi: i64,
    unit: &UseUnit,
) {
    trace
        .add(
            format!("per-{}-{id}", unit.key),
            format!("{name}: kostnad per {}", unit.per),
            kr_ore(per),
            format!(
                "{} ÷ {} {} = {}",
                kr(share),
                fmt_centi(units_centi),
                unit.plural,
                kr_ore(per)
            ),
        )
        .input_figure(
            format!("{name} betalar per år"),
            kr(share),
            format!("share-{id}"),
        )
        .input_figure(
            unit.expected,
            fmt_centi(units_centi),
            format!("{}-{id}", unit.expected_key),
        );
}
