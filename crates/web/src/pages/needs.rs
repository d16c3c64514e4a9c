//! Needs coverage: the needs inventory per profession as a matrix
//! levererat / under utveckling / risk att ej leverera, derived from the
//! linked courses' status (so it changes as courses change status).

use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use navet_store::needs::{Coverage, Need};

use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/behov", get(page))
}

struct Profession {
    name: String,
    columns: Vec<(Coverage, Vec<Need>)>,
}

#[derive(Template)]
#[template(path = "needs/page.html")]
struct NeedsPage {
    c: Ctx,
    professions: Vec<Profession>,
}

impl NeedsPage {
    fn coverage_label(&self, cov: &Coverage) -> &'static str {
        match cov {
            Coverage::Levererat => self.c.need_status("levererat"),
            Coverage::UnderUtveckling => self.c.need_status("under_utveckling"),
            Coverage::Risk => self.c.need_status("risk_att_ej_leverera"),
        }
    }
}

async fn page(State(s): State<AppState>, c: Ctx) -> PageResult {
    let all = UseCase::page(&s, &c)?.needs_matrix().await?;
    let mut professions: Vec<Profession> = vec![];
    for n in all {
        let idx = match professions.iter().position(|p| p.name == n.profession) {
            Some(i) => i,
            None => {
                professions.push(Profession {
                    name: n.profession.clone(),
                    columns: [
                        Coverage::Levererat,
                        Coverage::UnderUtveckling,
                        Coverage::Risk,
                    ]
                    .into_iter()
                    .map(|c| (c, vec![]))
                    .collect(),
                });
                professions.len() - 1
            }
        };
        let col = professions[idx]
            .columns
            .iter_mut()
            .find(|(c, _)| *c == n.coverage)
            .expect("column");
        col.1.push(n);
    }
    render(NeedsPage { c, professions })
}
