//! The decision itself: a seat, the waiting list or a refusal, for a
//! booking, a manager's reservation or a person named into one.

use super::pools::{Occupancy, Pool, Pools};
use super::refusal::Refusal;
use crate::sessions::{Quota, SessionStatus};

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
