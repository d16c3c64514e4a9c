//! Changing a session that people have booked: who keeps a seat when the
//! capacity or the quotas shrink, and whether the change must be told.
//!
//! The seats are dealt again, in the order people got them (earliest
//! first), with the new capacity and quotas: each booking takes the seat
//! its person would get now (their municipality's quota first, then an
//! unreserved seat). Unnamed seats of reservations and offers keep their
//! place. Whoever is left over – always the latest bookings – either makes
//! the change refused (with the numbers) or, when the coordinator chose so,
//! goes to the top of the waiting list, the earliest of them first.

use crate::booking::{Occupancy, Pool, Pools};
use crate::sessions::{Interval, Quota};

/// A booking holding a seat, as the capacity rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatHolder {
    pub booking_id: i64,
    pub municipality_id: i64,
    /// The pool the seat came from (`bookings.quota_municipality_id`).
    pub pool: Pool,
}

/// The seats dealt again under the new capacity and quotas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapacityPlan {
    /// Bookings that keep a seat, with the pool it is now counted in.
    pub keep: Vec<(i64, Pool)>,
    /// Bookings that no longer fit, earliest first.
    pub over: Vec<i64>,
}

impl CapacityPlan {
    /// Bookings whose pool changes (to write back).
    pub fn changed_pools<'a>(
        &'a self,
        holders: &'a [SeatHolder],
    ) -> impl Iterator<Item = (i64, Pool)> + 'a {
        self.keep.iter().copied().filter(move |(id, pool)| {
            holders
                .iter()
                .any(|h| h.booking_id == *id && h.pool != *pool)
        })
    }
}

/// Deal the seats again. `holders` in the order the seats were taken
/// (earliest first); `held` is the occupancy of unnamed held seats only.
pub fn plan_capacity(
    capacity: i64,
    quotas: &[Quota],
    held: &Occupancy,
    holders: &[SeatHolder],
    now: i64,
) -> CapacityPlan {
    let mut occ = held.clone();
    let mut plan = CapacityPlan::default();
    for h in holders {
        match Pools::compute(capacity, quotas, &occ, now).seat_for(h.municipality_id) {
            Some(pool) => {
                occ.take(pool);
                plan.keep.push((h.booking_id, pool));
            }
            None => plan.over.push(h.booking_id),
        }
    }
    plan
}

/// What the coordinator chose for bookings that no longer fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Refuse the change (the default: nothing happens by surprise).
    #[default]
    Refuse,
    /// Move the latest bookings to the top of the waiting list.
    ToWaitingList,
}

/// Why a change of capacity is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooFewSeats {
    /// People holding a seat now.
    pub booked: i64,
    /// Of them, how many fit the new capacity and quotas.
    pub fit: i64,
}

impl TooFewSeats {
    pub fn message(&self) -> String {
        format!(
            "{} personer är bokade men bara {} ryms med de nya platserna och kvoterna. \
             Höj antalet platser till minst {} eller välj att flytta de {} senast bokade till väntelistan.",
            self.booked,
            self.fit,
            self.booked,
            self.booked - self.fit
        )
    }
}

/// The capacity rule: the plan as it is when everyone fits or the
/// coordinator chose the waiting list; otherwise refused with the numbers.
pub fn decide_capacity(plan: CapacityPlan, choice: Overflow) -> Result<CapacityPlan, TooFewSeats> {
    if plan.over.is_empty() || choice == Overflow::ToWaitingList {
        Ok(plan)
    } else {
        Err(TooFewSeats {
            booked: (plan.keep.len() + plan.over.len()) as i64,
            fit: plan.keep.len() as i64,
        })
    }
}

/// Waiting-list numbers for people moved to its top: below every number
/// in use, in the given order (earliest booking first).
pub fn top_of_waiting_list(lowest_in_use: Option<i64>, moved: usize) -> Vec<i64> {
    let first = lowest_in_use.unwrap_or(1) - moved as i64;
    (0..moved as i64).map(|i| first + i).collect()
}

/// What people booked see of a session: its times and its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visible {
    pub parts: Vec<Interval>,
    pub municipality_id: i64,
    pub venue: String,
}

/// A change people booked must be told about (with a new calendar event):
/// another time or another place. Capacity, quotas, trainers or the
/// registration window alone change nothing in their calendar.
pub fn must_tell(before: &Visible, after: &Visible) -> bool {
    let mut a = before.parts.clone();
    let mut b = after.parts.clone();
    a.sort_by_key(|p| p.starts_at);
    b.sort_by_key(|p| p.starts_at);
    a != b || before.municipality_id != after.municipality_id || before.venue != after.venue
}

/// The calendar SEQUENCE of the next invitation about a booking: always
/// higher than the last one sent, so calendars replace the event.
pub fn next_sequence(last_sent: i64) -> i64 {
    last_sent.max(0) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORE: i64 = 1;
    const KGA: i64 = 2;
    const NOW: i64 = 1_000;

    fn h(id: i64, m: i64, pool: Pool) -> SeatHolder {
        SeatHolder {
            booking_id: id,
            municipality_id: m,
            pool,
        }
    }

    fn general(ids: &[i64]) -> Vec<SeatHolder> {
        ids.iter().map(|i| h(*i, KGA, Pool::General)).collect()
    }

    #[test]
    fn lowering_below_the_booked_count_leaves_the_latest_over() {
        let holders = general(&[10, 11, 12, 13, 14]);
        let plan = plan_capacity(3, &[], &Occupancy::default(), &holders, NOW);
        assert_eq!(
            plan.keep.iter().map(|k| k.0).collect::<Vec<_>>(),
            [10, 11, 12]
        );
        assert_eq!(plan.over, [13, 14]);
        assert_eq!(
            decide_capacity(plan.clone(), Overflow::Refuse),
            Err(TooFewSeats { booked: 5, fit: 3 })
        );
        let moved = decide_capacity(plan, Overflow::ToWaitingList).unwrap();
        assert_eq!(moved.over, [13, 14]);
        let msg = TooFewSeats { booked: 5, fit: 3 }.message();
        assert!(
            msg.starts_with("5 personer är bokade men bara 3 ryms"),
            "{msg}"
        );
        assert!(msg.contains("minst 5") && msg.contains("de 2 senast bokade"));
    }

    #[test]
    fn lowering_to_exactly_the_booked_count_or_raising_moves_nobody() {
        let holders = general(&[1, 2, 3]);
        for cap in [3, 4, 50] {
            let plan = plan_capacity(cap, &[], &Occupancy::default(), &holders, NOW);
            assert!(plan.over.is_empty(), "capacity {cap}");
            assert_eq!(
                decide_capacity(plan, Overflow::Refuse).unwrap().keep.len(),
                3
            );
        }
    }

    #[test]
    fn held_seats_count_and_keep_their_place() {
        let mut held = Occupancy::default();
        held.hold(Pool::General, 2);
        let plan = plan_capacity(4, &[], &held, &general(&[1, 2, 3]), NOW);
        assert_eq!(plan.over, [3]);
    }

    #[test]
    fn a_new_quota_takes_seats_from_others_and_relabels_its_people() {
        // Five seats, three booked from Karlskoga and one Örebro person in a
        // general seat; a new Örebro quota of two: the Örebro person moves
        // into the quota, and one quota seat stays reserved, so the general
        // pool has three seats for the three from Karlskoga.
        let quota = [Quota {
            municipality_id: ORE,
            seats: 2,
            release_at: NOW + 100,
        }];
        let holders = vec![
            h(1, KGA, Pool::General),
            h(2, ORE, Pool::General),
            h(3, KGA, Pool::General),
            h(4, KGA, Pool::General),
        ];
        let plan = plan_capacity(5, &quota, &Occupancy::default(), &holders, NOW);
        assert!(plan.over.is_empty());
        let changed: Vec<_> = plan.changed_pools(&holders).collect();
        assert_eq!(changed, [(2, Pool::Quota(ORE))]);
        // With only four seats the last Karlskoga booking no longer fits.
        let plan = plan_capacity(4, &quota, &Occupancy::default(), &holders, NOW);
        assert_eq!(plan.over, [4]);
        // After the release date the quota is no more: everyone fits.
        let plan = plan_capacity(4, &quota, &Occupancy::default(), &holders, NOW + 100);
        assert!(plan.over.is_empty());
    }

    #[test]
    fn moved_people_go_above_everyone_waiting_in_their_order() {
        assert_eq!(top_of_waiting_list(Some(5), 2), [3, 4]);
        assert_eq!(top_of_waiting_list(Some(1), 3), [-2, -1, 0]);
        assert_eq!(top_of_waiting_list(None, 1), [0]);
        assert!(top_of_waiting_list(Some(7), 0).is_empty());
    }

    #[test]
    fn only_time_and_place_changes_are_told() {
        let v = Visible {
            parts: vec![Interval::new(100, 200), Interval::new(300, 400)],
            municipality_id: ORE,
            venue: "Aulan".into(),
        };
        let same_order_swapped = Visible {
            parts: vec![Interval::new(300, 400), Interval::new(100, 200)],
            ..v.clone()
        };
        assert!(!must_tell(&v, &v));
        assert!(!must_tell(&v, &same_order_swapped));
        assert!(must_tell(
            &v,
            &Visible {
                parts: vec![Interval::new(100, 250), Interval::new(300, 400)],
                ..v.clone()
            }
        ));
        assert!(must_tell(
            &v,
            &Visible {
                venue: "Sal 2".into(),
                ..v.clone()
            }
        ));
        assert!(must_tell(
            &v,
            &Visible {
                municipality_id: KGA,
                ..v.clone()
            }
        ));
    }

    #[test]
    fn sequence_always_grows() {
        assert_eq!(next_sequence(0), 1);
        assert_eq!(next_sequence(4), 5);
        assert_eq!(next_sequence(-3), 1);
    }
}
