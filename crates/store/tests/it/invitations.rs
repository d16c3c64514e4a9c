//! Invitations, password resets and what happens when a person leaves, on
//! SQLite and PostgreSQL.

use domain::access::{Role, Scope};
use domain::booking::BookingStatus;
use domain::ids::{AccountId, MunicipalityId, PersonId};
use domain::invitations::{
    LinkState, NotInvitable, ResetRefusal, INVITATION_VALID_SECS, RESET_VALID_SECS,
};
use domain::staff_import::{ExistingStaff, ImportPlan};
use navet_store::audit::{self, Who};
use navet_store::bookings::{self, BookRequest, Via};
use navet_store::invitations::{self, Outcome, Refusal};
use navet_store::password_resets::{self, Refusal as ResetUse};
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures;
use navet_store::{accounts, both_engines, people, Db, Engine, StoreError};

const DAY: i64 = 86_400;

fn who() -> Who {
    Who::system("test")
}

fn no_provider(_: &str) -> Option<String> {
    None
}

fn now() -> i64 {
    navet_store::time::now()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

async fn audit_count(db: &Db, action: &str) -> usize {
    audit::list(
        db,
        &audit::Filter {
            action: Some(action.into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .0
    .rows
    .len()
}

/// The key in the newest message of `kind` to `email` (the part after
/// `marker`), read from the outbox as the person would read their mail.
async fn key_in_mail(db: &Db, kind: &str, email: &str, marker: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE kind = $1 AND to_email = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(kind)
    .bind(email)
    .fetch_one(db.pool())
    .await
    .unwrap();
    let i = body
        .find(marker)
        .unwrap_or_else(|| panic!("no link in {body}"))
        + marker.len();
    body[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

async fn invite_one(db: &Db, person: i64) -> Outcome {
    invitations::invite(db, &who(), &[person], &no_provider)
        .await
        .unwrap()
        .remove(0)
        .outcome
}

async fn mark_left_by_hand(db: &Db, p: i64, active: bool) {
    let before = people::get(db, PersonId(p)).await.unwrap();
    let resolved = people::ResolvedPerson {
        name: before.name.clone(),
        email: before.email.clone(),
        gender: domain::org::Gender::parse(&before.gender).unwrap(),
        employee_no: None,
        role_id: before.role_id,
        municipality_id: before.municipality_id,
        unit_id: before.unit_id,
        language_support: String::new(),
    };
    people::update(db, &who(), PersonId(p), &resolved, active)
        .await
        .unwrap();
}

fn left_plan(before: &people::Person) -> ImportPlan {
    ImportPlan {
        mode: domain::staff_import::Mode::MarkAbsentAsLeft,
        added: vec![],
        changed: vec![],
        left: vec![ExistingStaff {
            person_id: before.id,
            employee_no: None,
            name: before.name.clone(),
            email: before.email.clone(),
            role_id: before.role_id,
            unit_id: before.unit_id,
            gender: domain::org::Gender::parse(&before.gender).unwrap(),
            active: true,
        }],
        unchanged: 0,
        units: before.unit_id.into_iter().collect(),
        absent: 1,
        in_units: 1,
        importer_kept: false,
    }
}

both_engines!(
    an_invitation_link_is_single_use_and_replaced_by_a_new_one,
    |db: Db| async move {
        let p = fixtures::person(&db, "Anna", "Örebro").await;
        assert_eq!(invite_one(&db, p).await, Outcome::Link);
        let first = key_in_mail(&db, "invitation", "anna@test.se", "/inbjudan?t=").await;
        assert_eq!(first.len(), 64);
        // Only the hash is stored.
        assert_eq!(
            count(
                &db,
                &format!("SELECT COUNT(*) FROM invitations WHERE token_hash = '{first}'")
            )
            .await,
            0
        );
        let link = invitations::link(&db, &first, now()).await.unwrap();
        assert_eq!(link.state, LinkState::Valid);
        assert_eq!(link.email, "anna@test.se");

        // Inviting again replaces the link: the first is no longer known.
        assert_eq!(invite_one(&db, p).await, Outcome::Link);
        let second = key_in_mail(&db, "invitation", "anna@test.se", "/inbjudan?t=").await;
        assert_ne!(first, second);
        assert_eq!(
            invitations::link(&db, &first, now()).await.unwrap().state,
            LinkState::Unknown
        );
        assert_eq!(
            invitations::accept(&db, &first, "h1", now()).await.unwrap(),
            Err(Refusal::Link(LinkState::Unknown))
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM accounts").await, 0);

        let account = invitations::accept(&db, &second, "h2", now())
            .await
            .unwrap()
            .expect("accepted");
        let a = accounts::get(&db, AccountId(account)).await.unwrap();
        assert_eq!(a.role(), Role::Participant);
        assert_eq!(a.person_id, Some(p));
        assert_eq!(a.email, "anna@test.se");
        assert_eq!(a.password_hash.as_deref(), Some("h2"));

        // Used once: the second use is refused and changes nothing.
        assert_eq!(
            invitations::accept(&db, &second, "h3", now())
                .await
                .unwrap(),
            Err(Refusal::Link(LinkState::Used))
        );
        assert_eq!(
            accounts::get(&db, AccountId(account))
                .await
                .unwrap()
                .password_hash
                .as_deref(),
            Some("h2")
        );
        // Signing in now: not invitable any more.
        let i = invitations::invitees(&db, &[p]).await.unwrap();
        assert_eq!(i[&p].not_invitable, Some(NotInvitable::HasAccount));
        assert_eq!(audit_count(&db, "invitation.send").await, 2);
        assert_eq!(audit_count(&db, "invitation.accept").await, 1);
        assert_eq!(audit_count(&db, "invitation.refused").await, 2);
    }
);

both_engines!(
    an_invitation_expires_after_seven_days,
    |db: Db| async move {
        let p = fixtures::person(&db, "Berit", "Örebro").await;
        invite_one(&db, p).await;
        let key = key_in_mail(&db, "invitation", "berit@test.se", "/inbjudan?t=").await;
        let at = now() + INVITATION_VALID_SECS + 5;
        assert_eq!(
            invitations::link(&db, &key, at).await.unwrap().state,
            LinkState::Expired
        );
        assert_eq!(
            invitations::accept(&db, &key, "h", at).await.unwrap(),
            Err(Refusal::Link(LinkState::Expired))
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM accounts").await, 0);
        // Within the week it works.
        let at = now() + INVITATION_VALID_SECS - 60;
        assert!(invitations::accept(&db, &key, "h", at)
            .await
            .unwrap()
            .is_ok());
    }
);

both_engines!(
    where_the_municipality_has_a_provider_the_invitation_names_it,
    |db: Db| async move {
        let p = fixtures::person(&db, "Cilla", "Kumla").await;
        let kumla = |m: &str| (m == "Kumla").then(|| "Kumla kommun".to_string());
        let done = invitations::invite(&db, &who(), &[p], &kumla)
            .await
            .unwrap();
        assert_eq!(done[0].outcome, Outcome::Provider("Kumla kommun".into()));
        let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE kind = 'invitation'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert!(body.contains("Logga in med Kumla kommun"), "{body}");
        assert!(!body.contains("?t="), "no password link: {body}");
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM invitations WHERE token_hash IS NULL"
            )
            .await,
            1
        );
    }
);

both_engines!(
    people_who_cannot_be_invited_are_reported_with_why,
    |db: Db| async move {
        let ok = fixtures::person(&db, "Doris", "Örebro").await;
        let left = fixtures::person(&db, "Eva", "Örebro").await;
        mark_left_by_hand(&db, left, false).await;
        let disabled = fixtures::person(&db, "Frida", "Örebro").await;
        let fa = accounts::create(
            &db,
            &who(),
            &accounts::NewAccount {
                email: "frida@test.se".into(),
                display_name: "Frida".into(),
                role: Role::Participant,
                person_id: Some(disabled),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        accounts::set_role_and_scope(
            &db,
            &who(),
            AccountId(fa),
            Role::Participant,
            &Scope::default(),
            false,
        )
        .await
        .unwrap();
        let no_mail = fixtures::person(&db, "Gun", "Örebro").await;
        sqlx::query("UPDATE people SET email = 'raderad-1@navet.invalid' WHERE id = $1")
            .bind(no_mail)
            .execute(db.writer())
            .await
            .unwrap();
        let before = count(&db, "SELECT COUNT(*) FROM outbox").await;
        let done = invitations::invite(
            &db,
            &who(),
            &[no_mail, disabled, left, ok, ok],
            &no_provider,
        )
        .await
        .unwrap();
        let by = |id: i64| {
            done.iter()
                .find(|d| d.person_id == id)
                .unwrap()
                .outcome
                .clone()
        };
        assert_eq!(done.len(), 4, "duplicates are invited once");
        assert_eq!(by(ok), Outcome::Link);
        assert_eq!(by(left), Outcome::NotInvitable(NotInvitable::Left));
        assert_eq!(
            by(disabled),
            Outcome::NotInvitable(NotInvitable::AccountDisabled)
        );
        assert_eq!(by(no_mail), Outcome::NotInvitable(NotInvitable::NoEmail));
        assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, before + 1);
        // An unknown person fails the request: nothing is sent.
        let e = invitations::invite(&db, &who(), &[ok, 999_999], &no_provider).await;
        assert!(matches!(e, Err(StoreError::NotFound(_))), "{e:?}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, before + 1);
    }
);

both_engines!(
    an_account_made_by_hand_is_linked_and_keeps_its_role,
    |db: Db| async move {
        let p = fixtures::person(&db, "Hanna", "Örebro").await;
        let a = accounts::create(
            &db,
            &who(),
            &accounts::NewAccount {
                email: "hanna@test.se".into(),
                display_name: "Hanna".into(),
                role: Role::Manager,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let (cookie, _) = accounts::create_session(&db, AccountId(a)).await.unwrap();
        invite_one(&db, p).await;
        let key = key_in_mail(&db, "invitation", "hanna@test.se", "/inbjudan?t=").await;
        assert_eq!(
            invitations::accept(&db, &key, "h", now()).await.unwrap(),
            Ok(a)
        );
        let got = accounts::get(&db, AccountId(a)).await.unwrap();
        assert_eq!(got.role(), Role::Manager, "never lowered or raised");
        assert_eq!(got.person_id, Some(p));
        assert!(
            accounts::session(&db, &cookie, 3600, 43200)
                .await
                .unwrap()
                .is_none(),
            "other sessions end"
        );
    }
);

async fn account_for(db: &Db, person: i64, email: &str) -> i64 {
    accounts::create(
        db,
        &who(),
        &accounts::NewAccount {
            email: email.into(),
            display_name: email.into(),
            role: Role::Participant,
            password_hash: Some("old".into()),
            person_id: Some(person),
            scope: Scope::default(),
        },
    )
    .await
    .unwrap()
}

both_engines!(
    a_reset_link_is_single_use_and_lasts_an_hour,
    |db: Db| async move {
        let p = fixtures::person(&db, "Ida", "Örebro").await;
        let a = account_for(&db, p, "ida@test.se").await;
        let (cookie, _) = accounts::create_session(&db, AccountId(a)).await.unwrap();
        let token = accounts::create_token(&db, &who(), AccountId(a), "ett")
            .await
            .unwrap();
        assert_eq!(
            password_resets::request(&db, " IDA@test.se ", &no_provider, now())
                .await
                .unwrap(),
            Ok(a)
        );
        let first = key_in_mail(&db, "password_reset", "ida@test.se", "?t=").await;
        // A new request replaces the unused link.
        password_resets::request(&db, "ida@test.se", &no_provider, now())
            .await
            .unwrap()
            .unwrap();
        let key = key_in_mail(&db, "password_reset", "ida@test.se", "?t=").await;
        assert_ne!(first, key);
        assert_eq!(
            password_resets::use_link(&db, &first, "x", now())
                .await
                .unwrap(),
            Err(ResetUse::Link(LinkState::Unknown))
        );
        // After an hour it is refused and changes nothing.
        let late = now() + RESET_VALID_SECS;
        assert_eq!(
            password_resets::use_link(&db, &key, "x", late)
                .await
                .unwrap(),
            Err(ResetUse::Link(LinkState::Expired))
        );
        assert_eq!(
            accounts::get(&db, AccountId(a))
                .await
                .unwrap()
                .password_hash
                .as_deref(),
            Some("old")
        );
        assert!(accounts::session(&db, &cookie, 3600, 43200)
            .await
            .unwrap()
            .is_some());
        // In time: the password is set and every session ends.
        assert_eq!(
            password_resets::use_link(&db, &key, "new", now() + RESET_VALID_SECS - 60)
                .await
                .unwrap(),
            Ok(a)
        );
        assert_eq!(
            accounts::get(&db, AccountId(a))
                .await
                .unwrap()
                .password_hash
                .as_deref(),
            Some("new")
        );
        assert!(accounts::session(&db, &cookie, 3600, 43200)
            .await
            .unwrap()
            .is_none());
        assert!(
            accounts::authenticate_token(&db, &token)
                .await
                .unwrap()
                .is_some(),
            "API tokens are managed on their own page and stay"
        );
        // Used once.
        assert_eq!(
            password_resets::use_link(&db, &key, "again", now())
                .await
                .unwrap(),
            Err(ResetUse::Link(LinkState::Used))
        );
        assert_eq!(audit_count(&db, "password_reset.request").await, 2);
        assert_eq!(audit_count(&db, "password_reset.use").await, 1);
        assert_eq!(audit_count(&db, "password_reset.refused").await, 3);
    }
);

both_engines!(no_reset_for_unknown_disabled_or_left, |db: Db| async move {
    assert_eq!(
        password_resets::request(&db, "okand@test.se", &no_provider, now())
            .await
            .unwrap(),
        Err(ResetRefusal::UnknownAddress)
    );
    let p = fixtures::person(&db, "Jenny", "Örebro").await;
    let a = account_for(&db, p, "jenny@test.se").await;
    // A link asked for while the account was fine cannot be used once
    // it is disabled.
    password_resets::request(&db, "jenny@test.se", &no_provider, now())
        .await
        .unwrap()
        .unwrap();
    let key = key_in_mail(&db, "password_reset", "jenny@test.se", "?t=").await;
    accounts::set_role_and_scope(
        &db,
        &who(),
        AccountId(a),
        Role::Participant,
        &Scope::default(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        password_resets::use_link(&db, &key, "new", now())
            .await
            .unwrap(),
        Err(ResetUse::Account(ResetRefusal::AccountDisabled))
    );
    assert_eq!(
        accounts::get(&db, AccountId(a))
            .await
            .unwrap()
            .password_hash
            .as_deref(),
        Some("old")
    );
    assert_eq!(
        password_resets::request(&db, "jenny@test.se", &no_provider, now())
            .await
            .unwrap(),
        Err(ResetRefusal::AccountDisabled)
    );
    let q = fixtures::person(&db, "Karin", "Örebro").await;
    account_for(&db, q, "karin@test.se").await;
    mark_left_by_hand(&db, q, false).await;
    assert_eq!(
        password_resets::request(&db, "karin@test.se", &no_provider, now())
            .await
            .unwrap(),
        Err(ResetRefusal::PersonLeft)
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'"
        )
        .await,
        1,
        "only the one link asked for before the account was disabled"
    );
    // The refusals are logged with the account, never the address.
    let (log, _) = audit::list(
        &db,
        &audit::Filter {
            action: Some("password_reset.refused".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let log = log.rows;
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|e| !e.detail.contains('@')));
});

// Leaving -------------------------------------------------------------------------

fn rfc(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap()
        .to_rfc3339()
}

/// A session of `capacity` seats in Örebro starting `days` from now.
async fn session(db: &Db, course: i64, days: i64, capacity: i64) -> i64 {
    let start = now() + days * DAY;
    let i = SessionInput {
        course_id: course,
        parts: vec![(rfc(start), rfc(start + 3 * 3600))],
        municipality: "Örebro".into(),
        venue: "Simuleringscentrum".into(),
        capacity,
        ..Default::default()
    };
    let s = sessions::resolve(db, &i, now()).await.unwrap();
    sessions::create(db, &who(), &s).await.unwrap()
}

async fn book(db: &Db, session: i64, person: i64) -> (i64, BookingStatus) {
    let o = bookings::book(
        db,
        &BookRequest {
            session_id: session,
            person_id: person,
            who: who(),
            via: Via::Coordinator,
            support_needs: String::new(),
            hold_id: None,
        },
    )
    .await
    .unwrap();
    (o.booking_id, o.status)
}

async fn status(db: &Db, booking: i64) -> String {
    sqlx::query_scalar("SELECT status FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// A person with an account and a token, booked on a full future session
/// with someone waiting, waiting on another, and with a past attended
/// booking. Returns (person, account, token, [future seat, future wait,
/// past], the waiting person's booking).
async fn leaver(db: &Db) -> (i64, i64, String, [i64; 3], i64) {
    let c = fixtures::course(db, "HLR").await;
    let leaver = fixtures::person(db, "Lisa", "Örebro").await;
    let waiting = fixtures::person(db, "Maja", "Örebro").await;
    let other = fixtures::person(db, "Nils", "Örebro").await;
    let a = account_for(db, leaver, "lisa@test.se").await;
    let token = accounts::create_token(db, &who(), AccountId(a), "ett")
        .await
        .unwrap();
    let full = session(db, c, 10, 1).await;
    let (seat, s1) = book(db, full, leaver).await;
    let (wait_other, s2) = book(db, full, waiting).await;
    assert_eq!((s1, s2), (BookingStatus::Booked, BookingStatus::Waitlisted));
    let later = session(db, c, 20, 1).await;
    book(db, later, other).await;
    let (wait, s3) = book(db, later, leaver).await;
    assert_eq!(s3, BookingStatus::Waitlisted);
    // A past session the leaver attended (moved into the past by hand).
    let past = session(db, c, 30, 5).await;
    let (old, _) = book(db, past, leaver).await;
    let then = now() - 30 * DAY;
    sqlx::query("UPDATE sessions SET starts_at = $1, ends_at = $2, status = 'held' WHERE id = $3")
        .bind(then)
        .bind(then + 3 * 3600)
        .bind(past)
        .execute(db.writer())
        .await
        .unwrap();
    sqlx::query("UPDATE session_parts SET starts_at = $1, ends_at = $2 WHERE session_id = $3")
        .bind(then)
        .bind(then + 3 * 3600)
        .bind(past)
        .execute(db.writer())
        .await
        .unwrap();
    sqlx::query("UPDATE bookings SET status = 'attended' WHERE id = $1")
        .bind(old)
        .execute(db.writer())
        .await
        .unwrap();
    (leaver, a, token, [seat, wait, old], wait_other)
}

async fn assert_left(db: &Db, account: i64, token: &str, b: [i64; 3], promoted: i64) {
    assert!(accounts::authenticate_token(db, token)
        .await
        .unwrap()
        .is_none());
    assert!(!accounts::get(db, AccountId(account))
        .await
        .unwrap()
        .may_sign_in());
    assert_eq!(status(db, b[0]).await, "cancelled");
    assert_eq!(status(db, b[1]).await, "cancelled");
    assert_eq!(status(db, b[2]).await, "attended", "the past stays");
    assert_eq!(
        status(db, promoted).await,
        "booked",
        "the waiting list moved up"
    );
    assert_eq!(
        count(
            db,
            &format!(
                "SELECT COUNT(*) FROM outbox WHERE kind = 'promoted' AND booking_id = {promoted}"
            )
        )
        .await,
        1,
        "the promoted person is told"
    );
    assert_eq!(audit_count(db, "account.disable").await, 1);
    assert_eq!(audit_count(db, "booking.cancel").await, 2);
    assert!(matches!(
        audit::verify(db).await.unwrap(),
        audit::Verdict::Intact { .. }
    ));
}

both_engines!(
    leaving_by_hand_releases_future_bookings_and_promotes_the_waiting_list,
    |db: Db| async move {
        let (p, a, token, b, promoted) = leaver(&db).await;
        // An account not yet in use can be invited; leaving drops the link.
        sqlx::query("UPDATE accounts SET password_hash = NULL WHERE id = $1")
            .bind(a)
            .execute(db.writer())
            .await
            .unwrap();
        assert_eq!(invite_one(&db, p).await, Outcome::Link);
        mark_left_by_hand(&db, p, false).await;
        assert_left(&db, a, &token, b, promoted).await;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM invitations").await, 0);
        // Back again: the account works, the old token does not.
        mark_left_by_hand(&db, p, true).await;
        assert!(accounts::get(&db, AccountId(a))
            .await
            .unwrap()
            .may_sign_in());
        assert!(accounts::authenticate_token(&db, &token)
            .await
            .unwrap()
            .is_none());
        assert_eq!(audit_count(&db, "account.enable").await, 1);
    }
);

both_engines!(
    leaving_by_import_releases_future_bookings_and_promotes_the_waiting_list,
    |db: Db| async move {
        let (p, a, token, b, promoted) = leaver(&db).await;
        let before = people::get(&db, PersonId(p)).await.unwrap();
        navet_store::staff_import::apply_import(
            &db,
            &who(),
            MunicipalityId(before.municipality_id),
            &left_plan(&before),
            "personal.csv",
        )
        .await
        .unwrap();
        assert_left(&db, a, &token, b, promoted).await;
    }
);

/// Make the next promotion notice fail inside the database, as a full disk
/// or a lost connection would.
async fn break_promotion_notices(db: &Db) {
    let sql = match db.engine() {
        Engine::Sqlite => {
            "CREATE TRIGGER test_fail BEFORE INSERT ON outbox WHEN NEW.kind = 'promoted' \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        }
        Engine::Postgres => {
            "CREATE FUNCTION test_fail() RETURNS trigger AS $$ BEGIN \
             IF NEW.kind = 'promoted' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER test_fail BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION test_fail();"
        }
    };
    sqlx::raw_sql(sql).execute(db.writer()).await.unwrap();
}

both_engines!(leaving_is_all_or_nothing, |db: Db| async move {
    let (p, a, token, b, promoted) = leaver(&db).await;
    let (cookie, _) = accounts::create_session(&db, AccountId(a)).await.unwrap();
    let entries = count(&db, "SELECT COUNT(*) FROM audit_log").await;
    break_promotion_notices(&db).await;
    let before = people::get(&db, PersonId(p)).await.unwrap();
    assert!(navet_store::staff_import::apply_import(
        &db,
        &who(),
        MunicipalityId(before.municipality_id),
        &left_plan(&before),
        "personal.csv"
    )
    .await
    .is_err());
    // Nothing happened: still employed, signed in, booked, token working.
    assert_eq!(people::get(&db, PersonId(p)).await.unwrap().active, 1);
    assert!(accounts::session(&db, &cookie, 3600, 43200)
        .await
        .unwrap()
        .is_some());
    assert!(accounts::authenticate_token(&db, &token)
        .await
        .unwrap()
        .is_some());
    assert_eq!(status(&db, b[0]).await, "booked");
    assert_eq!(status(&db, b[1]).await, "waitlisted");
    assert_eq!(status(&db, promoted).await, "waitlisted");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'booking_cancelled'"
        )
        .await,
        0
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, entries);
});

both_engines!(a_reset_link_names_its_account, |db: Db| async move {
    let p = fixtures::person(&db, "Ida", "Örebro").await;
    let a = account_for(&db, p, "ida@test.se").await;
    password_resets::request(&db, "ida@test.se", &no_provider, now())
        .await
        .unwrap()
        .unwrap();
    let key = key_in_mail(&db, "password_reset", "ida@test.se", "?t=").await;
    assert_eq!(
        password_resets::link(&db, &key, now()).await.unwrap(),
        password_resets::Link {
            state: LinkState::Valid,
            account: Some((a, "ida@test.se".into(), "ida@test.se".into())),
        }
    );
    assert_eq!(
        password_resets::link(&db, "other", now()).await.unwrap(),
        password_resets::Link {
            state: LinkState::Unknown,
            account: None,
        }
    );
});
