//! Single-line text fields (names, titles, venues, e-mail addresses): one
//! line of visible text, in one Unicode form.
//!
//! A line break in a name would let it add headers to the e-mail it is
//! written into; a bidi override makes text read differently from what
//! it is; zero-width characters make two equal-looking names differ. So:
//! control characters (CR, LF, TAB and the rest, and the Unicode line and
//! paragraph separators) are refused, bidi embeddings, overrides and
//! isolates are refused, zero-width characters are removed, and the text
//! is put in NFC (so "å" typed as "a" + ring is the same name as "å").

use unicode_normalization::UnicodeNormalization;

fn is_line_break_or_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// U+202A–202E (embeddings and overrides) and U+2066–2069 (isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Zero-width space, non-joiner, joiner, word joiner and the byte-order mark.
fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// The field's text, trimmed, without zero-width characters and in NFC; or
/// the Swedish message naming the field (`label`, e.g. "Namnet") when it
/// holds a control character or a bidi control.
pub fn single_line(value: &str, label: &str) -> Result<String, String> {
    if value.chars().any(is_line_break_or_control) {
        return Err(format!(
            "{label} får inte innehålla radbrytningar, tabbar eller andra styrtecken."
        ));
    }
    if value.chars().any(is_bidi_control) {
        return Err(format!(
            "{label} får inte innehålla tecken som vänder skriftriktningen (U+202A–202E, U+2066–2069)."
        ));
    }
    let cleaned: String = value.chars().filter(|c| !is_zero_width(*c)).nfc().collect();
    Ok(cleaned.trim().to_string())
}

/// The message for a value that names nothing known (a role, a
/// municipality, a course …): "Okänd yrkesroll ”Usk”." — or, when the
/// value is empty, "Ange yrkesroll." rather than quoting nothing.
/// `what` is the thing in Swedish, lower case ("yrkesroll", "kommun").
pub fn unknown(what: &str, value: &str) -> String {
    let v = crate::tabular::excerpt(value);
    if v.is_empty() {
        format!("Ange {what}.")
    } else {
        format!("Okänd {what} ”{v}”.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_quoted_and_empty_ones_asked_for() {
        assert_eq!(unknown("yrkesroll", " Usk "), "Okänd yrkesroll ”Usk”.");
        assert_eq!(unknown("yrkesroll", ""), "Ange yrkesroll.");
        assert_eq!(unknown("kommun", "  "), "Ange kommun.");
        assert!(!unknown("kurs", "").contains("””"));
        assert!(unknown("kurs", &"x".repeat(100)).ends_with("…”."));
    }

    #[test]
    fn control_characters_are_refused_naming_the_field() {
        for bad in [
            "Anna\r\nBcc: x@evil.se",
            "Anna\nBerg",
            "Anna\tBerg",
            "Anna\u{0}",
            "Anna\u{85}Berg",
            "Anna\u{2028}Berg",
            "Anna\u{2029}",
            "\u{1b}[31mAnna",
        ] {
            let e = single_line(bad, "Namnet").unwrap_err();
            assert!(e.starts_with("Namnet får inte"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn bidi_overrides_and_isolates_are_refused() {
        for bad in ["Anna\u{202E}greB", "\u{202A}x", "x\u{2066}y\u{2069}"] {
            let e = single_line(bad, "Kursnamnet").unwrap_err();
            assert!(e.contains("skriftriktningen"), "{e}");
        }
    }

    #[test]
    fn zero_width_characters_are_removed_and_text_is_nfc() {
        assert_eq!(
            single_line("\u{FEFF}An\u{200B}na Be\u{200D}rg\u{2060}", "Namnet").unwrap(),
            "Anna Berg"
        );
        // "Åsa Öberg" typed with combining marks becomes the composed form.
        let decomposed = "A\u{30A}sa O\u{308}berg";
        assert_eq!(single_line(decomposed, "Namnet").unwrap(), "Åsa Öberg");
        assert_eq!(single_line("  Åsa  ", "Namnet").unwrap(), "Åsa");
    }
}
