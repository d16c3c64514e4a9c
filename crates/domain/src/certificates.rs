//! Course certificates (kursintyg): numbering, verification codes and
//! expiry for courses that must be renewed.

use chrono::{Months, NaiveDate};

/// Certificate numbers run per year: `KN-2026-000123`.
pub fn certificate_number(year: i32, seq: i64) -> String {
    format!("KN-{year}-{seq:06}")
}

/// The alphabet of verification codes: Crockford base32 (no I, L, O, U), so
/// a code read aloud or typed from paper is hard to get wrong.
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random characters in a code (50 bits) plus one check character.
pub const CODE_RANDOM_CHARS: usize = 10;

fn check_char(chars: &[u8]) -> u8 {
    // Odd weights mod 32: every single changed character changes the sum.
    let sum: usize = chars
        .iter()
        .enumerate()
        .map(|(i, c)| (2 * i + 1) * CODE_ALPHABET.iter().position(|a| a == c).unwrap_or(0))
        .sum();
    CODE_ALPHABET[sum % 32]
}

/// Build a verification code from random bytes: `ABCDE-FGHJK-M` (the last
/// character is a check character).
pub fn verification_code(random: &[u8; CODE_RANDOM_CHARS]) -> String {
    let chars: Vec<u8> = random
        .iter()
        .map(|b| CODE_ALPHABET[(*b as usize) % 32])
        .collect();
    let check = check_char(&chars);
    format!(
        "{}-{}-{}",
        std::str::from_utf8(&chars[..5]).unwrap(),
        std::str::from_utf8(&chars[5..]).unwrap(),
        check as char
    )
}

/// Normalise a typed code: upper case, no spaces or dashes, and the letters
/// people confuse with digits read as those digits. `None` when it is not
/// a well-formed code (wrong length, bad character or check character).
pub fn normalize_code(input: &str) -> Option<String> {
    let chars: Vec<u8> = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{a0}'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
        .collect();
    if chars.len() != CODE_RANDOM_CHARS + 1 || !chars.iter().all(|c| CODE_ALPHABET.contains(c)) {
        return None;
    }
    let (body, check) = chars.split_at(CODE_RANDOM_CHARS);
    if check_char(body) != check[0] {
        return None;
    }
    Some(format!(
        "{}-{}-{}",
        std::str::from_utf8(&body[..5]).unwrap(),
        std::str::from_utf8(&body[5..]).unwrap(),
        check[0] as char
    ))
}

/// The expiry date of a completion of a course valid for `validity_months`.
pub fn expiry(completed_on: NaiveDate, validity_months: Option<i64>) -> Option<NaiveDate> {
    let m = u32::try_from(validity_months?).ok().filter(|m| *m > 0)?;
    completed_on.checked_add_months(Months::new(m))
}

/// Whether a completion expiring on `expires_on` should appear in the
/// "expires soon" list on `today` (within `days`, not yet expired).
pub fn expires_within(expires_on: NaiveDate, today: NaiveDate, days: i64) -> bool {
    let left = (expires_on - today).num_days();
    (0..=days).contains(&left)
}

/// How many days before expiry people are reminded.
pub const REMINDER_DAYS_BEFORE: i64 = 60;
/// How far ahead managers see expiring completions.
pub const EXPIRING_WINDOW_DAYS: i64 = 90;

/// The holder's initials as the public check shows them ("Åsa
/// Öberg-Lindström" → "Å. Ö."): enough to match the paper in hand, never
/// the name itself.
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = |w: &str| {
        w.chars()
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
    };
    let picked: Vec<String> = match words.as_slice() {
        [] => vec![],
        [one] => first(one).into_iter().collect(),
        [a, .., z] => first(a).into_iter().chain(first(z)).collect(),
    };
    picked
        .iter()
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Attendance can be closed (and certificates issued) only once the
/// session has ended: nobody is certified for a course still under way.
pub fn may_close(now: i64, session_ends_at: i64) -> Result<(), &'static str> {
    if now < session_ends_at {
        Err("Kurstillfället har inte slutat ännu. Närvaron kan stängas och intygen utfärdas när det är slut.")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_never_give_the_name() {
        assert_eq!(initials("Åsa Öberg-Lindström"), "Å. Ö.");
        assert_eq!(initials("  åsa  maria   öberg "), "Å. Ö.");
        assert_eq!(initials("Madonna"), "M.");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn closing_waits_for_the_end_of_the_session() {
        assert!(may_close(999, 1000).is_err());
        assert!(may_close(1000, 1000).is_ok());
        assert!(may_close(5000, 1000).is_ok());
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn numbers_are_per_year_and_zero_padded() {
        assert_eq!(certificate_number(2026, 123), "KN-2026-000123");
        assert_eq!(certificate_number(2026, 1_234_567), "KN-2026-1234567");
    }

    #[test]
    fn codes_round_trip_and_catch_typos() {
        let code = verification_code(&[1, 2, 3, 4, 5, 250, 31, 32, 99, 0]);
        assert_eq!(code.len(), 13);
        assert_eq!(normalize_code(&code).as_deref(), Some(code.as_str()));
        // Lower case, spaces and no dashes are fine.
        let sloppy = code.replace('-', " ").to_lowercase();
        assert_eq!(normalize_code(&sloppy).as_deref(), Some(code.as_str()));
        // Any single changed character is caught.
        let body: Vec<char> = code.chars().collect();
        for i in [0usize, 3, 7, 12] {
            let mut t = body.clone();
            t[i] = if t[i] == 'A' { 'B' } else { 'A' };
            let typo: String = t.into_iter().collect();
            assert_eq!(normalize_code(&typo), None, "{typo}");
        }
        assert_eq!(normalize_code("KN-2026-000123"), None);
        assert_eq!(normalize_code(""), None);
        assert_eq!(normalize_code("ÅÄÖÅÄ-ÅÄÖÅÄ-Å"), None);
    }

    #[test]
    fn confusable_letters_read_as_digits() {
        let code = verification_code(&[0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
        assert!(code.starts_with("01010"));
        let typed = code.replace('0', "O").replace('1', "l");
        assert_eq!(normalize_code(&typed).as_deref(), Some(code.as_str()));
    }

    #[test]
    fn expiry_follows_validity_months() {
        assert_eq!(expiry(d("2026-01-31"), Some(12)), Some(d("2027-01-31")));
        assert_eq!(expiry(d("2026-01-31"), Some(1)), Some(d("2026-02-28")));
        assert_eq!(expiry(d("2026-01-31"), None), None);
        assert_eq!(expiry(d("2026-01-31"), Some(0)), None);
    }

    #[test]
    fn expiring_window() {
        let today = d("2026-03-01");
        assert!(expires_within(d("2026-03-01"), today, 90));
        assert!(expires_within(d("2026-05-30"), today, 90));
        assert!(!expires_within(d("2026-05-31"), today, 90));
        assert!(!expires_within(d("2026-02-28"), today, 90));
    }
}
