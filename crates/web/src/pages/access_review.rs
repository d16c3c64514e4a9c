//! Access review (admins, and a municipality's data protection officer for
//! that municipality's people; the rule is `Action::ReviewAccess`): who looked at whose personal data, filtered by
//! the person, the reader, the municipality and a period, a page at a time;
//! accounts that opened unusually many records in a day; CSV export for a
//! municipality's own review.

use crate::rejection::Query;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use navet_store::access_review::{Filter, ReviewEntry, UnusualReading};
use navet_store::org::Municipality;
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/atkomst", get(page))
        .route("/admin/atkomst.csv", get(export))
}

/// The filters as typed in the form (all optional).
#[derive(Deserialize, Default, Clone)]
pub struct ReviewQuery {
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub reader: String,
    #[serde(default)]
    pub kommun: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub reads: Option<String>,
    #[serde(default)]
    pub before: Option<i64>,
}

const PAGE: i64 = 100;
/// At most this many rows in one CSV file.
const CSV_MAX: usize = 100_000;

/// Stockholm midnight starting the date, plus whole days.
fn day(d: &str, add_days: i64) -> Option<i64> {
    navet_store::time::parse_date(d).map(|d| navet_store::time::day_start(d) + add_days * 86_400)
}

/// The store filter, or a Swedish message naming the field.
async fn filter(uc: &UseCase<'_>, c: &Ctx, q: &ReviewQuery) -> Result<Filter, (String, String)> {
    let num = |field: &str, v: &str| -> Result<Option<i64>, (String, String)> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse().map(Some).map_err(|_| {
            (
                field.to_string(),
                c.t("access_review.bad_number").to_string(),
            )
        })
    };
    let date = |field: &str, v: &str, add: i64| -> Result<Option<i64>, (String, String)> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        day(v, add)
            .map(Some)
            .ok_or_else(|| (field.to_string(), c.t("access_review.bad_date").to_string()))
    };
    let reader_account_id = if q.reader.trim().is_empty() {
        None
    } else {
        match uc
            .review_reader(&q.reader)
            .await
            .map_err(|e| ("reader".to_string(), e.to_string()))?
        {
            Some(id) => Some(id),
            None => {
                return Err((
                    "reader".into(),
                    c.t("access_review.no_such_reader").to_string(),
                ))
            }
        }
    };
    Ok(Filter {
        person_id: num("person", &q.person)?,
        reader_account_id,
        municipality_id: num("kommun", &q.kommun)?,
        from: date("from", &q.from, 0)?,
        to: date("to", &q.to, 1)?,
        reads_only: q.reads.is_some(),
    })
}

#[derive(Template)]
#[template(path = "privacy/access_review.html")]
struct ReviewPage {
    c: Ctx,
    q: ReviewQuery,
    municipalities: Vec<Municipality>,
    /// An admin's review of the whole region (else one municipality's).
    whole_region: bool,
    entries: Vec<ReviewEntry>,
    unusual: Vec<UnusualReading>,
    limit: i64,
    next: Option<i64>,
    error_field: String,
    error: String,
}

impl ReviewPage {
    /// The filters as a query string (without the page cursor).
    fn query(&self) -> String {
        let q = &self.q;
        let mut s = format!(
            "person={}&reader={}&kommun={}&from={}&to={}",
            urlencoding::encode(&q.person),
            urlencoding::encode(&q.reader),
            urlencoding::encode(&q.kommun),
            urlencoding::encode(&q.from),
            urlencoding::encode(&q.to)
        );
        if q.reads.is_some() {
            s.push_str("&reads=1");
        }
        s
    }
    fn kommun_selected(&self, id: &i64) -> bool {
        self.q.kommun.trim() == id.to_string()
    }
}

async fn page(State(s): State<AppState>, c: Ctx, Query(q): Query<ReviewQuery>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let municipalities = uc.review_municipalities().await?;
    let whole_region = uc.reviews_whole_region();
    let limit = s.config.unusual_reads_per_day;
    let (entries, unusual, next, error_field, error) = match filter(&uc, &c, &q).await {
        Ok(f) => {
            let p = uc.access_review(f.clone(), q.before, PAGE).await?;
            let unusual = uc.unusual_reading(f, limit).await?;
            (p.entries, unusual, p.next, String::new(), String::new())
        }
        Err((field, message)) => (vec![], vec![], None, field, message),
    };
    render(ReviewPage {
        c,
        q,
        municipalities,
        whole_region,
        entries,
        unusual,
        limit,
        next,
        error_field,
        error,
    })
}

async fn export(State(s): State<AppState>, c: Ctx, Query(q): Query<ReviewQuery>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let f = filter(&uc, &c, &q)
        .await
        .map_err(|(_, m)| AppError::BadRequest(m))?;
    // The export itself is a read of many people's data (logged).
    let bytes = uc.access_review_csv(f, CSV_MAX).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"atkomstgranskning.csv\"".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}
