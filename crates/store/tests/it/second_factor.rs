//! The second factor in the database: a sign-in waiting for its code is
//! taken once, a code's time step and a recovery code count once, setting
//! up twice is refused, and a reset removes everything and ends the
//! sessions; on SQLite and PostgreSQL.

use domain::access::{Role, Scope};
use domain::ids::AccountId;
use navet_store::audit::Who;
use navet_store::second_factor::{self as sf, Outcome, PendingLogin, Proof};
use navet_store::{accounts, both_engines, Db};
use sqlx::Row;

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(db.pool()).await.unwrap().get(0)
}

async fn account(db: &Db) -> i64 {
    accounts::create(
        db,
        &Who::system("test"),
        &accounts::NewAccount {
            email: "c@test.se".into(),
            display_name: "C".into(),
            role: Role::Coordinator,
            password_hash: None,
            person_id: None,
            scope: Scope::default(),
        },
    )
    .await
    .unwrap()
}

async fn wait(db: &Db, id: i64, enrol_secret: Option<String>) -> String {
    sf::begin(
        db,
        &PendingLogin {
            account_id: id,
            enrol_secret,
            next: "/".into(),
            end_others: false,
            created_at: navet_store::time::now(),
        },
    )
    .await
    .unwrap()
}

fn signed_in(o: &Outcome) -> bool {
    matches!(o, Outcome::SignedIn { .. })
}

/// Set up with a secret at `step`; returns the recovery codes.
async fn enrolled(db: &Db, id: i64, step: i64) -> Vec<String> {
    let secret = sf::new_secret();
    let flow = wait(db, id, Some(secret.clone())).await;
    let codes = sf::new_recovery_codes();
    let o = sf::enrol(db, &flow, AccountId(id), &secret, step, &codes)
        .await
        .unwrap();
    assert!(signed_in(&o), "{o:?}");
    codes
}

both_engines!(setting_up_is_done_once, |db: Db| async move {
    let id = account(&db).await;
    let codes = enrolled(&db, id, 100).await;
    assert_eq!(codes.len(), 10);
    let distinct: std::collections::HashSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 10);
    let f = sf::factor(&db, AccountId(id)).await.unwrap().unwrap();
    assert_eq!(f.last_step, 100);
    assert_eq!(
        sf::status(&db, AccountId(id))
            .await
            .unwrap()
            .unwrap()
            .recovery_left,
        10
    );
    // The waiting sign-in is gone: the same answer again changes nothing.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM second_factor_logins").await,
        0
    );
    // A second, parallel set-up finds one already there.
    let other = sf::new_secret();
    let flow = wait(&db, id, Some(other.clone())).await;
    let o = sf::enrol(
        &db,
        &flow,
        AccountId(id),
        &other,
        101,
        &sf::new_recovery_codes(),
    )
    .await
    .unwrap();
    assert_eq!(o, Outcome::AlreadyEnrolled);
    assert_eq!(
        sf::factor(&db, AccountId(id))
            .await
            .unwrap()
            .unwrap()
            .secret,
        f.secret
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM recovery_codes").await, 10);
    // A secret other than the one shown to this sign-in is not taken.
    let flow = wait(&db, id, Some(sf::new_secret())).await;
    let o = sf::enrol(&db, &flow, AccountId(id), &other, 101, &[])
        .await
        .unwrap();
    assert_eq!(o, Outcome::Expired);
});

both_engines!(a_time_step_counts_once, |db: Db| async move {
    let id = account(&db).await;
    enrolled(&db, id, 100).await;
    let flow = wait(&db, id, None).await;
    for old in [99, 100] {
        let o = sf::complete(&db, &flow, AccountId(id), &Proof::Step(old), false)
            .await
            .unwrap();
        assert_eq!(o, Outcome::Replayed, "step {old}");
    }
    // Refused attempts leave the waiting sign-in for another try.
    let o = sf::complete(&db, &flow, AccountId(id), &Proof::Step(101), false)
        .await
        .unwrap();
    assert!(signed_in(&o));
    assert_eq!(
        sf::factor(&db, AccountId(id))
            .await
            .unwrap()
            .unwrap()
            .last_step,
        101
    );
    // That sign-in is done; a new one may not reuse step 101.
    let o = sf::complete(&db, &flow, AccountId(id), &Proof::Step(102), false)
        .await
        .unwrap();
    assert_eq!(o, Outcome::Expired);
    // That refused answer rolled back whole: step 102 is still unspent.
    let flow = wait(&db, id, None).await;
    assert_eq!(
        sf::complete(&db, &flow, AccountId(id), &Proof::Step(101), false)
            .await
            .unwrap(),
        Outcome::Replayed
    );
    assert!(signed_in(
        &sf::complete(&db, &flow, AccountId(id), &Proof::Step(102), false)
            .await
            .unwrap()
    ));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 3);
});

both_engines!(
    two_answers_with_one_code_make_one_session,
    |db: Db| async move {
        let id = account(&db).await;
        enrolled(&db, id, 100).await;
        let before = count(&db, "SELECT COUNT(*) FROM web_sessions").await;
        let a = wait(&db, id, None).await;
        let b = wait(&db, id, None).await;
        let (x, y) = tokio::join!(
            sf::complete(&db, &a, AccountId(id), &Proof::Step(101), false),
            sf::complete(&db, &b, AccountId(id), &Proof::Step(101), false)
        );
        let outcomes = [x.unwrap(), y.unwrap()];
        assert_eq!(
            outcomes.iter().filter(|o| signed_in(o)).count(),
            1,
            "{outcomes:?}"
        );
        assert!(outcomes.contains(&Outcome::Replayed));
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM web_sessions").await,
            before + 1
        );
    }
);

both_engines!(a_recovery_code_counts_once, |db: Db| async move {
    let id = account(&db).await;
    let codes = enrolled(&db, id, 100).await;
    let flow = wait(&db, id, None).await;
    let o = sf::complete(
        &db,
        &flow,
        AccountId(id),
        &Proof::Recovery(codes[0].clone()),
        true,
    )
    .await
    .unwrap();
    let Outcome::SignedIn { recovery_left, .. } = o else {
        panic!("{o:?}")
    };
    assert_eq!(recovery_left, Some(9));
    // "Log out my other sessions": only the new one is left.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 1);
    let flow = wait(&db, id, None).await;
    let o = sf::complete(
        &db,
        &flow,
        AccountId(id),
        &Proof::Recovery(codes[0].clone()),
        false,
    )
    .await
    .unwrap();
    assert_eq!(o, Outcome::UnknownRecoveryCode);
    let o = sf::complete(
        &db,
        &flow,
        AccountId(id),
        &Proof::Recovery("abcd-efgh-jkmn".into()),
        false,
    )
    .await
    .unwrap();
    assert_eq!(o, Outcome::UnknownRecoveryCode);
    assert_eq!(
        sf::status(&db, AccountId(id))
            .await
            .unwrap()
            .unwrap()
            .recovery_left,
        9
    );
});

both_engines!(a_waiting_sign_in_runs_out, |db: Db| async move {
    let id = account(&db).await;
    let flow = wait(&db, id, None).await;
    let now = navet_store::time::now();
    assert!(sf::pending(&db, &flow, now).await.unwrap().is_some());
    assert!(sf::pending(&db, "other", now).await.unwrap().is_none());
    let later = now + sf::PENDING_MAX_SECS + 1;
    assert!(sf::pending(&db, &flow, later).await.unwrap().is_none());
    sf::cancel(&db, &flow).await.unwrap();
    assert!(sf::pending(&db, &flow, now).await.unwrap().is_none());
});

both_engines!(
    a_reset_removes_it_and_ends_the_sessions,
    |db: Db| async move {
        let id = account(&db).await;
        enrolled(&db, id, 100).await;
        wait(&db, id, None).await;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 1);
        let admin = Who {
            account_id: Some(id),
            label: "webb".into(),
        };
        assert!(sf::reset(&db, &admin, AccountId(id)).await.unwrap());
        for table in [
            "second_factors",
            "recovery_codes",
            "second_factor_logins",
            "web_sessions",
        ] {
            assert_eq!(
                count(&db, &format!("SELECT COUNT(*) FROM {table}")).await,
                0,
                "{table}"
            );
        }
        let row = sqlx::query(
        "SELECT actor_account_id, subject_id, detail FROM audit_log WHERE action = 'second_factor.reset'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
        assert_eq!(row.get::<Option<i64>, _>(0), Some(id));
        assert_eq!(row.get::<Option<i64>, _>(1), Some(id));
        assert!(row.get::<String, _>(2).contains("10 reservkoder"));
        // Nothing to reset: nothing written.
        assert!(!sf::reset(&db, &admin, AccountId(id)).await.unwrap());
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'second_factor.reset'"
            )
            .await,
            1
        );
    }
);
