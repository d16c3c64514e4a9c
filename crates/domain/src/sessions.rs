//! Course sessions (kurstillfällen): local Stockholm time, parts, quotas,
//! registration window, status and what makes a session valid.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
pub mod day;
pub mod edit;

/// A half-open time span `[starts_at, ends_at)` in Unix seconds (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub starts_at: i64,
    pub ends_at: i64,
}

impl Interval {
    pub fn new(starts_at: i64, ends_at: i64) -> Interval {
        Interval { starts_at, ends_at }
    }
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }
    pub fn hours(&self) -> f64 {
        (self.ends_at - self.starts_at) as f64 / 3600.0
    }
}

/// True when any part of `a` overlaps any part of `b` (rule 3).
pub fn overlaps(a: &[Interval], b: &[Interval]) -> bool {
    a.iter().any(|x| b.iter().any(|y| x.overlaps(y)))
}

/// Why a local time cannot be turned into an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalTimeError {
    /// The clock skips this time (spring forward, 02:00–03:00).
    DoesNotExist,
}

/// A Stockholm wall-clock time as an instant. In the autumn hour that
/// occurs twice, the first (summer time) is meant.
pub fn stockholm_to_utc(local: NaiveDateTime) -> Result<i64, LocalTimeError> {
    match Stockholm.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.timestamp()),
        LocalResult::Ambiguous(first, _) => Ok(first.timestamp()),
        LocalResult::None => Err(LocalTimeError::DoesNotExist),
    }
}

/// Unix seconds as Stockholm wall-clock time.
pub fn utc_to_stockholm(ts: i64) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&Stockholm)
        .naive_local()
}

/// `2026-03-14 09:00` in Stockholm time.
pub fn format_local(ts: i64) -> String {
    utc_to_stockholm(ts).format("%Y-%m-%d %H:%M").to_string()
}

/// `2026-03-14 kl. 09.00–12.00`, or with both dates when a part spans midnight.
pub fn format_part_sv(p: &Interval) -> String {
    let s = utc_to_stockholm(p.starts_at);
    let e = utc_to_stockholm(p.ends_at);
    if s.date() == e.date() {
        format!(
            "{} kl. {}–{}",
            s.format("%Y-%m-%d"),
            s.format("%H.%M"),
            e.format("%H.%M")
        )
    } else {
        format!(
            "{} kl. {} – {} kl. {}",
            s.format("%Y-%m-%d"),
            s.format("%H.%M"),
            e.format("%Y-%m-%d"),
            e.format("%H.%M")
        )
    }
}

/// The same in English: `2026-03-14 09:00–16:00` (Swedish time).
pub fn format_part_en(p: &Interval) -> String {
    let s = utc_to_stockholm(p.starts_at);
    let e = utc_to_stockholm(p.ends_at);
    if s.date() == e.date() {
        format!(
            "{} {}–{}",
            s.format("%Y-%m-%d"),
            s.format("%H:%M"),
            e.format("%H:%M")
        )
    } else {
        format!(
            "{} {} – {} {}",
            s.format("%Y-%m-%d"),
            s.format("%H:%M"),
            e.format("%Y-%m-%d"),
            e.format("%H:%M")
        )
    }
}

/// Parse a date `YYYY-MM-DD` and a time `HH:MM` entered in Stockholm time.
pub fn parse_local(date: &str, time: &str) -> Option<NaiveDateTime> {
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let t = NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(time.trim(), "%H.%M"))
        .ok()?;
    Some(d.and_time(t))
}

/// Parse RFC 3339 (`2026-03-14T09:00:00+01:00`) or, without an offset,
/// a Stockholm wall-clock time (`2026-03-14T09:00`).
pub fn parse_instant(s: &str) -> Option<Result<i64, LocalTimeError>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(Ok(t.timestamp()));
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Some(stockholm_to_utc(n));
        }
    }
    None
}

/// Kurstillfällets status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    Planned,
    Open,
    Full,
    /// Shown only, never stored: the session has begun and is not closed.
    Started,
    Held,
    Cancelled,
}

impl SessionStatus {
    pub const ALL: [SessionStatus; 6] = [
        SessionStatus::Planned,
        SessionStatus::Open,
        SessionStatus::Full,
        SessionStatus::Started,
        SessionStatus::Held,
        SessionStatus::Cancelled,
    ];
    pub fn code(self) -> &'static str {
        match self {
            SessionStatus::Planned => "planned",
            SessionStatus::Open => "open",
            SessionStatus::Full => "full",
            SessionStatus::Started => "started",
            SessionStatus::Held => "held",
            SessionStatus::Cancelled => "cancelled",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            SessionStatus::Planned => "planerad",
            SessionStatus::Open => "öppen",
            SessionStatus::Full => "fullbokad",
            SessionStatus::Started => "har börjat",
            SessionStatus::Held => "genomförd",
            SessionStatus::Cancelled => "inställd",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            SessionStatus::Planned => "planned",
            SessionStatus::Open => "open",
            SessionStatus::Full => "fully booked",
            SessionStatus::Started => "started",
            SessionStatus::Held => "held",
            SessionStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<SessionStatus> {
        let s = s.trim().to_lowercase();
        SessionStatus::ALL
            .into_iter()
            .find(|v| v.code() == s || v.label_sv() == s)
    }
    /// Held and cancelled sessions never change again.
    pub fn is_final(self) -> bool {
        matches!(self, SessionStatus::Held | SessionStatus::Cancelled)
    }
    /// Which stored status changes are allowed.
    pub fn can_become(self, to: SessionStatus) -> bool {
        use SessionStatus::*;
        match (self, to) {
            (a, b) if a == b => false,
            (Held | Cancelled, _) => false,
            (_, Planned | Started) => false,
            (Planned, Open | Full | Cancelled) => true,
            (Open, Full | Held | Cancelled) => true,
            (Full, Open | Held | Cancelled) => true,
            _ => false,
        }
    }
}

stored_code!(SessionStatus);
/// The status a session shows at `now`: the stored one, except that an
/// open or full session whose registration has not opened is `planned`,
/// one that has begun (and is not yet closed) is `started`, never "open"
/// with free seats, and a full/open one follows the seat count.
pub fn effective_status(
    stored: SessionStatus,
    now: i64,
    starts_at: i64,
    registration_opens_at: Option<i64>,
    has_free_seat: bool,
) -> SessionStatus {
    match stored {
        SessionStatus::Held | SessionStatus::Cancelled => stored,
        _ if now >= starts_at => SessionStatus::Started,
        _ if registration_opens_at.is_some_and(|o| now < o) => SessionStatus::Planned,
        _ if has_free_seat => SessionStatus::Open,
        _ => SessionStatus::Full,
    }
}

/// Seats reserved for one municipality until `release_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub municipality_id: i64,
    pub seats: i64,
    pub release_at: i64,
}

impl Quota {
    pub fn is_active(&self, now: i64) -> bool {
        now < self.release_at
    }
}

/// A session as entered, with names already resolved to ids and times to instants.
#[derive(Debug, Clone, Default)]
pub struct SessionDraft {
    pub parts: Vec<Interval>,
    pub capacity: i64,
    pub quotas: Vec<Quota>,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: Option<i64>,
}

/// A checked session: parts sorted, window filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSession {
    pub parts: Vec<Interval>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub hours: f64,
    pub capacity: i64,
    pub quotas: Vec<Quota>,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: i64,
}

/// Check a new session. `now` refuses sessions that have already begun.
pub fn check_session(d: &SessionDraft, now: i64) -> Result<CheckedSession, FieldErrors> {
    let mut e = FieldErrors::new();
    let mut parts = d.parts.clone();
    parts.sort_by_key(|p| p.starts_at);
    if parts.is_empty() {
        e.add("starts_at", "missing_start", "Ange start- och sluttid.");
    }
    for (i, p) in parts.iter().enumerate() {
        let field = if i == 0 {
            "ends_at".to_string()
        } else {
            format!("parts[{i}].ends_at")
        };
        if p.ends_at <= p.starts_at {
            e.add(
                &field,
                "end_before_start",
                "Sluttiden måste vara efter starttiden.",
            );
        } else if p.ends_at - p.starts_at > 24 * 3600 {
            e.add(
                &field,
                "part_too_long",
                "Ett pass får vara högst 24 timmar; dela upp tillfället i flera pass.",
            );
        }
    }
    if parts.windows(2).any(|w| w[0].overlaps(&w[1])) {
        e.add(
            "parts",
            "parts_overlap",
            "Passen i ett kurstillfälle får inte överlappa varandra.",
        );
    }
    let starts_at = parts.first().map(|p| p.starts_at).unwrap_or(0);
    let ends_at = parts.iter().map(|p| p.ends_at).max().unwrap_or(0);
    if !parts.is_empty() && starts_at <= now {
        e.add(
            "starts_at",
            "start_in_past",
            "Starttiden har redan passerat.",
        );
    }
    if d.capacity < 1 {
        e.add(
            "capacity",
            "invalid_capacity",
            "Antal platser måste vara minst 1.",
        );
    } else if d.capacity > 10_000 {
        e.add(
            "capacity",
            "invalid_capacity",
            "Antal platser får vara högst 10 000.",
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (i, q) in d.quotas.iter().enumerate() {
        if q.seats < 1 {
            e.add(
                &format!("quotas[{i}].seats"),
                "invalid_quota",
                "En kvot måste ha minst 1 plats.",
            );
        }
        if !seen.insert(q.municipality_id) {
            e.add(
                &format!("quotas[{i}].municipality"),
                "duplicate_quota",
                "Kommunen har redan en kvot på detta tillfälle.",
            );
        }
        if !parts.is_empty() && q.release_at > starts_at {
            e.add(
                &format!("quotas[{i}].release_at"),
                "release_after_start",
                "Kvotens släppdatum måste vara före kursstarten.",
            );
        }
    }
    let quota_sum: i64 = d.quotas.iter().map(|q| q.seats.max(0)).sum();
    if d.capacity >= 1 && quota_sum > d.capacity {
        e.add(
            "quotas",
            "quotas_exceed_capacity",
            format!(
                "Kvoterna ({quota_sum} platser) är fler än tillfällets platser ({}).",
                d.capacity
            ),
        );
    }
    let closes = d.registration_closes_at.unwrap_or(starts_at);
    if d.registration_closes_at.is_some() && !parts.is_empty() && closes > starts_at {
        e.add(
            "registration_closes_at",
            "closes_after_start",
            "Anmälan måste stänga senast vid kursstarten.",
        );
    }
    if let Some(o) = d.registration_opens_at {
        if o >= closes {
            e.add(
                "registration_opens_at",
                "opens_after_close",
                "Anmälan måste öppna före den stänger.",
            );
        }
    }
    let hours = parts.iter().map(|p| p.hours()).sum();
    e.into_result(CheckedSession {
        parts,
        starts_at,
        ends_at,
        hours,
        capacity: d.capacity,
        quotas: d.quotas.clone(),
        registration_opens_at: d.registration_opens_at,
        registration_closes_at: closes,
    })
}

pub const MAX_VENUE_CHARS: usize = 200;

/// The venue ("Aulan, Vårdcentrum Nora"): one line, at most 200 characters;
/// may be empty.
pub fn check_venue(venue: &str) -> Result<String, String> {
    let v = crate::text::single_line(venue, "Platsen")?;
    if v.chars().count() > MAX_VENUE_CHARS {
        return Err(format!("Platsen får vara högst {MAX_VENUE_CHARS} tecken."));
    }
    Ok(v)
}

/// Why a trainer cannot be assigned to a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrainerProblem {
    NotQualified,
    Overlapping {
        session_id: i64,
    },
    Inactive,
    /// Registered as away (sick leave, holiday …) during the session.
    Absent,
}

impl TrainerProblem {
    pub fn message(&self, trainer_name: &str) -> String {
        match self {
            TrainerProblem::NotQualified => {
                format!("{trainer_name} är inte behörig att leda denna kurs.")
            }
            TrainerProblem::Overlapping { session_id } => {
                format!("{trainer_name} leder redan ett annat kurstillfälle (nr {session_id}) som överlappar i tid.")
            }
            TrainerProblem::Inactive => {
                format!("{trainer_name} är inte aktiv som utbildningsledare.")
            }
            TrainerProblem::Absent => {
                format!("{trainer_name} är registrerad som frånvarande när kurstillfället hålls.")
            }
        }
    }
}

/// Rule 3 for trainers: qualified for the course, and free at the time.
/// `other_sessions` are the trainer's other live sessions with their parts;
/// `absences` the periods the trainer is registered as away.
pub fn check_trainer(
    active: bool,
    qualified: bool,
    parts: &[Interval],
    other_sessions: &[(i64, Vec<Interval>)],
    absences: &[Interval],
) -> Result<(), TrainerProblem> {
    if !active {
        return Err(TrainerProblem::Inactive);
    }
    if !qualified {
        return Err(TrainerProblem::NotQualified);
    }
    if overlaps(parts, absences) {
        return Err(TrainerProblem::Absent);
    }
    if let Some((id, _)) = other_sessions.iter().find(|(_, p)| overlaps(parts, p)) {
        return Err(TrainerProblem::Overlapping { session_id: *id });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> i64 {
        stockholm_to_utc(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()).unwrap()
    }

    const H: i64 = 3600;

    #[test]
    fn stockholm_winter_and_summer_offsets() {
        // CET = UTC+1 in winter, CEST = UTC+2 in summer.
        assert_eq!(
            local("2026-01-15 09:00"),
            Utc.with_ymd_and_hms(2026, 1, 15, 8, 0, 0)
                .unwrap()
                .timestamp()
        );
        assert_eq!(
            local("2026-07-15 09:00"),
            Utc.with_ymd_and_hms(2026, 7, 15, 7, 0, 0)
                .unwrap()
                .timestamp()
        );
        assert_eq!(format_local(local("2026-07-15 09:00")), "2026-07-15 09:00");
    }

    #[test]
    fn dst_gap_is_refused_and_overlap_takes_the_first() {
        // 2026-03-29 02:30 does not exist in Stockholm.
        let gap = NaiveDateTime::parse_from_str("2026-03-29 02:30", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(stockholm_to_utc(gap), Err(LocalTimeError::DoesNotExist));
        // 2026-10-25 02:30 occurs twice; the first is 00:30 UTC.
        let twice = local("2026-10-25 02:30");
        assert_eq!(
            twice,
            Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0)
                .unwrap()
                .timestamp()
        );
    }

    #[test]
    fn a_session_across_the_spring_change_is_one_hour_shorter() {
        let s = local("2026-03-29 00:00");
        let e = local("2026-03-29 06:00");
        assert_eq!(e - s, 5 * H);
        assert_eq!(Interval::new(s, e).hours(), 5.0);
    }

    #[test]
    fn rfc3339_and_local_instants() {
        assert_eq!(
            parse_instant("2026-03-14T09:00:00+01:00"),
            Some(Ok(local("2026-03-14 09:00")))
        );
        assert_eq!(
            parse_instant("2026-03-14T08:00:00Z"),
            Some(Ok(local("2026-03-14 09:00")))
        );
        assert_eq!(
            parse_instant("2026-06-14T09:00"),
            Some(Ok(local("2026-06-14 09:00")))
        );
        assert_eq!(
            parse_instant("2026-03-29T02:30"),
            Some(Err(LocalTimeError::DoesNotExist))
        );
        assert_eq!(parse_instant("imorgon"), None);
        assert_eq!(
            parse_local("2026-03-14", "9.30"),
            NaiveDateTime::parse_from_str("2026-03-14 09:30", "%Y-%m-%d %H:%M").ok()
        );
        assert_eq!(parse_local("14/3", "09:00"), None);
    }

    #[test]
    fn formats_parts_in_swedish() {
        let p = Interval::new(local("2026-03-14 09:00"), local("2026-03-14 12:30"));
        assert_eq!(format_part_sv(&p), "2026-03-14 kl. 09.00–12.30");
        let night = Interval::new(local("2026-03-14 22:00"), local("2026-03-15 02:00"));
        assert_eq!(
            format_part_sv(&night),
            "2026-03-14 kl. 22.00 – 2026-03-15 kl. 02.00"
        );
        assert_eq!(format_part_en(&p), "2026-03-14 09:00–12:30");
        assert_eq!(
            format_part_en(&night),
            "2026-03-14 22:00 – 2026-03-15 02:00"
        );
        assert_eq!(SessionStatus::Full.label_en(), "fully booked");
    }

    #[test]
    fn overlap_is_half_open() {
        let a = Interval::new(0, 10);
        assert!(a.overlaps(&Interval::new(9, 20)));
        assert!(!a.overlaps(&Interval::new(10, 20)), "back-to-back is fine");
        assert!(overlaps(
            &[Interval::new(0, 5), Interval::new(100, 110)],
            &[Interval::new(105, 200)]
        ));
        assert!(!overlaps(
            &[Interval::new(0, 5), Interval::new(100, 110)],
            &[Interval::new(10, 90)]
        ));
    }

    #[test]
    fn status_transitions() {
        use SessionStatus::*;
        let allowed = [
            (Planned, Open),
            (Planned, Full),
            (Planned, Cancelled),
            (Open, Full),
            (Open, Held),
            (Open, Cancelled),
            (Full, Open),
            (Full, Held),
            (Full, Cancelled),
        ];
        for from in SessionStatus::ALL {
            for to in SessionStatus::ALL {
                assert_eq!(
                    from.can_become(to),
                    allowed.contains(&(from, to)),
                    "{from:?} → {to:?}"
                );
            }
        }
        assert!(Held.is_final() && Cancelled.is_final() && !Open.is_final());
        assert_eq!(SessionStatus::parse("inställd"), Some(Cancelled));
    }

    #[test]
    fn effective_status_follows_time_and_seats() {
        use SessionStatus::*;
        assert_eq!(effective_status(Open, 100, 900, Some(200), true), Planned);
        assert_eq!(effective_status(Open, 300, 900, Some(200), true), Open);
        assert_eq!(effective_status(Open, 300, 900, None, false), Full);
        assert_eq!(effective_status(Full, 300, 900, None, true), Open);
        assert_eq!(effective_status(Cancelled, 300, 900, None, true), Cancelled);
        assert_eq!(effective_status(Held, 300, 900, Some(999), true), Held);
        // Begun: neither open nor full until closed (held) or cancelled.
        assert_eq!(effective_status(Open, 900, 900, None, true), Started);
        assert_eq!(effective_status(Full, 5000, 900, None, false), Started);
        assert_eq!(
            effective_status(Planned, 900, 900, Some(950), true),
            Started
        );
        assert_eq!(effective_status(Open, 899, 900, None, true), Open);
        assert_eq!(effective_status(Held, 5000, 900, None, true), Held);
    }

    fn draft() -> SessionDraft {
        SessionDraft {
            parts: vec![Interval::new(10 * H, 13 * H)],
            capacity: 12,
            quotas: vec![],
            registration_opens_at: None,
            registration_closes_at: None,
        }
    }

    #[test]
    fn valid_session_fills_in_the_window() {
        let c = check_session(&draft(), 0).unwrap();
        assert_eq!(c.registration_closes_at, 10 * H);
        assert_eq!(c.hours, 3.0);
        assert_eq!((c.starts_at, c.ends_at), (10 * H, 13 * H));
    }

    #[test]
    fn two_half_days_are_one_session() {
        let d = SessionDraft {
            parts: vec![Interval::new(34 * H, 37 * H), Interval::new(10 * H, 13 * H)],
            ..draft()
        };
        let c = check_session(&d, 0).unwrap();
        assert_eq!(c.parts[0].starts_at, 10 * H, "sorted");
        assert_eq!((c.starts_at, c.ends_at, c.hours), (10 * H, 37 * H, 6.0));
    }

    fn fields(e: FieldErrors) -> Vec<String> {
        e.0.into_iter().map(|x| x.field).collect()
    }

    #[test]
    fn bad_sessions_name_the_field() {
        let bad = |d: SessionDraft| fields(check_session(&d, 0).unwrap_err());
        assert_eq!(
            bad(SessionDraft {
                capacity: 0,
                ..draft()
            }),
            ["capacity"]
        );
        assert_eq!(
            bad(SessionDraft {
                capacity: -3,
                ..draft()
            }),
            ["capacity"]
        );
        assert_eq!(
            bad(SessionDraft {
                parts: vec![Interval::new(13 * H, 10 * H)],
                ..draft()
            }),
            ["ends_at"]
        );
        assert_eq!(
            bad(SessionDraft {
                parts: vec![],
                ..draft()
            }),
            ["starts_at"]
        );
        assert_eq!(
            bad(SessionDraft {
                parts: vec![Interval::new(10 * H, 13 * H), Interval::new(12 * H, 14 * H)],
                ..draft()
            }),
            ["parts"]
        );
        assert_eq!(
            bad(SessionDraft {
                parts: vec![Interval::new(H, 50 * H)],
                ..draft()
            }),
            ["ends_at"]
        );
        let q = |m, seats| Quota {
            municipality_id: m,
            seats,
            release_at: 5 * H,
        };
        assert_eq!(
            bad(SessionDraft {
                quotas: vec![q(1, 8), q(2, 5)],
                ..draft()
            }),
            ["quotas"]
        );
        assert_eq!(
            bad(SessionDraft {
                quotas: vec![q(1, 2), q(1, 2)],
                ..draft()
            }),
            ["quotas[1].municipality"]
        );
        assert_eq!(
            bad(SessionDraft {
                quotas: vec![q(1, 0)],
                ..draft()
            }),
            ["quotas[0].seats"]
        );
        assert_eq!(
            bad(SessionDraft {
                quotas: vec![Quota {
                    municipality_id: 1,
                    seats: 2,
                    release_at: 11 * H
                }],
                ..draft()
            }),
            ["quotas[0].release_at"]
        );
        assert_eq!(
            bad(SessionDraft {
                registration_closes_at: Some(11 * H),
                ..draft()
            }),
            ["registration_closes_at"]
        );
        assert_eq!(
            bad(SessionDraft {
                registration_opens_at: Some(10 * H),
                ..draft()
            }),
            ["registration_opens_at"]
        );
        let e = check_session(&draft(), 11 * H).unwrap_err();
        assert_eq!(e.0[0].code, "start_in_past");
        assert!(
            check_session(
                &SessionDraft {
                    quotas: vec![q(1, 8), q(2, 4)],
                    ..draft()
                },
                0
            )
            .is_ok(),
            "quotas may fill the session"
        );
    }

    #[test]
    fn trainer_must_be_qualified_and_free() {
        let parts = [Interval::new(10, 20)];
        assert_eq!(
            check_trainer(true, true, &parts, &[(7, vec![Interval::new(20, 30)])], &[]),
            Ok(())
        );
        assert_eq!(
            check_trainer(true, false, &parts, &[], &[]),
            Err(TrainerProblem::NotQualified)
        );
        assert_eq!(
            check_trainer(false, true, &parts, &[], &[]),
            Err(TrainerProblem::Inactive)
        );
        assert_eq!(
            check_trainer(
                true,
                true,
                &parts,
                &[
                    (7, vec![Interval::new(0, 5)]),
                    (9, vec![Interval::new(15, 25)])
                ],
                &[]
            ),
            Err(TrainerProblem::Overlapping { session_id: 9 })
        );
        // Away during the session, or only just before it.
        assert_eq!(
            check_trainer(true, true, &parts, &[], &[Interval::new(0, 11)]),
            Err(TrainerProblem::Absent)
        );
        assert_eq!(
            check_trainer(true, true, &parts, &[], &[Interval::new(0, 10)]),
            Ok(())
        );
        assert!(TrainerProblem::Overlapping { session_id: 9 }
            .message("Ulf")
            .contains("nr 9"));
    }
}
