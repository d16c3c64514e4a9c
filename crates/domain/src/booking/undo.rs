//! Taking a cancellation back ("Ångra"): within ten minutes, and only if
//! the seat is still there for the person. A seat given to someone on the
//! waiting list, or booked by someone else meanwhile, is not taken back
//! from them: the cancellation then stands.

use super::{Applicant, BookingStatus, Occupancy, Placement, SessionFacts};
use crate::sessions::SessionStatus;

/// How long a cancellation can be undone.
pub const UNDO_WINDOW_SECS: i64 = 10 * 60;

/// Until when a cancellation made at `cancelled_at` can be undone.
pub fn undo_until(cancelled_at: i64) -> i64 {
    cancelled_at + UNDO_WINDOW_SECS
}

/// Why a cancellation cannot be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoRefusal {
    /// The booking is not cancelled (or was never live before).
    NotCancelled,
    /// More than ten minutes have passed.
    TooLate,
    SessionCancelled,
    SessionStarted,
    /// The seat went to someone else (the waiting list or a new booking).
    SeatTaken,
    /// The person has booked this session again, or booked an overlapping one.
    AlreadyBooked,
    Overlapping,
    PersonInactive,
}

impl UndoRefusal {
    pub fn code(self) -> &'static str {
        match self {
            UndoRefusal::NotCancelled => "not_cancelled",
            UndoRefusal::TooLate => "undo_too_late",
            UndoRefusal::SessionCancelled => "session_cancelled",
            UndoRefusal::SessionStarted => "session_started",
            UndoRefusal::SeatTaken => "seat_taken",
            UndoRefusal::AlreadyBooked => "already_booked",
            UndoRefusal::Overlapping => "overlapping",
            UndoRefusal::PersonInactive => "person_inactive",
        }
    }
    pub fn message(self) -> &'static str {
        match self {
            UndoRefusal::NotCancelled => "Anmälan är inte avbokad.",
            UndoRefusal::TooLate => {
                "Avbokningen kan bara ångras inom 10 minuter. Boka på nytt om det finns plats."
            }
            UndoRefusal::SessionCancelled => "Kurstillfället är inställt.",
            UndoRefusal::SessionStarted => "Kurstillfället har redan börjat.",
            UndoRefusal::SeatTaken => {
                "Platsen har redan gått till någon annan, så avbokningen kan inte ångras. Du kan anmäla dig på nytt (väntelistan)."
            }
            UndoRefusal::AlreadyBooked => "Personen är redan anmäld till kurstillfället igen.",
            UndoRefusal::Overlapping => {
                "Personen har hunnit boka ett annat kurstillfälle som överlappar i tid."
            }
            UndoRefusal::PersonInactive => "Personen är inte längre anställd (inaktiv).",
        }
    }
}

/// What a cancellation was, as far as undoing it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelledBooking {
    /// `cancelled` or `late_cancelled` now.
    pub status: BookingStatus,
    /// What it was before: `booked` or `waitlisted`.
    pub was: Option<BookingStatus>,
    pub cancelled_at: Option<i64>,
}

/// May the cancellation be undone now, and where does the person land:
/// a seat (from the pool they would get now) if they had one and a seat is
/// still free for them; their old place on the waiting list if they were
/// waiting. `occ` is the session's occupancy now (after the cancellation).
pub fn undo(
    b: &CancelledBooking,
    s: &SessionFacts,
    occ: &Occupancy,
    now: i64,
    a: &Applicant,
) -> Result<Placement, UndoRefusal> {
    if !matches!(
        b.status,
        BookingStatus::Cancelled | BookingStatus::LateCancelled
    ) {
        return Err(UndoRefusal::NotCancelled);
    }
    let (Some(was), Some(at)) = (b.was, b.cancelled_at) else {
        return Err(UndoRefusal::NotCancelled);
    };
    if now >= undo_until(at) {
        return Err(UndoRefusal::TooLate);
    }
    match s.status {
        SessionStatus::Cancelled => return Err(UndoRefusal::SessionCancelled),
        SessionStatus::Held => return Err(UndoRefusal::SessionStarted),
        _ => {}
    }
    if now >= s.starts_at {
        return Err(UndoRefusal::SessionStarted);
    }
    if !a.active {
        return Err(UndoRefusal::PersonInactive);
    }
    if a.already_live {
        return Err(UndoRefusal::AlreadyBooked);
    }
    if a.overlapping {
        return Err(UndoRefusal::Overlapping);
    }
    match was {
        BookingStatus::Waitlisted => Ok(Placement::Waitlisted),
        BookingStatus::Booked => s
            .pools(occ, now)
            .seat_for(a.municipality_id)
            .map(Placement::Booked)
            .ok_or(UndoRefusal::SeatTaken),
        _ => Err(UndoRefusal::NotCancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::Pool;
    use crate::sessions::Quota;

    const NOW: i64 = 1_000_000;
    const START: i64 = 2_000_000;
    const ORE: i64 = 1;
    const KGA: i64 = 2;

    fn session(capacity: i64) -> SessionFacts {
        SessionFacts {
            status: SessionStatus::Open,
            starts_at: START,
            ends_at: START + 3600,
            registration_opens_at: None,
            registration_closes_at: START,
            capacity,
            quotas: vec![],
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

    fn cancelled(was: BookingStatus, at: i64) -> CancelledBooking {
        CancelledBooking {
            status: BookingStatus::Cancelled,
            was: Some(was),
            cancelled_at: Some(at),
        }
    }

    fn occ(n: i64) -> Occupancy {
        let mut o = Occupancy::default();
        for _ in 0..n {
            o.take(Pool::General);
        }
        o
    }

    #[test]
    fn within_ten_minutes_and_the_seat_still_free() {
        let b = cancelled(BookingStatus::Booked, NOW);
        let s = session(2);
        assert_eq!(
            undo(&b, &s, &occ(1), NOW + 599, &person(ORE)),
            Ok(Placement::Booked(Pool::General))
        );
        assert_eq!(
            undo(&b, &s, &occ(1), NOW + 600, &person(ORE)),
            Err(UndoRefusal::TooLate)
        );
        assert_eq!(undo_until(NOW), NOW + 600);
    }

    #[test]
    fn a_seat_taken_meanwhile_is_not_taken_back() {
        let b = cancelled(BookingStatus::Booked, NOW);
        assert_eq!(
            undo(&b, &session(2), &occ(2), NOW + 10, &person(ORE)),
            Err(UndoRefusal::SeatTaken)
        );
        // Also when the only free seat is reserved for another municipality.
        let s = SessionFacts {
            quotas: vec![Quota {
                municipality_id: KGA,
                seats: 1,
                release_at: START,
            }],
            ..session(2)
        };
        assert_eq!(
            undo(&b, &s, &occ(1), NOW + 10, &person(ORE)),
            Err(UndoRefusal::SeatTaken)
        );
        // … which someone from that municipality gets back.
        assert_eq!(
            undo(&b, &s, &occ(1), NOW + 10, &person(KGA)),
            Ok(Placement::Booked(Pool::Quota(KGA)))
        );
    }

    #[test]
    fn a_late_cancellation_is_undone_too() {
        let b = CancelledBooking {
            status: BookingStatus::LateCancelled,
            ..cancelled(BookingStatus::Booked, NOW)
        };
        assert!(undo(&b, &session(1), &occ(0), NOW + 1, &person(ORE)).is_ok());
    }

    #[test]
    fn leaving_the_waiting_list_is_undone_to_the_waiting_list() {
        let b = cancelled(BookingStatus::Waitlisted, NOW);
        assert_eq!(
            undo(&b, &session(1), &occ(1), NOW + 1, &person(ORE)),
            Ok(Placement::Waitlisted)
        );
    }

    #[test]
    fn refusals() {
        let b = cancelled(BookingStatus::Booked, NOW);
        let s = session(5);
        let o = occ(0);
        let live = CancelledBooking {
            status: BookingStatus::Booked,
            ..b
        };
        assert_eq!(
            undo(&live, &s, &o, NOW, &person(ORE)),
            Err(UndoRefusal::NotCancelled)
        );
        let unknown = CancelledBooking { was: None, ..b };
        assert_eq!(
            undo(&unknown, &s, &o, NOW, &person(ORE)),
            Err(UndoRefusal::NotCancelled)
        );
        let gone = SessionFacts {
            status: SessionStatus::Cancelled,
            ..s.clone()
        };
        assert_eq!(
            undo(&b, &gone, &o, NOW, &person(ORE)),
            Err(UndoRefusal::SessionCancelled)
        );
        let begun = cancelled(BookingStatus::Booked, START - 60);
        assert_eq!(
            undo(&begun, &s, &o, START, &person(ORE)),
            Err(UndoRefusal::SessionStarted)
        );
        for (a, r) in [
            (
                Applicant {
                    already_live: true,
                    ..person(ORE)
                },
                UndoRefusal::AlreadyBooked,
            ),
            (
                Applicant {
                    overlapping: true,
                    ..person(ORE)
                },
                UndoRefusal::Overlapping,
            ),
            (
                Applicant {
                    active: false,
                    ..person(ORE)
                },
                UndoRefusal::PersonInactive,
            ),
        ] {
            assert_eq!(undo(&b, &s, &o, NOW, &a), Err(r));
        }
        for r in [UndoRefusal::SeatTaken, UndoRefusal::TooLate] {
            assert!(!r.message().is_empty() && !r.code().is_empty());
        }
    }
}
