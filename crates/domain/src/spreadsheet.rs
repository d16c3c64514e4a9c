//! Cells written to CSV and XLSX files that people open in Excel.

use std::borrow::Cow;

/// Neutralise formula injection: a text cell that begins with `=`, `+`,
/// `-`, `@` (or a tab or carriage return, which Excel strips before
/// looking) gets a leading apostrophe, so a spreadsheet shows it as text
/// instead of running it.
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// A number with a space as thousands separator and a decimal comma
/// (`1 834`, `3,5`), the Swedish way.
pub fn format_number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "−"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starters_are_neutralised() {
        for bad in ["=SUM(A1)", "+46701234567", "-2+3", "@cmd", "\t=1", "\r=1"] {
            assert!(safe_cell(bad).starts_with('\''), "{bad}");
        }
        for ok in ["Örebro", "kvinna", "", "12", "a=b"] {
            assert_eq!(safe_cell(ok), ok);
        }
    }

    #[test]
    fn swedish_number_format() {
        assert_eq!(format_number(1834.0, 0), "1\u{a0}834");
        assert_eq!(format_number(23_731_055.0, 0), "23\u{a0}731\u{a0}055");
        assert_eq!(format_number(3.5, 1), "3,5");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(-1234.5, 1), "−1\u{a0}234,5");
        assert_eq!(format_number(-0.01, 0), "0");
    }
}
