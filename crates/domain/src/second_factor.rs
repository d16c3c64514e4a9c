//! The second factor for the powerful roles: a time-based one-time code
//! (TOTP, RFC 6238: HMAC-SHA1, 6 digits, 30-second steps — what every
//! authenticator app speaks) after the password, and one-time recovery
//! codes for a lost phone. The code arithmetic is the `totp-rs` crate's;
//! these are the rules around it: who must give a code, which codes count
//! (one step of clock drift either way, never the same step twice), and
//! what a recovery code looks like.

use totp_rs::{Algorithm, Secret, TOTP};

use crate::access::Role;

/// Seconds per time step (RFC 6238's default, and the apps').
pub const STEP_SECS: i64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Steps of clock drift accepted on either side of the server's step.
pub const SKEW_STEPS: i64 = 1;
/// Random bytes in a secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (without the dashes).
pub const RECOVERY_LEN: usize = 12;
/// The characters recovery codes are made of: no 0/o, 1/l/i that are
/// easily mistaken for each other (31 characters, so a code carries about
/// 59 bits).
pub const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// The name the authenticator app shows above the code.
pub const ISSUER: &str = "Navet";

/// Whether a role must give a code after its password. Sign-ins through a
/// municipality's identity provider rely on the provider's own factors.
pub fn required_for(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Coordinator)
}

/// What follows a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPassword {
    /// Signed in.
    SignedIn,
    /// The code from the app (or a recovery code) first.
    Code,
    /// First set up the app (the role requires it and none is set up).
    Enrol,
}

/// The step after the password. An account with a second factor set up
/// always gives a code, whatever its role now (a coordinator who became a
/// trainer keeps the protection they had).
pub fn after_password(role: Role, enrolled: bool) -> AfterPassword {
    match (enrolled, required_for(role)) {
        (true, _) => AfterPassword::Code,
        (false, true) => AfterPassword::Enrol,
        (false, false) => AfterPassword::SignedIn,
    }
}

/// The time step a Unix time falls in.
pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// A secret as stored and shown (base32, no padding) from random bytes.
pub fn encode_secret(bytes: &[u8]) -> String {
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s.trim_end_matches('=').to_string(),
        Secret::Raw(_) => unreachable!("to_encoded gives an encoded secret"),
    }
}

/// The secret grouped in fours for reading aloud or typing into an app.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One account's code generator.
#[derive(Debug, Clone)]
pub struct Generator {
    totp: TOTP,
}

impl Generator {
    /// From a stored base32 secret; `account` is the name the app shows
    /// (the e-mail address). Errors when the secret is not valid base32
    /// of at least 128 bits.
    pub fn new(secret_base32: &str, account: &str) -> Result<Generator, String> {
        let bytes = Secret::Encoded(secret_base32.trim().to_uppercase())
            .to_bytes()
            .map_err(|e| format!("{e:?}"))?;
        // ':' separates issuer and account in the otpauth label.
        let account = account.replace(':', " ");
        let totp = TOTP::new(
            Algorithm::SHA1,
            DIGITS,
            SKEW_STEPS as u8,
            STEP_SECS as u64,
            bytes,
            Some(ISSUER.to_string()),
            account,
        )
        .map_err(|e| e.to_string())?;
        Ok(Generator { totp })
    }

    /// The code for a time step.
    pub fn code_at_step(&self, step: i64) -> String {
        self.totp.generate((step.max(0) * STEP_SECS) as u64)
    }

    /// The `otpauth://totp/…` address the QR code carries.
    pub fn url(&self) -> String {
        self.totp.get_url()
    }
}

/// What was typed in the code field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Six digits (spaces removed).
    Code(String),
    /// A recovery code, normalised to `xxxx-xxxx-xxxx`.
    Recovery(String),
    /// Neither.
    Malformed,
}

/// Read the code field: six digits from the app (spaces allowed, as apps
/// show `123 456`), or a recovery code (any case, dashes and spaces
/// optional).
pub fn read_input(typed: &str) -> Input {
    let compact: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_lowercase();
    if compact.len() == DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Input::Code(compact);
    }
    if compact.len() == RECOVERY_LEN && compact.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        return Input::Recovery(format_recovery(compact.as_bytes()));
    }
    Input::Malformed
}

/// A recovery code from its characters, as shown: `xxxx-xxxx-xxxx`.
pub fn format_recovery(chars: &[u8]) -> String {
    chars
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A recovery code from indices into [`RECOVERY_ALPHABET`] (the caller
/// draws them uniformly at random).
pub fn recovery_from_indices(indices: &[usize]) -> String {
    let chars: Vec<u8> = indices
        .iter()
        .map(|i| RECOVERY_ALPHABET[i % RECOVERY_ALPHABET.len()])
        .collect();
    format_recovery(&chars)
}

/// The verdict on a six-digit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Right, for this time step (to be remembered: no step counts twice).
    Accepted(i64),
    /// Right, but for a step already used (or older): refused, RFC 6238 §5.2.
    Replayed,
    /// Not the code of any step within the drift allowed.
    Wrong,
}

/// Check a six-digit code at `now` against the steps within
/// [`SKEW_STEPS`] of now; `last_step` is the step of the last code
/// accepted for the account (0 when none was).
pub fn check(g: &Generator, code: &str, now: i64, last_step: i64) -> Verdict {
    let here = step_of(now);
    let mut replayed = false;
    // Latest step first: a code that matches two steps counts as the newer.
    for step in ((here - SKEW_STEPS)..=(here + SKEW_STEPS)).rev() {
        if constant_time_eq(g.code_at_step(step).as_bytes(), code.as_bytes()) {
            if step > last_step {
                return Verdict::Accepted(step);
            }
            replayed = true;
        }
    }
    if replayed {
        Verdict::Replayed
    } else {
        Verdict::Wrong
    }
}

/// Compare without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret ("12345678901234567890").
    fn rfc() -> Generator {
        Generator::new(&encode_secret(b"12345678901234567890"), "anna@test.se").unwrap()
    }

    #[test]
    fn codes_follow_rfc_6238_test_vectors() {
        let g = rfc();
        // Appendix B gives 8 digits; the 6-digit code is their last six.
        for (t, eight) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
        ] {
            assert_eq!(g.code_at_step(step_of(t)), eight[2..], "t = {t}");
        }
    }

    #[test]
    fn who_gives_a_code_after_the_password() {
        use AfterPassword::*;
        assert_eq!(after_password(Role::Admin, false), Enrol);
        assert_eq!(after_password(Role::Coordinator, false), Enrol);
        assert_eq!(after_password(Role::Coordinator, true), Code);
        assert_eq!(after_password(Role::Participant, false), SignedIn);
        assert_eq!(after_password(Role::Manager, false), SignedIn);
        assert_eq!(after_password(Role::Trainer, false), SignedIn);
        // Set up once, always asked.
        assert_eq!(after_password(Role::Trainer, true), Code);
    }

    #[test]
    fn a_code_counts_within_one_step_of_drift_and_only_once() {
        let g = rfc();
        let now = 1_800_000_015;
        let here = step_of(now);
        let code = g.code_at_step(here);
        assert_eq!(check(&g, &code, now, 0), Verdict::Accepted(here));
        // The same code again, after it was accepted: refused.
        assert_eq!(check(&g, &code, now, here), Verdict::Replayed);
        // An older code after a newer one was accepted: refused too.
        assert_eq!(
            check(&g, &g.code_at_step(here - 1), now, here),
            Verdict::Replayed
        );
        // The phone a step behind or ahead: accepted.
        assert_eq!(
            check(&g, &g.code_at_step(here - 1), now, 0),
            Verdict::Accepted(here - 1)
        );
        assert_eq!(
            check(&g, &g.code_at_step(here + 1), now, here),
            Verdict::Accepted(here + 1)
        );
        // Two steps off: wrong.
        assert_eq!(check(&g, &g.code_at_step(here - 2), now, 0), Verdict::Wrong);
        assert_eq!(check(&g, &g.code_at_step(here + 2), now, 0), Verdict::Wrong);
        assert_eq!(check(&g, "12345", now, 0), Verdict::Wrong);
    }

    #[test]
    fn another_secret_gives_other_codes() {
        let g = rfc();
        let other = Generator::new(&encode_secret(&[7u8; SECRET_BYTES]), "b@test.se").unwrap();
        let now = 1_800_000_000;
        let mine = g.code_at_step(step_of(now));
        // Equal by chance in one case in a million; these two differ.
        assert_ne!(mine, other.code_at_step(step_of(now)));
        assert_eq!(check(&other, &mine, now, 0), Verdict::Wrong);
    }

    #[test]
    fn secrets_are_base32_and_short_ones_are_refused() {
        let s = encode_secret(&[0xff; SECRET_BYTES]);
        assert_eq!(s.len(), 32);
        assert!(s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
        // 80 bits is too short for the crate (and for RFC 4226).
        assert!(Generator::new(&encode_secret(&[1u8; 10]), "a@b.se").is_err());
        assert!(Generator::new("not base32!", "a@b.se").is_err());
        // Lower case and spaces as typed back from the page still read.
        assert!(Generator::new(&s.to_lowercase(), "a@b.se").is_ok());
    }

    #[test]
    fn the_qr_address_names_navet_and_the_account() {
        let g = Generator::new(&encode_secret(b"12345678901234567890"), "anna@test.se").unwrap();
        let url = g.url();
        assert!(
            url.starts_with("otpauth://totp/Navet:anna%40test.se?"),
            "{url}"
        );
        assert!(
            url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{url}"
        );
        assert!(url.contains("issuer=Navet"), "{url}");
    }

    #[test]
    fn the_code_field_reads_codes_and_recovery_codes() {
        assert_eq!(read_input(" 123 456 "), Input::Code("123456".into()));
        assert_eq!(
            read_input("ABCD-EFGH-JKMN"),
            Input::Recovery("abcd-efgh-jkmn".into())
        );
        assert_eq!(
            read_input("abcdefghjkmn"),
            Input::Recovery("abcd-efgh-jkmn".into())
        );
        for bad in [
            "",
            "12345",
            "1234567",
            "abcd-efgh-jkm",
            "abcd-efgh-jkm0",
            "12a456",
        ] {
            assert_eq!(read_input(bad), Input::Malformed, "{bad:?}");
        }
    }

    #[test]
    fn recovery_codes_use_the_plain_alphabet() {
        let idx: Vec<usize> = (0..RECOVERY_LEN).collect();
        let code = recovery_from_indices(&idx);
        assert_eq!(code, "abcd-efgh-jkmn");
        assert_eq!(read_input(&code), Input::Recovery(code.clone()));
        assert!(!RECOVERY_ALPHABET.iter().any(|c| b"01ilo".contains(c)));
    }
}
