//! What makes a password acceptable: long enough, not one of the most common
//! passwords (or one of them with digits and signs around it), not the
//! person's own e-mail or name, and not a trivial pattern.
//!
//! `passwords/common.txt` holds the 10 000 most common passwords, lower
//! case, one a line (the top of the ranked list in zxcvbn 4.4.2, MIT
//! licence, built from leaked password sets).

use std::collections::HashSet;
use std::sync::OnceLock;

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Long passphrases are welcome; this only bounds the work per request.
pub const MAX_PASSWORD_CHARS: usize = 1024;

const COMMON: &str = include_str!("passwords/common.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Whether the password (in any case) is on the shipped list.
pub fn is_common(pw: &str) -> bool {
    common().contains(pw.to_lowercase().as_str())
}

/// Rows of a Swedish keyboard and the alphabet, for "qwertyuiopås…" and
/// "abcdefgh…" (also backwards).
const SEQUENCES: [&str; 6] = [
    "abcdefghijklmnopqrstuvwxyzåäö",
    "01234567890123456789",
    "qwertyuiopå",
    "asdfghjklöä",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
];

fn is_sequence(lower: &str) -> bool {
    let reversed: String = lower.chars().rev().collect();
    SEQUENCES.iter().any(|s| {
        let doubled = format!("{s}{s}");
        doubled.contains(lower) || doubled.contains(reversed.as_str())
    }) || is_keyboard_walk(lower)
}

/// Rows typed one after the other ("qwertyuiopasdfghjkl").
fn is_keyboard_walk(lower: &str) -> bool {
    const ROWS: &str = "1234567890qwertyuiopåasdfghjklöäzxcvbnm";
    ROWS.contains(lower)
}

/// Made of one short piece repeated ("abcabcabcabc", "hejhejhejhej").
fn is_repetition(chars: &[char]) -> bool {
    let n = chars.len();
    (1..=n / 2)
        .filter(|unit| n.is_multiple_of(*unit))
        .any(|unit| chars.chunks(unit).all(|c| c == &chars[..unit]))
}

/// The word inside: the password without the digits, signs and spaces at
/// either end ("Sommar2024!" → "sommar").
fn core(lower: &str) -> &str {
    lower.trim_matches(|c: char| !c.is_alphabetic())
}

fn letters_and_digits(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Check a new password for the account with `email` and `name`. Returns
/// the Swedish message to show beside the password field.
pub fn check_password(pw: &str, email: &str, name: &str) -> Result<(), String> {
    let chars: Vec<char> = pw.chars().collect();
    if chars.len() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "Lösenordet måste ha minst {MIN_PASSWORD_CHARS} tecken."
        ));
    }
    if chars.len() > MAX_PASSWORD_CHARS {
        return Err(format!(
            "Lösenordet får ha högst {MAX_PASSWORD_CHARS} tecken."
        ));
    }
    let lower = pw.to_lowercase();
    let common_msg = "Lösenordet är för vanligt (det finns på listor över lösenord som används mest och prövas först vid intrång). Välj ett annat, gärna några ord i följd.";
    if is_common(&lower) {
        return Err(common_msg.into());
    }
    if is_common(core(&lower)) {
        return Err(common_msg.into());
    }
    let pattern_msg = "Lösenordet är ett enkelt mönster (upprepade tecken eller en följd som abcd, 1234 eller qwerty). Välj ett annat.";
    let lower_chars: Vec<char> = lower.chars().collect();
    let distinct: HashSet<char> = lower_chars.iter().copied().collect();
    if distinct.len() < 5 || is_repetition(&lower_chars) || is_sequence(&lower) {
        return Err(pattern_msg.into());
    }
    if lower_chars
        .iter()
        .all(|c| c.is_ascii_digit() || !c.is_alphanumeric())
    {
        return Err(
            "Lösenordet får inte bestå av bara siffror (som ett datum eller ett personnummer)."
                .into(),
        );
    }
    let compact = letters_and_digits(pw);
    let local = letters_and_digits(email.split('@').next().unwrap_or(""));
    let full_name = letters_and_digits(name);
    let own = |s: &str| s.chars().count() >= 4 && compact.contains(s);
    if own(&local) || own(&full_name) || compact == letters_and_digits(email) {
        return Err("Lösenordet får inte innehålla din e-postadress eller ditt namn.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(pw: &str) -> bool {
        check_password(pw, "anna.berg@orebro.se", "Anna Berg").is_ok()
    }

    #[test]
    fn the_list_is_shipped_and_normalised() {
        assert_eq!(common().len(), 10_000);
        assert!(is_common("password"));
        assert!(is_common("PassWord"));
        assert!(is_common("qwerty123456"));
    }

    #[test]
    fn short_passwords_are_refused() {
        let e = check_password("kort-ord-1", "a@b.se", "").unwrap_err();
        assert!(e.contains("minst 12 tecken"), "{e}");
        assert!(!ok("x"));
        assert!(!ok(&"ab3".repeat(400)));
    }

    #[test]
    fn common_passwords_and_their_variants_are_refused() {
        for pw in [
            "qwerty123456",
            "QWERTY123456",
            "1qaz2wsx3edc",
            "Password2024!",
            "!!Dragon1234",
            "sunshine123456",
            "iloveyou2026",
            "passwordpassword",
        ] {
            assert!(!ok(pw), "{pw} should be refused");
        }
    }

    #[test]
    fn patterns_are_refused() {
        for pw in [
            "aaaaaaaaaaaa",
            "abababababab",
            "abcabcabcabc",
            "hejhejhejhej",
            "abcdefghijkl",
            "lkjihgfedcba",
            "qwertyuiopåasdf",
            "123456789012",
            "197001011234",
            "2026-03-14 12:00",
        ] {
            assert!(!ok(pw), "{pw} should be refused");
        }
    }

    #[test]
    fn own_email_or_name_is_refused() {
        assert!(!ok("anna.berg@orebro.se"));
        assert!(!ok("Anna.Berg-2026!"));
        assert!(!ok("annaberg_lösen"));
        // Short e-mail local parts ("c@…") are no information.
        assert!(check_password("rätt-lösenord-123", "c@test.se", "c@test.se").is_ok());
    }

    #[test]
    fn good_passwords_pass() {
        for pw in [
            "navet-demo-2026",
            "rätt-lösenord-123",
            "korrekt häst batteri",
            "Sju små sjömän seglar",
            "tXk9-pWq2-mZr4",
        ] {
            assert!(ok(pw), "{pw} should be accepted");
        }
        // The demo accounts' password suits every demo account.
        for (email, name) in [
            ("admin@demo.navet.se", "Administratör"),
            ("samordnare@demo.navet.se", "Sanna Samordnare"),
            ("chef@demo.navet.se", "Carina Chef"),
        ] {
            assert!(check_password("navet-demo-2026", email, name).is_ok());
        }
    }
}
