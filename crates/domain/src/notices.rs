//! The notices people get about their bookings, in Swedish, with an
//! iCalendar attachment where a calendar should change.

use crate::ical::{self, Event, Method};
use crate::sessions::{format_part_sv, Interval};

mod changes;
pub use changes::{booking_restored, moved_to_waiting_list, session_changed};

/// What a notice is about (`outbox.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Booked,
    Waitlisted,
    Promoted,
    BookingCancelled,
    SessionCancelled,
    Offer,
    TrainerAssigned,
    SessionChanged,
    BookingRestored,
    MovedToWaitlist,
}

impl NoticeKind {
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Booked => "booking_confirmed",
            NoticeKind::Waitlisted => "waitlisted",
            NoticeKind::Promoted => "promoted",
            NoticeKind::BookingCancelled => "booking_cancelled",
            NoticeKind::SessionCancelled => "session_cancelled",
            NoticeKind::Offer => "offer",
            NoticeKind::TrainerAssigned => "trainer_assigned",
            NoticeKind::SessionChanged => "session_changed",
            NoticeKind::BookingRestored => "booking_restored",
            NoticeKind::MovedToWaitlist => "moved_to_waitlist",
        }
    }
    pub fn label_en(code: &str) -> &'static str {
        match code {
            "booking_confirmed" => "booking confirmation",
            "waitlisted" => "waiting list",
            "promoted" => "place from the waiting list",
            "booking_cancelled" => "cancellation",
            "session_cancelled" => "cancelled course session",
            "offer" => "offer of a place",
            "trainer_assigned" => "trainer assignment",
            "invitation" => "invitation",
            "password_reset" => "password reset",
            "session_changed" => "changed course session",
            "booking_restored" => "cancellation undone",
            "moved_to_waitlist" => "moved to the waiting list",
            "session_request_answered" => "answer to a session request",
            "attestation_request" => "confirm attended time",
            "attestation_reminder" => "reminder: confirm attended time",
            "attestation_corrected" => "attended time corrected",
            _ => "message",
        }
    }
    pub fn label_sv(code: &str) -> &'static str {
        match code {
            "booking_confirmed" => "bokningsbekräftelse",
            "waitlisted" => "väntelista",
            "promoted" => "plats från väntelistan",
            "booking_cancelled" => "avbokning",
            "session_cancelled" => "inställt kurstillfälle",
            "offer" => "erbjudande om plats",
            "trainer_assigned" => "uppdrag som utbildningsledare",
            "invitation" => "inbjudan",
            "password_reset" => "återställning av lösenord",
            "session_changed" => "ändrat kurstillfälle",
            "booking_restored" => "ångrad avbokning",
            "moved_to_waitlist" => "flyttad till väntelistan",
            "session_request_answered" => "svar på förfrågan om kurstillfälle",
            "attestation_request" => "bekräfta närvarotid",
            "attestation_reminder" => "påminnelse om närvarotid",
            "attestation_corrected" => "rättad närvarotid",
            _ => "meddelande",
        }
    }
}

/// A notice ready for the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub subject: String,
    pub body: String,
    pub ics: Option<String>,
}

/// The session as a notice describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionText {
    pub session_id: i64,
    pub course_title: String,
    pub venue: String,
    pub municipality: String,
    pub parts: Vec<Interval>,
}

impl SessionText {
    fn when(&self) -> String {
        self.parts
            .iter()
            .map(format_part_sv)
            .collect::<Vec<_>>()
            .join("\n  ")
    }
    fn place(&self) -> String {
        match (self.venue.trim(), self.municipality.trim()) {
            ("", m) => m.to_string(),
            (v, "") => v.to_string(),
            (v, m) => format!("{v}, {m}"),
        }
    }
    fn describe(&self) -> String {
        format!(
            "Kurs: {}\nTid:  {}\nPlats: {}",
            self.course_title,
            self.when(),
            self.place()
        )
    }
    /// One event per part, each with a UID derived from `uid_base`.
    pub fn events(
        &self,
        uid_base: &str,
        sequence: i64,
        cancelled: bool,
        attendee: Option<(String, String)>,
        url: Option<String>,
    ) -> Vec<Event> {
        self.parts
            .iter()
            .enumerate()
            .map(|(i, p)| Event {
                uid: format!("{uid_base}-{}@navet", i + 1),
                sequence,
                summary: self.course_title.clone(),
                description: format!("Kurstillfälle nr {} i Navet.", self.session_id),
                location: self.place(),
                when: *p,
                cancelled,
                url: url.clone(),
                attendee: attendee.clone(),
            })
            .collect()
    }
}

/// Who the notice is for and what the links should point to.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub name: String,
    pub email: String,
}

/// Settings the texts need: where links point and who sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Sender {
    pub base_url: String,
    pub from_email: String,
}

/// The UID base of a booking's calendar events: the same for every notice
/// about the same booking, so an update or a cancel replaces the invite.
pub fn booking_uid(booking_id: i64) -> String {
    format!("navet-booking-{booking_id}")
}

fn greeting(to: &Recipient) -> String {
    format!("Hej {},\n\n", to.name)
}

const FOOTER: &str = "\n\nMed vänlig hälsning\nNavet – kompetensnavet för vård och omsorg";

fn invite(
    s: &SessionText,
    sender: &Sender,
    to: &Recipient,
    booking_id: i64,
    sequence: i64,
    cancelled: bool,
    now: i64,
) -> String {
    let method = if cancelled {
        Method::Cancel
    } else {
        Method::Request
    };
    let url = format!("{}/kurstillfallen/{}", sender.base_url, s.session_id);
    ical::calendar(
        method,
        None,
        &sender.from_email,
        &s.events(
            &booking_uid(booking_id),
            sequence,
            cancelled,
            Some((to.name.clone(), to.email.clone())),
            Some(url),
        ),
        now,
    )
}

/// Booking confirmed: an invitation. `booked_by` names a manager or
/// coordinator who booked on the person's behalf.
pub fn booked(
    s: &SessionText,
    sender: &Sender,
    to: &Recipient,
    booking_id: i64,
    sequence: i64,
    booked_by: Option<&str>,
    now: i64,
) -> Notice {
    let by = booked_by
        .map(|b| format!("{b} har bokat dig på en kurs.\n\n"))
        .unwrap_or_default();
    Notice {
        kind: NoticeKind::Booked,
        subject: format!("Bokningsbekräftelse: {}", s.course_title),
        body: format!(
            "{}{by}Du har en plats.\n\n{}\n\nKalenderinbjudan finns bifogad. Avboka under Mina bokningar: {}/mina-bokningar{FOOTER}",
            greeting(to),
            s.describe(),
            sender.base_url
        ),
        ics: Some(invite(s, sender, to, booking_id, sequence, false, now)),
    }
}

/// A trainer asked to lead a session (for instance as cover): an
/// invitation for their calendar.
pub fn trainer_assigned(
    s: &SessionText,
    sender: &Sender,
    to: &Recipient,
    assigned_by: &str,
    now: i64,
) -> Notice {
    let url = format!("{}/kurstillfallen/{}", sender.base_url, s.session_id);
    let uid = format!("navet-trainer-{}-{}", s.session_id, to.email);
    Notice {
        kind: NoticeKind::TrainerAssigned,
        subject: format!("Uppdrag som utbildningsledare: {}", s.course_title),
        body: format!(
            "{}{assigned_by} har satt in dig som utbildningsledare.\n\n{}\n\nDeltagarlista och närvaro: {url}{FOOTER}",
            greeting(to),
            s.describe(),
        ),
        ics: Some(ical::calendar(
            Method::Request,
            None,
            &sender.from_email,
            &s.events(
                &uid,
                0,
                false,
                Some((to.name.clone(), to.email.clone())),
                Some(url.clone()),
            ),
            now,
        )),
    }
}

pub fn waitlisted(
    s: &SessionText,
    sender: &Sender,
    to: &Recipient,
    position: i64,
    booked_by: Option<&str>,
) -> Notice {
    let by = booked_by
        .map(|b| format!("{b} har anmält dig till en kurs.\n\n"))
        .unwrap_or_default();
    Notice {
        kind: NoticeKind::Waitlisted,
        subject: format!("Väntelista: {}", s.course_title),
        body: format!(
            "{}{by}Kurstillfället är fullt och du står på väntelistan som nummer {position}. Blir en plats ledig får du den direkt och ett nytt meddelande.\n\n{}\n\nLämna väntelistan under Mina bokningar: {}/mina-bokningar{FOOTER}",
            greeting(to),
            s.describe(),
            sender.base_url
        ),
        ics: None,
    }
}

/// A seat from the waiting list, with a one-click link to decline it.
pub fn promoted(
    s: &SessionText,
    sender: &Sender,
    to: &Recipient,
    booking_id: i64,
    sequence: i64,
    decline_token: &str,
    now: i64,
) -> Notice {
    Notice {
        kind: NoticeKind::Promoted,
        subject: format!("Du har fått en plats: {}", s.course_title),
        body: format!(
            "{}En plats har blivit ledig och du som stod på väntelistan har nu fått den.\n\n{}\n\nKan du inte komma? Tacka nej med ett klick så går platsen vidare till nästa person:\n{}/anmalan/{booking_id}/avboj?t={decline_token}{FOOTER}",
            greeting(to),
            s.describe(),
            sender.base_url
        ),
        ics: Some(invite(s, sender, to, booking_id, sequence, false, now)),
    }
}

/// The person's booking is cancelled (by them or for them). A cancel for
/// the calendar when they had a seat.
#[allow(clippy::too_many_arguments)]
pub fn booking_cancelled(
    s: &SessionText,
    sender: &Sender,
    to: &Recipient,
    booking_id: i64,
    sequence: i64,
    had_seat: bool,
    late: bool,
    now: i64,
) -> Notice {
    let late_note = if late {
        "\n\nAvbokningen skedde efter kursens sista avbokningsdag och registreras som sen avbokning."
    } else {
        ""
    };
    Notice {
        kind: NoticeKind::BookingCancelled,
        subject: format!("Avbokad: {}", s.course_title),
        body: format!(
            "{}Din anmälan är avbokad.\n\n{}{late_note}{FOOTER}",
            greeting(to),
            s.describe()
        ),
        ics: had_seat.then(|| invite(s, sender, to, booking_id, sequence, true, now)),
    }
}

/// The whole session is cancelled. `offer` describes a place held on the
/// next session of the course, if there is one.
#[allow(clippy::too_many_arguments)]
pub fn session_cancelled(
    s: &SessionText,
    sender: &Sender,
    to: &Recipient,
    booking_id: i64,
    sequence: i64,
    had_seat: bool,
    reason: &str,
    offer: Option<&OfferText>,
    now: i64,
) -> Notice {
    let reason = if reason.trim().is_empty() {
        String::new()
    } else {
        format!("\nOrsak: {}", reason.trim())
    };
    let next = match offer {
        Some(o) => format!("\n\n{}", offer_paragraph(o, sender)),
        None => "\n\nVi har inget nytt tillfälle att erbjuda just nu; håll utkik i kurskatalogen."
            .to_string(),
    };
    Notice {
        kind: NoticeKind::SessionCancelled,
        subject: format!("Inställt: {}", s.course_title),
        body: format!(
            "{}Kurstillfället är tyvärr inställt.{reason}\n\n{}{next}{FOOTER}",
            greeting(to),
            s.describe()
        ),
        ics: had_seat.then(|| invite(s, sender, to, booking_id, sequence, true, now)),
    }
}

/// A place held on another session for a person, until `expires_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferText {
    pub hold_id: i64,
    pub token: String,
    pub session: SessionText,
    pub expires_at: i64,
}

fn offer_paragraph(o: &OfferText, sender: &Sender) -> String {
    format!(
        "Vi håller en plats åt dig på nästa tillfälle, före alla andra, till och med {}:\n{}\n\nTa platsen: {}/erbjudande/{}?t={}\nVill du inte ha den gör du ingenting; platsen släpps då till andra.",
        crate::sessions::format_local(o.expires_at),
        o.session.describe(),
        sender.base_url,
        o.hold_id,
        o.token
    )
}

/// What replaces a one-time link's key when a notice is shown to staff.
pub const MASK: &str = "••••••";

/// The notice text with the key of every one-time link (decline `?t=`,
/// offer `?t=`, survey `/enkat/KEY`) replaced by [`MASK`]: coordinators see
/// which link went out, never one they could use in the recipient's name.
pub fn mask_link_tokens(text: &str) -> String {
    const MARKERS: [&str; 3] = ["?t=", "&t=", "/enkat/"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = MARKERS
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, m.len())))
            .min();
        let Some((i, len)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i + len]);
        rest = &rest[i + len..];
        let key_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '%'))
            .unwrap_or(rest.len());
        if key_len > 0 {
            out.push_str(MASK);
            rest = &rest[key_len..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_keys_are_masked_for_staff() {
        let body = "Tacka nej: https://navet.example/anmalan/42/avboj?t=ab12CD_-ef\n\
                    Ta platsen: https://navet.example/erbjudande/9?x=1&t=0123abcd.\n\
                    Enkät: https://navet.example/enkat/deadbeef99\n\
                    Mina bokningar: https://navet.example/mina-bokningar?ok=1";
        let m = mask_link_tokens(body);
        for key in ["ab12CD_-ef", "0123abcd", "deadbeef99"] {
            assert!(!m.contains(key), "{key} visible in {m}");
        }
        assert!(m.contains(&format!("/anmalan/42/avboj?t={MASK}\n")));
        assert!(m.contains(&format!("/erbjudande/9?x=1&t={MASK}.")));
        assert!(m.contains(&format!("/enkat/{MASK}\n")));
        assert!(m.ends_with("/mina-bokningar?ok=1"));
        assert_eq!(mask_link_tokens("Hej Åsa"), "Hej Åsa");
        assert_eq!(mask_link_tokens("slut ?t="), "slut ?t=");
    }

    fn s() -> SessionText {
        SessionText {
            session_id: 5,
            course_title: "HLR".into(),
            venue: "Aulan".into(),
            municipality: "Örebro".into(),
            parts: vec![
                Interval::new(1_774_000_000, 1_774_010_800),
                Interval::new(1_774_086_400, 1_774_097_200),
            ],
        }
    }
    fn sender() -> Sender {
        Sender {
            base_url: "https://navet.example".into(),
            from_email: "navet@example.se".into(),
        }
    }
    fn to() -> Recipient {
        Recipient {
            name: "Åsa".into(),
            email: "asa@example.se".into(),
        }
    }

    #[test]
    fn confirmation_invites_every_part_with_stable_uids() {
        let n = booked(&s(), &sender(), &to(), 42, 0, Some("Carina Chef"), 0);
        assert_eq!(n.kind.code(), "booking_confirmed");
        assert!(n.body.contains("Carina Chef har bokat dig"));
        assert!(n.body.contains("Plats: Aulan, Örebro"));
        let ics = n.ics.unwrap();
        assert!(ics.contains("METHOD:REQUEST"));
        assert!(ics.contains("UID:navet-booking-42-1@navet"));
        assert!(ics.contains("UID:navet-booking-42-2@navet"));
        assert!(ics.contains("ATTENDEE;CN=\"Åsa\""));
    }

    #[test]
    fn cancel_uses_the_same_uid_and_a_higher_sequence() {
        let n = booking_cancelled(&s(), &sender(), &to(), 42, 1, true, true, 0);
        let ics = n.ics.unwrap();
        assert!(
            ics.contains("METHOD:CANCEL")
                && ics.contains("UID:navet-booking-42-1@navet")
                && ics.contains("SEQUENCE:1")
        );
        assert!(n.body.contains("sen avbokning"));
        let w = booking_cancelled(&s(), &sender(), &to(), 42, 1, false, false, 0);
        assert!(
            w.ics.is_none(),
            "leaving the waiting list changes no calendar"
        );
    }

    #[test]
    fn waiting_list_and_promotion_texts() {
        let w = waitlisted(&s(), &sender(), &to(), 3, None);
        assert!(w.body.contains("nummer 3") && w.ics.is_none());
        let p = promoted(&s(), &sender(), &to(), 42, 0, "abc", 0);
        assert!(p
            .body
            .contains("https://navet.example/anmalan/42/avboj?t=abc"));
        assert!(p.ics.is_some());
    }

    #[test]
    fn session_cancellation_offers_the_next_session() {
        let o = OfferText {
            hold_id: 9,
            token: "tok".into(),
            session: SessionText {
                session_id: 6,
                ..s()
            },
            expires_at: 1_774_000_000,
        };
        let n = session_cancelled(
            &s(),
            &sender(),
            &to(),
            42,
            1,
            true,
            "Utbildningsledaren är sjuk",
            Some(&o),
            0,
        );
        assert!(n.body.contains("Orsak: Utbildningsledaren är sjuk"));
        assert!(n.body.contains("/erbjudande/9?t=tok"));
        assert!(n.ics.unwrap().contains("METHOD:CANCEL"));
        let none = session_cancelled(&s(), &sender(), &to(), 42, 1, false, "", None, 0);
        assert!(none.body.contains("inget nytt tillfälle") && none.ics.is_none());
        assert_eq!(NoticeKind::label_sv("offer"), "erbjudande om plats");
    }
}
