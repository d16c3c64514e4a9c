//! The survey part of the indicator report: each whole term's answer
//! counts, kept in memory while they cannot have changed, summed as the
//! anonymity rules allow.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::indicators::Period;
use domain::surveys::anonymity::{self, ResultPeriod};
use domain::surveys::{self, MetricCounts, SurveyKind, SurveySummary};

use super::{counts, questions};
use crate::db::Db;
use crate::error::StoreResult;

/// The survey part of the indicator report: participant answers for
/// sessions in the period. Given only for whole terms, and only as sums of
/// what each term may show (`anonymity::summary_over_terms`): figures for
/// arbitrary dates could be subtracted from each other.
pub async fn summary(db: &Db, period: Period) -> StoreResult<SurveySummary> {
    let Some(terms) = ResultPeriod::whole_terms(period.from, period.to) else {
        return Ok(SurveySummary {
            withheld: true,
            needs_whole_terms: true,
            ..Default::default()
        });
    };
    let mut per_term = vec![];
    for t in terms {
        per_term.push(metric_counts(db, t.first_day(), t.last_day()).await?);
    }
    Ok(anonymity::summary_over_terms(&per_term))
}

/// A term's answer counts, kept in memory (`fact_cache`) while no response
/// has been added and no session changed: responses are only ever added
/// (with their answers, in one transaction), and a response belongs to a
/// term through its session's start. The steering group's start page reads
/// two terms on every view, each a pass over every response of the term.
async fn term_counts(
    db: &Db,
    from: i64,
    to: i64,
) -> StoreResult<std::sync::Arc<(i64, HashMap<i64, surveys::QuestionCounts>)>> {
    let (last_response, sessions_changed): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT MAX(id) FROM survey_responses), (SELECT MAX(updated_at) FROM sessions)",
    )
    .fetch_one(db.pool())
    .await?;
    let key = ("survey_term", from, to, last_response.unwrap_or(0), 0);
    let version = sessions_changed.unwrap_or(0);
    if let Some(hit) = db.fact_cache().get(&key, version) {
        return Ok(hit);
    }
    let counted = std::sync::Arc::new(
        counts(
            db,
            SurveyKind::Participant,
            "s.starts_at >= $1 AND s.starts_at < $2",
            &[from, to],
        )
        .await?,
    );
    // Session times are whole seconds: a change later in this same second
    // would leave the version as it is, so nothing read in it is kept.
    if version < crate::time::now() {
        db.fact_cache().put(key, version, counted.clone());
    }
    Ok(counted)
}

async fn metric_counts(db: &Db, first: NaiveDate, last: NaiveDate) -> StoreResult<MetricCounts> {
    let from = crate::time::day_start(first);
    let to = crate::time::day_start(last.succ_opt().unwrap_or(last));
    let qs = questions(db, SurveyKind::Participant).await?;
    let (responses, c) = &*term_counts(db, from, to).await?;
    let responses = *responses;
    let mut m = MetricCounts {
        responses,
        ..Default::default()
    };
    for q in &qs {
        let Some(qc) = c.get(&q.id) else { continue };
        match q.metric {
            surveys::Metric::Helped => {
                m.helped_answered += qc.answered();
                m.helped_high += qc.count_of(4) + qc.count_of(3);
            }
            surveys::Metric::Confidence => {
                m.confidence_answered += qc.answered();
                m.confidence_sum += qc.counts.iter().map(|(v, n)| v * n).sum::<i64>();
            }
            surveys::Metric::LanguageSupport => {
                m.language_answered += qc.answered();
                m.language_met += qc.count_of(2) + qc.count_of(1);
            }
            surveys::Metric::None => {}
        }
    }
    Ok(m)
}
