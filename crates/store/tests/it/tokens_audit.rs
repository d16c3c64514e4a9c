//! API tokens (expiry, revocation by password reset, deactivation and
//! leaving) and the audit log's hash chain, on SQLite and PostgreSQL.

use domain::access::{Role, Scope};
use domain::ids::{AccountId, MunicipalityId, PersonId};
use domain::staff_import::{ExistingStaff, ImportPlan};
use domain::tokens::TokenDraft;
use navet_store::audit::{self, Verdict, Who};
use navet_store::testing::fixtures;
use navet_store::{accounts, both_engines, both_engines_empty, people, Db, Engine};

fn who() -> Who {
    Who::system("test")
}

async fn account(db: &Db, email: &str, person_id: Option<i64>) -> i64 {
    accounts::create(
        db,
        &who(),
        &accounts::NewAccount {
            email: email.into(),
            display_name: "Konto".into(),
            role: Role::Coordinator,
            password_hash: Some("x".into()),
            person_id,
            scope: Scope::default(),
        },
    )
    .await
    .unwrap()
}

async fn works(db: &Db, token: &str) -> bool {
    accounts::authenticate_token(db, token)
        .await
        .unwrap()
        .is_some()
}

/// Set the append-only trigger aside, as someone with direct access to
/// the database could.
async fn without_guard(db: &Db, sql: &str) {
    let mut conn = db.writer().acquire().await.unwrap();
    match db.engine() {
        Engine::Sqlite => {
            sqlx::raw_sql("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        Engine::Postgres => {
            sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
                .execute(&mut *conn)
                .await
                .unwrap();
        }
    }
    sqlx::raw_sql(sql).execute(&mut *conn).await.unwrap();
}

async fn entries(db: &Db, n: usize) -> Vec<i64> {
    let mut ids = vec![];
    for i in 0..n {
        let mut conn = db.writer().acquire().await.unwrap();
        audit::record(
            &mut conn,
            &who(),
            "test.entry",
            "x",
            Some(i as i64),
            None,
            "",
        )
        .await
        .unwrap();
        ids.push(
            sqlx::query_scalar::<_, i64>("SELECT MAX(id) FROM audit_log")
                .fetch_one(db.pool())
                .await
                .unwrap(),
        );
    }
    ids
}

async fn total(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

both_engines!(an_intact_chain_verifies, |db: Db| async move {
    entries(&db, 5).await;
    let n = total(&db).await;
    match audit::verify(&db).await.unwrap() {
        Verdict::Intact { entries, head } => {
            assert_eq!(entries, n);
            assert_eq!(head.len(), 64);
        }
        v => panic!("{v:?}"),
    }
});

both_engines!(a_changed_entry_is_found, |db: Db| async move {
    let ids = entries(&db, 5).await;
    without_guard(
        &db,
        &format!(
            "UPDATE audit_log SET detail = 'ändrad' WHERE id = {}",
            ids[2]
        ),
    )
    .await;
    assert!(matches!(
        audit::verify(&db).await.unwrap(),
        Verdict::Broken { id, .. } if id == ids[2]
    ));
});

both_engines!(a_removed_entry_is_found, |db: Db| async move {
    let ids = entries(&db, 5).await;
    without_guard(&db, &format!("DELETE FROM audit_log WHERE id = {}", ids[2])).await;
    // The entry after the gap no longer links to the one before it.
    assert!(matches!(
        audit::verify(&db).await.unwrap(),
        Verdict::Broken { id, .. } if id == ids[3]
    ));
});

both_engines!(a_removed_tail_is_found, |db: Db| async move {
    let ids = entries(&db, 3).await;
    without_guard(&db, &format!("DELETE FROM audit_log WHERE id = {}", ids[2])).await;
    assert!(matches!(
        audit::verify(&db).await.unwrap(),
        Verdict::Broken { id, .. } if id == ids[2]
    ));
});

both_engines!(an_entry_slipped_in_is_found, |db: Db| async move {
    entries(&db, 2).await;
    sqlx::query(
        "INSERT INTO audit_log (at, actor_label, action, subject_type, detail, prev_hash, hash) \
         VALUES (1, 'x', 'forged', 'x', '', '', '')",
    )
    .execute(db.writer())
    .await
    .unwrap();
    let forged: i64 = sqlx::query_scalar("SELECT MAX(id) FROM audit_log")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(matches!(
        audit::verify(&db).await.unwrap(),
        Verdict::Broken { id, .. } if id == forged
    ));
});

both_engines!(concurrent_appends_keep_one_chain, |db: Db| async move {
    let mut tasks = vec![];
    for i in 0..24i64 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            audit::record(&mut tx, &who(), "test.concurrent", "x", Some(i), None, "")
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            tx.commit().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n = total(&db).await;
    assert_eq!(
        audit::verify(&db).await.unwrap(),
        Verdict::Intact {
            entries: n,
            head: match audit::verify(&db).await.unwrap() {
                Verdict::Intact { head, .. } => head,
                v => panic!("{v:?}"),
            }
        }
    );
});

both_engines!(
    a_rolled_back_entry_leaves_the_chain_whole,
    |db: Db| async move {
        entries(&db, 2).await;
        {
            let mut tx = db.begin().await.unwrap();
            audit::record(&mut tx, &who(), "test.rollback", "x", None, None, "")
                .await
                .unwrap();
            tx.rollback().await.unwrap();
        }
        entries(&db, 1).await;
        assert!(matches!(
            audit::verify(&db).await.unwrap(),
            Verdict::Intact { .. }
        ));
    }
);

// A database as the version before the chain left it, with entries;
// upgrading chains them.
both_engines_empty!(
    existing_entries_are_chained_on_upgrade,
    |db: Db| async move {
        navet_store::migrate::run_up_to(&db, 600).await.unwrap();
        for i in 0..3 {
            sqlx::query(
            "INSERT INTO audit_log (at, actor_label, action, subject_type, subject_id, detail) \
             VALUES ($1, 'gammal', 'old.entry', 'x', $2, 'före kedjan')",
        )
        .bind(1_700_000_000 + i)
        .bind(i)
        .execute(db.writer())
        .await
        .unwrap();
        }
        navet_store::migrate::run(&db).await.unwrap();
        assert_eq!(
            audit::verify(&db).await.unwrap(),
            Verdict::Intact {
                entries: 3,
                head: sqlx::query_scalar("SELECT last_hash FROM audit_chain WHERE id = 1")
                    .fetch_one(db.pool())
                    .await
                    .unwrap()
            }
        );
        // Still append-only after the upgrade.
        assert!(sqlx::query("UPDATE audit_log SET detail = 'x'")
            .execute(db.writer())
            .await
            .is_err());
        entries(&db, 1).await;
        assert!(matches!(
            audit::verify(&db).await.unwrap(),
            Verdict::Intact { entries: 4, .. }
        ));
    }
);

both_engines!(a_password_reset_revokes_every_token, |db: Db| async move {
    let a = account(&db, "a@test.se", None).await;
    let t1 = accounts::create_token(&db, &who(), AccountId(a), "ett")
        .await
        .unwrap();
    let t2 = accounts::create_token(&db, &who(), AccountId(a), "två")
        .await
        .unwrap();
    assert!(works(&db, &t1).await && works(&db, &t2).await);
    accounts::set_password(&db, &who(), AccountId(a), "ny")
        .await
        .unwrap();
    assert!(!works(&db, &t1).await);
    assert!(!works(&db, &t2).await);
    let list = accounts::list_tokens(&db, Some(AccountId(a)))
        .await
        .unwrap();
    assert!(list
        .iter()
        .all(|t| t.revoked == 1 && t.revoked_at.is_some()));
    // A token made after the reset works.
    let t3 = accounts::create_token(&db, &who(), AccountId(a), "tre")
        .await
        .unwrap();
    assert!(works(&db, &t3).await);
});

both_engines!(
    deactivation_revokes_and_reactivation_does_not_restore,
    |db: Db| async move {
        let a = account(&db, "a@test.se", None).await;
        let t = accounts::create_token(&db, &who(), AccountId(a), "ett")
            .await
            .unwrap();
        accounts::create_session(&db, AccountId(a)).await.unwrap();
        accounts::set_role_and_scope(
            &db,
            &who(),
            AccountId(a),
            Role::Coordinator,
            &Scope::default(),
            false,
        )
        .await
        .unwrap();
        let sessions: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM web_sessions WHERE account_id = $1")
                .bind(a)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(sessions, 0);
        accounts::set_role_and_scope(
            &db,
            &who(),
            AccountId(a),
            Role::Coordinator,
            &Scope::default(),
            true,
        )
        .await
        .unwrap();
        assert!(!works(&db, &t).await, "re-activating brings no token back");
        assert_eq!(
            accounts::list_tokens(&db, Some(AccountId(a)))
                .await
                .unwrap()[0]
                .state(navet_store::time::now()),
            "revoked"
        );
    }
);

both_engines!(
    a_person_marked_as_left_by_hand_loses_access,
    |db: Db| async move {
        let p = fixtures::person(&db, "Lena", "Örebro").await;
        let a = account(&db, "lena@test.se", Some(p)).await;
        let t = accounts::create_token(&db, &who(), AccountId(a), "ett")
            .await
            .unwrap();
        let (cookie, _) = accounts::create_session(&db, AccountId(a)).await.unwrap();
        let before = people::get(&db, PersonId(p)).await.unwrap();
        let resolved = people::ResolvedPerson {
            name: before.name.clone(),
            email: before.email.clone(),
            gender: domain::org::Gender::parse(&before.gender).unwrap(),
            employee_no: None,
            role_id: before.role_id,
            municipality_id: before.municipality_id,
            unit_id: before.unit_id,
            language_support: String::new(),
        };
        people::update(&db, &who(), PersonId(p), &resolved, false)
            .await
            .unwrap();
        assert!(!works(&db, &t).await);
        assert!(accounts::session(&db, &cookie, 3600, 12 * 3600)
            .await
            .unwrap()
            .is_none());
        // Back again: the old token stays revoked.
        people::update(&db, &who(), PersonId(p), &resolved, true)
            .await
            .unwrap();
        assert!(!works(&db, &t).await);
    }
);

both_engines!(
    a_person_marked_as_left_by_import_loses_access,
    |db: Db| async move {
        let p = fixtures::person(&db, "Olle", "Örebro").await;
        let a = account(&db, "olle@test.se", Some(p)).await;
        let t = accounts::create_token(&db, &who(), AccountId(a), "ett")
            .await
            .unwrap();
        let before = people::get(&db, PersonId(p)).await.unwrap();
        let plan = ImportPlan {
            added: vec![],
            changed: vec![],
            left: vec![ExistingStaff {
                person_id: p,
                employee_no: None,
                name: before.name.clone(),
                email: before.email.clone(),
                role_id: before.role_id,
                unit_id: before.unit_id,
                gender: domain::org::Gender::parse(&before.gender).unwrap(),
                active: true,
            }],
            unchanged: 0,
            ..Default::default()
        };
        navet_store::staff_import::apply_import(
            &db,
            &who(),
            MunicipalityId(before.municipality_id),
            &plan,
            "hr.csv",
        )
        .await
        .unwrap();
        assert!(!works(&db, &t).await);
        let (log, _) = audit::list(
            &db,
            &audit::Filter {
                action: Some("token.revoke_all".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].subject_id, Some(a));
    }
);

both_engines!(expired_tokens_are_refused, |db: Db| async move {
    let a = account(&db, "a@test.se", None).await;
    let (id, t) = accounts::create_token_with(
        &db,
        &who(),
        AccountId(a),
        &TokenDraft {
            name: "kort".into(),
            expires_days: Some(1),
            read_only: true,
        },
    )
    .await
    .unwrap();
    let auth = accounts::authenticate_token(&db, &t)
        .await
        .unwrap()
        .unwrap();
    assert!(auth.read_only);
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
        .bind(navet_store::time::now() - 1)
        .bind(id)
        .execute(db.writer())
        .await
        .unwrap();
    assert!(!works(&db, &t).await);
    assert_eq!(
        accounts::get_token(&db, id)
            .await
            .unwrap()
            .state(navet_store::time::now()),
        "expired"
    );
});

both_engines!(
    last_used_is_written_at_most_once_a_minute,
    |db: Db| async move {
        let a = account(&db, "a@test.se", None).await;
        let t = accounts::create_token(&db, &who(), AccountId(a), "ett")
            .await
            .unwrap();
        let last = || async {
            accounts::list_tokens(&db, Some(AccountId(a)))
                .await
                .unwrap()[0]
                .last_used_at
        };
        assert_eq!(last().await, None);
        assert!(works(&db, &t).await);
        let first = last().await.unwrap();
        let id = accounts::list_tokens(&db, Some(AccountId(a)))
            .await
            .unwrap()[0]
            .id;
        // Used 30 s ago: not written again.
        let set = |at: i64| {
            let db = db.clone();
            async move {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id)
                    .execute(db.writer())
                    .await
                    .unwrap();
            }
        };
        set(first - 30).await;
        assert!(works(&db, &t).await);
        assert_eq!(last().await, Some(first - 30));
        set(first - 61).await;
        assert!(works(&db, &t).await);
        assert!(last().await.unwrap() >= first);
    }
);

both_engines!(revoking_one_token_leaves_the_others, |db: Db| async move {
    let a = account(&db, "a@test.se", None).await;
    let t1 = accounts::create_token(&db, &who(), AccountId(a), "ett")
        .await
        .unwrap();
    let t2 = accounts::create_token(&db, &who(), AccountId(a), "två")
        .await
        .unwrap();
    let id1 = accounts::list_tokens(&db, Some(AccountId(a)))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "ett")
        .unwrap()
        .id;
    accounts::revoke_token(&db, &who(), id1).await.unwrap();
    assert!(!works(&db, &t1).await);
    assert!(works(&db, &t2).await);
    // Twice is fine; an unknown id is not found.
    accounts::revoke_token(&db, &who(), id1).await.unwrap();
    assert!(accounts::revoke_token(&db, &who(), 999_999).await.is_err());
});

both_engines!(entries_store_ids_not_addresses, |db: Db| async move {
    let p = fixtures::person(&db, "Stina", "Örebro").await;
    account(&db, "stina@test.se", Some(p)).await;
    let (log, _) = audit::list(
        &db,
        &audit::Filter {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let log = log.rows;
    assert!(!log.is_empty());
    for e in &log {
        assert!(!e.detail.contains('@'), "{e:?}");
        assert!(!e.actor_label.contains('@'), "{e:?}");
    }
});

// Another writer holds a person's row and then writes its audit entry,
// while a staff import changes that person too: the import takes the
// audit chain's head only after its rows, so the two cannot deadlock
// (on PostgreSQL the chain head is locked until commit).
both_engines!(
    a_staff_import_writes_its_audit_entries_last,
    |db: Db| async move {
        let orebro = navet_store::org::municipality_by_name(&db, "Örebro")
            .await
            .unwrap()
            .unwrap();
        let unit = navet_store::org::create_unit(
            &db,
            MunicipalityId(orebro.id),
            "Ängen",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let first = fixtures::person(&db, "Ylva", "Örebro").await;
        let second = fixtures::person(&db, "Xena", "Örebro").await;
        let mut changed = vec![];
        for (line, id) in [(2, first), (3, second)] {
            let p = people::get(&db, PersonId(id)).await.unwrap();
            changed.push((
                id,
                domain::staff_import::StaffRecord {
                    line,
                    employee_no: format!("A{id}"),
                    name: p.name.clone(),
                    email: p.email.clone(),
                    role_id: p.role_id,
                    unit_id: unit,
                    gender: domain::org::Gender::parse(&p.gender).unwrap(),
                },
                vec![domain::staff_import::StaffChange::Unit {
                    from: p.unit_id,
                    to: unit,
                }],
            ));
        }
        let plan = ImportPlan {
            added: vec![],
            changed,
            left: vec![],
            unchanged: 0,
            ..Default::default()
        };
        let mut other = db.begin().await.unwrap();
        sqlx::query("UPDATE people SET updated_at = 1 WHERE id = $1")
            .bind(second)
            .execute(&mut *other)
            .await
            .unwrap();
        let import = tokio::spawn({
            let db = db.clone();
            async move {
                navet_store::staff_import::apply_import(
                    &db,
                    &who(),
                    MunicipalityId(orebro.id),
                    &plan,
                    "hr.csv",
                )
                .await
            }
        });
        // The import has written the first row and waits for the second.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        audit::record(
            &mut other,
            &who(),
            "person.update",
            "person",
            Some(second),
            Some(second),
            "",
        )
        .await
        .expect("the other writer gets the chain");
        other.commit().await.unwrap();
        let summary = tokio::time::timeout(std::time::Duration::from_secs(30), import)
            .await
            .expect("the import ends")
            .unwrap()
            .expect("the import commits");
        assert_eq!(summary.changed, 2);
        assert_eq!(
            people::get(&db, PersonId(second)).await.unwrap().unit_id,
            Some(unit)
        );
        assert!(matches!(
            audit::verify(&db).await.unwrap(),
            Verdict::Intact { .. }
        ));
    }
);
