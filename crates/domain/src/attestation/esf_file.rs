//! The funder's monthly participant file (format documented in
//! docs/reports.md, "Deltagarfilen"). One row per participant and month
//! with attended time, from the participant's first month in the funding
//! programme up to the file's month: participant reference, municipality,
//! gender, age band, the participant's start and end month, the month, the
//! attested hours, how they were attested and the attestation's version.
//!
//! The rows are sorted and every cell is a plain string, so the same data
//! always gives the same bytes (the archive's SHA-256 proves it).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{hours_sv, month_key, Method, Status};
use crate::spreadsheet::safe_cell;

/// The format's version; raised whenever a column changes.
pub const FORMAT_VERSION: u32 = 1;

/// The columns, in order.
pub const HEADER: [&str; 10] = [
    "deltagarreferens",
    "kommun",
    "kon",
    "aldersgrupp",
    "startmanad",
    "slutmanad",
    "manad",
    "attesterade_timmar",
    "attestering",
    "version",
];

/// Age bands on the reference date (the first day of the participant's
/// start month), from the year of birth alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AgeBand {
    Under18,
    From18To29,
    From30To54,
    From55,
    Unknown,
}

impl AgeBand {
    pub fn code(self) -> &'static str {
        match self {
            AgeBand::Under18 => "<18",
            AgeBand::From18To29 => "18-29",
            AgeBand::From30To54 => "30-54",
            AgeBand::From55 => "55+",
            AgeBand::Unknown => "okand",
        }
    }
}

/// The age a person born in `birth_year` reaches in the reference date's
/// year (only the year of birth is kept, so the day within the year is
/// not known), in its band.
pub fn age_band(birth_year: Option<i32>, reference: NaiveDate) -> AgeBand {
    let Some(y) = birth_year else {
        return AgeBand::Unknown;
    };
    match reference.year() - y {
        a if a < 0 => AgeBand::Unknown,
        a if a < 18 => AgeBand::Under18,
        a if a <= 29 => AgeBand::From18To29,
        a if a <= 54 => AgeBand::From30To54,
        _ => AgeBand::From55,
    }
}

/// The participant reference: stable, opaque, no personal data.
pub fn participant_ref(person_id: i64) -> String {
    format!("NAV-{person_id:07}")
}

/// The latest version of a month: status, method, hours (hundredths) and
/// version number.
pub type Latest = (Status, Option<Method>, i64, i64);

/// The person id behind a reference (`NAV-0000123`, case and spaces
/// ignored).
pub fn person_of_ref(s: &str) -> Option<i64> {
    let t = s.trim().to_uppercase();
    let digits = t.strip_prefix("NAV-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// One participant's month as the store gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFact {
    pub month: NaiveDate,
    /// The latest version of the month's attestation, if any: its
    /// status, method, hours (hundredths) and version number.
    pub latest: Option<Latest>,
}

/// One participant with their months that have attended time (in the
/// programme, up to the file's month).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub person_id: i64,
    pub municipality: String,
    /// `kvinna`, `man`, `annat`, `ej_angivet`.
    pub gender: String,
    pub birth_year: Option<i32>,
    pub months: Vec<MonthFact>,
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub participant_ref: String,
    pub municipality: String,
    pub gender: String,
    pub age_band: String,
    pub start_month: String,
    pub end_month: String,
    pub month: String,
    /// Empty until the month's latest version is attested.
    pub attested_hours: String,
    /// `digital`, `papper`, or `ej attesterad`.
    pub attestation: String,
    pub version: i64,
}

impl Row {
    pub fn cells(&self) -> [String; 10] {
        [
            self.participant_ref.clone(),
            self.municipality.clone(),
            self.gender.clone(),
            self.age_band.clone(),
            self.start_month.clone(),
            self.end_month.clone(),
            self.month.clone(),
            self.attested_hours.clone(),
            self.attestation.clone(),
            self.version.to_string(),
        ]
    }
}

/// The file's rows, sorted by participant reference and month.
pub fn rows(participants: &[Participant]) -> Vec<Row> {
    let mut out = Vec::new();
    for p in participants {
        let mut months: Vec<&MonthFact> = p.months.iter().collect();
        months.sort_by_key(|m| m.month);
        let (Some(first), Some(last)) = (months.first(), months.last()) else {
            continue;
        };
        let band = age_band(p.birth_year, first.month).code().to_string();
        for m in &months {
            let (hours, how, version) = match m.latest {
                Some((Status::Attested, method, centi, v)) => (
                    hours_sv(centi),
                    method.unwrap_or(Method::Password).file_code().to_string(),
                    v,
                ),
                Some((_, _, _, v)) => (String::new(), "ej attesterad".to_string(), v),
                None => (String::new(), "ej attesterad".to_string(), 0),
            };
            out.push(Row {
                participant_ref: participant_ref(p.person_id),
                municipality: p.municipality.clone(),
                gender: p.gender.clone(),
                age_band: band.clone(),
                start_month: month_key(first.month),
                end_month: month_key(last.month),
                month: month_key(m.month),
                attested_hours: hours,
                attestation: how,
                version,
            });
        }
    }
    out.sort_by(|a, b| (&a.participant_ref, &a.month).cmp(&(&b.participant_ref, &b.month)));
    out
}

/// CSV for Swedish Excel: UTF-8 with BOM, semicolons, CRLF, decimal
/// comma; a first line names the format version and the month.
pub fn to_csv(month: NaiveDate, rows: &[Row]) -> Vec<u8> {
    to_csv_for(month, None, rows)
}

/// [`to_csv`] of a file limited to one funding source: the first line
/// ends with `finansieringskalla ID` (a file of all participations has
/// exactly the first line of [`to_csv`]).
pub fn to_csv_for(month: NaiveDate, source: Option<i64>, rows: &[Row]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    let mut first = vec![
        format!("# deltagarfil version {FORMAT_VERSION}"),
        format!("manad {}", month_key(month)),
    ];
    if let Some(id) = source {
        first.push(format!("finansieringskalla {id}"));
    }
    w.write_record(first).ok();
    w.write_record(HEADER).ok();
    for r in rows {
        let cells = r.cells();
        w.write_record(cells.iter().map(|c| safe_cell(c).into_owned()))
            .ok();
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).unwrap()
    }

    #[test]
    fn references_round_trip() {
        assert_eq!(person_of_ref(&participant_ref(123)), Some(123));
        assert_eq!(person_of_ref(" nav-0000042 "), Some(42));
        assert_eq!(person_of_ref("NAV-"), None);
        assert_eq!(person_of_ref("42"), None);
    }

    #[test]
    fn age_bands_on_the_reference_year() {
        let r = d(2026, 3);
        assert_eq!(age_band(Some(2009), r), AgeBand::Under18);
        assert_eq!(age_band(Some(2008), r), AgeBand::From18To29);
        assert_eq!(age_band(Some(1997), r), AgeBand::From18To29);
        assert_eq!(age_band(Some(1996), r), AgeBand::From30To54);
        assert_eq!(age_band(Some(1972), r), AgeBand::From30To54);
        assert_eq!(age_band(Some(1971), r), AgeBand::From55);
        assert_eq!(age_band(None, r), AgeBand::Unknown);
    }

    #[test]
    fn rows_are_sorted_and_unattested_months_have_no_hours() {
        let p = Participant {
            person_id: 12,
            municipality: "Örebro".into(),
            gender: "kvinna".into(),
            birth_year: Some(1980),
            months: vec![
                MonthFact {
                    month: d(2026, 3),
                    latest: Some((Status::Pending, None, 300, 2)),
                },
                MonthFact {
                    month: d(2026, 2),
                    latest: Some((Status::Attested, Some(Method::Paper), 750, 1)),
                },
            ],
        };
        let rows = rows(&[p]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].month, "2026-02");
        assert_eq!(rows[0].attested_hours, "7,5");
        assert_eq!(rows[0].attestation, "papper");
        assert_eq!(rows[0].start_month, "2026-02");
        assert_eq!(rows[0].end_month, "2026-03");
        assert_eq!(rows[0].age_band, "30-54");
        assert_eq!(rows[1].attested_hours, "");
        assert_eq!(rows[1].attestation, "ej attesterad");
        assert_eq!(rows[1].version, 2);
        let a = to_csv(d(2026, 3), &rows);
        let b = to_csv(d(2026, 3), &rows);
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        assert!(text.starts_with("\u{feff}# deltagarfil version 1;manad 2026-03\r\n"));
        assert!(text
            .contains("NAV-0000012;Örebro;kvinna;30-54;2026-02;2026-03;2026-02;7,5;papper;1\r\n"));
    }
}
