//! Privacy: erasure (with what legal holds keep), the register extract,
//! the retention page's legal holds, and the access review. Each operation
//! decides with `domain::access`, logs reads of personal data, and scopes
//! the access review to the municipalities the actor answers for.

use domain::access::Action;
use domain::ids::PersonId;
use navet_store::access_review::{self, Filter, Page, UnusualReading};
use navet_store::erasure::{self, Erased, Preview};
use navet_store::legal_holds::{self, Hold};
use navet_store::org::Municipality;
use navet_store::people::{self, Person};
use navet_store::retention::{self, Run};
use navet_store::StoreResult;

use super::UseCase;
use crate::register_extract_file;

/// The legal holds and the last retention run, for `/integritet`.
pub struct PrivacyOverview {
    pub last: Option<Run>,
    pub holds: Vec<Hold>,
    pub programmes: Vec<(i64, String)>,
}

impl UseCase<'_> {
    /// The person the actor may erase (for the confirmation's name).
    pub async fn person_to_erase(&self, id: i64) -> StoreResult<Person> {
        let person = people::get(self.db(), PersonId(id)).await?;
        self.decide(Action::ErasePerson(person.as_ref()))?;
        Ok(person)
    }

    /// What erasing the person would do, and what holds keep; the preview
    /// shows the person's name, so it is a logged read (`what`).
    pub async fn erasure_preview(&self, id: i64, what: &str) -> StoreResult<Preview> {
        self.person_to_erase(id).await?;
        self.audit_person_read(id, what).await?;
        erasure::preview(self.db(), PersonId(id)).await
    }

    /// Erase the person (partly, where a legal hold keeps records).
    pub async fn erase_person(&self, id: i64) -> StoreResult<Erased> {
        self.person_to_erase(id).await?;
        erasure::erase(self.db(), &self.who, PersonId(id)).await
    }

    /// The register extract as a zip; a refusal is logged under the person
    /// too, so it shows in their next extract.
    pub async fn register_extract(&self, id: i64) -> StoreResult<Vec<u8>> {
        let person = people::get(self.db(), PersonId(id)).await?;
        if let Err(e) = self.decide(Action::ExtractPersonData(person.as_ref())) {
            navet_store::register_extract::record_refusal(self.db(), &self.who, PersonId(id))
                .await?;
            return Err(e);
        }
        register_extract_file::produce(self.db(), &self.who, id).await
    }

    /// The signed-in account's own person record, if it has one.
    pub async fn own_person(&self) -> StoreResult<Option<Person>> {
        match self.person_id() {
            Some(id) => Ok(Some(people::get(self.db(), PersonId(id)).await?)),
            None => Ok(None),
        }
    }

    /// Legal holds, the programmes one can be put on and the last run.
    pub async fn privacy_overview(&self) -> StoreResult<PrivacyOverview> {
        self.decide(Action::ManagePrivacy)?;
        Ok(PrivacyOverview {
            last: retention::last_run(self.db()).await?,
            holds: legal_holds::list(self.db()).await?,
            programmes: legal_holds::programmes(self.db()).await?,
        })
    }

    /// May the actor see `/integritet` (the menu and the page's guard)?
    pub fn may_manage_privacy(&self) -> StoreResult<()> {
        self.decide(Action::ManagePrivacy)
    }

    pub async fn place_legal_hold(&self, programme_id: i64, reason: &str) -> StoreResult<i64> {
        self.decide(Action::ManagePrivacy)?;
        legal_holds::place(self.db(), &self.who, programme_id, reason).await
    }

    pub async fn release_legal_hold(&self, hold_id: i64) -> StoreResult<()> {
        self.decide(Action::ManagePrivacy)?;
        legal_holds::release(self.db(), &self.who, hold_id).await
    }

    /// The filter limited to what the actor may review: an admin the
    /// whole region; a municipality's account its own municipality (also
    /// when none was chosen). Refused otherwise.
    pub fn review_scope(&self, mut f: Filter) -> StoreResult<Filter> {
        if f.municipality_id.is_none()
            && !self.may(Action::ReviewAccess {
                municipality_id: None,
            })
        {
            if let Some(scope) = self.visibility().restriction() {
                if let [only] = scope.municipality_ids.as_slice() {
                    f.municipality_id = Some(*only);
                }
            }
        }
        self.decide(Action::ReviewAccess {
            municipality_id: f.municipality_id,
        })?;
        Ok(f)
    }

    /// The municipalities the actor may review (for the filter's choices).
    pub async fn review_municipalities(&self) -> StoreResult<Vec<Municipality>> {
        let all = navet_store::org::municipalities(self.db()).await?;
        let mine: Vec<Municipality> = all
            .into_iter()
            .filter(|m| {
                self.may(Action::ReviewAccess {
                    municipality_id: Some(m.id),
                })
            })
            .collect();
        if mine.is_empty() {
            self.decide(Action::ReviewAccess {
                municipality_id: None,
            })?;
        }
        Ok(mine)
    }

    /// Whether the actor reviews the whole region (else one municipality).
    pub fn reviews_whole_region(&self) -> bool {
        self.may(Action::ReviewAccess {
            municipality_id: None,
        })
    }

    /// The reader's account id from an e-mail address.
    pub async fn review_reader(&self, email: &str) -> StoreResult<Option<i64>> {
        access_review::account_by_email(self.db(), email).await
    }

    /// One page of the access review (the filter through [`review_scope`]).
    pub async fn access_review(
        &self,
        f: Filter,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Page> {
        let f = self.review_scope(f)?;
        access_review::page(self.db(), &f, before, limit).await
    }

    /// Unusual reading within the filter.
    pub async fn unusual_reading(&self, f: Filter, limit: i64) -> StoreResult<Vec<UnusualReading>> {
        let f = self.review_scope(f)?;
        access_review::unusual(self.db(), &f, limit).await
    }

    /// The filtered review as CSV (at most `max` rows); the export is
    /// itself logged.
    pub async fn access_review_csv(&self, f: Filter, max: usize) -> StoreResult<Vec<u8>> {
        let f = self.review_scope(f)?;
        let bytes = access_review::csv(self.db(), &f, max).await?;
        self.audit(
            "access_review.export",
            "audit_log",
            None,
            &format!(
                "åtkomstgranskning som CSV: person {:?}, kommun {:?}, läsare {:?}, från {:?}, till {:?}",
                f.person_id, f.municipality_id, f.reader_account_id, f.from, f.to
            ),
        )
        .await?;
        Ok(bytes)
    }
}
