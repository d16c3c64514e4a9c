//! The needs inventory per profession: its coverage matrix (aggregates:
//! the steering group reads it) and its upkeep by coordinators
//! (`ManageNeedsInventory`).

use domain::access::Action;
use domain::requirements::NeedDraft;
use navet_store::needs::{self, Need, NeedEntry};
use navet_store::StoreResult;

use super::UseCase;

/// What the need editor offers.
pub struct NeedForm {
    /// The need being changed, as stored.
    pub source: Option<NeedEntry>,
    /// Every course (id, title, status label).
    pub courses: Vec<(i64, String, &'static str)>,
}

impl UseCase<'_> {
    /// The coverage matrix: every need with its linked courses.
    pub async fn needs_matrix(&self) -> StoreResult<Vec<Need>> {
        self.decide(Action::ViewAggregates)?;
        needs::matrix(self.db()).await
    }

    /// The inventory as maintained (coordinators).
    pub async fn needs_inventory(&self) -> StoreResult<Vec<NeedEntry>> {
        self.decide(Action::ManageNeedsInventory)?;
        needs::list(self.db()).await
    }

    /// Load the annual report's inventory if it is empty; how many needs
    /// were loaded.
    pub async fn load_needs_seed(&self) -> StoreResult<usize> {
        self.decide(Action::ManageNeedsInventory)?;
        needs::load_seed(self.db()).await
    }

    /// What the editor offers, with the need being changed (if any).
    pub async fn need_form(&self, id: Option<i64>) -> StoreResult<NeedForm> {
        self.decide(Action::ManageNeedsInventory)?;
        let source = match id {
            Some(i) => Some(needs::get(self.db(), i).await?),
            None => None,
        };
        let courses = navet_store::catalogue::list(self.db(), None)
            .await?
            .into_iter()
            .map(|co| {
                let label = co.status_label();
                (co.id, co.title, label)
            })
            .collect();
        Ok(NeedForm { source, courses })
    }

    pub async fn create_need(&self, d: &NeedDraft, course_ids: &[i64]) -> StoreResult<i64> {
        self.decide(Action::ManageNeedsInventory)?;
        needs::create(self.db(), &self.who, d, course_ids).await
    }

    pub async fn update_need(&self, id: i64, d: &NeedDraft, course_ids: &[i64]) -> StoreResult<()> {
        self.decide(Action::ManageNeedsInventory)?;
        needs::update(self.db(), &self.who, id, d, course_ids).await
    }

    pub async fn delete_need(&self, id: i64) -> StoreResult<()> {
        self.decide(Action::ManageNeedsInventory)?;
        needs::delete(self.db(), &self.who, id).await
    }
}
