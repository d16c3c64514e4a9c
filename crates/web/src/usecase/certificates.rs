//! Course certificates: one's own, a person's (for their manager and the
//! hub, logged), downloads per session or unit (logged), the expiring
//! ones within the actor's visibility with reminders, and the public
//! verification of a certificate's code.

use domain::ids::{PersonId, SessionId, UnitId};
use std::collections::HashMap;

use chrono::NaiveDate;
use domain::access::{Action, PersonRef};
use domain::certificates::EXPIRING_WINDOW_DAYS;
use navet_store::completions::{self, Completion, Verified};
use navet_store::{Db, StoreError, StoreResult};

use super::{Guest, UseCase};

/// One row of a list of certificates: the certificate, whether it has
/// expired, and where to book a refresher when it has (and no later
/// certificate of the same course replaced it).
pub struct MineRow {
    pub x: Completion,
    pub expired: bool,
    pub refresher: Option<String>,
}

/// The certificates that expire soon, within the actor's visibility.
pub struct Expiring {
    /// One page, in expiry order.
    pub list: Vec<Completion>,
    /// The certificate the next page continues after, when there is one.
    pub next_after: Option<i64>,
    pub days: i64,
    /// The actor may send the reminders (the hub).
    pub can_remind: bool,
}

/// Expiring certificates a page shows (a nation's are tens of thousands).
pub const EXPIRING_PAGE: i64 = 200;

/// What a verification code says.
pub struct Verification {
    /// The certificate the code belongs to (number, course, date, initials).
    pub found: Option<Verified>,
    /// For an expired certificate: where to book a refresher.
    pub refresher: Option<String>,
}

/// Where to book a refresher of a course: its nearest upcoming session, or
/// the course page when none is planned.
fn refresher_href(sessions: &HashMap<i64, i64>, course_id: i64) -> String {
    match sessions.get(&course_id) {
        Some(s) => format!("/kurstillfallen/{s}"),
        None => format!("/kurser/{course_id}"),
    }
}

fn is_expired(expires_on: Option<&str>, today: NaiveDate) -> bool {
    expires_on
        .and_then(navet_store::time::parse_date)
        .is_some_and(|e| e < today)
}

async fn rows(db: &Db, list: Vec<Completion>) -> StoreResult<Vec<MineRow>> {
    let now = navet_store::time::now();
    let today = navet_store::time::local_date(now);
    let expired: Vec<bool> = list
        .iter()
        .map(|x| is_expired(x.expires_on.as_deref(), today))
        .collect();
    // An expired certificate needs a refresher unless a later one of the
    // same course replaced it.
    let renewed = |x: &Completion| {
        list.iter()
            .any(|y| y.course_id == x.course_id && y.completed_on > x.completed_on)
    };
    let wanted: Vec<i64> = list
        .iter()
        .zip(&expired)
        .filter(|(x, e)| **e && !renewed(x))
        .map(|(x, _)| x.course_id)
        .collect();
    let sessions = completions::refresher_sessions(db, &wanted, now).await?;
    let refresher: Vec<Option<String>> = list
        .iter()
        .zip(&expired)
        .map(|(x, e)| (*e && !renewed(x)).then(|| refresher_href(&sessions, x.course_id)))
        .collect();
    Ok(list
        .into_iter()
        .zip(expired)
        .zip(refresher)
        .map(|((x, expired), refresher)| MineRow {
            x,
            expired,
            refresher,
        })
        .collect())
}

impl UseCase<'_> {
    /// May the actor read this person's certificates? (self, their
    /// manager, the hub); another's read is logged.
    async fn person_for_certificates(
        &self,
        person_id: i64,
    ) -> StoreResult<navet_store::people::Person> {
        let p = navet_store::people::get(self.db(), PersonId(person_id)).await?;
        self.decide(Action::ViewPerson(p.as_ref()))?;
        self.audit_person_read(person_id, "kursintyg").await?;
        Ok(p)
    }

    /// One certificate (for its PDF).
    pub async fn certificate(&self, id: i64) -> StoreResult<Completion> {
        let comp = completions::get(self.db(), id).await?;
        self.person_for_certificates(comp.person_id).await?;
        Ok(comp)
    }

    /// The signed-in person's own certificates.
    pub async fn my_certificates(&self) -> StoreResult<Vec<MineRow>> {
        let list = match self.person_id() {
            Some(p) => completions::for_person(self.db(), PersonId(p)).await?,
            None => vec![],
        };
        rows(self.db(), list).await
    }

    /// A person's certificates, with the person's name.
    pub async fn person_certificates(&self, id: i64) -> StoreResult<(String, Vec<MineRow>)> {
        let p = self.person_for_certificates(id).await?;
        let list = completions::for_person(self.db(), PersonId(id)).await?;
        Ok((p.name, rows(self.db(), list).await?))
    }

    /// A session's certificates to download: all of them for those who
    /// see the session's participants, otherwise (a manager) those of the
    /// people the actor may see, and refused when that is none. Logged.
    pub async fn session_certificates(&self, id: i64) -> StoreResult<Vec<Completion>> {
        let trainers = navet_store::attendance::trainer_ids(self.db(), SessionId(id)).await?;
        let mut list = completions::for_session(self.db(), SessionId(id)).await?;
        if !self.may(Action::ViewSessionParticipants {
            trainer_person_ids: &trainers,
        }) {
            list.retain(|x| {
                self.may(Action::ViewPerson(PersonRef {
                    person_id: x.person_id,
                    unit_id: x.unit_id,
                    municipality_id: x.municipality_id,
                }))
            });
            if list.is_empty() {
                return Err(StoreError::Forbidden(
                    "Du får inte hämta några intyg från detta kurstillfälle.".into(),
                ));
            }
        }
        self.audit(
            "certificates.download",
            "session",
            Some(id),
            &format!("{} intyg", list.len()),
        )
        .await?;
        Ok(list)
    }

    /// A unit's certificates to download. Logged.
    pub async fn unit_certificates(&self, id: i64) -> StoreResult<Vec<Completion>> {
        let unit = navet_store::org::unit(self.db(), UnitId(id)).await?;
        self.decide(Action::ViewUnit {
            unit_id: unit.id,
            municipality_id: unit.municipality_id,
        })?;
        let list = completions::for_unit(self.db(), UnitId(id)).await?;
        self.audit(
            "certificates.download",
            "unit",
            Some(id),
            &format!("{} intyg", list.len()),
        )
        .await?;
        Ok(list)
    }

    /// Certificates that expire within the window and have not been
    /// renewed: the whole region for the hub, a manager's units and
    /// municipalities for a manager. Logged when any are shown.
    pub async fn expiring_certificates(
        &self,
        today: NaiveDate,
        after: Option<i64>,
    ) -> StoreResult<Expiring> {
        self.decide(Action::ViewExpiringCompletions)?;
        let (units, municipalities, all) = match self.visibility().restriction() {
            None => (vec![], vec![], true),
            Some(scope) => (scope.unit_ids, scope.municipality_ids, false),
        };
        let mut list = completions::expiring_page(
            self.db(),
            today,
            EXPIRING_WINDOW_DAYS,
            &units,
            &municipalities,
            all,
            after,
            Some(EXPIRING_PAGE + 1),
        )
        .await?;
        let more = list.len() as i64 > EXPIRING_PAGE;
        list.truncate(EXPIRING_PAGE as usize);
        let next_after = more.then(|| list.last().map(|c| c.id)).flatten();
        if !list.is_empty() {
            self.audit(
                "certificates.expiring",
                "people",
                None,
                &format!("{} personer", list.len()),
            )
            .await?;
        }
        Ok(Expiring {
            list,
            next_after,
            days: EXPIRING_WINDOW_DAYS,
            can_remind: self.may(Action::ManageSessions),
        })
    }

    /// Queue a reminder for each certificate about to expire; how many.
    pub async fn queue_certificate_reminders(&self, today: NaiveDate) -> StoreResult<usize> {
        self.decide(Action::ManageSessions)?;
        completions::queue_reminders(self.db(), today, &self.s.config.public_url).await
    }
}

impl Guest<'_> {
    /// What a certificate's code says (public: the code is on the
    /// certificate), and for an expired one where to book a refresher.
    pub async fn verify_certificate(&self, code: &str) -> StoreResult<Verification> {
        if code.trim().is_empty() {
            return Ok(Verification {
                found: None,
                refresher: None,
            });
        }
        let now = navet_store::time::now();
        let found =
            completions::verify_details(self.db(), code, navet_store::time::local_date(now))
                .await?;
        let refresher = match &found {
            Some(v) if !v.valid => {
                let sessions =
                    completions::refresher_sessions(self.db(), &[v.course_id], now).await?;
                Some(refresher_href(&sessions, v.course_id))
            }
            _ => None,
        };
        Ok(Verification { found, refresher })
    }
}
