//! What happens if one municipality leaves: the scenario recomputed without it.

use super::allocation::allocate;
use super::volumes::{line_costs, volume_of, Basis, Member};
use super::words::{fmt_centi, genitive, join_sv};
use super::{LeaveChange, LeaveEffect, LeaveOutcome, MunicipalityResult, Weights};
use crate::costs::lines::CostLine;
use crate::costs::money::{kr, Ore};

/// The effect of each member leaving, in the members' order; none for a
/// scenario of one.
pub(super) fn effects(b: &Basis, results: &[MunicipalityResult]) -> Vec<LeaveEffect> {
    let Basis {
        lines,
        scenario,
        members,
        hps_centi,
        totals,
        ..
    } = b;
    let hps_centi = *hps_centi;
    let mut leaving = Vec::new();
    if members.len() >= 2 {
        for (li, leaver) in members.iter().enumerate() {
            let rest: Vec<Member> = members
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != li)
                .map(|(_, m)| m.clone())
                .collect();
            let outcome = leave_outcome(
                lines,
                &scenario.weights,
                &rest,
                hps_centi,
                leaver,
                results,
                totals.total,
                totals.fixed,
                totals.variable,
            );
            leaving.push(LeaveEffect {
                leaver_id: leaver.facts.id,
                leaver_name: leaver.facts.name.clone(),
                outcome,
            });
        }
    }
    leaving
}

#[allow(clippy::too_many_arguments)]
fn leave_outcome(
    lines: &[CostLine],
    weights: &Weights,
    rest: &[Member],
    hps_centi: Option<i64>,
    leaver: &Member,
    before: &[MunicipalityResult],
    total_before: Ore,
    fixed: Ore,
    variable_before: Ore,
) -> Result<LeaveOutcome, String> {
    let volume = volume_of(rest, hps_centi);
    let costs = line_costs(lines, &volume).map_err(|e| e.message)?;
    let total_after: Ore = costs.iter().sum();
    let variable_after = total_after - fixed;
    let alloc = allocate(total_after, weights, rest).map_err(|e| {
        e.0.iter()
            .map(|x| x.message.clone())
            .collect::<Vec<_>>()
            .join(" ")
    })?;
    let leaver_name = &leaver.facts.name;
    let leaver_share = before
        .iter()
        .find(|r| r.id == leaver.facts.id)
        .map(|r| r.share)
        .unwrap_or(0);
    let n_rest = rest.len();
    let mut changes = Vec::new();
    for (i, m) in rest.iter().enumerate() {
        let b = before
            .iter()
            .find(|r| r.id == m.facts.id)
            .map(|r| r.share)
            .unwrap_or(0);
        let a = alloc.share(i);
        let delta = a - b;
        let verb = if delta > 0 {
            format!("{} mer", kr(delta))
        } else if delta < 0 {
            format!("{} mindre", kr(-delta))
        } else {
            "lika mycket".into()
        };
        let rest_phrase = if n_rest == 1 {
            format!("får bäras av {} ensam", m.facts.name)
        } else {
            format!("fördelas på de {n_rest} kommuner som är kvar")
        };
        let mut why = vec![format!(
            "{} andel på {} {rest_phrase}",
            genitive(leaver_name),
            kr(leaver_share)
        )];
        if fixed > 0 {
            why.push(format!("de fasta kostnaderna ({}) minskar inte", kr(fixed)));
        }
        if variable_before != variable_after {
            why.push(format!(
                "de rörliga kostnaderna minskar med {} när {} {} deltagartimmar per år försvinner",
                kr(variable_before - variable_after),
                genitive(leaver_name),
                fmt_centi(leaver.hours_centi)
            ));
        }
        let explanation = format!(
            "Om {leaver_name} lämnar betalar {} {verb} per år ({} i stället för {}), eftersom {}.",
            m.facts.name,
            kr(a),
            kr(b),
            join_sv(&why)
        );
        changes.push(LeaveChange {
            id: m.facts.id,
            name: m.facts.name.clone(),
            before: b,
            after: a,
            explanation,
        });
    }
    Ok(LeaveOutcome {
        total_before,
        total_after,
        fixed,
        variable_before,
        variable_after,
        leaver_share,
        changes,
    })
}
