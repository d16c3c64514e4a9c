//! Sign-in through a municipality's OpenID provider: who gets in, and
//! which provider settings are acceptable. The protocol itself (state,
//! nonce, PKCE, token signatures) is checked by the web tier with a
//! library; these are the rules around it.

/// Which field of the staff record the provider's claim is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOn {
    /// `people.email`, compared without regard to case.
    Email,
    /// `people.employee_no` within the provider's municipality, exactly.
    EmployeeNo,
}

impl MatchOn {
    pub fn parse(s: &str) -> Option<MatchOn> {
        match s {
            "email" => Some(MatchOn::Email),
            "employee_no" => Some(MatchOn::EmployeeNo),
            _ => None,
        }
    }

    /// The claim value as it is compared: e-mail addresses trimmed and
    /// in lower case, employee numbers trimmed.
    pub fn normalise(self, value: &str) -> String {
        match self {
            MatchOn::Email => value.trim().to_lowercase(),
            MatchOn::EmployeeNo => value.trim().to_string(),
        }
    }
}

/// The staff record the claim matched, as far as the decision needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub person_id: i64,
    pub municipality: String,
    /// The person is marked as left (`people.active = 0`).
    pub left: bool,
    /// The account linked to the person: its id and whether it is enabled.
    pub account: Option<(i64, bool)>,
}

/// Why someone is not let in. Each has its own Swedish page text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The claim is missing or empty in the ID token.
    NoClaim,
    /// Nobody in the staff list has that value.
    NoMatch,
    /// The person belongs to another municipality than the provider's.
    OtherMunicipality,
    /// The person is marked as left.
    Left,
    /// The person's account was disabled in Navet.
    AccountDisabled,
}

impl Refusal {
    /// The reason code written to the audit log and used as the text key.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NoClaim => "oidc_no_claim",
            Refusal::NoMatch => "oidc_no_match",
            Refusal::OtherMunicipality => "oidc_other_municipality",
            Refusal::Left => "oidc_person_left",
            Refusal::AccountDisabled => "oidc_account_disabled",
        }
    }
}

/// What happens to someone the provider vouched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Sign in to this existing account (its role is left as it is).
    Existing(i64),
    /// First sign-in: make an account with the participant role for this person.
    Create(i64),
}

/// The decision: only a person in the provider's own municipality, not
/// marked as left, whose account (if any) is enabled, gets in. Municipality
/// names are compared without regard to case. Sign-in never gives a role:
/// an existing account keeps its own, a new one is a participant.
pub fn admit(provider_municipality: &str, found: Option<&Candidate>) -> Result<Admit, Refusal> {
    let c = found.ok_or(Refusal::NoMatch)?;
    if c.municipality.trim().to_lowercase() != provider_municipality.trim().to_lowercase() {
        return Err(Refusal::OtherMunicipality);
    }
    if c.left {
        return Err(Refusal::Left);
    }
    match c.account {
        Some((_, false)) => Err(Refusal::AccountDisabled),
        Some((id, true)) => Ok(Admit::Existing(id)),
        None => Ok(Admit::Create(c.person_id)),
    }
}

/// A provider id becomes part of a URL (`/login/oidc/ID`): lower-case
/// letters, digits and `-`, 1–40 characters.
pub fn valid_provider_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An issuer must be `https://`, or `http://` on a loopback address
/// (`localhost`, `127.x.x.x`, `[::1]`) for tests and local providers.
pub fn issuer_allowed(issuer: &str) -> Result<(), &'static str> {
    if let Some(rest) = issuer.strip_prefix("https://") {
        return if host_of(rest).is_empty() {
            Err("utgivaren saknar värdnamn")
        } else {
            Ok(())
        };
    }
    let Some(rest) = issuer.strip_prefix("http://") else {
        return Err("utgivaren måste börja med https://");
    };
    let host = host_of(rest);
    let loopback = host == "localhost"
        || host == "[::1]"
        || host
            .strip_prefix("127.")
            .is_some_and(|r| r.split('.').count() == 3 && r.split('.').all(octet));
    if loopback {
        Ok(())
    } else {
        Err("http:// är tillåtet bara för en adress på den egna datorn (127.0.0.1, localhost); använd https://")
    }
}

fn octet(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 3
        && s.bytes().all(|b| b.is_ascii_digit())
        && s.parse::<u16>().is_ok_and(|n| n < 256)
}

/// The host part of `host[:port][/path…]` (user info is not accepted).
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return "";
    }
    if authority.starts_with('[') {
        return authority.find(']').map(|i| &authority[..=i]).unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(m: &str, left: bool, account: Option<(i64, bool)>) -> Candidate {
        Candidate {
            person_id: 7,
            municipality: m.into(),
            left,
            account,
        }
    }

    #[test]
    fn only_own_municipality_active_people_get_in() {
        assert_eq!(admit("Kumla", None), Err(Refusal::NoMatch));
        assert_eq!(
            admit("Kumla", Some(&cand("Örebro", false, None))),
            Err(Refusal::OtherMunicipality)
        );
        assert_eq!(
            admit("Kumla", Some(&cand("Kumla", true, Some((3, true))))),
            Err(Refusal::Left)
        );
        assert_eq!(
            admit("Kumla", Some(&cand("Kumla", false, Some((3, false))))),
            Err(Refusal::AccountDisabled)
        );
        assert_eq!(
            admit("kumla", Some(&cand("Kumla", false, Some((3, true))))),
            Ok(Admit::Existing(3))
        );
        assert_eq!(
            admit("Kumla", Some(&cand("Kumla", false, None))),
            Ok(Admit::Create(7))
        );
    }

    #[test]
    fn email_claims_compare_without_case() {
        assert_eq!(
            MatchOn::Email.normalise(" Anna.B@Kumla.SE "),
            "anna.b@kumla.se"
        );
        assert_eq!(MatchOn::EmployeeNo.normalise(" A12 "), "A12");
        assert_eq!(MatchOn::parse("employee_no"), Some(MatchOn::EmployeeNo));
        assert_eq!(MatchOn::parse("sub"), None);
    }

    #[test]
    fn plain_http_issuers_only_on_loopback() {
        assert!(issuer_allowed("https://login.microsoftonline.com/x/v2.0").is_ok());
        assert!(issuer_allowed("http://127.0.0.1:4455").is_ok());
        assert!(issuer_allowed("http://localhost:8080/realms/kumla").is_ok());
        assert!(issuer_allowed("http://[::1]:9000").is_ok());
        assert!(issuer_allowed("http://login.example.se").is_err());
        assert!(issuer_allowed("http://127.0.0.1.evil.example").is_err());
        assert!(issuer_allowed("http://localhost@evil.example").is_err());
        assert!(issuer_allowed("ftp://x").is_err());
        assert!(issuer_allowed("https://").is_err());
    }

    #[test]
    fn provider_ids_are_url_safe() {
        assert!(valid_provider_id("kumla"));
        assert!(valid_provider_id("lekeberg-2"));
        assert!(!valid_provider_id(""));
        assert!(!valid_provider_id("Kumla"));
        assert!(!valid_provider_id("a/b"));
    }
}
