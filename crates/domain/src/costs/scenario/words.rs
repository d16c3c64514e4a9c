//! Swedish phrasing shared by the explanations.

use chrono::NaiveDate;

use crate::costs::money::number;

pub(super) fn fmt_centi(v: i64) -> String {
    number(v as f64 / 100.0, 2)
}

pub(super) fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Swedish genitive of a place name: Nora → Noras, Hällefors → Hällefors.
pub fn genitive(name: &str) -> String {
    if name.ends_with(['s', 'x', 'z']) {
        name.to_string()
    } else {
        format!("{name}s")
    }
}

/// "1 kommun", "3 kommuner".
pub fn kommuner(n: usize) -> String {
    if n == 1 {
        "1 kommun".into()
    } else {
        format!("{n} kommuner")
    }
}

/// "A", "A och B", "A, B och C".
pub fn join_sv(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} och {}", items[..n - 1].join(", "), items[n - 1]),
    }
}
