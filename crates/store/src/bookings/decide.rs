//! A locked session and the decisions made on it in one transaction: seats,
//! the waiting list, and writing the decisions with multi-row inserts.

use std::collections::{BTreeMap, HashSet};

use domain::booking::{
    self as rules, Applicant, BookingStatus, HoldFacts, Occupancy, Placement, SessionFacts,
};
use domain::notices::{self, Recipient, SessionText};
use domain::sessions::{Interval, Quota, SessionStatus};
use domain::waitlist::{plan_promotions, Waiting};
use sqlx::{AnyConnection, Row};

use super::people::{has_overlap, person, ClaimCheck, Known, PersonFacts};
use super::{refused, BookRequest, Outcome, Via};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, Address};
use crate::sessions::{self as sess, HoldCount, SessionRow};

/// Rows per multi-row statement: far below either engine's limit on bound
/// parameters (SQLite 32 766, PostgreSQL 65 535) at 11 per row.
pub(super) const ROWS_PER_STATEMENT: usize = 500;

/// A decision made in memory, not yet written.
pub(super) struct Pending {
    pub(super) person: PersonFacts,
    pub(super) status: BookingStatus,
    pub(super) waitlist_seq: Option<i64>,
    pub(super) quota: Option<i64>,
    /// Place on the waiting list, for the waitlisted.
    pub(super) position: Option<i64>,
}

/// A locked session and what has been decided on it so far in this transaction.
pub(crate) struct SessionCtx {
    pub(crate) row: SessionRow,
    pub(crate) parts: Vec<Interval>,
    pub(crate) facts: SessionFacts,
    pub(crate) occ: Occupancy,
    pub(super) holds: Vec<HoldCount>,
    pub(super) waitlisted: i64,
    pub(super) next_seq: i64,
    pub(crate) text: SessionText,
}

impl SessionCtx {
    pub(crate) async fn load(
        db: &Db,
        tx: &mut AnyConnection,
        session_id: i64,
        now: i64,
    ) -> StoreResult<SessionCtx> {
        let row = sess::row(tx, session_id, sess::lock_suffix(db)).await?;
        let mut parts = sess::parts(tx, session_id).await?;
        if parts.is_empty() {
            parts.push(Interval::new(row.starts_at, row.ends_at));
        }
        let quotas: Vec<Quota> = sess::quotas(tx, session_id).await?;
        let occ = sess::occupancy(tx, session_id, now).await?;
        let holds = sess::active_holds(tx, session_id, now).await?;
        let w = sqlx::query(
            "SELECT COUNT(*) AS waitlisted, MAX(waitlist_seq) AS max_seq FROM bookings WHERE session_id = $1 AND status = 'waitlisted'",
        )
        .bind(session_id)
        .fetch_one(&mut *tx)
        .await?;
        let waitlisted: i64 = w.get("waitlisted");
        let max_seq: Option<i64> = w.get("max_seq");
        // Sequence numbers only grow, also past people who left the list.
        let max_any: Option<i64> =
            sqlx::query_scalar("SELECT MAX(waitlist_seq) FROM bookings WHERE session_id = $1")
                .bind(session_id)
                .fetch_one(&mut *tx)
                .await?;
        let next_seq = max_seq.max(max_any).unwrap_or(0) + 1;
        let facts = row.facts(&quotas);
        let text = row.text(&parts);
        Ok(SessionCtx {
            row,
            parts,
            facts,
            occ,
            holds,
            waitlisted,
            next_seq,
            text,
        })
    }

    /// What the double-funding check needs, when the session's source is
    /// exclusive (otherwise nothing is asked).
    pub(super) fn claim_check(&self) -> Option<ClaimCheck> {
        match self.row.funding_source_id {
            Some(source_id) if self.row.funding_exclusive == 1 => Some(ClaimCheck {
                source_id,
                course_id: self.row.course_id,
            }),
            _ => None,
        }
    }

    pub(super) fn free_total(&self, now: i64) -> i64 {
        self.facts.pools(&self.occ, now).free_total()
    }

    /// Store open/full to match the seats (held and cancelled stay).
    pub(crate) async fn save_status(&self, tx: &mut AnyConnection, now: i64) -> StoreResult<()> {
        let stored = self.facts.status;
        if stored.is_final() {
            return Ok(());
        }
        let want = if self.free_total(now) > 0 {
            if stored == SessionStatus::Planned {
                SessionStatus::Planned
            } else {
                SessionStatus::Open
            }
        } else {
            SessionStatus::Full
        };
        if want != stored {
            sqlx::query("UPDATE sessions SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(want.code())
                .bind(now)
                .bind(self.row.id)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }

    /// Decide one request in memory (seats, quotas and the waiting list as
    /// decided so far in this transaction). The outer error aborts the
    /// transaction; the inner one is the request's own answer. The row is
    /// written by [`SessionCtx::write`] together with the rest of the group.
    pub(super) async fn decide(
        &mut self,
        tx: &mut AnyConnection,
        req: &BookRequest,
        known: Option<&Known>,
        live_here: &mut HashSet<i64>,
        now: i64,
    ) -> StoreResult<StoreResult<Pending>> {
        let Some(k) = known else {
            return Ok(Err(StoreError::invalid(
                "person_id",
                "unknown_person",
                "Personen finns inte.",
            )));
        };
        let p = &k.person;
        if let (false, Some(existing), Some(wanted)) =
            (k.live, k.other_claim, self.row.funding_source_id)
        {
            return Ok(Err(crate::funding_sources::refusal(
                tx,
                wanted,
                existing,
                &self.row.course_title,
            )
            .await?));
        }
        // The span check is coarse; confirm it part by part.
        let overlapping = k.near && has_overlap(tx, p.id, self.row.id, &self.parts).await?;
        let applicant = Applicant {
            municipality_id: p.municipality_id,
            active: p.active == 1,
            already_live: k.live || live_here.contains(&p.id),
            overlapping,
        };
        let (placement, hold_idx) = match req.hold_id {
            None => match rules::decide(&self.facts, &self.occ, now, &applicant) {
                Ok(pl) => (pl, None),
                Err(r) => return Ok(Err(refused(r))),
            },
            Some(hid) => {
                let Some(idx) = self.holds.iter().position(|h| h.id == hid) else {
                    return Ok(Err(StoreError::conflict(
                        Some("hold_id"),
                        "Reservationen finns inte, hör till ett annat tillfälle eller har gått ut.",
                    )));
                };
                let h = self.holds[idx];
                let meta =
                    sqlx::query("SELECT person_id, expires_at FROM session_holds WHERE id = $1")
                        .bind(hid)
                        .fetch_one(&mut *tx)
                        .await?;
                let for_person: Option<i64> = meta.get("person_id");
                if for_person.is_some_and(|x| x != p.id) {
                    return Ok(Err(StoreError::Forbidden(
                        "Platsen är erbjuden en annan person.".into(),
                    )));
                }
                if for_person.is_none() && p.municipality_id != h.municipality_id {
                    return Ok(Err(StoreError::conflict(
                        Some("person_id"),
                        "Personen hör inte till reservationens kommun.",
                    )));
                }
                let facts = HoldFacts {
                    municipality_id: h.municipality_id,
                    quota_seats: h.quota_seats,
                    general_seats: h.general_seats,
                    named_quota: h.named_quota,
                    named_general: h.named_general,
                    expires_at: meta.get("expires_at"),
                };
                match rules::decide_named(&self.facts, &facts, now, &applicant) {
                    Ok(pool) => (Placement::Booked(pool), Some(idx)),
                    Err(r) => return Ok(Err(refused(r))),
                }
            }
        };
        live_here.insert(p.id);
        let pending = match placement {
            Placement::Booked(pool) => {
                if let Some(i) = hold_idx {
                    let h = &mut self.holds[i];
                    if h.named_quota < h.quota_seats {
                        h.named_quota += 1;
                        self.occ
                            .held_quota
                            .entry(h.municipality_id)
                            .and_modify(|n| *n -= 1);
                    } else {
                        h.named_general += 1;
                        self.occ.held_general -= 1;
                    }
                }
                self.occ.take(pool);
                Pending {
                    person: p.clone(),
                    status: BookingStatus::Booked,
                    waitlist_seq: None,
                    quota: pool.quota_municipality(),
                    position: None,
                }
            }
            Placement::Waitlisted => {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.waitlisted += 1;
                Pending {
                    person: p.clone(),
                    status: BookingStatus::Waitlisted,
                    waitlist_seq: Some(seq),
                    quota: None,
                    position: Some(self.waitlisted),
                }
            }
        };
        Ok(Ok(pending))
    }

    /// Write a group's decisions: one multi-row insert for the bookings and
    /// one for their notices. A duplicate (the partial unique index backs
    /// the in-memory check) fails the whole statement, and with it the
    /// batch, which is then retried one request at a time.
    pub(super) async fn write(
        &self,
        db: &Db,
        tx: &mut AnyConnection,
        decided: &[(&BookRequest, Pending)],
        now: i64,
    ) -> StoreResult<Vec<Outcome>> {
        let mut outcomes = Vec::with_capacity(decided.len());
        for chunk in decided.chunks(ROWS_PER_STATEMENT) {
            outcomes.extend(self.write_chunk(db, tx, chunk, now).await?);
        }
        Ok(outcomes)
    }

    pub(super) async fn write_chunk(
        &self,
        db: &Db,
        tx: &mut AnyConnection,
        decided: &[(&BookRequest, Pending)],
        now: i64,
    ) -> StoreResult<Vec<Outcome>> {
        if decided.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "INSERT INTO bookings (session_id, person_id, status, waitlist_seq, quota_municipality_id, support_needs, \
             booked_by_account_id, booked_at, updated_at, hold_id, booked_via) VALUES {} RETURNING id, person_id",
            crate::db::values_list(decided.len(), 11)
        );
        let mut q = sqlx::query(&sql);
        for (req, d) in decided {
            q = q
                .bind(self.row.id)
                .bind(d.person.id)
                .bind(d.status.code())
                .bind(d.waitlist_seq)
                .bind(d.quota)
                .bind(req.support_needs.trim())
                .bind(req.who.account_id)
                .bind(now)
                .bind(now)
                .bind(req.hold_id)
                .bind(req.via.code());
        }
        // RETURNING gives no order guarantee; a person has one row here.
        let ids: BTreeMap<i64, i64> = q
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| (r.get::<i64, _>("person_id"), r.get::<i64, _>("id")))
            .collect();
        let sender = db.sender();
        let mut outcomes = Vec::with_capacity(decided.len());
        let mut letters = Vec::with_capacity(decided.len());
        for (req, d) in decided {
            let booking_id = *ids.get(&d.person.id).ok_or_else(|| {
                StoreError::Other(anyhow::anyhow!(
                    "bokningen för person {} saknas",
                    d.person.id
                ))
            })?;
            let by = (req.via != Via::Own).then_some(req.who.label.as_str());
            let to = Recipient {
                name: d.person.name.clone(),
                email: d.person.email.clone(),
            };
            let notice = match d.position {
                None => notices::booked(&self.text, sender, &to, booking_id, 0, by, now),
                Some(pos) => notices::waitlisted(&self.text, sender, &to, pos, by),
            };
            let addr = Address {
                email: d.person.email.clone(),
                person_id: Some(d.person.id),
                session_id: Some(self.row.id),
                booking_id: Some(booking_id),
            };
            letters.push((addr, notice));
            outcomes.push(Outcome {
                booking_id,
                status: d.status,
                waitlist_position: d.position,
            });
        }
        outbox::enqueue_many(tx, &letters, now).await?;
        Ok(outcomes)
    }

    /// Give every free seat to the first eligible waiting person (rule 2).
    /// Returns the promoted booking ids in order.
    pub(crate) async fn settle(
        &mut self,
        db: &Db,
        tx: &mut AnyConnection,
        now: i64,
    ) -> StoreResult<Vec<i64>> {
        if self.waitlisted == 0
            || self.free_total(now) == 0
            || self.facts.status.is_final()
            || now >= self.row.starts_at
        {
            return Ok(vec![]);
        }
        let rows = sqlx::query(
            "SELECT b.id, b.person_id, p.municipality_id, p.active, p.name, p.email FROM bookings b \
             JOIN people p ON p.id = b.person_id WHERE b.session_id = $1 AND b.status = 'waitlisted' \
             ORDER BY b.waitlist_seq",
        )
        .bind(self.row.id)
        .fetch_all(&mut *tx)
        .await?;
        let mut ineligible: HashSet<i64> = HashSet::new();
        let mut checked: HashSet<i64> = HashSet::new();
        let (plan, occ) = loop {
            let waiting: Vec<Waiting> = rows
                .iter()
                .map(|r| Waiting {
                    booking_id: r.get("id"),
                    municipality_id: r.get("municipality_id"),
                    eligible: r.get::<i64, _>("active") == 1
                        && !ineligible.contains(&r.get::<i64, _>("id")),
                })
                .collect();
            let mut occ = self.occ.clone();
            let plan = plan_promotions(&self.facts, &mut occ, now, &waiting);
            let mut changed = false;
            for (bid, _) in &plan {
                if !checked.insert(*bid) {
                    continue;
                }
                let r = rows
                    .iter()
                    .find(|r| r.get::<i64, _>("id") == *bid)
                    .expect("planned from rows");
                let pid: i64 = r.get("person_id");
                person(db, tx, pid).await?;
                if has_overlap(tx, pid, self.row.id, &self.parts).await? {
                    ineligible.insert(*bid);
                    changed = true;
                }
            }
            if !changed {
                break (plan, occ);
            }
        };
        let sender = db.sender();
        let mut promoted = vec![];
        for (bid, pool) in plan {
            let r = rows
                .iter()
                .find(|r| r.get::<i64, _>("id") == bid)
                .expect("planned from rows");
            let token = crate::accounts::new_secret();
            sqlx::query(
                "UPDATE bookings SET status = 'booked', waitlist_seq = NULL, quota_municipality_id = $1, promoted_at = $2, \
                 token_hash = $3, updated_at = $2 WHERE id = $4",
            )
            .bind(pool.quota_municipality())
            .bind(now)
            .bind(crate::accounts::hash_secret(&token))
            .bind(bid)
            .execute(&mut *tx)
            .await?;
            let to = Recipient {
                name: r.get("name"),
                email: r.get("email"),
            };
            let n = notices::promoted(&self.text, sender, &to, bid, 0, &token, now);
            let addr = Address {
                email: to.email.clone(),
                person_id: Some(r.get("person_id")),
                session_id: Some(self.row.id),
                booking_id: Some(bid),
            };
            outbox::enqueue(tx, &addr, &n, now).await?;
            promoted.push(bid);
        }
        self.waitlisted -= promoted.len() as i64;
        self.occ = occ;
        Ok(promoted)
    }
}
