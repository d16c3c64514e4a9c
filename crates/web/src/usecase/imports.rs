//! What every upload does around reading its file: the decision, one
//! import at a time per account (the lock is held in the database, so it
//! holds across instances), and the checked file kept on the server
//! between the preview and the confirm step.

use domain::access::Action;
use domain::ids::AccountId;
use domain::participation_import::ImportErrors;
use navet_store::history_import::{self, ImportSummary};
use navet_store::org::Role as JobRole;
use navet_store::StoreResult;

use super::UseCase;
use crate::imports::Held;

/// An import under way: the actor's import lock for one kind of file.
pub struct ImportRun<'u, 'a> {
    pub uc: &'u UseCase<'a>,
    kind: &'static str,
    held: Held,
}

impl<'a> UseCase<'a> {
    /// Start an import of `kind` that `action` allows; `None` when the
    /// account already has one running.
    pub async fn start_import<'u>(
        &'u self,
        action: Action<'_>,
        kind: &'static str,
    ) -> StoreResult<Option<ImportRun<'u, 'a>>> {
        self.decide(action)?;
        Ok(crate::imports::lock(self.db(), self.actor.account_id, kind)
            .await?
            .map(|held| ImportRun {
                uc: self,
                kind,
                held,
            }))
    }
}

impl ImportRun<'_, '_> {
    /// A file kept at the preview step (name and content), if it is still
    /// there and the account's own.
    pub async fn kept_file(&self, id: i64) -> StoreResult<Option<(String, Vec<u8>)>> {
        navet_store::imports::upload(
            self.uc.db(),
            AccountId(self.uc.actor.account_id),
            self.kind,
            id,
        )
        .await
    }

    /// Keep a checked file for the confirm step; answers its id.
    pub async fn keep_file(&self, file_name: &str, bytes: &[u8]) -> StoreResult<i64> {
        navet_store::imports::save_upload(
            self.uc.db(),
            AccountId(self.uc.actor.account_id),
            self.kind,
            file_name,
            bytes,
        )
        .await
    }

    /// A kept file is no longer needed (the import is done).
    pub async fn forget_file(&self, id: i64) -> StoreResult<()> {
        navet_store::imports::delete_upload(self.uc.db(), AccountId(self.uc.actor.account_id), id)
            .await
    }

    /// Give the lock back (dropping the run does too, later).
    pub async fn finish(self) {
        self.held.release().await;
    }
}

impl UseCase<'_> {
    /// Whether the actor may import participation history (the form).
    pub fn may_import_participations(&self) -> StoreResult<()> {
        self.decide(Action::ViewReports)?;
        self.decide(Action::ManageCatalogue)
    }

    /// A participation history file checked, nothing written.
    pub async fn preview_participations(
        &self,
        bytes: &[u8],
        create_courses: bool,
    ) -> StoreResult<Result<ImportSummary, ImportErrors>> {
        self.decide(Action::ManageCatalogue)?;
        history_import::preview(self.db(), bytes, create_courses).await
    }

    /// A participation history file imported, all or nothing.
    pub async fn import_participations(
        &self,
        file_name: &str,
        bytes: &[u8],
        create_courses: bool,
    ) -> StoreResult<Result<ImportSummary, ImportErrors>> {
        self.decide(Action::ManageCatalogue)?;
        history_import::import(self.db(), &self.who, file_name, bytes, create_courses).await
    }

    /// The role titles in a participation file that no job role matches,
    /// with the job roles to map them to.
    pub async fn unknown_role_titles(
        &self,
        bytes: &[u8],
    ) -> StoreResult<(Vec<String>, Vec<JobRole>)> {
        self.decide(Action::ManageCatalogue)?;
        let unknown = history_import::unknown_titles(self.db(), bytes).await?;
        let roles = if unknown.is_empty() {
            vec![]
        } else {
            navet_store::org::roles(self.db()).await?
        };
        Ok((unknown, roles))
    }

    /// Remember that `title` means job role `role` in every municipality
    /// (a participation file spans municipalities).
    pub async fn map_role_title_everywhere(&self, title: &str, role: i64) -> StoreResult<()> {
        self.decide(Action::ManageCatalogue)?;
        navet_store::role_mappings::set(self.db(), &self.who, None, title, role).await
    }
}
