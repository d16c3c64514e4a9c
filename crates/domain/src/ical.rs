//! iCalendar (RFC 5545/5546) text for invitations, cancellations and feeds.
//! Times are written in Europe/Stockholm with the zone's rules included, so
//! every calendar shows the right wall-clock time on both sides of a
//! daylight-saving change.

use crate::sessions::{utc_to_stockholm, Interval};

/// `METHOD` of the calendar object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// An invitation or an update of one (booking confirmed).
    Request,
    /// The booking or the session is cancelled.
    Cancel,
    /// A subscribed feed.
    Publish,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
            Method::Publish => "PUBLISH",
        }
    }
}

/// One calendar event (one part of a session).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across updates of the same booking or session part.
    pub uid: String,
    /// Increases with every update sent for the same UID.
    pub sequence: i64,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub when: Interval,
    pub cancelled: bool,
    pub url: Option<String>,
    /// For invitations: (name, e-mail) of the attendee.
    pub attendee: Option<(String, String)>,
}

/// The Stockholm zone (EU rules since 1996).
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// Escape a TEXT value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Fold a content line at 75 octets, never inside a UTF-8 character.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

fn local_stamp(ts: i64) -> String {
    utc_to_stockholm(ts).format("%Y%m%dT%H%M%S").to_string()
}

fn utc_stamp(ts: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// A complete VCALENDAR. `organizer` is the sender's e-mail (needed for
/// REQUEST and CANCEL); `now` gives DTSTAMP.
pub fn calendar(
    method: Method,
    name: Option<&str>,
    organizer: &str,
    events: &[Event],
    now: i64,
) -> String {
    let mut out = String::new();
    let mut line = |s: String| out.push_str(&fold(&s));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Navet//Kompetensnavet//SV".into());
    line("CALSCALE:GREGORIAN".into());
    line(format!("METHOD:{}", method.as_str()));
    if let Some(n) = name {
        line(format!("X-WR-CALNAME:{}", escape(n)));
        line("X-WR-TIMEZONE:Europe/Stockholm".into());
    }
    out.push_str(VTIMEZONE);
    for e in events {
        let mut line = |s: String| out.push_str(&fold(&s));
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", e.uid));
        line(format!("SEQUENCE:{}", e.sequence));
        line(format!("DTSTAMP:{}", utc_stamp(now)));
        line(format!(
            "DTSTART;TZID=Europe/Stockholm:{}",
            local_stamp(e.when.starts_at)
        ));
        line(format!(
            "DTEND;TZID=Europe/Stockholm:{}",
            local_stamp(e.when.ends_at)
        ));
        line(format!("SUMMARY:{}", escape(&e.summary)));
        if !e.description.is_empty() {
            line(format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if !e.location.is_empty() {
            line(format!("LOCATION:{}", escape(&e.location)));
        }
        if let Some(u) = &e.url {
            line(format!("URL:{u}"));
        }
        if method != Method::Publish {
            line(format!("ORGANIZER;CN=Navet:mailto:{organizer}"));
        }
        if let Some((n, m)) = &e.attendee {
            let part = if e.cancelled { "DECLINED" } else { "ACCEPTED" };
            line(format!(
                "ATTENDEE;CN=\"{}\";ROLE=REQ-PARTICIPANT;PARTSTAT={part};RSVP=FALSE:mailto:{m}",
                n.replace('"', "'")
            ));
        }
        line(format!(
            "STATUS:{}",
            if e.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ));
        line("TRANSP:OPAQUE".into());
        line("END:VEVENT".into());
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::stockholm_to_utc;
    use chrono::NaiveDateTime;

    fn local(s: &str) -> i64 {
        stockholm_to_utc(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()).unwrap()
    }

    fn ev(cancelled: bool) -> Event {
        Event {
            uid: "booking-7-1@navet".into(),
            sequence: 2,
            summary: "HLR, grund; praktisk".into(),
            description: "Rad 1\nRad 2".into(),
            location: "Vårdcentralen, Örebro".into(),
            when: Interval::new(local("2026-03-28 09:00"), local("2026-03-28 12:00")),
            cancelled,
            url: Some("https://navet.example/kurser/1".into()),
            attendee: Some(("Åsa Öberg".into(), "asa@example.se".into())),
        }
    }

    #[test]
    fn invitation_has_method_uid_sequence_and_local_times() {
        let c = calendar(Method::Request, None, "navet@example.se", &[ev(false)], 0);
        assert!(c.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(c.ends_with("END:VCALENDAR\r\n"));
        assert!(c.contains("METHOD:REQUEST\r\n"));
        assert!(c.contains("UID:booking-7-1@navet\r\n"));
        assert!(c.contains("SEQUENCE:2\r\n"));
        assert!(c.contains("DTSTART;TZID=Europe/Stockholm:20260328T090000\r\n"));
        assert!(c.contains("TZID:Europe/Stockholm\r\n"));
        assert!(c.contains("SUMMARY:HLR\\, grund\\; praktisk\r\n"));
        assert!(c.contains("DESCRIPTION:Rad 1\\nRad 2\r\n"));
        assert!(c.contains("ORGANIZER;CN=Navet:mailto:navet@example.se"));
        assert!(c.contains("STATUS:CONFIRMED"));
        assert!(c.contains("DTSTAMP:19700101T000000Z"));
    }

    #[test]
    fn summer_time_is_written_as_wall_clock() {
        // The day after the spring change: 09:00 local is 07:00 UTC.
        let mut e = ev(false);
        e.when = Interval::new(local("2026-03-30 09:00"), local("2026-03-30 10:00"));
        let c = calendar(Method::Publish, Some("Kurser"), "x@y", &[e], 0);
        assert!(c.contains("DTSTART;TZID=Europe/Stockholm:20260330T090000\r\n"));
        assert!(!c.contains("ORGANIZER"), "feeds have no organiser");
        assert!(c.contains("X-WR-CALNAME:Kurser"));
    }

    #[test]
    fn cancellation_keeps_the_uid() {
        let c = calendar(Method::Cancel, None, "navet@example.se", &[ev(true)], 0);
        assert!(c.contains("METHOD:CANCEL\r\n"));
        assert!(c.contains("UID:booking-7-1@navet\r\n"));
        assert!(c.contains("STATUS:CANCELLED"));
        assert!(c.contains("PARTSTAT=DECLINED"));
    }

    #[test]
    fn long_lines_fold_on_character_boundaries() {
        let long = "ö".repeat(100);
        let folded = fold(&format!("SUMMARY:{long}"));
        for l in folded.split("\r\n") {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{long}\r\n"));
    }

    #[test]
    fn every_line_ends_in_crlf() {
        let c = calendar(Method::Request, None, "a@b", &[ev(false)], 0);
        assert!(!c.replace("\r\n", "").contains('\n'));
    }
}
