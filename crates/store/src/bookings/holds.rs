//! Reservations for a unit and offers after a cancelled session ("holds").

use domain::booking::{self as rules, HoldKind, Pool};
use domain::ids::{HoldId, PersonId, SessionId, UnitId};
use serde::Serialize;
use sqlx::{FromRow, Row};

use super::batch::book;
use super::decide::SessionCtx;
use super::{refused, BookRequest, Outcome, Via};
use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::sessions as sess;

/// Reserve `seats` on a session for a unit; people are named later, until
/// `expires_at`, after which unnamed seats go to the waiting list and others.
pub async fn reserve(
    db: &Db,
    who: &Who,
    session_id: SessionId,
    unit_id: UnitId,
    seats: i64,
    expires_at: i64,
) -> StoreResult<i64> {
    let now = crate::time::now();
    if !(1..=500).contains(&seats) {
        return Err(StoreError::invalid(
            "seats",
            "invalid_seats",
            "Ange antal platser (minst 1).",
        ));
    }
    if expires_at <= now {
        return Err(StoreError::invalid(
            "expires_at",
            "deadline_in_past",
            "Sista dag att namnge deltagare måste vara i framtiden.",
        ));
    }
    let unit = crate::org::unit(db, unit_id)
        .await
        .map_err(|_| StoreError::invalid("unit_id", "unknown_unit", "Okänd enhet."))?;
    let mut tx = db.begin().await?;
    let mut ctx = SessionCtx::load(db, &mut tx, session_id.get(), now).await?;
    if expires_at > ctx.row.closes_at() {
        return Err(StoreError::invalid(
            "expires_at",
            "deadline_after_close",
            format!(
                "Sista dag att namnge deltagare får vara senast när anmälan stänger ({}).",
                domain::sessions::format_local(ctx.row.closes_at())
            ),
        ));
    }
    ctx.settle(db, &mut tx, now).await?;
    let (q, g) = rules::decide_hold(&ctx.facts, &ctx.occ, now, unit.municipality_id, seats)
        .map_err(refused)?;
    let id: i64 = sqlx::query(
        "INSERT INTO session_holds (session_id, kind, municipality_id, unit_id, quota_seats, general_seats, expires_at, \
         created_by_account_id, created_at) VALUES ($1, 'reservation', $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(session_id)
    .bind(unit.municipality_id)
    .bind(unit_id)
    .bind(q)
    .bind(g)
    .bind(expires_at)
    .bind(who.account_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    if q > 0 {
        ctx.occ.hold(Pool::Quota(unit.municipality_id), q);
    }
    ctx.occ.hold(Pool::General, g);
    ctx.save_status(&mut tx, now).await?;
    audit::record(
        &mut tx,
        who,
        "reservation.create",
        "session",
        Some(session_id.get()),
        None,
        &format!("{seats} platser för {}", unit.name),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Give up a hold's unnamed seats now (a manager ends a reservation early,
/// or a person declines an offer).
pub async fn release_hold(
    db: &Db,
    who: &Who,
    hold_id: HoldId,
    token: Option<&str>,
) -> StoreResult<Vec<i64>> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let h =
        sqlx::query("SELECT session_id, released_at, token_hash FROM session_holds WHERE id = $1")
            .bind(hold_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("reservation"))?;
    let sid: i64 = h.get("session_id");
    if let Some(t) = token {
        if h.get::<Option<String>, _>("token_hash").as_deref()
            != Some(crate::accounts::hash_secret(t).as_str())
        {
            return Err(StoreError::Forbidden("Länken är ogiltig.".into()));
        }
    }
    let mut ctx = SessionCtx::load(db, &mut tx, sid, now).await?;
    if h.get::<Option<i64>, _>("released_at").is_some() {
        return Err(StoreError::conflict(None, "Reservationen är redan släppt."));
    }
    sqlx::query("UPDATE session_holds SET released_at = $1 WHERE id = $2")
        .bind(now)
        .bind(hold_id)
        .execute(&mut *tx)
        .await?;
    ctx.occ = sess::occupancy(&mut tx, sid, now).await?;
    ctx.holds = sess::active_holds(&mut tx, sid, now).await?;
    let promoted = ctx.settle(db, &mut tx, now).await?;
    ctx.save_status(&mut tx, now).await?;
    audit::record(
        &mut tx,
        who,
        "reservation.release",
        "session",
        Some(sid),
        None,
        &hold_id.to_string(),
    )
    .await?;
    tx.commit().await?;
    Ok(promoted)
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct HoldView {
    pub id: i64,
    pub session_id: i64,
    #[sqlx(try_from = "crate::error::Stored<HoldKind>")]
    pub kind: HoldKind,
    pub municipality_id: i64,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub person_id: Option<i64>,
    pub from_session_id: Option<i64>,
    pub seats: i64,
    pub named: i64,
    pub expires_at: i64,
    pub released_at: Option<i64>,
    pub course_title: String,
    pub session_starts_at: i64,
}

impl HoldView {
    pub fn is_active(&self, now: i64) -> bool {
        self.released_at.is_none() && now < self.expires_at
    }
    pub fn unnamed(&self) -> i64 {
        (self.seats - self.named).max(0)
    }
}

pub(super) const HOLD_SELECT: &str = "SELECT h.id, h.session_id, h.kind, h.municipality_id, h.unit_id, u.name AS unit_name, h.person_id, \
    h.from_session_id, h.quota_seats + h.general_seats AS seats, \
    (SELECT COUNT(*) FROM bookings b WHERE b.hold_id = h.id AND b.status IN ('booked', 'attended', 'absent')) AS named, \
    h.expires_at, h.released_at, c.title AS course_title, s.starts_at AS session_starts_at \
    FROM session_holds h JOIN sessions s ON s.id = h.session_id JOIN courses c ON c.id = s.course_id \
    LEFT JOIN units u ON u.id = h.unit_id";

pub async fn hold(db: &Db, id: HoldId) -> StoreResult<HoldView> {
    sqlx::query_as(&format!("{HOLD_SELECT} WHERE h.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("reservation"))
}

pub async fn holds_for_session(db: &Db, session_id: SessionId) -> StoreResult<Vec<HoldView>> {
    Ok(sqlx::query_as(&format!(
        "{HOLD_SELECT} WHERE h.session_id = $1 ORDER BY h.id"
    ))
    .bind(session_id)
    .fetch_all(db.pool())
    .await?)
}

/// Reservations for any of these units, newest first.
pub async fn holds_for_units(db: &Db, unit_ids: &[i64]) -> StoreResult<Vec<HoldView>> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = unit_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(&format!(
        "{HOLD_SELECT} WHERE h.kind = 'reservation' AND h.unit_id IN ({ids}) ORDER BY h.id DESC"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// Active reservations for any of these units with seats still to be
/// named, the soonest deadline first (at most `limit`).
pub async fn open_reservations_for_units(
    db: &Db,
    unit_ids: &[i64],
    now: i64,
    limit: i64,
) -> StoreResult<Vec<HoldView>> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = unit_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let v: Vec<HoldView> = sqlx::query_as(&format!(
        "{HOLD_SELECT} WHERE h.kind = 'reservation' AND h.unit_id IN ({ids}) AND h.released_at IS NULL \
         AND h.expires_at > $1 \
         AND (SELECT COUNT(*) FROM bookings b WHERE b.hold_id = h.id AND b.status IN ('booked', 'attended', 'absent')) < h.quota_seats + h.general_seats \
         ORDER BY h.expires_at, h.id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(v.into_iter().filter(|h| h.is_active(now)).collect())
}

/// Open offers for a person (after a cancelled session).
pub async fn offers_for_person(db: &Db, person_id: PersonId) -> StoreResult<Vec<HoldView>> {
    let now = crate::time::now();
    let v: Vec<HoldView> = sqlx::query_as(&format!(
        "{HOLD_SELECT} WHERE h.kind = 'offer' AND h.person_id = $1 AND h.released_at IS NULL AND h.expires_at > $2 ORDER BY h.expires_at"
    ))
    .bind(person_id)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(v.into_iter().filter(|h| h.unnamed() > 0).collect())
}

/// Take an offered place. With `token`, the caller holds the e-mailed link.
pub async fn accept_offer(
    db: &Db,
    who: &Who,
    hold_id: HoldId,
    token: Option<&str>,
) -> StoreResult<Outcome> {
    let h = sqlx::query(
        "SELECT session_id, person_id, token_hash, kind FROM session_holds WHERE id = $1",
    )
    .bind(hold_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound("erbjudande"))?;
    if crate::error::code::<HoldKind>(&h, "kind")? != HoldKind::Offer {
        return Err(StoreError::NotFound("erbjudande"));
    }
    if let Some(t) = token {
        if h.get::<Option<String>, _>("token_hash").as_deref()
            != Some(crate::accounts::hash_secret(t).as_str())
        {
            return Err(StoreError::Forbidden("Länken är ogiltig.".into()));
        }
    }
    let person_id: Option<i64> = h.get("person_id");
    book(
        db,
        &BookRequest {
            session_id: h.get("session_id"),
            person_id: person_id.ok_or(StoreError::NotFound("erbjudande"))?,
            who: who.clone(),
            via: Via::Own,
            support_needs: String::new(),
            hold_id: Some(hold_id.get()),
        },
    )
    .await
}
