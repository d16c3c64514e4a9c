//! Funding sources (finansieringskällor): who pays for a participation.
//! The funding programme (ESF+) is one; a state grant such as
//! Äldreomsorgslyftet and the municipality's own budget are others. A
//! session has a source, a single booking may override it, and the
//! effective source is the booking's, else the session's.
//!
//! An **exclusive** source forbids double funding: the same person and
//! course may not be claimed from two different exclusive sources (ESF+
//! may not pay for costs a state grant pays for). A non-exclusive source
//! (co-financing from one's own budget) conflicts with nothing.
//! [`double_claim`] is the rule; the store applies it inside the
//! transaction that writes a booking or changes a source.

use serde::Serialize;

use crate::errors::FieldErrors;

/// What kind of source it is (shown on the list, filtered on nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An EU programme (ESF+).
    Eu,
    /// A state grant (Äldreomsorgslyftet).
    State,
    /// The municipality's own budget.
    Municipal,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Eu, Kind::State, Kind::Municipal, Kind::Other];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Eu => "eu",
            Kind::State => "state",
            Kind::Municipal => "municipal",
            Kind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            Kind::Eu => "EU-program",
            Kind::State => "Statsbidrag",
            Kind::Municipal => "Kommunens egen budget",
            Kind::Other => "Annan",
        }
    }
}

/// A stored source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub id: i64,
    pub name: String,
    pub kind: Kind,
    /// Forbids the same person and course under another exclusive source.
    pub exclusive: bool,
    /// The funding programme this source is (None for other sources).
    pub programme_id: Option<i64>,
}

/// A source as typed in a form or an API body, before checks.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub name: String,
    pub kind: String,
    pub exclusive: bool,
}

/// A checked source, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub name: String,
    pub kind: Kind,
    pub exclusive: bool,
}

/// Longest name allowed.
pub const MAX_NAME: usize = 200;

/// Check a draft. `others` are the names of the other sources (a name is
/// used once, compared without regard to case).
pub fn check(d: &Draft, others: &[String]) -> Result<Checked, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = match crate::text::single_line(&d.name, "Namnet") {
        Ok(n) => n.trim().to_string(),
        Err(m) => {
            e.add("name", "invalid_text", m);
            String::new()
        }
    };
    if e.is_empty() && (name.is_empty() || name.chars().count() > MAX_NAME) {
        e.add(
            "name",
            "invalid_name",
            format!("Ange finansieringskällans namn (1–{MAX_NAME} tecken)."),
        );
    }
    if !name.is_empty()
        && others
            .iter()
            .any(|o| o.to_lowercase() == name.to_lowercase())
    {
        e.add(
            "name",
            "name_taken",
            format!("Det finns redan en finansieringskälla som heter ”{name}”."),
        );
    }
    let kind = Kind::parse(&d.kind);
    if kind.is_none() {
        e.add(
            "kind",
            "invalid_kind",
            "Välj slag: EU-program, statsbidrag, kommunens egen budget eller annan.",
        );
    }
    e.into_result(()).map(|()| Checked {
        name,
        kind: kind.unwrap_or(Kind::Other),
        exclusive: d.exclusive,
    })
}

/// A source as the double-funding rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    pub id: i64,
    pub name: String,
    pub exclusive: bool,
}

/// Two exclusive sources claiming the same person and course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoubleClaim {
    /// The source being set or booked under.
    pub wanted: String,
    /// The source the person's other participation in the course has.
    pub existing: String,
}

impl DoubleClaim {
    /// The refusal in Swedish, naming both sources (and the person and
    /// course when known).
    pub fn message(&self, person: Option<&str>, course: &str) -> String {
        let who = person.map_or_else(|| "Personen".to_string(), str::to_string);
        format!(
            "{who} deltar redan i kursen ”{course}” med finansiering från {existing}. \
             {wanted} och {existing} får inte båda finansiera samma person och kurs (dubbelfinansiering).",
            existing = self.existing,
            wanted = self.wanted,
        )
    }
}

/// The double-funding rule: may a participation in a course be claimed
/// from `wanted` when the same person's other live participations in the
/// same course (booked, waiting or attended; not cancelled) have the
/// effective sources `existing` (None: no source)? Refused when `wanted`
/// is exclusive and any of them is a different exclusive source; the
/// first such source is named.
pub fn double_claim(
    wanted: Option<&SourceRef>,
    existing: &[Option<SourceRef>],
) -> Result<(), DoubleClaim> {
    let Some(w) = wanted.filter(|w| w.exclusive) else {
        return Ok(());
    };
    match existing
        .iter()
        .flatten()
        .find(|s| s.exclusive && s.id != w.id)
    {
        Some(other) => Err(DoubleClaim {
            wanted: w.name.clone(),
            existing: other.name.clone(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(id: i64, name: &str, exclusive: bool) -> SourceRef {
        SourceRef {
            id,
            name: name.into(),
            exclusive,
        }
    }

    #[test]
    fn two_exclusive_sources_cannot_claim_the_same_person_and_course() {
        let esf = src(1, "ESF+ Kompetenslyftet", true);
        let aol = src(2, "Äldreomsorgslyftet", true);
        let e = double_claim(Some(&esf), &[Some(aol.clone())]).unwrap_err();
        assert_eq!(e.wanted, "ESF+ Kompetenslyftet");
        assert_eq!(e.existing, "Äldreomsorgslyftet");
        let m = e.message(Some("Anna Andersson"), "HLR");
        assert!(m.contains("ESF+ Kompetenslyftet") && m.contains("Äldreomsorgslyftet"));
        assert!(m.contains("Anna Andersson") && m.contains("”HLR”"), "{m}");
        // And the other way round.
        assert!(double_claim(Some(&aol), &[Some(esf)]).is_err());
    }

    #[test]
    fn the_same_source_twice_is_no_double_claim() {
        let esf = src(1, "ESF+", true);
        assert!(double_claim(Some(&esf), &[Some(esf.clone()), Some(esf.clone())]).is_ok());
    }

    #[test]
    fn a_non_exclusive_source_conflicts_with_nothing() {
        let esf = src(1, "ESF+", true);
        let own = src(3, "Kommunens egen budget", false);
        assert!(double_claim(Some(&own), &[Some(esf.clone())]).is_ok());
        assert!(double_claim(Some(&esf), &[Some(own)]).is_ok());
    }

    #[test]
    fn no_source_conflicts_with_nothing() {
        let esf = src(1, "ESF+", true);
        assert!(double_claim(None, &[Some(esf.clone())]).is_ok());
        assert!(double_claim(Some(&esf), &[None]).is_ok());
        assert!(double_claim(Some(&esf), &[]).is_ok());
    }

    #[test]
    fn the_first_conflicting_source_is_named() {
        let esf = src(1, "ESF+", true);
        let own = src(3, "Egen budget", false);
        let aol = src(2, "Äldreomsorgslyftet", true);
        let other = src(4, "Annat statsbidrag", true);
        let e = double_claim(Some(&esf), &[None, Some(own), Some(aol), Some(other)]).unwrap_err();
        assert_eq!(e.existing, "Äldreomsorgslyftet");
    }

    #[test]
    fn a_draft_is_checked_field_by_field() {
        let ok = check(
            &Draft {
                name: " Äldreomsorgslyftet ".into(),
                kind: "state".into(),
                exclusive: true,
            },
            &["ESF+".into()],
        )
        .unwrap();
        assert_eq!(ok.name, "Äldreomsorgslyftet");
        assert_eq!(ok.kind, Kind::State);
        assert!(ok.exclusive);
        let e = check(
            &Draft {
                name: "esf+".into(),
                kind: "lottery".into(),
                exclusive: false,
            },
            &["ESF+".into()],
        )
        .unwrap_err();
        assert!(e.get("name").unwrap().contains("finns redan"));
        assert!(e.get("kind").is_some());
        let e = check(&Draft::default(), &[]).unwrap_err();
        assert!(e.get("name").unwrap().contains("namn"));
        let e = check(
            &Draft {
                name: "a\nb".into(),
                kind: "eu".into(),
                exclusive: true,
            },
            &[],
        )
        .unwrap_err();
        assert!(e.get("name").is_some());
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.code()), Some(k));
            assert!(!k.label_sv().is_empty());
        }
        assert_eq!(Kind::parse("x"), None);
    }
}
