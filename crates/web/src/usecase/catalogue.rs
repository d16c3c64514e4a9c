//! The public catalogue: courses and the county's municipalities, which
//! anyone may read.

use navet_store::catalogue::Course;
use navet_store::org::Municipality;
use navet_store::StoreResult;

use super::Guest;

impl Guest<'_> {
    /// One course (public).
    pub async fn course(&self, id: i64) -> StoreResult<Course> {
        navet_store::catalogue::get(self.db(), id).await
    }

    /// The county's municipalities, in Swedish order (public).
    pub async fn municipalities(&self) -> StoreResult<Vec<Municipality>> {
        navet_store::org::municipalities(self.db()).await
    }
}
