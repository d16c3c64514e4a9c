//! Splitting a total between the key's parts and then the municipalities.

use super::volumes::Member;
use super::words::join_sv;
use super::{KeyPart, MunicipalityFacts, Weights};
use crate::costs::money::{div_round, largest_remainder, Ore};
use crate::errors::{FieldError, FieldErrors};

/// The key values of one part for each member, or the error that says why
/// the part cannot be used.
fn key_values(part: KeyPart, members: &[Member]) -> Result<Vec<i128>, FieldError> {
    let missing = |f: fn(&MunicipalityFacts) -> Option<i64>| -> Vec<String> {
        members
            .iter()
            .filter(|m| f(m.facts).is_none())
            .map(|m| m.facts.name.clone())
            .collect()
    };
    let values: Vec<i128> = match part {
        KeyPart::Employees => {
            let miss = missing(|f| f.employees);
            if !miss.is_empty() {
                return Err(FieldError::new(
                    part.field(),
                    "missing_employees",
                    format!(
                        "Fördelning efter antal anställda kräver antal anställda för varje deltagande kommun; det saknas för {}. Ange det under Kommuner eller sätt vikten till 0.",
                        join_sv(&miss)
                    ),
                ));
            }
            members
                .iter()
                .map(|m| m.facts.employees.unwrap_or(0) as i128)
                .collect()
        }
        KeyPart::Inhabitants => {
            let miss = missing(|f| f.inhabitants);
            if !miss.is_empty() {
                return Err(FieldError::new(
                    part.field(),
                    "missing_inhabitants",
                    format!(
                        "Fördelning efter antal invånare kräver invånartal för varje deltagande kommun; det saknas för {}. Ange det under Kommuner eller sätt vikten till 0.",
                        join_sv(&miss)
                    ),
                ));
            }
            members
                .iter()
                .map(|m| m.facts.inhabitants.unwrap_or(0) as i128)
                .collect()
        }
        KeyPart::Use => members.iter().map(|m| m.hours_centi as i128).collect(),
        KeyPart::Equal => members.iter().map(|_| 1).collect(),
    };
    if values.iter().sum::<i128>() <= 0 {
        let what = match part {
            KeyPart::Employees => "har några anställda registrerade",
            KeyPart::Inhabitants => "har några invånare registrerade",
            KeyPart::Use => "har någon förväntad användning (deltagartimmar)",
            KeyPart::Equal => "deltar",
        };
        return Err(FieldError::new(
            part.field(),
            "nothing_to_split_by",
            format!(
                "Ingen av de deltagande kommunerna {what}, så kostnaden kan inte fördelas efter {}. Sätt vikten till 0 eller ange värden.",
                part.label_sv()
            ),
        ));
    }
    Ok(values)
}

/// The result of splitting a total.
pub(super) struct Allocation {
    pub part_totals: Vec<(KeyPart, Ore)>,
    /// Per member: each part's amount (order of `part_totals`).
    pub shares: Vec<Vec<Ore>>,
    pub values: Vec<Vec<i128>>,
}

impl Allocation {
    pub fn share(&self, i: usize) -> Ore {
        self.shares[i].iter().sum()
    }
}

/// Split `total` first between the key parts by their weights, then each
/// part between the members by their key values; both by largest remainder.
pub(super) fn allocate(
    total: Ore,
    weights: &Weights,
    members: &[Member],
) -> Result<Allocation, FieldErrors> {
    let mut errors = FieldErrors::new();
    let parts: Vec<KeyPart> = KeyPart::ALL
        .into_iter()
        .filter(|p| weights.get(*p) > 0)
        .collect();
    let mut values = Vec::new();
    for p in &parts {
        match key_values(*p, members) {
            Ok(v) => values.push(v),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let w: Vec<i128> = parts.iter().map(|p| weights.get(*p) as i128).collect();
    let part_amounts = largest_remainder(total, &w).expect("weights sum to 100 %");
    let mut shares = vec![Vec::new(); members.len()];
    for (pi, amount) in part_amounts.iter().enumerate() {
        let split = largest_remainder(*amount, &values[pi]).expect("checked above");
        for (mi, s) in split.into_iter().enumerate() {
            shares[mi].push(s);
        }
    }
    Ok(Allocation {
        part_totals: parts.into_iter().zip(part_amounts).collect(),
        shares,
        values,
    })
}

pub(super) fn per_unit(amount: Ore, units_centi: i64) -> Option<Ore> {
    (units_centi > 0).then(|| div_round(amount as i128 * 100, units_centi as i128) as Ore)
}
