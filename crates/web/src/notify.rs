//! Delivering the notice outbox (SMTP, or a folder of `.eml` files in demo
//! and tests) and the minute sweep that releases expired reservations.
//!
//! SMTP is configured with `Config::smtp_url` (`NAVET_SMTP_URL`:
//! `smtps://user:pass@host` or `smtp://host:25`, as lettre reads it) and
//! `Config::mail_from`; without it, notices go to the config's outbox
//! folder, and without that they stay in the outbox table (listed on the
//! admin page).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use navet_store::outbox::{self, Message};
use navet_store::{supervise, Db};

use crate::{AppState, Config};

pub enum Transport {
    /// One `.eml` file per notice.
    Folder(PathBuf),
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
}

impl Transport {
    /// From the config; None when notices should stay queued.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Transport>> {
        if let Some(url) = &config.smtp_url {
            if !url.trim().is_empty() {
                let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
                    .map_err(|e| anyhow::anyhow!("NAVET_SMTP_URL: {e}"))?
                    .build();
                return Ok(Some(Transport::Smtp(Box::new(t))));
            }
        }
        Ok(config.outbox_dir.clone().map(Transport::Folder))
    }

    async fn send(&self, m: &Message, from: &str) -> anyhow::Result<()> {
        match self {
            Transport::Folder(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let name = format!("{:08}-{}.eml", m.id, m.kind);
                tokio::fs::write(dir.join(name), outbox::to_eml(m, from)).await?;
                Ok(())
            }
            Transport::Smtp(t) => {
                let email = build_email(m, from)?;
                t.send(email).await?;
                Ok(())
            }
        }
    }
}

fn build_email(m: &Message, from: &str) -> anyhow::Result<lettre::Message> {
    let builder = lettre::Message::builder()
        .from(Mailbox::new(Some("Navet".into()), from.parse()?))
        .to(m.to_email.parse()?)
        .subject(outbox::one_line(&m.subject));
    let text = SinglePart::plain(m.body.clone());
    Ok(match &m.ics {
        None => builder.singlepart(text)?,
        Some(ics) => {
            let method = ics
                .lines()
                .find_map(|l| l.strip_prefix("METHOD:"))
                .unwrap_or("REQUEST")
                .trim()
                .to_string();
            let ct = ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(text)
                    .singlepart(Attachment::new("invite.ics".into()).body(ics.clone(), ct)),
            )?
        }
    })
}

/// Send what is waiting; returns how many went out.
pub async fn deliver_once(db: &Db, t: &Transport) -> anyhow::Result<usize> {
    let mut sent = 0;
    for m in outbox::pending(db, 200, 5).await? {
        match t.send(&m, &db.sender().from_email).await {
            Ok(()) => {
                outbox::mark_sent(db, m.id, navet_store::time::now()).await?;
                sent += 1;
            }
            Err(e) => {
                // The id only: no address in the server log.
                tracing::warn!("notice {} failed: {e}", m.id);
                outbox::mark_failed(db, m.id, &e.to_string()).await?;
            }
        }
    }
    Ok(sent)
}

/// How often the background loops run.
#[derive(Clone, Copy, Debug)]
pub struct Intervals {
    /// Outbox delivery.
    pub delivery: Duration,
    /// Releasing expired reservations and filling freed seats.
    pub sweep: Duration,
}

impl Default for Intervals {
    fn default() -> Self {
        Intervals {
            delivery: Duration::from_secs(2),
            sweep: Duration::from_secs(60),
        }
    }
}

/// Start the delivery loop (every 2 s) and the reservation sweep (every minute).
pub fn start(state: &AppState) -> anyhow::Result<()> {
    start_with(state, Intervals::default())
}

/// The same at other intervals. Both loops are supervised: a panic is
/// logged and the loop starts again (see `navet_store::supervise`).
pub fn start_with(state: &AppState, every: Intervals) -> anyhow::Result<()> {
    if let Some(t) = Transport::from_config(&state.config)? {
        let (db, t) = (state.db.clone(), Arc::new(t));
        supervise::spawn("outbox delivery", move || {
            delivery_loop(db.clone(), t.clone(), every.delivery)
        });
    }
    let db = state.db.clone();
    let public_url = state.config.public_url.clone();
    let retention = state.config.retention;
    supervise::spawn("minute sweep", move || {
        sweep_loop(db.clone(), public_url.clone(), retention, every.sweep)
    });
    Ok(())
}

async fn delivery_loop(db: Db, t: Arc<Transport>, every: Duration) {
    loop {
        navet_store::fault_point!(&db, "outbox.delivery");
        if let Err(e) = deliver_once(&db, &t).await {
            tracing::warn!("outbox delivery: {e}");
        }
        tokio::time::sleep(every).await;
    }
}

async fn sweep_loop(
    db: Db,
    public_url: String,
    retention: domain::retention::Schedule,
    every: Duration,
) {
    let mut last_daily = None;
    loop {
        tokio::time::sleep(every).await;
        navet_store::fault_point!(&db, "sweep");
        match navet_store::bookings::sweep(&db).await {
            Ok(n) if n > 0 => tracing::info!("sweep: {n} promoted from waiting lists"),
            Ok(_) => {}
            Err(e) => tracing::warn!("sweep: {e}"),
        }
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::Stockholm)
            .date_naive();
        if last_daily != Some(today) {
            daily(&db, today, &public_url, &retention).await;
            last_daily = Some(today);
        }
    }
}

/// Once a day: expiry reminders and the manager follow-up surveys that are
/// due (both remember what they sent, so a restart never sends twice), and
/// the retention schedule (docs/privacy.md).
async fn daily(
    db: &Db,
    today: chrono::NaiveDate,
    public_url: &str,
    retention: &domain::retention::Schedule,
) {
    let who = navet_store::audit::Who::system("gallring");
    match navet_store::retention::run(db, retention, &who, navet_store::time::now(), false).await {
        Ok(counts) => {
            let total: u64 = counts.values().sum();
            tracing::info!("daily: retention removed {total} rows");
        }
        Err(e) => tracing::warn!("retention: {e}"),
    }
    match navet_store::completions::queue_reminders(db, today, public_url).await {
        Ok(n) if n > 0 => tracing::info!("daily: {n} expiry reminders queued"),
        Ok(_) => {}
        Err(e) => tracing::warn!("expiry reminders: {e}"),
    }
    // After each month: ask everyone with attended time to confirm it
    // (once; a restart or a second run sends nothing again).
    let last_month = domain::attestation::previous_month(today);
    let asker = navet_store::audit::Who::system("månadsattestering");
    match navet_store::attestation::open_month(db, &asker, last_month, today, public_url).await {
        Ok(n) if n > 0 => tracing::info!("daily: {n} attestation requests queued"),
        Ok(_) => {}
        Err(e) => tracing::warn!("attestation requests: {e}"),
    }
    match navet_store::surveys::send_due(db, today, public_url).await {
        Ok(n) if n > 0 => tracing::info!("daily: {n} follow-up surveys queued"),
        Ok(_) => {}
        Err(e) => tracing::warn!("follow-up surveys: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_has_calendar_part_with_method() {
        let m = Message {
            id: 1,
            created_at: 0,
            kind: "booking_confirmed".into(),
            to_email: "asa@example.se".into(),
            to_person_id: None,
            subject: "Bokningsbekräftelse: HLR".into(),
            body: "Hej".into(),
            ics: Some("BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n".into()),
            sent_at: None,
            attempts: 0,
            last_error: String::new(),
            session_id: None,
            booking_id: None,
        };
        let raw =
            String::from_utf8(build_email(&m, "navet@example.se").unwrap().formatted()).unwrap();
        assert!(
            raw.contains("text/calendar; charset=utf-8; method=CANCEL"),
            "{raw}"
        );
        assert!(raw.contains("To: asa@example.se"));
    }
}
