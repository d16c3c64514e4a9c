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
//!
//! Split by what it holds: the status vocabulary and the kinds of held
//! seats (`status`), the seat pools (`pools`), the decision (`decision`)
//! and its reasons (`refusal`), cancelling (`cancellation`) and taking a cancellation back
//! (`undo`).

mod cancellation;
mod decision;
mod pools;
mod refusal;
mod status;
pub mod undo;

pub use cancellation::{
    cancellation, free_cancellation_until, CancelKind, CancelRefusal, PROMOTION_GRACE_SECS,
};
pub use decision::{
    decide, decide_hold, decide_named, Applicant, HoldFacts, Placement, SessionFacts,
};
pub use pools::{Occupancy, Pool, Pools};
pub use refusal::Refusal;
pub use status::{BookingStatus, HoldKind};

#[cfg(test)]
mod tests;
