//! The unit page's gaps grouped by requirement: one row per course to take
//! ("Basala hygienrutiner, 23 personer") with the count by state, the
//! soonest session with a free seat, and the names folded away — so a unit
//! of 40 fits a screen or two instead of one row per person and requirement.

use std::collections::BTreeMap;

use navet_store::gaps::SessionOffer;
use navet_store::unit_overview::UnitOverview;

/// One person in a group.
#[derive(Debug, Clone)]
pub struct GapPerson {
    pub person_id: i64,
    pub name: String,
    /// missing, expired, expiring
    pub state: &'static str,
    pub expires_on: Option<String>,
    pub planned_on: Option<String>,
    pub planned_waitlisted: bool,
}

impl GapPerson {
    /// Booked or on a waiting list already: nothing to do for them.
    pub fn planned(&self) -> bool {
        self.planned_on.is_some()
    }
}

/// One requirement with everyone at the unit who lacks it.
#[derive(Debug, Clone)]
pub struct GapGroup {
    pub requirement_id: i64,
    pub what: String,
    pub scope: String,
    pub coverage: &'static str,
    pub coverage_label: &'static str,
    pub people: Vec<GapPerson>,
    /// The soonest session with a free seat (else the soonest one).
    pub offer: Option<SessionOffer>,
    pub other_offers: usize,
}

impl GapGroup {
    pub fn count(&self, state: &str) -> usize {
        self.people.iter().filter(|p| p.state == state).count()
    }
    pub fn planned(&self) -> usize {
        self.people.iter().filter(|p| p.planned()).count()
    }
    /// People still to book.
    pub fn to_book(&self) -> usize {
        self.people.len() - self.planned()
    }
}

/// Group the unit's gaps and expiring certificates by requirement, the
/// largest group first (then by name of the requirement).
pub fn group(o: &UnitOverview) -> Vec<GapGroup> {
    let mut groups: BTreeMap<i64, GapGroup> = BTreeMap::new();
    for st in &o.staff {
        for l in st.gaps.iter().chain(st.expiring.iter()) {
            let g = groups.entry(l.requirement_id).or_insert_with(|| {
                let mut offers: Vec<&SessionOffer> = l
                    .course_ids
                    .iter()
                    .filter_map(|cid| o.offers.get(cid))
                    .flatten()
                    .collect();
                offers.sort_by_key(|x| (x.free == 0, x.starts_at, x.session_id));
                GapGroup {
                    requirement_id: l.requirement_id,
                    what: l.what.clone(),
                    scope: l.scope.clone(),
                    coverage: l.coverage,
                    coverage_label: l.coverage_label,
                    people: vec![],
                    offer: offers.first().map(|x| (*x).clone()),
                    other_offers: offers.len().saturating_sub(1),
                }
            });
            g.people.push(GapPerson {
                person_id: st.person_id,
                name: st.name.clone(),
                state: l.state,
                expires_on: l.expires_on.clone(),
                planned_on: l.planned_on.clone(),
                planned_waitlisted: l.planned_waitlisted,
            });
        }
    }
    let mut out: Vec<GapGroup> = groups.into_values().collect();
    out.sort_by(|a, b| {
        b.people
            .len()
            .cmp(&a.people.len())
            .then_with(|| domain::collation::swedish_cmp(&a.what, &b.what))
    });
    out
}
