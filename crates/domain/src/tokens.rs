//! Rules for API tokens: names, expiry, read-only scope, who may revoke
//! which, and how often "last used" is written.

use crate::FieldErrors;

/// A personal token lasts this long unless something else is asked for.
pub const DEFAULT_EXPIRY_DAYS: i64 = 90;
/// The longest expiry a token can be given in days (service tokens without
/// an expiry are made on the command line).
pub const MAX_EXPIRY_DAYS: i64 = 3650;
pub const MAX_NAME_CHARS: usize = 100;
/// "Last used" is written at most this often per token, so the API's hot
/// path does not pay a write per request.
pub const TOUCH_EVERY_SECS: i64 = 60;

/// A token to be made, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDraft {
    pub name: String,
    /// Days until it expires; `None` never expires.
    pub expires_days: Option<i64>,
    pub read_only: bool,
}

impl TokenDraft {
    /// When it expires, counted from `now` (Unix seconds).
    pub fn expires_at(&self, now: i64) -> Option<i64> {
        self.expires_days.map(|d| now + d * 86_400)
    }
}

/// Check a name and an expiry typed in a form or given on the command line.
/// `expires_days` empty means the default; `no_expiry` asks for none.
pub fn check(
    name: &str,
    expires_days: &str,
    no_expiry: bool,
    read_only: bool,
) -> Result<TokenDraft, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = name.trim().to_string();
    if name.is_empty() {
        e.add(
            "name",
            "required",
            "Ge nyckeln ett namn (t.ex. vad den används till).",
        );
    } else if name.chars().count() > MAX_NAME_CHARS {
        e.add(
            "name",
            "too_long",
            format!("Namnet får vara högst {MAX_NAME_CHARS} tecken."),
        );
    }
    let expires_days = if no_expiry {
        None
    } else if expires_days.trim().is_empty() {
        Some(DEFAULT_EXPIRY_DAYS)
    } else {
        match expires_days.trim().parse::<i64>() {
            Ok(d) if (1..=MAX_EXPIRY_DAYS).contains(&d) => Some(d),
            _ => {
                e.add(
                    "expires_days",
                    "invalid_expiry",
                    format!("Giltighetstiden anges i hela dagar, 1–{MAX_EXPIRY_DAYS}."),
                );
                None
            }
        }
    };
    e.into_result(TokenDraft {
        name,
        expires_days,
        read_only,
    })
}

/// Whether a token still opens the API at `now`.
pub fn is_usable(now: i64, expires_at: Option<i64>, revoked: bool) -> bool {
    !revoked && expires_at.is_none_or(|t| now < t)
}

/// A read-only token may only read: GET and HEAD.
pub fn allows_method(read_only: bool, method: &str) -> bool {
    !read_only || matches!(method, "GET" | "HEAD")
}

/// Whether "last used" should be written now.
pub fn needs_touch(last_used_at: Option<i64>, now: i64) -> bool {
    last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_expiry_is_ninety_days() {
        let d = check("rapporter", "", false, false).unwrap();
        assert_eq!(d.expires_days, Some(90));
        assert_eq!(d.expires_at(1000), Some(1000 + 90 * 86_400));
        let none = check("tjänst", "", true, true).unwrap();
        assert_eq!(none.expires_at(1000), None);
        assert!(none.read_only);
    }

    #[test]
    fn bad_input_names_the_field() {
        let e = check("  ", "0", false, false).unwrap_err();
        assert!(e.get("name").is_some());
        assert!(e.get("expires_days").is_some());
        assert!(check("x", "abc", false, false)
            .unwrap_err()
            .get("expires_days")
            .is_some());
        assert!(check("x", "3651", false, false).is_err());
        assert!(check(&"n".repeat(101), "", false, false).is_err());
    }

    #[test]
    fn expired_and_revoked_tokens_are_not_usable() {
        assert!(is_usable(10, None, false));
        assert!(is_usable(10, Some(11), false));
        assert!(!is_usable(11, Some(11), false));
        assert!(!is_usable(10, None, true));
    }

    #[test]
    fn read_only_tokens_only_read() {
        assert!(allows_method(true, "GET"));
        assert!(allows_method(true, "HEAD"));
        for m in ["POST", "PUT", "PATCH", "DELETE"] {
            assert!(!allows_method(true, m));
            assert!(allows_method(false, m));
        }
    }

    #[test]
    fn last_used_is_written_at_most_once_a_minute() {
        assert!(needs_touch(None, 100));
        assert!(!needs_touch(Some(100), 159));
        assert!(needs_touch(Some(100), 160));
    }
}
