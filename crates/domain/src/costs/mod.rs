//! Cost scenarios: what the hub costs to run per year after the project
//! money, and what each municipality would pay.
//!
//! - [`lines`]: the cost model, line by line (staff, cars, equipment with
//!   depreciation, premises, conferences, training of trainers, other),
//!   each fixed or following the volume;
//! - [`scenario`]: participating municipalities, expected volume and the
//!   allocation key; [`scenario::compute`] yields totals, shares, figures per
//!   course hour, participant and inhabitant, the co-financing paid during
//!   the project, and the effect of each municipality leaving;
//! - [`compare`]: scenarios side by side, explained in plain Swedish;
//! - [`money`]: öre, Swedish number formats and the rounding rule;
//! - [`trace`]: how every figure was computed.

// Amounts in öre are written kronor_öre: 1_000_00 is 1 000 kr.
#![allow(clippy::inconsistent_digit_grouping)]

pub mod compare;
pub mod lines;
pub mod money;
pub mod scenario;
pub mod trace;

pub use compare::{compare, Comparison};
pub use lines::{check_line, Basis, CostKind, CostLine, Driver, LineDraft, Scaling, Volume};
pub use money::Ore;
pub use scenario::{
    check_scenario, check_settings, compute, Actuals, KeyPart, MunicipalityFacts, Scenario,
    ScenarioDraft, ScenarioMunicipality, ScenarioResult, Settings, SettingsDraft, Weights,
};
pub use trace::{Figure, Trace};

#[cfg(test)]
mod tests;
