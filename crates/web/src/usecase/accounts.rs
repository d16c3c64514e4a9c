//! Accounts, as the administrator manages them: the list, one account,
//! creating one, its role and scope, and a new password.

use domain::access::{Action, Role, Scope};
use domain::ids::AccountId;
use domain::paging::Window;
use navet_store::accounts::{self, Account, NewAccount};
use navet_store::org::{self, Municipality, Unit};
use navet_store::{account_list, audit, second_factor, StoreResult};

use super::people::UNITS_IN_ONE_PICKER;
use super::UseCase;

/// The account list with what its form chooses from.
pub struct AccountsOverview {
    /// One page of accounts in Swedish name order.
    pub accounts: Vec<Account>,
    /// The account to continue after, when there are more.
    pub next_after: Option<i64>,
    /// How many match, counted up to the cap given.
    pub total: i64,
}

/// One account's page.
pub struct AccountDetail {
    pub account: Account,
    pub scope: Scope,
    pub second_factor: Option<second_factor::Status>,
}

/// What a manager's scope is chosen from on the account forms.
pub struct ScopeChoices {
    pub municipalities: Vec<Municipality>,
    /// Every unit; or, when the nation has more units than one picker
    /// should hold, the units already chosen and those of the municipality
    /// asked for.
    pub units: Vec<Unit>,
    pub units_by_municipality: bool,
}

/// Units already chosen that a form brings back: more is a hostile form.
const CHOSEN_UNITS_SHOWN: usize = 1_000;

impl UseCase<'_> {
    /// Every account. Account holders' names and addresses: one audit
    /// entry per view, with the ids shown.
    pub async fn accounts_overview(
        &self,
        query: &str,
        role: &str,
        after: Option<i64>,
        limit: i64,
        count_cap: i64,
    ) -> StoreResult<AccountsOverview> {
        self.decide(Action::ManageAccounts)?;
        let search = account_list::Search {
            query: Some(query.to_string()),
            role: Role::parse(role),
        };
        let (list, next_after) =
            account_list::page(self.db(), &search, after.map(AccountId), limit).await?;
        let total = account_list::count(self.db(), &search, count_cap).await?;
        self.audit(
            "account.list",
            "accounts",
            None,
            &format!(
                "kontolistan: konton {}",
                audit::id_list(&list.iter().map(|a| a.id).collect::<Vec<_>>())
            ),
        )
        .await?;
        Ok(AccountsOverview {
            accounts: list,
            next_after,
            total,
        })
    }

    /// One account, its scope and second factor; the read is logged.
    pub async fn account_detail(&self, id: i64) -> StoreResult<AccountDetail> {
        let account = self.account(id).await?;
        navet_store::audit::record_alone(
            self.db(),
            &self.who,
            "account.read",
            "account",
            Some(account.id),
            account.person_id,
            "kontosida",
        )
        .await?;
        Ok(AccountDetail {
            scope: accounts::scope(self.db(), AccountId(id)).await?,
            second_factor: second_factor::status(self.db(), AccountId(id)).await?,
            account,
        })
    }

    /// The municipalities and units a manager's scope is chosen from.
    /// Above `UNITS_IN_ONE_PICKER` units, not every unit of the nation as
    /// a check box: those already `chosen` and the units of `show`.
    pub async fn scope_choices(
        &self,
        show: Option<i64>,
        chosen: &[i64],
    ) -> StoreResult<ScopeChoices> {
        self.decide(Action::ManageAccounts)?;
        let municipalities = org::municipalities(self.db()).await?;
        if org::unit_count(self.db()).await? <= UNITS_IN_ONE_PICKER {
            return Ok(ScopeChoices {
                municipalities,
                units: org::units(self.db(), None).await?,
                units_by_municipality: false,
            });
        }
        let scope = Scope {
            unit_ids: chosen.iter().copied().take(CHOSEN_UNITS_SHOWN).collect(),
            municipality_ids: show
                .filter(|m| municipalities.iter().any(|x| x.id == *m))
                .into_iter()
                .collect(),
        };
        Ok(ScopeChoices {
            units: org::units_in(self.db(), &scope).await?,
            municipalities,
            units_by_municipality: true,
        })
    }

    /// One account's record (to check a new password against its name).
    pub async fn account(&self, id: i64) -> StoreResult<Account> {
        self.decide(Action::ManageAccounts)?;
        accounts::get(self.db(), AccountId(id)).await
    }

    /// The person an e-mail address names, to link a new account to.
    pub async fn person_id_for_email(&self, email: &str) -> StoreResult<Option<i64>> {
        self.decide(Action::ManageAccounts)?;
        Ok(navet_store::people::by_email(self.db(), email)
            .await?
            .map(|p| p.id))
    }

    pub async fn create_account(&self, new: &NewAccount) -> StoreResult<i64> {
        self.decide(Action::ManageAccounts)?;
        accounts::create(self.db(), &self.who, new).await
    }

    pub async fn set_account_role(
        &self,
        id: i64,
        role: Role,
        scope: &Scope,
        active: bool,
    ) -> StoreResult<()> {
        self.decide(Action::ManageAccounts)?;
        accounts::set_role_and_scope(self.db(), &self.who, AccountId(id), role, scope, active).await
    }

    pub async fn set_account_password(&self, id: i64, hash: &str) -> StoreResult<()> {
        self.decide(Action::ManageAccounts)?;
        accounts::set_password(self.db(), &self.who, AccountId(id), hash).await
    }
}

impl UseCase<'_> {
    /// The administration start page: the last retention run.
    pub async fn admin_overview(&self) -> StoreResult<Option<navet_store::retention::Run>> {
        self.decide(Action::ManageAccounts)?;
        navet_store::retention::last_run(self.db()).await
    }

    /// One page of the audit log, the number of matches and the actions
    /// the filter offers.
    pub async fn audit_log(
        &self,
        filter: &audit::Filter,
    ) -> StoreResult<(Window<audit::Entry>, i64, Vec<String>)> {
        self.decide(Action::ViewAuditLog)?;
        let (entries, total) = audit::list(self.db(), filter).await?;
        Ok((entries, total, audit::distinct_actions(self.db()).await?))
    }
}
