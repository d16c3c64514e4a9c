//! Importing a staff list (checked against the municipality's titles and
//! units, planned against its people, applied in one transaction), the
//! imports already applied, and undoing one within seven days. Those who
//! see every person (the hub) see and undo every import; a manager sees
//! and undoes their own, and imports only for their own units.

use domain::ids::{AccountId, ImportId, MunicipalityId, UnitId};
use std::collections::HashMap;

use domain::access::Action;
use domain::role_titles::TitleMap;
use domain::staff_import::{ExistingStaff, ImportPlan};
use navet_store::import_history::{self, ImportRow, PersonLine, UndoSummary};
use navet_store::org::{Role as JobRole, Unit};
use navet_store::staff_import::{self as store, ImportSummary};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

impl UseCase<'_> {
    /// The account whose imports the actor is limited to (`None`: all).
    fn own_imports_only(&self) -> Option<i64> {
        (!self.visibility().is_everything()).then_some(self.actor.account_id)
    }

    fn may_list_imports(&self) -> StoreResult<()> {
        self.decide(Action::ListPeople)?;
        if self.visibility().sees_nothing() {
            return Err(StoreError::Forbidden("import".to_string()));
        }
        Ok(())
    }

    /// The latest 200 imports the actor may see, newest first.
    pub async fn staff_imports(&self) -> StoreResult<Vec<ImportRow>> {
        self.may_list_imports()?;
        import_history::list(self.db(), (self.own_imports_only()).map(AccountId), 200).await
    }

    /// One import the actor may see (someone else's is "not found").
    async fn staff_import_row(&self, id: i64) -> StoreResult<ImportRow> {
        self.may_list_imports()?;
        let i = import_history::get(self.db(), ImportId(id)).await?;
        if self
            .own_imports_only()
            .is_some_and(|own| i.account_id != Some(own))
        {
            return Err(StoreError::NotFound("importen"));
        }
        Ok(i)
    }

    /// One import with the people it touched (a logged read of them).
    pub async fn staff_import(&self, id: i64) -> StoreResult<(ImportRow, Vec<PersonLine>)> {
        let i = self.staff_import_row(id).await?;
        let people = import_history::people(self.db(), ImportId(id)).await?;
        let ids: Vec<i64> = people.iter().map(|p| p.person_id).collect();
        navet_store::audit::record_list_read(
            self.db(),
            &self.who,
            "people",
            "personalimport",
            &ids,
        )
        .await?;
        Ok((i, people))
    }

    /// Undo an import within its seven days.
    pub async fn undo_staff_import(&self, id: i64) -> StoreResult<UndoSummary> {
        let i = self.staff_import_row(id).await?;
        let may = self.decide(Action::ImportStaff {
            municipality_id: i.municipality_id,
            unit_id: i.unit_ids().first().copied(),
        });
        // A manager's own import: their scope was checked when they made it.
        if may.is_err() && self.own_imports_only().is_none() {
            may?;
        }
        import_history::undo(self.db(), &self.who, ImportId(id), navet_store::time::now()).await
    }
}

/// What checking a staff list against the municipality needs: the titles
/// (with remembered mappings) and its units by lower-cased name.
pub type StaffLookups = (TitleMap, HashMap<String, i64>);

impl UseCase<'_> {
    /// Whether the actor may import a staff list for `municipality_id`
    /// (and, when given, only `unit`). A manager may import for their own
    /// units; whether each row's unit is theirs is checked per line
    /// ([`Visibility::covers_unit`](domain::access::Visibility)).
    pub fn may_import_staff(&self, municipality_id: i64, unit: Option<i64>) -> StoreResult<()> {
        if unit.is_some() || self.visibility().is_everything() {
            self.decide(Action::ImportStaff {
                municipality_id,
                unit_id: unit,
            })
        } else {
            self.decide(Action::ListPeople)
        }
    }

    /// The municipality of `unit` (to check it against the chosen one).
    pub async fn unit_municipality(&self, unit: i64) -> StoreResult<i64> {
        self.decide(Action::ListPeople)?;
        Ok(navet_store::org::unit(self.db(), UnitId(unit))
            .await?
            .municipality_id)
    }

    /// The titles and units a staff list of `municipality_id` is checked
    /// against.
    pub async fn staff_lookups(&self, municipality_id: i64) -> StoreResult<StaffLookups> {
        self.may_import_staff(municipality_id, None)?;
        store::import_lookups(self.db(), MunicipalityId(municipality_id)).await
    }

    /// Remember that `title` means job role `role` in `municipality_id`.
    pub async fn map_role_title(
        &self,
        municipality_id: i64,
        title: &str,
        role: i64,
    ) -> StoreResult<()> {
        self.may_import_staff(municipality_id, None)?;
        navet_store::role_mappings::set(
            self.db(),
            &self.who,
            Some(MunicipalityId(municipality_id)),
            title,
            role,
        )
        .await
    }

    /// The municipality's units, job roles and people (also those marked
    /// as left) that an import is planned against.
    pub async fn staff_import_basis(
        &self,
        municipality_id: i64,
    ) -> StoreResult<(Vec<Unit>, Vec<JobRole>, Vec<ExistingStaff>)> {
        self.may_import_staff(municipality_id, None)?;
        Ok((
            navet_store::org::units(self.db(), Some(MunicipalityId(municipality_id))).await?,
            navet_store::org::roles(self.db()).await?,
            store::municipality_staff(self.db(), MunicipalityId(municipality_id)).await?,
        ))
    }

    /// The job roles an unknown title can be mapped to.
    pub async fn job_roles(&self) -> StoreResult<Vec<JobRole>> {
        navet_store::org::roles(self.db()).await
    }

    /// A preview shows people already in Navet with what would change:
    /// a read of their data.
    pub async fn log_staff_preview(&self, shown: &[i64]) -> StoreResult<()> {
        if shown.is_empty() {
            return Ok(());
        }
        navet_store::audit::record_list_read(
            self.db(),
            &self.who,
            "people",
            "förhandsvisning av personalimport",
            shown,
        )
        .await
    }

    /// Apply a checked plan in one transaction, recorded so it can be undone.
    pub async fn apply_staff_import(
        &self,
        municipality_id: i64,
        unit: Option<i64>,
        plan: &ImportPlan,
        file_name: &str,
    ) -> StoreResult<ImportSummary> {
        self.may_import_staff(municipality_id, unit)?;
        store::apply_import(
            self.db(),
            &self.who,
            MunicipalityId(municipality_id),
            plan,
            file_name,
        )
        .await
    }
}
