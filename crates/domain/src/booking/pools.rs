//! The seat pools of a session: quota and general seats, and how many of
//! each are taken.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sessions::Quota;

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
