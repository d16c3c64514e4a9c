//! Course vocabulary: level, format, lifecycle status, and what makes a
//! course valid.

use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;

vocab!(
    /// Nivå.
    Level {
        Bas = ("bas", "bas", "basic"),
        Fordjupning = ("fordjupning", "fördjupning", "advanced"),
        Spets = ("spets", "spets", "specialist"),
    }
);

vocab!(
    /// Format.
    Format {
        Simulering = ("simulering", "simulering", "simulation"),
        Lararledd = ("lararledd", "lärarledd", "classroom"),
        Webb = ("webb", "webb", "online"),
        Arbetsplatslarande = ("arbetsplatslarande", "arbetsplatslärande", "workplace learning"),
        Blandad = ("blandad", "blandad", "blended"),
    }
);

vocab!(
    /// Livscykelstatus.
    CourseStatus {
        UnderUtveckling = ("under_utveckling", "under utveckling", "in development"),
        Test = ("test", "test", "test"),
        Aktiv = ("aktiv", "aktiv", "active"),
        Pausad = ("pausad", "pausad", "paused"),
        Avvecklad = ("avvecklad", "avvecklad", "retired"),
    }
);

vocab!(
    /// Language and access support a session can offer.
    LanguageSupport {
        Sva = ("sva", "SVA-lärare", "Swedish as a second language teacher"),
        Teckentolk = ("teckentolk", "teckentolk", "sign-language interpreter"),
        AnpassatMaterial = ("anpassat_material", "anpassat material", "adapted material"),
    }
);

impl CourseStatus {
    /// Only active courses are shown in the public catalogue and bookable.
    pub fn is_bookable(self) -> bool {
        matches!(self, CourseStatus::Aktiv | CourseStatus::Test)
    }
}

/// A course as entered, before checks.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CourseDraft {
    pub title: String,
    pub level: String,
    pub format: String,
    pub hours: String,
    pub status: String,
    pub validity_months: String,
    pub default_capacity: String,
    pub trainers_per_session: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedCourse {
    pub title: String,
    pub level: Level,
    pub format: Format,
    pub hours: f64,
    pub status: CourseStatus,
    pub validity_months: Option<i64>,
    pub default_capacity: i64,
    pub trainers_per_session: i64,
}

use crate::fields::Hours;

/// The longest course Navet takes, in hours.
pub const MAX_COURSE_HOURS: f64 = 1000.0;

pub fn check_course(d: &CourseDraft) -> Result<CheckedCourse, FieldErrors> {
    let mut e = FieldErrors::new();
    let title = match crate::text::single_line(&d.title, "Kursnamnet") {
        Ok(t) => t,
        Err(m) => {
            e.add("title", "invalid_text", m);
            String::new()
        }
    };
    if e.is_empty() && (title.is_empty() || title.chars().count() > 200) {
        e.add(
            "title",
            "invalid_title",
            "Kursnamnet måste vara 1–200 tecken.",
        );
    }
    let level = Level::parse(&d.level);
    if level.is_none() {
        e.add(
            "level",
            "invalid_level",
            "Välj nivå: bas, fördjupning eller spets.",
        );
    }
    let format = Format::parse(&d.format);
    if format.is_none() {
        e.add(
            "format",
            "invalid_format",
            "Välj format: simulering, lärarledd, webb, arbetsplatslärande eller blandad.",
        );
    }
    let hours = Hours::parse(&d.hours, MAX_COURSE_HOURS).map(Hours::get);
    if hours.is_none() {
        e.add(
            "hours",
            "invalid_hours",
            "Ange antal timmar som ett tal större än 0.",
        );
    }
    let status = CourseStatus::parse(&d.status);
    if status.is_none() {
        e.add(
            "status",
            "invalid_status",
            "Välj status: under utveckling, test, aktiv, pausad eller avvecklad.",
        );
    }
    let validity_months = if d.validity_months.trim().is_empty() {
        Some(None)
    } else {
        d.validity_months
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|m| (1..=240).contains(m))
            .map(Some)
    };
    if validity_months.is_none() {
        e.add(
            "validity_months",
            "invalid_validity",
            "Giltighetstid anges i hela månader (1–240) eller lämnas tom.",
        );
    }
    let int_or = |s: &str, default: i64| -> Option<i64> {
        if s.trim().is_empty() {
            Some(default)
        } else {
            s.trim().parse::<i64>().ok()
        }
    };
    let default_capacity = int_or(&d.default_capacity, 12).filter(|c| (1..=10_000).contains(c));
    if default_capacity.is_none() {
        e.add(
            "default_capacity",
            "invalid_capacity",
            "Antal platser måste vara minst 1.",
        );
    }
    let trainers_per_session = int_or(&d.trainers_per_session, 1).filter(|c| (0..=20).contains(c));
    if trainers_per_session.is_none() {
        e.add(
            "trainers_per_session",
            "invalid_trainers",
            "Antal utbildningsledare måste vara 0–20.",
        );
    }
    match (
        level,
        format,
        hours,
        status,
        validity_months,
        default_capacity,
        trainers_per_session,
    ) {
        (
            Some(level),
            Some(format),
            Some(hours),
            Some(status),
            Some(validity_months),
            Some(default_capacity),
            Some(trainers_per_session),
        ) if e.is_empty() => Ok(CheckedCourse {
            title,
            level,
            format,
            hours,
            status,
            validity_months,
            default_capacity,
            trainers_per_session,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_accepts_code_and_swedish_label() {
        assert_eq!(Level::parse("Fördjupning"), Some(Level::Fordjupning));
        assert_eq!(Format::parse("lararledd"), Some(Format::Lararledd));
        assert_eq!(
            CourseStatus::parse("under utveckling"),
            Some(CourseStatus::UnderUtveckling)
        );
        assert_eq!(CourseStatus::parse("klar"), None);
    }

    #[test]
    fn course_check_reports_each_bad_field() {
        let e = check_course(&CourseDraft {
            title: "".into(),
            level: "expert".into(),
            format: "webb".into(),
            hours: "0".into(),
            status: "aktiv".into(),
            validity_months: "x".into(),
            default_capacity: "0".into(),
            trainers_per_session: "".into(),
        })
        .unwrap_err();
        let f: Vec<_> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            f,
            [
                "title",
                "level",
                "hours",
                "validity_months",
                "default_capacity"
            ]
        );
    }
}

/// A course description for participants, one line per question: what you
/// learn, for whom, what to bring, and the level (with format and hours).
/// `learn` and `bring` are the course's own texts when it has them.
pub fn public_description(
    title: &str,
    learn: Option<&str>,
    for_whom: &str,
    bring: Option<&str>,
    level: Level,
    format: Format,
    hours: f64,
) -> String {
    let learn = learn
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "Grunderna i {} och hur du använder dem i ditt arbete.",
                lower_first(title)
            )
        });
    let level_words = match level {
        Level::Bas => "bas – inga förkunskaper behövs",
        Level::Fordjupning => "fördjupning – för dig som har grunderna och yrkeserfarenhet",
        Level::Spets => "spets – för dig som ska leda eller lära ut området",
    };
    let hours = if hours.fract() == 0.0 {
        format!("{hours:.0}")
    } else {
        format!("{hours:.1}").replace('.', ",")
    };
    format!(
        "Det här lär du dig: {learn}\nFör vem: {}.\nTa med: {}\nNivå: {level_words}. {} i {hours} timmar.",
        if for_whom.trim().is_empty() || for_whom.contains("ej angiven") {
            "alla yrkesgrupper i vård och omsorg som behöver kunskapen".to_string()
        } else {
            for_whom.trim().to_string()
        },
        bring
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("Inget särskilt."),
        upper_first(format.label_sv()),
    )
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep acronyms (SBAR, HLR) as they are.
        Some(f) if s.chars().nth(1).is_some_and(|n| n.is_lowercase()) => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod description_tests {
    use super::*;

    #[test]
    fn a_description_answers_the_four_questions() {
        let d = public_description(
            "Basala hygienrutiner",
            Some("Handhygien och klädregler."),
            "baspersonal",
            Some("Kortärmat."),
            Level::Bas,
            Format::Simulering,
            4.0,
        );
        let lines: Vec<&str> = d.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], "Det här lär du dig: Handhygien och klädregler.");
        assert_eq!(lines[1], "För vem: baspersonal.");
        assert_eq!(lines[2], "Ta med: Kortärmat.");
        assert_eq!(
            lines[3],
            "Nivå: bas – inga förkunskaper behövs. Simulering i 4 timmar."
        );
    }

    #[test]
    fn without_texts_of_its_own_a_course_gets_plain_defaults() {
        let d = public_description(
            "SBAR",
            None,
            "ej angiven i kursnamnet",
            None,
            Level::Fordjupning,
            Format::Lararledd,
            2.5,
        );
        assert!(
            d.starts_with("Det här lär du dig: Grunderna i SBAR "),
            "{d}"
        );
        assert!(d.contains("För vem: alla yrkesgrupper"), "{d}");
        assert!(d.contains("Ta med: Inget särskilt."), "{d}");
        assert!(d.contains("Lärarledd i 2,5 timmar."), "{d}");
        assert!(
            public_description("Munvård", None, "", None, Level::Bas, Format::Webb, 1.0)
                .contains("Grunderna i munvård ")
        );
    }
}
