//! Cancelling a booking: free or late, and when it cannot be cancelled.

use super::status::BookingStatus;

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
