//! Field values that have passed their check. A function that holds an
//! [`Email`], a [`PersonName`] or [`Hours`] need not check it again, and a
//! validator states what each field is instead of repeating how to check it.
//! Each `parse` answers the Swedish message a form or an import shows.

use std::fmt;

use crate::tabular::excerpt;

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_EMAIL_CHARS: usize = 254;

/// A person's name: one line, trimmed, 1–120 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(name: &str) -> Result<Self, String> {
        let n = crate::text::single_line(name, "Namnet")?;
        if n.is_empty() {
            return Err("Namn måste fyllas i.".into());
        }
        if n.chars().count() > MAX_NAME_CHARS {
            return Err(format!("Namnet får vara högst {MAX_NAME_CHARS} tecken."));
        }
        Ok(Self(n))
    }
}

/// An e-mail address, lower-cased and trimmed, with a plausible shape (one
/// @, a dot in the domain, no spaces). Deliverability is proven by mail,
/// not by a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub fn parse(email: &str) -> Result<Self, String> {
        let e = crate::text::single_line(email, "E-postadressen")?.to_lowercase();
        if e.is_empty() {
            return Err("E-postadress måste fyllas i.".into());
        }
        if e.chars().count() > MAX_EMAIL_CHARS {
            return Err(format!(
                "E-postadressen får vara högst {MAX_EMAIL_CHARS} tecken."
            ));
        }
        let plausible = match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !e.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !plausible {
            return Err(format!(
                "”{}” är inte en giltig e-postadress.",
                excerpt(email)
            ));
        }
        Ok(Self(e))
    }
}

macro_rules! text_field {
    ($t:ty) => {
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
    };
}
text_field!(PersonName);
text_field!(Email);

/// A number of hours greater than 0 and at most a limit the caller names
/// (a course's length, one day's participation). Written with a comma or a
/// point, spaces allowed between thousands.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Hours(f64);

impl Hours {
    /// `None` when the text is not a number, not above 0, or over `max`;
    /// callers word the message for their field.
    pub fn parse(text: &str, max: f64) -> Option<Self> {
        parse_decimal(text)
            .filter(|h| *h > 0.0 && *h <= max)
            .map(Self)
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Hours {
    /// Swedish form: "3", "3,5".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 {
            write!(f, "{:.0}", self.0)
        } else {
            f.write_str(&format!("{}", self.0).replace('.', ","))
        }
    }
}

/// A decimal number written with a comma or a point (spaces and no-break
/// spaces between thousands allowed); never NaN or infinite.
pub fn parse_decimal(s: &str) -> Option<f64> {
    s.trim()
        .replace(',', ".")
        .replace(['\u{a0}', ' '], "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Anna.Berg@Orebro.SE ").unwrap().as_str(),
            "anna.berg@orebro.se"
        );
        for bad in [
            "", "anna", "anna@", "@x.se", "a@b", "a b@c.se", "a@@b.se", "a@.se", "a@x.se.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        let long = format!("{}@x.se", "a".repeat(MAX_EMAIL_CHARS));
        assert!(Email::parse(&long).unwrap_err().contains("högst 254"));
    }

    #[test]
    fn name_is_trimmed_one_line_and_bounded() {
        assert_eq!(
            PersonName::parse("  Åsa Öberg ").unwrap().as_str(),
            "Åsa Öberg"
        );
        assert_eq!(
            PersonName::parse("   ").unwrap_err(),
            "Namn måste fyllas i."
        );
        assert!(PersonName::parse("Åsa\nÖberg").is_err());
        assert!(PersonName::parse(&"Å".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(PersonName::parse(&"Å".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn hours_take_a_comma_or_a_point_within_the_limit() {
        assert_eq!(Hours::parse("3,5", 24.0).map(Hours::get), Some(3.5));
        assert_eq!(
            Hours::parse(" 1 000 ", 1000.0).map(Hours::get),
            Some(1000.0)
        );
        for bad in ["0", "-1", "tre", "", "NaN", "inf", "24,5"] {
            assert_eq!(Hours::parse(bad, 24.0), None, "{bad}");
        }
        assert_eq!(Hours::parse("7", 24.0).unwrap().to_string(), "7");
        assert_eq!(Hours::parse("7,5", 24.0).unwrap().to_string(), "7,5");
    }

    #[test]
    fn decimals_ignore_thousand_spaces() {
        assert_eq!(parse_decimal("3,5"), Some(3.5));
        assert_eq!(parse_decimal("1 834,25"), Some(1834.25));
        assert_eq!(parse_decimal("tre"), None);
    }
}
