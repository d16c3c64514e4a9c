//! The booking decision: may this person have a seat on this session, and
//! from which pool; or must they wait, or be refused, and why.
//!
//! Seats come from two kinds of pool. A municipality's quota reserves
//! `seats` for its people until `release_at`; everything else is the
//! general pool, open to all. A person whose municipality has a quota
//! takes a quota seat first, then a general one. After the release date a
//! quota is no more: its seats, and the bookings in it, count as general.
//! Seats held by a manager's reservation or by an offer (after a
//! cancelled session) are taken from the pools like bookings are.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sessions::{Quota, SessionStatus};

pub mod undo;

/// Where a seat comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Pool {
    /// Reserved for this municipality (id) until the quota's release date.
    Quota(i64),
    General,
}

impl Pool {
    /// The value of `bookings.quota_municipality_id`.
    pub fn quota_municipality(self) -> Option<i64> {
        match self {
            Pool::Quota(m) => Some(m),
            Pool::General => None,
        }
    }
}

/// Bookings status (anmälans status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Booked,
    Waitlisted,
    Cancelled,
    LateCancelled,
    Attended,
    Absent,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 6] = [
        BookingStatus::Booked,
        BookingStatus::Waitlisted,
        BookingStatus::Cancelled,
        BookingStatus::LateCancelled,
        BookingStatus::Attended,
        BookingStatus::Absent,
    ];
    pub fn code(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Waitlisted => "waitlisted",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::LateCancelled => "late_cancelled",
            BookingStatus::Attended => "attended",
            BookingStatus::Absent => "absent",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            BookingStatus::Booked => "bokad",
            BookingStatus::Waitlisted => "väntelista",
            BookingStatus::Cancelled => "avbokad",
            BookingStatus::LateCancelled => "sen avbokning",
            BookingStatus::Attended => "närvarande",
            BookingStatus::Absent => "frånvarande",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Waitlisted => "waiting list",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::LateCancelled => "late cancellation",
            BookingStatus::Attended => "attended",
            BookingStatus::Absent => "absent",
        }
    }
    pub fn parse(s: &str) -> Option<BookingStatus> {
        let s = s.trim().to_lowercase();
        BookingStatus::ALL
            .into_iter()
            .find(|v| v.code() == s || v.label_sv() == s)
    }
    /// Holds a seat on the session.
    pub fn holds_seat(self) -> bool {
        matches!(
            self,
            BookingStatus::Booked | BookingStatus::Attended | BookingStatus::Absent
        )
    }
    /// Counts as "already booked" for the same person and session.
    pub fn is_live(self) -> bool {
        self.holds_seat() || self == BookingStatus::Waitlisted
    }
}

/// How full a session is right now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Occupancy {
    /// Bookings holding a seat, all pools.
    pub booked: i64,
    /// Of those, the ones whose seat was taken from a municipality's quota.
    pub quota_booked: BTreeMap<i64, i64>,
    /// Seats held by reservations and offers not yet named: general pool.
    pub held_general: i64,
    /// … and per municipality quota.
    pub held_quota: BTreeMap<i64, i64>,
}

impl Occupancy {
    pub fn take(&mut self, pool: Pool) {
        self.booked += 1;
        if let Pool::Quota(m) = pool {
            *self.quota_booked.entry(m).or_default() += 1;
        }
    }
    pub fn give_back(&mut self, quota_municipality: Option<i64>) {
        self.booked -= 1;
        if let Some(m) = quota_municipality {
            if let Some(n) = self.quota_booked.get_mut(&m) {
                *n -= 1;
            }
        }
    }
    pub fn hold(&mut self, pool: Pool, n: i64) {
        match pool {
            Pool::General => self.held_general += n,
            Pool::Quota(m) => *self.held_quota.entry(m).or_default() += n,
        }
    }
}

/// The seat pools of one session at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pools {
    pub general_capacity: i64,
    pub general_used: i64,
    /// Active quotas only: (municipality, seats, used).
    pub quotas: Vec<(i64, i64, i64)>,
}

impl Pools {
    pub fn compute(capacity: i64, quotas: &[Quota], occ: &Occupancy, now: i64) -> Pools {
        let mut general_capacity = capacity;
        let mut general_used = occ.booked + occ.held_general;
        let mut active = vec![];
        for q in quotas.iter().filter(|q| q.is_active(now)) {
            let booked = occ
                .quota_booked
                .get(&q.municipality_id)
                .copied()
                .unwrap_or(0);
            let held = occ.held_quota.get(&q.municipality_id).copied().unwrap_or(0);
            general_capacity -= q.seats;
            general_used -= booked;
            active.push((q.municipality_id, q.seats, booked + held));
        }
        // Held seats of a released quota are general seats now.
        for (m, held) in &occ.held_quota {
            if !active.iter().any(|(a, _, _)| a == m) {
                general_used += held;
            }
        }
        Pools {
            general_capacity,
            general_used,
            quotas: active,
        }
    }
    pub fn general_free(&self) -> i64 {
        (self.general_capacity - self.general_used).max(0)
    }
    pub fn quota_free(&self, municipality_id: i64) -> i64 {
        self.quotas
            .iter()
            .find(|(m, _, _)| *m == municipality_id)
            .map(|(_, seats, used)| (seats - used).max(0))
            .unwrap_or(0)
    }
    /// The seat a person from `municipality_id` would get: their quota first.
    pub fn seat_for(&self, municipality_id: i64) -> Option<Pool> {
        if self.quota_free(municipality_id) > 0 {
            Some(Pool::Quota(municipality_id))
        } else if self.general_free() > 0 {
            Some(Pool::General)
        } else {
            None
        }
    }
    /// Free seats for anyone from anywhere (general plus every quota's rest).
    pub fn free_total(&self) -> i64 {
        self.general_free()
            + self
                .quotas
                .iter()
                .map(|(_, s, u)| (s - u).max(0))
                .sum::<i64>()
    }
}

/// What the decision needs to know about the session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionFacts {
    pub status: SessionStatus,
    pub starts_at: i64,
    pub ends_at: i64,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: i64,
    pub capacity: i64,
    pub quotas: Vec<Quota>,
}

impl SessionFacts {
    pub fn pools(&self, occ: &Occupancy, now: i64) -> Pools {
        Pools::compute(self.capacity, &self.quotas, occ, now)
    }
}

/// What the decision needs to know about the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applicant {
    pub municipality_id: i64,
    pub active: bool,
    /// Already has a live booking (booked or waiting) on this session.
    pub already_live: bool,
    /// Holds a seat on another session that overlaps this one in time.
    pub overlapping: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Booked(Pool),
    Waitlisted,
}

/// Why a booking is refused. Every variant is a 409 in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    SessionCancelled,
    SessionOver,
    NotOpenYet {
        opens_at: i64,
    },
    RegistrationClosed,
    AlreadyBooked,
    Overlapping,
    PersonInactive,
    /// A reservation or offer has no unnamed seat left.
    HoldFull,
    /// Not enough free seats for a reservation.
    NotEnoughSeats {
        free: i64,
    },
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::SessionCancelled => "session_cancelled",
            Refusal::SessionOver => "session_over",
            Refusal::NotOpenYet { .. } => "registration_not_open",
            Refusal::RegistrationClosed => "registration_closed",
            Refusal::AlreadyBooked => "already_booked",
            Refusal::Overlapping => "overlapping",
            Refusal::PersonInactive => "person_inactive",
            Refusal::HoldFull => "reservation_full",
            Refusal::NotEnoughSeats { .. } => "not_enough_seats",
        }
    }
    pub fn message(self) -> String {
        match self {
            Refusal::SessionCancelled => "Kurstillfället är inställt.".into(),
            Refusal::SessionOver => "Kurstillfället har redan börjat eller är genomfört.".into(),
            Refusal::NotOpenYet { opens_at } => {
                format!(
                    "Anmälan öppnar {}.",
                    crate::sessions::format_local(opens_at)
                )
            }
            Refusal::RegistrationClosed => "Anmälan till kurstillfället har stängt.".into(),
            Refusal::AlreadyBooked => "Personen är redan anmäld till detta kurstillfälle.".into(),
            Refusal::Overlapping => {
                "Personen är redan bokad på ett annat kurstillfälle som överlappar i tid.".into()
            }
            Refusal::PersonInactive => "Personen är inte längre anställd (inaktiv).".into(),
            Refusal::HoldFull => "Alla reserverade platser är redan namnsatta.".into(),
            Refusal::NotEnoughSeats { free } => format!("Det finns bara {free} lediga platser."),
        }
    }
}

/// The checks shared by every way onto a session, in the order a person
/// would want to hear them.
fn check_window(s: &SessionFacts, now: i64) -> Result<(), Refusal> {
    match s.status {
        SessionStatus::Cancelled => return Err(Refusal::SessionCancelled),
        SessionStatus::Held => return Err(Refusal::SessionOver),
        _ => {}
    }
    if now >= s.starts_at {
        return Err(Refusal::SessionOver);
    }
    if let Some(o) = s.registration_opens_at {
        if now < o {
            return Err(Refusal::NotOpenYet { opens_at: o });
        }
    }
    if now >= s.registration_closes_at {
        return Err(Refusal::RegistrationClosed);
    }
    Ok(())
}

fn check_person(a: &Applicant) -> Result<(), Refusal> {
    if !a.active {
        return Err(Refusal::PersonInactive);
    }
    if a.already_live {
        return Err(Refusal::AlreadyBooked);
    }
    if a.overlapping {
        return Err(Refusal::Overlapping);
    }
    Ok(())
}

/// Rule 1: a seat only when one is free in a pool the person may use;
/// otherwise the waiting list.
pub fn decide(
    s: &SessionFacts,
    occ: &Occupancy,
    now: i64,
    a: &Applicant,
) -> Result<Placement, Refusal> {
    check_window(s, now)?;
    check_person(a)?;
    Ok(match s.pools(occ, now).seat_for(a.municipality_id) {
        Some(pool) => Placement::Booked(pool),
        None => Placement::Waitlisted,
    })
}

/// Reserve `seats` for a unit in `municipality_id` (quota first), all or
/// nothing. Returns how many come from the quota and how many are general.
pub fn decide_hold(
    s: &SessionFacts,
    occ: &Occupancy,
    now: i64,
    municipality_id: i64,
    seats: i64,
) -> Result<(i64, i64), Refusal> {
    check_window(s, now)?;
    let p = s.pools(occ, now);
    let from_quota = p.quota_free(municipality_id).min(seats);
    let general = seats - from_quota;
    if general > p.general_free() {
        return Err(Refusal::NotEnoughSeats {
            free: from_quota + p.general_free(),
        });
    }
    Ok((from_quota, general))
}

/// A manager reservation or a personal offer, as far as naming goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldFacts {
    pub municipality_id: i64,
    pub quota_seats: i64,
    pub general_seats: i64,
    /// Live bookings already named into the hold, per kind of seat.
    pub named_quota: i64,
    pub named_general: i64,
    pub expires_at: i64,
}

impl HoldFacts {
    pub fn unnamed(&self) -> i64 {
        (self.quota_seats - self.named_quota).max(0)
            + (self.general_seats - self.named_general).max(0)
    }
}

/// Name a person into a held seat. The seat is already counted as taken,
/// so no pool check: only the hold's own count, the window and the person.
pub fn decide_named(
    s: &SessionFacts,
    h: &HoldFacts,
    now: i64,
    a: &Applicant,
) -> Result<Pool, Refusal> {
    match s.status {
        SessionStatus::Cancelled => return Err(Refusal::SessionCancelled),
        SessionStatus::Held => return Err(Refusal::SessionOver),
        _ => {}
    }
    if now >= s.starts_at {
        return Err(Refusal::SessionOver);
    }
    if now >= h.expires_at {
        return Err(Refusal::RegistrationClosed);
    }
    check_person(a)?;
    // A seat held from the quota stays marked as such; once the quota is
    // released such bookings simply count as general (see `Pools`).
    if h.named_quota < h.quota_seats {
        Ok(Pool::Quota(h.municipality_id))
    } else if h.named_general < h.general_seats {
        Ok(Pool::General)
    } else {
        Err(Refusal::HoldFull)
    }
}

/// Cancelling a booking ends in one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelKind {
    Cancelled,
    LateCancelled,
}

impl CancelKind {
    pub fn status(self) -> BookingStatus {
        match self {
            CancelKind::Cancelled => BookingStatus::Cancelled,
            CancelKind::LateCancelled => BookingStatus::LateCancelled,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelRefusal {
    NotLive,
    SessionStarted,
}

impl CancelRefusal {
    pub fn code(self) -> &'static str {
        match self {
            CancelRefusal::NotLive => "not_cancellable",
            CancelRefusal::SessionStarted => "session_started",
        }
    }
    pub fn message(self) -> &'static str {
        match self {
            CancelRefusal::NotLive => "Anmälan är redan avbokad eller avslutad.",
            CancelRefusal::SessionStarted => {
                "Kurstillfället har redan börjat; meddela utbildningsledaren i stället."
            }
        }
    }
}

/// A promoted person may decline within this time without it counting as late.
pub const PROMOTION_GRACE_SECS: i64 = 48 * 3600;

/// The moment from which a booked seat given up counts as a late
/// cancellation: the course's deadline in days before the start. Shown on
/// the booking as the last free cancellation time.
pub fn free_cancellation_until(starts_at: i64, deadline_days: i64) -> i64 {
    starts_at - deadline_days.max(0) * 86_400
}

/// Late cancellation rule: a booked seat given up later than the course's
/// deadline (days before the start) is a late cancellation, unless the
/// person got the seat from the waiting list recently and is declining it.
/// Leaving the waiting list is never late.
pub fn cancellation(
    now: i64,
    starts_at: i64,
    deadline_days: i64,
    status: BookingStatus,
    promoted_at: Option<i64>,
) -> Result<CancelKind, CancelRefusal> {
    if !matches!(status, BookingStatus::Booked | BookingStatus::Waitlisted) {
        return Err(CancelRefusal::NotLive);
    }
    if now >= starts_at {
        return Err(CancelRefusal::SessionStarted);
    }
    if status == BookingStatus::Waitlisted {
        return Ok(CancelKind::Cancelled);
    }
    let deadline = free_cancellation_until(starts_at, deadline_days);
    let declining_promotion = promoted_at.is_some_and(|p| now < p + PROMOTION_GRACE_SECS);
    if now >= deadline && !declining_promotion {
        Ok(CancelKind::LateCancelled)
    } else {
        Ok(CancelKind::Cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORE: i64 = 1;
    const KGA: i64 = 2;
    const LIN: i64 = 3;
    const OTHER: i64 = 9;
    const NOW: i64 = 1_000_000;
    const START: i64 = 2_000_000;
    const RELEASE: i64 = 1_500_000;

    fn session(capacity: i64, quotas: Vec<Quota>) -> SessionFacts {
        SessionFacts {
            status: SessionStatus::Open,
            starts_at: START,
            ends_at: START + 3 * 3600,
            registration_opens_at: None,
            registration_closes_at: START,
            capacity,
            quotas,
        }
    }
    fn q(m: i64, seats: i64) -> Quota {
        Quota {
            municipality_id: m,
            seats,
            release_at: RELEASE,
        }
    }
    fn person(m: i64) -> Applicant {
        Applicant {
            municipality_id: m,
            active: true,
            already_live: false,
            overlapping: false,
        }
    }
    /// Book everyone in turn, the way the store does.
    fn run(s: &SessionFacts, now: i64, people: &[i64]) -> (Occupancy, Vec<Placement>) {
        let mut occ = Occupancy::default();
        let mut out = vec![];
        for m in people {
            let p = decide(s, &occ, now, &person(*m)).unwrap();
            if let Placement::Booked(pool) = p {
                occ.take(pool);
            }
            out.push(p);
        }
        (occ, out)
    }

    #[test]
    fn plain_capacity_then_waiting_list() {
        let s = session(2, vec![]);
        let (occ, got) = run(&s, NOW, &[ORE, KGA, LIN]);
        assert_eq!(
            got,
            [
                Placement::Booked(Pool::General),
                Placement::Booked(Pool::General),
                Placement::Waitlisted
            ]
        );
        assert_eq!(occ.booked, 2);
    }

    #[test]
    fn quota_is_reserved_until_release() {
        // 4 seats, 2 reserved for Örebro: others get only 2.
        let s = session(4, vec![q(ORE, 2)]);
        let (_, got) = run(&s, NOW, &[KGA, LIN, KGA, ORE, ORE, ORE]);
        assert_eq!(
            got,
            [
                Placement::Booked(Pool::General),
                Placement::Booked(Pool::General),
                Placement::Waitlisted,
                Placement::Booked(Pool::Quota(ORE)),
                Placement::Booked(Pool::Quota(ORE)),
                Placement::Waitlisted,
            ]
        );
    }

    #[test]
    fn quota_people_also_take_unreserved_seats_after_their_quota() {
        let s = session(4, vec![q(ORE, 1)]);
        let (occ, got) = run(&s, NOW, &[ORE, ORE, ORE, ORE, KGA]);
        assert_eq!(got[0], Placement::Booked(Pool::Quota(ORE)));
        assert_eq!(&got[1..4], [Placement::Booked(Pool::General); 3]);
        assert_eq!(got[4], Placement::Waitlisted);
        assert_eq!(occ.quota_booked[&ORE], 1);
    }

    #[test]
    fn after_release_quota_seats_are_for_everyone() {
        let s = session(4, vec![q(ORE, 2)]);
        let (_, got) = run(&s, RELEASE, &[KGA, KGA, KGA, KGA, ORE]);
        assert_eq!(&got[..4], [Placement::Booked(Pool::General); 4]);
        assert_eq!(got[4], Placement::Waitlisted);
        // Bookings made in the quota before release keep counting after it.
        let mut occ = Occupancy::default();
        occ.take(Pool::Quota(ORE));
        occ.take(Pool::General);
        let p = s.pools(&occ, RELEASE);
        assert_eq!(
            (p.general_capacity, p.general_used, p.free_total()),
            (4, 2, 2)
        );
        assert_eq!(p.seat_for(KGA), Some(Pool::General));
    }

    #[test]
    fn three_quotas_never_exceeded() {
        let s = session(10, vec![q(ORE, 3), q(KGA, 2), q(LIN, 2)]);
        let order: Vec<i64> = (0..40).map(|i| [ORE, KGA, LIN, OTHER][i % 4]).collect();
        let (occ, got) = run(&s, NOW, &order);
        assert_eq!(occ.booked, 10);
        assert!(
            occ.quota_booked[&ORE] <= 3
                && occ.quota_booked[&KGA] <= 2
                && occ.quota_booked[&LIN] <= 2
        );
        // OTHER only ever had the 3 general seats.
        let other_booked = got
            .iter()
            .zip(&order)
            .filter(|(p, m)| **m == OTHER && matches!(p, Placement::Booked(_)))
            .count();
        assert!(other_booked <= 3);
        assert_eq!(
            got.iter().filter(|p| **p == Placement::Waitlisted).count(),
            30
        );
    }

    #[test]
    fn refusals_in_order() {
        let s = session(2, vec![]);
        let occ = Occupancy::default();
        let p = person(ORE);
        let cancelled = SessionFacts {
            status: SessionStatus::Cancelled,
            ..s.clone()
        };
        assert_eq!(
            decide(&cancelled, &occ, NOW, &p),
            Err(Refusal::SessionCancelled)
        );
        let held = SessionFacts {
            status: SessionStatus::Held,
            ..s.clone()
        };
        assert_eq!(decide(&held, &occ, NOW, &p), Err(Refusal::SessionOver));
        assert_eq!(decide(&s, &occ, START, &p), Err(Refusal::SessionOver));
        let later = SessionFacts {
            registration_opens_at: Some(NOW + 10),
            ..s.clone()
        };
        assert_eq!(
            decide(&later, &occ, NOW, &p),
            Err(Refusal::NotOpenYet { opens_at: NOW + 10 })
        );
        assert!(decide(&later, &occ, NOW + 10, &p).is_ok());
        let closed = SessionFacts {
            registration_closes_at: NOW,
            ..s.clone()
        };
        assert_eq!(
            decide(&closed, &occ, NOW, &p),
            Err(Refusal::RegistrationClosed)
        );
        assert_eq!(
            decide(
                &s,
                &occ,
                NOW,
                &Applicant {
                    already_live: true,
                    ..p
                }
            ),
            Err(Refusal::AlreadyBooked)
        );
        assert_eq!(
            decide(
                &s,
                &occ,
                NOW,
                &Applicant {
                    overlapping: true,
                    ..p
                }
            ),
            Err(Refusal::Overlapping)
        );
        assert_eq!(
            decide(&s, &occ, NOW, &Applicant { active: false, ..p }),
            Err(Refusal::PersonInactive)
        );
        // A full session is not a refusal: it is the waiting list.
        let mut full = Occupancy::default();
        full.take(Pool::General);
        full.take(Pool::General);
        assert_eq!(decide(&s, &full, NOW, &p), Ok(Placement::Waitlisted));
        // The same person twice on a full session is still "already booked".
        assert_eq!(
            decide(
                &s,
                &full,
                NOW,
                &Applicant {
                    already_live: true,
                    ..p
                }
            ),
            Err(Refusal::AlreadyBooked)
        );
    }

    #[test]
    fn refusal_messages_are_swedish_and_coded() {
        for r in [
            Refusal::SessionCancelled,
            Refusal::SessionOver,
            Refusal::NotOpenYet { opens_at: 0 },
            Refusal::RegistrationClosed,
            Refusal::AlreadyBooked,
            Refusal::Overlapping,
            Refusal::PersonInactive,
            Refusal::HoldFull,
            Refusal::NotEnoughSeats { free: 2 },
        ] {
            assert!(!r.message().is_empty() && !r.code().is_empty());
        }
        assert_eq!(
            Refusal::NotEnoughSeats { free: 2 }.message(),
            "Det finns bara 2 lediga platser."
        );
    }

    #[test]
    fn holds_take_seats_quota_first_all_or_nothing() {
        let s = session(6, vec![q(ORE, 2)]);
        let occ = Occupancy::default();
        assert_eq!(decide_hold(&s, &occ, NOW, ORE, 3), Ok((2, 1)));
        assert_eq!(decide_hold(&s, &occ, NOW, KGA, 3), Ok((0, 3)));
        assert_eq!(
            decide_hold(&s, &occ, NOW, KGA, 5),
            Err(Refusal::NotEnoughSeats { free: 4 })
        );
        assert_eq!(
            decide_hold(&s, &occ, NOW, ORE, 7),
            Err(Refusal::NotEnoughSeats { free: 6 })
        );
        // Held seats are taken: a reservation of 4 general seats leaves none for Karlskoga.
        let mut occ = Occupancy::default();
        occ.hold(Pool::General, 4);
        assert_eq!(s.pools(&occ, NOW).seat_for(KGA), None);
        assert_eq!(s.pools(&occ, NOW).seat_for(ORE), Some(Pool::Quota(ORE)));
        // Held quota seats become general when the quota is released.
        let mut occ = Occupancy::default();
        occ.hold(Pool::Quota(ORE), 2);
        let p = s.pools(&occ, RELEASE);
        assert_eq!((p.general_capacity, p.general_used), (6, 2));
        let cancelled = SessionFacts {
            status: SessionStatus::Cancelled,
            ..s
        };
        assert_eq!(
            decide_hold(&cancelled, &Occupancy::default(), NOW, ORE, 1),
            Err(Refusal::SessionCancelled)
        );
    }

    #[test]
    fn naming_people_into_a_hold() {
        let s = session(6, vec![q(ORE, 2)]);
        let h = HoldFacts {
            municipality_id: ORE,
            quota_seats: 1,
            general_seats: 1,
            named_quota: 0,
            named_general: 0,
            expires_at: NOW + 100,
        };
        let p = person(ORE);
        assert_eq!(h.unnamed(), 2);
        assert_eq!(decide_named(&s, &h, NOW, &p), Ok(Pool::Quota(ORE)));
        let h1 = HoldFacts {
            named_quota: 1,
            ..h
        };
        assert_eq!(decide_named(&s, &h1, NOW, &p), Ok(Pool::General));
        let h2 = HoldFacts {
            named_quota: 1,
            named_general: 1,
            ..h
        };
        assert_eq!(h2.unnamed(), 0);
        assert_eq!(decide_named(&s, &h2, NOW, &p), Err(Refusal::HoldFull));
        assert_eq!(
            decide_named(&s, &h, NOW + 100, &p),
            Err(Refusal::RegistrationClosed)
        );
        assert_eq!(
            decide_named(
                &s,
                &h,
                NOW,
                &Applicant {
                    overlapping: true,
                    ..p
                }
            ),
            Err(Refusal::Overlapping)
        );
        // Quota released before naming: still marked as the quota's seat,
        // which the pools then count as general.
        let late = HoldFacts {
            expires_at: START,
            ..h
        };
        assert_eq!(decide_named(&s, &late, RELEASE, &p), Ok(Pool::Quota(ORE)));
    }

    #[test]
    fn late_cancellation_rule() {
        let day = 86_400;
        let start = 100 * day;
        use BookingStatus::*;
        assert_eq!(
            cancellation(start - 3 * day, start, 2, Booked, None),
            Ok(CancelKind::Cancelled)
        );
        assert_eq!(
            cancellation(start - 2 * day, start, 2, Booked, None),
            Ok(CancelKind::LateCancelled)
        );
        assert_eq!(
            cancellation(start - 1, start, 2, Booked, None),
            Ok(CancelKind::LateCancelled)
        );
        assert_eq!(
            cancellation(start - 1, start, 2, Waitlisted, None),
            Ok(CancelKind::Cancelled)
        );
        assert_eq!(
            cancellation(start, start, 2, Booked, None),
            Err(CancelRefusal::SessionStarted)
        );
        assert_eq!(
            cancellation(0, start, 2, Cancelled, None),
            Err(CancelRefusal::NotLive)
        );
        assert_eq!(
            cancellation(0, start, 2, Attended, None),
            Err(CancelRefusal::NotLive)
        );
        // Declining a seat just given from the waiting list is not late…
        let promoted = start - day;
        assert_eq!(
            cancellation(promoted + 3600, start, 2, Booked, Some(promoted)),
            Ok(CancelKind::Cancelled)
        );
        // … but keeping it past the grace period and then cancelling is.
        let long_ago = start - 10 * day;
        assert_eq!(
            cancellation(start - day, start, 2, Booked, Some(long_ago)),
            Ok(CancelKind::LateCancelled)
        );
        // A zero deadline: only cancellation after the start would be late, and that is refused.
        assert_eq!(
            cancellation(start - 1, start, 0, Booked, None),
            Ok(CancelKind::Cancelled)
        );
    }

    #[test]
    fn status_vocabulary() {
        for s in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(s.code()), Some(s));
            assert_eq!(BookingStatus::parse(s.label_sv()), Some(s));
        }
        assert!(BookingStatus::Attended.holds_seat() && !BookingStatus::Waitlisted.holds_seat());
        assert!(BookingStatus::Waitlisted.is_live() && !BookingStatus::LateCancelled.is_live());
        assert_eq!(Pool::Quota(3).quota_municipality(), Some(3));
    }
}
