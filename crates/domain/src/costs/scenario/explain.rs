//! The trace of the scenario's volumes, cost lines and key parts: every
//! figure with its formula and inputs.

use super::allocation::Allocation;
use super::volumes::Basis;
use super::words::fmt_centi;
use super::{LineResult, VolumeSource};
use crate::costs::lines::{Driver, Scaling};
use crate::costs::money::{kr, number, percent_bp};
use crate::costs::trace::Trace;

/// Each municipality's expected course hours and participants, their sums,
/// and course hours per session.
pub(super) fn volumes(trace: &mut Trace, b: &Basis) {
    let Basis {
        settings,
        actuals,
        members,
        hps_centi,
        volume,
        participants_centi,
        ..
    } = b;
    let (hps_centi, participants_centi) = (*hps_centi, *participants_centi);
    let (period, days_i, volume_pct) =
        (b.period(), actuals.days(), percent_bp(b.scenario.volume_bp));
    let attended_total = actuals.attended_hours_total();
    for m in members.iter() {
        let f = m.facts;
        let key = format!("hours-{}", f.id);
        let label = format!("Förväntade deltagartimmar per år, {}", f.name);
        match m.hours_source {
            VolumeSource::Scenario => {
                trace
                    .add(key, label, fmt_centi(m.hours_centi), "angivet i scenariot")
                    .input(
                        "Deltagartimmar per år",
                        fmt_centi(m.hours_centi),
                        "scenariot",
                    );
            }
            VolumeSource::Actual => {
                trace
                .add(
                    key,
                    label,
                    fmt_centi(m.hours_centi),
                    format!(
                        "{} deltagartimmar under {period} × 365 ÷ {days_i} dagar × {volume_pct} = {}",
                        number(f.attended_hours, 2),
                        fmt_centi(m.hours_centi)
                    ),
                )
                .input(
                    "Deltagartimmar (närvaro)",
                    number(f.attended_hours, 2),
                    format!("närvaroregistrerade kurstillfällen {period}"),
                )
                .input("Dagar i perioden", days_i.to_string(), "kostnadsmodellens startdatum till i dag")
                .input("Volym i procent av hittillsvarande användning", volume_pct.clone(), "scenariot");
            }
        }
        let key = format!("participants-{}", f.id);
        let label = format!("Förväntade deltagare per år, {}", f.name);
        match m.participants_source {
            VolumeSource::Scenario => {
                trace
                    .add(
                        key,
                        label,
                        fmt_centi(m.participants_centi),
                        "angivet i scenariot",
                    )
                    .input(
                        "Deltagare per år",
                        fmt_centi(m.participants_centi),
                        "scenariot",
                    );
            }
            VolumeSource::Actual => {
                trace
                .add(
                    key,
                    label,
                    fmt_centi(m.participants_centi),
                    format!(
                        "{} unika deltagare under {period} × 365 ÷ {days_i} dagar × {volume_pct} = {} (ungefärligt: en person som deltar flera år räknas en gång)",
                        f.participants,
                        fmt_centi(m.participants_centi)
                    ),
                )
                .input(
                    "Unika deltagare med närvaro",
                    f.participants.to_string(),
                    format!("närvaroregistrerade kurstillfällen {period}"),
                );
            }
        }
    }
    {
        let fig = trace.add(
            "volume-hours",
            "Förväntade deltagartimmar per år, alla deltagande kommuner",
            fmt_centi(volume.course_hours_centi),
            "summan av kommunernas förväntade deltagartimmar",
        );
        for m in members.iter() {
            fig.input_figure(
                m.facts.name.clone(),
                fmt_centi(m.hours_centi),
                format!("hours-{}", m.facts.id),
            );
        }
    }
    match (settings.hours_per_session_centi, hps_centi) {
        (Some(h), _) => {
            trace
                .add(
                    "hours-per-session",
                    "Deltagartimmar per kurstillfälle",
                    fmt_centi(h),
                    "angivet i kostnadsmodellens inställningar",
                )
                .input(
                    "Deltagartimmar per kurstillfälle",
                    fmt_centi(h),
                    "kostnadsmodellens inställningar",
                );
        }
        (None, Some(h)) => {
            trace
                .add(
                    "hours-per-session",
                    "Deltagartimmar per kurstillfälle",
                    fmt_centi(h),
                    format!(
                        "{} deltagartimmar ÷ {} genomförda kurstillfällen under {period} = {}",
                        number(attended_total, 2),
                        actuals.sessions_held,
                        fmt_centi(h)
                    ),
                )
                .input(
                    "Deltagartimmar, alla kommuner",
                    number(attended_total, 2),
                    format!("närvaro {period}"),
                )
                .input(
                    "Genomförda kurstillfällen med närvaro",
                    actuals.sessions_held.to_string(),
                    format!("kurstillfällen {period}"),
                );
        }
        (None, None) => {}
    }
    if let (Some(s), Some(h)) = (volume.sessions_centi, hps_centi) {
        trace
            .add(
                "volume-sessions",
                "Förväntade kurstillfällen per år",
                fmt_centi(s),
                format!(
                    "{} deltagartimmar ÷ {} deltagartimmar per kurstillfälle = {}",
                    fmt_centi(volume.course_hours_centi),
                    fmt_centi(h),
                    fmt_centi(s)
                ),
            )
            .input_figure(
                "Förväntade deltagartimmar per år",
                fmt_centi(volume.course_hours_centi),
                "volume-hours",
            )
            .input_figure(
                "Deltagartimmar per kurstillfälle",
                fmt_centi(h),
                "hours-per-session",
            );
    }
    {
        let fig = trace.add(
            "volume-participants",
            "Förväntade deltagare per år, alla deltagande kommuner",
            fmt_centi(participants_centi),
            "summan av kommunernas förväntade deltagare",
        );
        for m in members.iter() {
            fig.input_figure(
                m.facts.name.clone(),
                fmt_centi(m.participants_centi),
                format!("participants-{}", m.facts.id),
            );
        }
    }
}

/// One figure per cost line, then fixed, variable and total.
pub(super) fn lines(trace: &mut Trace, b: &Basis) -> Vec<LineResult> {
    let Basis {
        lines,
        volume,
        costs,
        totals,
        ..
    } = b;
    let (fixed, variable, total) = (totals.fixed, totals.variable, totals.total);
    let mut line_results = Vec::new();
    for (i, (l, cost)) in lines.iter().zip(costs.iter()).enumerate() {
        let key = format!("line-{}", if l.id != 0 { l.id } else { i as i64 + 1 });
        let fig = trace.add(
            key.clone(),
            format!("Kostnadsrad: {}", l.label),
            kr(*cost),
            format!("{}; {}", l.base_formula(), l.scaling_formula(volume)),
        );
        fig.input("Kostnadsslag", l.kind.label_sv(), "kostnadsmodellen");
        fig.input("Beräkningssätt", l.basis.label_sv(), "kostnadsmodellen");
        fig.input(
            "Belopp före volymanpassning",
            kr(l.base_annual()),
            "kostnadsmodellen",
        );
        if let Scaling::PerVolume { driver, .. } = l.scaling {
            match driver {
                Driver::CourseHours => fig.input_figure(
                    "Förväntade deltagartimmar per år",
                    fmt_centi(volume.course_hours_centi),
                    "volume-hours",
                ),
                Driver::Sessions => fig.input_figure(
                    "Förväntade kurstillfällen per år",
                    volume.sessions_centi.map(fmt_centi).unwrap_or_default(),
                    "volume-sessions",
                ),
            };
        }
        if !l.note.is_empty() {
            fig.input("Anteckning", l.note.clone(), "kostnadsmodellen");
        }
        line_results.push(LineResult {
            line_id: l.id,
            label: l.label.clone(),
            kind: l.kind.code().into(),
            kind_label: l.kind.label_sv().into(),
            fixed: l.scaling.is_fixed(),
            scaling: l.scaling.describe(),
            base_annual: l.base_annual(),
            annual: *cost,
            key,
        });
    }
    for (key, label, amount, fixed_lines) in [
        ("fixed", "Fasta kostnader per år", fixed, true),
        ("variable", "Rörliga kostnader per år", variable, false),
    ] {
        let fig = trace.add(
        key,
        label,
        kr(amount),
        if fixed_lines {
            "summan av de fasta raderna; de ändras inte med volymen eller med vilka kommuner som deltar"
        } else {
            "summan av de rader som följer volymen (deltagartimmar eller kurstillfällen)"
        },
    );
        for lr in line_results.iter().filter(|r| r.fixed == fixed_lines) {
            fig.input_figure(lr.label.clone(), kr(lr.annual), lr.key.clone());
        }
    }
    trace
        .add(
            "total",
            "Total kostnad per år",
            kr(total),
            "fasta kostnader + rörliga kostnader",
        )
        .input_figure("Fasta kostnader", kr(fixed), "fixed")
        .input_figure("Rörliga kostnader", kr(variable), "variable");
    line_results
}

/// How much of the total each part of the key splits.
pub(super) fn key_parts(trace: &mut Trace, b: &Basis, alloc: &Allocation) {
    let (scenario, total) = (b.scenario, b.totals.total);
    for (pi, (part, amount)) in alloc.part_totals.iter().enumerate() {
        let fig = trace.add(
            format!("part-{}", part.code()),
            format!("Del som fördelas efter {}", part.label_sv()),
            kr(*amount),
            format!(
            "{} × {} = {} (delarna avrundas med största-rest-metoden så att de blir exakt totalen)",
            percent_bp(scenario.weights.get(*part)),
            kr(total),
            kr(*amount)
        ),
        );
        fig.input_figure("Total kostnad per år", kr(total), "total")
            .input(
                format!("Vikt för {}", part.label_sv()),
                percent_bp(scenario.weights.get(*part)),
                "scenariots fördelningsnyckel",
            );
        let _ = pi;
    }
}
