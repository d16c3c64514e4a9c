//! Store tests for the foundation, run on SQLite and PostgreSQL.

use domain::access::{Role, Scope};
use domain::ids::{AccountId, MunicipalityId, PersonId};
use domain::staff_import::{check_rows, plan, Mode, PlanOptions, RawStaffRow};
use navet_store::audit::{self, Who};
use navet_store::people::{self, PersonInput};
use navet_store::staff_import;
use navet_store::{accounts, both_engines, login_throttle, migrate, org, seed, Db, StoreError};

fn who() -> Who {
    Who::system("test")
}

fn anna() -> PersonInput {
    PersonInput {
        name: "Anna Åberg".into(),
        email: "Anna.Aberg@Orebro.se".into(),
        gender: "kvinna".into(),
        employee_no: "1001".into(),
        role: "undersköterska".into(),
        municipality: "Örebro".into(),
        unit: String::new(),
        language_support: String::new(),
    }
}

both_engines!(
    reference_data_has_the_twelve_municipalities,
    |db: Db| async move {
        let m = org::municipalities(&db).await.unwrap();
        assert_eq!(m.len(), 12);
        // Swedish order: Örebro last.
        assert_eq!(m.last().unwrap().name, "Örebro");
        assert!(org::roles(&db)
            .await
            .unwrap()
            .iter()
            .any(|r| r.name == "Undersköterska"));
        assert!(!org::competence_areas(&db).await.unwrap().is_empty());
        // Migrating twice is safe and loads nothing new.
        assert!(migrate::run(&db).await.unwrap().is_empty());
        assert!(!seed::load_reference(&db).await.unwrap());
    }
);

both_engines!(
    person_is_created_validated_and_audited,
    |db: Db| async move {
        let p = people::resolve(&db, &anna()).await.unwrap();
        assert_eq!(p.email, "anna.aberg@orebro.se");
        let id = people::create(&db, &who(), &p, false).await.unwrap();
        let got = people::get(&db, PersonId(id)).await.unwrap();
        assert_eq!(got.name, "Anna Åberg");
        assert_eq!(got.role_group, "baspersonal");

        // Duplicate e-mail is refused with the field named, nothing added.
        let err = people::create(&db, &who(), &p, false).await.unwrap_err();
        match err {
            StoreError::Invalid(e) => assert_eq!(e.0[0].field, "email"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            people::list(&db, &Default::default()).await.unwrap().len(),
            1
        );

        // Every bad field is named.
        let bad = PersonInput {
            name: "x".repeat(200),
            gender: "kanske".into(),
            role: "pilot".into(),
            municipality: "Stockholm".into(),
            ..anna()
        };
        match people::resolve(&db, &bad).await.unwrap_err() {
            StoreError::Invalid(e) => {
                let f: Vec<_> = e.0.iter().map(|x| x.field.as_str()).collect();
                assert_eq!(f, ["name", "gender", "role", "municipality"]);
            }
            other => panic!("{other:?}"),
        }

        let (log, total) = audit::list(
            &db,
            &audit::Filter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        assert_eq!(total, 1);
        assert_eq!(log[0].action, "person.create");
        assert_eq!(log[0].person_id, Some(id));
    }
);

both_engines!(audit_log_is_append_only, |db: Db| async move {
    let mut conn = db.writer().acquire().await.unwrap();
    audit::record(&mut conn, &who(), "x", "person", None, None, "")
        .await
        .unwrap();
    assert!(sqlx::query("UPDATE audit_log SET action = 'y'")
        .execute(&mut *conn)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_log")
        .execute(&mut *conn)
        .await
        .is_err());
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'x'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
});

both_engines!(manager_scope_limits_the_people_list, |db: Db| async move {
    let m = org::municipality_by_name(&db, "Örebro")
        .await
        .unwrap()
        .unwrap();
    let u1 = org::create_unit(
        &db,
        MunicipalityId(m.id),
        "Hemtjänst Norr",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let u2 = org::create_unit(
        &db,
        MunicipalityId(m.id),
        "Hemtjänst Syd",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    for (i, u) in [u1, u2].into_iter().enumerate() {
        let p = people::resolve(
            &db,
            &PersonInput {
                email: format!("p{i}@x.se"),
                employee_no: format!("{i}"),
                unit: u.to_string(),
                ..anna()
            },
        )
        .await
        .unwrap();
        people::create(&db, &who(), &p, false).await.unwrap();
    }
    let scoped = people::list(
        &db,
        &people::Filter {
            scope: Some(Scope {
                unit_ids: vec![u1],
                municipality_ids: vec![],
            }),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(scoped.len(), 1);
    assert_eq!(scoped[0].unit_id, Some(u1));
    // Duplicate unit name is a field error.
    assert!(matches!(
        org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Hemtjänst Norr",
            "aldreomsorg",
            false
        )
        .await,
        Err(StoreError::Invalid(_))
    ));
});

both_engines!(staff_import_is_all_or_nothing, |db: Db| async move {
    let m = org::municipality_by_name(&db, "Nora")
        .await
        .unwrap()
        .unwrap();
    org::create_unit(
        &db,
        MunicipalityId(m.id),
        "Säbo Ekbacken",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    // Someone outside Nora already uses an e-mail the file wants.
    let other = people::resolve(
        &db,
        &PersonInput {
            email: "taken@x.se".into(),
            ..anna()
        },
    )
    .await
    .unwrap();
    people::create(&db, &who(), &other, false).await.unwrap();
    let row = |line: usize, no: &str, email: &str| RawStaffRow {
        line,
        cells: [
            no,
            "Ny Person",
            email,
            "Undersköterska",
            "Säbo Ekbacken",
            "kvinna",
        ]
        .map(String::from),
    };
    let (titles, units) = staff_import::import_lookups(&db, MunicipalityId(m.id))
        .await
        .unwrap();
    let roles = titles.for_municipality(m.id);
    let recs = check_rows(
        &[row(2, "1", "a@x.se"), row(3, "2", "taken@x.se")],
        &roles,
        &units,
    )
    .unwrap();
    let existing = staff_import::municipality_staff(&db, MunicipalityId(m.id))
        .await
        .unwrap();
    let p = plan(&existing, &recs, &PlanOptions::default());
    assert_eq!(p.added.len(), 2);
    let err = staff_import::apply_import(&db, &who(), MunicipalityId(m.id), &p, "hr.csv")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("rad 3"), "{err}");
    assert!(people::list(
        &db,
        &people::Filter {
            municipality_id: Some(m.id),
            ..Default::default()
        }
    )
    .await
    .unwrap()
    .is_empty());
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_imports")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "a failed import leaves no history");

    // A clean file imports; a second file, marking absentees, marks one.
    let recs = check_rows(
        &[row(2, "1", "a@x.se"), row(3, "2", "b@x.se")],
        &roles,
        &units,
    )
    .unwrap();
    let s = staff_import::apply_import(
        &db,
        &who(),
        MunicipalityId(m.id),
        &plan(&[], &recs, &PlanOptions::default()),
        "hr.csv",
    )
    .await
    .unwrap();
    assert_eq!(s.added, 2);
    let recs = check_rows(&[row(2, "1", "a@x.se")], &roles, &units).unwrap();
    let existing = staff_import::municipality_staff(&db, MunicipalityId(m.id))
        .await
        .unwrap();
    let o = PlanOptions {
        mode: Mode::MarkAbsentAsLeft,
        ..Default::default()
    };
    let s = staff_import::apply_import(
        &db,
        &who(),
        MunicipalityId(m.id),
        &plan(&existing, &recs, &o),
        "hr.csv",
    )
    .await
    .unwrap();
    assert_eq!((s.added, s.changed, s.left, s.unchanged), (0, 0, 1, 1));
});

both_engines!(sessions_tokens_and_login_throttle, |db: Db| async move {
    let id = accounts::create(
        &db,
        &who(),
        &accounts::NewAccount {
            email: "c@x.se".into(),
            display_name: "C".into(),
            role: Role::Coordinator,
            password_hash: Some("h".into()),
            person_id: None,
            scope: Scope::default(),
        },
    )
    .await
    .unwrap();
    let (secret, csrf) = accounts::create_session(&db, AccountId(id)).await.unwrap();
    let s = accounts::session(&db, &secret, 1800, 43200)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.account.id, id);
    assert_eq!(s.csrf_token, csrf);
    assert!(accounts::session(&db, "forged", 1800, 43200)
        .await
        .unwrap()
        .is_none());
    // An idle session has expired.
    assert!(accounts::session(&db, &secret, -1, 43200)
        .await
        .unwrap()
        .is_none());
    assert!(accounts::session(&db, &secret, 1800, 43200)
        .await
        .unwrap()
        .is_none());
    // So has one that began longer ago than the absolute lifetime, however
    // recently it was used.
    let (secret, _) = accounts::create_session(&db, AccountId(id)).await.unwrap();
    sqlx::query("UPDATE web_sessions SET created_at = created_at - 43201")
        .execute(db.writer())
        .await
        .unwrap();
    accounts::touch_session(&db, &secret).await.unwrap();
    assert!(accounts::session(&db, &secret, 1800, 43200)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        accounts::session_count(&db, AccountId(id)).await.unwrap(),
        0
    );

    let token = accounts::create_token(&db, &who(), AccountId(id), "test")
        .await
        .unwrap();
    assert_eq!(
        accounts::account_for_token(&db, &token)
            .await
            .unwrap()
            .unwrap()
            .id,
        id
    );
    assert!(accounts::account_for_token(&db, "navet_nope")
        .await
        .unwrap()
        .is_none());
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_ne!(stored, token);
});

both_engines!(
    parallel_login_attempts_are_counted_one_by_one,
    |db: Db| async move {
        use domain::login_limits::PER_ACCOUNT;
        let now = navet_store::time::now();
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    login_throttle::begin_login_attempt(
                        &db,
                        &[("account:c@x.se", PER_ACCOUNT)],
                        now,
                    )
                    .await
                    .unwrap()
                })
            })
            .collect();
        let mut allowed = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => allowed += 1,
                Err(until) => assert_eq!(until, now + 2),
            }
        }
        assert_eq!(allowed, PER_ACCOUNT.free);
        // After the wait one more is checked; a success starts over.
        assert!(login_throttle::begin_login_attempt(
            &db,
            &[("account:c@x.se", PER_ACCOUNT)],
            now + 2
        )
        .await
        .unwrap()
        .is_ok());
        login_throttle::login_succeeded(&db, "account:c@x.se", &[])
            .await
            .unwrap();
        for _ in 0..PER_ACCOUNT.free {
            assert!(login_throttle::begin_login_attempt(
                &db,
                &[("account:c@x.se", PER_ACCOUNT)],
                now + 3
            )
            .await
            .unwrap()
            .is_ok());
        }
        // Neither the e-mail nor the key is stored in plain text.
        let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM login_throttle")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert!(keys.iter().all(|k| !k.contains("c@x.se")), "{keys:?}");
    }
);

both_engines!(demo_data_loads_once, |db: Db| async move {
    assert!(!navet_store::demo::loaded(&db).await.unwrap());
    navet_store::demo::load(&db, "hash").await.unwrap();
    assert!(navet_store::demo::loaded(&db).await.unwrap());
    let people = people::list(&db, &Default::default()).await.unwrap();
    assert!(people.len() > 300, "{}", people.len());
    let women = people.iter().filter(|p| p.gender == "kvinna").count();
    assert!(women * 100 / people.len() > 70);
    let courses = navet_store::catalogue::list(&db, None).await.unwrap();
    assert_eq!(courses.len(), 82);
});

both_engines!(
    units_in_a_scope_are_read_in_the_database,
    |db: Db| async move {
        let munis = org::municipalities(&db).await.unwrap();
        let (a, b) = (munis[0].id, munis[1].id);
        let a1 = org::create_unit(&db, MunicipalityId(a), "Ängen", "aldreomsorg", true)
            .await
            .unwrap();
        let a2 = org::create_unit(&db, MunicipalityId(a), "Björken", "aldreomsorg", true)
            .await
            .unwrap();
        let b1 = org::create_unit(&db, MunicipalityId(b), "Åsen", "aldreomsorg", true)
            .await
            .unwrap();
        let ids = |v: Vec<org::Unit>| v.into_iter().map(|u| u.id).collect::<Vec<_>>();
        let unit_scope = Scope {
            unit_ids: vec![a2],
            municipality_ids: vec![],
        };
        assert_eq!(
            ids(org::units_in(&db, &unit_scope).await.unwrap()),
            vec![a2]
        );
        let both = Scope {
            unit_ids: vec![a1],
            municipality_ids: vec![b],
        };
        let mut got = ids(org::units_in(&db, &both).await.unwrap());
        got.sort_unstable();
        assert_eq!(got, vec![a1, b1]);
        // Swedish order within a municipality: B before Ä.
        let whole = Scope {
            unit_ids: vec![],
            municipality_ids: vec![a],
        };
        assert_eq!(ids(org::units_in(&db, &whole).await.unwrap()), vec![a2, a1]);
        assert!(org::units_in(&db, &Scope::default())
            .await
            .unwrap()
            .is_empty());
    }
);
