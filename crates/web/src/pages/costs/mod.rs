//! Cost scenarios: the cost model (lines and settings), the scenario
//! builder, a scenario's result with "what if one leaves", the "how was
//! this computed" view, and comparisons with a chart and PDF/XLSX exports.
//! The rules are in `domain::costs`; pages only show them.

mod builder;
mod chart;
mod compare;
mod export;
mod lines;
mod overview;
mod result;
mod settings;
mod trace;

use axum::routing::{get, post};
use axum::Router;
use domain::costs::money::{kr, kr_ore};
use serde::Deserialize;

use crate::AppState;

pub use crate::usecase::costs::today;

pub use compare::Selection;
pub use export::Report;

use builder::{create_scenario, delete_scenario, edit_scenario, new_scenario, update_scenario};
use compare::{compare_page, compare_pdf, compare_xlsx};
use lines::{create_line, delete_line, edit_line, new_line, update_line};
use overview::index;
use result::show_scenario;
use settings::{save_settings, settings_form};
use trace::trace_page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kostnader", get(index))
        .route(
            "/kostnader/installningar",
            get(settings_form).post(save_settings),
        )
        .route("/kostnader/rader/ny", get(new_line).post(create_line))
        .route("/kostnader/rader/{id}", get(edit_line).post(update_line))
        .route("/kostnader/rader/{id}/ta-bort", post(delete_line))
        .route(
            "/kostnader/scenarier/ny",
            get(new_scenario).post(create_scenario),
        )
        .route("/kostnader/scenarier/{id}", get(show_scenario))
        .route(
            "/kostnader/scenarier/{id}/andra",
            get(edit_scenario).post(update_scenario),
        )
        .route("/kostnader/scenarier/{id}/ta-bort", post(delete_scenario))
        .route("/kostnader/scenarier/{id}/berakning", get(trace_page))
        .route("/kostnader/jamfor", get(compare_page))
        .route("/kostnader/jamfor.pdf", get(compare_pdf))
        .route("/kostnader/jamfor.xlsx", get(compare_xlsx))
}

/// Money for tables: whole kronor with no-break spaces so figures never wrap.
fn nb(s: String) -> String {
    s.replace(' ', "\u{a0}")
}
fn money(ore: i64) -> String {
    nb(kr(ore))
}
fn money_ore(v: Option<i64>) -> String {
    v.map(|o| nb(kr_ore(o))).unwrap_or_else(|| "–".into())
}

fn trace_href(id: i64, key: &str) -> String {
    format!("/kostnader/scenarier/{id}/berakning#{key}")
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

fn notice(q: &OkQuery) -> String {
    match q.ok.as_deref() {
        Some("line") => "Kostnadsraden är sparad.".into(),
        Some("line-deleted") => "Kostnadsraden är borttagen.".into(),
        Some("settings") => "Inställningarna är sparade.".into(),
        Some("scenario") => "Scenariot är sparat.".into(),
        Some("scenario-deleted") => "Scenariot är borttaget.".into(),
        _ => String::new(),
    }
}
