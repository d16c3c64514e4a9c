//! Records of processing (GDPR article 30, first half): each category of
//! personal data Navet holds, why, who can see it and how long it is kept.
//! "How long" comes from the configured retention [`Schedule`], so the
//! page, the documentation (docs/privacy.md, checked by a test) and the
//! daily job cannot drift apart.

use crate::retention::{Kind, Schedule};

/// How long a category is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// By a rule of the schedule.
    Rule(Kind),
    /// A fixed statement (not configurable).
    Fixed(&'static str),
}

/// One category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    pub name: &'static str,
    pub data: &'static str,
    pub purpose: &'static str,
    pub who: &'static str,
    pub kept: Kept,
}

/// Every category of personal data Navet holds.
pub const CATEGORIES: [Category; 11] = [
    Category {
        name: "Medarbetare",
        data: "namn, e-post, anställningsnummer, kön, yrkesroll, kommun, enhet",
        purpose: "boka utbildning, följa kompetens, rapportera till finansiären",
        who: "personen själv, chefer för personens enhet, samordnare, administratörer",
        kept: Kept::Rule(Kind::LeftPeople),
    },
    Category {
        name: "Konton och inloggning",
        data: "e-post, lösenordshash, tvåstegsverifiering, API-nycklar",
        purpose: "inloggning och behörighet",
        who: "personen själv, administratörer",
        kept: Kept::Fixed("tills personen slutar eller raderas"),
    },
    Category {
        name: "Inloggningssessioner",
        data: "sessionsnyckel (hash), tidpunkter",
        purpose: "hålla personen inloggad",
        who: "ingen (endast systemet)",
        kept: Kept::Rule(Kind::WebSessions),
    },
    Category {
        name: "Anmälningar och närvaro",
        data: "kurstillfälle, status, närvaro, vem som bokade",
        purpose: "genomföra kurser, intyg, indikatorrapport till finansiären",
        who: "personen själv, chefer, kurstillfällets utbildningsledare, samordnare",
        kept: Kept::Rule(Kind::Bookings),
    },
    Category {
        name: "Väntelista och avbokningar",
        data: "plats på väntelistan, avbokningstid",
        purpose: "fördela lediga platser rättvist",
        who: "personen själv, chefer, samordnare",
        kept: Kept::Rule(Kind::Waitlist),
    },
    Category {
        name: "Stöd- och språkstödsbehov",
        data: "fritext om stödbehov, språkstöd",
        purpose: "anpassa kurstillfället",
        who: "kurstillfällets utbildningsledare, samordnare",
        kept: Kept::Rule(Kind::Bookings),
    },
    Category {
        name: "Genomförda kurser och intyg",
        data: "kurs, datum, timmar, intygsnummer, giltighet",
        purpose: "intyg som kan verifieras, kompetensuppföljning",
        who: "personen själv, chefer, samordnare; intygets kod: den som har intyget",
        kept: Kept::Fixed("så länge intyget kan verifieras; efter radering under pseudonym"),
    },
    Category {
        name: "Personalimporter",
        data: "namn, e-post och anställningsnummer före och efter importen",
        purpose: "kunna ångra en import",
        who: "chefer som importerat, samordnare",
        kept: Kept::Rule(Kind::StaffImportRows),
    },
    Category {
        name: "Inbjudningar och återställningslänkar",
        data: "länkens hash, giltighetstid",
        purpose: "första inloggning och nytt lösenord",
        who: "ingen (endast systemet)",
        kept: Kept::Rule(Kind::Tokens),
    },
    Category {
        name: "Meddelanden",
        data: "mottagarens e-post, ämne och text",
        purpose: "bokningsbekräftelser, påminnelser, enkäter",
        who: "administratörer (utkorgen)",
        kept: Kept::Fixed("tills mottagaren raderas eller pseudonymiseras"),
    },
    Category {
        name: "Granskningslogg",
        data: "vem (konto-id) läste eller ändrade vad (person-id), när",
        purpose: "följa upp åtkomst till personuppgifter",
        who: "administratörer",
        kept: Kept::Rule(Kind::AuditLog),
    },
];

/// A category with its retention spelled out under `schedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: &'static str,
    pub data: &'static str,
    pub purpose: &'static str,
    pub who: &'static str,
    pub kept: String,
}

/// The records under `schedule`.
pub fn records(schedule: &Schedule) -> Vec<Record> {
    CATEGORIES
        .iter()
        .map(|c| Record {
            name: c.name,
            data: c.data,
            purpose: c.purpose,
            who: c.who,
            kept: match c.kept {
                Kept::Rule(k) => schedule.kept_sv(k),
                Kept::Fixed(s) => s.to_string(),
            },
        })
        .collect()
}

/// The records as a Markdown table (docs/privacy.md carries it verbatim
/// for the default schedule).
pub fn markdown(schedule: &Schedule) -> String {
    let mut s = String::from(
        "| kategori | uppgifter | ändamål | vem ser dem | hur länge |\n|---|---|---|---|---|\n",
    );
    for r in records(schedule) {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.name, r.data, r.purpose, r.who, r.kept
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_follows_the_schedule() {
        let s = Schedule {
            waitlist_days: 90,
            ..Schedule::default()
        };
        let r = records(&s);
        let wait = r
            .iter()
            .find(|r| r.name == "Väntelista och avbokningar")
            .unwrap();
        assert_eq!(wait.kept, "90 dagar efter kurstillfället");
        assert!(markdown(&s).contains("| 90 dagar efter kurstillfället |"));
    }

    #[test]
    fn every_rule_of_the_schedule_appears() {
        for k in Kind::ALL {
            assert!(
                CATEGORIES.iter().any(|c| c.kept == Kept::Rule(k)),
                "{k:?} is in no category"
            );
        }
    }

    #[test]
    fn docs_carry_the_same_table() {
        let docs = include_str!("../../../docs/privacy.md");
        let table = markdown(&Schedule::default());
        assert!(
            docs.contains(&table),
            "docs/privacy.md must carry this table verbatim:\n{table}"
        );
    }
}
