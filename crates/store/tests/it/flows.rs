//! Nothing lost by a slip, on SQLite and PostgreSQL: undoing a cancellation
//! (also racing a booking for the same seat), changing a session with
//! notices and calendar SEQUENCE, lowering and raising the capacity, and
//! attendance that cannot be closed before the session is over.

use domain::booking::undo::UndoRefusal;
use domain::booking::BookingStatus;
use domain::ids::{BookingId, MunicipalityId, PersonId, SessionId};
use domain::sessions::edit::Overflow;
use domain::sessions::SessionStatus;
use domain::FieldErrors;
use navet_store::attendance;
use navet_store::audit::Who;
use navet_store::bookings::{self, BookRequest, Via};
use navet_store::session_edit;
use navet_store::sessions::{self, SessionInput};
use navet_store::{both_engines, org, Db, StoreError};
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

async fn people(db: &Db, municipality: &str, n: usize, tag: &str) -> Vec<i64> {
    let m = org::municipality_by_name(db, municipality)
        .await
        .unwrap()
        .unwrap()
        .id;
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
        .bind(format!("{tag}.{i}@flows.test").to_lowercase())
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

fn input(course_id: i64, start: i64, capacity: i64) -> SessionInput {
    SessionInput {
        course_id,
        parts: vec![(rfc(start), rfc(start + 3 * 3600))],
        municipality: "Örebro".into(),
        venue: "Simuleringscentrum".into(),
        capacity,
        ..Default::default()
    }
}

async fn session(db: &Db, capacity: i64) -> (i64, SessionInput) {
    let c = navet_store::testing::fixtures::course(db, "HLR").await;
    let i = input(c, now() + 10 * DAY, capacity);
    let s = sessions::resolve(db, &i, now()).await.unwrap();
    (sessions::create(db, &who(), &s).await.unwrap(), i)
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

async fn book(db: &Db, s: i64, p: i64) -> i64 {
    bookings::book(db, &req(s, p)).await.unwrap().booking_id
}

fn conflict(e: StoreError) -> String {
    match e {
        StoreError::Conflict { message, .. } => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn invalid(e: StoreError) -> FieldErrors {
    match e {
        StoreError::Invalid(f) => f,
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

async fn status(db: &Db, booking: i64) -> String {
    sqlx::query_scalar("SELECT status FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn booked_on(db: &Db, s: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND status = 'booked'")
        .bind(s)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// The last notice of a kind to a booking: (body, ics).
async fn notice(db: &Db, kind: &str, booking: i64) -> (String, Option<String>) {
    let r = sqlx::query(
        "SELECT body, ics FROM outbox WHERE kind = $1 AND booking_id = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(kind)
    .bind(booking)
    .fetch_one(db.pool())
    .await
    .unwrap_or_else(|e| panic!("no {kind} notice for booking {booking}: {e}"));
    (r.get(0), r.get(1))
}

both_engines!(
    undo_within_ten_minutes_gives_the_seat_back,
    |db: Db| async move {
        let (s, _) = session(&db, 2).await;
        let p = people(&db, "Örebro", 1, "Undo").await;
        let b = book(&db, s, p[0]).await;
        let c = bookings::cancel(&db, &who(), BookingId(b), None)
            .await
            .unwrap();
        assert_eq!(c.status, BookingStatus::Cancelled);
        assert!(c.undo_until > now() + 590 && c.undo_until <= now() + 600);
        let r = bookings::undo_cancel(&db, &who(), BookingId(b))
            .await
            .unwrap();
        assert_eq!(r.status, BookingStatus::Booked);
        assert_eq!(status(&db, b).await, "booked");
        // The calendar gets the event again, with a SEQUENCE above the cancel's.
        let (body, ics) = notice(&db, "booking_restored", b).await;
        assert!(body.contains("ångrad"), "{body}");
        let ics = ics.unwrap();
        assert!(ics.contains(&format!("UID:navet-booking-{b}-1@navet")));
        assert!(
            ics.contains("SEQUENCE:2") && ics.contains("METHOD:REQUEST"),
            "{ics}"
        );
        // Undone once, there is nothing to undo.
        let e = bookings::undo_cancel(&db, &who(), BookingId(b))
            .await
            .unwrap_err();
        assert_eq!(conflict(e), UndoRefusal::NotCancelled.message());
        // Eleven minutes after a cancellation it is too late.
        bookings::cancel(&db, &who(), BookingId(b), None)
            .await
            .unwrap();
        sqlx::query("UPDATE bookings SET cancelled_at = cancelled_at - 660 WHERE id = $1")
            .bind(b)
            .execute(db.writer())
            .await
            .unwrap();
        let e = bookings::undo_cancel(&db, &who(), BookingId(b))
            .await
            .unwrap_err();
        assert_eq!(conflict(e), UndoRefusal::TooLate.message());
        assert_eq!(status(&db, b).await, "cancelled");
    }
);

both_engines!(
    undo_is_refused_when_the_waiting_list_took_the_seat,
    |db: Db| async move {
        let (s, _) = session(&db, 1).await;
        let p = people(&db, "Örebro", 2, "Taken").await;
        let a = book(&db, s, p[0]).await;
        let w = book(&db, s, p[1]).await;
        assert_eq!(status(&db, w).await, "waitlisted");
        let c = bookings::cancel(&db, &who(), BookingId(a), None)
            .await
            .unwrap();
        assert_eq!(c.promoted, [w]);
        let e = bookings::undo_cancel(&db, &who(), BookingId(a))
            .await
            .unwrap_err();
        assert_eq!(conflict(e), UndoRefusal::SeatTaken.message());
        assert_eq!(status(&db, a).await, "cancelled");
        assert_eq!(status(&db, w).await, "booked");
        assert_eq!(booked_on(&db, s).await, 1);
    }
);

both_engines!(
    leaving_the_waiting_list_is_undone_to_the_old_place,
    |db: Db| async move {
        let (s, _) = session(&db, 1).await;
        let p = people(&db, "Örebro", 3, "Queue").await;
        book(&db, s, p[0]).await;
        let first = book(&db, s, p[1]).await;
        let second = book(&db, s, p[2]).await;
        bookings::cancel(&db, &who(), BookingId(first), None)
            .await
            .unwrap();
        let r = bookings::undo_cancel(&db, &who(), BookingId(first))
            .await
            .unwrap();
        assert_eq!(r.status, BookingStatus::Waitlisted);
        assert_eq!(
            r.waitlist_position,
            Some(1),
            "back in front of the one behind"
        );
        let list = bookings::for_session(&db, SessionId(s)).await.unwrap();
        let pos = |id: i64| list.iter().find(|b| b.id == id).unwrap().waitlist_position;
        assert_eq!((pos(first), pos(second)), (Some(1), Some(2)));
    }
);

// An undo and a new booking for the one free seat at the same moment:
// exactly one gets it, whichever engine, every time.
both_engines!(undo_racing_a_booking_for_the_seat, |db: Db| async move {
    for round in 0..8 {
        let (s, _) = session(&db, 1).await;
        let p = people(&db, "Örebro", 2, &format!("Race{round}")).await;
        let a = book(&db, s, p[0]).await;
        bookings::cancel(&db, &who(), BookingId(a), None)
            .await
            .unwrap();
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let (db1, b1) = (db.clone(), barrier.clone());
        let undo = tokio::spawn(async move {
            b1.wait().await;
            bookings::undo_cancel(&db1, &who(), BookingId(a)).await
        });
        let (db2, b2) = (db.clone(), barrier.clone());
        let other = p[1];
        let new = tokio::spawn(async move {
            b2.wait().await;
            bookings::book(&db2, &req(s, other)).await
        });
        let undo = undo.await.unwrap();
        let new = new.await.unwrap().unwrap();
        assert_eq!(
            booked_on(&db, s).await,
            1,
            "round {round}: one seat, one booking"
        );
        match undo {
            Ok(r) => {
                assert_eq!(r.status, BookingStatus::Booked);
                assert_eq!(new.status, BookingStatus::Waitlisted, "round {round}");
            }
            Err(e) => {
                assert_eq!(conflict(e), UndoRefusal::SeatTaken.message());
                assert_eq!(new.status, BookingStatus::Booked, "round {round}");
                assert_eq!(status(&db, a).await, "cancelled");
            }
        }
    }
});

fn moved(i: &SessionInput, start: i64, venue: &str) -> SessionInput {
    SessionInput {
        parts: vec![(rfc(start), rfc(start + 2 * 3600))],
        venue: venue.into(),
        ..i.clone()
    }
}

both_engines!(
    a_changed_session_tells_everyone_once_with_a_higher_sequence,
    |db: Db| async move {
        let (s, i) = session(&db, 3).await;
        let p = people(&db, "Örebro", 4, "Edit").await;
        let mut booked = vec![];
        for x in &p[..3] {
            booked.push(book(&db, s, *x).await);
        }
        let waiting = book(&db, s, p[3]).await;
        let before = scalar(&db, "SELECT COUNT(*) FROM outbox").await;
        let start = now() + 12 * DAY;
        let r = session_edit::edit(
            &db,
            &who(),
            SessionId(s),
            &moved(&i, start, "Aulan"),
            Overflow::Refuse,
            FieldErrors::new(),
        )
        .await
        .unwrap();
        assert_eq!(r.told, 4);
        assert!(r.moved.is_empty() && r.promoted.is_empty());
        assert_eq!(
            scalar(&db, "SELECT COUNT(*) FROM outbox").await,
            before + 4,
            "one notice each"
        );
        for b in &booked {
            let (body, ics) = notice(&db, "session_changed", *b).await;
            assert!(
                body.contains("Aulan") && body.contains("Tidigare:"),
                "{body}"
            );
            let ics = ics.expect("an updated calendar event");
            assert!(
                ics.contains(&format!("UID:navet-booking-{b}-1@navet")),
                "{ics}"
            );
            assert!(
                ics.contains("SEQUENCE:1") && ics.contains("METHOD:REQUEST"),
                "{ics}"
            );
            let seq: i64 = sqlx::query_scalar("SELECT ics_sequence FROM bookings WHERE id = $1")
                .bind(b)
                .fetch_one(db.pool())
                .await
                .unwrap();
            assert_eq!(seq, 1);
        }
        let (body, ics) = notice(&db, "session_changed", waiting).await;
        assert!(ics.is_none() && body.contains("väntelistan"));
        let v = sessions::get(&db, SessionId(s)).await.unwrap();
        assert_eq!((v.row.starts_at, v.row.venue.as_str()), (start, "Aulan"));
        assert_eq!(v.parts.len(), 1);
        // A second move raises the SEQUENCE again.
        session_edit::edit(
            &db,
            &who(),
            SessionId(s),
            &moved(&i, start + DAY, "Aulan"),
            Overflow::Refuse,
            FieldErrors::new(),
        )
        .await
        .unwrap();
        let (_, ics) = notice(&db, "session_changed", booked[0]).await;
        assert!(ics.unwrap().contains("SEQUENCE:2"));
        // Seats or the registration window alone are not news for anyone.
        let n = scalar(&db, "SELECT COUNT(*) FROM outbox").await;
        let more = SessionInput {
            capacity: 10,
            ..moved(&i, start + DAY, "Aulan")
        };
        let r = session_edit::edit(
            &db,
            &who(),
            SessionId(s),
            &more,
            Overflow::Refuse,
            FieldErrors::new(),
        )
        .await
        .unwrap();
        // … except the waiting person, who now has a seat.
        assert_eq!((r.told, r.promoted.clone()), (0, vec![waiting]));
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox").await, n + 1);
        assert_eq!(status(&db, waiting).await, "booked");
    }
);

both_engines!(
    lowering_the_capacity_is_refused_with_the_number,
    |db: Db| async move {
        let (s, i) = session(&db, 5).await;
        let p = people(&db, "Örebro", 5, "Low").await;
        for x in &p {
            book(&db, s, *x).await;
        }
        let n = scalar(&db, "SELECT COUNT(*) FROM outbox").await;
        let less = SessionInput {
            capacity: 3,
            venue: "Annan sal".into(),
            ..i.clone()
        };
        let e = invalid(
            session_edit::edit(
                &db,
                &who(),
                SessionId(s),
                &less,
                Overflow::Refuse,
                FieldErrors::new(),
            )
            .await
            .unwrap_err(),
        );
        let msg = e.get("capacity").expect("the capacity field is named");
        assert!(
            msg.starts_with("5 personer är bokade men bara 3 ryms"),
            "{msg}"
        );
        // Nothing changed: not the seats, not the venue, nobody told.
        let v = sessions::get(&db, SessionId(s)).await.unwrap();
        assert_eq!(
            (v.row.capacity, v.row.venue.as_str(), v.booked),
            (5, "Simuleringscentrum", 5)
        );
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM outbox").await, n);
        // Exactly the booked number is fine.
        let same = SessionInput {
            capacity: 5,
            ..i.clone()
        };
        session_edit::edit(
            &db,
            &who(),
            SessionId(s),
            &same,
            Overflow::Refuse,
            FieldErrors::new(),
        )
        .await
        .unwrap();
    }
);

both_engines!(
    lowering_the_capacity_moves_the_latest_to_the_top_of_the_list,
    |db: Db| async move {
        let (s, i) = session(&db, 5).await;
        let p = people(&db, "Örebro", 6, "Move").await;
        let mut ids = vec![];
        for x in &p {
            ids.push(book(&db, s, *x).await);
        }
        let was_waiting = ids[5];
        assert_eq!(status(&db, was_waiting).await, "waitlisted");
        let less = SessionInput {
            capacity: 3,
            ..i.clone()
        };
        let r = session_edit::edit(
            &db,
            &who(),
            SessionId(s),
            &less,
            Overflow::ToWaitingList,
            FieldErrors::new(),
        )
        .await
        .unwrap();
        assert_eq!(r.moved, [ids[3], ids[4]], "the two latest bookings");
        assert!(r.promoted.is_empty());
        assert_eq!(booked_on(&db, s).await, 3);
        let list = bookings::for_session(&db, SessionId(s)).await.unwrap();
        let pos = |id: i64| list.iter().find(|b| b.id == id).unwrap().waitlist_position;
        assert_eq!(
            (pos(ids[3]), pos(ids[4]), pos(was_waiting)),
            (Some(1), Some(2), Some(3))
        );
        let (body, ics) = notice(&db, "moved_to_waitlist", ids[3]).await;
        assert!(body.contains("nummer 1"), "{body}");
        assert!(ics.unwrap().contains("METHOD:CANCEL"));
        assert_eq!(
            sessions::get(&db, SessionId(s))
                .await
                .unwrap()
                .effective_status,
            SessionStatus::Full
        );
        // Raising it again gives the seats back in that order.
        let more = SessionInput {
            capacity: 4,
            ..i.clone()
        };
        let r = session_edit::edit(
            &db,
            &who(),
            SessionId(s),
            &more,
            Overflow::Refuse,
            FieldErrors::new(),
        )
        .await
        .unwrap();
        assert_eq!(r.promoted, [ids[3]]);
    }
);

// Bookings keep arriving while the capacity is lowered: whatever the
// order, no more people are booked than the session has seats.
both_engines!(
    lowering_the_capacity_while_people_book,
    |db: Db| async move {
        let (s, i) = session(&db, 10).await;
        let p = people(&db, "Örebro", 16, "Busy").await;
        for x in &p[..6] {
            book(&db, s, *x).await;
        }
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(11));
        let mut handles = vec![];
        for x in p[6..].iter().copied() {
            let (db, b) = (db.clone(), barrier.clone());
            handles.push(tokio::spawn(async move {
                b.wait().await;
                bookings::book(&db, &req(s, x)).await.map(|_| ())
            }));
        }
        let (db2, b2) = (db.clone(), barrier.clone());
        let less = SessionInput {
            capacity: 4,
            ..i.clone()
        };
        let edit = tokio::spawn(async move {
            b2.wait().await;
            session_edit::edit(
                &db2,
                &who(),
                SessionId(s),
                &less,
                Overflow::ToWaitingList,
                FieldErrors::new(),
            )
            .await
            .map(|_| ())
        });
        for h in handles {
            h.await.unwrap().unwrap();
        }
        edit.await.unwrap().unwrap();
        let cap: i64 = sqlx::query_scalar("SELECT capacity FROM sessions WHERE id = $1")
            .bind(s)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(cap, 4);
        assert_eq!(booked_on(&db, s).await, 4);
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND status = 'waitlisted'",
        )
        .bind(s)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(waiting, 12);
    }
);

both_engines!(
    every_problem_with_a_change_is_reported_at_once,
    |db: Db| async move {
        let (s, i) = session(&db, 5).await;
        let trainer = navet_store::testing::fixtures::person(&db, "Tina Tränare", "Örebro").await;
        sqlx::query("INSERT INTO trainers (person_id, home_municipality_id, active) VALUES ($1, (SELECT municipality_id FROM people WHERE id = $1), 1)")
        .bind(trainer)
        .execute(db.writer())
        .await
        .unwrap();
        let bad = SessionInput {
            capacity: 0,
            municipality: "Atlantis".into(),
            venue: "Sal\u{0007}1".into(),
            trainer_person_ids: vec![trainer],
            ..i.clone()
        };
        let e = invalid(
            session_edit::edit(
                &db,
                &who(),
                SessionId(s),
                &bad,
                Overflow::Refuse,
                FieldErrors::new(),
            )
            .await
            .unwrap_err(),
        );
        for f in ["capacity", "municipality", "venue", "trainers"] {
            assert!(e.get(f).is_some(), "{f} missing from {e}");
        }
        assert!(e.get("trainers").unwrap().contains("inte behörig"), "{e}");
        // Errors found before the store (a capacity that is not a number) come too.
        let mut known = FieldErrors::new();
        known.add(
            "capacity",
            "invalid_capacity",
            "Ange antal platser som ett heltal.",
        );
        let e = invalid(
            session_edit::edit(
                &db,
                &who(),
                SessionId(s),
                &SessionInput {
                    municipality: "Atlantis".into(),
                    ..i.clone()
                },
                Overflow::Refuse,
                known,
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(
            e.get("capacity"),
            Some("Ange antal platser som ett heltal.")
        );
        assert!(e.get("municipality").is_some());
        assert_eq!(
            sessions::get(&db, SessionId(s))
                .await
                .unwrap()
                .row
                .municipality_name,
            "Örebro"
        );
        // The picker marks the unqualified trainer with the reason.
        let opts = session_edit::trainer_options(&db, SessionId(s))
            .await
            .unwrap();
        let t = opts.iter().find(|o| o.person_id == trainer).unwrap();
        assert!(!t.available() && t.problem.as_deref().unwrap().contains("behörig"));
    }
);

both_engines!(
    a_started_session_cannot_be_changed_or_closed_early,
    |db: Db| async move {
        let (s, i) = session(&db, 5).await;
        let p = people(&db, "Örebro", 2, "Start").await;
        let b0 = book(&db, s, p[0]).await;
        book(&db, s, p[1]).await;
        // Not begun: attendance cannot be closed nor marked yet.
        let e = attendance::close(&db, &who(), SessionId(s), "http://x")
            .await
            .unwrap_err();
        assert!(conflict(e).contains("inte hållits"));
        assert!(attendance::mark_all_present(&db, &who(), SessionId(s))
            .await
            .is_err());
        // Begun an hour ago, ends in two: neither open nor with free seats.
        let t = now();
        sqlx::query("UPDATE sessions SET starts_at = $1, ends_at = $2 WHERE id = $3")
            .bind(t - 3600)
            .bind(t + 7200)
            .bind(s)
            .execute(db.writer())
            .await
            .unwrap();
        sqlx::query("UPDATE session_parts SET starts_at = $1, ends_at = $2 WHERE session_id = $3")
            .bind(t - 3600)
            .bind(t + 7200)
            .bind(s)
            .execute(db.writer())
            .await
            .unwrap();
        let v = sessions::get(&db, SessionId(s)).await.unwrap();
        assert_eq!(v.effective_status, SessionStatus::Started);
        assert_eq!((v.free_total, v.free_general, v.free_for(1)), (0, 0, 0));
        let e = session_edit::edit(
            &db,
            &who(),
            SessionId(s),
            &i,
            Overflow::Refuse,
            FieldErrors::new(),
        )
        .await
        .unwrap_err();
        assert!(conflict(e).contains("redan börjat"));
        // Started but not over: closing is still refused.
        let e = attendance::close(&db, &who(), SessionId(s), "http://x")
            .await
            .unwrap_err();
        assert!(conflict(e).contains("inte slutat"));
        // Everyone present at once, one changed, then the preview counts.
        assert_eq!(
            attendance::mark_all_present(&db, &who(), SessionId(s))
                .await
                .unwrap(),
            2
        );
        attendance::mark(&db, &who(), SessionId(s), PersonId(p[1]), false)
            .await
            .unwrap();
        let pre = attendance::close_preview(&db, SessionId(s)).await.unwrap();
        assert_eq!(
            (pre.attended, pre.absent, pre.unmarked, pre.certificates),
            (1, 1, 0, 1)
        );
        assert_eq!(status(&db, b0).await, "attended");
    }
);

both_engines!(
    attendance_starts_with_todays_sessions,
    |db: Db| async move {
        let c = navet_store::testing::fixtures::course(&db, "Förflyttning").await;
        let t = now();
        let mut ids = vec![];
        for start in [t + 20 * DAY, t - 3 * DAY, t + 2 * DAY, t - 200 * DAY] {
            let i = input(c, t + DAY, 5);
            let id = sessions::create(&db, &who(), &sessions::resolve(&db, &i, t).await.unwrap())
                .await
                .unwrap();
            sqlx::query("UPDATE sessions SET starts_at = $1, ends_at = $2 WHERE id = $3")
                .bind(start)
                .bind(start + 3600)
                .bind(id)
                .execute(db.writer())
                .await
                .unwrap();
            ids.push(id);
        }
        // One today, at this very minute's Stockholm day.
        let today = navet_store::time::day_start(navet_store::time::local_date(t)) + 60;
        sqlx::query("UPDATE sessions SET starts_at = $1, ends_at = $2 WHERE id = $3")
            .bind(today)
            .bind(today + 60)
            .bind(ids[3])
            .execute(db.writer())
            .await
            .unwrap();
        let order: Vec<i64> = attendance::sessions_for_trainer(&db, None)
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(order, [ids[3], ids[1], ids[2], ids[0]]);
    }
);

// A trainer who is away does not block changing the venue (the cover page
// deals with the absence), but does block moving the session.
both_engines!(
    an_absent_trainer_blocks_a_new_time_not_a_new_venue,
    |db: Db| async move {
        let c = navet_store::testing::fixtures::course(&db, "HLR").await;
        let t = navet_store::testing::fixtures::person(&db, "Ulla Ledare", "Örebro").await;
        let m = org::municipality_by_name(&db, "Örebro")
            .await
            .unwrap()
            .unwrap()
            .id;
        navet_store::trainers::upsert(&db, &who(), PersonId(t), MunicipalityId(m), true)
            .await
            .unwrap();
        navet_store::trainers::set_courses(&db, &who(), PersonId(t), &[c])
            .await
            .unwrap();
        // 09:00 local time ten days ahead: moving it an hour must stay on the
        // same (absent) day whatever hour the test runs at.
        let start = navet_store::time::day_start(navet_store::time::local_date(now() + 10 * DAY))
            + 9 * 3600;
        let i = SessionInput {
            trainer_person_ids: vec![t],
            ..input(c, start, 5)
        };
        let s = sessions::create(
            &db,
            &who(),
            &sessions::resolve(&db, &i, now()).await.unwrap(),
        )
        .await
        .unwrap();
        let day = navet_store::time::local_date(start);
        navet_store::cover::add_absence(&db, &who(), PersonId(t), day, day)
            .await
            .unwrap();
        let venue = SessionInput {
            venue: "Aulan".into(),
            ..i.clone()
        };
        session_edit::edit(
            &db,
            &who(),
            SessionId(s),
            &venue,
            Overflow::Refuse,
            FieldErrors::new(),
        )
        .await
        .unwrap();
        let later = SessionInput {
            parts: vec![(rfc(start + 3600), rfc(start + 4 * 3600))],
            ..venue.clone()
        };
        let e = invalid(
            session_edit::edit(
                &db,
                &who(),
                SessionId(s),
                &later,
                Overflow::Refuse,
                FieldErrors::new(),
            )
            .await
            .unwrap_err(),
        );
        assert!(e.get("trainers").unwrap().contains("frånvarande"), "{e}");
    }
);
