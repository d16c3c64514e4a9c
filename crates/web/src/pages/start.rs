//! Each role's start page: a handful of cards with counts and the next
//! action, each linking to the list behind it. The counts come from
//! `navet_store::start_page` (SQL counts and short lists).

use askama::Template;
use navet_store::start_page::{coordinator, manager, participant, trainer};

use crate::ctx::Ctx;
use crate::usecase::start::StartPage;
use crate::usecase::UseCase;
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
pub async fn page(s: &AppState, c: Ctx) -> PageResult {
    let now = navet_store::time::now();
    let today = navet_store::time::local_date(now);
    let start = UseCase::page(s, &c)?.start_page(now, today).await?;
    match start {
        StartPage::Participant { g, feed_url } => render(ParticipantPage { c, g, feed_url }),
        StartPage::Manager { g, with_gaps, gaps } => {
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
        StartPage::Trainer { g } => render(TrainerPage { c, g, now }),
        StartPage::Hub {
            g,
            planning,
            people,
            courses,
        } => render(CoordinatorPage {
            g,
            planning,
            people,
            courses,
            c,
        }),
        StartPage::Steering(t) => render(SteeringPage { c, t: *t }),
    }
}

fn month_name(c: &Ctx, first_day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    c.t(&format!("start.month_{}", first_day.month()))
        .to_string()
}
