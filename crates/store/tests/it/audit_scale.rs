//! The audit log page's helpers at scale, on both engines: the distinct
//! actions come from an index walk, and the count stops at its cap.

use navet_store::audit::{self, Who};
use navet_store::{both_engines, Db};

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
