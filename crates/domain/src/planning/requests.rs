//! A municipality's request for a local session, interest in a course, and
//! the hub's answer. Pure rules: the store resolves names and rows and asks
//! these functions whether what was sent may be stored.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::FieldErrors;

/// The most people one request may be for (a few sessions' worth).
pub const MAX_PARTICIPANTS: i64 = 500;
/// How far ahead (and how wide) the preferred weeks may reach.
pub const MAX_WEEKS_AHEAD: i64 = 104;
pub const MAX_WEEK_SPAN: i64 = 52;
pub const MAX_PLACE_CHARS: usize = 200;
pub const MAX_NOTE_CHARS: usize = 2000;
pub const MAX_REASON_CHARS: usize = 1000;

/// When in the day a session fits the municipality's rota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimeOfDay {
    Day,
    Evening,
    Weekend,
}

impl TimeOfDay {
    pub const ALL: [TimeOfDay; 3] = [TimeOfDay::Day, TimeOfDay::Evening, TimeOfDay::Weekend];
    pub fn code(self) -> &'static str {
        match self {
            TimeOfDay::Day => "dag",
            TimeOfDay::Evening => "kvall",
            TimeOfDay::Weekend => "helg",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            TimeOfDay::Day => "dagtid",
            TimeOfDay::Evening => "kvällstid",
            TimeOfDay::Weekend => "helg",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            TimeOfDay::Day => "daytime",
            TimeOfDay::Evening => "evening",
            TimeOfDay::Weekend => "weekend",
        }
    }
    pub fn parse(s: &str) -> Option<TimeOfDay> {
        let s = s.trim().to_lowercase();
        TimeOfDay::ALL.into_iter().find(|t| {
            t.code() == s
                || t.label_sv() == s
                || t.label_en() == s
                || (s == "kväll" && *t == TimeOfDay::Evening)
        })
    }
}

/// Weekday codes as stored and sent (`mon` … `sun`).
pub fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

pub fn weekday_sv(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "måndag",
        Weekday::Tue => "tisdag",
        Weekday::Wed => "onsdag",
        Weekday::Thu => "torsdag",
        Weekday::Fri => "fredag",
        Weekday::Sat => "lördag",
        Weekday::Sun => "söndag",
    }
}

pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// A weekday from its code (`mon`), its Swedish name (`måndag`, `mån`) or
/// its ISO number (`1` = Monday).
/// The weekdays chosen in a form's `weekdays` field: each once, Monday
/// first; an unknown one is named in `e`.
pub fn weekdays_field(values: &[String], e: &mut FieldErrors) -> Vec<Weekday> {
    let mut weekdays = vec![];
    for s in values.iter().filter(|s| !s.trim().is_empty()) {
        match parse_weekday(s) {
            Some(w) if !weekdays.contains(&w) => weekdays.push(w),
            Some(_) => {}
            None => e.add(
                "weekdays",
                "invalid_weekday",
                format!(
                    "Okänd veckodag ”{}”: välj måndag–söndag.",
                    crate::tabular::excerpt(s)
                ),
            ),
        }
    }
    weekdays.sort_by_key(|w| w.number_from_monday());
    weekdays
}

pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim().to_lowercase();
    if let Ok(n) = s.parse::<u8>() {
        return (1..=7).contains(&n).then(|| WEEKDAYS[(n - 1) as usize]);
    }
    WEEKDAYS.into_iter().find(|d| {
        weekday_code(*d) == s
            || weekday_sv(*d) == s
            || weekday_sv(*d).chars().take(3).collect::<String>() == s
    })
}

/// An ISO week (Monday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Week {
    pub year: i32,
    pub week: u32,
}

impl Week {
    /// `2027-W10` (what `<input type="week">` sends), `2027-w10`, `2027-10`
    /// or `2027 v10`.
    pub fn parse(s: &str) -> Option<Week> {
        let s = s.trim().to_lowercase();
        let (y, w) = s
            .split_once("-w")
            .or_else(|| s.split_once(" v"))
            .or_else(|| s.split_once('-'))?;
        let year: i32 = y.trim().parse().ok()?;
        let week: u32 = w.trim().parse().ok()?;
        if !(2000..=2100).contains(&year) {
            return None;
        }
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).map(|_| Week { year, week })
    }
    pub fn of(d: NaiveDate) -> Week {
        let w = d.iso_week();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).expect("checked week")
    }
    pub fn sunday(self) -> NaiveDate {
        self.monday() + Duration::days(6)
    }
    /// `2027-W10`, as stored and sent.
    pub fn code(self) -> String {
        format!("{}-W{:02}", self.year, self.week)
    }
    pub fn label_sv(self) -> String {
        format!("vecka {} {}", self.week, self.year)
    }
    /// Weeks from `self` to `other` (0 when the same).
    pub fn weeks_until(self, other: Week) -> i64 {
        (other.monday() - self.monday()).num_days() / 7
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        Week::of(d) == self
    }
}

/// A request as sent (form or API), before any checking.
#[derive(Debug, Clone, Default)]
pub struct RequestDraft {
    pub participants: i64,
    pub first_week: String,
    /// Empty: the first week only.
    pub last_week: String,
    /// Empty: any weekday.
    pub weekdays: Vec<String>,
    pub times: Vec<String>,
    pub place: String,
    pub note: String,
}

/// A request that may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRequest {
    pub participants: i64,
    pub first_week: Week,
    pub last_week: Week,
    pub weekdays: Vec<Weekday>,
    pub times: Vec<TimeOfDay>,
    pub place: String,
    pub note: String,
}

impl CheckedRequest {
    pub fn weekdays_code(&self) -> String {
        self.weekdays
            .iter()
            .map(|d| weekday_code(*d))
            .collect::<Vec<_>>()
            .join(",")
    }
    pub fn times_code(&self) -> String {
        self.times
            .iter()
            .map(|t| t.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn week_field(e: &mut FieldErrors, field: &str, s: &str, today: NaiveDate) -> Option<Week> {
    let Some(w) = Week::parse(s) else {
        if s.trim().is_empty() {
            e.add(field, "missing_week", "Ange vecka, till exempel 2027-W10.");
        } else {
            e.add(
                field,
                "invalid_week",
                format!(
                    "”{}” är ingen vecka: skriv den som 2027-W10 (år och veckonummer).",
                    crate::tabular::excerpt(s)
                ),
            );
        }
        return None;
    };
    if w.sunday() < today {
        e.add(
            field,
            "past_week",
            format!(
                "{} har redan varit: välj denna vecka eller en senare.",
                capitalise(&w.label_sv())
            ),
        );
        return None;
    }
    if Week::of(today).weeks_until(w) > MAX_WEEKS_AHEAD {
        e.add(
            field,
            "week_too_far",
            format!(
                "{} ligger mer än två år fram: begär närmare i tiden.",
                capitalise(&w.label_sv())
            ),
        );
        return None;
    }
    Some(w)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn text_field(
    e: &mut FieldErrors,
    field: &str,
    label: &str,
    s: &str,
    max: usize,
    multiline: bool,
) -> String {
    let cleaned = if multiline {
        s.replace("\r\n", "\n")
            .chars()
            .filter(|c| *c == '\n' || !c.is_control())
            .collect::<String>()
            .trim()
            .to_string()
    } else {
        match crate::text::single_line(s, label) {
            Ok(v) => v,
            Err(m) => {
                e.add(field, "invalid_text", m);
                return String::new();
            }
        }
    };
    if cleaned.chars().count() > max {
        e.add(
            field,
            "too_long",
            format!("{label} får vara högst {max} tecken."),
        );
    }
    cleaned
}

/// Check a request for a local session. `today` is the local date (the
/// request's weeks may not have passed).
pub fn check_request(d: &RequestDraft, today: NaiveDate) -> Result<CheckedRequest, FieldErrors> {
    let mut e = FieldErrors::new();
    if d.participants < 1 || d.participants > MAX_PARTICIPANTS {
        e.add(
            "participants",
            "invalid_participants",
            format!("Ange hur många som ska gå, 1–{MAX_PARTICIPANTS}."),
        );
    }
    let first = week_field(&mut e, "first_week", &d.first_week, today);
    let last = if d.last_week.trim().is_empty() {
        first
    } else {
        week_field(&mut e, "last_week", &d.last_week, today)
    };
    if let (Some(f), Some(l)) = (first, last) {
        if l < f {
            e.add(
                "last_week",
                "weeks_reversed",
                "Sista veckan ligger före första veckan.",
            );
        } else if f.weeks_until(l) > MAX_WEEK_SPAN {
            e.add(
                "last_week",
                "weeks_too_wide",
                format!("Ange högst {MAX_WEEK_SPAN} veckor mellan första och sista veckan."),
            );
        }
    }
    let weekdays = weekdays_field(&d.weekdays, &mut e);
    let mut times = vec![];
    for s in d.times.iter().filter(|s| !s.trim().is_empty()) {
        match TimeOfDay::parse(s) {
            Some(t) if !times.contains(&t) => times.push(t),
            Some(_) => {}
            None => e.add(
                "times",
                "invalid_time_of_day",
                format!(
                    "Okänd tid ”{}”: välj dagtid, kvällstid eller helg.",
                    crate::tabular::excerpt(s)
                ),
            ),
        }
    }
    times.sort();
    if times.is_empty() && e.get("times").is_none() {
        e.add(
            "times",
            "missing_time_of_day",
            "Välj när det passar er schemaläggning: dagtid, kvällstid eller helg.",
        );
    }
    // Only weekend fits, but only weekdays Monday–Friday were chosen.
    if times == [TimeOfDay::Weekend]
        && !weekdays.is_empty()
        && weekdays
            .iter()
            .all(|w| !matches!(w, Weekday::Sat | Weekday::Sun))
    {
        e.add(
            "weekdays",
            "weekend_without_weekend_days",
            "Bara helg passar, men de valda dagarna är vardagar: välj lördag eller söndag, eller även dagtid eller kvällstid.",
        );
    }
    let place = text_field(&mut e, "place", "Platsen", &d.place, MAX_PLACE_CHARS, false);
    let note = text_field(&mut e, "note", "Meddelandet", &d.note, MAX_NOTE_CHARS, true);
    match (first, last) {
        (Some(first_week), Some(last_week)) if e.is_empty() => Ok(CheckedRequest {
            participants: d.participants,
            first_week,
            last_week,
            weekdays,
            times,
            place,
            note,
        }),
        _ => Err(e),
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Open,
    Planned,
    Merged,
    Declined,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 4] = [
        RequestStatus::Open,
        RequestStatus::Planned,
        RequestStatus::Merged,
        RequestStatus::Declined,
    ];
    pub fn code(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Planned => "planned",
            RequestStatus::Merged => "merged",
            RequestStatus::Declined => "declined",
        }
    }
    pub fn parse(s: &str) -> Option<RequestStatus> {
        RequestStatus::ALL.into_iter().find(|r| r.code() == s)
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            RequestStatus::Open => "obesvarad",
            RequestStatus::Planned => "planerad",
            RequestStatus::Merged => "sammanslagen",
            RequestStatus::Declined => "avböjd",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            RequestStatus::Open => "unanswered",
            RequestStatus::Planned => "planned",
            RequestStatus::Merged => "merged",
            RequestStatus::Declined => "declined",
        }
    }
}

stored_code!(RequestStatus);

/// What the store knows about a request when an answer is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFacts {
    pub id: i64,
    pub course_id: i64,
    pub status: RequestStatus,
}

/// What the store knows about the session a request is planned as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFacts {
    pub id: i64,
    pub course_id: i64,
    pub starts_at: i64,
    /// Cancelled or held.
    pub is_final: bool,
}

/// The coordinator's answer as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerDraft {
    Planned { session_id: Option<i64> },
    Merged { request_id: Option<i64> },
    Declined { reason: String },
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Planned { session_id: i64 },
    Merged { into_request_id: i64 },
    Declined { reason: String },
}

impl Answer {
    pub fn status(&self) -> RequestStatus {
        match self {
            Answer::Planned { .. } => RequestStatus::Planned,
            Answer::Merged { .. } => RequestStatus::Merged,
            Answer::Declined { .. } => RequestStatus::Declined,
        }
    }
}

/// Why an answer cannot be given: bad input (a field) or the request's
/// state (a conflict).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerRefusal {
    Invalid(FieldErrors),
    AlreadyAnswered(RequestStatus),
}

fn invalid(field: &str, code: &'static str, msg: impl Into<String>) -> AnswerRefusal {
    let mut e = FieldErrors::new();
    e.add(field, code, msg);
    AnswerRefusal::Invalid(e)
}

/// Check the coordinator's answer to `req`. `session` is the session named
/// by a "planned" answer and `other` the request named by a "merged" one
/// (None when not found). `now` in Unix seconds.
pub fn check_answer(
    req: RequestFacts,
    draft: &AnswerDraft,
    session: Option<SessionFacts>,
    other: Option<RequestFacts>,
    now: i64,
) -> Result<Answer, AnswerRefusal> {
    if req.status != RequestStatus::Open {
        return Err(AnswerRefusal::AlreadyAnswered(req.status));
    }
    match draft {
        AnswerDraft::Planned { session_id } => {
            let Some(id) = session_id else {
                return Err(invalid(
                    "session_id",
                    "missing_session",
                    "Välj kurstillfället som förfrågan planeras som.",
                ));
            };
            let Some(s) = session.filter(|s| s.id == *id) else {
                return Err(invalid(
                    "session_id",
                    "unknown_session",
                    format!("Kurstillfälle {id} finns inte."),
                ));
            };
            if s.course_id != req.course_id {
                return Err(invalid(
                    "session_id",
                    "other_course",
                    "Kurstillfället gäller en annan kurs än förfrågan.",
                ));
            }
            if s.is_final || s.starts_at <= now {
                return Err(invalid(
                    "session_id",
                    "session_not_bookable",
                    "Kurstillfället har redan börjat, är genomfört eller inställt: välj ett kommande.",
                ));
            }
            Ok(Answer::Planned { session_id: s.id })
        }
        AnswerDraft::Merged { request_id } => {
            let Some(id) = request_id else {
                return Err(invalid(
                    "request_id",
                    "missing_request",
                    "Välj förfrågan att slå samman med.",
                ));
            };
            if *id == req.id {
                return Err(invalid(
                    "request_id",
                    "merge_with_itself",
                    "En förfrågan kan inte slås samman med sig själv.",
                ));
            }
            let Some(o) = other.filter(|o| o.id == *id) else {
                return Err(invalid(
                    "request_id",
                    "unknown_request",
                    format!("Förfrågan {id} finns inte."),
                ));
            };
            if o.course_id != req.course_id {
                return Err(invalid(
                    "request_id",
                    "other_course",
                    "Förfrågningarna gäller olika kurser.",
                ));
            }
            if matches!(o.status, RequestStatus::Merged | RequestStatus::Declined) {
                return Err(invalid(
                    "request_id",
                    "merge_target_closed",
                    format!(
                        "Förfrågan {id} är {}: slå samman med en obesvarad eller planerad förfrågan.",
                        o.status.label_sv()
                    ),
                ));
            }
            Ok(Answer::Merged {
                into_request_id: o.id,
            })
        }
        AnswerDraft::Declined { reason } => {
            let mut e = FieldErrors::new();
            let r = text_field(&mut e, "reason", "Skälet", reason, MAX_REASON_CHARS, true);
            if !e.is_empty() {
                return Err(AnswerRefusal::Invalid(e));
            }
            if r.is_empty() {
                return Err(invalid(
                    "reason",
                    "missing_reason",
                    "Skriv varför förfrågan avböjs: den som frågade får skälet.",
                ));
            }
            Ok(Answer::Declined { reason: r })
        }
    }
}

/// How many people an interest may count (a manager for their staff).
pub fn check_interest_people(n: i64) -> Result<i64, FieldErrors> {
    if (1..=MAX_PARTICIPANTS).contains(&n) {
        Ok(n)
    } else {
        let mut e = FieldErrors::new();
        e.add(
            "people",
            "invalid_people",
            format!("Ange hur många som är intresserade, 1–{MAX_PARTICIPANTS}."),
        );
        Err(e)
    }
}

/// The notice to the one who asked: subject and body, in Swedish.
pub struct AnswerText<'a> {
    pub request_id: i64,
    pub course_title: &'a str,
    pub municipality: &'a str,
    /// For a planned answer (or a merged one whose other request is
    /// planned): when and where, and the session's address.
    pub session: Option<(&'a str, &'a str, String)>,
    pub merged_into: Option<i64>,
    pub reason: Option<&'a str>,
}

pub fn answer_notice(t: &AnswerText<'_>) -> (String, String) {
    let subject = format!("Svar på er förfrågan om {}", t.course_title);
    let mut body = format!(
        "Hej!\n\nKompetensnavet har svarat på er förfrågan (nummer {}) om ett kurstillfälle i {} för kursen {}.\n\n",
        t.request_id, t.municipality, t.course_title
    );
    if let Some(into) = t.merged_into {
        body.push_str(&format!(
            "Förfrågan har slagits samman med förfrågan {into}: de planeras tillsammans.\n"
        ));
    }
    match (t.session.as_ref(), t.reason) {
        (Some((when, venue, link)), _) => body.push_str(&format!(
            "Den är planerad som ett kurstillfälle {when}{}. Boka er personal här:\n{link}\n",
            if venue.is_empty() {
                String::new()
            } else {
                format!(", {venue}")
            }
        )),
        (None, Some(reason)) => {
            body.push_str(&format!("Förfrågan är tyvärr avböjd. Skäl:\n{reason}\n"))
        }
        (None, None) => body.push_str("Ni får besked igen när tillfället är planerat.\n"),
    }
    body.push_str("\nHälsningar\nKompetensnavet\n");
    (subject, body)
}

#[cfg(test)]
#[path = "requests_tests.rs"]
mod tests;
