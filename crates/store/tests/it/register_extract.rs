//! The register extract (GDPR article 15) and the access review, on both
//! engines: every table with a person reference is covered or excluded
//! with a reason; one row of every kind of data about a person comes back
//! in the extract, secrets redacted; the review pages through the log in
//! SQL and flags unusual reading.

use domain::ids::{AccountId, PersonId};
use domain::register_extract::{self as rx, Value};
use navet_store::access_review::{self, Filter};
use navet_store::audit::{self, Who};
use navet_store::testing::fixtures;
use navet_store::{both_engines, register_extract, Db};

async fn exec(db: &Db, sql: &str, binds: &[i64]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(db.writer())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn scalar(db: &Db, sql: &str, binds: &[i64]) -> i64 {
    let mut q = sqlx::query_scalar::<_, i64>(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_one(db.writer())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

both_engines!(
    every_person_reference_is_covered_or_excluded,
    |db: Db| async move {
        let refs = register_extract::person_references(&db).await.unwrap();
        assert!(refs.len() > 20, "{refs:?}");
        let missing: Vec<String> = refs
            .iter()
            .filter(|(t, c)| !rx::accounted_for(t, c))
            .map(|(t, c)| format!("{t}.{c}"))
            .collect();
        assert!(
            missing.is_empty(),
            "person references neither in the register extract nor excluded with a reason \
             (domain::register_extract::SOURCES / EXCLUDED): {missing:?}"
        );
        // And every listed source exists in the schema.
        for s in rx::SOURCES {
            assert!(
                refs.iter().any(|(t, c)| t == s.table && c == s.column),
                "{}.{} is not in the schema",
                s.table,
                s.column
            );
        }
    }
);

/// One row of every kind of data about a person; returns (person, account).
async fn everything_about(db: &Db) -> (i64, i64) {
    let p = fixtures::person(db, "Åsa", "Örebro").await;
    let other = fixtures::person(db, "Bertil", "Örebro").await;
    let muni = scalar(db, "SELECT municipality_id FROM people WHERE id = $1", &[p]).await;
    let role = scalar(db, "SELECT role_id FROM people WHERE id = $1", &[p]).await;
    exec(
        db,
        "UPDATE people SET language_support = 'sva' WHERE id = $1",
        &[p],
    )
    .await;
    let course = fixtures::course(db, "HLR vuxen").await;
    let session = scalar(
        db,
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, capacity, hours, status, created_at, updated_at) \
         VALUES ($1, 1773475200, 1773486000, $2, 10, 3, 'held', 0, 0) RETURNING id",
        &[course, muni],
    )
    .await;
    let account = scalar(
        db,
        "INSERT INTO accounts (email, display_name, password_hash, role, person_id, created_at) \
         VALUES ('asa@test.se', 'Åsa', '$argon2id$hemligt', 'participant', $1, 0) RETURNING id",
        &[p],
    )
    .await;
    let reader = scalar(
        db,
        "INSERT INTO accounts (email, display_name, role, created_at) VALUES ('chef@test.se', 'Chefen', 'manager', 0) RETURNING id",
        &[],
    )
    .await;
    let rows: Vec<(&str, Vec<i64>)> = vec![
        ("INSERT INTO account_scopes (account_id, municipality_id) VALUES ($1, $2)", vec![account, muni]),
        ("INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) VALUES ('sesshash', $1, 'CSRFVALUE', 1, 2)", vec![account]),
        ("INSERT INTO api_tokens (account_id, token_hash, label, created_at) VALUES ($1, 'tokhash', 'min nyckel', 1)", vec![account]),
        ("INSERT INTO second_factors (account_id, secret, last_step, enrolled_at) VALUES ($1, 'TOTPSECRET', 0, 1)", vec![account]),
        ("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, 'codehash')", vec![account]),
        ("INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) VALUES ($1, 'resethash', 1, 2)", vec![account]),
        ("INSERT INTO invitations (person_id, token_hash, created_at, expires_at) VALUES ($1, 'invhash', 1, 2)", vec![p]),
        ("INSERT INTO bookings (session_id, person_id, status, support_needs, booked_at, updated_at) VALUES ($1, $2, 'attended', 'hörselslinga', 1, 1)", vec![session, p]),
        ("INSERT INTO bookings (session_id, person_id, status, waitlist_seq, booked_at, updated_at) VALUES ($1, $2, 'cancelled', 3, 1, 1)", vec![session, p]),
        ("INSERT INTO session_holds (session_id, kind, municipality_id, person_id, quota_seats, general_seats, expires_at, token_hash, created_at) VALUES ($1, 'offer', $2, $3, 0, 1, 2, 'holdhash', 1)", vec![session, muni, p]),
        ("INSERT INTO attendance_facts (booking_id, session_id, person_id, course_id, starts_at, hours, gender, municipality_id, role_group) VALUES (999999, $1, $2, $3, 1773475200, 3, 'kvinna', $4, 'baspersonal')", vec![session, p, course, muni]),
        ("INSERT INTO completions (person_id, course_id, session_id, completed_on, hours, certificate_no, verify_code, created_at) VALUES ($1, $2, $3, '2026-03-14', 3, 'KN-1', 'VC1', 1)", vec![p, course, session]),
        ("INSERT INTO survey_invitations (survey_kind, session_id, person_id, token_hash, due_on, created_at) VALUES ('participant', $1, $2, 'surveyhash', '2026-03-21', 1)", vec![session, p]),
        ("INSERT INTO person_educations (person_id, kind, registered_at) VALUES ($1, 'vard_och_omsorgsprogrammet', 1)", vec![p]),
        ("INSERT INTO calendar_feeds (person_id, token, created_at) VALUES ($1, 'feedtoken', 1)", vec![p]),
        ("INSERT INTO trainers (person_id, home_municipality_id) VALUES ($1, $2)", vec![p, muni]),
        ("INSERT INTO trainer_courses (person_id, course_id) VALUES ($1, $2)", vec![p, course]),
        ("INSERT INTO trainer_certifications (person_id, name, certified_on) VALUES ($1, 'KlinSim 1', '2025-01-01')", vec![p]),
        ("INSERT INTO trainer_absences (person_id, starts_on, ends_on, created_at) VALUES ($1, '2026-04-01', '2026-04-02', 1)", vec![p]),
        ("INSERT INTO trainer_availability (person_id, term, weeks, weekdays, max_per_week, note, updated_at) VALUES ($1, '2027-vt', '2,3', 'mon', 2, 'Inte lov', 1)", vec![p]),
        ("INSERT INTO session_trainers (session_id, person_id) VALUES ($1, $2)", vec![session, p]),
        ("INSERT INTO outbox (created_at, kind, to_email, to_person_id, subject, body) VALUES (1, 'booking_confirmed', 'asa@test.se', $1, 'Bokad', 'länk med hemlighet')", vec![p]),
        ("INSERT INTO import_person_refs (person_ref, person_id) VALUES ('ref-asa', $1)", vec![p]),
        ("INSERT INTO course_interest (course_id, person_id, municipality_id, people, created_at) VALUES ($1, $2, $3, 1, 1)", vec![course, p, muni]),
        ("INSERT INTO session_requests (course_id, municipality_id, participants, first_week, last_week, times, requested_by_account_id, created_at) VALUES ($1, $2, 4, '2027-W10', '2027-W12', 'dag', $3, 1)", vec![course, muni, account]),
        ("INSERT INTO role_title_mappings (title, role_id, account_id, created_at) VALUES ('Usk', $1, $2, 1)", vec![role, account]),
        ("INSERT INTO requirements (role_id, scope, kind, course_id, dedup_key, created_at, updated_at) VALUES ($1, 'region', 'course', $2, 'rx-test', 0, 0)", vec![role, course]),
        ("INSERT INTO attestations (person_id, month, version, status, centi_hours, session_count, session_ids, attested_at, method, attested_by_account_id, created_at) VALUES ($1, '2026-03', 1, 'attested', 300, 1, '1', 2, 'password', $2, 1)", vec![p, account]),
    ];
    for (sql, binds) in rows {
        exec(db, sql, &binds).await;
    }
    // A learning track for the person's role: HLR (attended) then a
    // second base course not yet taken.
    let track = scalar(
        db,
        "INSERT INTO tracks (name, role_id, role_area_key, deepening_required, created_at, updated_at) \
         VALUES ('Spår för rollen', $1, 'rx-track', 0, 0, 0) RETURNING id",
        &[role],
    )
    .await;
    let next = fixtures::course(db, "Demens grund").await;
    exec(
        db,
        "INSERT INTO track_items (track_id, block, position, course_id, title) VALUES ($1, 'bas', 1, $2, 'HLR vuxen'), ($1, 'bas', 2, $3, 'Demens grund')",
        &[track, course, next],
    )
    .await;
    // Sign-ins: one with a password, one failed attempt on the account.
    audit::record_login(db, AccountId(account), "utan tvåstegsverifiering")
        .await
        .unwrap();
    audit::record_login_failure(db, Some(AccountId(account)), "wrong_password")
        .await
        .unwrap();
    let import = scalar(
        db,
        "INSERT INTO staff_imports (account_id, actor, municipality_id, file_name, mode, units, added, changed, left_count, created_at) \
         VALUES ($1, 'webb', $2, 'hr.csv', 'add_update', '', 1, 0, 0, 5) RETURNING id",
        &[account, muni],
    )
    .await;
    exec(
        db,
        "INSERT INTO staff_import_people (import_id, person_id, kind, after_name, after_email, after_gender, after_role_id, after_active) \
         VALUES ($1, $2, 'added', 'Åsa', 'asa@test.se', 'kvinna', $3, 1)",
        &[import, p, role],
    )
    .await;
    let who = Who {
        account_id: Some(reader),
        label: "webb".into(),
    };
    audit::record_read(db, &who, PersonId(p), "personkort")
        .await
        .unwrap();
    audit::record_read(db, &who, PersonId(other), "personkort")
        .await
        .unwrap();
    (p, account)
}

fn rows<'a>(e: &'a rx::Extract, table: &str) -> &'a [rx::Row] {
    &e.tables
        .iter()
        .find(|t| t.table == table)
        .unwrap_or_else(|| panic!("no {table}"))
        .rows
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::Text(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

both_engines!(
    the_extract_holds_every_kind_of_data_and_no_secret,
    |db: Db| async move {
        let (p, _) = everything_about(&db).await;
        let e = register_extract::gather(&db, PersonId(p)).await.unwrap();
        assert_eq!(e.person_id, p);
        for s in rx::SOURCES {
            assert!(
                !rows(&e, s.table).is_empty(),
                "{} ({}) is empty",
                s.table,
                s.title
            );
        }
        let person = &rows(&e, "people")[0];
        assert_eq!(text(person.get("name")), "Åsa");
        assert_eq!(text(person.get("language_support")), "sva");
        assert_eq!(text(person.get("municipality")), "Örebro");
        // Support needs, waiting lists and sessions by name.
        let bookings = rows(&e, "bookings");
        assert!(bookings
            .iter()
            .any(|b| text(b.get("support_needs")) == "hörselslinga"));
        assert!(bookings
            .iter()
            .any(|b| b.get("waitlist_seq") == Some(&Value::Int(3))));
        assert!(text(bookings[0].get("session")).starts_with("HLR vuxen, 2026-03-14"));
        assert_eq!(text(rows(&e, "completions")[0].get("course")), "HLR vuxen");
        // Only this person's audit entries, with who read.
        let log = rows(&e, "audit_log");
        assert!(log
            .iter()
            .all(|r| r.get("person_id") == Some(&Value::Int(p))));
        assert!(log
            .iter()
            .any(|r| text(r.get("actor")) == "Chefen (manager)"
                && text(r.get("action")) == "person.read"));
        assert_eq!(
            text(rows(&e, "staff_import_people")[0].get("after_name")),
            "Åsa"
        );
        assert_eq!(
            rows(&e, "staff_import_people")[0].get("imported_at"),
            Some(&Value::Int(5))
        );
        // Requirements and the gap they leave (the course was attended).
        assert!(!e.requirements.is_empty(), "{:?}", e.requirements);
        assert!(
            e.requirements[0].what.contains("HLR vuxen"),
            "{:?}",
            e.requirements
        );
        // Secrets: that they exist, never what they are.
        let json = serde_json::to_string(&e).unwrap();
        for secret in [
            "$argon2id$hemligt",
            "sesshash",
            "CSRFVALUE",
            "tokhash",
            "TOTPSECRET",
            "codehash",
            "resethash",
            "invhash",
            "holdhash",
            "surveyhash",
            "feedtoken",
            "länk med hemlighet",
        ] {
            assert!(!json.contains(secret), "{secret} leaked");
        }
        assert_eq!(
            text(rows(&e, "accounts")[0].get("password_hash")),
            rx::REDACTED_TEXT
        );
        assert!(!json.contains("Bertil"), "nobody else's data");
        // The learning track and how far the person has come.
        let t = e.track.as_ref().expect("a track fits the role");
        assert_eq!(t.track, "Spår för rollen");
        assert_eq!((t.base_done, t.base_total), (1, 2));
        assert_eq!(t.next_course.as_deref(), Some("Demens grund"));
        // The account's own sign-ins, newest first, and the failed one.
        assert_eq!(
            e.sign_ins
                .iter()
                .map(|s| s.action.as_str())
                .collect::<Vec<_>>(),
            vec!["login.failed", "login.password"]
        );
        assert!(e.not_included.iter().any(|o| o.what.contains("enkäter")));
        // Unknown person.
        assert!(matches!(
            register_extract::gather(&db, PersonId(999_999)).await,
            Err(navet_store::StoreError::NotFound(_))
        ));
    }
);

both_engines!(
    the_access_review_pages_in_sql_and_flags_unusual_reading,
    |db: Db| async move {
        let orebro: Vec<i64> = {
            let mut v = vec![];
            for i in 0..7 {
                v.push(fixtures::person(&db, &format!("Ö{i}"), "Örebro").await);
            }
            v
        };
        let kumla = fixtures::person(&db, "Kumlabo", "Kumla").await;
        let muni = scalar(
            &db,
            "SELECT municipality_id FROM people WHERE id = $1",
            &[orebro[0]],
        )
        .await;
        let reader = scalar(
            &db,
            "INSERT INTO accounts (email, display_name, role, created_at) VALUES ('nyfiken@test.se', 'Nyfiken', 'coordinator', 0) RETURNING id",
            &[],
        )
        .await;
        let calm = scalar(
            &db,
            "INSERT INTO accounts (email, display_name, role, created_at) VALUES ('lugn@test.se', 'Lugn', 'manager', 0) RETURNING id",
            &[],
        )
        .await;
        let who = |id: i64| Who {
            account_id: Some(id),
            label: "webb".into(),
        };
        for p in &orebro {
            audit::record_read(&db, &who(reader), PersonId(*p), "personkort")
                .await
                .unwrap();
        }
        audit::record_read(&db, &who(reader), PersonId(kumla), "personkort")
            .await
            .unwrap();
        audit::record_read(&db, &who(calm), PersonId(orebro[0]), "personkort")
            .await
            .unwrap();
        audit::record_read(&db, &who(calm), PersonId(orebro[0]), "kompetens")
            .await
            .unwrap();

        // Keyset pages of 3: every entry once, newest first.
        let all = Filter::default();
        let mut seen = vec![];
        let mut before = None;
        loop {
            let page = access_review::page(&db, &all, before, 3).await.unwrap();
            assert!(page.entries.len() <= 3);
            seen.extend(page.entries.iter().map(|e| e.id));
            match page.next {
                Some(n) => before = Some(n),
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(seen, sorted, "newest first, no repeats");
        assert_eq!(seen.len(), 10);

        let count = |f: Filter| {
            let db = db.clone();
            async move {
                access_review::page(&db, &f, None, 1000)
                    .await
                    .unwrap()
                    .entries
            }
        };
        let by_person = count(Filter {
            person_id: Some(orebro[0]),
            ..Default::default()
        })
        .await;
        assert_eq!(by_person.len(), 3);
        assert!(by_person.iter().all(|e| e.person_id == orebro[0]));
        let by_reader = count(Filter {
            reader_account_id: Some(calm),
            ..Default::default()
        })
        .await;
        assert_eq!(by_reader.len(), 2);
        assert_eq!(by_reader[0].reader_name.as_deref(), Some("Lugn"));
        let in_orebro = count(Filter {
            municipality_id: Some(muni),
            ..Default::default()
        })
        .await;
        assert_eq!(in_orebro.len(), 9, "not the Kumla read");
        assert!(in_orebro
            .iter()
            .all(|e| e.municipality.as_deref() == Some("Örebro")));
        let future = count(Filter {
            from: Some(navet_store::time::now() + 86_400),
            ..Default::default()
        })
        .await;
        assert!(future.is_empty());

        // More than 5 people in a day: the curious account, not the calm one.
        let flags = access_review::unusual(&db, &all, 5).await.unwrap();
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert_eq!(flags[0].reader_account_id, reader);
        assert_eq!(flags[0].people, 8);
        assert!(access_review::unusual(&db, &all, 8)
            .await
            .unwrap()
            .is_empty());
        // In Örebro alone it opened 7.
        let flags = access_review::unusual(
            &db,
            &Filter {
                municipality_id: Some(muni),
                ..Default::default()
            },
            5,
        )
        .await
        .unwrap();
        assert_eq!(flags[0].people, 7);

        // CSV with a header and one line per entry.
        let csv = String::from_utf8(access_review::csv(&db, &all, 1000).await.unwrap()).unwrap();
        assert_eq!(csv.lines().count(), 11, "{csv}");
        assert!(csv.starts_with("id;tid;"));
        assert!(csv.contains("Kumlabo"));
        let capped = String::from_utf8(access_review::csv(&db, &all, 4).await.unwrap()).unwrap();
        assert_eq!(capped.lines().count(), 5);
    }
);

both_engines!(
    a_huge_history_is_capped_and_says_how_much_more_there_is,
    |db: Db| async move {
        let p = fixtures::person(&db, "Åsa", "Örebro").await;
        let extra = register_extract::ROW_CAP + 7;
        exec(
            &db,
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) \
             INSERT INTO audit_log (at, actor_label, action, subject_type, subject_id, person_id, detail) \
             SELECT i, 'webb', 'person.read', 'person', $1, $1, 'personkort' FROM n",
            &[p, extra],
        )
        .await;
        let e = register_extract::gather(&db, PersonId(p)).await.unwrap();
        let log = rows(&e, "audit_log");
        assert_eq!(log.len() as i64, register_extract::ROW_CAP);
        // The newest rows, in order.
        let at = |r: &rx::Row| match r.get("at") {
            Some(Value::Int(t)) => *t,
            other => panic!("{other:?}"),
        };
        assert_eq!(at(log.last().unwrap()), extra);
        assert!(at(&log[0]) < at(&log[1]));
        assert!(
            e.not_included
                .iter()
                .any(|o| o.what == "audit_log: 7 äldre rader"),
            "{:?}",
            e.not_included
        );
    }
);
