//! Invitations and password resets: who can be invited, how long a link
//! lives, what state a link is in, the limits on "Glömt lösenord" and the
//! messages people get. A link's key is a random secret sent by e-mail;
//! only its hash is stored (see `store::invitations`).

use crate::login_limits::Policy;
use crate::notices::Sender;
use crate::sessions::utc_to_stockholm;

/// An invitation link works for 7 days.
pub const INVITATION_VALID_SECS: i64 = 7 * 86_400;
/// A password-reset link works for 1 hour.
pub const RESET_VALID_SECS: i64 = 3600;
/// The most people invited with one click.
pub const MAX_INVITES_AT_ONCE: usize = 500;

/// "Glömt lösenord" per typed address: 3 requests freely, then a growing
/// wait (2, 4, 8 … seconds, at most an hour); forgotten after a day. Keeps
/// anyone from filling a mailbox with reset mail.
pub const RESET_PER_ADDRESS: Policy = Policy {
    free: 3,
    max_wait_secs: 3600,
    forget_after_secs: 24 * 3600,
};

/// "Glömt lösenord" per client address: 20 requests (an office behind one
/// address), then the same growing wait; forgotten after an hour.
pub const RESET_PER_CLIENT: Policy = Policy {
    free: 20,
    max_wait_secs: 3600,
    forget_after_secs: 3600,
};

/// Where a link stands when someone opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Valid,
    /// Already used once.
    Used,
    /// Past its last moment.
    Expired,
    /// No such link (mistyped, or replaced by a newer one).
    Unknown,
}

impl LinkState {
    /// The state of a stored link at `now` (`None`: not found).
    pub fn of(now: i64, stored: Option<(i64, Option<i64>)>) -> LinkState {
        match stored {
            None => LinkState::Unknown,
            Some((_, Some(_))) => LinkState::Used,
            Some((expires_at, None)) if now >= expires_at => LinkState::Expired,
            Some(_) => LinkState::Valid,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            LinkState::Valid => "valid",
            LinkState::Used => "used",
            LinkState::Expired => "expired",
            LinkState::Unknown => "unknown",
        }
    }
}

/// Why a person cannot be invited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotInvitable {
    /// No usable e-mail address on the staff record.
    NoEmail,
    /// Marked as left.
    Left,
    /// Their account was switched off by an administrator.
    AccountDisabled,
    /// They already have an account they sign in to.
    HasAccount,
}

impl NotInvitable {
    pub fn code(self) -> &'static str {
        match self {
            NotInvitable::NoEmail => "no_email",
            NotInvitable::Left => "left",
            NotInvitable::AccountDisabled => "account_disabled",
            NotInvitable::HasAccount => "has_account",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            NotInvitable::NoEmail => "saknar e-postadress",
            NotInvitable::Left => "har slutat",
            NotInvitable::AccountDisabled => "kontot är avstängt av en administratör",
            NotInvitable::HasAccount => {
                "har redan ett konto (kan använda ”Glömt lösenord” eller sin kommuns inloggning)"
            }
        }
    }
}

/// What is known about a person when they are to be invited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteFacts {
    pub email: String,
    pub active: bool,
    /// Their account, if they have one: (active, has a password, has signed
    /// in through a provider or with a password).
    pub account: Option<AccountFacts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFacts {
    pub active: bool,
    /// A password is set, or the person has signed in through a provider.
    pub in_use: bool,
}

/// Whether a person can be invited, and if not, why.
pub fn invitable(f: &InviteFacts) -> Result<(), NotInvitable> {
    if crate::fields::Email::parse(&f.email).is_err() || f.email.ends_with(".invalid") {
        return Err(NotInvitable::NoEmail);
    }
    if !f.active {
        return Err(NotInvitable::Left);
    }
    match f.account {
        Some(a) if !a.active => Err(NotInvitable::AccountDisabled),
        Some(a) if a.in_use => Err(NotInvitable::HasAccount),
        _ => Ok(()),
    }
}

/// Why a password reset is not sent (the person asking is never told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRefusal {
    UnknownAddress,
    AccountDisabled,
    PersonLeft,
}

impl ResetRefusal {
    pub fn code(self) -> &'static str {
        match self {
            ResetRefusal::UnknownAddress => "unknown_account",
            ResetRefusal::AccountDisabled => "inactive_account",
            ResetRefusal::PersonLeft => "person_left",
        }
    }
}

/// Whether an account may get (or use) a reset link: it must exist, be
/// active, and its person (if any) must not be marked as left.
pub fn may_reset(account: Option<(bool, bool)>) -> Result<(), ResetRefusal> {
    match account {
        None => Err(ResetRefusal::UnknownAddress),
        Some((false, _)) => Err(ResetRefusal::AccountDisabled),
        Some((_, false)) => Err(ResetRefusal::PersonLeft),
        Some(_) => Ok(()),
    }
}

/// A link's last moment as people read it: `2026-12-13 kl. 19.20`.
pub fn until_sv(ts: i64) -> String {
    utc_to_stockholm(ts)
        .format("%Y-%m-%d kl. %H.%M")
        .to_string()
}

const FOOTER: &str = "\n\nMed vänlig hälsning\nNavet – kompetensnavet för vård och omsorg";

/// A message ready for the outbox: (subject, body).
pub type Mail = (String, String);

/// The invitation: a link to choose a password, or — where the person's
/// municipality signs in through its own provider — which button to use.
pub fn invitation_mail(
    sender: &Sender,
    name: &str,
    key: Option<&str>,
    provider_label: Option<&str>,
    expires_at: i64,
) -> Mail {
    let base = sender.base_url.trim_end_matches('/');
    let body = match (provider_label, key) {
        (Some(label), _) => format!(
            "Hej {name},\n\nDu är inbjuden till Navet, där du hittar och bokar utbildningar inom vård och omsorg.\n\n\
             Du loggar in med ditt vanliga konto i kommunen: gå till {base}/login och välj ”Logga in med {label}”. \
             Du behöver inget eget lösenord till Navet.{FOOTER}"
        ),
        (None, Some(key)) => format!(
            "Hej {name},\n\nDu är inbjuden till Navet, där du hittar och bokar utbildningar inom vård och omsorg.\n\n\
             Välj ditt lösenord här:\n{base}/inbjudan?t={key}\n\n\
             Länken kan användas en gång och gäller till {}. Har den hunnit gå ut kan du be din chef eller samordnaren om en ny inbjudan.{FOOTER}",
            until_sv(expires_at)
        ),
        (None, None) => format!(
            "Hej {name},\n\nDu är inbjuden till Navet. Logga in på {base}/login.{FOOTER}"
        ),
    };
    ("Inbjudan till Navet".into(), body)
}

/// The reset link ("Glömt lösenord"). Where the person's municipality has
/// its own provider the message says so too.
pub fn reset_mail(
    sender: &Sender,
    name: &str,
    key: &str,
    provider_label: Option<&str>,
    expires_at: i64,
) -> Mail {
    let base = sender.base_url.trim_end_matches('/');
    let provider = provider_label
        .map(|l| format!("\n\nDu kan också logga in utan lösenord med ”Logga in med {l}”."))
        .unwrap_or_default();
    (
        "Återställ ditt lösenord i Navet".into(),
        format!(
            "Hej {name},\n\nNågon (förhoppningsvis du) bad om ett nytt lösenord till Navet.\n\n\
             Välj ett nytt lösenord här:\n{base}/aterstall-losenord?t={key}\n\n\
             Länken kan användas en gång och gäller till {}. Har du inte bett om detta kan du bortse från meddelandet; \
             ditt lösenord är oförändrat.{provider}{FOOTER}",
            until_sv(expires_at)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> InviteFacts {
        InviteFacts {
            email: "anna@kumla.se".into(),
            active: true,
            account: None,
        }
    }

    #[test]
    fn link_states() {
        assert_eq!(LinkState::of(10, None), LinkState::Unknown);
        assert_eq!(LinkState::of(10, Some((11, None))), LinkState::Valid);
        assert_eq!(LinkState::of(11, Some((11, None))), LinkState::Expired);
        assert_eq!(LinkState::of(5, Some((11, Some(4)))), LinkState::Used);
        // Used wins over expired: the person is told it was used.
        assert_eq!(LinkState::of(50, Some((11, Some(4)))), LinkState::Used);
    }

    #[test]
    fn who_can_be_invited() {
        assert_eq!(invitable(&facts()), Ok(()));
        for bad in ["", "  ", "utan-snabel-a", "raderad@person.invalid"] {
            let f = InviteFacts {
                email: bad.into(),
                ..facts()
            };
            assert_eq!(invitable(&f), Err(NotInvitable::NoEmail), "{bad:?}");
        }
        let left = InviteFacts {
            active: false,
            ..facts()
        };
        assert_eq!(invitable(&left), Err(NotInvitable::Left));
        let with = |active, in_use| InviteFacts {
            account: Some(AccountFacts { active, in_use }),
            ..facts()
        };
        assert_eq!(
            invitable(&with(false, false)),
            Err(NotInvitable::AccountDisabled)
        );
        assert_eq!(invitable(&with(true, true)), Err(NotInvitable::HasAccount));
        // An account never used (made by hand, no password yet) can be invited.
        assert_eq!(invitable(&with(true, false)), Ok(()));
    }

    #[test]
    fn resets_only_for_active_accounts_of_people_still_employed() {
        assert_eq!(may_reset(None), Err(ResetRefusal::UnknownAddress));
        assert_eq!(
            may_reset(Some((false, true))),
            Err(ResetRefusal::AccountDisabled)
        );
        assert_eq!(
            may_reset(Some((true, false))),
            Err(ResetRefusal::PersonLeft)
        );
        assert_eq!(may_reset(Some((true, true))), Ok(()));
    }

    #[test]
    fn mails_carry_the_link_or_name_the_provider() {
        let s = Sender {
            base_url: "https://navet.example.se/".into(),
            from_email: "navet@example.se".into(),
        };
        // 2026-12-06 19:20 UTC is 20.20 in Stockholm (winter time).
        let at = 1_796_584_800;
        let (_, body) = invitation_mail(&s, "Anna", Some("abc123"), None, at);
        assert!(
            body.contains("https://navet.example.se/inbjudan?t=abc123"),
            "{body}"
        );
        assert!(body.contains("gäller till 2026-12-06 kl. 20.20"), "{body}");
        let (_, body) = invitation_mail(&s, "Anna", None, Some("Kumla kommun"), at);
        assert!(body.contains("Logga in med Kumla kommun"));
        assert!(!body.contains("inbjudan?t="));
        let (_, body) = reset_mail(&s, "Anna", "k3y", Some("Kumla kommun"), at);
        assert!(body.contains("/aterstall-losenord?t=k3y"));
        assert!(body.contains("Logga in med Kumla kommun"));
        // Keys are hidden from staff by the outbox view's masking.
        assert!(!crate::notices::mask_link_tokens(&body).contains("k3y"));
    }

    #[test]
    fn reset_requests_are_limited_per_address() {
        let mut t = crate::login_limits::Throttle::default();
        for _ in 0..RESET_PER_ADDRESS.free {
            t = crate::login_limits::attempt(t, 100, &RESET_PER_ADDRESS).unwrap();
        }
        assert!(crate::login_limits::attempt(t, 100, &RESET_PER_ADDRESS).is_err());
    }
}
