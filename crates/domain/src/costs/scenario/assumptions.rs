//! The assumptions a scenario rests on, in plain Swedish.

use super::volumes::Basis;
use super::words::{fmt_centi, fmt_date, join_sv};
use super::VolumeSource;
use crate::costs::money::{kr, kr_ore, percent_bp};

/// What the figures assume: the cost model, the key, where the volumes come
/// from, approximate registry figures, co-financing and the rounding rule.
pub(super) fn assumptions(b: &Basis) -> Vec<String> {
    let Basis {
        lines,
        settings,
        scenario,
        actuals,
        members,
        hps_centi,
        volume,
        totals,
        ..
    } = b;
    let (hps_centi, fixed, variable) = (*hps_centi, totals.fixed, totals.variable);
    let period = b.period();
    let mut a = vec![
        format!(
            "Kostnadsmodellen har {} rader: fasta kostnader {} per år och rörliga kostnader {} per år vid {} deltagartimmar.",
            lines.len(),
            kr(fixed),
            kr(variable),
            fmt_centi(volume.course_hours_centi)
        ),
        "Rörliga kostnader följer volymen i proportion (deltagartimmar eller kurstillfällen); fasta kostnader är desamma oavsett volym och hur många kommuner som deltar.".to_string(),
        format!("Fördelningsnyckel: {}.", scenario.weights.describe()),
    ];
    let from_actual = members
        .iter()
        .filter(|m| m.hours_source == VolumeSource::Actual)
        .count();
    if from_actual > 0 {
        a.push(format!(
            "Förväntad volym för {} av {} kommuner: närvaroregistrerade deltagartimmar under {period} ({} dagar) omräknade till helår × {}.",
            from_actual,
            members.len(),
            actuals.days(),
            percent_bp(scenario.volume_bp)
        ));
    }
    let own: Vec<String> = members
        .iter()
        .filter(|m| m.hours_source == VolumeSource::Scenario)
        .map(|m| m.facts.name.clone())
        .collect();
    if !own.is_empty() {
        a.push(format!(
            "Förväntade deltagartimmar angivna i scenariot för {}.",
            join_sv(&own)
        ));
    }
    match (settings.hours_per_session_centi, hps_centi) {
        (Some(h), _) => a.push(format!(
            "Deltagartimmar per kurstillfälle: {} (angivet).",
            fmt_centi(h)
        )),
        (None, Some(h)) => a.push(format!(
            "Deltagartimmar per kurstillfälle: {} (snitt för genomförda kurstillfällen {period}).",
            fmt_centi(h)
        )),
        (None, None) => {}
    }
    if scenario.weights.employees_bp > 0 {
        a.push("Antal anställda hämtas från kommunregistret i Navet.".into());
    }
    let approx: Vec<String> = members
        .iter()
        .filter(|m| m.facts.inhabitants_approx && m.facts.inhabitants.is_some())
        .map(|m| m.facts.name.clone())
        .collect();
    if !approx.is_empty() {
        a.push(format!(
            "Invånartalen för {} är ungefärliga värden för demo, inte officiell statistik.",
            join_sv(&approx)
        ));
    }
    a.push(format!(
        "Medfinansieringen under projektet är närvaroregistrerade deltagartimmar sedan {} (arbetstid), värderade till {} per deltagartimme.",
        fmt_date(settings.use_from),
        kr_ore(settings.cofinancing_rate)
    ));
    a.push("Avrundning: varje kostnadsrad avrundas till hela ören (avrundning från noll vid exakt hälften); totalen delas först mellan nyckelns delar och sedan mellan kommunerna med största-rest-metoden, så att kommunernas andelar summerar exakt till totalen.".into());
    a
}
