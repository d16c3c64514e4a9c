//! The funder's indicator report: aggregates for a period, optionally for
//! one funding source, with the ids the page needs to link each figure to
//! the participations behind it (for those who may follow that trail).

use std::collections::HashMap;

use domain::access::Action;
use domain::indicators::{IndicatorReport, Period};
use domain::FieldErrors;
use navet_store::{StoreError, StoreResult};

use super::UseCase;

/// The names the report shows, to the ids its trail links need.
#[derive(Default)]
pub struct TrailIds {
    pub municipalities: HashMap<String, i64>,
    pub courses: HashMap<String, i64>,
}

impl UseCase<'_> {
    /// The indicator report for the period asked for (its errors are
    /// answered once access is decided), all sources or `program` (an
    /// unknown source is an error on field `program`).
    pub async fn indicator_report(
        &self,
        period: Result<Period, FieldErrors>,
        program: Option<i64>,
    ) -> StoreResult<IndicatorReport> {
        self.decide(Action::ViewAggregates)?;
        let period = period.map_err(StoreError::Invalid)?;
        self.check_source_filter("program", program).await?;
        navet_store::reports::indicator_report_for(self.db(), period, program).await
    }

    /// The ids behind the report's names, when the actor may follow a
    /// figure to its participations (empty otherwise).
    pub async fn report_trail_ids(&self) -> StoreResult<TrailIds> {
        if !self.may(Action::ViewParticipationTrail) {
            return Ok(TrailIds::default());
        }
        Ok(TrailIds {
            municipalities: navet_store::org::municipalities(self.db())
                .await?
                .into_iter()
                .map(|m| (m.name, m.id))
                .collect(),
            courses: navet_store::catalogue::course_titles(self.db())
                .await?
                .into_iter()
                .map(|(id, t)| (t, id))
                .collect(),
        })
    }
}

/// The steering group's dashboard: the report and participations by month.
pub struct Dashboard {
    pub report: IndicatorReport,
    /// Month, participations and unique participants.
    pub months: Vec<(String, i64, i64)>,
}

impl UseCase<'_> {
    /// The dashboard for the period asked for (its errors are answered
    /// once access is decided).
    pub async fn dashboard(&self, period: Result<Period, FieldErrors>) -> StoreResult<Dashboard> {
        self.decide(Action::ViewAggregates)?;
        let period = period.map_err(StoreError::Invalid)?;
        Ok(Dashboard {
            report: navet_store::reports::indicator_report(self.db(), period).await?,
            months: navet_store::reports::participations_by_month(self.db(), period).await?,
        })
    }
}
