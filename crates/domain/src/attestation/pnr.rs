//! Swedish personal identity numbers (personnummer, and the coordination
//! numbers, samordningsnummer, whose day is raised by 60). Navet never
//! requires one; where a hub keeps one for the funder's participant
//! reporting it is checked here (twelve digits, a real date, the check
//! digit) and shown masked everywhere as `YYYYMMDD-****`.

use chrono::NaiveDate;

use crate::FieldError;

/// The field name forms and the API use.
pub const FIELD: &str = "personal_identity_number";
/// The column that holds it (`people.personal_number`).
pub const COLUMN: &str = "personal_number";

fn bad(code: &'static str, message: &str) -> FieldError {
    FieldError::new(FIELD, code, message)
}

/// The Luhn check over the ten digits after the century.
fn luhn_ok(ten: &[u8]) -> bool {
    let sum: u32 = ten
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(d - b'0') * if i % 2 == 0 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Check a typed number: `YYYYMMDD-NNNN` or `YYYYMMDDNNNN` (spaces
/// ignored). Returns it as `YYYYMMDD-NNNN`, or a message naming the field.
pub fn check(s: &str) -> Result<String, FieldError> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let digits: String = match t.len() {
        13 if t.as_bytes()[8] == b'-' || t.as_bytes()[8] == b'+' => {
            format!("{}{}", &t[..8], &t[9..])
        }
        12 => t.clone(),
        _ => {
            return Err(bad(
                "bad_format",
                "Personnumret ska skrivas med tolv siffror: ÅÅÅÅMMDD-NNNN.",
            ))
        }
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(
            "bad_format",
            "Personnumret ska skrivas med tolv siffror: ÅÅÅÅMMDD-NNNN.",
        ));
    }
    let y: i32 = digits[..4].parse().unwrap_or(0);
    let m: u32 = digits[4..6].parse().unwrap_or(0);
    let mut d: u32 = digits[6..8].parse().unwrap_or(0);
    if d > 60 {
        d -= 60; // samordningsnummer
    }
    if y < 1880 || NaiveDate::from_ymd_opt(y, m, d).is_none() {
        return Err(bad(
            "bad_date",
            "Personnumrets datumdel (ÅÅÅÅMMDD) är inte ett giltigt datum.",
        ));
    }
    if !luhn_ok(&digits.as_bytes()[2..]) {
        return Err(bad(
            "bad_check_digit",
            "Personnumrets kontrollsiffra stämmer inte. Kontrollera siffrorna.",
        ));
    }
    Ok(format!("{}-{}", &digits[..8], &digits[8..]))
}

/// The year of birth a checked number gives.
pub fn birth_year(checked: &str) -> Option<i32> {
    checked.get(..4)?.parse().ok()
}

/// `YYYYMMDD-****`: how a number is shown to everyone but the ESF
/// reporter.
pub fn mask(checked: &str) -> String {
    match checked.get(..8) {
        Some(date) => format!("{date}-****"),
        None => "****".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers_are_normalised() {
        // Skatteverket's test number 19121212-1212.
        assert_eq!(check("19121212-1212").unwrap(), "19121212-1212");
        assert_eq!(check("191212121212").unwrap(), "19121212-1212");
        assert_eq!(check(" 19121212 1212 ").unwrap(), "19121212-1212");
        // A coordination number (day + 60) with a correct check digit.
        assert_eq!(check("19121272-1219").unwrap(), "19121272-1219");
        assert_eq!(birth_year("19121212-1212"), Some(1912));
        assert_eq!(mask("19121212-1212"), "19121212-****");
    }

    #[test]
    fn bad_numbers_name_the_field_and_what_is_wrong() {
        let e = check("121212-1212").unwrap_err();
        assert_eq!(e.field, FIELD);
        assert_eq!(e.code, "bad_format");
        assert_eq!(check("19121312-1212").unwrap_err().code, "bad_date");
        assert_eq!(check("19121212-1213").unwrap_err().code, "bad_check_digit");
        assert_eq!(check("1912121a-1212").unwrap_err().code, "bad_format");
        assert!(check("19121212-1213")
            .unwrap_err()
            .message
            .contains("kontrollsiffra"));
    }
}
