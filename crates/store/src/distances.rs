//! The county's distance table from the seed data (approximate road
//! kilometres between the municipal seats; see `seed/PROVENANCE.md`).

use std::sync::OnceLock;

use domain::distances::Distances;

const DISTANCES_CSV: &str = include_str!("../../../seed/municipality_distances.csv");

/// The seeded table (parsed once; the file is checked by a test).
pub fn county() -> &'static Distances {
    static TABLE: OnceLock<Distances> = OnceLock::new();
    TABLE.get_or_init(|| Distances::parse(DISTANCES_CSV).unwrap_or_default())
}
