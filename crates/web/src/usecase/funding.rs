//! The funding programme and the co-financing in kronor: the programme and
//! its commitments (aggregates: the steering group reads them), the unit
//! costs and rounding rule that value attended time (the hub changes them),
//! and the follow-up per municipality and month.

use chrono::NaiveDate;
use domain::access::Action;
use domain::cofinancing::follow_up::{self, FollowUp, MonthRow};
use domain::cofinancing::unit_costs::{self, UnitCost};
use domain::cofinancing::{RoundingRule, Valuation};
use domain::funding::Programme;
use navet_store::{StoreError, StoreResult};

use super::UseCase;

/// The co-financing reached, valued, against the commitments.
pub struct Cofinancing {
    pub rule: RoundingRule,
    pub valuation: Valuation,
    pub follow_up: FollowUp,
    /// Month by month for the chosen municipality (or all).
    pub months: Vec<MonthRow>,
    /// The municipality the months are for (None = all together).
    pub chosen: Option<i64>,
    /// Whether any unit cost is recorded at all.
    pub has_unit_costs: bool,
    /// The funding source the figures are limited to (None: all).
    pub source: Option<i64>,
}

/// The funding page's data.
pub struct FundingOverview {
    pub programme: Option<Programme>,
    /// Every municipality Navet holds (what a programme may name).
    pub municipalities: Vec<String>,
    pub cofinancing: Option<Cofinancing>,
    pub can_manage: bool,
    /// Whether the lists behind the figures may be opened.
    pub can_trail: bool,
}

/// The unit-cost page's data.
pub struct UnitCostTable {
    pub rows: Vec<UnitCost>,
    pub categories: Vec<String>,
    pub rule: RoundingRule,
    pub can_manage: bool,
}

impl UseCase<'_> {
    /// The programme, its commitments and the co-financing reached by
    /// `today` (months for `municipality`, or all together).
    pub async fn funding_overview(
        &self,
        today: NaiveDate,
        municipality: Option<i64>,
        source: Option<i64>,
    ) -> StoreResult<FundingOverview> {
        self.decide(Action::ViewAggregates)?;
        let programme = navet_store::funding::current(self.db())
            .await?
            .map(|(_, p)| p);
        let municipalities = navet_store::funding::municipality_names(self.db()).await?;
        let cofinancing = match &programme {
            Some(p) if self.may(Action::ViewCofinancing) => {
                Some(self.cofinancing_of(p, today, municipality, source).await?)
            }
            _ => None,
        };
        Ok(FundingOverview {
            programme,
            municipalities,
            cofinancing,
            can_manage: self.may(Action::ManageFunding),
            can_trail: self.may(Action::ViewParticipationTrail),
        })
    }

    async fn cofinancing_of(
        &self,
        p: &Programme,
        today: NaiveDate,
        municipality: Option<i64>,
        source: Option<i64>,
    ) -> StoreResult<Cofinancing> {
        self.check_source_filter("program", source).await?;
        let at = today.min(p.ends);
        let valuation =
            navet_store::cofinancing::valuation_for(self.db(), p.starts, at, source).await?;
        let ids: Vec<(i64, String)> = navet_store::org::municipalities(self.db())
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
        let fu = follow_up::follow_up(p, &ids, &valuation, at);
        let chosen = municipality.filter(|id| fu.municipalities.iter().any(|m| m.id == *id));
        let commitment = match chosen {
            Some(id) => fu
                .municipalities
                .iter()
                .find(|m| m.id == id)
                .map(|m| m.commitment_ore)
                .unwrap_or(0),
            None => fu.total.commitment_ore,
        };
        Ok(Cofinancing {
            rule: valuation.rule,
            months: follow_up::months(p, &valuation, chosen, commitment, at),
            has_unit_costs: !navet_store::cofinancing::unit_costs(self.db())
                .await?
                .is_empty(),
            valuation,
            follow_up: fu,
            chosen,
            source,
        })
    }

    /// The co-financing follow-up alone (the API), or NotFound without a
    /// programme.
    pub async fn cofinancing(
        &self,
        today: NaiveDate,
        municipality: Option<i64>,
        source: Option<i64>,
    ) -> StoreResult<Cofinancing> {
        self.decide(Action::ViewCofinancing)?;
        let Some((_, p)) = navet_store::funding::current(self.db()).await? else {
            return Err(StoreError::NotFound("finansieringsprogram"));
        };
        self.cofinancing_of(&p, today, municipality, source).await
    }

    /// Municipality names a programme may name (for checking a form).
    pub async fn funding_municipalities(&self) -> StoreResult<Vec<String>> {
        self.decide(Action::ManageFunding)?;
        navet_store::funding::municipality_names(self.db()).await
    }

    /// Make `p` the current programme.
    pub async fn save_programme(&self, p: &Programme) -> StoreResult<i64> {
        self.decide(Action::ManageFunding)?;
        navet_store::funding::save(self.db(), &self.who, p).await
    }

    /// The unit-cost table and the rounding rule.
    pub async fn unit_cost_table(&self) -> StoreResult<UnitCostTable> {
        self.decide(Action::ViewCofinancing)?;
        Ok(UnitCostTable {
            rows: navet_store::cofinancing::unit_costs(self.db()).await?,
            categories: navet_store::cofinancing::categories(self.db()).await?,
            rule: navet_store::cofinancing::rounding(self.db()).await?,
            can_manage: self.may(Action::ManageUnitCosts),
        })
    }

    /// One row of the table.
    pub async fn unit_cost(&self, id: i64) -> StoreResult<UnitCost> {
        self.decide(Action::ViewCofinancing)?;
        navet_store::cofinancing::unit_cost(self.db(), id).await
    }

    /// One row to change or remove, with the categories it may name.
    pub async fn unit_cost_to_change(&self, id: i64) -> StoreResult<(UnitCost, Vec<String>)> {
        self.decide(Action::ManageUnitCosts)?;
        Ok((
            navet_store::cofinancing::unit_cost(self.db(), id).await?,
            navet_store::cofinancing::categories(self.db()).await?,
        ))
    }

    /// The categories a row may name.
    pub async fn unit_cost_categories(&self) -> StoreResult<Vec<String>> {
        self.decide(Action::ManageUnitCosts)?;
        navet_store::cofinancing::categories(self.db()).await
    }

    /// Check a typed row against the categories Navet holds.
    pub async fn check_unit_cost(&self, d: &unit_costs::Draft) -> StoreResult<UnitCost> {
        self.decide(Action::ManageUnitCosts)?;
        let known = navet_store::cofinancing::categories(self.db()).await?;
        unit_costs::check(d, &known).map_err(StoreError::Invalid)
    }

    pub async fn add_unit_cost(&self, d: &unit_costs::Draft) -> StoreResult<i64> {
        let u = self.check_unit_cost(d).await?;
        navet_store::cofinancing::add(self.db(), &self.who, &u).await
    }

    pub async fn update_unit_cost(&self, id: i64, d: &unit_costs::Draft) -> StoreResult<()> {
        let u = self.check_unit_cost(d).await?;
        navet_store::cofinancing::update(self.db(), &self.who, id, &u).await
    }

    pub async fn delete_unit_cost(&self, id: i64) -> StoreResult<UnitCost> {
        self.decide(Action::ManageUnitCosts)?;
        navet_store::cofinancing::delete(self.db(), &self.who, id).await
    }

    /// Replace the table with a CSV file's rows: all or nothing; the
    /// messages name lines and columns.
    pub async fn load_unit_costs(
        &self,
        bytes: Vec<u8>,
        file: &str,
    ) -> StoreResult<Result<usize, Vec<String>>> {
        self.decide(Action::ManageUnitCosts)?;
        let known = navet_store::cofinancing::categories(self.db()).await?;
        let parsed =
            navet_store::offload::parse(navet_store::offload::PARSE_TIME_LIMIT, move |_| {
                unit_costs::parse_csv(&bytes, &known)
            })
            .await
            .unwrap_or_else(|| Err(vec![domain::tabular::TIMED_OUT.to_string()]));
        match parsed {
            Ok(rows) => Ok(Ok(navet_store::cofinancing::replace_all(
                self.db(),
                &self.who,
                &rows,
                file,
            )
            .await?)),
            Err(msgs) => Ok(Err(msgs)),
        }
    }

    pub async fn set_rounding(&self, rule: RoundingRule) -> StoreResult<()> {
        self.decide(Action::ManageUnitCosts)?;
        navet_store::cofinancing::set_rounding(self.db(), &self.who, rule).await
    }
}
