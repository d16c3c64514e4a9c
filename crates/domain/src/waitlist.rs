//! The waiting list: who gets a freed seat (rule 2).
//!
//! People wait in the order they asked (`waitlist_seq`). A freed seat goes
//! to the first person in that order who can use it: the seat must be in a
//! pool open to them (a quota seat only to its municipality until the
//! release date) and they must not hold a seat on an overlapping session
//! meanwhile. Nobody is promoted once the session has begun or is over.

use crate::booking::{Occupancy, Pool, SessionFacts};

/// One person on the waiting list, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub booking_id: i64,
    pub municipality_id: i64,
    /// False when the person now holds a seat on an overlapping session,
    /// or has left (inactive).
    pub eligible: bool,
}

/// Fill every free seat from the waiting list, first eligible first.
/// Updates `occ` and returns the promotions in the order made.
pub fn plan_promotions(
    s: &SessionFacts,
    occ: &mut Occupancy,
    now: i64,
    waiting: &[Waiting],
) -> Vec<(i64, Pool)> {
    let mut out = vec![];
    if s.status.is_final() || now >= s.starts_at {
        return out;
    }
    for w in waiting.iter().filter(|w| w.eligible) {
        let pools = s.pools(occ, now);
        if pools.free_total() == 0 {
            break;
        }
        if let Some(pool) = pools.seat_for(w.municipality_id) {
            occ.take(pool);
            out.push((w.booking_id, pool));
        }
    }
    out
}

/// A waiting person's position: 1 + how many wait ahead of them.
pub fn position(seq: i64, all_seqs: &[i64]) -> i64 {
    1 + all_seqs.iter().filter(|s| **s < seq).count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::{Quota, SessionStatus};

    const ORE: i64 = 1;
    const KGA: i64 = 2;
    const NOW: i64 = 1_000;
    const START: i64 = 10_000;

    fn session(capacity: i64, quotas: Vec<Quota>) -> SessionFacts {
        SessionFacts {
            status: SessionStatus::Full,
            starts_at: START,
            ends_at: START + 100,
            registration_opens_at: None,
            registration_closes_at: START,
            capacity,
            quotas,
        }
    }
    fn w(id: i64, m: i64) -> Waiting {
        Waiting {
            booking_id: id,
            municipality_id: m,
            eligible: true,
        }
    }
    fn full(n: i64) -> Occupancy {
        let mut o = Occupancy::default();
        for _ in 0..n {
            o.take(Pool::General);
        }
        o
    }

    #[test]
    fn first_in_line_gets_the_freed_seat() {
        let s = session(3, vec![]);
        let mut occ = full(3);
        occ.give_back(None);
        let got = plan_promotions(&s, &mut occ, NOW, &[w(10, KGA), w(11, ORE)]);
        assert_eq!(got, [(10, Pool::General)]);
        assert_eq!(occ.booked, 3);
    }

    #[test]
    fn several_freed_seats_go_in_order() {
        let s = session(5, vec![]);
        let mut occ = full(2);
        let got = plan_promotions(
            &s,
            &mut occ,
            NOW,
            &[w(1, ORE), w(2, KGA), w(3, ORE), w(4, KGA)],
        );
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn a_freed_quota_seat_skips_to_the_first_person_of_that_municipality() {
        let q = Quota {
            municipality_id: ORE,
            seats: 2,
            release_at: START,
        };
        let s = session(4, vec![q]);
        // 2 general seats taken by Karlskoga, 2 quota seats by Örebro.
        let mut occ = Occupancy::default();
        occ.take(Pool::General);
        occ.take(Pool::General);
        occ.take(Pool::Quota(ORE));
        occ.take(Pool::Quota(ORE));
        // An Örebro person cancels: the freed quota seat is not Karlskoga's.
        occ.give_back(Some(ORE));
        let got = plan_promotions(
            &s,
            &mut occ,
            NOW,
            &[w(1, KGA), w(2, KGA), w(3, ORE), w(4, ORE)],
        );
        assert_eq!(got, [(3, Pool::Quota(ORE))]);
        // After the release date the same seat would go to the first in line.
        let mut occ2 = Occupancy::default();
        occ2.take(Pool::General);
        occ2.take(Pool::General);
        occ2.take(Pool::Quota(ORE));
        let got = plan_promotions(&s, &mut occ2, START - 1, &[w(1, KGA), w(3, ORE)]);
        assert_eq!(got, [(3, Pool::Quota(ORE))], "still before release");
        let s_released = SessionFacts {
            quotas: vec![Quota {
                release_at: NOW,
                ..q
            }],
            ..s
        };
        let mut occ3 = Occupancy::default();
        occ3.take(Pool::General);
        occ3.take(Pool::General);
        occ3.take(Pool::Quota(ORE));
        let got = plan_promotions(&s_released, &mut occ3, NOW, &[w(1, KGA), w(3, ORE)]);
        assert_eq!(got, [(1, Pool::General)]);
    }

    #[test]
    fn ineligible_people_are_skipped_not_removed() {
        let s = session(2, vec![]);
        let mut occ = full(1);
        let got = plan_promotions(
            &s,
            &mut occ,
            NOW,
            &[
                Waiting {
                    eligible: false,
                    ..w(1, ORE)
                },
                w(2, KGA),
            ],
        );
        assert_eq!(got, [(2, Pool::General)]);
    }

    #[test]
    fn nobody_is_promoted_once_the_session_started_or_was_cancelled() {
        let mut occ = full(1);
        assert!(plan_promotions(&session(2, vec![]), &mut occ, START, &[w(1, ORE)]).is_empty());
        let cancelled = SessionFacts {
            status: SessionStatus::Cancelled,
            ..session(2, vec![])
        };
        assert!(plan_promotions(&cancelled, &mut occ, NOW, &[w(1, ORE)]).is_empty());
        assert!(
            plan_promotions(&session(1, vec![]), &mut full(1), NOW, &[w(1, ORE)]).is_empty(),
            "no free seat"
        );
    }

    #[test]
    fn promotion_respects_held_seats() {
        let s = session(3, vec![]);
        let mut occ = full(1);
        occ.hold(Pool::General, 1);
        let got = plan_promotions(&s, &mut occ, NOW, &[w(1, ORE), w(2, ORE)]);
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn positions_count_those_ahead() {
        assert_eq!(position(7, &[3, 7, 9]), 2);
        assert_eq!(position(3, &[3, 7, 9]), 1);
        assert_eq!(position(10, &[]), 1);
    }
}
