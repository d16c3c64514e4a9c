//! API tokens ("API-nycklar"): an account makes, lists and revokes its
//! own; an administrator sees and revokes everyone's.

use domain::access::Action;
use domain::ids::AccountId;
use domain::tokens::TokenDraft;
use navet_store::accounts::{self, TokenInfo};
use navet_store::{audit, StoreResult};

use super::UseCase;

impl UseCase<'_> {
    /// The signed-in account's own tokens, newest first.
    pub async fn own_tokens(&self) -> StoreResult<Vec<TokenInfo>> {
        accounts::list_tokens(self.db(), Some(AccountId(self.actor.account_id))).await
    }

    /// Every account's tokens (administrators). The list shows account
    /// holders' names and addresses, so it is logged as a read.
    pub async fn all_tokens(&self) -> StoreResult<Vec<TokenInfo>> {
        self.decide(Action::ManageAccounts)?;
        let tokens = accounts::list_tokens(self.db(), None).await?;
        let mut owners: Vec<i64> = tokens.iter().map(|t| t.account_id).collect();
        owners.sort_unstable();
        owners.dedup();
        self.audit(
            "account.list",
            "accounts",
            None,
            &format!("API-nycklar: konton {}", audit::id_list(&owners)),
        )
        .await?;
        Ok(tokens)
    }

    /// The API's token list: an administrator everyone's (or one
    /// account's), anyone else their own whatever they ask for.
    pub async fn tokens_of(&self, account_id: Option<i64>) -> StoreResult<Vec<TokenInfo>> {
        if self.may(Action::ManageAccounts) {
            accounts::list_tokens(self.db(), account_id.map(AccountId)).await
        } else {
            self.own_tokens().await
        }
    }

    /// A new token for the signed-in account: its id and the secret,
    /// shown once.
    pub async fn create_own_token(&self, draft: &TokenDraft) -> StoreResult<(i64, String)> {
        accounts::create_token_with(
            self.db(),
            &self.who,
            AccountId(self.actor.account_id),
            draft,
        )
        .await
    }

    /// Revoke a token: one's own, or as an administrator anyone's.
    pub async fn revoke_token(&self, id: i64) -> StoreResult<()> {
        let t = accounts::get_token(self.db(), id).await?;
        self.decide(Action::ManageApiToken {
            owner_account_id: t.account_id,
        })?;
        accounts::revoke_token(self.db(), &self.who, id).await
    }
}
