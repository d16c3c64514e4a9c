//! The organisation the hub keeps: municipalities with their employee and
//! inhabitant figures, and their units. Coordinators and administrators
//! manage it.

use domain::access::Action;
use domain::ids::{MunicipalityId, UnitId};
use navet_store::org::{self, Municipality, Unit};
use navet_store::StoreResult;

use super::UseCase;

/// Up to this many municipalities (a county) every section is shown at
/// once; beyond it (a nation) one municipality at a time.
const ALL_AT_ONCE: usize = 30;

/// What the organisation page shows.
pub struct OrgOverview {
    pub municipalities: Vec<Municipality>,
    /// The municipalities whose sections are shown: all of a county, or
    /// the one chosen when there are more than `ALL_AT_ONCE`.
    pub shown: Vec<Municipality>,
    /// Many municipalities: a list to choose from instead of every section.
    pub choose: bool,
    pub units: Vec<Unit>,
}

impl UseCase<'_> {
    /// The organisation page, with `chosen`'s section when there are many.
    pub async fn org_overview(&self, chosen: Option<i64>) -> StoreResult<OrgOverview> {
        self.decide(Action::ManageOrganisation)?;
        let municipalities = org::municipalities(self.db()).await?;
        let choose = municipalities.len() > ALL_AT_ONCE;
        let (shown, units) = if !choose {
            (municipalities.clone(), org::units(self.db(), None).await?)
        } else if let Some(m) = chosen.and_then(|id| municipalities.iter().find(|m| m.id == id)) {
            (
                vec![m.clone()],
                org::units(self.db(), Some(MunicipalityId(m.id))).await?,
            )
        } else {
            (vec![], vec![])
        };
        Ok(OrgOverview {
            municipalities,
            shown,
            choose,
            units,
        })
    }

    /// A municipality's employee and inhabitant figures.
    pub async fn set_municipality_figures(
        &self,
        id: i64,
        employees: Option<i64>,
        inhabitants: Option<i64>,
    ) -> StoreResult<()> {
        self.decide(Action::ManageOrganisation)?;
        org::set_municipality_figures(self.db(), MunicipalityId(id), employees, inhabitants).await
    }

    /// A new unit of municipality `m`.
    pub async fn create_unit(&self, m: i64, name: &str, activity_area: &str) -> StoreResult<i64> {
        self.decide(Action::ManageOrganisation)?;
        org::create_unit(self.db(), MunicipalityId(m), name, activity_area, false).await
    }

    /// A unit's name and activity area; answers the unit's municipality
    /// (to go back to its section), if the unit exists.
    pub async fn update_unit(
        &self,
        id: i64,
        name: &str,
        activity_area: &str,
    ) -> (Option<i64>, StoreResult<()>) {
        if let Err(e) = self.decide(Action::ManageOrganisation) {
            return (None, Err(e));
        }
        let municipality = org::unit(self.db(), UnitId(id))
            .await
            .ok()
            .map(|u| u.municipality_id);
        (
            municipality,
            org::update_unit(self.db(), UnitId(id), name, activity_area).await,
        )
    }
}
