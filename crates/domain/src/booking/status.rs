//! A booking's status (anmälans status) and its names.

use serde::{Deserialize, Serialize};

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

stored_code!(BookingStatus);

/// What holds seats on a session without a booking (`session_holds.kind`):
/// a manager's reservation for a unit, or a place offered to one person
/// after their session was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    Reservation,
    Offer,
}

impl HoldKind {
    pub const ALL: [HoldKind; 2] = [HoldKind::Reservation, HoldKind::Offer];
    /// The stored text.
    pub fn code(self) -> &'static str {
        match self {
            HoldKind::Reservation => "reservation",
            HoldKind::Offer => "offer",
        }
    }
}

stored_code!(HoldKind);
