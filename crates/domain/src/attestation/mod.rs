//! Monthly attestation of attended time (the funder's "närvarotid"): after
//! each month every participant with attended time confirms the hours and
//! sessions, digitally when signed in or on a printed certificate signed on
//! paper. An attested month is frozen: a later correction of attendance
//! makes a new version that points to the old one and asks the person to
//! confirm again.
//!
//! This module holds the pure rules: months as `YYYY-MM`, when a month may
//! be attested or exported, how a sign-in is recorded, and the Swedish
//! texts of the notices. The participant file built from attested months
//! is in [`esf_file`]; personal identity numbers in [`pnr`].

pub mod esf_file;
pub mod pnr;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::cofinancing::{month_end, month_of};
use crate::FieldError;

/// `2026-03` as the first day of the month, or a message naming `field`.
pub fn parse_month(field: &str, s: &str) -> Result<NaiveDate, FieldError> {
    let t = s.trim();
    let bad = || {
        FieldError::new(
            field,
            "bad_month",
            "Ange månaden som ÅÅÅÅ-MM, till exempel 2026-03.",
        )
    };
    if t.len() != 7 || t.as_bytes()[4] != b'-' {
        return Err(bad());
    }
    let y: i32 = t[..4].parse().map_err(|_| bad())?;
    let m: u32 = t[5..].parse().map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)
}

/// `2026-03` for the month `first` starts.
pub fn month_key(first: NaiveDate) -> String {
    first.format("%Y-%m").to_string()
}

/// `mars` (the month's Swedish name, lower case).
pub fn month_name_sv(first: NaiveDate) -> &'static str {
    crate::calendar::MONTHS_SV[first.month0() as usize]
}

/// `mars 2026`.
pub fn month_label_sv(first: NaiveDate) -> String {
    format!("{} {}", month_name_sv(first), first.year())
}

/// Hours kept in hundredths, written the Swedish way: 750 → `7,5`.
pub fn hours_sv(centi: i64) -> String {
    crate::costs::money::number(centi as f64 / 100.0, 2)
}

/// `7,5 timmar på 2 kurstillfällen` (singulars where they apply).
pub fn time_phrase(centi: i64, sessions: i64) -> String {
    let h = if centi == 100 { "timme" } else { "timmar" };
    let s = if sessions == 1 {
        "kurstillfälle"
    } else {
        "kurstillfällen"
    };
    format!("{} {h} på {sessions} {s}", hours_sv(centi))
}

/// The previous month of the one `today` falls in.
pub fn previous_month(today: NaiveDate) -> NaiveDate {
    month_of(month_of(today).pred_opt().unwrap_or(today))
}

/// Whether the month is over by `today` (only a finished month is
/// attested or exported).
pub fn has_ended(month: NaiveDate, today: NaiveDate) -> bool {
    month_end(month) < today
}

/// A participant may attest a finished month in which they have attended
/// time; otherwise the message names the month field.
pub fn may_attest(month: NaiveDate, today: NaiveDate, centi_hours: i64) -> Result<(), FieldError> {
    if !has_ended(month, today) {
        return Err(FieldError::new(
            "month",
            "month_not_ended",
            format!(
                "{} är inte slut än; närvarotiden bekräftas när månaden är slut.",
                capitalised(&month_label_sv(month))
            ),
        ));
    }
    if centi_hours <= 0 {
        return Err(FieldError::new(
            "month",
            "no_attended_time",
            format!(
                "Det finns ingen närvarotid att bekräfta för {}.",
                month_label_sv(month)
            ),
        ));
    }
    Ok(())
}

/// The participant file is made for a month that has ended; a future (or
/// the current) month is refused naming the month field.
pub fn may_export(month: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    if month > month_of(today) {
        return Err(FieldError::new(
            "month",
            "future_month",
            format!(
                "Deltagarfilen kan inte tas fram för {}: månaden ligger i framtiden.",
                month_label_sv(month)
            ),
        ));
    }
    if !has_ended(month, today) {
        return Err(FieldError::new(
            "month",
            "month_not_ended",
            format!(
                "Deltagarfilen för {} kan tas fram först när månaden är slut.",
                month_label_sv(month)
            ),
        ));
    }
    Ok(())
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// How an attestation was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Signed in with a password (and, for some roles, a second factor).
    Password,
    /// Signed in through the municipality's identity provider.
    Oidc,
    /// Through the API with the person's own token.
    ApiToken,
    /// A printed certificate signed on paper, registered by the hub.
    Paper,
}

impl Method {
    pub fn code(self) -> &'static str {
        match self {
            Method::Password => "password",
            Method::Oidc => "oidc",
            Method::ApiToken => "api_token",
            Method::Paper => "paper",
        }
    }
    pub fn parse(s: &str) -> Option<Method> {
        [
            Method::Password,
            Method::Oidc,
            Method::ApiToken,
            Method::Paper,
        ]
        .into_iter()
        .find(|m| m.code() == s)
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            Method::Password => "digitalt (inloggad med lösenord)",
            Method::Oidc => "digitalt (inloggad via kommunens inloggning)",
            Method::ApiToken => "digitalt (via API med egen nyckel)",
            Method::Paper => "på papper (underskrivet intyg)",
        }
    }
    /// `digital` or `papper`, as the participant file gives it.
    pub fn file_code(self) -> &'static str {
        match self {
            Method::Paper => "papper",
            _ => "digital",
        }
    }
}

/// A version's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the person's confirmation.
    Pending,
    /// Confirmed; frozen.
    Attested,
    /// Replaced by a newer version after a correction.
    Superseded,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Pending, Status::Attested, Status::Superseded];
    pub fn code(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Attested => "attested",
            Status::Superseded => "superseded",
        }
    }
    pub fn parse(s: &str) -> Status {
        match s {
            "attested" => Status::Attested,
            "superseded" => Status::Superseded,
            _ => Status::Pending,
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            Status::Pending => "väntar på bekräftelse",
            Status::Attested => "bekräftad",
            Status::Superseded => "ersatt av en nyare version",
        }
    }
}

stored_code!(Status);

/// The notice kinds (`outbox.kind`) of attestation.
pub const NOTICE_REQUEST: &str = "attestation_request";
pub const NOTICE_REMINDER: &str = "attestation_reminder";
pub const NOTICE_CORRECTED: &str = "attestation_corrected";

/// A notice's subject and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub subject: String,
    pub body: String,
}

fn page_line(public_url: &str) -> String {
    let where_ = match public_url.trim().trim_end_matches('/') {
        "" => "under Närvarotid när du loggat in i Navet".to_string(),
        url => format!("på {url}/mina-narvarotider (logga in)"),
    };
    format!(
        "Bekräfta {where_}. Kan du inte logga in digitalt, be samordnaren om ett intyg att skriva under på papper."
    )
}

/// "Bekräfta din närvarotid för mars: 7,5 timmar på 2 kurstillfällen".
pub fn request_text(month: NaiveDate, centi: i64, sessions: i64, public_url: &str) -> Text {
    let subject = format!(
        "Bekräfta din närvarotid för {}: {}",
        month_name_sv(month),
        time_phrase(centi, sessions)
    );
    Text {
        body: format!(
            "Hej!\n\nEnligt närvaroregistreringen deltog du i {} under {}. Projektet behöver din bekräftelse av tiden varje månad.\n\n{}\n",
            time_phrase(centi, sessions),
            month_label_sv(month),
            page_line(public_url)
        ),
        subject,
    }
}

/// A reminder from the hub to those who have not confirmed.
pub fn reminder_text(month: NaiveDate, centi: i64, sessions: i64, public_url: &str) -> Text {
    Text {
        subject: format!(
            "Påminnelse: bekräfta din närvarotid för {}: {}",
            month_name_sv(month),
            time_phrase(centi, sessions)
        ),
        body: format!(
            "Hej!\n\nDu har ännu inte bekräftat din närvarotid för {} ({}).\n\n{}\n",
            month_label_sv(month),
            time_phrase(centi, sessions),
            page_line(public_url)
        ),
    }
}

/// After a correction of an attested month: what changed, and a request
/// to confirm again.
pub fn corrected_text(
    month: NaiveDate,
    before: (i64, i64),
    after: (i64, i64),
    public_url: &str,
) -> Text {
    Text {
        subject: format!(
            "Din närvarotid för {} har rättats: bekräfta igen",
            month_label_sv(month)
        ),
        body: format!(
            "Hej!\n\nNärvaron för {} har rättats efter att du bekräftat den. Du bekräftade {}; nu är det {}. Den tidigare bekräftelsen finns kvar som en äldre version.\n\n{}\n",
            month_label_sv(month),
            time_phrase(before.0, before.1),
            time_phrase(after.0, after.1),
            page_line(public_url)
        ),
    }
}

#[cfg(test)]
mod tests;
