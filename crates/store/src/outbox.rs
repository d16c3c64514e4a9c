//! The notice outbox. Notices are written in the same transaction as the
//! change they announce, so none is lost and none is sent for a change that
//! rolled back; a delivery loop sends them afterwards (SMTP or a folder).

use domain::ids::PersonId;
use domain::notices::Notice;
use domain::paging::{window, Seek, Window};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::db::Db;
use crate::error::StoreResult;
use crate::paging;

/// Who a notice goes to and what it concerns.
#[derive(Debug, Clone, Default)]
pub struct Address {
    pub email: String,
    pub person_id: Option<i64>,
    pub session_id: Option<i64>,
    pub booking_id: Option<i64>,
}

/// Queue a notice inside the caller's transaction.
pub async fn enqueue(
    conn: &mut AnyConnection,
    to: &Address,
    n: &Notice,
    now: i64,
) -> StoreResult<()> {
    enqueue_many(conn, &[(to.clone(), n.clone())], now).await
}

/// Queue several notices inside the caller's transaction, in one statement.
pub async fn enqueue_many(
    conn: &mut AnyConnection,
    letters: &[(Address, Notice)],
    now: i64,
) -> StoreResult<()> {
    if letters.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO outbox (created_at, kind, to_email, to_person_id, subject, body, ics, session_id, booking_id) VALUES {}",
        crate::db::values_list(letters.len(), 9)
    );
    let mut q = sqlx::query(&sql);
    for (to, n) in letters {
        q = q
            .bind(now)
            .bind(n.kind.code())
            .bind(&to.email)
            .bind(to.person_id)
            .bind(&n.subject)
            .bind(&n.body)
            .bind(&n.ics)
            .bind(to.session_id)
            .bind(to.booking_id);
    }
    q.execute(conn).await?;
    Ok(())
}

/// Queue a plain-text notice (no calendar part, no session or booking)
/// inside the caller's transaction.
pub async fn enqueue_text(
    conn: &mut AnyConnection,
    kind: &str,
    to_email: &str,
    to_person_id: Option<PersonId>,
    subject: &str,
    body: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (created_at, kind, to_email, to_person_id, subject, body) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crate::time::now())
    .bind(kind)
    .bind(to_email)
    .bind(to_person_id)
    .bind(subject)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Message {
    pub id: i64,
    pub created_at: i64,
    pub kind: String,
    pub to_email: String,
    pub to_person_id: Option<i64>,
    pub subject: String,
    pub body: String,
    pub ics: Option<String>,
    pub sent_at: Option<i64>,
    pub attempts: i64,
    pub last_error: String,
    pub session_id: Option<i64>,
    pub booking_id: Option<i64>,
}

impl Message {
    pub fn kind_label(&self) -> &'static str {
        domain::notices::NoticeKind::label_sv(&self.kind)
    }
}

const COLUMNS: &str =
    "id, created_at, kind, to_email, to_person_id, subject, body, ics, sent_at, attempts, last_error, session_id, booking_id";

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the recipient's address.
    pub to: Option<String>,
    pub kind: Option<String>,
    pub person_id: Option<i64>,
    pub session_id: Option<i64>,
    pub unsent_only: bool,
    pub limit: i64,
    pub seek: Seek,
}

/// [`list`] counts matching messages up to one more than this: a total
/// above it means "more than".
pub const COUNT_CAP: i64 = 10_000;

/// One page, newest first, and how many match (at most `COUNT_CAP + 1`).
pub async fn list(db: &Db, f: &Filter) -> StoreResult<(Window<Message>, i64)> {
    let mut conds = vec!["1=1".to_string()];
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if f.to.is_some() {
        conds.push(format!("LOWER(to_email) LIKE {}", next()));
    }
    if f.kind.is_some() {
        conds.push(format!("kind = {}", next()));
    }
    if f.person_id.is_some() {
        conds.push(format!("to_person_id = {}", next()));
    }
    if f.session_id.is_some() {
        conds.push(format!("session_id = {}", next()));
    }
    if f.unsent_only {
        conds.push("sent_at IS NULL".into());
    }
    let w = conds.join(" AND ");
    let limit = f.limit.clamp(1, 1000);
    let (seek, order) = paging::clause(f.seek, "id", limit);
    let page_w = match seek {
        Some(s) => format!("{w} AND {s}"),
        None => w.clone(),
    };
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE {page_w} {order}");
    // Counted up to the cap only: a nation's outbox has millions of rows.
    let count_sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE {w} LIMIT {}) capped",
        COUNT_CAP + 1
    );
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = $q;
            if let Some(t) = &f.to {
                q = q.bind(format!("%{}%", t.trim().to_lowercase()));
            }
            if let Some(k) = &f.kind {
                q = q.bind(k.clone());
            }
            if let Some(p) = f.person_id {
                q = q.bind(p);
            }
            if let Some(s) = f.session_id {
                q = q.bind(s);
            }
            q
        }};
    }
    let rows: Vec<Message> = bind_all!(sqlx::query_as(&sql)).fetch_all(db.pool()).await?;
    let total: i64 = bind_all!(sqlx::query_scalar(&count_sql))
        .fetch_one(db.pool())
        .await?;
    Ok((window(f.seek, rows, limit as usize, |m| m.id), total))
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Message> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(crate::StoreError::NotFound("meddelande"))
}

/// Messages waiting for delivery, oldest first; gives up after `max_attempts`.
pub async fn pending(db: &Db, limit: i64, max_attempts: i64) -> StoreResult<Vec<Message>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE sent_at IS NULL AND attempts < $1 ORDER BY id LIMIT {}",
        limit.clamp(1, 1000)
    ))
    .bind(max_attempts)
    .fetch_all(db.pool())
    .await?)
}

pub async fn mark_sent(db: &Db, id: i64, now: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = '' WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

pub async fn mark_failed(db: &Db, id: i64, error: &str) -> StoreResult<()> {
    sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2")
        .bind(error.chars().take(500).collect::<String>())
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// The notice as an RFC 5322 message with the invitation as a
/// `text/calendar` part (used by the file outbox; SMTP builds its own).
pub fn to_eml(m: &Message, from: &str) -> String {
    let date = crate::time::to_datetime(m.created_at).to_rfc2822();
    let subject = encode_header(&one_line(&m.subject));
    let from = one_line(from);
    let to = one_line(&m.to_email);
    let mut out = format!(
        "From: Navet <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <outbox-{}@navet>\r\nMIME-Version: 1.0\r\n",
        m.id
    );
    let body = m.body.replace('\n', "\r\n");
    match &m.ics {
        None => {
            out.push_str("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
            out.push_str(&body);
            out.push_str("\r\n");
        }
        Some(ics) => {
            let b = format!("navet-{}", m.id);
            let method = ics
                .lines()
                .find_map(|l| l.strip_prefix("METHOD:"))
                .unwrap_or("REQUEST")
                .trim()
                .to_string();
            out.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n"
            ));
            out.push_str(&format!(
                "--{b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
            ));
            out.push_str(&format!(
                "--{b}\r\nContent-Type: text/calendar; charset=utf-8; method={method}\r\nContent-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{ics}\r\n--{b}--\r\n"
            ));
        }
    }
    out
}

/// A header value on one line: line breaks and other control characters
/// become spaces, so no text from the data can start a header of its own
/// (names and titles are checked when entered; this holds whatever the
/// database contains).
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// RFC 2047 encoded-word for non-ASCII header text.
fn encode_header(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut out = String::from("=?utf-8?B?");
    out.push_str(&base64(s.as_bytes()));
    out.push_str("?=");
    out
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        // The chunk padded with zero bytes to three.
        let mut b = [0u8; 3];
        b[..chunk.len()].copy_from_slice(chunk);
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(encode_header("Avbokad: HLR"), "Avbokad: HLR");
        assert_eq!(encode_header("ö"), "=?utf-8?B?w7Y=?=");
    }

    #[test]
    fn eml_carries_the_calendar_part() {
        let m = Message {
            id: 3,
            created_at: 0,
            kind: "booking_confirmed".into(),
            to_email: "a@b.se".into(),
            to_person_id: None,
            subject: "Bokningsbekräftelse".into(),
            body: "Hej\nrad".into(),
            ics: Some("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n".into()),
            sent_at: None,
            attempts: 0,
            last_error: String::new(),
            session_id: None,
            booking_id: None,
        };
        let e = to_eml(&m, "navet@x.se");
        assert!(e.contains("Content-Type: text/calendar; charset=utf-8; method=REQUEST"));
        assert!(e.contains("Hej\r\nrad"));
        assert!(e.contains("Subject: =?utf-8?B?"));
    }

    #[test]
    fn eml_headers_never_carry_a_line_break_from_the_data() {
        let m = Message {
            id: 4,
            created_at: 0,
            kind: "booking_confirmed".into(),
            to_email: "a@b.se\r\nBcc: x@evil.se".into(),
            to_person_id: None,
            subject: "Bokad: HLR\r\nBcc: x@evil.se".into(),
            body: "Hej".into(),
            ics: None,
            sent_at: None,
            attempts: 0,
            last_error: String::new(),
            session_id: None,
            booking_id: None,
        };
        let e = to_eml(&m, "navet@x.se\nBcc: y@evil.se");
        let head = e.split("\r\n\r\n").next().unwrap();
        assert!(
            !head.lines().any(|l| l.starts_with("Bcc")),
            "no injected header: {head}"
        );
        assert!(!head.contains('\n') || head.split("\r\n").all(|l| !l.contains('\n')));
        assert!(head.contains("Subject: Bokad: HLR  Bcc: x@evil.se"));
    }
}
