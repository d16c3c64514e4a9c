//! Staff imports that cannot wipe a unit: scope, the mark-as-left mode,
//! undo within seven days (refused when someone changed since), and HR
//! titles mapped to roles. Both engines.

use domain::ids::{ImportId, MunicipalityId, PersonId};
use std::collections::BTreeSet;

use domain::staff_import::{check_rows, plan, ImportPlan, Mode, PlanOptions, RawStaffRow};
use navet_store::audit::{self, Who};
use navet_store::people::{self, PersonInput};
use navet_store::{
    both_engines, history_import, import_history, org, role_mappings, staff_import, Db, StoreError,
};

fn who() -> Who {
    Who::system("test")
}

struct Town {
    id: i64,
    north: i64,
    south: i64,
}

/// Nora with two units: five people in the north unit, three in the south.
async fn town(db: &Db) -> Town {
    let m = org::municipality_by_name(db, "Nora")
        .await
        .unwrap()
        .unwrap();
    let north = org::create_unit(
        db,
        MunicipalityId(m.id),
        "Hemtjänst norr",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let south = org::create_unit(
        db,
        MunicipalityId(m.id),
        "Hemtjänst söder",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    for i in 1..=8 {
        let p = people::resolve(
            db,
            &PersonInput {
                name: format!("Person {i}"),
                email: format!("p{i}@nora.se"),
                gender: "kvinna".into(),
                employee_no: i.to_string(),
                role: "Vårdbiträde".into(),
                municipality: "Nora".into(),
                unit: if i <= 5 {
                    "Hemtjänst norr"
                } else {
                    "Hemtjänst söder"
                }
                .into(),
                language_support: String::new(),
            },
        )
        .await
        .unwrap();
        people::create(db, &who(), &p, false).await.unwrap();
    }
    Town {
        id: m.id,
        north,
        south,
    }
}

/// Rows as (employee no, title, unit name); name and e-mail follow the number.
async fn plan_for(db: &Db, t: &Town, rows: &[(&str, &str, &str)], o: &PlanOptions) -> ImportPlan {
    let raw: Vec<RawStaffRow> = rows
        .iter()
        .enumerate()
        .map(|(i, (no, title, unit))| RawStaffRow {
            line: i + 2,
            cells: [
                no.to_string(),
                format!("Person {no}"),
                format!("p{no}@nora.se"),
                title.to_string(),
                unit.to_string(),
                "kvinna".into(),
            ],
        })
        .collect();
    let (titles, units) = staff_import::import_lookups(db, MunicipalityId(t.id))
        .await
        .unwrap();
    let recs = check_rows(&raw, &titles.for_municipality(t.id), &units).unwrap();
    let existing = staff_import::municipality_staff(db, MunicipalityId(t.id))
        .await
        .unwrap();
    plan(&existing, &recs, o)
}

async fn person_by_no(db: &Db, no: &str) -> people::Person {
    people::by_email(db, &format!("p{no}@nora.se"))
        .await
        .unwrap()
        .unwrap()
}

async fn active_in(db: &Db, unit: i64) -> usize {
    people::list(
        db,
        &people::Filter {
            unit_id: Some(unit),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .len()
}

fn mark_left() -> PlanOptions {
    PlanOptions {
        mode: Mode::MarkAbsentAsLeft,
        ..Default::default()
    }
}

both_engines!(
    a_three_line_import_for_one_unit_touches_only_that_unit,
    |db: Db| async move {
        let t = town(&db).await;
        // The default mode changes the three and leaves everyone else.
        let rows = [
            ("1", "Undersköterska", "Hemtjänst norr"),
            ("2", "Vårdbiträde", "Hemtjänst norr"),
            ("9", "Vårdbiträde", "Hemtjänst norr"),
        ];
        let p = plan_for(&db, &t, &rows, &PlanOptions::default()).await;
        assert_eq!((p.added.len(), p.changed.len(), p.left.len()), (1, 1, 0));
        assert_eq!(p.absent, 3);
        staff_import::apply_import(&db, &who(), MunicipalityId(t.id), &p, "tre.csv")
            .await
            .unwrap();
        assert_eq!(active_in(&db, t.north).await, 6);
        assert_eq!(active_in(&db, t.south).await, 3);
        assert_eq!(person_by_no(&db, "1").await.role_name, "Undersköterska");

        // Marking absentees as left: only the north unit's, never the
        // importer's own record, never the south unit.
        let importer = person_by_no(&db, "3").await.id;
        let o = PlanOptions {
            importer: Some(importer),
            ..mark_left()
        };
        let p = plan_for(&db, &t, &rows, &o).await;
        assert_eq!(p.left.len(), 2, "persons 4 and 5");
        assert!(p.importer_kept);
        assert!(p.needs_typed_confirmation(), "2 of 6 is more than 10 %");
        let s = staff_import::apply_import(&db, &who(), MunicipalityId(t.id), &p, "tre.csv")
            .await
            .unwrap();
        assert_eq!(s.left, 2);
        assert_eq!(active_in(&db, t.north).await, 4);
        assert_eq!(active_in(&db, t.south).await, 3);
        assert_eq!(person_by_no(&db, "3").await.active, 1);

        // Units chosen on the preview instead of the file's.
        let o = PlanOptions {
            units: Some(BTreeSet::from([t.south])),
            ..mark_left()
        };
        let p = plan_for(&db, &t, &[("6", "Vårdbiträde", "Hemtjänst söder")], &o).await;
        assert_eq!(p.left.len(), 2);
        assert!(p.left.iter().all(|e| e.unit_id == Some(t.south)));
    }
);

both_engines!(
    an_import_is_undone_within_seven_days_and_audited,
    |db: Db| async move {
        let t = town(&db).await;
        let before_2 = person_by_no(&db, "2").await;
        let rows = [
            ("1", "Vårdbiträde", "Hemtjänst norr"),
            // New role and moved to the south unit.
            ("2", "Undersköterska", "Hemtjänst söder"),
            ("3", "Vårdbiträde", "Hemtjänst norr"),
            ("9", "Vårdbiträde", "Hemtjänst norr"),
        ];
        // The file names both units: 4 and 5 in the north, 6–8 in the south.
        let p = plan_for(&db, &t, &rows, &mark_left()).await;
        assert_eq!((p.added.len(), p.changed.len(), p.left.len()), (1, 1, 5));
        let s = staff_import::apply_import(&db, &who(), MunicipalityId(t.id), &p, "hr.csv")
            .await
            .unwrap();
        let row = import_history::get(&db, ImportId(s.import_id))
            .await
            .unwrap();
        assert_eq!((row.added, row.changed, row.left_count), (1, 1, 5));
        assert!(row.can_undo(navet_store::time::now()));
        assert_eq!(
            import_history::people(&db, ImportId(s.import_id))
                .await
                .unwrap()
                .len(),
            7
        );
        assert_eq!(
            active_in(&db, t.south).await,
            1,
            "only person 2, moved there"
        );

        let u = import_history::undo(&db, &who(), ImportId(s.import_id), navet_store::time::now())
            .await
            .unwrap();
        assert_eq!((u.restored, u.returned, u.removed), (1, 5, 1));
        let after_2 = person_by_no(&db, "2").await;
        assert_eq!(
            (after_2.role_id, after_2.unit_id, after_2.active),
            (before_2.role_id, before_2.unit_id, 1)
        );
        assert_eq!(person_by_no(&db, "4").await.active, 1);
        assert_eq!(person_by_no(&db, "5").await.active, 1);
        assert_eq!(
            person_by_no(&db, "9").await.active,
            0,
            "added: marked as left"
        );
        assert_eq!(active_in(&db, t.north).await, 5);
        assert_eq!(active_in(&db, t.south).await, 3);
        // Undone once only.
        let err =
            import_history::undo(&db, &who(), ImportId(s.import_id), navet_store::time::now())
                .await
                .unwrap_err();
        assert!(err.to_string().contains("redan ångrad"), "{err}");
        let (log, _) = audit::list(
            &db,
            &audit::Filter {
                action: Some("staff_import.undo".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        assert_eq!(log.len(), 1);
        let (log, _) = audit::list(
            &db,
            &audit::Filter {
                action: Some("person.import_undo".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        assert_eq!(log.len(), 7);
    }
);

both_engines!(undo_ends_after_seven_days, |db: Db| async move {
    let t = town(&db).await;
    let p = plan_for(
        &db,
        &t,
        &[("1", "Undersköterska", "Hemtjänst norr")],
        &mark_left(),
    )
    .await;
    let s = staff_import::apply_import(&db, &who(), MunicipalityId(t.id), &p, "hr.csv")
        .await
        .unwrap();
    let created = import_history::get(&db, ImportId(s.import_id))
        .await
        .unwrap()
        .created_at;
    let limit = created + import_history::UNDO_SECS;
    let err = import_history::undo(&db, &who(), ImportId(s.import_id), limit + 1)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { message, .. } if message.contains("mer än 7 dagar")),
        "{err}"
    );
    assert_eq!(person_by_no(&db, "1").await.role_name, "Undersköterska");
    // On the last second it still works.
    import_history::undo(&db, &who(), ImportId(s.import_id), limit)
        .await
        .unwrap();
    assert_eq!(person_by_no(&db, "1").await.role_name, "Vårdbiträde");
    // Past the limit the before-values are forgotten at the next import.
    let s = staff_import::apply_import(&db, &who(), MunicipalityId(t.id), &p, "hr.csv")
        .await
        .unwrap();
    sqlx::query("UPDATE staff_imports SET created_at = created_at - $1 WHERE id = $2")
        .bind(import_history::UNDO_SECS + 1)
        .bind(s.import_id)
        .execute(db.writer())
        .await
        .unwrap();
    let p = plan_for(
        &db,
        &t,
        &[("2", "Undersköterska", "Hemtjänst norr")],
        &mark_left(),
    )
    .await;
    staff_import::apply_import(&db, &who(), MunicipalityId(t.id), &p, "hr2.csv")
        .await
        .unwrap();
    assert!(import_history::people(&db, ImportId(s.import_id))
        .await
        .unwrap()
        .is_empty());
    assert!(!import_history::get(&db, ImportId(s.import_id))
        .await
        .unwrap()
        .can_undo(navet_store::time::now()));
});

both_engines!(
    undo_is_refused_naming_people_changed_since,
    |db: Db| async move {
        let t = town(&db).await;
        let first = plan_for(
            &db,
            &t,
            &[("1", "Undersköterska", "Hemtjänst norr")],
            &Default::default(),
        )
        .await;
        let first = staff_import::apply_import(&db, &who(), MunicipalityId(t.id), &first, "1.csv")
            .await
            .unwrap();
        // A later import moves the same person.
        let second = plan_for(
            &db,
            &t,
            &[("1", "Undersköterska", "Hemtjänst söder")],
            &Default::default(),
        )
        .await;
        let second =
            staff_import::apply_import(&db, &who(), MunicipalityId(t.id), &second, "2.csv")
                .await
                .unwrap();
        let err = import_history::undo(
            &db,
            &who(),
            ImportId(first.import_id),
            navet_store::time::now(),
        )
        .await
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("Person 1 har ändrats efter importen"), "{msg}");
        assert!(msg.contains("Ångra den senare importen först"), "{msg}");
        let p1 = person_by_no(&db, "1").await;
        assert_eq!(
            (p1.unit_id, p1.role_name.as_str()),
            (Some(t.south), "Undersköterska")
        );
        // Undo the later one first, then the first one.
        import_history::undo(
            &db,
            &who(),
            ImportId(second.import_id),
            navet_store::time::now(),
        )
        .await
        .unwrap();
        import_history::undo(
            &db,
            &who(),
            ImportId(first.import_id),
            navet_store::time::now(),
        )
        .await
        .unwrap();
        let p1 = person_by_no(&db, "1").await;
        assert_eq!(
            (p1.unit_id, p1.role_name.as_str()),
            (Some(t.north), "Vårdbiträde")
        );

        // A change by hand counts too.
        let third = plan_for(
            &db,
            &t,
            &[("2", "Undersköterska", "Hemtjänst norr")],
            &Default::default(),
        )
        .await;
        let third = staff_import::apply_import(&db, &who(), MunicipalityId(t.id), &third, "3.csv")
            .await
            .unwrap();
        let p2 = person_by_no(&db, "2").await;
        let mut input = PersonInput {
            name: "Person 2 Ändrad".into(),
            email: p2.email.clone(),
            gender: p2.gender.clone(),
            employee_no: "2".into(),
            role: p2.role_id.to_string(),
            municipality: p2.municipality_id.to_string(),
            unit: p2.unit_id.unwrap().to_string(),
            language_support: String::new(),
        };
        let resolved = people::resolve(&db, &input).await.unwrap();
        people::update(&db, &who(), PersonId(p2.id), &resolved, true)
            .await
            .unwrap();
        let err = import_history::undo(
            &db,
            &who(),
            ImportId(third.import_id),
            navet_store::time::now(),
        )
        .await
        .unwrap_err();
        assert!(
            err.to_string().contains("Person 2 Ändrad har ändrats"),
            "{err}"
        );
        // Changed back by hand: the undo goes through.
        input.name = "Person 2".into();
        let resolved = people::resolve(&db, &input).await.unwrap();
        people::update(&db, &who(), PersonId(p2.id), &resolved, true)
            .await
            .unwrap();
        import_history::undo(
            &db,
            &who(),
            ImportId(third.import_id),
            navet_store::time::now(),
        )
        .await
        .unwrap();
        assert_eq!(person_by_no(&db, "2").await.role_name, "Vårdbiträde");
    }
);

both_engines!(
    hr_titles_are_mapped_once_and_used_by_both_imports,
    |db: Db| async move {
        let t = town(&db).await;
        let usk = org::roles(&db)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.name == "Undersköterska")
            .unwrap();
        // Unknown before any mapping; a role's alternative needs none.
        let (titles, _) = staff_import::import_lookups(&db, MunicipalityId(t.id))
            .await
            .unwrap();
        assert_eq!(titles.resolve("Usk", Some(t.id)), None);
        assert!(titles.resolve("stödassistent", Some(t.id)).is_some());

        role_mappings::set(&db, &who(), Some(MunicipalityId(t.id)), "  USK ", usk.id)
            .await
            .unwrap();
        let p = plan_for(
            &db,
            &t,
            &[("1", "Usk", "Hemtjänst norr")],
            &Default::default(),
        )
        .await;
        assert_eq!(p.changed[0].1.role_id, usk.id);
        // Only in Nora; a global mapping reaches everyone else.
        let (titles, _) = staff_import::import_lookups(&db, MunicipalityId(t.id))
            .await
            .unwrap();
        let kumla = org::municipality_by_name(&db, "Kumla")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(titles.resolve("usk", Some(kumla.id)), None);
        role_mappings::set(&db, &who(), None, "Usk", usk.id)
            .await
            .unwrap();
        // A second choice for the same title replaces the first.
        role_mappings::set(&db, &who(), None, "usk", usk.id)
            .await
            .unwrap();
        let list = role_mappings::list(&db).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].municipality_name, None, "global first");
        assert_eq!(list[0].title, "usk");
        assert_eq!(list[1].municipality_name.as_deref(), Some("Nora"));

        // The participations import reads the same mapping.
        let csv = "person_ref,gender,role,municipality,course,date,hours,attended\n\
                   A1,kvinna,Usk,Kumla,HLR,2025-03-04,3,ja\n\
                   A2,man,stödassistent,Kumla,HLR,2025-03-04,3,ja\n";
        let s = history_import::preview(&db, csv.as_bytes(), true)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.rows, 2);
        assert!(history_import::unknown_titles(&db, csv.as_bytes())
            .await
            .unwrap()
            .is_empty());
        let nattis = csv.replace("Usk,Kumla", "Nattis,Kumla");
        assert_eq!(
            history_import::unknown_titles(&db, nattis.as_bytes())
                .await
                .unwrap(),
            vec!["Nattis".to_string()]
        );

        // Bad input changes nothing.
        assert!(matches!(
            role_mappings::set(&db, &who(), None, " ", usk.id).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            role_mappings::set(&db, &who(), None, "Nattis", 999_999).await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(role_mappings::list(&db).await.unwrap().len(), 2);
        let (log, _) = audit::list(
            &db,
            &audit::Filter {
                action: Some("role_mapping.set".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        assert_eq!(log.len(), 3);
    }
);
