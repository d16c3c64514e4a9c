//! Bookings, the waiting list, reservations and offers, decided inside one
//! write transaction per batch.
//!
//! Every decision holds the session: on PostgreSQL its row is locked
//! (`SELECT … FOR UPDATE`), and the person's row too, so an overlap check
//! cannot race with the same person booking elsewhere; on SQLite all write
//! transactions go through the single writer connection. The seat decision
//! itself is `domain::booking::decide`. A promotion from the waiting list
//! happens in the same transaction as the change that freed the seat, and
//! every notice is written to the outbox in that transaction too.
//!
//! Several requests can be decided in one transaction ([`book_batch`],
//! used by the group-commit [`Queue`] and by a manager's bulk booking):
//! session by session, each session's requests in the order given, each
//! seeing the ones before it. A session's decisions are made in memory and
//! written with one multi-row insert for the bookings and one for their
//! notices, and all are committed together. If the transaction fails, each
//! request is retried alone, so one bad request cannot fail the others.

use domain::booking::{BookingStatus, Refusal};
use serde::Serialize;

use crate::audit::Who;
use crate::error::StoreError;

mod batch;
mod calendar;
mod cancel;
pub(crate) mod decide;
mod holds;
mod people;
mod queue;
mod session_cancel;
mod undo;
mod views;

pub use batch::{book, book_batch};
pub use calendar::{feed_token, person_calendar, person_for_feed, person_ref, renew_feed_token};
pub use cancel::{cancel, cancel_in, record_cancel, settle_session, sweep, Cancelled};
pub use holds::{
    accept_offer, hold, holds_for_session, holds_for_units, offers_for_person,
    open_reservations_for_units, release_hold, reserve, HoldView,
};
pub(crate) use people::has_overlap;
pub use queue::{Queue, MAX_BATCH};
pub use session_cancel::{cancel_session, SessionCancelReport, OFFER_HOLD_SECS};
pub use undo::{undo_cancel, Restored};
pub use views::{
    decline_link_valid, for_person, for_session, for_units, get, offer_link_valid, BookingView,
};

/// Who made a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Via {
    /// The person themself.
    Own,
    Manager,
    Coordinator,
}

impl Via {
    pub fn code(self) -> &'static str {
        match self {
            Via::Own => "self",
            Via::Manager => "manager",
            Via::Coordinator => "coordinator",
        }
    }
    pub fn label_sv(code: &str) -> &'static str {
        match code {
            "manager" => "chef",
            "coordinator" => "samordnare",
            _ => "själv",
        }
    }
}

/// One request for a seat.
#[derive(Debug, Clone)]
pub struct BookRequest {
    pub session_id: i64,
    pub person_id: i64,
    pub who: Who,
    pub via: Via,
    /// Language support, interpreter, adapted material … (free text or codes).
    pub support_needs: String,
    /// Name the person into this reservation or offer.
    pub hold_id: Option<i64>,
}

/// What a request ended in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub booking_id: i64,
    pub status: BookingStatus,
    pub waitlist_position: Option<i64>,
}

fn refused(r: Refusal) -> StoreError {
    let field = match r {
        Refusal::AlreadyBooked | Refusal::Overlapping | Refusal::PersonInactive => {
            Some("person_id")
        }
        _ => None,
    };
    StoreError::conflict(field, r.message())
}

const LIVE: &str = "('booked', 'waitlisted', 'attended', 'absent')";
const SEAT: &str = "('booked', 'attended', 'absent')";
