//! Courses depending on one trainer, on SQLite and PostgreSQL: counted by
//! active, qualified trainers; inactive trainers and retired courses left
//! out; the start page's count agrees with the list.

use domain::ids::{MunicipalityId, PersonId};
use navet_store::audit::Who;
use navet_store::planning::{self, bus_factor};
use navet_store::testing::fixtures;
use navet_store::{both_engines, org, trainers, Db};

both_engines!(
    courses_with_fewer_than_two_active_qualified_trainers,
    |db: Db| async move {
        let who = Who::system("test");
        let orebro = org::municipality_by_name(&db, "Örebro")
            .await
            .unwrap()
            .unwrap()
            .id;
        let none = fixtures::course(&db, "Ingen ledare").await;
        let one = fixtures::course(&db, "En ledare").await;
        let two = fixtures::course(&db, "Två ledare").await;
        let retired = fixtures::course(&db, "Avvecklad kurs").await;
        sqlx::query("UPDATE courses SET status = 'avvecklad' WHERE id = $1")
            .bind(retired)
            .execute(db.writer())
            .await
            .unwrap();
        let a = fixtures::person(&db, "Ada", "Örebro").await;
        let b = fixtures::person(&db, "Bert", "Örebro").await;
        let c = fixtures::person(&db, "Cecilia", "Örebro").await;
        trainers::upsert(&db, &who, PersonId(a), MunicipalityId(orebro), true)
            .await
            .unwrap();
        trainers::upsert(&db, &who, PersonId(b), MunicipalityId(orebro), true)
            .await
            .unwrap();
        // Cecilia is qualified for "En ledare" but no longer active.
        trainers::upsert(&db, &who, PersonId(c), MunicipalityId(orebro), false)
            .await
            .unwrap();
        trainers::set_courses(&db, &who, PersonId(a), &[one, two])
            .await
            .unwrap();
        trainers::set_courses(&db, &who, PersonId(b), &[two])
            .await
            .unwrap();
        trainers::set_courses(&db, &who, PersonId(c), &[one])
            .await
            .unwrap();
        let list = bus_factor::person_dependent(&db).await.unwrap();
        let mine: Vec<(i64, i64)> = list
            .iter()
            .filter(|x| [none, one, two, retired].contains(&x.course_id))
            .map(|x| (x.course_id, x.trainers))
            .collect();
        assert_eq!(mine, vec![(none, 0), (one, 1)], "the fewest first");
        let today = navet_store::time::today();
        let g = planning::glance(&db, today, chrono::Utc::now().timestamp())
            .await
            .unwrap();
        assert_eq!(g.person_dependent, list.len() as i64);
        // A second trainer takes "En ledare" off the list.
        trainers::set_courses(&db, &who, PersonId(b), &[two, one])
            .await
            .unwrap();
        let list = bus_factor::person_dependent(&db).await.unwrap();
        assert!(!list.iter().any(|x| x.course_id == one));
        assert!(list.iter().any(|x| x.course_id == none));
    }
);
