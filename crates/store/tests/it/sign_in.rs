//! Sign-in through a municipality's OpenID provider: the sign-in under way
//! is single-use and short-lived; who gets in, and the account made on the
//! first sign-in; on SQLite and PostgreSQL.

use domain::access::{Role, Scope};
use domain::ids::AccountId;
use domain::sign_in::{MatchOn, Refusal};
use navet_store::audit::Who;
use navet_store::sign_in::{self, Pending};
use navet_store::testing::fixtures;
use navet_store::{accounts, both_engines, Db};
use sqlx::Row;

fn pending(now: i64) -> Pending {
    Pending {
        provider: "kumla".into(),
        state: "s".into(),
        nonce: "n".into(),
        pkce_verifier: "v".into(),
        next: "/mina-bokningar".into(),
        created_at: now,
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(db.pool()).await.unwrap().get(0)
}

both_engines!(a_sign_in_under_way_is_answered_once, |db: Db| async move {
    let now = navet_store::time::now();
    let secret = sign_in::begin(&db, &pending(now)).await.unwrap();
    assert_eq!(sign_in::take(&db, "other", now).await.unwrap(), None);
    assert_eq!(
        sign_in::take(&db, &secret, now).await.unwrap(),
        Some(pending(now))
    );
    assert_eq!(sign_in::take(&db, &secret, now).await.unwrap(), None);
    // Too old: refused (and gone).
    let old = sign_in::begin(&db, &pending(now)).await.unwrap();
    let later = now + sign_in::PENDING_MAX_SECS + 1;
    assert_eq!(sign_in::take(&db, &old, later).await.unwrap(), None);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM oidc_logins").await, 0);
});

both_engines!(
    first_sign_in_makes_a_participant_account,
    |db: Db| async move {
        let p = fixtures::person(&db, "Anna", "Kumla").await;
        let found = sign_in::find(&db, MatchOn::Email, " ANNA@Test.se ", "Kumla")
            .await
            .unwrap()
            .expect("found by e-mail without regard to case");
        assert_eq!(found.person_id, p);
        assert_eq!(found.account, None);
        let a = sign_in::admit(&db, "kumla", "Kumla", Some(&found))
            .await
            .unwrap()
            .unwrap();
        assert!(a.created);
        let acc = accounts::get(&db, AccountId(a.account_id)).await.unwrap();
        assert_eq!((acc.role(), acc.person_id), (Role::Participant, Some(p)));
        // The second sign-in lands in the same account.
        let again = sign_in::find(&db, MatchOn::Email, "anna@test.se", "Kumla")
            .await
            .unwrap();
        let b = sign_in::admit(&db, "kumla", "Kumla", again.as_ref())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((b.account_id, b.created), (a.account_id, false));
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'login.oidc'"
            )
            .await,
            2
        );
    }
);

both_engines!(sign_in_never_changes_a_role, |db: Db| async move {
    let p = fixtures::person(&db, "Carina", "Kumla").await;
    let id = accounts::create(
        &db,
        &Who::system("test"),
        &accounts::NewAccount {
            email: "carina@test.se".into(),
            display_name: "Carina".into(),
            role: Role::Coordinator,
            password_hash: None,
            person_id: Some(p),
            scope: Scope::default(),
        },
    )
    .await
    .unwrap();
    let found = sign_in::find(&db, MatchOn::Email, "carina@test.se", "Kumla")
        .await
        .unwrap();
    let a = sign_in::admit(&db, "kumla", "Kumla", found.as_ref())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.account_id, id);
    assert_eq!(
        accounts::get(&db, AccountId(id)).await.unwrap().role(),
        Role::Coordinator
    );
});

both_engines!(refusals_make_no_account, |db: Db| async move {
    let accounts_before = count(&db, "SELECT COUNT(*) FROM accounts").await;
    // Nobody.
    let none = sign_in::find(&db, MatchOn::Email, "nobody@test.se", "Kumla")
        .await
        .unwrap();
    assert_eq!(
        sign_in::admit(&db, "kumla", "Kumla", none.as_ref())
            .await
            .unwrap(),
        Err(Refusal::NoMatch)
    );
    // Someone in another municipality.
    fixtures::person(&db, "Olle", "Örebro").await;
    let other = sign_in::find(&db, MatchOn::Email, "olle@test.se", "Kumla")
        .await
        .unwrap();
    assert_eq!(
        sign_in::admit(&db, "kumla", "Kumla", other.as_ref())
            .await
            .unwrap(),
        Err(Refusal::OtherMunicipality)
    );
    // Someone who has left.
    let gone = fixtures::person(&db, "Greta", "Kumla").await;
    sqlx::query("UPDATE people SET active = 0 WHERE id = $1")
        .bind(gone)
        .execute(db.writer())
        .await
        .unwrap();
    let left = sign_in::find(&db, MatchOn::Email, "greta@test.se", "Kumla")
        .await
        .unwrap();
    assert_eq!(
        sign_in::admit(&db, "kumla", "Kumla", left.as_ref())
            .await
            .unwrap(),
        Err(Refusal::Left)
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM accounts").await,
        accounts_before
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login.failed' AND detail LIKE 'oidc_%'"
        )
        .await,
        3
    );
});

both_engines!(
    employee_numbers_match_in_the_providers_municipality,
    |db: Db| async move {
        let kumla = fixtures::person(&db, "Kim", "Kumla").await;
        let orebro = fixtures::person(&db, "Ola", "Örebro").await;
        for id in [kumla, orebro] {
            sqlx::query("UPDATE people SET employee_no = '123' WHERE id = $1")
                .bind(id)
                .execute(db.writer())
                .await
                .unwrap();
        }
        let found = sign_in::find(&db, MatchOn::EmployeeNo, "123", "Kumla")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.person_id, kumla);
    }
);

both_engines!(
    a_provider_session_keeps_its_provider_and_id_token,
    |db: Db| async move {
        let p = fixtures::person(&db, "Siv", "Kumla").await;
        let id = accounts::create(
            &db,
            &Who::system("test"),
            &accounts::NewAccount {
                email: "siv@test.se".into(),
                display_name: "Siv".into(),
                role: Role::Participant,
                password_hash: None,
                person_id: Some(p),
                scope: Scope::default(),
            },
        )
        .await
        .unwrap();
        let secret = sign_in::create_session(&db, AccountId(id), "kumla", "id-token")
            .await
            .unwrap();
        assert_eq!(
            sign_in::session_provider(&db, &secret).await.unwrap(),
            Some(("kumla".to_string(), "id-token".to_string()))
        );
        assert_eq!(sign_in::session_provider(&db, "other").await.unwrap(), None);
    }
);
