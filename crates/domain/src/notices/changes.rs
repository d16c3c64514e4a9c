//! Notices about changes after booking: a session moved or changed, a
//! cancellation taken back, a seat lost because the capacity was lowered.

use super::{greeting, invite, Notice, NoticeKind, Recipient, Sender, SessionText, FOOTER};
use crate::ical::{self, Method};
use crate::sessions::Interval;

/// The session has new times or a new place. Booked people get the event
/// again with the same UID and a higher SEQUENCE, so their calendar moves
/// it; parts that no longer exist (two half-days made one) are sent as
/// cancelled events with their old UIDs. Waiting people get the text only.
#[allow(clippy::too_many_arguments)]
pub fn session_changed(
    s: &SessionText,
    before: &SessionText,
    sender: &Sender,
    to: &Recipient,
    booking_id: i64,
    sequence: i64,
    has_seat: bool,
    now: i64,
) -> Notice {
    let seat = if has_seat {
        "Din plats finns kvar. Den uppdaterade kalenderhändelsen finns bifogad."
    } else {
        "Du står kvar på väntelistan."
    };
    let ics = has_seat.then(|| {
        let mut cal = invite(s, sender, to, booking_id, sequence, false, now);
        let gone: Vec<Interval> = before.parts.iter().skip(s.parts.len()).copied().collect();
        if !gone.is_empty() {
            let old = SessionText {
                parts: before.parts.clone(),
                ..s.clone()
            };
            let cancelled: Vec<_> = old
                .events(
                    &super::booking_uid(booking_id),
                    sequence,
                    true,
                    Some((to.name.clone(), to.email.clone())),
                    None,
                )
                .into_iter()
                .skip(s.parts.len())
                .collect();
            let extra = ical::calendar(Method::Request, None, &sender.from_email, &cancelled, now);
            // Splice the cancelled events into the same calendar object.
            if let (Some(a), Some(b)) = (cal.rfind("END:VCALENDAR"), extra.find("BEGIN:VEVENT")) {
                let tail = &extra[b..];
                let tail = tail
                    .trim_end_matches("\r\n")
                    .trim_end_matches("END:VCALENDAR");
                cal.replace_range(a.., &format!("{tail}END:VCALENDAR\r\n"));
            }
        }
        cal
    });
    Notice {
        kind: NoticeKind::SessionChanged,
        subject: format!("Ändrat kurstillfälle: {}", s.course_title),
        body: format!(
            "{}Kurstillfället har ändrats. Så här blir det nu:\n\n{}\n\nTidigare:\n{}\n\n{seat} Kan du inte komma på den nya tiden? Avboka under Mina bokningar: {}/mina-bokningar{FOOTER}",
            greeting(to),
            s.describe(),
            before.describe(),
            sender.base_url
        ),
        ics,
    }
}

/// The person (or someone for them) undid a cancellation: the seat or
/// waiting-list place is back, with the calendar event for a seat.
pub fn booking_restored(
    s: &SessionText,
    sender: &Sender,
    to: &Recipient,
    booking_id: i64,
    sequence: i64,
    waitlist_position: Option<i64>,
    now: i64,
) -> Notice {
    let what = match waitlist_position {
        Some(p) => format!("Du står på väntelistan igen, som nummer {p}."),
        None => "Du har din plats igen. Kalenderinbjudan finns bifogad.".to_string(),
    };
    Notice {
        kind: NoticeKind::BookingRestored,
        subject: format!("Avbokningen ångrad: {}", s.course_title),
        body: format!(
            "{}Avbokningen är ångrad. {what}\n\n{}{FOOTER}",
            greeting(to),
            s.describe()
        ),
        ics: waitlist_position
            .is_none()
            .then(|| invite(s, sender, to, booking_id, sequence, false, now)),
    }
}

/// The capacity was lowered and the person's seat no longer exists: they
/// are first in line for a freed seat, and their calendar event is cancelled.
pub fn moved_to_waiting_list(
    s: &SessionText,
    sender: &Sender,
    to: &Recipient,
    booking_id: i64,
    sequence: i64,
    position: i64,
    now: i64,
) -> Notice {
    Notice {
        kind: NoticeKind::MovedToWaitlist,
        subject: format!("Flyttad till väntelistan: {}", s.course_title),
        body: format!(
            "{}Antalet platser på kurstillfället har minskats och du är flyttad till väntelistan, som nummer {position}. Blir en plats ledig får du den direkt och ett nytt meddelande.\n\n{}\n\nLämna väntelistan under Mina bokningar: {}/mina-bokningar{FOOTER}",
            greeting(to),
            s.describe(),
            sender.base_url
        ),
        ics: Some(invite(s, sender, to, booking_id, sequence, true, now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(parts: Vec<Interval>, venue: &str) -> SessionText {
        SessionText {
            session_id: 7,
            course_title: "HLR".into(),
            venue: venue.into(),
            municipality: "Örebro".into(),
            parts,
        }
    }

    fn who() -> (Sender, Recipient) {
        (
            Sender {
                base_url: "https://navet.example".into(),
                from_email: "navet@navet.example".into(),
            },
            Recipient {
                name: "Åsa".into(),
                email: "asa@example.se".into(),
            },
        )
    }

    const T: i64 = 1_774_000_000;

    #[test]
    fn a_changed_session_keeps_the_uid_and_raises_the_sequence() {
        let (from, to) = who();
        let before = text(vec![Interval::new(T, T + 3600)], "Aulan");
        let after = text(vec![Interval::new(T + 7200, T + 10_800)], "Sal 2");
        let n = session_changed(&after, &before, &from, &to, 42, 3, true, T - 100);
        assert_eq!(n.kind, NoticeKind::SessionChanged);
        let ics = n.ics.unwrap();
        assert!(ics.contains("UID:navet-booking-42-1@navet"), "{ics}");
        assert!(ics.contains("SEQUENCE:3"));
        assert!(ics.contains("METHOD:REQUEST"));
        assert!(ics.contains("LOCATION:Sal 2\\, Örebro"), "{ics}");
        assert!(n.body.contains("Tidigare:") && n.body.contains("Aulan"));
        // The waiting list gets the text, no calendar.
        let w = session_changed(&after, &before, &from, &to, 43, 1, false, T);
        assert!(w.ics.is_none() && w.body.contains("väntelistan"));
    }

    #[test]
    fn a_part_that_is_gone_is_cancelled_in_the_same_calendar() {
        let (from, to) = who();
        let before = text(
            vec![
                Interval::new(T, T + 3600),
                Interval::new(T + 86_400, T + 90_000),
            ],
            "Aulan",
        );
        let after = text(vec![Interval::new(T, T + 7200)], "Aulan");
        let ics = session_changed(&after, &before, &from, &to, 42, 2, true, T)
            .ics
            .unwrap();
        assert_eq!(ics.matches("BEGIN:VCALENDAR").count(), 1);
        assert_eq!(ics.matches("END:VCALENDAR").count(), 1);
        assert!(ics.trim_end().ends_with("END:VCALENDAR"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert!(ics.contains("UID:navet-booking-42-2@navet"));
        assert!(ics.contains("STATUS:CANCELLED"), "{ics}");
    }

    #[test]
    fn restored_and_moved() {
        let (from, to) = who();
        let s = text(vec![Interval::new(T, T + 3600)], "Aulan");
        let r = booking_restored(&s, &from, &to, 9, 2, None, T);
        let ics = r.ics.unwrap();
        assert!(ics.contains("SEQUENCE:2") && ics.contains("METHOD:REQUEST"));
        assert!(booking_restored(&s, &from, &to, 9, 2, Some(3), T)
            .ics
            .is_none());
        let m = moved_to_waiting_list(&s, &from, &to, 9, 4, 1, T);
        assert!(m.body.contains("nummer 1"));
        let ics = m.ics.unwrap();
        assert!(ics.contains("METHOD:CANCEL") && ics.contains("SEQUENCE:4"));
    }
}
