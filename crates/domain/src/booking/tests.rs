use super::*;
use crate::sessions::{Quota, SessionStatus};

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
        occ.quota_booked[&ORE] <= 3 && occ.quota_booked[&KGA] <= 2 && occ.quota_booked[&LIN] <= 2
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
