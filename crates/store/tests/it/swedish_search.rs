//! Swedish order and search of people in the database, on both engines:
//! the stored keys agree with `domain::collation::sort_text`, search ignores
//! the case of å, ä and ö, and pages follow each other in Swedish order.

use domain::access::Scope;
use domain::collation::{sort_text, SORT_TEXT_MAP};
use navet_store::people::{self, Filter};
use navet_store::testing::fixtures;
use navet_store::{both_engines, Db};
use sqlx::Row;

fn search(q: &str) -> Filter {
    Filter {
        query: Some(q.into()),
        ..Default::default()
    }
}

/// A person with a given e-mail (two people may share a name).
async fn person_with_email(db: &Db, name: &str, email: &str, municipality: &str) {
    sqlx::query(
        "INSERT INTO people (name, email, gender, role_id, municipality_id, synthetic, created_at, updated_at) \
         VALUES ($1, $2, 'kvinna', (SELECT MIN(id) FROM roles), (SELECT id FROM municipalities WHERE name = $3), 1, 0, 0)",
    )
    .bind(name)
    .bind(email)
    .bind(municipality)
    .execute(db.writer())
    .await
    .unwrap();
}

async fn names(db: &Db, f: &Filter) -> Vec<String> {
    people::list(db, f)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

both_engines!(
    searching_asa_in_any_case_finds_asa_oberg,
    |db: Db| async move {
        fixtures::person(&db, "Åsa Öberg", "Örebro").await;
        fixtures::person(&db, "Asta Berg", "Örebro").await;
        fixtures::person(&db, "Lasse Åsander", "Kumla").await;
        for q in ["åsa", "ÅSA", "Åsa", " åSa "] {
            assert_eq!(
                names(&db, &search(q)).await,
                ["Lasse Åsander", "Åsa Öberg"],
                "search {q:?}"
            );
        }
        // å is its own letter: "asa" does not find Åsa.
        assert!(names(&db, &search("asa")).await.is_empty());
        assert_eq!(names(&db, &search("ÖBERG")).await, ["Åsa Öberg"]);
        // E-mail and employee number are searched too; LIKE wildcards are
        // taken literally.
        assert_eq!(names(&db, &search("asta berg@TEST")).await, ["Asta Berg"]);
        assert!(names(&db, &search("%")).await.is_empty());
        assert!(names(&db, &search("_")).await.is_empty());
    }
);

both_engines!(
    names_sort_with_a_ring_a_umlaut_o_umlaut_after_z,
    |db: Db| async move {
        for n in [
            "Örjan Ek",
            "Åke Lund",
            "Zara Berg",
            "ärla Sand",
            "Anna Ek",
            "Émile Dubois",
            "Eva Ahl",
        ] {
            fixtures::person(&db, n, "Örebro").await;
        }
        assert_eq!(
            names(&db, &Filter::default()).await,
            [
                "Anna Ek",
                "Émile Dubois",
                "Eva Ahl",
                "Zara Berg",
                "Åke Lund",
                "ärla Sand",
                "Örjan Ek"
            ]
        );
    }
);

both_engines!(
    stored_keys_agree_with_the_domain_fold,
    |db: Db| async move {
        // Every letter of the fold table, in upper and lower case, plus
        // plain text: the database's REPLACE chain gives what sort_text gives.
        let every: String = SORT_TEXT_MAP.iter().map(|(c, _)| *c).collect();
        let samples = [every.as_str(), "Åsa Öberg", "ZOË Ñúñez-Çelik", "Ängel Ærø"];
        for (i, name) in samples.iter().enumerate() {
            let id = fixtures::person(&db, &format!("{name} {i}"), "Kumla").await;
            let row =
                sqlx::query("SELECT name, email, name_key, search_key FROM people WHERE id = $1")
                    .bind(id)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            let (n, e): (String, String) = (row.get(0), row.get(1));
            assert_eq!(row.get::<String, _>(2), sort_text(&n), "name_key of {n}");
            assert_eq!(
                row.get::<String, _>(3),
                sort_text(&format!("{n} {e} ")),
                "search_key of {n}"
            );
        }
        // Kept up to date on update (name, e-mail and employee number).
        let id = fixtures::person(&db, "Ulla Ek", "Kumla").await;
        sqlx::query("UPDATE people SET name = 'Ölla Ek', employee_no = 'K-99' WHERE id = $1")
            .bind(id)
            .execute(db.writer())
            .await
            .unwrap();
        assert_eq!(names(&db, &search("k-99")).await, ["Ölla Ek"]);
        assert_eq!(names(&db, &search("ÖLLA")).await, ["Ölla Ek"]);
    }
);

both_engines!(
    pages_follow_each_other_in_swedish_order_within_the_filter,
    |db: Db| async move {
        let mut expected = vec![];
        for i in 0..23 {
            // Equal names too: the id breaks the tie, so no one is skipped.
            let name = match i % 4 {
                0 => format!("Åsa {:02}", i / 4),
                1 => format!("Örn {:02}", i / 4),
                2 => "Anna Ek".to_string(),
                _ => format!("Bo {i:02}"),
            };
            let muni = if i % 5 == 0 { "Kumla" } else { "Örebro" };
            person_with_email(&db, &name, &format!("p{i}@test.se"), muni).await;
            if muni == "Örebro" {
                expected.push(name);
            }
        }
        expected.sort_by_key(|n| sort_text(n));
        let orebro: i64 = sqlx::query_scalar("SELECT id FROM municipalities WHERE name = 'Örebro'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let f = Filter {
            scope: Some(Scope {
                municipality_ids: vec![orebro],
                unit_ids: vec![],
            }),
            ..Default::default()
        };
        let mut seen = vec![];
        let mut after = None;
        let mut pages = 0;
        loop {
            let (page, next) = people::page(&db, &f, after, 5).await.unwrap();
            assert!(page.len() <= 5);
            seen.extend(page.into_iter().map(|p| p.name));
            pages += 1;
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, expected);
        assert_eq!(pages, expected.len().div_ceil(5));
        assert_eq!(
            people::count(&db, &f, 1000).await.unwrap(),
            expected.len() as i64
        );
        assert_eq!(people::count(&db, &f, 7).await.unwrap(), 7);
        // With a search, the cursor still works.
        let f = Filter {
            query: Some("ÅSA".into()),
            ..f
        };
        let (first, next) = people::page(&db, &f, None, 2).await.unwrap();
        let (rest, end) = people::page(&db, &f, next, 100).await.unwrap();
        assert_eq!(end, None);
        let all: Vec<String> = first.into_iter().chain(rest).map(|p| p.name).collect();
        let want: Vec<&String> = expected.iter().filter(|n| n.starts_with("Åsa")).collect();
        assert_eq!(all.iter().collect::<Vec<_>>(), want);
    }
);

both_engines!(
    course_search_folds_case_and_reads_areas_and_roles,
    |db: Db| async move {
        use navet_store::catalogue::{self, CatalogueFilter, CourseExtras};
        let roles = navet_store::org::roles(&db).await.unwrap();
        let usk = roles.iter().find(|r| r.name == "Undersköterska").unwrap();
        let areas = navet_store::org::competence_areas(&db).await.unwrap();
        let area = &areas[0];
        fixtures::course(&db, "Sårvård i hemmet").await;
        fixtures::course_with(
            &db,
            "Kurs för rollen",
            CourseExtras {
                role_ids: vec![usk.id],
                ..Default::default()
            },
        )
        .await;
        fixtures::course_with(
            &db,
            "Kurs i området",
            CourseExtras {
                area_ids: vec![area.id],
                ..Default::default()
            },
        )
        .await;
        let titles = |q: String| {
            let db = db.clone();
            async move {
                catalogue::search(
                    &db,
                    &CatalogueFilter {
                        query: Some(q),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .into_iter()
                .map(|l| l.course.title)
                .collect::<Vec<_>>()
            }
        };
        for q in ["sår", "SÅR", "Sår"] {
            assert_eq!(titles(q.into()).await, ["Sårvård i hemmet"], "{q}");
        }
        assert!(titles("UNDERSKÖTERSKA".into())
            .await
            .contains(&"Kurs för rollen".to_string()));
        assert!(titles(area.name.to_uppercase())
            .await
            .contains(&"Kurs i området".to_string()));
    }
);
