//! The session list a page at a time in start order (keyset on
//! `(starts_at, id)`), on both engines: no gaps or repeats, sessions
//! starting at the same time ordered by id, filters kept.

use domain::ids::SessionId;
use navet_store::audit::Who;
use navet_store::sessions::{self, Filter, SessionInput};
use navet_store::testing::fixtures;
use navet_store::{both_engines, Db};

fn rfc(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap()
        .to_rfc3339()
}

async fn session(db: &Db, course_id: i64, start: i64) -> i64 {
    let i = SessionInput {
        course_id,
        parts: vec![(rfc(start), rfc(start + 3 * 3600))],
        municipality: "Örebro".into(),
        venue: "Sal 1".into(),
        capacity: 10,
        ..Default::default()
    };
    let s = sessions::resolve(db, &i, navet_store::time::now())
        .await
        .unwrap();
    sessions::create(db, &Who::system("test"), &s)
        .await
        .unwrap()
}

both_engines!(
    the_session_list_pages_in_start_order_without_gaps_or_repeats,
    |db: Db| async move {
        let course = fixtures::course(&db, "Sårvård").await;
        let other = fixtures::course(&db, "HLR").await;
        let day = 86_400;
        let base = navet_store::time::now() + 10 * day;
        // Days 1, 2, 2, 2, 3, 4, 5: three start at the same time.
        let mut ids = vec![];
        for d in [1, 2, 2, 2, 3, 4, 5] {
            ids.push(session(&db, course, base + d * day).await);
        }
        session(&db, other, base + 2 * day).await;
        let page = |after: Option<i64>| {
            let db = db.clone();
            async move {
                sessions::list(
                    &db,
                    &Filter {
                        course_id: Some(course),
                        limit: 3,
                        after: after.map(SessionId),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .into_iter()
                .map(|v| v.row.id)
                .collect::<Vec<_>>()
            }
        };
        let mut seen = vec![];
        let mut after = None;
        loop {
            let p = page(after).await;
            if p.is_empty() {
                break;
            }
            assert!(p.len() <= 3);
            after = p.last().copied();
            seen.extend(p);
        }
        assert_eq!(seen, ids, "start order, then id; the other course left out");
    }
);
