//! Each role's start page: a handful of counts and the next action, each
//! linking to the list behind it (`navet_store::start_page`: SQL counts
//! and short lists). Which page a role gets is decided here, once.

use chrono::NaiveDate;
use domain::access::Role;
use domain::ids::{AccountId, PersonId};
use navet_store::start_page::{coordinator, manager, participant, trainer};
use navet_store::StoreResult;

use super::targets::TargetView;
use super::UseCase;

/// What the signed-in person's start page shows.
pub enum StartPage {
    Participant {
        g: participant::Glance,
        feed_url: String,
    },
    Manager {
        g: manager::Glance,
        /// People with at least one gap in the manager's units, and gaps.
        with_gaps: i64,
        gaps: i64,
    },
    Trainer {
        g: trainer::Glance,
    },
    Hub {
        g: coordinator::Glance,
        planning: navet_store::planning::Glance,
        people: i64,
        courses: i64,
    },
    Steering(Box<TargetView>),
}

impl UseCase<'_> {
    /// The start page of the actor's role.
    pub async fn start_page(&self, now: i64, today: NaiveDate) -> StoreResult<StartPage> {
        let db = self.db();
        Ok(match self.actor.role {
            Role::Participant => match self.person_id() {
                Some(pid) => {
                    let token = navet_store::bookings::feed_token(db, PersonId(pid)).await?;
                    StartPage::Participant {
                        g: participant::glance(db, PersonId(pid), now, today).await?,
                        feed_url: format!("{}/kalender/{token}.ics", self.s.config.public_url),
                    }
                }
                None => StartPage::Participant {
                    g: participant::Glance::default(),
                    feed_url: String::new(),
                },
            },
            Role::Manager => {
                let g = manager::glance(db, &self.actor.scope, now, today).await?;
                // The team's next bookings name people: log the read.
                navet_store::audit::record_list_read(
                    db,
                    &self.who,
                    "bookings",
                    "startsida",
                    &g.people_shown(),
                )
                .await?;
                let tallies =
                    navet_store::gaps::unit_tallies(db, Some(g.unit_ids.as_slice()), today).await?;
                StartPage::Manager {
                    with_gaps: tallies.values().map(|t| t.people_with_gaps as i64).sum(),
                    gaps: tallies.values().map(|t| t.gaps as i64).sum(),
                    g,
                }
            }
            Role::Trainer => StartPage::Trainer {
                g: match self.person_id() {
                    Some(pid) => trainer::glance(db, PersonId(pid), now, today).await?,
                    None => trainer::Glance::default(),
                },
            },
            Role::Coordinator | Role::Admin => StartPage::Hub {
                g: coordinator::glance(db, AccountId(self.actor.account_id), now).await?,
                planning: navet_store::planning::glance(db, today, now).await?,
                people: navet_store::start_page::active_people(db).await?,
                courses: navet_store::start_page::active_courses(db).await?,
            },
            Role::Steering | Role::EsfReporter => {
                StartPage::Steering(Box::new(self.target_view().await?))
            }
        })
    }

    /// How many courses are open (the public start page says it).
    pub async fn active_course_count(&self) -> StoreResult<i64> {
        navet_store::start_page::active_courses(self.db()).await
    }

    /// Remember the signed-in account's language.
    pub async fn set_my_language(&self, code: &str) -> StoreResult<()> {
        navet_store::accounts::set_language(self.db(), AccountId(self.actor.account_id), code).await
    }
}
