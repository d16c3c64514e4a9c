//! Erasure (GDPR article 17) with the archive exception: what identifies a
//! person goes, what statistics and the funder need stays under a
//! pseudonym. The rules here are pure; `navet_store::erasure` does it.

/// The word that confirms an erasure instead of the person's name.
pub const CONFIRM_WORD: &str = "RADERA";

/// The name an erased person's record carries from then on: "Raderad
/// person" and four hex digits (`tag`, random, not derived from the person).
pub fn pseudonym(tag: &str) -> String {
    format!("Raderad person {}", tag.to_uppercase())
}

/// The e-mail address an erased person's record carries (unique, and in a
/// domain that can never receive mail: `.invalid`, RFC 2606).
pub fn pseudonym_email(person_id: i64) -> String {
    format!("raderad-{person_id}@raderad.invalid")
}

/// Whether a name is an erased person's pseudonym.
pub fn is_pseudonym(name: &str) -> bool {
    name.starts_with("Raderad person ")
}

/// The second confirmation: the person's name as shown, or the confirm
/// word (both without regard to case and surrounding spaces).
pub fn confirmed(typed: &str, name: &str) -> bool {
    let t = typed.trim();
    if t.is_empty() {
        return false;
    }
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(t) == norm(name) || t.eq_ignore_ascii_case(CONFIRM_WORD)
}

/// What goes, in the order the preview lists it (Swedish).
pub const REMOVED_SV: [&str; 8] = [
    "namn, e-postadress och anställningsnummer (ersätts med en pseudonym)",
    "enhet, språkstödsbehov och noterade stödbehov på anmälningar",
    "konto, inloggningar, API-nycklar, tvåstegsverifiering, inbjudan och återställningslänkar",
    "framtida anmälningar och väntelisteplatser (platsen går vidare till väntelistan)",
    "registrerad formell utbildning och frånvaroperioder som utbildningsledare",
    "rader om personen i personalimporter och historiska importer",
    "kalenderlänk och meddelanden till personen; namnet i andra meddelanden",
    "inloggningsförsök med personens e-postadress",
];

/// What stays under the pseudonym, and why (Swedish).
pub const KEPT_SV: [&str; 3] = [
    "kön, kommun och yrkesroll: indikatorrapporten till finansiären ska visa samma siffror för gångna perioder",
    "genomförda kurstillfällen, närvaro, timmar och intygsnummer: statistik och intyg som kan verifieras",
    "granskningsloggen: den innehåller id-nummer, aldrig namn eller e-post",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmed_by_name_or_word_only() {
        assert!(confirmed("Åsa  Lindqvist ", "Åsa Lindqvist"));
        assert!(confirmed("åsa lindqvist", "Åsa Lindqvist"));
        assert!(confirmed("radera", "Åsa Lindqvist"));
        assert!(!confirmed("", "Åsa Lindqvist"));
        assert!(!confirmed("Åsa", "Åsa Lindqvist"));
        assert!(!confirmed("ja", "Åsa Lindqvist"));
    }

    #[test]
    fn pseudonyms_are_recognised_and_carry_no_identity() {
        let p = pseudonym("4f2a");
        assert_eq!(p, "Raderad person 4F2A");
        assert!(is_pseudonym(&p));
        assert!(!is_pseudonym("Åsa Lindqvist"));
        assert_eq!(pseudonym_email(7), "raderad-7@raderad.invalid");
    }
}
