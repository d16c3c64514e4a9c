//! Changing a scheduled session: times, place, capacity, quotas, trainers,
//! language support and the registration window, in one write transaction
//! that holds the session like every booking does (PostgreSQL: the row
//! locked; SQLite: the single writer), so no booking slips in between the
//! capacity check and the change.
//!
//! Every problem with the change is reported at once (fields, trainers,
//! participants who would overlap, too few seats). When the seats shrink
//! below what is booked the change is refused with the numbers unless the
//! coordinator chose to move the latest bookings to the top of the waiting
//! list (`domain::sessions::edit`). Everyone booked then gets one notice
//! with the calendar event again (same UID, higher SEQUENCE) when the time
//! or the place changed; people moved to the waiting list get a notice and
//! a calendar cancel instead, and a seat freed by a larger capacity goes to
//! the waiting list at once.

use domain::ids::SessionId;
use std::collections::HashSet;

use domain::booking::{Occupancy, Pool};
use domain::notices::{self, Recipient};
use domain::sessions::edit::{
    decide_capacity, must_tell, next_sequence, plan_capacity, top_of_waiting_list, Overflow,
    SeatHolder, Visible,
};
use domain::sessions::{check_trainer, Interval, SessionStatus};
use domain::FieldErrors;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Who};
use crate::bookings::decide::SessionCtx;
use crate::bookings::has_overlap;
use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, Address};
use crate::sessions::{self as sess, SessionInput};

/// What an accepted change did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EditReport {
    /// People told about a new time or place (booked and waiting).
    pub told: usize,
    /// Bookings moved to the top of the waiting list.
    pub moved: Vec<i64>,
    /// Waiting people who got a seat because the capacity grew.
    pub promoted: Vec<i64>,
}

/// Change session `id` to what `input` says (its `course_id` is ignored:
/// a session keeps its course). `known` are errors the caller already found
/// in what was typed (a capacity that is not a number …): nothing is saved
/// then either, but every other problem is still reported with them.
pub async fn edit(
    db: &Db,
    who: &Who,
    id: SessionId,
    input: &SessionInput,
    overflow: Overflow,
    known: FieldErrors,
) -> StoreResult<EditReport> {
    let now = crate::time::now();
    let current = sess::get(db, id).await?;
    let mut input = input.clone();
    input.course_id = current.row.course_id;
    let resolved = sess::resolve_all(db, &input, now, false).await?;
    let mut tx = db.begin().await?;
    let row = sess::row(&mut tx, id.get(), sess::lock_suffix(db)).await?;
    if row.stored_status().is_final() {
        return Err(StoreError::conflict(
            None,
            format!(
                "Ett {} kurstillfälle kan inte ändras.",
                row.stored_status().label_sv()
            ),
        ));
    }
    if now >= row.starts_at {
        return Err(StoreError::conflict(
            None,
            "Kurstillfället har redan börjat och kan inte ändras.",
        ));
    }
    let old_parts = crate::session_rows::parts_or_span(&mut tx, id.get()).await?;
    let mut e = known;
    for x in resolved.errors.0.iter() {
        if e.get(&x.field).is_none() {
            e.push(x.clone());
        }
    }
    let new_parts = if resolved.parts.is_empty() {
        old_parts.clone()
    } else {
        resolved.parts.clone()
    };
    // Trainers already on the session are checked again only when the
    // times change: an absence they have now is the cover page's business
    // (`/bemanning`) and must not block changing, say, the venue.
    let current: Vec<i64> =
        sqlx::query_scalar("SELECT person_id FROM session_trainers WHERE session_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let same_times = !must_tell(
        &Visible {
            parts: old_parts.clone(),
            municipality_id: 0,
            venue: String::new(),
        },
        &Visible {
            parts: new_parts.clone(),
            municipality_id: 0,
            venue: String::new(),
        },
    );
    let to_check: Vec<i64> = input
        .trainer_person_ids
        .iter()
        .copied()
        .filter(|t| !(same_times && current.contains(t)))
        .collect();
    check_trainers(
        db,
        &mut tx,
        id.get(),
        row.course_id,
        &to_check,
        &new_parts,
        &mut e,
    )
    .await?;
    let booked = seat_holders(&mut tx, id.get()).await?;
    if !resolved.parts.is_empty() {
        check_participants(&mut tx, id.get(), &booked, &new_parts, &mut e).await?;
    }
    let mut held = Occupancy::default();
    for h in sess::active_holds(&mut tx, id.get(), now).await? {
        sess::add_hold(&mut held, &h);
    }
    let holders: Vec<SeatHolder> = booked.iter().map(|b| b.holder).collect();
    let plan = if input.capacity >= 1 {
        let plan = plan_capacity(input.capacity, &resolved.quotas, &held, &holders, now);
        match decide_capacity(plan, overflow) {
            Ok(p) => Some(p),
            Err(too_few) => {
                e.add("capacity", "too_few_seats", too_few.message());
                None
            }
        }
    } else {
        None
    };
    let (Some(new), Some(plan), true) = (resolved.session, plan, e.is_empty()) else {
        return Err(StoreError::Invalid(e));
    };
    let c = &new.checked;
    let before_text = row.text(&old_parts);
    let before = Visible {
        parts: old_parts.clone(),
        municipality_id: row.municipality_id,
        venue: row.venue.clone(),
    };
    let after = Visible {
        parts: c.parts.clone(),
        municipality_id: new.municipality_id,
        venue: new.venue.clone(),
    };
    let status = match row.stored_status() {
        _ if c.registration_opens_at.is_some_and(|o| o > now) => SessionStatus::Planned,
        SessionStatus::Planned => SessionStatus::Open,
        s => s,
    };
    sqlx::query(
        "UPDATE sessions SET starts_at = $1, ends_at = $2, municipality_id = $3, venue = $4, capacity = $5, hours = $6, \
         registration_opens_at = $7, registration_closes_at = $8, language_support = $9, status = $10, \
         updated_at = $11, edited_at = $11, edited_by_account_id = $12 WHERE id = $13",
    )
    .bind(c.starts_at)
    .bind(c.ends_at)
    .bind(new.municipality_id)
    .bind(&new.venue)
    .bind(c.capacity)
    .bind(c.hours)
    .bind(c.registration_opens_at)
    .bind(c.registration_closes_at)
    .bind(&new.language_support)
    .bind(status.code())
    .bind(now)
    .bind(who.account_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    replace_parts_and_quotas(&mut tx, id.get(), &c.parts, &c.quotas).await?;
    let added = replace_trainers(&mut tx, id.get(), &input.trainer_person_ids).await?;
    for (bid, pool) in plan.changed_pools(&holders) {
        sqlx::query("UPDATE bookings SET quota_municipality_id = $1 WHERE id = $2")
            .bind(pool.quota_municipality())
            .bind(bid)
            .execute(&mut *tx)
            .await?;
    }
    let mut ctx = SessionCtx::load(db, &mut tx, id.get(), now).await?;
    let sender = db.sender().clone();
    // Over capacity: the latest bookings to the top of the waiting list.
    let lowest: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(waitlist_seq) FROM bookings WHERE session_id = $1 AND status = 'waitlisted'",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let seqs = top_of_waiting_list(lowest, plan.over.len());
    for (i, (bid, wseq)) in plan.over.iter().zip(seqs).enumerate() {
        let b = booked
            .iter()
            .find(|b| b.holder.booking_id == *bid)
            .expect("planned");
        let seq = next_sequence(b.ics_sequence);
        sqlx::query(
            "UPDATE bookings SET status = 'waitlisted', waitlist_seq = $1, quota_municipality_id = NULL, \
             ics_sequence = $2, token_hash = NULL, updated_at = $3 WHERE id = $4",
        )
        .bind(wseq)
        .bind(seq)
        .bind(now)
        .bind(bid)
        .execute(&mut *tx)
        .await?;
        let n =
            notices::moved_to_waiting_list(&ctx.text, &sender, &b.to, *bid, seq, i as i64 + 1, now);
        outbox::enqueue(&mut tx, &b.address(id.get(), *bid), &n, now).await?;
    }
    if !plan.over.is_empty() {
        ctx = SessionCtx::load(db, &mut tx, id.get(), now).await?;
    }
    let promoted = ctx.settle(db, &mut tx, now).await?;
    ctx.save_status(&mut tx, now).await?;
    let mut told = 0;
    if must_tell(&before, &after) {
        let skip: HashSet<i64> = plan.over.iter().chain(&promoted).copied().collect();
        for b in booked
            .iter()
            .filter(|b| !skip.contains(&b.holder.booking_id))
        {
            let bid = b.holder.booking_id;
            let seq = next_sequence(b.ics_sequence);
            sqlx::query("UPDATE bookings SET ics_sequence = $1 WHERE id = $2")
                .bind(seq)
                .bind(bid)
                .execute(&mut *tx)
                .await?;
            let n = notices::session_changed(
                &ctx.text,
                &before_text,
                &sender,
                &b.to,
                bid,
                seq,
                true,
                now,
            );
            outbox::enqueue(&mut tx, &b.address(id.get(), bid), &n, now).await?;
            told += 1;
        }
        for w in waiting(&mut tx, id.get()).await? {
            if skip.contains(&w.holder.booking_id) {
                continue;
            }
            let bid = w.holder.booking_id;
            let n = notices::session_changed(
                &ctx.text,
                &before_text,
                &sender,
                &w.to,
                bid,
                w.ics_sequence,
                false,
                now,
            );
            outbox::enqueue(&mut tx, &w.address(id.get(), bid), &n, now).await?;
            told += 1;
        }
    }
    for t in added {
        let to: Option<(String, String)> =
            sqlx::query("SELECT name, email FROM people WHERE id = $1")
                .bind(t)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| (r.get("name"), r.get("email")));
        if let Some((name, email)) = to {
            let n = notices::trainer_assigned(
                &ctx.text,
                &sender,
                &Recipient {
                    name,
                    email: email.clone(),
                },
                &who.label,
                now,
            );
            let addr = Address {
                email,
                person_id: Some(t),
                session_id: Some(id.get()),
                booking_id: None,
            };
            outbox::enqueue(&mut tx, &addr, &n, now).await?;
        }
    }
    audit::record(
        &mut tx,
        who,
        "session.edit",
        "session",
        Some(id.get()),
        None,
        &format!(
            "{} platser, {} underrättade, {} till väntelistan, {} fick plats",
            c.capacity,
            told,
            plan.over.len(),
            promoted.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(EditReport {
        told,
        moved: plan.over,
        promoted,
    })
}

/// A booking as the change needs it.
struct Booked {
    holder: SeatHolder,
    person_id: i64,
    ics_sequence: i64,
    to: Recipient,
}

impl Booked {
    fn address(&self, session_id: i64, booking_id: i64) -> Address {
        Address {
            email: self.to.email.clone(),
            person_id: Some(self.person_id),
            session_id: Some(session_id),
            booking_id: Some(booking_id),
        }
    }
}

async fn bookings_with(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    order: &str,
) -> StoreResult<Vec<Booked>> {
    let rows = sqlx::query(&format!(
        "SELECT b.id, p.municipality_id, b.quota_municipality_id, b.person_id, b.ics_sequence, p.name, p.email \
         FROM bookings b JOIN people p ON p.id = b.person_id WHERE b.session_id = $1 AND b.status = $2 ORDER BY {order}"
    ))
    .bind(id)
    .bind(status)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Booked {
            holder: SeatHolder {
                booking_id: r.get("id"),
                municipality_id: r.get("municipality_id"),
                pool: match r.get::<Option<i64>, _>("quota_municipality_id") {
                    Some(m) => Pool::Quota(m),
                    None => Pool::General,
                },
            },
            person_id: r.get("person_id"),
            ics_sequence: r.get("ics_sequence"),
            to: Recipient {
                name: r.get("name"),
                email: r.get("email"),
            },
        })
        .collect())
}

/// Booked people in the order they got their seat (earliest first).
async fn seat_holders(conn: &mut AnyConnection, id: i64) -> StoreResult<Vec<Booked>> {
    bookings_with(
        conn,
        id,
        "booked",
        "COALESCE(b.promoted_at, b.booked_at), b.id",
    )
    .await
}

async fn waiting(conn: &mut AnyConnection, id: i64) -> StoreResult<Vec<Booked>> {
    bookings_with(conn, id, "waitlisted", "b.waitlist_seq").await
}

/// Rule 3 for every trainer on the new times: all problems, one message.
async fn check_trainers(
    db: &Db,
    tx: &mut AnyConnection,
    id: i64,
    course_id: i64,
    trainers: &[i64],
    parts: &[Interval],
    e: &mut FieldErrors,
) -> StoreResult<()> {
    let lock = if db.engine() == Engine::Postgres {
        " FOR UPDATE OF t"
    } else {
        ""
    };
    let mut problems = vec![];
    let mut seen = HashSet::new();
    for pid in trainers.iter().filter(|p| seen.insert(**p)) {
        let t = sqlx::query(&format!(
            "SELECT t.active, p.name FROM trainers t JOIN people p ON p.id = t.person_id WHERE t.person_id = $1{lock}"
        ))
        .bind(pid)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(t) = t else {
            problems.push(format!(
                "Person nr {pid} finns inte i utbildningsledarregistret."
            ));
            continue;
        };
        let qualified: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM trainer_courses WHERE person_id = $1 AND course_id = $2",
        )
        .bind(pid)
        .bind(course_id)
        .fetch_one(&mut *tx)
        .await?;
        let others = crate::trainers::trainer_sessions(tx, *pid, id).await?;
        let away = crate::trainers::absence_intervals(tx, *pid).await?;
        if let Err(p) = check_trainer(
            t.get::<i64, _>("active") == 1,
            qualified > 0,
            parts,
            &others,
            &away,
        ) {
            problems.push(p.message(&t.get::<String, _>("name")));
        }
    }
    if !problems.is_empty() {
        e.add("trainers", "trainer_unavailable", problems.join(" "));
    }
    Ok(())
}

/// Rule 3 for participants: nobody booked may end up on two overlapping sessions.
async fn check_participants(
    tx: &mut AnyConnection,
    id: i64,
    booked: &[Booked],
    parts: &[Interval],
    e: &mut FieldErrors,
) -> StoreResult<()> {
    let mut names = vec![];
    for b in booked {
        if has_overlap(tx, b.person_id, id, parts).await? {
            names.push(b.to.name.clone());
        }
    }
    if !names.is_empty() {
        e.add(
            "starts_at",
            "participants_overlap",
            format!(
                "{} bokade har ett annat kurstillfälle som överlappar den nya tiden: {}.",
                names.len(),
                names.join(", ")
            ),
        );
    }
    Ok(())
}

async fn replace_parts_and_quotas(
    tx: &mut AnyConnection,
    id: i64,
    parts: &[Interval],
    quotas: &[domain::sessions::Quota],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM session_parts WHERE session_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for p in parts {
        sqlx::query(
            "INSERT INTO session_parts (session_id, starts_at, ends_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(p.starts_at)
        .bind(p.ends_at)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM session_quotas WHERE session_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for q in quotas {
        sqlx::query("INSERT INTO session_quotas (session_id, municipality_id, seats, release_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(q.municipality_id)
            .bind(q.seats)
            .bind(q.release_at)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// The session's trainers become `wanted` (already checked); returns the new ones.
async fn replace_trainers(
    tx: &mut AnyConnection,
    id: i64,
    wanted: &[i64],
) -> StoreResult<Vec<i64>> {
    let now: Vec<i64> =
        sqlx::query_scalar("SELECT person_id FROM session_trainers WHERE session_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    for gone in now.iter().filter(|p| !wanted.contains(p)) {
        sqlx::query("DELETE FROM session_trainers WHERE session_id = $1 AND person_id = $2")
            .bind(id)
            .bind(gone)
            .execute(&mut *tx)
            .await?;
    }
    let mut added = vec![];
    let mut seen = HashSet::new();
    for p in wanted
        .iter()
        .filter(|p| !now.contains(p) && seen.insert(**p))
    {
        sqlx::query("INSERT INTO session_trainers (session_id, person_id) VALUES ($1, $2)")
            .bind(id)
            .bind(p)
            .execute(&mut *tx)
            .await?;
        added.push(*p);
    }
    Ok(added)
}

/// A trainer as the picker shows them for one session.
#[derive(Debug, Clone, Serialize)]
pub struct TrainerOption {
    pub person_id: i64,
    pub name: String,
    pub home_municipality: String,
    pub assigned: bool,
    /// Why they cannot lead it (not qualified, busy, away), or `None`.
    pub problem: Option<String>,
}

impl TrainerOption {
    pub fn available(&self) -> bool {
        self.problem.is_none()
    }
}

/// Every active trainer for the session's course and times: qualified and
/// free first (those living in the session's municipality before others),
/// then the rest, each marked with the reason (rule 3, `check_trainer`).
pub async fn trainer_options(db: &Db, id: SessionId) -> StoreResult<Vec<TrainerOption>> {
    let v = sess::get(db, id).await?;
    let assigned: Vec<i64> = v.trainers.iter().map(|t| t.person_id).collect();
    let mut conn = db.pool().acquire().await?;
    let mut out = vec![];
    for t in crate::trainers::list(db).await? {
        if !t.active && !assigned.contains(&t.person_id) {
            continue;
        }
        let qualified = t.is_qualified(v.row.course_id);
        // An inactive or unqualified trainer fails before their calendar
        // is looked at: no queries for most of a national pool.
        let (others, away) = if t.active && qualified {
            (
                crate::trainers::trainer_sessions(&mut conn, t.person_id, id.get()).await?,
                crate::trainers::absence_intervals(&mut conn, t.person_id).await?,
            )
        } else {
            (vec![], vec![])
        };
        let problem = check_trainer(t.active, qualified, &v.parts, &others, &away)
            .err()
            .map(|p| p.message(&t.name));
        out.push((t.home_municipality_id == v.row.municipality_id, t, problem));
    }
    out.sort_by(|a, b| {
        (a.2.is_some(), !a.0)
            .cmp(&(b.2.is_some(), !b.0))
            .then_with(|| domain::collation::swedish_cmp(&a.1.name, &b.1.name))
    });
    Ok(out
        .into_iter()
        .map(|(_, t, problem)| TrainerOption {
            assigned: assigned.contains(&t.person_id),
            person_id: t.person_id,
            name: t.name,
            home_municipality: t.home_municipality,
            problem,
        })
        .collect())
}
