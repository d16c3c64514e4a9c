//! The steering group's target view, "are we on track?": unique
//! participants by gender, each municipality's course hours against its
//! commitment and against where an even pace would have it by today, with
//! a forecast to the programme's end, the needs inventory's coverage and
//! satisfaction. Aggregates only: no person is named.

use domain::access::Action;
use domain::indicators::IndicatorReport;
use domain::targets::{self, Pace};
use navet_store::needs::Coverage;
use navet_store::{StoreError, StoreResult};

use super::UseCase;
use crate::pages::reports::{period_of, PeriodQuery};

/// One municipality's (or the programme's) standing.
pub struct Standing {
    pub name: String,
    pub hours: f64,
    pub commitment: f64,
    pub achieved_pct: f64,
    pub expected_pct: f64,
    pub forecast_pct: Option<f64>,
    pub pace: Pace,
}

pub struct TargetView {
    /// The period the figures cover (the year so far).
    pub from: String,
    pub to: String,
    pub report: IndicatorReport,
    pub programme: Option<Standing>,
    pub municipalities: Vec<Standing>,
    /// Needs by coverage: delivered, under development, at risk.
    pub needs: (i64, i64, i64),
    /// Satisfaction over the whole year (whole terms, so not withheld for
    /// the period's sake).
    pub survey: domain::surveys::SurveySummary,
}

impl TargetView {
    /// How many municipalities stand at each pace (on track, slightly
    /// behind, behind).
    pub fn tally(&self) -> (usize, usize, usize) {
        let n = |p: Pace| self.municipalities.iter().filter(|m| m.pace == p).count();
        (n(Pace::OnTrack), n(Pace::SlightlyBehind), n(Pace::Behind))
    }
}

impl UseCase<'_> {
    /// The steering group's target view: aggregates only.
    pub async fn target_view(&self) -> StoreResult<TargetView> {
        self.decide(Action::ViewAggregates)?;
        let today = navet_store::time::local_date(navet_store::time::now());
        let so_far = PeriodQuery {
            from: String::new(),
            to: today.to_string(),
            program: String::new(),
        };
        let p =
            period_of(&so_far).map_err(|e| StoreError::Other(anyhow::anyhow!(e.to_string())))?;
        let report = navet_store::reports::indicator_report(self.db(), p).await?;
        let year = period_of(&PeriodQuery::default())
            .map_err(|e| StoreError::Other(anyhow::anyhow!(e.to_string())))?;
        // Satisfaction is the year's survey summary (the report's own period
        // runs from the programme's start); only that part is read.
        let survey = navet_store::surveys::summary(self.db(), year).await?;
        let programme = report.programme.as_ref().map(|pr| Standing {
            name: pr.name.clone(),
            hours: pr.programme_hours,
            commitment: pr.target_hours,
            achieved_pct: pr.achieved_pct,
            expected_pct: pr.expected_pct,
            forecast_pct: targets::forecast_pct(pr.achieved_pct, pr.expected_pct),
            pace: targets::pace(pr.target_hours, pr.achieved_pct, pr.expected_pct),
        });
        let municipalities = report
            .by_municipality
            .iter()
            .map(|m| Standing {
                name: m.municipality.clone(),
                hours: m.programme_hours,
                commitment: m.commitment_hours,
                achieved_pct: m.commitment_achieved_pct,
                expected_pct: m.expected_pct,
                forecast_pct: targets::forecast_pct(m.commitment_achieved_pct, m.expected_pct),
                pace: targets::pace(
                    m.commitment_hours,
                    m.commitment_achieved_pct,
                    m.expected_pct,
                ),
            })
            .collect();
        let mut needs = (0, 0, 0);
        for n in navet_store::needs::matrix(self.db()).await? {
            match n.coverage {
                Coverage::Levererat => needs.0 += 1,
                Coverage::UnderUtveckling => needs.1 += 1,
                Coverage::Risk => needs.2 += 1,
            }
        }
        Ok(TargetView {
            from: report.from.clone(),
            to: report.to.clone(),
            report,
            programme,
            municipalities,
            needs,
            survey,
        })
    }
}
