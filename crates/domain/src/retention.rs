//! The retention schedule (gallringsplan): how long each kind of personal
//! data is kept, as the hub configures it in `[privacy.retention]`, and the
//! floors below which Navet refuses a rule at start.
//!
//! The store applies the schedule (`navet_store::retention`); the records
//! of processing (`processing`) quote it, so the page, the documentation
//! and the daily job read the same numbers.

use serde::Deserialize;

/// Each kind of data the daily job removes (or pseudonymises).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Waiting-list places and cancelled bookings, after the session.
    Waitlist,
    /// Bookings and attendance, after the funding programme has ended.
    Bookings,
    /// Login sessions without activity.
    WebSessions,
    /// Staff-import rows (names and e-mails before and after an import).
    StaffImportRows,
    /// Invitation and password-reset links, after they expired or were used.
    Tokens,
    /// People marked as left: pseudonymised as by an erasure.
    LeftPeople,
    /// The audit log's oldest entries (the chain continues from an anchor).
    AuditLog,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Waitlist,
        Kind::Bookings,
        Kind::WebSessions,
        Kind::StaffImportRows,
        Kind::Tokens,
        Kind::LeftPeople,
        Kind::AuditLog,
    ];

    /// Stable code (command line output, the run log).
    pub fn code(self) -> &'static str {
        match self {
            Kind::Waitlist => "waitlist",
            Kind::Bookings => "bookings",
            Kind::WebSessions => "web_sessions",
            Kind::StaffImportRows => "staff_import_rows",
            Kind::Tokens => "tokens",
            Kind::LeftPeople => "left_people",
            Kind::AuditLog => "audit_log",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            Kind::Waitlist => "Väntelisteplatser och avbokningar",
            Kind::Bookings => "Anmälningar och närvaro",
            Kind::WebSessions => "Inloggningssessioner",
            Kind::StaffImportRows => "Rader från personalimporter",
            Kind::Tokens => "Inbjudnings- och återställningslänkar",
            Kind::LeftPeople => "Personer som slutat (pseudonymiseras)",
            Kind::AuditLog => "Granskningsloggens äldsta poster",
        }
    }
}

/// The configured schedule. Every field has a default (see
/// `Schedule::default` and docs/privacy.md for the reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Schedule {
    /// Waiting-list places and cancellations: days after the session started.
    pub waitlist_days: u32,
    /// Bookings and attendance: years after the funding programme ended.
    pub bookings_after_programme_years: u32,
    /// The audit log: years after the entry was written.
    pub audit_log_years: u32,
    /// Login sessions: days after the last request.
    pub web_sessions_days: u32,
    /// Staff-import rows: days after the import.
    pub staff_import_rows_days: u32,
    /// Invitation and reset links: days after they expired or were used.
    pub tokens_after_expiry_days: u32,
    /// People marked as left: years after the last change of their record.
    pub left_people_years: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            waitlist_days: 365,
            bookings_after_programme_years: 2,
            audit_log_years: 5,
            web_sessions_days: 30,
            staff_import_rows_days: 7,
            tokens_after_expiry_days: 0,
            left_people_years: 2,
        }
    }
}

/// One floor: the setting, its smallest allowed value and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Floor {
    pub setting: &'static str,
    pub minimum: u32,
    pub unit: &'static str,
    pub reason: &'static str,
}

/// The documented minimums; a shorter configured rule stops Navet at start.
pub const FLOORS: [Floor; 6] = [
    Floor {
        setting: "waitlist_days",
        minimum: 30,
        unit: "dagar",
        reason: "a person may ask why they did not get a seat; the answer needs the waiting list for a while after the session",
    },
    Floor {
        setting: "bookings_after_programme_years",
        minimum: 2,
        unit: "år",
        reason: "the funder's final report and its checks come after the programme has ended; attendance is the evidence",
    },
    Floor {
        setting: "audit_log_years",
        minimum: 2,
        unit: "år",
        reason: "who read or changed a person's data must be answerable to the person and the data protection officer",
    },
    Floor {
        setting: "web_sessions_days",
        minimum: 1,
        unit: "dagar",
        reason: "a login session lives at most 12 hours; removing it earlier would log people out",
    },
    Floor {
        setting: "staff_import_rows_days",
        minimum: 7,
        unit: "dagar",
        reason: "a staff import can be undone for seven days, which needs each person's values before it",
    },
    Floor {
        setting: "left_people_years",
        minimum: 1,
        unit: "år",
        reason: "people often come back within a year; their history and certificates follow them",
    },
];

impl Schedule {
    fn value(&self, setting: &str) -> u32 {
        match setting {
            "waitlist_days" => self.waitlist_days,
            "bookings_after_programme_years" => self.bookings_after_programme_years,
            "audit_log_years" => self.audit_log_years,
            "web_sessions_days" => self.web_sessions_days,
            "staff_import_rows_days" => self.staff_import_rows_days,
            "tokens_after_expiry_days" => self.tokens_after_expiry_days,
            "left_people_years" => self.left_people_years,
            _ => 0,
        }
    }

    /// Every rule shorter than its floor, as a message naming the setting,
    /// the minimum and why (all at once); Ok when none is.
    pub fn check(&self) -> Result<(), String> {
        let bad: Vec<String> = FLOORS
            .iter()
            .filter(|f| self.value(f.setting) < f.minimum)
            .map(|f| {
                format!(
                    "[privacy.retention] {} = {} är kortare än lägsta tillåtna {} {} ({})",
                    f.setting,
                    self.value(f.setting),
                    f.minimum,
                    f.unit,
                    f.reason
                )
            })
            .collect();
        if bad.is_empty() {
            Ok(())
        } else {
            Err(bad.join("; "))
        }
    }

    /// How long `kind` is kept, in Swedish.
    pub fn kept_sv(&self, kind: Kind) -> String {
        match kind {
            Kind::Waitlist => format!("{} dagar efter kurstillfället", self.waitlist_days),
            Kind::Bookings => format!(
                "{} år efter finansieringsprogrammets slut (längre vid bevarandebeslut)",
                self.bookings_after_programme_years
            ),
            Kind::WebSessions => {
                format!("{} dagar efter senaste aktivitet", self.web_sessions_days)
            }
            Kind::StaffImportRows => {
                format!("{} dagar efter importen", self.staff_import_rows_days)
            }
            Kind::Tokens => match self.tokens_after_expiry_days {
                0 => "tills länken har använts eller gått ut".to_string(),
                n => format!("{n} dagar efter att länken använts eller gått ut"),
            },
            Kind::LeftPeople => format!(
                "{} år efter att personen slutat, sedan pseudonymiserad",
                self.left_people_years
            ),
            Kind::AuditLog => format!(
                "{} år, sedan gallrad (kontrollkedjan fortsätter från ett ankare)",
                self.audit_log_years
            ),
        }
    }

    /// The cut-off of `kind` at `now` (seconds): data older than this goes.
    /// Bookings are cut by programme end instead (see `bookings_cutoff_date`).
    pub fn cutoff(&self, kind: Kind, now: i64) -> i64 {
        const DAY: i64 = 86_400;
        const YEAR: i64 = 365 * DAY;
        now - match kind {
            Kind::Waitlist => self.waitlist_days as i64 * DAY,
            Kind::Bookings => self.bookings_after_programme_years as i64 * YEAR,
            Kind::WebSessions => self.web_sessions_days as i64 * DAY,
            Kind::StaffImportRows => self.staff_import_rows_days as i64 * DAY,
            Kind::Tokens => self.tokens_after_expiry_days as i64 * DAY,
            Kind::LeftPeople => self.left_people_years as i64 * YEAR,
            Kind::AuditLog => self.audit_log_years as i64 * YEAR,
        }
    }

    /// Programmes that ended on or before this date have their bookings
    /// removed (unless held) on `today`.
    pub fn bookings_cutoff_date(&self, today: chrono::NaiveDate) -> chrono::NaiveDate {
        today
            .checked_sub_months(chrono::Months::new(
                12 * self.bookings_after_programme_years,
            ))
            .unwrap_or(today)
    }
}

/// The `[privacy]` table of the configuration file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySection {
    pub retention: Schedule,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_meet_every_floor() {
        assert_eq!(Schedule::default().check(), Ok(()));
    }

    #[test]
    fn a_rule_below_its_floor_is_refused_naming_setting_and_minimum() {
        let s: PrivacySection =
            toml::from_str("[retention]\nstaff_import_rows_days = 3\naudit_log_years = 1\n")
                .unwrap();
        let e = s.retention.check().unwrap_err();
        assert!(e.contains("staff_import_rows_days = 3"), "{e}");
        assert!(e.contains("7 dagar"), "{e}");
        assert!(e.contains("audit_log_years = 1"), "{e}");
        // Unset values keep their defaults.
        assert_eq!(s.retention.waitlist_days, 365);
    }

    #[test]
    fn unknown_settings_are_refused() {
        assert!(toml::from_str::<PrivacySection>("[retention]\nwaitlist = 3\n").is_err());
    }

    #[test]
    fn every_floor_names_a_real_setting() {
        let s = Schedule::default();
        for f in FLOORS {
            assert!(s.value(f.setting) > 0, "{}", f.setting);
        }
    }

    #[test]
    fn cutoffs() {
        let s = Schedule::default();
        assert_eq!(s.cutoff(Kind::WebSessions, 100 * 86_400), 70 * 86_400);
        let today = chrono::NaiveDate::from_ymd_opt(2029, 6, 30).unwrap();
        assert_eq!(
            s.bookings_cutoff_date(today),
            chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()
        );
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.code()), Some(k));
        }
    }
}
