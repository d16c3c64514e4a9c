//! Sessions, bookings, waiting list, reservations and notices, on SQLite
//! and PostgreSQL.

use domain::ids::{BookingId, CourseId, HoldId, MunicipalityId, PersonId, SessionId, UnitId};
use std::collections::HashMap;

use domain::booking::BookingStatus;
use navet_store::audit::Who;
use navet_store::bookings::{self, BookRequest, Via};
use navet_store::catalogue::{self, CourseExtras};
use navet_store::sessions::{self, SessionInput};
use navet_store::{both_engines, cover, org, outbox, trainers, Db, StoreError};
use sqlx::Row;

const DAY: i64 = 86_400;

fn who() -> Who {
    Who::system("test")
}

fn rfc(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap()
        .to_rfc3339()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn course(db: &Db, title: &str) -> i64 {
    navet_store::testing::fixtures::course(db, title).await
}

async fn muni(db: &Db, name: &str) -> i64 {
    org::municipality_by_name(db, name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// `n` synthetic people in a municipality, inserted in one transaction.
async fn people(db: &Db, municipality: &str, n: usize, tag: &str) -> Vec<i64> {
    let m = muni(db, municipality).await;
    let role: i64 = sqlx::query_scalar("SELECT id FROM roles ORDER BY id LIMIT 1")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let mut ids = vec![];
    for i in 0..n {
        let id: i64 = sqlx::query(
            "INSERT INTO people (name, email, gender, role_id, municipality_id, synthetic, created_at, updated_at) \
             VALUES ($1, $2, 'kvinna', $3, $4, 1, 0, 0) RETURNING id",
        )
        .bind(format!("{tag} {i}"))
        .bind(format!("{tag}.{i}@{municipality}.test").to_lowercase())
        .bind(role)
        .bind(m)
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .get(0);
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

fn input(course_id: i64, start: i64, hours: i64, capacity: i64) -> SessionInput {
    SessionInput {
        course_id,
        parts: vec![(rfc(start), rfc(start + hours * 3600))],
        municipality: "Örebro".into(),
        venue: "Simuleringscentrum".into(),
        capacity,
        ..Default::default()
    }
}

async fn session(db: &Db, i: &SessionInput) -> i64 {
    let s = sessions::resolve(db, i, now()).await.unwrap();
    sessions::create(db, &who(), &s).await.unwrap()
}

fn req(session_id: i64, person_id: i64) -> BookRequest {
    BookRequest {
        session_id,
        person_id,
        who: who(),
        via: Via::Coordinator,
        support_needs: String::new(),
        hold_id: None,
    }
}

fn conflict_message(e: StoreError) -> String {
    match e {
        StoreError::Conflict { message, .. } => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

both_engines!(
    bad_sessions_are_refused_and_change_nothing,
    |db: Db| async move {
        let c = course(&db, "HLR").await;
        let start = now() + 10 * DAY;
        let field_errors = |e: StoreError| match e {
            StoreError::Invalid(f) => f.0.into_iter().map(|x| x.field).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let bad = |f: fn(&mut SessionInput)| {
            let mut i = input(c, start, 3, 12);
            f(&mut i);
            i
        };
        let cases: Vec<(SessionInput, Vec<&str>)> = vec![
            (bad(|i| i.capacity = 0), vec!["capacity"]),
            (bad(|i| i.capacity = -4), vec!["capacity"]),
            (
                bad(|i| i.parts[0] = (i.parts[0].1.clone(), i.parts[0].0.clone())),
                vec!["ends_at"],
            ),
            (
                bad(|i| i.municipality = "Stockholm".into()),
                vec!["municipality"],
            ),
            (bad(|i| i.course_id = 9999), vec!["course_id"]),
            (bad(|i| i.parts[0].0 = "i morgon".into()), vec!["starts_at"]),
            (
                bad(|i| i.parts[0] = ("2020-01-01T09:00".into(), "2020-01-01T12:00".into())),
                vec!["starts_at"],
            ),
            (
                bad(|i| {
                    i.quotas = vec![
                        ("Örebro".into(), 8, rfc(now() + DAY)),
                        ("Kumla".into(), 5, rfc(now() + DAY)),
                    ]
                }),
                vec!["quotas"],
            ),
            (
                bad(|i| i.quotas = vec![("Atlantis".into(), 2, rfc(now() + DAY))]),
                vec!["quotas[0].municipality"],
            ),
            (
                bad(|i| i.language_support = vec!["morse".into()]),
                vec!["language_support"],
            ),
        ];
        for (i, want) in cases {
            let e = sessions::resolve(&db, &i, now()).await.unwrap_err();
            assert_eq!(field_errors(e), want, "{i:?}");
        }
        assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 0);
        // A time that does not exist in Stockholm (spring forward) is named.
        let mut i = input(c, start, 3, 12);
        i.parts = vec![("2031-03-30T02:30".into(), "2031-03-30T05:00".into())];
        let e = sessions::resolve(&db, &i, now()).await.unwrap_err();
        assert!(e.to_string().contains("finns inte i svensk tid"), "{e}");
    }
);

both_engines!(
    local_times_are_stored_as_utc_across_dst,
    |db: Db| async move {
        let c = course(&db, "Förflyttning").await;
        // Two half-days on either side of the autumn change 2031-10-26.
        let mut i = input(c, 0, 0, 10);
        i.parts = vec![
            ("2031-10-25T09:00".into(), "2031-10-25T12:00".into()),
            ("2031-10-27T09:00".into(), "2031-10-27T12:00".into()),
        ];
        let id = session(&db, &i).await;
        let v = sessions::get(&db, SessionId(id)).await.unwrap();
        assert_eq!(v.parts.len(), 2);
        // 09:00 CEST = 07:00 UTC; 09:00 CET = 08:00 UTC.
        assert_eq!(rfc(v.parts[0].starts_at), "2031-10-25T07:00:00+00:00");
        assert_eq!(rfc(v.parts[1].starts_at), "2031-10-27T08:00:00+00:00");
        assert_eq!(v.row.hours, 6.0);
        assert_eq!(
            v.when_sv(),
            "2031-10-25 kl. 09.00–12.00, 2031-10-27 kl. 09.00–12.00"
        );
        // Registration closes at the start unless told otherwise.
        assert_eq!(v.row.closes_at(), v.parts[0].starts_at);
    }
);

both_engines!(booking_waitlist_cancel_and_promotion, |db: Db| async move {
    let c = course(&db, "Sårvård").await;
    let s = session(&db, &input(c, now() + 20 * DAY, 3, 2)).await;
    let p = people(&db, "Örebro", 4, "Anna").await;
    let mut out = vec![];
    for pid in &p {
        out.push(bookings::book(&db, &req(s, *pid)).await.unwrap());
    }
    let st: Vec<_> = out
        .iter()
        .map(|o| (o.status, o.waitlist_position))
        .collect();
    assert_eq!(
        st,
        [
            (BookingStatus::Booked, None),
            (BookingStatus::Booked, None),
            (BookingStatus::Waitlisted, Some(1)),
            (BookingStatus::Waitlisted, Some(2)),
        ]
    );
    let v = sessions::get(&db, SessionId(s)).await.unwrap();
    assert_eq!((v.booked, v.waitlisted, v.free_total), (2, 2, 0));
    assert_eq!(v.effective_status.code(), "full");
    assert_eq!(v.row.status, domain::sessions::SessionStatus::Full);

    // The same person twice: refused, nothing added.
    let e = bookings::book(&db, &req(s, p[0])).await.unwrap_err();
    assert_eq!(
        conflict_message(e),
        domain::booking::Refusal::AlreadyBooked.message()
    );
    let e = bookings::book(&db, &req(s, p[3])).await.unwrap_err();
    assert_eq!(
        conflict_message(e),
        domain::booking::Refusal::AlreadyBooked.message()
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bookings").await, 4);
    // Unknown person: a field error.
    assert!(matches!(
        bookings::book(&db, &req(s, 999_999)).await,
        Err(StoreError::Invalid(_))
    ));

    // Cancelling a seat promotes the first on the waiting list, in the same transaction.
    let c1 = bookings::cancel(&db, &who(), BookingId(out[0].booking_id), None)
        .await
        .unwrap();
    assert_eq!(c1.status, BookingStatus::Cancelled);
    assert_eq!(c1.promoted, vec![out[2].booking_id]);
    let promoted = bookings::get(&db, BookingId(out[2].booking_id))
        .await
        .unwrap();
    assert_eq!(promoted.status, domain::booking::BookingStatus::Booked);
    assert!(promoted.promoted_at.is_some());
    let last = bookings::get(&db, BookingId(out[3].booking_id))
        .await
        .unwrap();
    assert_eq!(last.waitlist_position, Some(1));

    // Notices: confirmations with an invitation, the cancel, the promotion.
    let (msgs, _) = outbox::list(
        &db,
        &outbox::Filter {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let msgs = msgs.rows;
    let kinds: Vec<&str> = msgs.iter().rev().map(|m| m.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "booking_confirmed",
            "booking_confirmed",
            "waitlisted",
            "waitlisted",
            "booking_cancelled",
            "promoted"
        ]
    );
    let confirm = msgs.last().unwrap();
    let ics = confirm.ics.as_deref().unwrap();
    assert!(
        ics.contains("METHOD:REQUEST")
            && ics.contains(&format!("UID:navet-booking-{}-1@navet", out[0].booking_id))
    );
    let cancel = msgs.iter().find(|m| m.kind == "booking_cancelled").unwrap();
    let ics = cancel.ics.as_deref().unwrap();
    assert!(ics.contains("METHOD:CANCEL") && ics.contains("SEQUENCE:1"));
    assert!(ics.contains(&format!("UID:navet-booking-{}-1@navet", out[0].booking_id)));
    let prom = msgs.iter().find(|m| m.kind == "promoted").unwrap();
    assert!(prom
        .body
        .contains(&format!("/anmalan/{}/avboj?t=", out[2].booking_id)));

    // The promoted person declines with the link's token: not late, seat moves on.
    let token = prom
        .body
        .split("avboj?t=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(matches!(
        bookings::cancel(&db, &who(), BookingId(out[2].booking_id), Some("wrong")).await,
        Err(StoreError::Forbidden(_))
    ));
    let c2 = bookings::cancel(&db, &who(), BookingId(out[2].booking_id), Some(&token))
        .await
        .unwrap();
    assert_eq!(c2.status, BookingStatus::Cancelled);
    assert_eq!(c2.promoted, vec![out[3].booking_id]);
    // Cancelling twice is a conflict.
    assert!(matches!(
        bookings::cancel(&db, &who(), BookingId(out[2].booking_id), None).await,
        Err(StoreError::Conflict { .. })
    ));
    // Rebooking after cancelling is allowed (new booking, waiting list).
    let again = bookings::book(&db, &req(s, p[0])).await.unwrap();
    assert_eq!(again.status, BookingStatus::Waitlisted);
    assert_eq!(again.waitlist_position, Some(1));
});

both_engines!(refusals_overlap_closed_cancelled, |db: Db| async move {
    let c = course(&db, "Kateter").await;
    let start = now() + 30 * DAY;
    let a = session(&db, &input(c, start, 3, 5)).await;
    // Overlaps a by one hour.
    let b = session(&db, &input(c, start + 2 * 3600, 3, 5)).await;
    // Back to back with a: fine.
    let d = session(&db, &input(c, start + 3 * 3600, 2, 5)).await;
    let p = people(&db, "Karlskoga", 2, "Omar").await;
    bookings::book(&db, &req(a, p[0])).await.unwrap();
    let e = bookings::book(&db, &req(b, p[0])).await.unwrap_err();
    assert_eq!(
        conflict_message(e),
        domain::booking::Refusal::Overlapping.message()
    );
    assert_eq!(
        bookings::book(&db, &req(d, p[0])).await.unwrap().status,
        BookingStatus::Booked
    );

    // Registration closed.
    sqlx::query("UPDATE sessions SET registration_closes_at = $1 WHERE id = $2")
        .bind(now() - 10)
        .bind(b)
        .execute(db.writer())
        .await
        .unwrap();
    let e = bookings::book(&db, &req(b, p[1])).await.unwrap_err();
    assert_eq!(
        conflict_message(e),
        domain::booking::Refusal::RegistrationClosed.message()
    );

    // Registration not open yet.
    let mut later = input(c, start + 5 * DAY, 3, 5);
    later.registration_opens_at = Some(rfc(now() + DAY));
    let l = session(&db, &later).await;
    assert_eq!(
        sessions::get(&db, SessionId(l))
            .await
            .unwrap()
            .effective_status
            .code(),
        "planned"
    );
    let e = bookings::book(&db, &req(l, p[1])).await.unwrap_err();
    assert!(conflict_message(e).starts_with("Anmälan öppnar"));

    // Cancelled session: refused; a person who has left: refused.
    bookings::cancel_session(&db, &who(), SessionId(d), "Sjuk utbildningsledare")
        .await
        .unwrap();
    let e = bookings::book(&db, &req(d, p[1])).await.unwrap_err();
    assert_eq!(
        conflict_message(e),
        domain::booking::Refusal::SessionCancelled.message()
    );
    sqlx::query("UPDATE people SET active = 0 WHERE id = $1")
        .bind(p[1])
        .execute(db.writer())
        .await
        .unwrap();
    let e = bookings::book(&db, &req(a, p[1])).await.unwrap_err();
    assert_eq!(
        conflict_message(e),
        domain::booking::Refusal::PersonInactive.message()
    );
    assert!(matches!(
        bookings::book(&db, &req(424242, p[0])).await,
        Err(StoreError::NotFound(_))
    ));
});

both_engines!(late_cancellation_is_recorded, |db: Db| async move {
    let c = course(&db, "Nutrition").await;
    // Starts in one day; the course's deadline is two days before.
    let s = session(&db, &input(c, now() + DAY, 3, 5)).await;
    let p = people(&db, "Nora", 1, "Eva").await;
    let b = bookings::book(&db, &req(s, p[0])).await.unwrap();
    let r = bookings::cancel(&db, &who(), BookingId(b.booking_id), None)
        .await
        .unwrap();
    assert_eq!(r.status, BookingStatus::LateCancelled);
    let (msgs, _) = outbox::list(
        &db,
        &outbox::Filter {
            kind: Some("booking_cancelled".into()),
            limit: 5,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let msgs = msgs.rows;
    assert!(msgs[0].body.contains("sen avbokning"));
});

both_engines!(quotas_reserve_seats_until_release, |db: Db| async move {
    let c = course(&db, "Läkemedel").await;
    let mut i = input(c, now() + 20 * DAY, 3, 4);
    i.quotas = vec![("Örebro".into(), 2, rfc(now() + DAY))];
    let s = session(&db, &i).await;
    let kga = people(&db, "Karlskoga", 4, "K").await;
    let ore = people(&db, "Örebro", 1, "O").await;
    let mut st = vec![];
    for p in &kga {
        st.push(bookings::book(&db, &req(s, *p)).await.unwrap().status);
    }
    assert_eq!(
        st,
        [
            BookingStatus::Booked,
            BookingStatus::Booked,
            BookingStatus::Waitlisted,
            BookingStatus::Waitlisted
        ]
    );
    let v = sessions::get(&db, SessionId(s)).await.unwrap();
    assert_eq!(
        (
            v.free_general,
            v.free_total,
            v.free_for(muni(&db, "Örebro").await)
        ),
        (0, 2, 2)
    );
    assert_eq!(v.effective_status.code(), "open");
    assert_eq!(
        bookings::book(&db, &req(s, ore[0])).await.unwrap().status,
        BookingStatus::Booked
    );
    let v = sessions::get(&db, SessionId(s)).await.unwrap();
    assert_eq!(v.quotas[0].booked, 1);

    // After the release date the last quota seat goes to the first waiting.
    sqlx::query("UPDATE session_quotas SET release_at = $1")
        .bind(now() - 1)
        .execute(db.writer())
        .await
        .unwrap();
    let promoted = bookings::settle_session(&db, SessionId(s)).await.unwrap();
    assert_eq!(promoted.len(), 1);
    let w = bookings::for_session(&db, SessionId(s)).await.unwrap();
    let booked: Vec<i64> = w
        .iter()
        .filter(|b| b.status == domain::booking::BookingStatus::Booked)
        .map(|b| b.person_id)
        .collect();
    assert_eq!(booked.len(), 4);
    assert!(booked.contains(&kga[2]) && !booked.contains(&kga[3]));
    // The sweep does the same for every session, and finds nothing more to do.
    assert_eq!(bookings::sweep(&db).await.unwrap(), 0);
});

both_engines!(
    manager_reservation_named_later_and_released,
    |db: Db| async move {
        let c = course(&db, "Demens").await;
        let s = session(&db, &input(c, now() + 20 * DAY, 3, 4)).await;
        let m = muni(&db, "Lindesberg").await;
        let unit = org::create_unit(
            &db,
            MunicipalityId(m),
            "Hemtjänsten Väst",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let staff = people(&db, "Lindesberg", 3, "L").await;
        sqlx::query("UPDATE people SET unit_id = $1 WHERE municipality_id = $2")
            .bind(unit)
            .bind(m)
            .execute(db.writer())
            .await
            .unwrap();
        let others = people(&db, "Hallsberg", 3, "H").await;

        // Too many places: refused with the number free.
        let e = bookings::reserve(&db, &who(), SessionId(s), UnitId(unit), 5, now() + DAY)
            .await
            .unwrap_err();
        assert!(conflict_message(e).contains("bara 4"));
        let h = bookings::reserve(&db, &who(), SessionId(s), UnitId(unit), 3, now() + DAY)
            .await
            .unwrap();
        // Only one seat left for everyone else.
        let st: Vec<_> = {
            let mut v = vec![];
            for p in &others {
                v.push(bookings::book(&db, &req(s, *p)).await.unwrap().status);
            }
            v
        };
        assert_eq!(
            st,
            [
                BookingStatus::Booked,
                BookingStatus::Waitlisted,
                BookingStatus::Waitlisted
            ]
        );
        // Naming two people into the reservation.
        for p in &staff[..2] {
            let o = bookings::book(
                &db,
                &BookRequest {
                    hold_id: Some(h),
                    ..req(s, *p)
                },
            )
            .await
            .unwrap();
            assert_eq!(o.status, BookingStatus::Booked);
        }
        // Someone from another municipality cannot be named into it.
        let e = bookings::book(
            &db,
            &BookRequest {
                hold_id: Some(h),
                ..req(s, others[1])
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Conflict { .. }));
        let hv = bookings::hold(&db, HoldId(h)).await.unwrap();
        assert_eq!((hv.seats, hv.named, hv.unnamed()), (3, 2, 1));
        assert_eq!(sessions::get(&db, SessionId(s)).await.unwrap().held, 1);

        // A named person cancels: the seat returns to the reservation, nobody promoted.
        let named = bookings::for_session(&db, SessionId(s))
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.person_id == staff[0])
            .unwrap();
        assert!(bookings::cancel(&db, &who(), BookingId(named.id), None)
            .await
            .unwrap()
            .promoted
            .is_empty());
        assert_eq!(bookings::hold(&db, HoldId(h)).await.unwrap().unnamed(), 2);

        // The deadline passes: unnamed places go to the waiting list in order.
        sqlx::query("UPDATE session_holds SET expires_at = $1 WHERE id = $2")
            .bind(now() - 1)
            .bind(h)
            .execute(db.writer())
            .await
            .unwrap();
        assert_eq!(bookings::sweep(&db).await.unwrap(), 2);
        let booked: Vec<i64> = bookings::for_session(&db, SessionId(s))
            .await
            .unwrap()
            .into_iter()
            .filter(|b| b.status == domain::booking::BookingStatus::Booked)
            .map(|b| b.person_id)
            .collect();
        assert_eq!(booked.len(), 4);
        assert!(booked.contains(&others[1]) && booked.contains(&others[2]));
        // Naming after the deadline is refused.
        let e = bookings::book(
            &db,
            &BookRequest {
                hold_id: Some(h),
                ..req(s, staff[2])
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Conflict { .. }));
    }
);

both_engines!(
    cancelled_session_offers_the_next_one_first,
    |db: Db| async move {
        let c = course(&db, "Stomivård").await;
        let first = session(&db, &input(c, now() + 10 * DAY, 3, 2)).await;
        let next = session(&db, &input(c, now() + 20 * DAY, 3, 3)).await;
        let p = people(&db, "Kumla", 3, "P").await;
        let q = people(&db, "Askersund", 1, "Q").await;
        for pid in &p {
            bookings::book(&db, &req(first, *pid)).await.unwrap();
        }
        let report =
            bookings::cancel_session(&db, &who(), SessionId(first), "Utbildningsledaren är sjuk")
                .await
                .unwrap();
        assert_eq!(
            (report.notified, report.offers, report.next_session_id),
            (3, 3, Some(next))
        );
        let v = sessions::get(&db, SessionId(first)).await.unwrap();
        assert_eq!(v.row.status, domain::sessions::SessionStatus::Cancelled);
        assert_eq!(v.row.cancel_reason, "Utbildningsledaren är sjuk");
        assert_eq!(count(&db, &format!("SELECT COUNT(*) FROM bookings WHERE session_id = {first} AND status = 'cancelled'")).await, 3);
        // The three offered places are held: a newcomer waits.
        assert_eq!(
            bookings::book(&db, &req(next, q[0])).await.unwrap().status,
            BookingStatus::Waitlisted
        );
        let (msgs, _) = outbox::list(
            &db,
            &outbox::Filter {
                kind: Some("session_cancelled".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let msgs = msgs.rows;
        assert_eq!(msgs.len(), 3);
        assert!(msgs.iter().all(|m| m.body.contains("/erbjudande/")));
        assert!(
            msgs.iter()
                .filter(|m| m
                    .ics
                    .as_deref()
                    .is_some_and(|i| i.contains("METHOD:CANCEL")))
                .count()
                == 2
        );
        // The first accepts through the link; the second declines; the third lets it lapse.
        let offers = bookings::offers_for_person(&db, PersonId(p[0]))
            .await
            .unwrap();
        assert_eq!(offers.len(), 1);
        let body = &msgs
            .iter()
            .find(|m| m.to_person_id == Some(p[0]))
            .unwrap()
            .body;
        let token = body
            .split("?t=")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        let o = bookings::accept_offer(&db, &who(), HoldId(offers[0].id), Some(&token))
            .await
            .unwrap();
        assert_eq!(o.status, BookingStatus::Booked);
        let o2 = bookings::offers_for_person(&db, PersonId(p[1]))
            .await
            .unwrap();
        let promoted = bookings::release_hold(&db, &who(), HoldId(o2[0].id), None)
            .await
            .unwrap();
        assert_eq!(
            promoted.len(),
            1,
            "the declined place goes to the waiting newcomer"
        );
        // Someone else cannot take p[2]'s offer.
        let o3 = bookings::offers_for_person(&db, PersonId(p[2]))
            .await
            .unwrap();
        let e = bookings::book(
            &db,
            &BookRequest {
                hold_id: Some(o3[0].id),
                ..req(next, q[0])
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(
            e,
            StoreError::Forbidden(_) | StoreError::Conflict { .. }
        ));
        // A cancelled session cannot be cancelled again.
        assert!(matches!(
            bookings::cancel_session(&db, &who(), SessionId(first), "x").await,
            Err(StoreError::Conflict { .. })
        ));
    }
);

both_engines!(trainers_must_be_qualified_and_free, |db: Db| async move {
    let c = course(&db, "KlinSim-handledning").await;
    let other = course(&db, "Annan kurs").await;
    let t = people(&db, "Örebro", 2, "Ulf").await;
    let ore = muni(&db, "Örebro").await;
    trainers::upsert(&db, &who(), PersonId(t[0]), MunicipalityId(ore), true)
        .await
        .unwrap();
    trainers::set_courses(&db, &who(), PersonId(t[0]), &[c])
        .await
        .unwrap();
    trainers::add_certification(&db, &who(), PersonId(t[0]), "KlinSim 1", "2025-10-15", None)
        .await
        .unwrap();
    let e = trainers::add_certification(
        &db,
        &who(),
        PersonId(t[0]),
        "KlinSim 2",
        "15/10",
        Some("2024-01-01"),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)));
    let tr = trainers::get(&db, PersonId(t[0])).await.unwrap();
    assert_eq!(tr.certifications[0].name, "KlinSim 1");
    assert!(tr.is_qualified(c) && !tr.is_qualified(other));

    let start = now() + 10 * DAY;
    let mut i = input(c, start, 3, 8);
    i.trainer_person_ids = vec![t[0]];
    let a = session(&db, &i).await;
    assert_eq!(
        sessions::get(&db, SessionId(a)).await.unwrap().trainers[0].person_id,
        t[0]
    );
    // Overlapping session with the same trainer: refused, nothing stored.
    let mut j = input(c, start + 3600, 3, 8);
    j.trainer_person_ids = vec![t[0]];
    let s = sessions::resolve(&db, &j, now()).await.unwrap();
    let e = sessions::create(&db, &who(), &s).await.unwrap_err();
    assert!(e.to_string().contains("överlappar"), "{e}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 1);
    // Not qualified for the other course; not a trainer at all.
    let b = session(&db, &input(other, start + 10 * DAY, 3, 8)).await;
    assert!(trainers::assign(&db, &who(), SessionId(b), PersonId(t[0]))
        .await
        .unwrap_err()
        .to_string()
        .contains("inte behörig"));
    assert!(matches!(
        trainers::assign(&db, &who(), SessionId(b), PersonId(t[1])).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        trainers::qualified_for(&db, CourseId(c))
            .await
            .unwrap()
            .len(),
        1
    );
});

both_engines!(
    the_trainers_qualified_for_a_course_are_read_active_and_whole,
    |db: Db| async move {
        let c = course(&db, "Sårvård").await;
        let other = course(&db, "HLR").await;
        let t = people(&db, "Örebro", 3, "Ledare").await;
        let orebro = MunicipalityId(muni(&db, "Örebro").await);
        for (p, active, courses) in [
            (t[0], true, vec![c, other]),
            (t[1], false, vec![c]),
            (t[2], true, vec![other]),
        ] {
            trainers::upsert(&db, &who(), PersonId(p), orebro, active)
                .await
                .unwrap();
            trainers::set_courses(&db, &who(), PersonId(p), &courses)
                .await
                .unwrap();
        }
        let q = trainers::qualified_for(&db, CourseId(c)).await.unwrap();
        assert_eq!(q.len(), 1, "the inactive and the unqualified are left out");
        assert_eq!(q[0].person_id, t[0]);
        assert_eq!(q[0].courses.len(), 2, "with all of their courses");
        assert_eq!(trainers::active_count(&db).await.unwrap(), 2);
        // The same trainer as the whole pool describes them.
        let all = trainers::list(&db).await.unwrap();
        let same = all.iter().find(|x| x.person_id == t[0]).unwrap();
        assert_eq!(same.courses, q[0].courses);
    }
);

both_engines!(same_request_twice_at_once_books_once, |db: Db| async move {
    let c = course(&db, "HLR").await;
    let s = session(&db, &input(c, now() + 10 * DAY, 3, 10)).await;
    let p = people(&db, "Örebro", 1, "Dup").await;
    let mut handles = vec![];
    for _ in 0..8 {
        let db = db.clone();
        let r = req(s, p[0]);
        handles.push(tokio::spawn(async move { bookings::book(&db, &r).await }));
    }
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(
                conflict_message(e),
                domain::booking::Refusal::AlreadyBooked.message()
            ),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bookings").await, 1);
    // The database itself refuses a second live booking.
    let dup = sqlx::query(
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, 'waitlisted', 0, 0)",
    )
    .bind(s)
    .bind(p[0])
    .execute(db.writer())
    .await;
    assert!(dup.is_err());
});

/// Rule 1 under load: 520 simultaneous requests (distinct people, three
/// municipalities with quotas and one without) at a 50-seat session.
async fn concurrency_check(db: Db, via_queue: bool) {
    let c = course(&db, "HLR").await;
    let mut i = input(c, now() + 30 * DAY, 3, 50);
    i.quotas = vec![
        ("Örebro".into(), 10, rfc(now() + 10 * DAY)),
        ("Karlskoga".into(), 8, rfc(now() + 10 * DAY)),
        ("Lindesberg".into(), 6, rfc(now() + 10 * DAY)),
    ];
    let s = session(&db, &i).await;
    let mut all = vec![];
    for (m, n) in [
        ("Örebro", 160),
        ("Karlskoga", 130),
        ("Lindesberg", 110),
        ("Kumla", 120),
    ] {
        all.extend(people(&db, m, n, &format!("Last{m}")).await);
    }
    assert_eq!(all.len(), 520);
    let queue = via_queue.then(|| bookings::Queue::start(db.clone()));
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(all.len()));
    let mut handles = vec![];
    for pid in all.clone() {
        let db = db.clone();
        let q = queue.clone();
        let b = barrier.clone();
        handles.push(tokio::spawn(async move {
            b.wait().await;
            match q {
                Some(q) => q.book(req(s, pid)).await,
                None => bookings::book(&db, &req(s, pid)).await,
            }
        }));
    }
    let mut booked = 0;
    let mut waiting = 0;
    for h in handles {
        match h.await.unwrap().unwrap().status {
            BookingStatus::Booked => booked += 1,
            BookingStatus::Waitlisted => waiting += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((booked, waiting), (50, 470));

    let rows = bookings::for_session(&db, SessionId(s)).await.unwrap();
    assert_eq!(
        rows.iter()
            .filter(|b| b.status == domain::booking::BookingStatus::Booked)
            .count(),
        50
    );
    let ore = muni(&db, "Örebro").await;
    let kga = muni(&db, "Karlskoga").await;
    let lin = muni(&db, "Lindesberg").await;
    let in_quota = |m: i64| {
        rows.iter()
            .filter(|b| {
                b.status == domain::booking::BookingStatus::Booked
                    && b.quota_municipality_id == Some(m)
            })
            .count()
    };
    assert_eq!(
        (in_quota(ore), in_quota(kga), in_quota(lin)),
        (10, 8, 6),
        "quotas filled, never exceeded"
    );
    // Kumla had only the 26 unreserved seats to compete for.
    let kumla = muni(&db, "Kumla").await;
    let kumla_booked = rows
        .iter()
        .filter(|b| {
            b.status == domain::booking::BookingStatus::Booked && b.person_municipality_id == kumla
        })
        .count();
    assert!(kumla_booked <= 26);
    // Waiting list: positions 1..=470, in decision order (booking id order).
    let mut w: Vec<_> = rows
        .iter()
        .filter(|b| b.status == domain::booking::BookingStatus::Waitlisted)
        .collect();
    assert_eq!(w.len(), 470);
    w.sort_by_key(|b| b.waitlist_seq);
    assert!(w
        .windows(2)
        .all(|x| x[0].waitlist_seq < x[1].waitlist_seq && x[0].id < x[1].id));
    assert_eq!(
        w.iter()
            .map(|b| b.waitlist_position.unwrap())
            .collect::<Vec<_>>(),
        (1..=470).collect::<Vec<_>>()
    );
    // Nobody waits while a seat they could use was free when they asked:
    // every general seat went before the first person was put on the list,
    // and every quota seat before the first of that municipality waited.
    let first_wait = w.iter().map(|b| b.id).min().unwrap();
    assert!(rows
        .iter()
        .filter(|b| b.status == domain::booking::BookingStatus::Booked
            && b.quota_municipality_id.is_none())
        .all(|b| b.id < first_wait));
    for m in [ore, kga, lin] {
        let first_wait_m = w
            .iter()
            .filter(|b| b.person_municipality_id == m)
            .map(|b| b.id)
            .min()
            .unwrap();
        assert!(rows
            .iter()
            .filter(|b| b.quota_municipality_id == Some(m))
            .all(|b| b.id < first_wait_m));
    }
    let v = sessions::get(&db, SessionId(s)).await.unwrap();
    assert_eq!((v.booked, v.waitlisted, v.free_total), (50, 470, 0));

    // Cancel five general seats: exactly five promoted, the first five waiting.
    let general: Vec<i64> = rows
        .iter()
        .filter(|b| {
            b.status == domain::booking::BookingStatus::Booked && b.quota_municipality_id.is_none()
        })
        .take(5)
        .map(|b| b.id)
        .collect();
    let mut promoted = vec![];
    for id in general {
        promoted.extend(
            bookings::cancel(&db, &who(), BookingId(id), None)
                .await
                .unwrap()
                .promoted,
        );
    }
    assert_eq!(promoted, w[..5].iter().map(|b| b.id).collect::<Vec<_>>());
    let v = sessions::get(&db, SessionId(s)).await.unwrap();
    assert_eq!((v.booked, v.waitlisted), (50, 465));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'promoted'").await,
        5
    );
    let per_kind: HashMap<String, i64> =
        sqlx::query("SELECT kind, COUNT(*) FROM outbox GROUP BY kind")
            .fetch_all(db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    assert_eq!(per_kind["booking_confirmed"], 50);
    assert_eq!(per_kind["waitlisted"], 470);
}

both_engines!(five_hundred_simultaneous_requests, |db: Db| async move {
    concurrency_check(db, false).await;
});

both_engines!(
    five_hundred_simultaneous_requests_group_commit,
    |db: Db| async move {
        concurrency_check(db, true).await;
    }
);

both_engines!(bulk_booking_reports_each_person, |db: Db| async move {
    let c = course(&db, "Bemötande").await;
    let s = session(&db, &input(c, now() + 10 * DAY, 3, 3)).await;
    let p = people(&db, "Hällefors", 4, "B").await;
    let mut reqs: Vec<_> = p.iter().map(|x| req(s, *x)).collect();
    reqs.push(req(s, p[0]));
    reqs.push(req(s, 999_999));
    let r = bookings::book_batch(&db, &reqs).await;
    let st: Vec<String> = r
        .iter()
        .map(|x| match x {
            Ok(o) => format!("{}:{:?}", o.status.code(), o.waitlist_position),
            Err(e) => format!("err:{e}"),
        })
        .collect();
    assert_eq!(
        st[..4],
        [
            "booked:None",
            "booked:None",
            "booked:None",
            "waitlisted:Some(1)"
        ]
    );
    assert!(st[4].contains("redan anmäld"));
    assert!(st[5].contains("finns inte"));
});

both_engines!(personal_feed_token_and_calendar, |db: Db| async move {
    let c = course(&db, "HLR").await;
    let s = session(&db, &input(c, now() + 10 * DAY, 3, 3)).await;
    let p = people(&db, "Ljusnarsberg", 1, "F").await;
    bookings::book(&db, &req(s, p[0])).await.unwrap();
    let t = bookings::feed_token(&db, PersonId(p[0])).await.unwrap();
    assert_eq!(
        bookings::feed_token(&db, PersonId(p[0])).await.unwrap(),
        t,
        "stable"
    );
    assert_eq!(
        bookings::person_for_feed(&db, &t).await.unwrap(),
        Some(p[0])
    );
    let t2 = bookings::renew_feed_token(&db, PersonId(p[0]))
        .await
        .unwrap();
    assert_ne!(t, t2);
    assert_eq!(bookings::person_for_feed(&db, &t).await.unwrap(), None);
    let cal = bookings::person_calendar(&db, PersonId(p[0]))
        .await
        .unwrap();
    assert_eq!(cal.len(), 1);
    assert_eq!(cal[0].1.course_title, "HLR");
});

// One transaction deciding requests for two sessions sees its own earlier
// decisions: the same person cannot take overlapping seats in one batch.
// Requests are decided session by session (in id order), each session's in
// the order given. (Retried one by one, as after a failed batch, the answers
// would differ: r[2] would be booked, so this also proves the batch held.)
both_engines!(batch_sees_its_own_decisions, |db: Db| async move {
    let c = course(&db, "Sårvård").await;
    let start = now() + 10 * DAY;
    let s1 = session(&db, &input(c, start, 3, 5)).await;
    let s2 = session(&db, &input(c, start + 3600, 3, 5)).await;
    let p = people(&db, "Nora", 2, "Q").await;
    let reqs = vec![req(s1, p[0]), req(s2, p[0]), req(s2, p[1]), req(s1, p[1])];
    let r = bookings::book_batch(&db, &reqs).await;
    assert_eq!(r[0].as_ref().unwrap().status.code(), "booked");
    assert_eq!(r[3].as_ref().unwrap().status.code(), "booked");
    for e in [&r[1], &r[2]] {
        let e = e.as_ref().unwrap_err().to_string();
        assert!(e.contains("överlappar"), "{e}");
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM bookings").await,
        2,
        "only the two accepted rows"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, 2);
});

// A trainer falls ill: their sessions show up as needing cover, with the
// qualified, free trainers (local first) who could step in; stepping in
// swaps the trainers in one go and invites the new one; an absent trainer
// cannot be assigned; removing the absence clears the need.
both_engines!(sick_trainer_is_covered, |db: Db| async move {
    let c = course(&db, "KlinSim-handledning").await;
    let t = people(&db, "Örebro", 3, "Tränare").await;
    let ore = muni(&db, "Örebro").await;
    let kga = muni(&db, "Karlskoga").await;
    for (p, home) in [(t[0], ore), (t[1], kga), (t[2], ore)] {
        trainers::upsert(&db, &who(), PersonId(p), MunicipalityId(home), true)
            .await
            .unwrap();
        trainers::set_courses(&db, &who(), PersonId(p), &[c])
            .await
            .unwrap();
    }
    let start = now() + 10 * DAY;
    let mut i = input(c, start, 3, 8);
    i.trainer_person_ids = vec![t[0]];
    let s = session(&db, &i).await;
    // t[2] already leads an overlapping session: not a candidate.
    let mut j = input(c, start + 1800, 3, 8);
    j.venue = "Annan sal".into();
    j.trainer_person_ids = vec![t[2]];
    let other = session(&db, &j).await;
    let mut k = input(c, start + 20 * DAY, 3, 8);
    k.trainer_person_ids = vec![t[0]];
    let later = session(&db, &k).await;
    assert!(cover::needing_cover(&db, now()).await.unwrap().is_empty());

    let day = |ts: i64| navet_store::time::local_date(ts);
    let e = cover::add_absence(&db, &who(), PersonId(t[0]), day(start), day(start - DAY))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    let absence = cover::add_absence(
        &db,
        &who(),
        PersonId(t[0]),
        day(start - DAY),
        day(start + DAY),
    )
    .await
    .unwrap();
    let need = cover::needing_cover(&db, now()).await.unwrap();
    assert_eq!(need.len(), 1, "only the session during the absence");
    assert_eq!(need[0].session_id, s);
    assert!(need[0].assigned[0].absent);
    assert_eq!(need[0].missing, 1);
    let cands: Vec<i64> = need[0].candidates.iter().map(|c| c.person_id).collect();
    assert_eq!(cands, [t[1]], "the busy trainer is left out");
    assert!(!need[0].candidates[0].local);

    // The absent trainer cannot be put on anything in the period.
    let e = trainers::assign(&db, &who(), SessionId(other), PersonId(t[0]))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("frånvarande"), "{e}");

    cover::step_in(&db, &who(), SessionId(s), PersonId(t[1]), Some(t[0]))
        .await
        .unwrap();
    let on: Vec<i64> = sessions::get(&db, SessionId(s))
        .await
        .unwrap()
        .trainers
        .iter()
        .map(|t| t.person_id)
        .collect();
    assert_eq!(on, [t[1]]);
    assert!(cover::needing_cover(&db, now()).await.unwrap().is_empty());
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'trainer_assigned'"
        )
        .await,
        1
    );
    // Stepping in where the trainer is not free is refused, nothing changes.
    let e = cover::step_in(&db, &who(), SessionId(other), PersonId(t[1]), Some(t[2]))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("överlappar"), "{e}");
    assert_eq!(
        sessions::get(&db, SessionId(other)).await.unwrap().trainers[0].person_id,
        t[2]
    );

    // The later session was never affected; the absence can be removed.
    assert_eq!(
        sessions::get(&db, SessionId(later))
            .await
            .unwrap()
            .trainers
            .len(),
        1
    );
    assert_eq!(
        cover::absences_of(&db, PersonId(t[0]), day(now()))
            .await
            .unwrap()
            .len(),
        1
    );
    cover::remove_absence(&db, &who(), PersonId(t[0]), absence)
        .await
        .unwrap();
    assert!(cover::absences_of(&db, PersonId(t[0]), day(now()))
        .await
        .unwrap()
        .is_empty());
});

// The assistant nurse who needs language support finds the courses that
// offer it, on the course or on an upcoming session.
both_engines!(catalogue_filters_on_language_support, |db: Db| async move {
    let with_sva = navet_store::testing::fixtures::course_with(
        &db,
        "Sårvård",
        CourseExtras {
            language_support: "sva".into(),
            ..Default::default()
        },
    )
    .await;
    let interpreted = course(&db, "Bemötande").await;
    let mut i = input(interpreted, now() + 10 * DAY, 3, 8);
    i.language_support = vec!["teckentolk".into()];
    session(&db, &i).await;
    course(&db, "HLR").await;
    let titles = |code: &str| {
        let db = db.clone();
        let code = code.to_string();
        async move {
            let f = catalogue::CatalogueFilter {
                language_support: Some(code),
                bookable_only: true,
                ..Default::default()
            };
            catalogue::search(&db, &f)
                .await
                .unwrap()
                .into_iter()
                .map(|l| l.course.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("sva").await, [with_sva]);
    assert_eq!(titles("teckentolk").await, [interpreted]);
    assert!(titles("anpassat_material").await.is_empty());
    assert_eq!(titles("").await.len(), 3);
});

// Rule 3 under concurrency: one trainer put on ten overlapping sessions at
// once (cover for ten absent colleagues) ends up on exactly one of them.
both_engines!(
    one_trainer_cannot_cover_two_overlapping_sessions_at_once,
    |db: Db| async move {
        let c = course(&db, "KlinSim-handledning").await;
        let ore = muni(&db, "Örebro").await;
        let t = people(&db, "Örebro", 11, "Ledare").await;
        for p in &t {
            trainers::upsert(&db, &who(), PersonId(*p), MunicipalityId(ore), true)
                .await
                .unwrap();
            trainers::set_courses(&db, &who(), PersonId(*p), &[c])
                .await
                .unwrap();
        }
        let start = now() + 10 * DAY;
        let mut sessions_ = vec![];
        for (k, away) in t[1..].iter().enumerate() {
            let mut i = input(c, start + k as i64 * 600, 3, 8);
            i.venue = format!("Sal {k}");
            i.trainer_person_ids = vec![*away];
            sessions_.push((session(&db, &i).await, *away));
        }
        let cover_trainer = t[0];
        let attempts: Vec<_> = sessions_
            .iter()
            .map(|(s, away)| {
                let db = db.clone();
                let (s, away) = (*s, *away);
                tokio::spawn(async move {
                    cover::step_in(
                        &db,
                        &who(),
                        SessionId(s),
                        PersonId(cover_trainer),
                        Some(away),
                    )
                    .await
                })
            })
            .collect();
        let mut results = vec![];
        for a in attempts {
            results.push(a.await.unwrap());
        }
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "exactly one succeeds: {results:?}");
        let on: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM session_trainers WHERE person_id = $1")
                .bind(cover_trainer)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(on, 1);
        // The refused ones kept their original trainer (nothing half-done).
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session_trainers")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(kept, 10);
    }
);

both_engines!(
    person_ref_says_where_a_person_belongs,
    |db: Db| async move {
        let p = navet_store::testing::fixtures::person(&db, "Pia", "Kumla").await;
        let kumla = muni(&db, "Kumla").await;
        assert_eq!(
            bookings::person_ref(&db, PersonId(p)).await.unwrap(),
            Some(domain::access::PersonRef {
                person_id: p,
                unit_id: None,
                municipality_id: kumla,
            })
        );
        assert_eq!(
            bookings::person_ref(&db, PersonId(p + 1000)).await.unwrap(),
            None
        );
    }
);
