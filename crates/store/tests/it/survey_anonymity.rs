//! Survey results cannot be taken apart by subtraction: "all courses" minus
//! the courses shown, a year minus a term, or a report period shifted by a
//! day. On both engines.

use domain::indicators::check_period;
use domain::surveys::anonymity::ResultPeriod;
use domain::surveys::{SurveyKind, MIN_GROUP};
use navet_store::surveys::{self, GroupResults};
use navet_store::testing::fixtures;
use navet_store::{both_engines, time, Db};

/// A session on `date` with `n` participant responses, each answering the
/// first question (helped: 4) and the second (confidence: 5).
async fn answered_session(db: &Db, course_id: i64, date: &str, n: usize) {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    let starts = time::day_start(day) + 9 * 3600;
    let session: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, cancel_reason, created_at, updated_at) \
         VALUES ($1, $2, $3, (SELECT MIN(id) FROM municipalities), 'Sal 1', 20, 3, 'held', '', 0, 0) RETURNING id",
    )
    .bind(course_id)
    .bind(starts)
    .bind(starts + 3 * 3600)
    .fetch_one(db.writer())
    .await
    .unwrap();
    let qs = surveys::questions(db, SurveyKind::Participant)
        .await
        .unwrap();
    for _ in 0..n {
        let r: i64 = sqlx::query_scalar(
            "INSERT INTO survey_responses (survey_kind, session_id, submitted_on) VALUES ('participant', $1, $2) RETURNING id",
        )
        .bind(session)
        .bind(date)
        .fetch_one(db.writer())
        .await
        .unwrap();
        for (q, v) in [(qs[0].id, 4_i64), (qs[1].id, 5)] {
            sqlx::query("INSERT INTO survey_answers (response_id, question_id, value_int, value_text) VALUES ($1, $2, $3, NULL)")
                .bind(r)
                .bind(q)
                .bind(v)
                .execute(db.writer())
                .await
                .unwrap();
        }
    }
}

fn shown(results: &[GroupResults], label: &str) -> Option<i64> {
    results
        .iter()
        .find(|g| g.label == label)
        .filter(|g| !g.hidden)
        .map(|g| g.responses)
}

both_engines!(
    all_courses_minus_the_visible_ones_never_gives_a_small_course,
    |db: Db| async move {
        let a = fixtures::course(&db, "Akutsjukvård").await;
        let b = fixtures::course(&db, "Bemötande").await;
        let c = fixtures::course(&db, "Coachning").await;
        answered_session(&db, a, "2025-03-10", 12).await;
        answered_session(&db, b, "2025-03-11", 3).await;
        answered_session(&db, c, "2025-04-01", 7).await;
        answered_session(&db, a, "2025-09-01", 9).await;
        answered_session(&db, b, "2025-10-01", 6).await;

        let spring = surveys::results_by_course(
            &db,
            SurveyKind::Participant,
            ResultPeriod::parse("2025-vt").unwrap(),
        )
        .await
        .unwrap();
        let total = shown(&spring, "Alla kurser").unwrap();
        assert_eq!(total, 22);
        assert_eq!(shown(&spring, "Akutsjukvård"), Some(12));
        assert_eq!(shown(&spring, "Bemötande"), None, "three answers: hidden");
        assert_eq!(shown(&spring, "Coachning"), None, "joins the bucket");
        let others = spring.last().unwrap();
        assert!(others.label.starts_with("Övriga kurser"));
        assert!(others.label.contains("Bemötande") && others.label.contains("Coachning"));
        // The subtraction gives the bucket, never Bemötande alone.
        let visible: i64 = spring[1..spring.len() - 1]
            .iter()
            .filter(|g| !g.hidden)
            .map(|g| g.responses)
            .sum();
        assert_eq!(total - visible, others.responses);
        assert!(total - visible >= MIN_GROUP);
        // Per question: the bucket's figures are shown together.
        let helped = &others.questions[0].1;
        assert!(!helped.hidden);
        assert_eq!(helped.answered, 10);

        // The year minus the autumn does not give Bemötande's spring answers.
        let autumn = surveys::results_by_course(
            &db,
            SurveyKind::Participant,
            ResultPeriod::parse("2025-ht").unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(shown(&autumn, "Bemötande"), Some(6));
        let year = surveys::results_by_course(
            &db,
            SurveyKind::Participant,
            ResultPeriod::parse("2025").unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(shown(&year, "Bemötande"), None);
        assert_eq!(shown(&year, "Akutsjukvård"), Some(21));
        assert_eq!(shown(&year, "Alla kurser"), Some(37));
        assert_eq!(
            year.last().unwrap().responses,
            16,
            "spring bucket + autumn Bemötande"
        );

        // The report: whole terms only, so a day's shift tells nothing.
        let whole = surveys::summary(&db, check_period("2025-01-01", "2025-12-31").unwrap())
            .await
            .unwrap();
        assert!(!whole.withheld);
        assert_eq!(whole.responses, 37);
        for (from, to) in [("2025-01-02", "2025-12-31"), ("2025-03-11", "2025-03-11")] {
            let s = surveys::summary(&db, check_period(from, to).unwrap())
                .await
                .unwrap();
            assert!(s.withheld && s.needs_whole_terms, "{from}–{to}");
            assert_eq!(s.responses, 0);
            assert_eq!(s.helped_high_pct, None);
        }
    }
);

both_engines!(
    kept_term_counts_follow_new_responses_and_moved_sessions,
    |db: Db| async move {
        let course = fixtures::course(&db, "Bemötande").await;
        let spring = || check_period("2025-01-01", "2025-06-30").unwrap();
        let autumn = || check_period("2025-07-01", "2025-12-31").unwrap();
        answered_session(&db, course, "2025-03-10", 6).await;
        answered_session(&db, course, "2025-09-10", 6).await;
        for _ in 0..2 {
            // The second read is the kept one.
            assert_eq!(surveys::summary(&db, spring()).await.unwrap().responses, 6);
            assert_eq!(surveys::summary(&db, autumn()).await.unwrap().responses, 6);
        }
        // A new response counts at once.
        answered_session(&db, course, "2025-04-01", 6).await;
        assert_eq!(surveys::summary(&db, spring()).await.unwrap().responses, 12);
        // A session moved to the other term takes its responses along.
        let moved =
            time::day_start(chrono::NaiveDate::from_ymd_opt(2025, 5, 5).unwrap()) + 9 * 3600;
        sqlx::query(
            "UPDATE sessions SET starts_at = $1, ends_at = $2, updated_at = $3 \
             WHERE starts_at >= $4",
        )
        .bind(moved)
        .bind(moved + 3 * 3600)
        .bind(time::now() - 5)
        .bind(time::day_start(
            chrono::NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
        ))
        .execute(db.writer())
        .await
        .unwrap();
        assert_eq!(surveys::summary(&db, spring()).await.unwrap().responses, 18);
        assert_eq!(surveys::summary(&db, autumn()).await.unwrap().responses, 0);
    }
);
