//! Gap reports: the region, a municipality and an activity area (sums, by
//! `ViewGaps`), a unit with each person and one person (named people:
//! logged). The request's own values (a day, an activity area) come as
//! read, so a refusal is answered before a malformed value.

use chrono::NaiveDate;
use domain::access::Action;
use domain::ids::{PersonId, UnitId};
use navet_store::gaps::{self, GapLevel, GapReport, PersonGaps};
use navet_store::StoreError;

use super::UseCase;

/// The gap report page: the report, and where else the actor may look.
pub struct GapReportPage {
    pub report: GapReport,
    /// The municipalities whose report the actor may open (id, name).
    pub municipalities: Vec<(i64, String)>,
    /// The actor may open the whole region's.
    pub can_region: bool,
}

impl UseCase<'_> {
    /// The report on the region, a municipality or an activity area, for
    /// whoever may see gaps in `municipality_id` (None: the region).
    pub async fn gap_report<E: From<StoreError>>(
        &self,
        municipality_id: Option<i64>,
        level: Result<GapLevel, E>,
        as_of: Result<NaiveDate, E>,
    ) -> Result<GapReport, E> {
        self.decide(Action::ViewGaps { municipality_id })?;
        let (level, as_of) = (level?, as_of?);
        Ok(gaps::report(self.db(), &level, as_of).await?)
    }

    /// The gap report page as of today (managers and the hub).
    pub async fn gap_report_page<E: From<StoreError>>(
        &self,
        municipality_id: Option<i64>,
        level: Result<GapLevel, E>,
    ) -> Result<GapReportPage, E> {
        self.require_competence_staff()?;
        let level = level?;
        let report = self
            .gap_report::<E>(municipality_id, Ok(level), Ok(navet_store::time::today()))
            .await?;
        let municipalities = navet_store::org::municipalities(self.db())
            .await?
            .into_iter()
            .filter(|m| {
                self.may(Action::ViewGaps {
                    municipality_id: Some(m.id),
                })
            })
            .map(|m| (m.id, m.name))
            .collect();
        Ok(GapReportPage {
            report,
            municipalities,
            can_region: self.may(Action::ViewGaps {
                municipality_id: None,
            }),
        })
    }

    /// One unit with each person (the read of the staff's data is logged).
    pub async fn unit_gap_report<E: From<StoreError>>(
        &self,
        unit_id: i64,
        as_of: Result<NaiveDate, E>,
    ) -> Result<GapReport, E> {
        let u = navet_store::org::unit(self.db(), UnitId(unit_id)).await?;
        self.decide(Action::ViewUnit {
            unit_id: u.id,
            municipality_id: u.municipality_id,
        })?;
        let r = gaps::report(self.db(), &GapLevel::Unit(unit_id), as_of?).await?;
        self.audit(
            "unit.read",
            "unit",
            Some(u.id),
            &format!("API: glapp för {} personer", r.children.len()),
        )
        .await?;
        Ok(r)
    }

    /// One person's requirements and how each stands (reading another's
    /// is logged).
    pub async fn person_gap_report<E: From<StoreError>>(
        &self,
        person_id: i64,
        as_of: Result<NaiveDate, E>,
    ) -> Result<PersonGaps, E> {
        let p = navet_store::people::get(self.db(), PersonId(person_id))
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => StoreError::NotFound("Personen"),
                e => e,
            })?;
        self.decide(Action::ViewPerson(p.as_ref()))?;
        self.audit_person_read(p.id, "API: glapp").await?;
        Ok(gaps::person(self.db(), PersonId(person_id), as_of?).await?)
    }
}
