//! The register extract (registerutdrag, GDPR article 15): everything Navet
//! holds about one person, as data (JSON) and as a readable Swedish
//! document.
//!
//! [`SOURCES`] names every table that refers to a person, how its rows are
//! found and how the document shows them; [`EXCLUDED`] names the few
//! person references left out, each with its reason. The store gathers
//! rows by this list, and a store test fails when a table with a person
//! reference is in neither list, so a new table cannot be forgotten.
//! Secrets (password hashes, token hashes, authenticator secrets) are never
//! copied: [`REDACTED`] columns say only whether a value exists.
//!
//! [`layout`] turns an [`Extract`] into [`Block`]s (headings, paragraphs,
//! tables) that the web crate sets as a tagged PDF.

use std::collections::BTreeMap;

use serde::Serialize;

/// A stored value, as the database holds it (ids, Unix seconds, text).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// One row: column name → value (plus names the store resolved, such as
/// `course` for a `course_id`).
pub type Row = BTreeMap<String, Value>;

/// How a table's rows about the person are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `column` holds the person's id.
    Person,
    /// `column` holds the id of the person's account.
    Account,
}

/// How a column is shown in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Unix seconds, shown as Stockholm time.
    Time,
    /// 0/1, shown as ja/nej.
    YesNo,
}

/// One column of a section's table in the document.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: Kind,
}

const fn col(key: &'static str, label: &'static str) -> Column {
    Column {
        key,
        label,
        kind: Kind::Text,
    }
}
const fn time(key: &'static str, label: &'static str) -> Column {
    Column {
        key,
        label,
        kind: Kind::Time,
    }
}
const fn yes_no(key: &'static str, label: &'static str) -> Column {
    Column {
        key,
        label,
        kind: Kind::YesNo,
    }
}

/// A table that refers to the person, gathered whole into the extract.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub table: &'static str,
    pub column: &'static str,
    pub via: Via,
    /// The section heading in the document.
    pub title: &'static str,
    /// The columns the document shows (the JSON has every column).
    pub columns: &'static [Column],
}

const fn src(
    table: &'static str,
    column: &'static str,
    via: Via,
    title: &'static str,
    columns: &'static [Column],
) -> Source {
    Source {
        table,
        column,
        via,
        title,
        columns,
    }
}

/// Every table the extract covers, in the document's order.
pub const SOURCES: &[Source] = &[
    src(
        "people",
        "id",
        Via::Person,
        "Personuppgifter",
        &[
            col("name", "Namn"),
            col("email", "E-post"),
            col("gender", "Kön"),
            col("role", "Yrkesroll"),
            col("municipality", "Kommun"),
            col("unit", "Enhet"),
            col("employee_no", "Anställningsnr"),
            col("language_support", "Språkstöd"),
            yes_no("active", "Anställd"),
            time("created_at", "Registrerad"),
            time("updated_at", "Senast ändrad"),
        ],
    ),
    src(
        "staff_import_people",
        "person_id",
        Via::Person,
        "Historik: ändringar genom personalimport",
        &[
            time("imported_at", "När"),
            col("kind", "Ändring"),
            col("before_name", "Namn före"),
            col("after_name", "Namn efter"),
            col("after_email", "E-post efter"),
        ],
    ),
    src(
        "import_person_refs",
        "person_id",
        Via::Person,
        "Referenser i importerade historikfiler",
        &[col("person_ref", "Referens")],
    ),
    src(
        "accounts",
        "person_id",
        Via::Person,
        "Konto",
        &[
            col("email", "E-post"),
            col("role", "Behörighet"),
            col("password_hash", "Lösenord"),
            yes_no("active", "Aktivt"),
            time("created_at", "Skapat"),
        ],
    ),
    src(
        "course_interest",
        "person_id",
        Via::Person,
        "Intresseanmälningar till kurser",
        &[
            col("course", "Kurs"),
            col("municipality", "Kommun"),
            col("people", "Antal personer"),
            time("created_at", "Anmäld"),
        ],
    ),
    src(
        "session_requests",
        "requested_by_account_id",
        Via::Account,
        "Förfrågningar om kurstillfällen",
        &[
            col("course", "Kurs"),
            col("municipality", "Kommun"),
            col("unit", "Enhet"),
            col("place", "Plats"),
            col("participants", "Antal deltagare"),
            col("first_week", "Första vecka"),
            col("last_week", "Sista vecka"),
            col("note", "Meddelande"),
            col("status", "Status"),
            col("decline_reason", "Skäl vid avslag"),
            time("created_at", "Skickad"),
            time("answered_at", "Besvarad"),
        ],
    ),
    src(
        "account_scopes",
        "account_id",
        Via::Account,
        "Ansvar som chef (enheter och kommuner)",
        &[col("unit", "Enhet"), col("municipality", "Kommun")],
    ),
    src(
        "web_sessions",
        "account_id",
        Via::Account,
        "Inloggningar (pågående sessioner)",
        &[
            time("created_at", "Inloggad"),
            time("last_seen_at", "Senast använd"),
            col("provider", "Inloggning via"),
        ],
    ),
    src(
        "api_tokens",
        "account_id",
        Via::Account,
        "API-nycklar",
        &[
            col("label", "Namn"),
            time("created_at", "Skapad"),
            time("last_used_at", "Senast använd"),
            time("expires_at", "Går ut"),
            time("revoked_at", "Återkallad"),
        ],
    ),
    src(
        "second_factors",
        "account_id",
        Via::Account,
        "Tvåstegsverifiering",
        &[col("secret", "Hemlighet"), time("enrolled_at", "Inställd")],
    ),
    src(
        "recovery_codes",
        "account_id",
        Via::Account,
        "Reservkoder",
        &[col("code_hash", "Kod"), time("used_at", "Använd")],
    ),
    src(
        "password_resets",
        "account_id",
        Via::Account,
        "Återställning av lösenord",
        &[
            time("created_at", "Begärd"),
            time("expires_at", "Gällde till"),
            time("used_at", "Använd"),
        ],
    ),
    src(
        "invitations",
        "person_id",
        Via::Person,
        "Inbjudan att logga in",
        &[
            time("created_at", "Skickad"),
            time("expires_at", "Gällde till"),
            time("used_at", "Använd"),
            col("provider", "Inloggning via"),
        ],
    ),
    src(
        "bookings",
        "person_id",
        Via::Person,
        "Anmälningar och väntelistor",
        &[
            col("session", "Kurstillfälle"),
            col("status", "Status"),
            col("waitlist_seq", "Köplats (ordning)"),
            col("booked_via", "Bokad av"),
            time("booked_at", "Anmäld"),
            time("cancelled_at", "Avbokad"),
        ],
    ),
    src(
        "session_holds",
        "person_id",
        Via::Person,
        "Erbjudna platser",
        &[
            col("session", "Kurstillfälle"),
            col("kind", "Slag"),
            time("created_at", "Erbjuden"),
            time("expires_at", "Gäller till"),
        ],
    ),
    src(
        "attendance_facts",
        "person_id",
        Via::Person,
        "Närvaro",
        &[
            col("session", "Kurstillfälle"),
            time("starts_at", "Början"),
            col("hours", "Timmar"),
        ],
    ),
    src(
        "completions",
        "person_id",
        Via::Person,
        "Kursintyg och genomförda kurser",
        &[
            col("course", "Kurs"),
            col("completed_on", "Datum"),
            col("hours", "Timmar"),
            col("certificate_no", "Intygsnummer"),
            col("expires_on", "Giltigt till"),
        ],
    ),
    src(
        "survey_invitations",
        "person_id",
        Via::Person,
        "Enkäter (deltagande, inte svar)",
        &[
            col("session", "Kurstillfälle"),
            col("survey_kind", "Enkät"),
            col("due_on", "Svara senast"),
            yes_no("sent", "Skickad"),
            yes_no("answered", "Besvarad"),
        ],
    ),
    src(
        "person_educations",
        "person_id",
        Via::Person,
        "Formell utbildning",
        &[
            col("kind", "Utbildning"),
            col("direction", "Inriktning"),
            col("completed_on", "Klar"),
            col("note", "Anteckning"),
            time("registered_at", "Registrerad"),
        ],
    ),
    src(
        "calendar_feeds",
        "person_id",
        Via::Person,
        "Kalenderflöde",
        &[col("token", "Adress"), time("created_at", "Skapat")],
    ),
    src(
        "trainers",
        "person_id",
        Via::Person,
        "Utbildningsledare",
        &[col("home_municipality", "Hemkommun")],
    ),
    src(
        "trainer_courses",
        "person_id",
        Via::Person,
        "Behörig att leda kurser",
        &[col("course", "Kurs")],
    ),
    src(
        "trainer_certifications",
        "person_id",
        Via::Person,
        "Certifieringar",
        &[
            col("name", "Certifiering"),
            col("valid_until", "Giltig till"),
        ],
    ),
    src(
        "trainer_absences",
        "person_id",
        Via::Person,
        "Frånvaro som utbildningsledare",
        &[col("starts_on", "Från"), col("ends_on", "Till")],
    ),
    src(
        "trainer_availability",
        "person_id",
        Via::Person,
        "Tillgänglighet som utbildningsledare",
        &[
            col("term", "Termin"),
            col("weeks", "Veckor"),
            col("weekdays", "Veckodagar"),
            col("max_per_week", "Högst per vecka"),
            col("note", "Kommentar"),
        ],
    ),
    src(
        "session_trainers",
        "person_id",
        Via::Person,
        "Kurstillfällen som utbildningsledare",
        &[col("session", "Kurstillfälle")],
    ),
    src(
        "outbox",
        "to_person_id",
        Via::Person,
        "Meddelanden som skickats till personen",
        &[
            time("created_at", "Skapat"),
            col("kind", "Slag"),
            col("subject", "Ämne"),
            time("sent_at", "Skickat"),
        ],
    ),
    src(
        "staff_imports",
        "account_id",
        Via::Account,
        "Personalimporter som kontot gjort",
        &[
            time("created_at", "När"),
            col("file_name", "Fil"),
            col("added", "Tillagda"),
            col("changed", "Ändrade"),
        ],
    ),
    src(
        "role_title_mappings",
        "account_id",
        Via::Account,
        "Titlar som kontot kopplat till yrkesroller",
        &[col("title", "Titel"), col("role", "Yrkesroll")],
    ),
    src(
        "attestations",
        "person_id",
        Via::Person,
        "Bekräftad närvarotid per månad",
        &[
            col("month", "Månad"),
            col("version", "Version"),
            col("status", "Status"),
            col("centi_hours", "Timmar (hundradelar)"),
            col("session_count", "Kurstillfällen"),
            time("attested_at", "Bekräftad"),
            col("method", "Hur"),
        ],
    ),
    src(
        "audit_log",
        "person_id",
        Via::Person,
        "Vem som har läst eller ändrat uppgifterna",
        &[
            time("at", "När"),
            col("actor", "Vem"),
            col("actor_label", "Kanal"),
            col("action", "Vad"),
            col("detail", "Detalj"),
        ],
    ),
];

/// Person references deliberately left out, with the reason (shown in the
/// document and the JSON).
pub const EXCLUDED: &[(&str, &str, &str)] = &[
    (
        "competence_holdings",
        "person_id",
        "en beräknad sammanställning av de genomförda kurserna, som finns i avsnittet om kursintyg",
    ),
    (
        "second_factor_logins",
        "account_id",
        "tillfälligt tillstånd under en pågående inloggning, raderas efter några minuter",
    ),
    (
        "staff_imports",
        "undone_by",
        "vilket konto som ångrade en personalimport; importen gäller andra personer och ångrandet står i granskningsloggen",
    ),
    (
        "attestations",
        "attested_by_account_id",
        "vilket konto som bekräftade tiden eller registrerade pappersintyget; bekräftelsen finns i avsnittet om bekräftad närvarotid och i granskningsloggen",
    ),
    (
        "esf_exports",
        "produced_by_account_id",
        "vilket konto som tog fram en deltagarfil; filen gäller alla deltagare och står i granskningsloggen",
    ),
    (
        "import_locks",
        "account_id",
        "markerar bara att en import pågår just nu",
    ),
    (
        "import_uploads",
        "account_id",
        "uppladdade filer som väntar på bekräftelse; de gäller andra personer och tas bort när importen är klar",
    ),
];

/// Columns whose values are secrets: the extract says whether one exists,
/// never what it is.
pub const REDACTED: &[&str] = &[
    "password_hash",
    "token_hash",
    "token",
    "secret",
    "code_hash",
    "id_hash",
    "csrf_token",
    "id_token",
    "enrol_secret",
    "flash_text",
    "body",
    "ics",
];

/// What a redacted value that exists reads as.
pub const REDACTED_TEXT: &str = "finns (visas inte)";

/// Replace a secret's value by a note that it exists.
pub fn redact(column: &str, v: Value) -> Value {
    // A personal identity number is shown masked everywhere but to the
    // ESF reporter (docs/privacy.md).
    if let (crate::attestation::pnr::COLUMN, Value::Text(t)) = (column, &v) {
        return Value::Text(crate::attestation::pnr::mask(t));
    }
    if REDACTED.contains(&column) && !v.is_null() {
        Value::Text(REDACTED_TEXT.into())
    } else {
        v
    }
}

/// The source of `table`, if the extract covers it.
pub fn source(table: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|s| s.table == table)
}

/// Whether a person reference `table.column` is covered or excluded.
pub fn accounted_for(table: &str, column: &str) -> bool {
    SOURCES
        .iter()
        .any(|s| s.table == table && s.column == column)
        || EXCLUDED.iter().any(|(t, c, _)| *t == table && *c == column)
}

/// One requirement that applies to the person and how it is met.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementLine {
    pub what: String,
    pub scope: String,
    pub state: String,
    pub is_gap: bool,
    pub via_course: Option<String>,
    pub completed_on: Option<String>,
    pub expires_on: Option<String>,
}

/// The rows of one source table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRows {
    pub table: String,
    pub title: String,
    pub rows: Vec<Row>,
}

/// What is not in the extract, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Omission {
    pub what: String,
    pub reason: String,
}

/// Everything Navet holds about one person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extract {
    /// `navet-registerutdrag-1`
    pub format: String,
    pub person_id: i64,
    /// Unix seconds.
    pub generated_at: i64,
    /// Times in `rows` are Unix seconds (UTC); dates are `YYYY-MM-DD`.
    pub tables: Vec<TableRows>,
    /// Competence requirements for the person's role and how each is met.
    pub requirements: Vec<RequirementLine>,
    /// The learning track that fits the person's role and unit, and how
    /// far they have come (none when no track fits).
    pub track: Option<TrackLine>,
    /// Sign-ins to the person's account, successful and failed, newest
    /// first (from the audit log).
    pub sign_ins: Vec<SignIn>,
    pub not_included: Vec<Omission>,
}

pub const FORMAT: &str = "navet-registerutdrag-1";

/// What the extract always leaves out, whatever the tables hold.
pub fn standing_omissions() -> Vec<Omission> {
    let mut v = vec![
        Omission {
            what: "Svar på kursenkäter".into(),
            reason: "svaren är anonyma och sparas utan koppling till person; de kan inte tas fram för en enskild".into(),
        },
        Omission {
            what: "Lösenord, nycklar och hemligheter".into(),
            reason: "sparas bara som kontrollsummor; utdraget säger att de finns och när de senast användes".into(),
        },
        Omission {
            what: "Innehållet i meddelanden".into(),
            reason: "kan innehålla personliga länkar för inloggning och avbokning; ämne, slag och tid finns med".into(),
        },
    ];
    for (t, c, reason) in EXCLUDED {
        v.push(Omission {
            what: format!("{t}.{c}"),
            reason: (*reason).into(),
        });
    }
    v
}

/// A piece of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    Paragraph(String),
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Bullets(Vec<String>),
}

/// Unix seconds as Stockholm time, `2026-03-14 09:00`.
fn local_time(ts: i64) -> String {
    crate::sessions::format_local(ts)
}

fn shown(v: Option<&Value>, kind: Kind) -> String {
    match (v, kind) {
        (None | Some(Value::Null), _) => "–".into(),
        (Some(Value::Int(t)), Kind::Time) => local_time(*t),
        (Some(Value::Int(0)), Kind::YesNo) => "nej".into(),
        (Some(Value::Int(_)), Kind::YesNo) => "ja".into(),
        (Some(Value::Int(i)), _) => i.to_string(),
        (Some(Value::Real(f)), _) => {
            let s = format!("{f:.2}");
            s.trim_end_matches('0')
                .trim_end_matches('.')
                .replace('.', ",")
        }
        (Some(Value::Text(s)), _) if s.is_empty() => "–".into(),
        (Some(Value::Text(s)), _) => s.clone(),
    }
}

/// The readable document: a title, who it is about and when it was made,
/// then one section per source (with "Inga uppgifter." when empty), the
/// requirements, and what is not included.
pub fn layout(e: &Extract, person_name: &str) -> Vec<Block> {
    let mut out = vec![
        Block::Title(format!("Registerutdrag för {person_name}")),
        Block::Paragraph(format!(
            "Utdraget visar alla uppgifter som Navet har om personen (id {}), framtaget {}. \
             Samma uppgifter finns maskinläsbart i filen registerutdrag.json.",
            e.person_id,
            local_time(e.generated_at)
        )),
    ];
    for t in &e.tables {
        out.push(Block::Heading(t.title.clone()));
        let Some(src) = source(&t.table) else {
            continue;
        };
        if t.rows.is_empty() {
            out.push(Block::Paragraph("Inga uppgifter.".into()));
            continue;
        }
        // One wide row (the person record, the account) reads better as
        // label and value, one line each.
        if t.rows.len() == 1 && src.columns.len() > 5 {
            out.push(Block::Table {
                headers: vec!["Uppgift".into(), "Värde".into()],
                rows: src
                    .columns
                    .iter()
                    .map(|c| vec![c.label.to_string(), shown(t.rows[0].get(c.key), c.kind)])
                    .collect(),
            });
            continue;
        }
        out.push(Block::Table {
            headers: src.columns.iter().map(|c| c.label.to_string()).collect(),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    src.columns
                        .iter()
                        .map(|c| shown(r.get(c.key), c.kind))
                        .collect()
                })
                .collect(),
        });
    }
    out.push(Block::Heading("Kompetenskrav och glapp".into()));
    if e.requirements.is_empty() {
        out.push(Block::Paragraph(
            "Inga kompetenskrav gäller för personens yrkesroll.".into(),
        ));
    } else {
        out.push(Block::Table {
            headers: vec![
                "Krav".into(),
                "Gäller".into(),
                "Läge".into(),
                "Uppfyllt genom".into(),
                "Giltigt till".into(),
            ],
            rows: e
                .requirements
                .iter()
                .map(|r| {
                    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "–".into());
                    vec![
                        r.what.clone(),
                        r.scope.clone(),
                        r.state.clone(),
                        opt(&r.via_course),
                        opt(&r.expires_on),
                    ]
                })
                .collect(),
        });
    }
    sections::layout(e, &mut out);
    out.push(Block::Heading("Det här finns inte med".into()));
    out.push(Block::Bullets(
        e.not_included
            .iter()
            .map(|o| format!("{}: {}.", o.what, o.reason))
            .collect(),
    ));
    out
}

mod sections;
pub use sections::{SignIn, TrackLine};

#[cfg(test)]
mod tests;
