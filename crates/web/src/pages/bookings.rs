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
use domain::access::{Action, PersonRef, Role};
use domain::booking::CancelKind;
use domain::ical::{self, Method};
use navet_store::bookings::{self, BookRequest, BookingView, HoldView};
use navet_store::people::{self, Person};
use navet_store::sessions::{self, SessionView};
use navet_store::StoreError;
use serde::Deserialize;

use crate::api::bookings::via_for;
use crate::ctx::Ctx;
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
        match (b.status.as_str(), b.cancel_kind(self.now)) {
            ("waitlisted", _) => self.c.t("bookings.leave_waiting_list"),
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
    let user = c.require_login()?;
    let now = navet_store::time::now();
    let (upcoming, past, offers, feed_url) = match user.actor.person_id {
        Some(pid) => {
            let all = bookings::for_person(&s.db, pid).await?;
            let (mut upcoming, past): (Vec<_>, Vec<_>) = all
                .into_iter()
                .partition(|b| b.ends_at > now && b.status().is_live());
            upcoming.reverse();
            let token = bookings::feed_token(&s.db, pid).await?;
            (
                upcoming,
                past,
                bookings::offers_for_person(&s.db, pid).await?,
                format!("{}/kalender/{token}.ics", s.config.public_url),
            )
        }
        None => (vec![], vec![], vec![], String::new()),
    };
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
        has_person: user.actor.person_id.is_some(),
        upcoming,
        past,
        offers,
        feed_url,
        now,
        notice,
        error: c.flash_error(),
        c,
    })
}

async fn renew_feed(State(s): State<AppState>, c: Ctx) -> PageResult {
    let user = c.require_login()?;
    let Some(pid) = user.actor.person_id else {
        return Err(AppError::NotFound);
    };
    bookings::renew_feed_token(&s.db, pid).await?;
    Ok(see_other("/mina-bokningar?ok=feed"))
}

fn person_ref(b: &BookingView) -> PersonRef {
    PersonRef {
        person_id: b.person_id,
        unit_id: b.person_unit_id,
        municipality_id: b.person_municipality_id,
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
    c.require_login()?;
    let b = bookings::get(&s.db, id).await?;
    let user = c.require(Action::BookPerson(person_ref(&b)))?;
    let back = domain::redirect::safe_next(&f.next, "/mina-bokningar");
    match bookings::cancel(&s.db, &user.who(), id, None).await {
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
    if !bookings::decline_link_valid(&s.db, id, &q.t).await? {
        return invalid_link_page(c);
    }
    let b = bookings::get(&s.db, id).await?;
    let (title, text) = if b.status == "booked" {
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
        action: if b.status == "booked" {
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
    let who = c.who();
    match bookings::cancel(&s.db, &who, id, Some(&f.t)).await {
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
    let owner = match bookings::hold(&s.db, id).await {
        Ok(h) => h.person_id,
        Err(StoreError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let is_the_person = me.is_some() && me == owner;
    if !is_the_person && !bookings::offer_link_valid(&s.db, id, &q.t).await? {
        return invalid_link_page(c);
    }
    let h = bookings::hold(&s.db, id).await?;
    if h.kind != "offer" {
        return Err(AppError::NotFound);
    }
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
    let token = offer_token(&s, &c, id, &f.t).await?;
    match bookings::accept_offer(&s.db, &c.who(), id, token.as_deref()).await {
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
    let token = offer_token(&s, &c, id, &f.t).await?;
    bookings::release_hold(&s.db, &c.who(), id, token.as_deref()).await?;
    Ok(see_other(if c.is_logged_in() {
        "/mina-bokningar?ok=declined"
    } else {
        "/"
    }))
}

/// The token to check, or None when the logged-in user is the offered person.
async fn offer_token(s: &AppState, c: &Ctx, id: i64, t: &str) -> Result<Option<String>, AppError> {
    let h = bookings::hold(&s.db, id).await?;
    let me = c.actor().and_then(|a| a.person_id);
    if me.is_some() && me == h.person_id {
        return Ok(None);
    }
    if t.is_empty() {
        return Err(AppError::Forbidden(
            "Länken saknar sin nyckel; öppna den från e-postmeddelandet.".into(),
        ));
    }
    Ok(Some(t.to_string()))
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
}

impl BulkPage {
    fn is_booked(&self, id: &i64) -> bool {
        self.already.contains(id)
    }
}

/// People the user may book: a manager's staff, or (coordinators) everyone matching the search.
async fn bookable_people(s: &AppState, c: &Ctx, q: &str) -> Result<Vec<Person>, AppError> {
    let user = c.require_login()?;
    let filter = match user.role() {
        Role::Manager => people::Filter {
            scope: Some(user.actor.scope.clone()),
            query: Some(q.to_string()),
            ..Default::default()
        },
        Role::Coordinator | Role::Admin => {
            if q.trim().is_empty() {
                return Ok(vec![]);
            }
            people::Filter {
                query: Some(q.to_string()),
                ..Default::default()
            }
        }
        _ => {
            return Err(AppError::forbidden(
                "Endast chefer och samordnare kan boka andra.",
            ))
        }
    };
    let mut v = people::list(&s.db, &filter).await?;
    v.truncate(300);
    Ok(v)
}

async fn bulk_page(
    s: &AppState,
    c: Ctx,
    q: BulkQuery,
    results: Vec<BulkResult>,
    error: String,
) -> PageResult {
    let people = bookable_people(s, &c, &q.q).await?;
    if !people.is_empty() {
        let user = c.require_login()?;
        let mut conn = s.db.writer().acquire().await.map_err(StoreError::from)?;
        navet_store::audit::record(
            &mut conn,
            &user.who(),
            "person.list",
            "people",
            None,
            None,
            &format!("boka personal: {} personer", people.len()),
        )
        .await?;
    }
    let now = navet_store::time::now();
    let sessions = sessions::list(
        &s.db,
        &sessions::Filter {
            from: Some(now),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter(|v| v.is_bookable_now(now))
    .collect();
    let session = match q.tillfalle {
        Some(id) => Some(sessions::get(&s.db, id).await?),
        None => None,
    };
    let already = match &session {
        Some(v) => bookings::for_session(&s.db, v.row.id)
            .await?
            .into_iter()
            .filter(|b| b.status().is_live())
            .map(|b| b.person_id)
            .collect(),
        None => vec![],
    };
    // Only a reservation of a unit the user books for is shown.
    let reservation = match q.reservation {
        Some(h) => Some(bookings::hold(&s.db, h).await?).filter(|h| {
            h.kind == "reservation"
                && h.is_active(now)
                && h.unit_id.is_some_and(|unit_id| {
                    c.can(Action::ReserveForUnit {
                        unit_id,
                        municipality_id: h.municipality_id,
                    })
                })
        }),
        None => None,
    };
    render(BulkPage {
        sessions,
        session,
        reservation,
        people,
        already,
        results,
        q: q.q,
        error,
        c,
    })
}

async fn bulk_form(State(s): State<AppState>, c: Ctx, Query(q): Query<BulkQuery>) -> PageResult {
    c.require_login()?;
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
}

/// Book many people in one action; one transaction, a result per person.
async fn bulk_book(State(s): State<AppState>, c: Ctx, Form(f): Form<BulkForm>) -> PageResult {
    let user = c.require_login()?.clone();
    let back = BulkQuery {
        tillfalle: f.session_id,
        reservation: f.reservation_id,
        q: f.q.clone(),
    };
    let Some(session_id) = f.session_id else {
        let msg = c.t("bookings.e_choose_session").into();
        return bulk_page(&s, c, back, vec![], msg).await;
    };
    if f.people.is_empty() {
        let msg = c.t("bookings.e_choose_person").into();
        return bulk_page(&s, c, back, vec![], msg).await;
    }
    let mut reqs = vec![];
    let mut results: Vec<Option<BulkResult>> = vec![];
    let mut names = vec![];
    for pid in &f.people {
        let p = match people::get(&s.db, *pid).await {
            Ok(p) => p,
            Err(StoreError::NotFound(_)) => {
                results.push(Some(BulkResult {
                    name: format!("Person nr {pid}"),
                    outcome: c.t("bookings.r_no_person").into(),
                    ok: false,
                }));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let reserved = match f.reservation_id {
            Some(h) => crate::api::bookings::reserved_seat_action(&s, h, p.as_ref()).await?,
            None => None,
        };
        if !c.can(Action::BookPerson(p.as_ref())) || reserved.is_some_and(|a| !c.can(a)) {
            results.push(Some(BulkResult {
                name: p.name.clone(),
                outcome: c.t("bookings.r_not_allowed").into(),
                ok: false,
            }));
            continue;
        }
        results.push(None);
        names.push(p.name.clone());
        reqs.push(BookRequest {
            session_id,
            person_id: p.id,
            who: user.who(),
            via: via_for(&user.actor, p.id),
            support_needs: f.support_needs.clone(),
            hold_id: f.reservation_id,
        });
    }
    let outcomes = bookings::book_batch(&s.db, &reqs).await;
    let mut it = outcomes.into_iter().zip(names);
    let results: Vec<BulkResult> = results
        .into_iter()
        .map(|r| match r {
            Some(r) => r,
            None => {
                let (o, name) = it.next().expect("one outcome per request");
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
                    Err(StoreError::Conflict { message, .. })
                    | Err(StoreError::Forbidden(message)) => BulkResult {
                        name,
                        ok: false,
                        outcome: format!("{}: {message}", c.t("bookings.r_refused")),
                    },
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
        })
        .collect();
    bulk_page(&s, c, back, results, String::new()).await
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
    let Some(pid) = bookings::person_for_feed(&s.db, token).await? else {
        return Err(AppError::NotFound);
    };
    let sender = s.db.sender();
    let mut events = vec![];
    for (b, text) in bookings::person_calendar(&s.db, pid).await? {
        events.extend(text.events(
            &domain::notices::booking_uid(b.id),
            b.ics_sequence,
            b.session_status == "cancelled",
            None,
            Some(format!(
                "{}/kurstillfallen/{}",
                sender.base_url, b.session_id
            )),
        ));
    }
    let body = ical::calendar(
        Method::Publish,
        Some("Mina kurser – Navet"),
        &sender.from_email,
        &events,
        navet_store::time::now(),
    );
    ics_response(body, "mina-kurser.ics")
}

async fn public_feed(s: &AppState, f: sessions::Filter, name: &str) -> PageResult {
    let sender = s.db.sender();
    let mut events = vec![];
    for (row, parts) in sessions::feed_events(&s.db, &f).await? {
        let text = row.text(&parts);
        events.extend(text.events(
            &format!("navet-session-{}", row.id),
            0,
            row.status == "cancelled",
            None,
            Some(format!("{}/kurstillfallen/{}", sender.base_url, row.id)),
        ));
    }
    let body = ical::calendar(
        Method::Publish,
        Some(name),
        &sender.from_email,
        &events,
        navet_store::time::now(),
    );
    ics_response(body, "kurstillfallen.ics")
}

/// Public feed of a course's sessions (the last 30 days and all upcoming).
async fn course_feed(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id: i64 = strip_ics(&id)?.parse().map_err(|_| AppError::NotFound)?;
    let course = navet_store::catalogue::get(&s.db, id).await?;
    if !domain::catalogue::CourseStatus::parse(&course.status).is_some_and(|st| st.is_bookable()) {
        return Err(AppError::NotFound);
    }
    let f = sessions::Filter {
        course_id: Some(id),
        from: Some(navet_store::time::now() - 30 * 86_400),
        include_cancelled: true,
        ..Default::default()
    };
    public_feed(&s, f, &format!("{} – Navet", course.title)).await
}

/// Public feed of the sessions held in a municipality.
async fn municipality_feed(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id: i64 = strip_ics(&id)?.parse().map_err(|_| AppError::NotFound)?;
    let m = navet_store::org::municipality(&s.db, id).await?;
    let f = sessions::Filter {
        municipality_id: Some(id),
        from: Some(navet_store::time::now() - 30 * 86_400),
        include_cancelled: true,
        ..Default::default()
    };
    public_feed(&s, f, &format!("Kurser i {} – Navet", m.name)).await
}
