//! Comparing a staff list exported from a municipality's HR system with the
//! people Navet already holds for that municipality (or unit): who is new,
//! who changed unit or role, and who has left.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::fields::{Email, PersonName};
use crate::org::Gender;
use crate::people::{check_employee_no, check_gender};
use crate::role_titles::{normalise, unknown_title_message, Titles};
use crate::tabular::{excerpt, ErrorList, Table};

/// The columns a staff list must have, in the names HR exports use.
pub const COLUMNS: [&str; 6] = [
    "anställningsnummer",
    "namn",
    "e-post",
    "yrkesroll",
    "enhet",
    "kön",
];

/// Accepted header spellings for each column (lower-case).
pub fn column_for_header(h: &str) -> Option<usize> {
    let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
    let idx = match h.as_str() {
        "anställningsnummer"
        | "anstnr"
        | "anst.nr"
        | "anställningsnr"
        | "employee_no"
        | "employee number"
        | "personalnummer" => 0,
        "namn" | "name" | "fullständigt namn" => 1,
        "e-post" | "epost" | "e-postadress" | "email" | "e-mail" | "mejl" => 2,
        "yrkesroll" | "roll" | "befattning" | "role" => 3,
        "enhet" | "unit" | "arbetsplats" => 4,
        "kön" | "gender" | "kon" => 5,
        _ => return None,
    };
    Some(idx)
}

/// One data row as read from the file; `line` is the 1-based line (CSV) or
/// row (XLSX) number the user sees in their spreadsheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawStaffRow {
    pub line: usize,
    pub cells: [String; 6],
}

/// An error pinned to a line and a column.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rad {}, kolumn ”{}”: {}",
            self.line, self.column, self.message
        )
    }
}

/// Turn a table into raw staff rows, mapping headers to columns.
pub fn rows_from_table(t: &Table) -> Result<Vec<RawStaffRow>, Vec<LineError>> {
    let mut map = [usize::MAX; 6];
    for (i, h) in t.headers.iter().enumerate() {
        if let Some(col) = column_for_header(h) {
            map[col] = i;
        }
    }
    let missing: Vec<LineError> = map
        .iter()
        .enumerate()
        .filter(|(_, m)| **m == usize::MAX)
        .map(|(col, _)| LineError {
            line: 1,
            column: COLUMNS[col].to_string(),
            message: "kolumnen saknas i rubrikraden.".into(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(t.rows
        .iter()
        .map(|r| RawStaffRow {
            line: r.line,
            cells: std::array::from_fn(|col| r.get(map[col]).unwrap_or("").to_string()),
        })
        .collect())
}

/// A valid row with role and unit resolved to ids.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRecord {
    pub line: usize,
    pub employee_no: String,
    pub name: String,
    pub email: String,
    pub role_id: i64,
    pub unit_id: i64,
    pub gender: Gender,
}

/// Check every row; resolve titles to roles (`crate::role_titles`) and unit
/// names (case-insensitive keys). Returns the errors in the file, not just the first (the first
/// hundred and their count).
pub fn check_rows(
    rows: &[RawStaffRow],
    roles: &impl Titles,
    units: &HashMap<String, i64>,
) -> Result<Vec<StaffRecord>, ErrorList<LineError>> {
    let mut errors = ErrorList::default();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen_no: HashMap<String, usize> = HashMap::new();
    let mut seen_email: HashMap<String, usize> = HashMap::new();
    for r in rows {
        let mut err = |col: usize, message: String| {
            errors.push(LineError {
                line: r.line,
                column: COLUMNS[col].to_string(),
                message,
            })
        };
        let employee_no = match check_employee_no(&r.cells[0]) {
            Ok(Some(n)) => Some(n),
            Ok(None) => {
                err(0, "Anställningsnummer saknas.".into());
                None
            }
            Err(m) => {
                err(0, m);
                None
            }
        };
        if let Some(n) = &employee_no {
            if let Some(first) = seen_no.insert(n.clone(), r.line) {
                err(
                    0,
                    format!(
                        "Anställningsnumret {} finns redan på rad {first}.",
                        excerpt(n)
                    ),
                );
            }
        }
        let name = PersonName::parse(&r.cells[1])
            .map(PersonName::into_string)
            .map_err(|m| err(1, m))
            .ok();
        let email = Email::parse(&r.cells[2])
            .map(Email::into_string)
            .map_err(|m| err(2, m))
            .ok();
        if let Some(e) = &email {
            if let Some(first) = seen_email.insert(e.clone(), r.line) {
                err(
                    2,
                    format!("E-postadressen {} finns redan på rad {first}.", excerpt(e)),
                );
            }
        }
        let role_id = roles.role_for(&r.cells[3]);
        if role_id.is_none() {
            err(3, unknown_title_message(&r.cells[3]));
        }
        let unit_id = units.get(&r.cells[4].trim().to_lowercase()).copied();
        if unit_id.is_none() {
            err(4, crate::text::unknown("enhet", &r.cells[4]));
        }
        let gender = check_gender(&r.cells[5]).map_err(|m| err(5, m)).ok();
        if let (
            Some(employee_no),
            Some(name),
            Some(email),
            Some(role_id),
            Some(unit_id),
            Some(gender),
        ) = (employee_no, name, email, role_id, unit_id, gender)
        {
            out.push(StaffRecord {
                line: r.line,
                employee_no,
                name,
                email,
                role_id,
                unit_id,
                gender,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A person Navet already has within the import's scope.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingStaff {
    pub person_id: i64,
    pub employee_no: Option<String>,
    pub name: String,
    pub email: String,
    pub role_id: i64,
    pub unit_id: Option<i64>,
    pub gender: Gender,
    pub active: bool,
}

/// What changed for a matched person, with the values before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffChange {
    Name {
        from: String,
        to: String,
    },
    Email {
        from: String,
        to: String,
    },
    Role {
        from: i64,
        to: i64,
    },
    Unit {
        from: Option<i64>,
        to: i64,
    },
    Gender {
        from: Gender,
        to: Gender,
    },
    /// Was marked as left and is back on the list.
    Returned,
}

impl StaffChange {
    /// "ny yrkesroll: Vårdbiträde → Undersköterska"; role and unit ids are
    /// named by the caller's look-ups.
    pub fn describe(&self, role: impl Fn(i64) -> String, unit: impl Fn(i64) -> String) -> String {
        match self {
            StaffChange::Name { from, to } => format!("nytt namn: {from} → {to}"),
            StaffChange::Email { from, to } => format!("ny e-post: {from} → {to}"),
            StaffChange::Role { from, to } => {
                format!("ny yrkesroll: {} → {}", role(*from), role(*to))
            }
            StaffChange::Unit { from, to } => match from {
                Some(f) => format!("ny enhet: {} → {}", unit(*f), unit(*to)),
                None => format!("ny enhet: (ingen) → {}", unit(*to)),
            },
            StaffChange::Gender { from, to } => {
                format!("ändrat kön: {} → {}", from.label_sv(), to.label_sv())
            }
            StaffChange::Returned => "åter i tjänst".into(),
        }
    }
}

/// What an import did to one person (`staff_import_people.kind`): what an
/// undo reverses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Changed,
    Left,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 3] = [ChangeKind::Added, ChangeKind::Changed, ChangeKind::Left];
    /// The stored text.
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Left => "left",
        }
    }
}

stored_code!(ChangeKind);

/// What an import does with the people of its units who are not in the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Add new people and update those in the file; nobody else is touched.
    #[default]
    AddAndUpdate,
    /// Also mark as left the active people of the import's units who are not
    /// in the file (an explicit choice).
    MarkAbsentAsLeft,
}

impl Mode {
    pub fn code(self) -> &'static str {
        match self {
            Mode::AddAndUpdate => "add_update",
            Mode::MarkAbsentAsLeft => "mark_left",
        }
    }
    pub fn parse(s: &str) -> Mode {
        match s {
            "mark_left" => Mode::MarkAbsentAsLeft,
            _ => Mode::AddAndUpdate,
        }
    }
}

/// How an import is planned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    pub mode: Mode,
    /// The units whose people the import concerns; `None`: the units the
    /// file names.
    pub units: Option<BTreeSet<i64>>,
    /// The importer's own person record: never marked as left by it.
    pub importer: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    pub mode: Mode,
    pub added: Vec<StaffRecord>,
    pub changed: Vec<(i64, StaffRecord, Vec<StaffChange>)>,
    /// Marked as left (only in [`Mode::MarkAbsentAsLeft`]).
    pub left: Vec<ExistingStaff>,
    pub unchanged: usize,
    /// The units the import concerns.
    pub units: BTreeSet<i64>,
    /// Active people of those units not in the file: marked as left in
    /// that mode, left alone otherwise.
    pub absent: usize,
    /// Active people of the units before the import.
    pub in_units: usize,
    /// The importer was absent from the file and kept.
    pub importer_kept: bool,
}

impl ImportPlan {
    pub fn is_noop(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.left.is_empty()
    }
    /// The people the import concerns: those of its units and those added.
    pub fn touched(&self) -> usize {
        self.in_units + self.added.len()
    }
    /// Whether marking `left` people must be confirmed by typing their number.
    pub fn needs_typed_confirmation(&self) -> bool {
        needs_typed_confirmation(self.left.len(), self.touched())
    }
}

/// More than 20 people, or more than 10 % of the people an import touches,
/// marked as left at once: the importer must type the number to go on.
pub fn needs_typed_confirmation(left: usize, touched: usize) -> bool {
    left > 20 || left * 10 > touched
}

/// Whether what was typed confirms marking `left` people.
pub fn typed_number_confirms(typed: &str, left: usize) -> bool {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    digits.parse::<usize>().ok() == Some(left)
}

/// Match rows to people (the municipality's, also those marked as left) by
/// employee number, else by e-mail. Only the import's units are concerned:
/// a person elsewhere is touched only when the file names them. In
/// [`Mode::MarkAbsentAsLeft`] the active people of those units who are not
/// in the file are marked as left (never deleted: their history stays),
/// except the importer.
pub fn plan(existing: &[ExistingStaff], incoming: &[StaffRecord], o: &PlanOptions) -> ImportPlan {
    let by_no: HashMap<&str, &ExistingStaff> = existing
        .iter()
        .filter_map(|e| e.employee_no.as_deref().map(|n| (n, e)))
        .collect();
    let by_email: HashMap<&str, &ExistingStaff> =
        existing.iter().map(|e| (e.email.as_str(), e)).collect();
    let mut matched: HashSet<i64> = HashSet::new();
    let mut p = ImportPlan {
        mode: o.mode,
        units: o
            .units
            .clone()
            .unwrap_or_else(|| incoming.iter().map(|r| r.unit_id).collect()),
        ..Default::default()
    };
    for r in incoming {
        let found = by_no
            .get(r.employee_no.as_str())
            .or_else(|| by_email.get(r.email.as_str()))
            .filter(|e| !matched.contains(&e.person_id));
        match found {
            None => p.added.push(r.clone()),
            Some(e) => {
                matched.insert(e.person_id);
                let changes = changes(e, r);
                // A person found by e-mail gets the HR number recorded.
                if changes.is_empty() && e.employee_no.as_deref() == Some(r.employee_no.as_str()) {
                    p.unchanged += 1;
                } else {
                    p.changed.push((e.person_id, r.clone(), changes));
                }
            }
        }
    }
    let in_units = |e: &&ExistingStaff| e.active && e.unit_id.is_some_and(|u| p.units.contains(&u));
    p.in_units = existing.iter().filter(in_units).count();
    let absent: Vec<&ExistingStaff> = existing
        .iter()
        .filter(in_units)
        .filter(|e| !matched.contains(&e.person_id))
        .collect();
    p.absent = absent.len();
    if o.mode == Mode::MarkAbsentAsLeft {
        p.importer_kept = absent.iter().any(|e| Some(e.person_id) == o.importer);
        p.left = absent
            .into_iter()
            .filter(|e| Some(e.person_id) != o.importer)
            .cloned()
            .collect();
    }
    p
}

fn changes(e: &ExistingStaff, r: &StaffRecord) -> Vec<StaffChange> {
    let mut c = Vec::new();
    if e.name != r.name {
        c.push(StaffChange::Name {
            from: e.name.clone(),
            to: r.name.clone(),
        });
    }
    if e.email != r.email {
        c.push(StaffChange::Email {
            from: e.email.clone(),
            to: r.email.clone(),
        });
    }
    if e.role_id != r.role_id {
        c.push(StaffChange::Role {
            from: e.role_id,
            to: r.role_id,
        });
    }
    if e.unit_id != Some(r.unit_id) {
        c.push(StaffChange::Unit {
            from: e.unit_id,
            to: r.unit_id,
        });
    }
    if e.gender != r.gender {
        c.push(StaffChange::Gender {
            from: e.gender,
            to: r.gender,
        });
    }
    if !e.active {
        c.push(StaffChange::Returned);
    }
    c
}

/// The titles in the file that no role, name or mapping matches, each once
/// (as first written), in the order they first appear; at most 50.
pub fn unknown_titles(rows: &[RawStaffRow], roles: &impl Titles) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = vec![];
    for r in rows {
        let t = r.cells[3].trim();
        if t.is_empty() || t.chars().count() > 100 || roles.role_for(t).is_some() {
            continue;
        }
        if seen.insert(normalise(t)) {
            out.push(t.to_string());
            if out.len() == 50 {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
