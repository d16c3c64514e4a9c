//! Reading sessions for pages and the API: a page of sessions with their
//! parts, quotas, seat counts, waiting list and trainers in six queries,
//! however many sessions the page shows (one query per session and fact
//! took seconds for a list of a few hundred at national scale).

use std::collections::HashMap;

use domain::booking::Occupancy;
use domain::sessions::{effective_status, Interval, SessionStatus};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::error::StoreResult;
use crate::session_rows::SessionRow;

const SEAT_STATUSES: &str = "('booked', 'attended', 'absent')";

/// A hold's numbers as the occupancy needs them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HoldCount {
    pub id: i64,
    pub municipality_id: i64,
    pub quota_seats: i64,
    pub general_seats: i64,
    pub named_quota: i64,
    pub named_general: i64,
}

pub(crate) fn add_hold(occ: &mut Occupancy, h: &HoldCount) {
    let q = (h.quota_seats - h.named_quota).max(0);
    let g = (h.general_seats - h.named_general).max(0);
    if q > 0 {
        occ.hold(domain::booking::Pool::Quota(h.municipality_id), q);
    }
    if g > 0 {
        occ.hold(domain::booking::Pool::General, g);
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct QuotaView {
    pub municipality_id: i64,
    pub municipality: String,
    pub seats: i64,
    pub booked: i64,
    pub release_at: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainerRef {
    pub person_id: i64,
    pub name: String,
}

/// A session with everything a page or the API shows about it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    #[serde(flatten)]
    pub row: SessionRow,
    pub parts: Vec<Interval>,
    pub quotas: Vec<QuotaView>,
    pub trainers: Vec<TrainerRef>,
    pub booked: i64,
    pub waitlisted: i64,
    /// Seats open to anyone right now (the general pool).
    pub free_general: i64,
    /// All free seats, quota seats included.
    pub free_total: i64,
    /// Unnamed seats held by reservations and offers.
    pub held: i64,
    /// Status as shown now (planned until registration opens, full …).
    pub effective_status: SessionStatus,
}

impl SessionView {
    pub fn status_label(&self) -> &'static str {
        self.effective_status.label_sv()
    }
    pub fn free_for(&self, municipality_id: i64) -> i64 {
        if self.effective_status.is_final() || self.effective_status == SessionStatus::Started {
            return 0;
        }
        self.free_general
            + self
                .quotas
                .iter()
                .filter(|q| q.active && q.municipality_id == municipality_id)
                .map(|q| (q.seats - q.booked).max(0))
                .sum::<i64>()
    }
    pub fn when_sv(&self) -> String {
        self.parts
            .iter()
            .map(domain::sessions::format_part_sv)
            .collect::<Vec<_>>()
            .join(", ")
    }
    pub fn is_bookable_now(&self, now: i64) -> bool {
        matches!(
            self.effective_status,
            SessionStatus::Open | SessionStatus::Full
        ) && now < self.row.closes_at()
            && now < self.row.starts_at
    }
}

/// The facts of many sessions, read at once, by session id.
#[derive(Default)]
struct Facts {
    parts: HashMap<i64, Vec<Interval>>,
    quotas: HashMap<i64, Vec<domain::sessions::Quota>>,
    occupancy: HashMap<i64, Occupancy>,
    waitlisted: HashMap<i64, i64>,
    trainers: HashMap<i64, Vec<TrainerRef>>,
}

async fn facts(conn: &mut AnyConnection, ids: &[i64], now: i64) -> StoreResult<Facts> {
    let mut f = Facts::default();
    if ids.is_empty() {
        return Ok(f);
    }
    let list = format!("({})", crate::db::id_list(ids));
    for r in sqlx::query(&format!(
        "SELECT session_id, starts_at, ends_at FROM session_parts WHERE session_id IN {list} ORDER BY session_id, starts_at"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        f.parts
            .entry(r.get("session_id"))
            .or_default()
            .push(Interval::new(r.get("starts_at"), r.get("ends_at")));
    }
    for r in sqlx::query(&format!(
        "SELECT session_id, municipality_id, seats, release_at FROM session_quotas WHERE session_id IN {list} ORDER BY session_id, municipality_id"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        f.quotas
            .entry(r.get("session_id"))
            .or_default()
            .push(domain::sessions::Quota {
                municipality_id: r.get("municipality_id"),
                seats: r.get("seats"),
                release_at: r.get("release_at"),
            });
    }
    for r in sqlx::query(&format!(
        "SELECT session_id, quota_municipality_id, COUNT(*) AS n FROM bookings \
         WHERE session_id IN {list} AND status IN {SEAT_STATUSES} GROUP BY session_id, quota_municipality_id"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        let occ = f.occupancy.entry(r.get("session_id")).or_default();
        let n: i64 = r.get("n");
        occ.booked += n;
        if let Some(m) = r.get::<Option<i64>, _>("quota_municipality_id") {
            occ.quota_booked.insert(m, n);
        }
    }
    for r in sqlx::query(&format!(
        "SELECT h.session_id, h.id, h.municipality_id, h.quota_seats, h.general_seats, \
           (SELECT COUNT(*) FROM bookings b WHERE b.hold_id = h.id AND b.quota_municipality_id IS NOT NULL AND b.status IN {SEAT_STATUSES}) AS named_quota, \
           (SELECT COUNT(*) FROM bookings b WHERE b.hold_id = h.id AND b.quota_municipality_id IS NULL AND b.status IN {SEAT_STATUSES}) AS named_general \
         FROM session_holds h WHERE h.session_id IN {list} AND h.released_at IS NULL AND h.expires_at > $1"
    ))
    .bind(now)
    .fetch_all(&mut *conn)
    .await?
    {
        let hold = HoldCount {
            id: r.get("id"),
            municipality_id: r.get("municipality_id"),
            quota_seats: r.get("quota_seats"),
            general_seats: r.get("general_seats"),
            named_quota: r.get("named_quota"),
            named_general: r.get("named_general"),
        };
        add_hold(f.occupancy.entry(r.get("session_id")).or_default(), &hold);
    }
    for r in sqlx::query(&format!(
        "SELECT session_id, COUNT(*) AS waitlisted FROM bookings WHERE session_id IN {list} AND status = 'waitlisted' GROUP BY session_id"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        f.waitlisted.insert(r.get("session_id"), r.get("waitlisted"));
    }
    let mut trainer_rows: Vec<(i64, TrainerRef)> = sqlx::query(&format!(
        "SELECT t.session_id, p.id, p.name FROM session_trainers t JOIN people p ON p.id = t.person_id WHERE t.session_id IN {list}"
    ))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        (
            r.get("session_id"),
            TrainerRef {
                person_id: r.get("id"),
                name: r.get("name"),
            },
        )
    })
    .collect();
    // The same order on both engines, whatever their collation.
    trainer_rows.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| domain::collation::swedish_cmp(&a.1.name, &b.1.name))
    });
    for (sid, t) in trainer_rows {
        f.trainers.entry(sid).or_default().push(t);
    }
    Ok(f)
}

/// Views of `rows`, in their order, with everything a page shows.
pub(crate) async fn views_of(
    conn: &mut AnyConnection,
    rows: Vec<SessionRow>,
    now: i64,
    names: &HashMap<i64, String>,
) -> StoreResult<Vec<SessionView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut out = Vec::with_capacity(ids.len());
    // Bounded IN lists: a list page asks for at most a few thousand.
    let mut all = Facts::default();
    for chunk in ids.chunks(500) {
        let part = facts(conn, chunk, now).await?;
        all.parts.extend(part.parts);
        all.quotas.extend(part.quotas);
        all.occupancy.extend(part.occupancy);
        all.waitlisted.extend(part.waitlisted);
        all.trainers.extend(part.trainers);
    }
    for row in rows {
        out.push(view(&mut all, row, now, names));
    }
    Ok(out)
}

fn view(f: &mut Facts, row: SessionRow, now: i64, names: &HashMap<i64, String>) -> SessionView {
    let id = row.id;
    let mut parts = f.parts.remove(&id).unwrap_or_default();
    if parts.is_empty() {
        parts.push(Interval::new(row.starts_at, row.ends_at));
    }
    let quotas = f.quotas.remove(&id).unwrap_or_default();
    let occ = f.occupancy.remove(&id).unwrap_or_default();
    let facts = row.facts(&quotas);
    let pools = facts.pools(&occ, now);
    let quota_views = quotas
        .iter()
        .map(|q| QuotaView {
            municipality_id: q.municipality_id,
            municipality: names.get(&q.municipality_id).cloned().unwrap_or_default(),
            seats: q.seats,
            booked: occ
                .quota_booked
                .get(&q.municipality_id)
                .copied()
                .unwrap_or(0),
            release_at: q.release_at,
            active: q.is_active(now),
        })
        .collect();
    let held = occ.held_general + occ.held_quota.values().sum::<i64>();
    // A session that has begun (or is over) has no free seats to offer.
    let over = now >= row.starts_at || facts.status.is_final();
    let free = |n: i64| if over { 0 } else { n };
    SessionView {
        effective_status: effective_status(
            facts.status,
            now,
            row.starts_at,
            row.registration_opens_at,
            pools.free_total() > 0,
        ),
        parts,
        quotas: quota_views,
        trainers: f.trainers.remove(&id).unwrap_or_default(),
        booked: occ.booked,
        waitlisted: f.waitlisted.get(&id).copied().unwrap_or(0),
        free_general: free(pools.general_free()),
        free_total: free(pools.free_total()),
        held,
        row,
    }
}
