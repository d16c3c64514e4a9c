//! Packages: coordinators bundle courses for a target group
//! (`ManageTracks`); everyone signed in sees the published ones, and a
//! manager those that fit their own units with how far their staff have
//! come.

use domain::access::Action;
use domain::packages::PackageDraft;
use navet_store::catalogue::Course;
use navet_store::packages::{self, FittingPackage, Package};
use navet_store::StoreResult;

use super::UseCase;

/// The package list.
pub struct PackageList {
    /// Every package for those who maintain them, else the published.
    pub packages: Vec<Package>,
    /// Published packages that fit the actor's units (a manager's).
    pub fitting: Vec<FittingPackage>,
    pub can_manage: bool,
}

/// What the package editor offers.
pub struct PackageForm {
    pub roles: Vec<navet_store::org::Role>,
    /// Courses not retired.
    pub courses: Vec<Course>,
}

impl UseCase<'_> {
    /// The package list, with the packages that fit a manager's units.
    pub async fn packages(&self) -> StoreResult<PackageList> {
        let can_manage = self.may(Action::ManageTracks);
        // Only a scoped list (a manager's) has units to fit; the hub's
        // sees every package, the others' none of their own.
        let fitting = match self.visibility().restriction() {
            Some(scope) => packages::fitting(self.db(), &scope).await?,
            None => vec![],
        };
        Ok(PackageList {
            packages: packages::list(self.db(), !can_manage).await?,
            fitting,
            can_manage,
        })
    }

    /// What the editor offers (coordinators).
    pub async fn package_form(&self) -> StoreResult<PackageForm> {
        self.decide(Action::ManageTracks)?;
        Ok(PackageForm {
            roles: navet_store::org::roles(self.db()).await?,
            courses: self.courses_to_choose().await?,
        })
    }

    /// A package to change, with the editor.
    pub async fn package_to_edit(&self, id: i64) -> StoreResult<(Package, PackageForm)> {
        self.decide(Action::ManageTracks)?;
        let p = packages::get(self.db(), id).await?;
        Ok((p, self.package_form().await?))
    }

    pub async fn create_package(&self, d: &PackageDraft) -> StoreResult<i64> {
        self.decide(Action::ManageTracks)?;
        packages::create(self.db(), &self.who, d).await
    }

    pub async fn update_package(&self, id: i64, d: &PackageDraft) -> StoreResult<()> {
        self.decide(Action::ManageTracks)?;
        packages::update(self.db(), &self.who, id, d).await
    }

    pub async fn delete_package(&self, id: i64) -> StoreResult<()> {
        self.decide(Action::ManageTracks)?;
        packages::delete(self.db(), &self.who, id).await
    }
}
