//! Invitations: a coordinator (or a manager, for their units) invites
//! people from the staff list. Each gets a message through the outbox with
//! a single-use link, valid 7 days, to choose a password — or, where their
//! municipality signs in through its own provider, which button to use.
//! Accepting the link makes (or completes) the account linked to their
//! staff record, with the participant role. Only the link's hash is
//! stored; a new invitation replaces the old one. The rules are in
//! `domain::invitations`.

use domain::ids::{AccountId, PersonId};
use std::collections::HashMap;

use domain::invitations::{self as rules, AccountFacts, InviteFacts, LinkState, NotInvitable};
use sqlx::{AnyConnection, Row};

use crate::accounts::{hash_secret, new_secret};
use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{is_unique_violation, StoreError, StoreResult};

/// A person as an invitation sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub person_id: i64,
    pub name: String,
    pub email: String,
    pub municipality: String,
    /// Why they cannot be invited now, if they cannot.
    pub not_invitable: Option<NotInvitable>,
    /// Their latest invitation: sent, last moment, used.
    pub invited_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub used_at: Option<i64>,
    /// The provider the latest invitation pointed to (no link then).
    pub provider: Option<String>,
}

impl Invitee {
    /// Invited, not used, not expired at `now`.
    pub fn pending(&self, now: i64) -> bool {
        self.provider.is_none()
            && self.used_at.is_none()
            && self.expires_at.is_some_and(|e| now < e)
    }
}

/// The person's account: linked to them, or (made by hand before) an
/// unlinked account with their address.
const ACCOUNT_OF_PERSON: &str = "(SELECT x.id FROM accounts x WHERE x.person_id = p.id \
     OR (x.person_id IS NULL AND x.email = LOWER(p.email)) \
     ORDER BY CASE WHEN x.person_id IS NULL THEN 1 ELSE 0 END, x.id LIMIT 1)";

fn select() -> String {
    format!(
        "SELECT p.id AS person_id, p.name AS person_name, p.email, p.active AS person_active, \
         m.name AS municipality, a.id AS account_id, a.active AS account_active, \
         CASE WHEN a.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, \
         i.created_at AS invited_at, i.expires_at, i.used_at, i.provider \
         FROM people p JOIN municipalities m ON m.id = p.municipality_id \
         LEFT JOIN accounts a ON a.id = {ACCOUNT_OF_PERSON} \
         LEFT JOIN invitations i ON i.person_id = p.id"
    )
}

/// The most ids in one `IN (…)` list.
const IDS_PER_QUERY: usize = 500;

async fn load(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<HashMap<i64, Invitee>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let list = chunk
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(&format!("{} WHERE p.id IN ({list})", select()))
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            let account = r.get::<Option<i64>, _>("account_id").map(|_| AccountFacts {
                active: r.get::<Option<i64>, _>("account_active") == Some(1),
                in_use: r.get::<i64, _>("has_password") == 1,
            });
            let facts = InviteFacts {
                email: r.get("email"),
                active: r.get::<i64, _>("person_active") == 1,
                account,
            };
            let id: i64 = r.get("person_id");
            out.insert(
                id,
                Invitee {
                    person_id: id,
                    name: r.get("person_name"),
                    email: facts.email.clone(),
                    municipality: r.get("municipality"),
                    not_invitable: rules::invitable(&facts).err(),
                    invited_at: r.get("invited_at"),
                    expires_at: r.get("expires_at"),
                    used_at: r.get("used_at"),
                    provider: r.get("provider"),
                },
            );
        }
    }
    Ok(out)
}

/// Invitation facts for these people (those that exist), by id.
pub async fn invitees(db: &Db, person_ids: &[i64]) -> StoreResult<HashMap<i64, Invitee>> {
    let mut conn = db.pool().acquire().await?;
    load(&mut conn, person_ids).await
}

/// What inviting one person ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A link to choose a password was sent.
    Link,
    /// They were told to sign in through this provider (its label).
    Provider(String),
    NotInvitable(NotInvitable),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invited {
    pub person_id: i64,
    pub name: String,
    pub outcome: Outcome,
}

/// Invite people (ids the caller may invite; see `Action::InvitePerson`),
/// in one transaction: each invitable person gets a new link (replacing any
/// earlier one) and a message in the outbox; the others are reported with
/// why. `provider_for` gives the provider label for a municipality name
/// when that municipality signs in through its own provider. An unknown id
/// fails the whole request and changes nothing.
pub async fn invite(
    db: &Db,
    who: &Who,
    person_ids: &[i64],
    provider_for: &(dyn Fn(&str) -> Option<String> + Sync),
) -> StoreResult<Vec<Invited>> {
    if person_ids.len() > rules::MAX_INVITES_AT_ONCE {
        return Err(StoreError::invalid(
            "person_ids",
            "too_many",
            format!(
                "Högst {} personer kan bjudas in på en gång.",
                rules::MAX_INVITES_AT_ONCE
            ),
        ));
    }
    let mut ids = person_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let now = crate::time::now();
    let expires_at = now + rules::INVITATION_VALID_SECS;
    let sender = db.sender().clone();
    let mut tx = db.begin().await?;
    let found = load(&mut tx, &ids).await?;
    let mut out = Vec::with_capacity(ids.len());
    // (person, detail), written after the rows.
    let mut entries = vec![];
    for id in &ids {
        let p = found.get(id).ok_or(StoreError::NotFound("person"))?;
        if let Some(why) = p.not_invitable {
            out.push(Invited {
                person_id: p.person_id,
                name: p.name.clone(),
                outcome: Outcome::NotInvitable(why),
            });
            continue;
        }
        let provider = provider_for(&p.municipality);
        let key = provider.is_none().then(new_secret);
        sqlx::query(
            "INSERT INTO invitations (person_id, token_hash, provider, invited_by_account_id, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL) \
             ON CONFLICT (person_id) DO UPDATE SET token_hash = excluded.token_hash, provider = excluded.provider, \
             invited_by_account_id = excluded.invited_by_account_id, created_at = excluded.created_at, \
             expires_at = excluded.expires_at, used_at = NULL",
        )
        .bind(p.person_id)
        .bind(key.as_deref().map(hash_secret))
        .bind(provider.clone())
        .bind(who.account_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        let (subject, body) = rules::invitation_mail(
            &sender,
            &p.name,
            key.as_deref(),
            provider.as_deref(),
            expires_at,
        );
        crate::outbox::enqueue_text(
            &mut tx,
            "invitation",
            &p.email.to_lowercase(),
            Some(PersonId(p.person_id)),
            &subject,
            &body,
        )
        .await?;
        entries.push((
            p.person_id,
            match &provider {
                Some(l) => format!("hänvisad till ”Logga in med {l}”"),
                None => format!("länk giltig till {}", rules::until_sv(expires_at)),
            },
        ));
        out.push(Invited {
            person_id: p.person_id,
            name: p.name.clone(),
            outcome: match provider {
                Some(l) => Outcome::Provider(l),
                None => Outcome::Link,
            },
        });
    }
    for (person_id, detail) in entries {
        audit::record(
            &mut tx,
            who,
            "invitation.send",
            "person",
            Some(person_id),
            Some(person_id),
            &detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// An invitation link as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub state: LinkState,
    pub person_id: Option<i64>,
    /// The invited person's name and e-mail (empty when unknown).
    pub name: String,
    pub email: String,
}

/// Look up an invitation link by its key.
pub async fn link(db: &Db, key: &str, now: i64) -> StoreResult<Link> {
    let row = sqlx::query(
        "SELECT i.expires_at, i.used_at, p.name, p.email, p.id FROM invitations i \
         JOIN people p ON p.id = i.person_id WHERE i.token_hash = $1",
    )
    .bind(hash_secret(key))
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        None => Link {
            state: LinkState::Unknown,
            person_id: None,
            name: String::new(),
            email: String::new(),
        },
        Some(r) => Link {
            state: LinkState::of(now, Some((r.get("expires_at"), r.get("used_at")))),
            person_id: Some(r.get("id")),
            name: r.get("name"),
            email: r.get("email"),
        },
    })
}

/// Why an invitation could not be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Used, expired or unknown.
    Link(LinkState),
    /// The person has been marked as left since.
    Left,
    /// Their account has been switched off by an administrator since.
    AccountDisabled,
    /// Another account already uses their address.
    EmailTaken,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Link(s) => s.code(),
            Refusal::Left => "person_left",
            Refusal::AccountDisabled => "inactive_account",
            Refusal::EmailTaken => "email_taken",
        }
    }
}

/// Accept an invitation with a new password (already checked against
/// `domain::passwords` and hashed), in one transaction: the link is used
/// up, the account linked to the person is made with the participant role
/// (or an existing one — made by hand, or at a first provider sign-in —
/// gets the password and keeps its role), and any other login sessions of
/// it end. Returns the account; a refusal changes nothing but is logged.
pub async fn accept(
    db: &Db,
    key: &str,
    password_hash: &str,
    now: i64,
) -> StoreResult<Result<i64, Refusal>> {
    let mut tx = db.begin().await?;
    let r = accept_in(db, &mut tx, key, password_hash, now).await?;
    match r {
        Ok((account, person, created)) => {
            let who = Who {
                account_id: Some(account),
                label: "webb (inbjudan)".into(),
            };
            if created {
                audit::record(
                    &mut tx,
                    &who,
                    "account.create",
                    "account",
                    Some(account),
                    Some(person),
                    "roll participant (inbjudan)",
                )
                .await?;
            }
            audit::record(
                &mut tx,
                &who,
                "invitation.accept",
                "account",
                Some(account),
                Some(person),
                "lösenord valt",
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(account))
        }
        Err((refusal, person)) => {
            tx.rollback().await?;
            record_refusal(db, person, refusal).await?;
            Ok(Err(refusal))
        }
    }
}

/// Log a refused attempt to use an invitation link (nothing else changes).
pub async fn record_refusal(db: &Db, person: Option<i64>, refusal: Refusal) -> StoreResult<()> {
    audit::record_alone(
        db,
        &Who::system("webb (inbjudan)"),
        "invitation.refused",
        "person",
        person,
        person,
        refusal.code(),
    )
    .await
}

type Accepted = Result<(i64, i64, bool), (Refusal, Option<i64>)>;

async fn accept_in(
    db: &Db,
    tx: &mut AnyConnection,
    key: &str,
    password_hash: &str,
    now: i64,
) -> StoreResult<Accepted> {
    let row = sqlx::query(&format!(
        "SELECT id, person_id, expires_at, used_at FROM invitations WHERE token_hash = $1{}",
        db.for_update()
    ))
    .bind(hash_secret(key))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Err((Refusal::Link(LinkState::Unknown), None)));
    };
    let person: i64 = row.get("person_id");
    let state = LinkState::of(now, Some((row.get("expires_at"), row.get("used_at"))));
    if state != LinkState::Valid {
        return Ok(Err((Refusal::Link(state), Some(person))));
    }
    let p = sqlx::query(&format!(
        "SELECT p.name, LOWER(p.email) AS email, p.active, a.id AS account_id, a.active AS account_active \
         FROM people p \
         LEFT JOIN accounts a ON a.id = {ACCOUNT_OF_PERSON} WHERE p.id = $1"
    ))
    .bind(person)
    .fetch_one(&mut *tx)
    .await?;
    if p.get::<i64, _>("active") != 1 {
        return Ok(Err((Refusal::Left, Some(person))));
    }
    sqlx::query("UPDATE invitations SET used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(row.get::<i64, _>("id"))
        .execute(&mut *tx)
        .await?;
    let (account, created) = match p.get::<Option<i64>, _>("account_id") {
        Some(a) => {
            if p.get::<Option<i64>, _>("account_active") != Some(1) {
                return Ok(Err((Refusal::AccountDisabled, Some(person))));
            }
            sqlx::query(
                "UPDATE accounts SET password_hash = $1, person_id = COALESCE(person_id, $2) WHERE id = $3",
            )
            .bind(password_hash)
            .bind(person)
            .bind(a)
            .execute(&mut *tx)
            .await?;
            crate::accounts::end_all_sessions(tx, AccountId(a)).await?;
            (a, false)
        }
        None => {
            let r = sqlx::query(
                "INSERT INTO accounts (email, display_name, password_hash, role, person_id, language, active, created_at) \
                 VALUES ($1, $2, $3, 'participant', $4, 'sv', 1, $5) RETURNING id",
            )
            .bind(p.get::<String, _>("email"))
            .bind(p.get::<String, _>("name"))
            .bind(password_hash)
            .bind(person)
            .bind(now)
            .fetch_one(&mut *tx)
            .await;
            match r {
                Ok(r) => (r.get::<i64, _>("id"), true),
                Err(e) if is_unique_violation(&e) => {
                    return Ok(Err((Refusal::EmailTaken, Some(person))))
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    Ok(Ok((account, person, created)))
}
