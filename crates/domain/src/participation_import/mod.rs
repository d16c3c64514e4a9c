//! Historical participation records (CSV, see CONTRACTS.md): reading,
//! checking every cell, and grouping rows into sessions. Every error names
//! the line and the column; a file with any error imports nothing.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::fields::Hours;
use crate::org::Gender;
use crate::role_titles::{normalise, unknown_title_message, TitleMap};
use crate::tabular::{self, excerpt, ErrorList, Stop, LIMITS};

pub use crate::tabular::MAX_ERRORS_SHOWN;

pub const COLUMNS: [&str; 8] = [
    "person_ref",
    "gender",
    "role",
    "municipality",
    "course",
    "date",
    "hours",
    "attended",
];
const PERSON_REF: usize = 0;
const GENDER: usize = 1;
const ROLE: usize = 2;
const MUNICIPALITY: usize = 3;
const COURSE: usize = 4;
const DATE: usize = 5;
const HOURS: usize = 6;
const ATTENDED: usize = 7;

/// One problem, pinned to a line (1-based, as an editor shows it) and a
/// column (1-based position in the file, and its name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportError {
    pub line: usize,
    pub column: usize,
    pub column_name: String,
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else if self.column == 0 {
            write!(f, "rad {}: {}", self.line, self.message)
        } else {
            write!(
                f,
                "rad {}, kolumn {} ({}): {}",
                self.line, self.column, self.column_name, self.message
            )
        }
    }
}

/// What the file's names are matched against; keys are lower-case.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// Role names, their alternatives and the remembered HR titles.
    pub roles: TitleMap,
    pub municipalities: HashMap<String, i64>,
    pub courses: HashMap<String, i64>,
    /// Create courses with unknown titles instead of refusing them.
    pub create_courses: bool,
    /// Participations after this date are refused (they cannot be history).
    pub today: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum CourseRef {
    Existing(i64),
    /// A course to create, by title (as first written in the file).
    New(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedPerson {
    pub person_ref: String,
    pub gender: Gender,
    /// Role and municipality of the person's latest participation in the file.
    pub role_id: i64,
    pub municipality_id: i64,
    /// The first line the person appears on.
    pub line: usize,
    /// Date of the line `role_id` and `municipality_id` come from.
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedParticipant {
    /// Index into [`ImportPlan::people`].
    pub person: usize,
    pub attended: bool,
    pub line: usize,
    /// Where the person worked and in which role on this line: a person may
    /// move between municipalities or roles over the years of a file.
    pub role_id: i64,
    pub municipality_id: i64,
}

/// Rows with the same course and date: one session held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedSession {
    pub course: CourseRef,
    pub date: NaiveDate,
    pub hours: f64,
    pub participants: Vec<PlannedParticipant>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportPlan {
    pub people: Vec<PlannedPerson>,
    pub sessions: Vec<PlannedSession>,
    pub new_courses: Vec<String>,
    pub rows: usize,
    pub attended: usize,
    pub absent: usize,
}

/// The reader's lower-case message as a sentence.
fn sentence(m: &str) -> String {
    let mut c = m.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn err(line: usize, column: usize, column_name: &str, message: impl Into<String>) -> ImportError {
    ImportError {
        line,
        column,
        column_name: column_name.to_string(),
        message: message.into(),
    }
}

/// Every error of a file: the first [`MAX_ERRORS_SHOWN`] and the total.
pub type ImportErrors = ErrorList<ImportError>;

/// The role titles in a file that nothing matches, each once as first
/// written (at most 50): what the import page offers to map. Empty when the
/// file cannot be read or has no role column.
pub fn unknown_titles(bytes: &[u8], lk: &Lookups, stop: &Stop) -> Vec<String> {
    let Ok(table) = tabular::read_csv(bytes, &LIMITS, stop) else {
        return vec![];
    };
    let col = |name: &str| {
        table
            .headers
            .iter()
            .position(|h| h.trim().to_lowercase() == name)
    };
    let Some(role) = col(COLUMNS[ROLE]) else {
        return vec![];
    };
    let municipality = col(COLUMNS[MUNICIPALITY]);
    let mut seen = std::collections::HashSet::new();
    let mut out = vec![];
    for rec in &table.rows {
        let t = rec.get(role).unwrap_or("").trim();
        let m = municipality
            .and_then(|c| rec.get(c))
            .and_then(|m| lk.municipalities.get(&m.trim().to_lowercase()).copied());
        if t.is_empty() || t.chars().count() > 100 || lk.roles.resolve(t, m).is_some() {
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

/// Read (through the guarded reader, `crate::tabular`) and check the whole
/// file. Returns the errors found (the first hundred and their count), or
/// the plan. `stop` ends a read that takes too long.
pub fn parse(bytes: &[u8], lk: &Lookups, stop: &Stop) -> Result<ImportPlan, ImportErrors> {
    let table = tabular::read_csv(bytes, &LIMITS, stop)
        .map_err(|e| ErrorList::one(err(e.line.max(1), 0, "", sentence(&e.message))))?;
    let header = &table.headers;
    // Where each expected column is in the file (0-based).
    let mut pos: [Option<usize>; 8] = [None; 8];
    let mut errors = ImportErrors::default();
    for (i, h) in header.iter().enumerate() {
        let name = h.trim().to_lowercase();
        match COLUMNS.iter().position(|c| *c == name) {
            Some(c) if pos[c].is_none() => pos[c] = Some(i),
            Some(_) => errors.push(err(1, i + 1, &excerpt(h), "Kolumnen finns två gånger.")),
            None if name.is_empty() => {}
            None => errors.push(err(
                1,
                i + 1,
                &excerpt(h),
                format!("Okänd kolumn; kolumnerna ska vara {}.", COLUMNS.join(", ")),
            )),
        }
    }
    for (c, p) in pos.iter().enumerate() {
        if p.is_none() {
            errors.push(err(
                1,
                0,
                COLUMNS[c],
                format!("Kolumnen ”{}” saknas i rubrikraden.", COLUMNS[c]),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let pos = pos.map(|p| p.unwrap_or_default());

    let mut plan = ImportPlan::default();
    let mut person_index: HashMap<String, usize> = HashMap::new();
    let mut session_index: HashMap<(CourseRef, NaiveDate), usize> = HashMap::new();
    let mut session_first_line: Vec<usize> = Vec::new();
    let mut new_course_index: HashMap<String, usize> = HashMap::new();
    let mut seen_in_session: HashMap<(usize, usize), usize> = HashMap::new();

    for (i, rec) in table.rows.iter().enumerate() {
        if i % 1024 == 1023 && stop.should_stop() {
            return Err(ErrorList::one(err(rec.line, 0, "", tabular::TIMED_OUT)));
        }
        let line = rec.line;
        plan.rows += 1;
        if rec.len() < header.len() {
            errors.push(err(
                line,
                0,
                "",
                format!(
                    "Raden har {} kolumner men rubrikraden har {}.",
                    rec.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let cell = |c: usize| rec.get(pos[c]).unwrap_or("");
        let mut e = |c: usize, m: String| errors.push(err(line, pos[c] + 1, COLUMNS[c], m));

        let person_ref = cell(PERSON_REF).to_string();
        let ok_ref = if person_ref.is_empty() {
            e(PERSON_REF, "person_ref saknas.".into());
            false
        } else if person_ref.chars().count() > 100 {
            e(PERSON_REF, "person_ref får vara högst 100 tecken.".into());
            false
        } else {
            true
        };
        let gender = match cell(GENDER) {
            "" => {
                e(
                    GENDER,
                    "Kön saknas: ange kvinna, man, annat eller ej angivet.".into(),
                );
                None
            }
            g => {
                // Only the four values the format names (with _ or space).
                let parsed = match g.to_lowercase().replace('_', " ").as_str() {
                    "kvinna" => Some(Gender::Kvinna),
                    "man" => Some(Gender::Man),
                    "annat" => Some(Gender::Annat),
                    "ej angivet" => Some(Gender::EjAngivet),
                    _ => None,
                };
                if parsed.is_none() {
                    e(
                        GENDER,
                        format!(
                            "Okänt kön ”{}”: ange kvinna, man, annat eller ej angivet.",
                            excerpt(g)
                        ),
                    );
                }
                parsed
            }
        };
        let municipality_id = lk
            .municipalities
            .get(&cell(MUNICIPALITY).to_lowercase())
            .copied();
        let role_id = lk.roles.resolve(cell(ROLE), municipality_id);
        if role_id.is_none() {
            e(ROLE, unknown_title_message(cell(ROLE)));
        }
        if municipality_id.is_none() {
            e(
                MUNICIPALITY,
                crate::text::unknown("kommun", cell(MUNICIPALITY)),
            );
        }
        let title = cell(COURSE);
        let course = if title.is_empty() {
            e(COURSE, "Kursnamn saknas.".into());
            None
        } else if let Some(id) = lk.courses.get(&title.to_lowercase()) {
            Some(CourseRef::Existing(*id))
        } else if title.chars().count() > 200 {
            e(COURSE, "Kursnamnet får vara högst 200 tecken.".into());
            None
        } else if lk.create_courses {
            let key = title.to_lowercase();
            let idx = *new_course_index.entry(key).or_insert_with(|| {
                plan.new_courses.push(title.to_string());
                plan.new_courses.len() - 1
            });
            Some(CourseRef::New(plan.new_courses[idx].clone()))
        } else {
            e(
                COURSE,
                format!(
                    "Okänd kurs ”{}”. Lägg in kursen först eller importera med --create-courses.",
                    excerpt(title)
                ),
            );
            None
        };
        let date = match NaiveDate::parse_from_str(cell(DATE), "%Y-%m-%d") {
            Ok(d) if d > lk.today => {
                e(DATE, format!("Datumet {d} ligger i framtiden."));
                None
            }
            Ok(d) if cell(DATE).len() == 10 => Some(d),
            _ => {
                e(
                    DATE,
                    format!(
                        "Ogiltigt datum ”{}”: skriv ÅÅÅÅ-MM-DD.",
                        excerpt(cell(DATE))
                    ),
                );
                None
            }
        };
        let hours = Hours::parse(cell(HOURS), 24.0).map(Hours::get);
        if hours.is_none() {
            e(
                HOURS,
                format!(
                    "Ogiltigt antal timmar ”{}”: ange ett tal större än 0 och högst 24.",
                    excerpt(cell(HOURS))
                ),
            );
        }
        let attended = match cell(ATTENDED).to_lowercase().as_str() {
            "ja" => Some(true),
            "nej" => Some(false),
            other => {
                e(
                    ATTENDED,
                    format!("Ogiltigt värde ”{}”: ange ja eller nej.", excerpt(other)),
                );
                None
            }
        };

        // The same person has one gender on every line; role and
        // municipality may change over time (kept per participation).
        let mut person = None;
        if ok_ref {
            match person_index.get(&person_ref) {
                Some(&i) => {
                    let p = &plan.people[i];
                    let first = p.line;
                    if gender.is_some_and(|g| g != p.gender) {
                        e(
                            GENDER,
                            format!("{} har ett annat kön på rad {first}.", excerpt(&person_ref)),
                        );
                    }
                    person = Some(i);
                }
                None => {
                    if let (Some(gender), Some(role_id), Some(municipality_id)) =
                        (gender, role_id, municipality_id)
                    {
                        plan.people.push(PlannedPerson {
                            person_ref: person_ref.clone(),
                            gender,
                            role_id,
                            municipality_id,
                            line,
                            as_of: None,
                        });
                        person_index.insert(person_ref.clone(), plan.people.len() - 1);
                        person = Some(plan.people.len() - 1);
                    }
                }
            }
        }
        let (
            Some(course),
            Some(date),
            Some(hours),
            Some(attended),
            Some(person),
            Some(role_id),
            Some(municipality_id),
        ) = (
            course,
            date,
            hours,
            attended,
            person,
            role_id,
            municipality_id,
        )
        else {
            continue;
        };
        let s = match session_index.get(&(course.clone(), date)) {
            Some(&s) => {
                let first = session_first_line[s];
                if (plan.sessions[s].hours - hours).abs() > 1e-9 {
                    e(
                        HOURS,
                        format!(
                            "Samma kurs och datum har {} timmar på rad {first}; ett kurstillfälle har en längd.",
                            plan.sessions[s].hours
                        ),
                    );
                    continue;
                }
                s
            }
            None => {
                plan.sessions.push(PlannedSession {
                    course: course.clone(),
                    date,
                    hours,
                    participants: vec![],
                });
                session_first_line.push(line);
                session_index.insert((course, date), plan.sessions.len() - 1);
                plan.sessions.len() - 1
            }
        };
        if let Some(first) = seen_in_session.insert((s, person), line) {
            e(
                PERSON_REF,
                format!(
                    "{} står redan på rad {first} för samma kurs och datum.",
                    excerpt(&person_ref)
                ),
            );
            continue;
        }
        plan.sessions[s].participants.push(PlannedParticipant {
            person,
            attended,
            line,
            role_id,
            municipality_id,
        });
        let p = &mut plan.people[person];
        if p.as_of.is_none_or(|d| date >= d) {
            p.as_of = Some(date);
            p.role_id = role_id;
            p.municipality_id = municipality_id;
        }
        if attended {
            plan.attended += 1;
        } else {
            plan.absent += 1;
        }
    }
    if plan.rows == 0 && errors.is_empty() {
        errors.push(err(2, 0, "", "Filen har inga rader efter rubrikraden."));
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        errors.shown.sort_by_key(|e| (e.line, e.column));
        Err(errors)
    }
}

/// One row of the file, as `navet export participations` writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub person_ref: String,
    pub gender: Gender,
    pub role: String,
    pub municipality: String,
    pub course: String,
    pub date: NaiveDate,
    pub hours: f64,
    pub attended: bool,
}

/// The file `parse` reads: comma-separated UTF-8 with the header row, one
/// line per row. Cells are written as they are (no spreadsheet escaping): the
/// file is for another instance's import, which must see the titles exactly.
pub fn write(rows: &[Row]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(COLUMNS).expect("writing to memory");
    for r in rows {
        // `{}` of an f64 is the shortest text that reads back as the same number.
        let hours = format!("{}", r.hours);
        w.write_record([
            r.person_ref.as_str(),
            r.gender.label_sv(),
            &r.role,
            &r.municipality,
            &r.course,
            &r.date.format("%Y-%m-%d").to_string(),
            &hours,
            if r.attended { "ja" } else { "nej" },
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

#[cfg(test)]
mod tests;
