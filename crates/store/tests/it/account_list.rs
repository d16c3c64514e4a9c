//! The administrator's account list on both engines: Swedish name order
//! and search in the database, a role filter, and keyset pages.

use domain::access::{Role, Scope};
use domain::ids::AccountId;
use navet_store::account_list::{self, Search};
use navet_store::accounts::{self, NewAccount};
use navet_store::audit::Who;
use navet_store::{both_engines, Db};

async fn account(db: &Db, name: &str, email: &str, role: Role) -> i64 {
    accounts::create(
        db,
        &Who::system("test"),
        &NewAccount {
            email: email.into(),
            display_name: name.into(),
            role,
            password_hash: None,
            person_id: None,
            scope: Scope::default(),
        },
    )
    .await
    .unwrap()
}

async fn names(db: &Db, search: &Search) -> Vec<String> {
    let (list, _) = account_list::page(db, search, None, 100).await.unwrap();
    list.into_iter().map(|a| a.display_name).collect()
}

both_engines!(
    accounts_are_listed_in_swedish_order_and_found_in_any_case,
    |db: Db| async move {
        account(&db, "Åsa Öberg", "asa@test.se", Role::Manager).await;
        account(&db, "Zoran Berg", "zoran@test.se", Role::Participant).await;
        account(&db, "Anna Ek", "anna@kommun.se", Role::Participant).await;
        account(&db, "Ärla Holm", "arla@test.se", Role::Trainer).await;
        assert_eq!(
            names(&db, &Search::default()).await,
            ["Anna Ek", "Zoran Berg", "Åsa Öberg", "Ärla Holm"]
        );
        for q in ["åsa", "ÅSA", "Åsa", "öBERG"] {
            let search = Search {
                query: Some(q.into()),
                role: None,
            };
            assert_eq!(names(&db, &search).await, ["Åsa Öberg"], "{q}");
            assert_eq!(account_list::count(&db, &search, 100).await.unwrap(), 1);
        }
        let by_mail = Search {
            query: Some("@KOMMUN".into()),
            role: None,
        };
        assert_eq!(names(&db, &by_mail).await, ["Anna Ek"]);
        let participants = Search {
            query: None,
            role: Some(Role::Participant),
        };
        assert_eq!(names(&db, &participants).await, ["Anna Ek", "Zoran Berg"]);
        // A wildcard in the query is a character, not "anything".
        let percent = Search {
            query: Some("%".into()),
            role: None,
        };
        assert!(names(&db, &percent).await.is_empty());
    }
);

both_engines!(a_renamed_account_moves_in_the_order, |db: Db| async move {
    let id = account(&db, "Örjan Lind", "orjan@test.se", Role::Participant).await;
    account(&db, "Bo Ek", "bo@test.se", Role::Participant).await;
    sqlx::query("UPDATE accounts SET display_name = 'Adam Lind' WHERE id = $1")
        .bind(id)
        .execute(db.writer())
        .await
        .unwrap();
    assert_eq!(names(&db, &Search::default()).await, ["Adam Lind", "Bo Ek"]);
});

both_engines!(
    account_pages_follow_each_other_without_gaps,
    |db: Db| async move {
        for i in 0..23 {
            // Same names in pairs: the id breaks the tie.
            account(
                &db,
                &format!("Namn {:02}", i / 2),
                &format!("n{i}@test.se"),
                Role::Manager,
            )
            .await;
        }
        let search = Search::default();
        let mut seen = vec![];
        let mut after = None;
        let mut pages = 0;
        loop {
            let (list, next) = account_list::page(&db, &search, after.map(AccountId), 5)
                .await
                .unwrap();
            pages += 1;
            seen.extend(list.iter().map(|a| (a.display_name.clone(), a.id)));
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(pages, 5);
        assert_eq!(seen.len(), 23);
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "name, then id, with no repeats");
        assert_eq!(
            account_list::count(&db, &search, 10).await.unwrap(),
            10,
            "capped"
        );
    }
);
