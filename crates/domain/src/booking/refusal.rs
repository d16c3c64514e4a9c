//! Why a booking is refused, as a code for the API and a sentence for
//! the person.

/// Why a booking is refused. Every variant is a 409 in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    SessionCancelled,
    SessionOver,
    NotOpenYet {
        opens_at: i64,
    },
    RegistrationClosed,
    AlreadyBooked,
    Overlapping,
    PersonInactive,
    /// A reservation or offer has no unnamed seat left.
    HoldFull,
    /// Not enough free seats for a reservation.
    NotEnoughSeats {
        free: i64,
    },
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::SessionCancelled => "session_cancelled",
            Refusal::SessionOver => "session_over",
            Refusal::NotOpenYet { .. } => "registration_not_open",
            Refusal::RegistrationClosed => "registration_closed",
            Refusal::AlreadyBooked => "already_booked",
            Refusal::Overlapping => "overlapping",
            Refusal::PersonInactive => "person_inactive",
            Refusal::HoldFull => "reservation_full",
            Refusal::NotEnoughSeats { .. } => "not_enough_seats",
        }
    }
    pub fn message(self) -> String {
        match self {
            Refusal::SessionCancelled => "Kurstillfället är inställt.".into(),
            Refusal::SessionOver => "Kurstillfället har redan börjat eller är genomfört.".into(),
            Refusal::NotOpenYet { opens_at } => {
                format!(
                    "Anmälan öppnar {}.",
                    crate::sessions::format_local(opens_at)
                )
            }
            Refusal::RegistrationClosed => "Anmälan till kurstillfället har stängt.".into(),
            Refusal::AlreadyBooked => "Personen är redan anmäld till detta kurstillfälle.".into(),
            Refusal::Overlapping => {
                "Personen är redan bokad på ett annat kurstillfälle som överlappar i tid.".into()
            }
            Refusal::PersonInactive => "Personen är inte längre anställd (inaktiv).".into(),
            Refusal::HoldFull => "Alla reserverade platser är redan namnsatta.".into(),
            Refusal::NotEnoughSeats { free } => format!("Det finns bara {free} lediga platser."),
        }
    }
}
