//! Bookings: booking (one person or many), cancelling and undoing, a
//! person's own bookings and calendar feed, a session's participants, and
//! the one-click links and offers that carry their own token.

use domain::access::{Action, PersonRef, Role};
use domain::ical::Event;
use domain::ids::{BookingId, CourseId, HoldId, MunicipalityId, PersonId, SessionId};
use navet_store::bookings::{
    self, BookRequest, BookingView, Cancelled, HoldView, Outcome, Restored, Via,
};
use navet_store::people::{self, Person};
use navet_store::sessions::{self, SessionView};
use navet_store::{StoreError, StoreResult};

use super::{Guest, UseCase};

/// Where a booking's person belongs, for the access decision.
fn person_ref(b: &BookingView) -> PersonRef {
    PersonRef {
        person_id: b.person_id,
        unit_id: b.person_unit_id,
        municipality_id: b.person_municipality_id,
    }
}

/// What someone asks to book.
pub struct NewBooking {
    pub session_id: i64,
    pub person_id: i64,
    pub support_needs: String,
    /// Name the person into this reservation or offer.
    pub hold_id: Option<i64>,
}

/// The signed-in person's bookings page.
#[derive(Default)]
pub struct MyBookings {
    /// Whether the account has a person record at all.
    pub has_person: bool,
    pub upcoming: Vec<BookingView>,
    pub past: Vec<BookingView>,
    pub offers: Vec<HoldView>,
    /// The secret token of the personal calendar feed.
    pub feed_token: Option<String>,
}

/// One person's result in a staff booking.
pub enum StaffOutcome {
    NoPerson(i64),
    NotAllowed(String),
    Decided(String, StoreResult<Outcome>),
}

/// What the staff booking page shows.
pub struct StaffBookingPage {
    pub people: Vec<Person>,
    /// Sessions open for booking, the nearest first when the page knows
    /// where the staff work (the need's or the filter's unit, or the
    /// manager's first unit), else by start.
    pub sessions: Vec<SessionView>,
    pub session: Option<SessionView>,
    pub reservation: Option<HoldView>,
    /// People already booked (or waiting) on the chosen session.
    pub already: Vec<i64>,
    /// Coming from a gap: the requirement and the people who lack it.
    pub need: Option<Need>,
    /// The units the actor may filter the people by.
    pub units: Vec<navet_store::org::Unit>,
    /// The actor's units' reservations with seats still to be named.
    pub reservations: Vec<HoldView>,
    /// Kilometres from where the staff work to each session's municipality.
    pub km: std::collections::HashMap<i64, u32>,
}

/// A gap to close: one requirement at one unit.
pub struct Need {
    pub requirement_id: i64,
    pub what: String,
    pub unit: navet_store::org::Unit,
    /// Everyone at the unit who lacks it and is not booked on it yet.
    pub people: Vec<i64>,
    /// Courses that close it.
    pub course_ids: Vec<i64>,
}

/// What the staff booking page was asked for.
#[derive(Default)]
pub struct StaffBookingQuery {
    pub q: String,
    pub session_id: Option<i64>,
    pub reservation_id: Option<i64>,
    /// A gap: (requirement, unit).
    pub need: Option<(i64, i64)>,
    /// Only people at this unit.
    pub unit_id: Option<i64>,
}

impl UseCase<'_> {
    /// Who made the booking, as recorded on it.
    fn via(&self, person_id: i64) -> Via {
        if self.is_self(person_id) {
            Via::Own
        } else if self.actor.role == Role::Manager {
            Via::Manager
        } else {
            Via::Coordinator
        }
    }

    /// The action of naming `person` on hold `hold_id`: for a unit's
    /// reservation, [`Action::NameReservedSeat`] against the reservation's
    /// unit; an offer is for one person only, which the booking itself
    /// checks. `None` when the hold is not a unit reservation (or does not
    /// exist: the booking then answers that it is gone).
    async fn reserved_seat_action(
        &self,
        hold_id: i64,
        person: PersonRef,
    ) -> StoreResult<Option<Action<'static>>> {
        let h = match bookings::hold(self.db(), HoldId(hold_id)).await {
            Ok(h) => h,
            Err(StoreError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(match (h.kind, h.unit_id) {
            (domain::booking::HoldKind::Reservation, Some(unit_id)) => {
                Some(Action::NameReservedSeat {
                    unit_id,
                    municipality_id: h.municipality_id,
                    person,
                })
            }
            _ => None,
        })
    }

    /// Book a person: a seat if one is free to them, otherwise the waiting
    /// list (the person themself, their manager, coordinators and admins).
    pub async fn book(&self, b: NewBooking) -> StoreResult<Outcome> {
        let person = bookings::person_ref(self.db(), PersonId(b.person_id))
            .await?
            .ok_or_else(|| {
                let mut e = domain::FieldErrors::new();
                e.add("person_id", "no_person", "Personen finns inte.");
                StoreError::Invalid(e)
            })?;
        self.decide(Action::BookPerson(person))?;
        if let Some(hold_id) = b.hold_id {
            if let Some(action) = self.reserved_seat_action(hold_id, person).await? {
                self.decide(action)?;
            }
        }
        self.s
            .bookings
            .book(BookRequest {
                session_id: b.session_id,
                person_id: person.person_id,
                who: self.who.clone(),
                via: self.via(person.person_id),
                support_needs: b.support_needs,
                hold_id: b.hold_id,
            })
            .await
    }

    /// Book the signed-in person themself.
    pub async fn book_myself(
        &self,
        session_id: i64,
        support_needs: String,
    ) -> StoreResult<Outcome> {
        let Some(pid) = self.person_id() else {
            return Err(StoreError::Forbidden(
                "Ditt konto hör inte till någon person och kan inte bokas.".into(),
            ));
        };
        self.book(NewBooking {
            session_id,
            person_id: pid,
            support_needs,
            hold_id: None,
        })
        .await
    }

    /// A booking the actor may change (cancel, undo): the person's own,
    /// their staff's for a manager, any for coordinators.
    pub async fn booking_to_change(&self, id: i64) -> StoreResult<BookingView> {
        let b = bookings::get(self.db(), BookingId(id)).await?;
        self.decide(Action::BookPerson(person_ref(&b)))?;
        Ok(b)
    }

    /// A booking the actor may cancel, with its session (for the page
    /// that says what cancelling will do).
    pub async fn cancel_preview(&self, id: i64) -> StoreResult<(BookingView, SessionView)> {
        let b = self.booking_to_change(id).await?;
        let session = sessions::get(self.db(), SessionId(b.session_id)).await?;
        Ok((b, session))
    }

    /// One booking to read; reading another's is written to the audit log.
    pub async fn booking(&self, id: i64, what: &str) -> StoreResult<BookingView> {
        let b = bookings::get(self.db(), BookingId(id)).await?;
        self.decide(Action::ViewPerson(person_ref(&b)))?;
        self.audit_person_read(b.person_id, what).await?;
        Ok(b)
    }

    /// Cancel a booking or leave the waiting list.
    pub async fn cancel(&self, id: i64) -> StoreResult<Cancelled> {
        self.booking_to_change(id).await?;
        bookings::cancel(self.db(), &self.who, BookingId(id), None).await
    }

    /// Take a cancellation back while the seat is still free.
    pub async fn undo_cancel(&self, id: i64) -> StoreResult<Restored> {
        self.booking_to_change(id).await?;
        bookings::undo_cancel(self.db(), &self.who, BookingId(id)).await
    }

    /// Everyone on a session (coordinators, admins and the session's
    /// trainers), with one audit entry for the read.
    pub async fn session_bookings(
        &self,
        session_id: i64,
        detail_prefix: &str,
    ) -> StoreResult<Vec<BookingView>> {
        sessions::get(self.db(), SessionId(session_id)).await?;
        let trainers = navet_store::trainers::of_session(self.db(), SessionId(session_id)).await?;
        self.decide(Action::ViewSessionParticipants {
            trainer_person_ids: &trainers,
        })?;
        let rows = bookings::for_session(self.db(), SessionId(session_id)).await?;
        self.audit(
            "session.participants",
            "session",
            Some(session_id),
            &format!("{detail_prefix}{} anmälningar", rows.len()),
        )
        .await?;
        Ok(rows)
    }

    /// The signed-in person's own bookings, offers and feed.
    pub async fn my_bookings(&self, now: i64) -> StoreResult<MyBookings> {
        let Some(pid) = self.person_id() else {
            return Ok(MyBookings::default());
        };
        let all = bookings::for_person(self.db(), PersonId(pid)).await?;
        let (mut upcoming, past): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|b| b.ends_at > now && b.status().is_live());
        upcoming.reverse();
        Ok(MyBookings {
            has_person: true,
            upcoming,
            past,
            offers: bookings::offers_for_person(self.db(), PersonId(pid)).await?,
            feed_token: Some(bookings::feed_token(self.db(), PersonId(pid)).await?),
        })
    }

    /// A new secret for the personal calendar feed (the old link stops).
    pub async fn renew_my_feed(&self) -> StoreResult<()> {
        let pid = self.person_id().ok_or(StoreError::NotFound("person"))?;
        bookings::renew_feed_token(self.db(), PersonId(pid)).await?;
        Ok(())
    }

    /// People the actor may book on the staff booking page: a manager's
    /// staff (searched), or for coordinators everyone matching a search.
    /// The list is limited to the actor's visibility and written to the
    /// audit log.
    async fn bookable_people(&self, q: &str, unit_id: Option<i64>) -> StoreResult<Vec<Person>> {
        self.decide(Action::BookStaff)?;
        // The hub sees everyone, so it lists only what it searched for
        // (or one unit's staff).
        if self.vis.is_everything() && q.trim().is_empty() && unit_id.is_none() {
            return Ok(vec![]);
        }
        let filter = people::Filter {
            scope: self.vis.restriction(),
            query: Some(q.to_string()),
            unit_id,
            ..Default::default()
        };
        // At most 300 in Swedish order, cut in the database.
        let v = people::page(self.db(), &filter, None, 300).await?.0;
        if !v.is_empty() {
            self.audit(
                "person.list",
                "people",
                None,
                &format!("boka personal: {} personer", v.len()),
            )
            .await?;
        }
        Ok(v)
    }

    /// A gap at a unit: who lacks the requirement and is not yet booked
    /// or waiting on a session that closes it.
    async fn need(&self, requirement_id: i64, unit_id: i64) -> StoreResult<Need> {
        let page = self.unit_page(unit_id, navet_store::time::today()).await?;
        let mut need = Need {
            requirement_id,
            what: String::new(),
            unit: page.unit,
            people: vec![],
            course_ids: vec![],
        };
        for st in &page.overview.staff {
            for l in st.gaps.iter().chain(st.expiring.iter()) {
                if l.requirement_id != requirement_id {
                    continue;
                }
                need.what = l.what.clone();
                need.course_ids = l.course_ids.clone();
                if l.planned_session_id.is_none() {
                    need.people.push(st.person_id);
                }
            }
        }
        if need.what.is_empty() {
            return Err(StoreError::NotFound("glapp"));
        }
        Ok(need)
    }

    /// The staff booking page: people to book, sessions open for booking
    /// (nearest first), the chosen session and who is on it, the chosen
    /// reservation when it is one of the actor's units', and the units'
    /// reservations still to be named. From a gap, the people are exactly
    /// those who lack the requirement and the sessions those that close it.
    pub async fn staff_booking_page(
        &self,
        q: &StaffBookingQuery,
        now: i64,
    ) -> StoreResult<StaffBookingPage> {
        let need = match q.need {
            Some((rid, uid)) => Some(self.need(rid, uid).await?),
            None => None,
        };
        let units = navet_store::org::visible_units(self.db(), &self.vis).await?;
        let people = match &need {
            Some(n) => {
                let mut v = self.bookable_people("", Some(n.unit.id)).await?;
                v.retain(|p| n.people.contains(&p.id));
                v
            }
            None => {
                let unit_id = q.unit_id.filter(|u| units.iter().any(|x| x.id == *u));
                self.bookable_people(&q.q, unit_id).await?
            }
        };
        let mut sessions: Vec<SessionView> = sessions::list(
            self.db(),
            &sessions::Filter {
                from: Some(now),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .filter(|v| v.is_bookable_now(now))
        .filter(|v| {
            need.as_ref()
                .is_none_or(|n| n.course_ids.contains(&v.row.course_id))
        })
        .collect();
        // Where the staff work: the need's unit, the filtered unit, or a
        // manager's first unit.
        let home = need
            .as_ref()
            .map(|n| n.unit.municipality_name.clone())
            .or_else(|| {
                q.unit_id
                    .and_then(|u| units.iter().find(|x| x.id == u))
                    .map(|u| u.municipality_name.clone())
            })
            .or_else(|| {
                if self.vis.is_everything() {
                    None
                } else {
                    units.first().map(|u| u.municipality_name.clone())
                }
            });
        let distances = navet_store::distances::county();
        let mut km = std::collections::HashMap::new();
        if let Some(home) = &home {
            distances.nearest_first(
                &mut sessions,
                home,
                |v| v.row.municipality_name.as_str(),
                |v| v.row.starts_at,
            );
            for v in &sessions {
                if let Some(d) = distances.km(home, &v.row.municipality_name) {
                    km.insert(v.row.id, d);
                }
            }
        }
        // From a gap without a chosen session: the nearest one.
        let session_id = q.session_id.or_else(|| {
            need.as_ref()
                .and_then(|_| sessions.first().map(|v| v.row.id))
        });
        let session = match session_id {
            Some(id) => Some(sessions::get(self.db(), SessionId(id)).await?),
            None => None,
        };
        let already = match &session {
            Some(v) => bookings::for_session(self.db(), SessionId(v.row.id))
                .await?
                .into_iter()
                .filter(|b| b.status().is_live())
                .map(|b| b.person_id)
                .collect(),
            None => vec![],
        };
        let reservation = match q.reservation_id {
            Some(h) => Some(bookings::hold(self.db(), HoldId(h)).await?).filter(|h| {
                h.kind == domain::booking::HoldKind::Reservation
                    && h.is_active(now)
                    && h.unit_id.is_some_and(|unit_id| {
                        self.may(Action::ReserveForUnit {
                            unit_id,
                            municipality_id: h.municipality_id,
                        })
                    })
            }),
            None => None,
        };
        // A manager's units' reservations to name (the hub has its own
        // overview of holds on each session).
        let reservations = if self.vis.is_everything() {
            vec![]
        } else {
            let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
            bookings::open_reservations_for_units(self.db(), &ids, now, 50).await?
        };
        Ok(StaffBookingPage {
            people,
            sessions,
            session,
            reservation,
            already,
            need,
            units,
            reservations,
            km,
        })
    }

    /// Book many people in one action: one transaction, a result per
    /// person in the order given (people the actor may not book are not
    /// sent to the booking at all).
    pub async fn book_staff(
        &self,
        session_id: i64,
        person_ids: &[i64],
        support_needs: &str,
        reservation_id: Option<i64>,
    ) -> StoreResult<Vec<StaffOutcome>> {
        let mut reqs = vec![];
        let mut results: Vec<Option<StaffOutcome>> = vec![];
        let mut names = vec![];
        for pid in person_ids {
            let p = match people::get(self.db(), PersonId(*pid)).await {
                Ok(p) => p,
                Err(StoreError::NotFound(_)) => {
                    results.push(Some(StaffOutcome::NoPerson(*pid)));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let reserved = match reservation_id {
                Some(h) => self.reserved_seat_action(h, p.as_ref()).await?,
                None => None,
            };
            if !self.may(Action::BookPerson(p.as_ref())) || reserved.is_some_and(|a| !self.may(a)) {
                results.push(Some(StaffOutcome::NotAllowed(p.name.clone())));
                continue;
            }
            results.push(None);
            names.push(p.name.clone());
            reqs.push(BookRequest {
                session_id,
                person_id: p.id,
                who: self.who.clone(),
                via: self.via(p.id),
                support_needs: support_needs.to_string(),
                hold_id: reservation_id,
            });
        }
        let mut decided = bookings::book_batch(self.db(), &reqs)
            .await
            .into_iter()
            .zip(names);
        Ok(results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    let (o, name) = decided.next().expect("one outcome per request");
                    StaffOutcome::Decided(name, o)
                })
            })
            .collect())
    }
}

/// The offered hold, when the signed-in person is the one it is offered to.
fn owns(h: &HoldView, me: Option<i64>) -> bool {
    me.is_some() && me == h.person_id
}

impl Guest<'_> {
    /// The booking a decline link is for, when the link's token is right
    /// (without it the answer tells nothing about the booking).
    pub async fn booking_for_decline(
        &self,
        id: i64,
        token: &str,
    ) -> StoreResult<Option<BookingView>> {
        if !bookings::decline_link_valid(self.db(), BookingId(id), token).await? {
            return Ok(None);
        }
        Ok(Some(bookings::get(self.db(), BookingId(id)).await?))
    }

    /// Decline a seat from the waiting list with the link's token.
    pub async fn decline(&self, id: i64, token: &str) -> StoreResult<Cancelled> {
        bookings::cancel(self.db(), &self.who, BookingId(id), Some(token)).await
    }

    /// The offer behind a link: for the offered person signed in, or with
    /// the link's token; `None` when neither.
    pub async fn offer(
        &self,
        id: i64,
        token: &str,
        me: Option<i64>,
    ) -> StoreResult<Option<HoldView>> {
        let owner_signed_in = match bookings::hold(self.db(), HoldId(id)).await {
            Ok(h) => owns(&h, me),
            Err(StoreError::NotFound(_)) => false,
            Err(e) => return Err(e),
        };
        if !owner_signed_in && !bookings::offer_link_valid(self.db(), HoldId(id), token).await? {
            return Ok(None);
        }
        let h = bookings::hold(self.db(), HoldId(id)).await?;
        if h.kind != domain::booking::HoldKind::Offer {
            return Err(StoreError::NotFound("erbjudande"));
        }
        Ok(Some(h))
    }

    /// The token to check, or None when the signed-in user is the offered person.
    async fn offer_token(
        &self,
        id: i64,
        token: &str,
        me: Option<i64>,
    ) -> StoreResult<Option<String>> {
        let h = bookings::hold(self.db(), HoldId(id)).await?;
        if owns(&h, me) {
            return Ok(None);
        }
        if token.is_empty() {
            return Err(StoreError::Forbidden(
                "Länken saknar sin nyckel; öppna den från e-postmeddelandet.".into(),
            ));
        }
        Ok(Some(token.to_string()))
    }

    /// Take an offered place: with the e-mailed token, or signed in as the person.
    pub async fn accept_offer(
        &self,
        id: i64,
        token: &str,
        me: Option<i64>,
    ) -> StoreResult<Outcome> {
        let token = self.offer_token(id, token, me).await?;
        bookings::accept_offer(self.db(), &self.who, HoldId(id), token.as_deref()).await
    }

    /// Say no to an offered place.
    pub async fn decline_offer(&self, id: i64, token: &str, me: Option<i64>) -> StoreResult<()> {
        let token = self.offer_token(id, token, me).await?;
        bookings::release_hold(self.db(), &self.who, HoldId(id), token.as_deref()).await?;
        Ok(())
    }

    /// The personal feed's events: the person's booked sessions, or `None`
    /// for an unknown (or no longer valid) token.
    pub async fn personal_feed(&self, token: &str) -> StoreResult<Option<Vec<Event>>> {
        let Some(pid) = bookings::person_for_feed(self.db(), token).await? else {
            return Ok(None);
        };
        let base = self.db().sender().base_url.clone();
        let mut events = vec![];
        for (b, text) in bookings::person_calendar(self.db(), PersonId(pid)).await? {
            events.extend(text.events(
                &domain::notices::booking_uid(b.id),
                b.ics_sequence,
                b.session_status == domain::sessions::SessionStatus::Cancelled,
                None,
                Some(format!("{base}/kurstillfallen/{}", b.session_id)),
            ));
        }
        Ok(Some(events))
    }

    /// A public feed's events: the sessions matching `f`.
    async fn public_feed(&self, f: sessions::Filter) -> StoreResult<Vec<Event>> {
        let base = self.db().sender().base_url.clone();
        let mut events = vec![];
        for (row, parts) in sessions::feed_events(self.db(), &f).await? {
            let text = row.text(&parts);
            events.extend(text.events(
                &format!("navet-session-{}", row.id),
                0,
                row.status == domain::sessions::SessionStatus::Cancelled,
                None,
                Some(format!("{base}/kurstillfallen/{}", row.id)),
            ));
        }
        Ok(events)
    }

    /// A bookable course's sessions (the last 30 days and all upcoming),
    /// with the feed's name; `None` when the course is not bookable.
    pub async fn course_feed(
        &self,
        id: i64,
        now: i64,
    ) -> StoreResult<Option<(String, Vec<Event>)>> {
        let course = navet_store::catalogue::get(self.db(), CourseId(id)).await?;
        if !course.status.is_bookable() {
            return Ok(None);
        }
        let f = sessions::Filter {
            course_id: Some(id),
            from: Some(now - 30 * 86_400),
            include_cancelled: true,
            ..Default::default()
        };
        Ok(Some((
            format!("{} – Navet", course.title),
            self.public_feed(f).await?,
        )))
    }

    /// The sessions held in a municipality, with the feed's name.
    pub async fn municipality_feed(&self, id: i64, now: i64) -> StoreResult<(String, Vec<Event>)> {
        let m = navet_store::org::municipality(self.db(), MunicipalityId(id)).await?;
        let f = sessions::Filter {
            municipality_id: Some(id),
            from: Some(now - 30 * 86_400),
            include_cancelled: true,
            ..Default::default()
        };
        Ok((
            format!("Kurser i {} – Navet", m.name),
            self.public_feed(f).await?,
        ))
    }

    /// The address the notices' links start with, and the sender.
    pub fn from_email(&self) -> String {
        self.db().sender().from_email.clone()
    }
}
