//! Each role's start page: a handful of cards with counts and the next
//! action, each linking to the list behind it. The counts come from
//! `navet_store::start_page` (SQL counts and short lists).

use askama::Template;
use domain::access::Role;
use navet_store::start_page::{coordinator, manager, participant, trainer};

use crate::ctx::{Ctx, User};
use crate::{render, AppState, PageResult};

#[derive(Template)]
#[template(path = "start/participant.html")]
struct ParticipantPage {
    c: Ctx,
    g: participant::Glance,
    feed_url: String,
}

#[derive(Template)]
#[template(path = "start/manager.html")]
struct ManagerPage {
    c: Ctx,
    g: manager::Glance,
    with_gaps: i64,
    gaps: i64,
    this_month: String,
    next_month: String,
}

#[derive(Template)]
#[template(path = "start/trainer.html")]
struct TrainerPage {
    c: Ctx,
    g: trainer::Glance,
    now: i64,
}

impl TrainerPage {
    fn due(&self, t: &navet_store::teaching::Taught) -> bool {
        t.attendance_due(self.now)
    }
}

#[derive(Template)]
#[template(path = "start/coordinator.html")]
struct CoordinatorPage {
    c: Ctx,
    g: coordinator::Glance,
    planning: navet_store::planning::Glance,
    people: i64,
    courses: i64,
}

#[derive(Template)]
#[template(path = "start/steering.html")]
struct SteeringPage {
    c: Ctx,
    t: super::targets::TargetView,
}

/// The start page of the signed-in user's role.
pub async fn page(s: &AppState, c: Ctx, u: &User) -> PageResult {
    let now = navet_store::time::now();
    let today = navet_store::time::local_date(now);
    match u.role() {
        Role::Participant => participant_page(s, c, u, now, today).await,
        Role::Manager => {
            let g = manager::glance(&s.db, &u.actor.scope, now, today).await?;
            // The team's next bookings name people: log the read.
            navet_store::audit::record_list_read(
                &s.db,
                &u.who(),
                "bookings",
                "startsida",
                &g.people_shown(),
            )
            .await?;
            let tallies =
                navet_store::gaps::unit_tallies(&s.db, Some(g.unit_ids.as_slice()), today).await?;
            let with_gaps = tallies.values().map(|t| t.people_with_gaps as i64).sum();
            let gaps = tallies.values().map(|t| t.gaps as i64).sum();
            let month = |n| navet_store::start_page::month_start(today, n);
            render(ManagerPage {
                this_month: month_name(&c, month(0)),
                next_month: month_name(&c, month(1)),
                c,
                g,
                with_gaps,
                gaps,
            })
        }
        Role::Trainer => {
            let g = match u.actor.person_id {
                Some(pid) => trainer::glance(&s.db, pid, now, today).await?,
                None => trainer::Glance::default(),
            };
            render(TrainerPage { c, g, now })
        }
        Role::Coordinator | Role::Admin => {
            let g = coordinator::glance(&s.db, u.account_id, now).await?;
            render(CoordinatorPage {
                g,
                planning: navet_store::planning::glance(&s.db, today, now).await?,
                people: navet_store::start_page::active_people(&s.db).await?,
                courses: navet_store::start_page::active_courses(&s.db).await?,
                c,
            })
        }
        Role::Steering | Role::EsfReporter => {
            let t = super::targets::load(s, &c).await?;
            render(SteeringPage { c, t })
        }
    }
}

async fn participant_page(
    s: &AppState,
    c: Ctx,
    u: &User,
    now: i64,
    today: chrono::NaiveDate,
) -> PageResult {
    let (g, feed_url) = match u.actor.person_id {
        Some(pid) => {
            let token = navet_store::bookings::feed_token(&s.db, pid).await?;
            (
                participant::glance(&s.db, pid, now, today).await?,
                format!("{}/kalender/{token}.ics", s.config.public_url),
            )
        }
        None => (participant::Glance::default(), String::new()),
    };
    render(ParticipantPage { c, g, feed_url })
}

fn month_name(c: &Ctx, first_day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    c.t(&format!("start.month_{}", first_day.month()))
        .to_string()
}
