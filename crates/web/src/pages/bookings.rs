//! "Mina bokningar", cancelling, the one-click links in notices (decline a
//! seat from the waiting list, take an offered place), bulk booking for
//! managers and coordinators with a result per person, and the calendar
//! feeds (a secret personal one; public ones per course and municipality).

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use domain::booking::CancelKind;
use domain::ical::{self, Method};
use navet_store::bookings::{BookingView, HoldView};
use navet_store::people::Person;
use navet_store::sessions::SessionView;
use navet_store::StoreError;
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::usecase::bookings::StaffOutcome;
use crate::usecase::{Guest, UseCase};
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mina-bokningar", get(mine))
        .route("/mina-bokningar/kalender/ny", post(renew_feed))
        .route(
            "/anmalan/{id}/avboka",
            get(super::booking_undo::confirm).post(cancel),
        )
        .route("/anmalan/{id}/avboj", get(decline_page).post(decline))
        .route("/erbjudande/{id}", get(offer_page).post(accept_offer))
        .route("/erbjudande/{id}/avboj", post(decline_offer))
        .route("/boka-personal", get(bulk_form).post(bulk_book))
        .route("/kalender/{token}", get(personal_feed))
        .route("/kalender/kurs/{id}", get(course_feed))
        .route("/kalender/kommun/{id}", get(municipality_feed))
}

// Mina bokningar ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "bookings/mine.html")]
struct MinePage {
    c: Ctx,
    upcoming: Vec<BookingView>,
    past: Vec<BookingView>,
    offers: Vec<HoldView>,
    feed_url: String,
    now: i64,
    notice: String,
    error: String,
    has_person: bool,
}

impl MinePage {
    fn cancel_label(&self, b: &BookingView) -> &'static str {
        match (b.status, b.cancel_kind(self.now)) {
            (domain::booking::BookingStatus::Waitlisted, _) => {
                self.c.t("bookings.leave_waiting_list")
            }
            (_, Some(CancelKind::LateCancelled)) => self.c.t("bookings.cancel_late"),
            _ => self.c.t("bookings.cancel"),
        }
    }
    fn can_cancel(&self, b: &BookingView) -> bool {
        b.cancel_kind(self.now).is_some()
    }
    fn can_undo(&self, b: &BookingView) -> bool {
        b.undo_offered(self.now)
    }
    fn free_until(&self, b: &BookingView) -> String {
        crate::format::datetime(b.free_cancellation_until())
    }
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn mine(State(s): State<AppState>, c: Ctx, Query(q): Query<MsgQuery>) -> PageResult {
    let now = navet_store::time::now();
    let my = UseCase::page(&s, &c)?.my_bookings(now).await?;
    let feed_url = my
        .feed_token
        .map(|token| format!("{}/kalender/{token}.ics", s.config.public_url))
        .unwrap_or_default();
    let notice = match q.ok.as_deref() {
        Some("cancelled") => c.t("bookings.n_cancelled").into(),
        Some("late_cancelled") => c.t("bookings.n_late_cancelled").into(),
        Some("promoted") => c.t("bookings.n_promoted").into(),
        Some("accepted") => c.t("bookings.n_accepted").into(),
        Some("declined") => c.t("bookings.n_declined").into(),
        Some("feed") => c.t("bookings.n_feed").into(),
        _ => c.flash_notice(),
    };
    render(MinePage {
        has_person: my.has_person,
        upcoming: my.upcoming,
        past: my.past,
        offers: my.offers,
        feed_url,
        now,
        notice,
        error: c.flash_error(),
        c,
    })
}

async fn renew_feed(State(s): State<AppState>, c: Ctx) -> PageResult {
    match UseCase::page(&s, &c)?.renew_my_feed().await {
        Ok(()) => Ok(see_other("/mina-bokningar?ok=feed")),
        Err(StoreError::NotFound(_)) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct BackForm {
    #[serde(default)]
    next: String,
}

/// Cancel a booking (the person, their manager, coordinators).
async fn cancel(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<BackForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let back = domain::redirect::safe_next(&f.next, "/mina-bokningar");
    match uc.cancel(id).await {
        Ok(r) => Ok(super::booking_undo::after_cancel(
            id,
            &back,
            !r.promoted.is_empty(),
        )),
        Err(StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, &back).await
        }
        Err(e) => Err(e.into()),
    }
}

// One-click links ------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct TokenQuery {
    #[serde(default)]
    t: String,
}

#[derive(Template)]
#[template(path = "bookings/link.html")]
struct LinkPage {
    c: Ctx,
    title: String,
    text: String,
    action: String,
    button: String,
    token: String,
    secondary: Option<(String, String)>,
}

async fn decline_page(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    // Without the link's own token the page tells nothing about the booking.
    let Some(b) = Guest::page(&s, &c).booking_for_decline(id, &q.t).await? else {
        return invalid_link_page(c);
    };
    let (title, text) = if b.status == domain::booking::BookingStatus::Booked {
        (
            format!("Tacka nej till {}", b.course_title),
            format!(
                "Du fick en plats från väntelistan på {} den {}. Tackar du nej går platsen direkt till nästa person på väntelistan.",
                b.course_title,
                b.when_local()
            ),
        )
    } else {
        (
            "Anmälan är redan avslutad".into(),
            "Den här anmälan är inte längre aktiv; du behöver inte göra något.".into(),
        )
    };
    render(LinkPage {
        action: if b.status == domain::booking::BookingStatus::Booked {
            format!("/anmalan/{id}/avboj")
        } else {
            String::new()
        },
        button: "Tacka nej till platsen".into(),
        token: q.t,
        secondary: None,
        title,
        text,
        c,
    })
}

#[derive(Deserialize, Default)]
struct TokenForm {
    #[serde(default)]
    t: String,
}

async fn decline(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TokenForm>,
) -> PageResult {
    match Guest::page(&s, &c).decline(id, &f.t).await {
        Ok(_) => render(LinkPage {
            title: "Tack för beskedet".into(),
            text: "Du har tackat nej och platsen har gått vidare till nästa person på väntelistan."
                .into(),
            action: String::new(),
            button: String::new(),
            token: String::new(),
            secondary: None,
            c,
        }),
        Err(StoreError::Forbidden(m)) => Err(AppError::Forbidden(m)),
        Err(e) => Err(e.into()),
    }
}

/// A neutral page for a one-click link without a valid token: no course,
/// person or date, and the same answer whether the booking exists or not.
fn invalid_link_page(c: Ctx) -> PageResult {
    render(LinkPage {
        title: c.t("bookings.link_invalid_title").into(),
        text: c.t("bookings.link_invalid_text").into(),
        action: String::new(),
        button: String::new(),
        token: String::new(),
        secondary: None,
        c,
    })
}

async fn offer_page(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let me = c.actor().and_then(|a| a.person_id);
    let h = match Guest::page(&s, &c).offer(id, &q.t, me).await {
        Ok(Some(h)) => h,
        Ok(None) => return invalid_link_page(c),
        Err(StoreError::NotFound(_)) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let now = navet_store::time::now();
    let active = h.is_active(now) && h.unnamed() > 0;
    let (title, text) = if active {
        (
            format!("Erbjuden plats: {}", h.course_title),
            format!(
                "Ditt kurstillfälle ställdes in. Vi håller en plats åt dig på {} den {} till och med {}.",
                h.course_title,
                crate::format::datetime(h.session_starts_at),
                crate::format::datetime(h.expires_at)
            ),
        )
    } else {
        (
            "Erbjudandet gäller inte längre".into(),
            "Platsen är redan tagen, avböjd eller har gått ut.".into(),
        )
    };
    render(LinkPage {
        action: if active {
            format!("/erbjudande/{id}")
        } else {
            String::new()
        },
        button: "Ta platsen".into(),
        secondary: active.then(|| (format!("/erbjudande/{id}/avboj"), "Nej tack".to_string())),
        token: q.t,
        title,
        text,
        c,
    })
}

/// Take an offered place: with the e-mailed token, or logged in as the person.
async fn accept_offer(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TokenForm>,
) -> PageResult {
    let me = c.actor().and_then(|a| a.person_id);
    match Guest::page(&s, &c).accept_offer(id, &f.t, me).await {
        Ok(_) if c.is_logged_in() => Ok(see_other("/mina-bokningar?ok=accepted")),
        Ok(_) => render(LinkPage {
            title: "Platsen är din".into(),
            text: "Du är bokad. En bekräftelse med kalenderinbjudan kommer med e-post.".into(),
            action: String::new(),
            button: String::new(),
            token: String::new(),
            secondary: None,
            c,
        }),
        Err(StoreError::Conflict { message, .. }) => Err(AppError::Conflict(message)),
        Err(e) => Err(e.into()),
    }
}

async fn decline_offer(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TokenForm>,
) -> PageResult {
    let me = c.actor().and_then(|a| a.person_id);
    Guest::page(&s, &c).decline_offer(id, &f.t, me).await?;
    Ok(see_other(if c.is_logged_in() {
        "/mina-bokningar?ok=declined"
    } else {
        "/"
    }))
}

// Bulk booking ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct BulkQuery {
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    tillfalle: Option<i64>,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    reservation: Option<i64>,
    #[serde(default)]
    q: String,
    /// From a gap on the unit page: the requirement …
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    krav: Option<i64>,
    /// … and the unit (also the people filter without a requirement).
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    enhet: Option<i64>,
}

/// One person's result in a bulk booking.
struct BulkResult {
    name: String,
    outcome: String,
    ok: bool,
}

#[derive(Template)]
#[template(path = "bookings/bulk.html")]
struct BulkPage {
    c: Ctx,
    sessions: Vec<SessionView>,
    session: Option<SessionView>,
    reservation: Option<HoldView>,
    people: Vec<Person>,
    already: Vec<i64>,
    results: Vec<BulkResult>,
    q: String,
    error: String,
    need: Option<crate::usecase::bookings::Need>,
    units: Vec<navet_store::org::Unit>,
    unit_id: Option<i64>,
    reservations: Vec<HoldView>,
    km: std::collections::HashMap<i64, u32>,
    /// Names shared by more than one person on the list.
    namesakes: Vec<String>,
}

impl BulkPage {
    fn is_booked(&self, id: &i64) -> bool {
        self.already.contains(id)
    }
    /// Pre-selected: the people of the gap not yet on the session.
    fn is_chosen(&self, id: &i64) -> bool {
        self.need.as_ref().is_some_and(|n| n.people.contains(id)) && !self.is_booked(id)
    }
    fn unit_selected(&self, id: &i64) -> bool {
        self.unit_id == Some(*id)
    }
    fn shares_name(&self, name: &str) -> bool {
        self.namesakes.iter().any(|n| n == name)
    }
    fn km(&self, session_id: &i64) -> String {
        match self.km.get(session_id) {
            Some(0) => self.c.t("bookings.same_municipality").into(),
            Some(d) => format!("≈{d} km"),
            None => String::new(),
        }
    }
}

async fn bulk_page(
    s: &AppState,
    c: Ctx,
    q: BulkQuery,
    results: Vec<BulkResult>,
    error: String,
) -> PageResult {
    let now = navet_store::time::now();
    let query = crate::usecase::bookings::StaffBookingQuery {
        q: q.q.clone(),
        session_id: q.tillfalle,
        reservation_id: q.reservation,
        need: q.krav.zip(q.enhet),
        unit_id: q.enhet,
    };
    let p = UseCase::page(s, &c)?
        .staff_booking_page(&query, now)
        .await?;
    let mut names: Vec<&str> = p.people.iter().map(|x| x.name.as_str()).collect();
    names.sort_unstable();
    let namesakes = names
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0].to_string())
        .collect();
    render(BulkPage {
        sessions: p.sessions,
        session: p.session,
        reservation: p.reservation,
        people: p.people,
        already: p.already,
        results,
        q: q.q,
        error,
        need: p.need,
        units: p.units,
        unit_id: q.enhet,
        reservations: p.reservations,
        km: p.km,
        namesakes,
        c,
    })
}

async fn bulk_form(State(s): State<AppState>, c: Ctx, Query(q): Query<BulkQuery>) -> PageResult {
    bulk_page(&s, c, q, vec![], String::new()).await
}

#[derive(Deserialize, Default)]
struct BulkForm {
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    session_id: Option<i64>,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    reservation_id: Option<i64>,
    #[serde(default)]
    people: Vec<i64>,
    #[serde(default)]
    support_needs: String,
    #[serde(default)]
    q: String,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    enhet: Option<i64>,
    /// Booking from a gap: the result stays on that gap's people.
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    krav: Option<i64>,
}

/// Book many people in one action; one transaction, a result per person.
async fn bulk_book(State(s): State<AppState>, c: Ctx, Form(f): Form<BulkForm>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let back = BulkQuery {
        tillfalle: f.session_id,
        reservation: f.reservation_id,
        q: f.q.clone(),
        krav: f.krav,
        enhet: f.enhet,
    };
    let Some(session_id) = f.session_id else {
        let msg = c.t("bookings.e_choose_session").into();
        return bulk_page(&s, c, back, vec![], msg).await;
    };
    if f.people.is_empty() {
        let msg = c.t("bookings.e_choose_person").into();
        return bulk_page(&s, c, back, vec![], msg).await;
    }
    let outcomes = uc
        .book_staff(session_id, &f.people, &f.support_needs, f.reservation_id)
        .await?;
    let results = outcomes.into_iter().map(|o| bulk_result(&c, o)).collect();
    bulk_page(&s, c, back, results, String::new()).await
}

/// One person's line in the result of a staff booking.
fn bulk_result(c: &Ctx, o: StaffOutcome) -> BulkResult {
    let (name, o) = match o {
        StaffOutcome::NoPerson(pid) => {
            return BulkResult {
                name: format!("Person nr {pid}"),
                outcome: c.t("bookings.r_no_person").into(),
                ok: false,
            }
        }
        StaffOutcome::NotAllowed(name) => {
            return BulkResult {
                name,
                outcome: c.t("bookings.r_not_allowed").into(),
                ok: false,
            }
        }
        StaffOutcome::Decided(name, o) => (name, o),
    };
    match o {
        Ok(o) => BulkResult {
            name,
            ok: true,
            outcome: match o.waitlist_position {
                Some(p) => format!("{} {p}", c.t("bookings.r_waitlist_place")),
                None => c.t("bookings.r_booked").into(),
            },
        },
        Err(StoreError::NotFound(_)) => BulkResult {
            name,
            ok: false,
            outcome: c.t("bookings.r_no_session").into(),
        },
        Err(StoreError::Conflict { message, .. }) | Err(StoreError::Forbidden(message)) => {
            BulkResult {
                name,
                ok: false,
                outcome: format!("{}: {message}", c.t("bookings.r_refused")),
            }
        }
        Err(StoreError::Invalid(e)) => BulkResult {
            name,
            ok: false,
            outcome: format!("Nekad: {e}"),
        },
        Err(e) => BulkResult {
            name,
            ok: false,
            outcome: format!("Fel: {e}"),
        },
    }
}

// Calendar feeds ----------------------------------------------------------------------------

pub(crate) fn ics_response(body: String, filename: &str) -> PageResult {
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        body,
    )
        .into_response())
}

fn strip_ics(s: &str) -> Result<&str, AppError> {
    s.strip_suffix(".ics").ok_or(AppError::NotFound)
}

/// The secret personal feed: the person's booked sessions.
async fn personal_feed(State(s): State<AppState>, Path(token): Path<String>) -> PageResult {
    let token = strip_ics(&token)?;
    let g = Guest::anonymous(&s);
    let Some(events) = g.personal_feed(token).await? else {
        return Err(AppError::NotFound);
    };
    calendar(&g, "Mina kurser – Navet", &events, "mina-kurser.ics")
}

fn calendar(g: &Guest<'_>, name: &str, events: &[ical::Event], filename: &str) -> PageResult {
    let body = ical::calendar(
        Method::Publish,
        Some(name),
        &g.from_email(),
        events,
        navet_store::time::now(),
    );
    ics_response(body, filename)
}

/// Public feed of a course's sessions (the last 30 days and all upcoming).
async fn course_feed(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id: i64 = strip_ics(&id)?.parse().map_err(|_| AppError::NotFound)?;
    let g = Guest::anonymous(&s);
    let Some((name, events)) = g.course_feed(id, navet_store::time::now()).await? else {
        return Err(AppError::NotFound);
    };
    calendar(&g, &name, &events, "kurstillfallen.ics")
}

/// Public feed of the sessions held in a municipality.
async fn municipality_feed(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id: i64 = strip_ics(&id)?.parse().map_err(|_| AppError::NotFound)?;
    let g = Guest::anonymous(&s);
    let (name, events) = g.municipality_feed(id, navet_store::time::now()).await?;
    calendar(&g, &name, &events, "kurstillfallen.ics")
}
