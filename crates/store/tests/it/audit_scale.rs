//! The audit log and outbox pages' helpers at scale, on both engines: the
//! distinct actions come from an index walk, the count stops at its cap,
//! and pages are found by id (keyset), both ways.

use domain::paging::{Seek, Window};
use navet_store::audit::{self, Who};
use navet_store::{both_engines, outbox, Db};

both_engines!(
    distinct_actions_are_sorted_and_unique,
    |db: Db| async move {
        let who = Who::system("test");
        for action in ["z.last", "a.first", "m.middle", "a.first", "z.last"] {
            audit::record_alone(&db, &who, action, "test", None, None, "")
                .await
                .unwrap();
        }
        let actions = audit::distinct_actions(&db).await.unwrap();
        for a in ["a.first", "m.middle", "z.last"] {
            assert_eq!(actions.iter().filter(|x| *x == a).count(), 1, "{a}");
        }
        let at = |a: &str| actions.iter().position(|x| x == a).unwrap();
        assert!(at("a.first") < at("m.middle") && at("m.middle") < at("z.last"));
        let (_, total) = audit::list(
            &db,
            &audit::Filter {
                action: Some("a.".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(total, 2);
    }
);

/// Walks a filtered list page by page with `seek`, older to the end and
/// back, returning every page's ids.
async fn walk<F, Fut>(fetch: F) -> (Vec<Vec<i64>>, Vec<Vec<i64>>)
where
    F: Fn(Seek) -> Fut,
    Fut: std::future::Future<Output = Window<i64>>,
{
    let mut down = vec![];
    let mut page = fetch(Seek::Newest).await;
    assert_eq!(page.newer, None, "the newest page has nothing newer");
    loop {
        down.push(page.rows.clone());
        match page.older {
            Some(o) => page = fetch(Seek::OlderThan(o)).await,
            None => break,
        }
    }
    let mut up = vec![page.rows.clone()];
    while let Some(n) = page.newer {
        page = fetch(Seek::NewerThan(n)).await;
        up.push(page.rows.clone());
    }
    up.reverse();
    (down, up)
}

both_engines!(the_audit_log_pages_by_id_both_ways, |db: Db| async move {
    let who = Who::system("test");
    for i in 0..25 {
        let action = if i % 5 == 0 { "other.x" } else { "paged.x" };
        audit::record_alone(&db, &who, action, "test", Some(i), None, "")
            .await
            .unwrap();
    }
    let fetch = |seek: Seek| {
        let db = db.clone();
        async move {
            let (w, total) = audit::list(
                &db,
                &audit::Filter {
                    action: Some("paged.".into()),
                    limit: 7,
                    seek,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(total, 20);
            assert!(w.rows.iter().all(|e| e.action == "paged.x"));
            Window {
                rows: w.rows.iter().map(|e| e.id).collect(),
                newer: w.newer,
                older: w.older,
            }
        }
    };
    let (down, up) = walk(fetch).await;
    assert_eq!(down.iter().map(Vec::len).collect::<Vec<_>>(), [7, 7, 6]);
    let all: Vec<i64> = down.concat();
    assert!(
        all.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats: {all:?}"
    );
    assert_eq!(up.concat(), all, "walking back shows the same entries");
});

both_engines!(
    the_outbox_pages_by_id_and_caps_its_count,
    |db: Db| async move {
        let mut conn = db.writer().acquire().await.unwrap();
        for i in 0..12 {
            outbox::enqueue_text(
                &mut conn,
                "plain",
                &format!("p{i}@test.se"),
                None,
                "Ämne",
                "Text",
            )
            .await
            .unwrap();
        }
        drop(conn);
        let fetch = |seek: Seek| {
            let db = db.clone();
            async move {
                let (w, total) = outbox::list(
                    &db,
                    &outbox::Filter {
                        limit: 5,
                        seek,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
                assert_eq!(total, 12);
                Window {
                    rows: w.rows.iter().map(|m| m.id).collect(),
                    newer: w.newer,
                    older: w.older,
                }
            }
        };
        let (down, up) = walk(fetch).await;
        assert_eq!(down.iter().map(Vec::len).collect::<Vec<_>>(), [5, 5, 2]);
        assert_eq!(up.concat(), down.concat());
    }
);
