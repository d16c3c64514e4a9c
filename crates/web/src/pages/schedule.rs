//! The coordinators' schedule: every session as a list or a week or month
//! calendar (server-rendered, links for previous and next), filtered by
//! date range, municipality, course and status.

use crate::rejection::Query;
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate};
use domain::calendar::{self, View};
use domain::sessions::SessionStatus;
use navet_store::catalogue::Course;
use navet_store::org::Municipality;
use navet_store::sessions::{self, SessionView};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/tillfallen", get(schedule))
}

#[derive(Deserialize, Default)]
struct ScheduleQuery {
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    kurs: Option<i64>,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    kommun: Option<i64>,
    /// The list continues after this session (keyset paging).
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    efter: Option<i64>,
    #[serde(default)]
    installda: Option<String>,
    /// From this date (yyyy-mm-dd), in the list.
    #[serde(default)]
    fran: String,
    /// To this date, inclusive, in the list.
    #[serde(default)]
    till: String,
    /// A status code (`planned`, `open`, `full`, `started`, `held`, `cancelled`).
    #[serde(default)]
    status: String,
    /// `lista`, `vecka` or `manad`.
    #[serde(default)]
    vy: String,
    /// The day the calendar shows the week or month of.
    #[serde(default)]
    datum: String,
}

/// One day in the calendar with its sessions.
struct Day {
    label: String,
    in_month: bool,
    today: bool,
    sessions: Vec<SessionView>,
}

struct Week {
    number: u32,
    days: Vec<Day>,
}

#[derive(Template)]
#[template(path = "sessions/list.html")]
struct SchedulePage {
    c: Ctx,
    sessions: Vec<SessionView>,
    courses: Vec<Course>,
    municipalities: Vec<Municipality>,
    kurs: i64,
    kommun: i64,
    include_cancelled: bool,
    fran: String,
    till: String,
    status: String,
    view: View,
    weeks: Vec<Week>,
    title: String,
    prev_href: String,
    next_href: String,
    /// The filters as a query string, without the view and date.
    filter_query: String,
    /// The day the calendar shows the week or month of (empty in the list):
    /// kept by the filter form and when switching between week and month.
    datum: String,
    errors: Vec<(&'static str, String)>,
    /// The list's next page, and its first when this is a later one.
    next_page: Option<String>,
    first_page: Option<String>,
}

/// Sessions a page of the list shows.
const LIST_PAGE: i64 = 200;

impl SchedulePage {
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        SessionStatus::ALL
            .iter()
            .map(|s| (s.code(), self.c.session_status(s)))
            .collect()
    }
    fn view_href(&self, vy: &str) -> String {
        let datum = if vy == "lista" { "" } else { &self.datum };
        format!(
            "/tillfallen?vy={vy}{}{}",
            query_part("datum", datum),
            self.filter_query
        )
    }
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
    fn time(&self, v: &SessionView) -> String {
        navet_store::time::local_label(v.row.starts_at)
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_string()
    }
}

const WEEKDAYS_SV: [&str; 7] = ["mån", "tis", "ons", "tors", "fre", "lör", "sön"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn query_part(key: &str, v: &str) -> String {
    if v.is_empty() {
        String::new()
    } else {
        format!("&{key}={}", urlencoding::encode(v))
    }
}

async fn schedule(State(s): State<AppState>, c: Ctx, Query(q): Query<ScheduleQuery>) -> PageResult {
    let view = View::parse(&q.vy);
    let today = navet_store::time::today();
    let mut errors = vec![];
    let mut date = |field: &'static str, v: &str, what: &str| -> Option<NaiveDate> {
        if v.trim().is_empty() {
            return None;
        }
        let d = navet_store::time::parse_date(v.trim());
        if d.is_none() {
            errors.push((
                field,
                format!("{what}: \"{}\" är inte ett datum (ÅÅÅÅ-MM-DD).", v.trim()),
            ));
        }
        d
    };
    let fran = date("fran", &q.fran, c.t("sessions.from_date"));
    let till = date("till", &q.till, c.t("sessions.to_date"));
    let anchor = date("datum", &q.datum, c.t("sessions.date")).unwrap_or(today);
    if let (Some(a), Some(b)) = (fran, till) {
        if b < a {
            errors.push((
                "till",
                format!(
                    "{}: slutdatumet är före startdatumet.",
                    c.t("sessions.to_date")
                ),
            ));
        }
    }
    let status = SessionStatus::parse(q.status.trim());
    if status.is_none() && !q.status.trim().is_empty() {
        errors.push(("status", "Status: okänd status.".to_string()));
    }
    let weeks_days = calendar::weeks(view, anchor);
    // The calendar shows its own weeks; the list its date range (by
    // default from 30 days back).
    let (from, to) = match (weeks_days.first(), weeks_days.last()) {
        (Some(first), Some(last)) => (
            navet_store::time::day_start(first[0]),
            Some(navet_store::time::day_start(
                last[6] + chrono::Duration::days(1),
            )),
        ),
        _ if errors.is_empty() => (
            fran.map(navet_store::time::day_start)
                .unwrap_or_else(|| navet_store::time::now() - 30 * 86_400),
            till.map(|d| navet_store::time::day_start(d + chrono::Duration::days(1))),
        ),
        _ => (navet_store::time::now() - 30 * 86_400, None),
    };
    let include_cancelled = q.installda.is_some() || status == Some(SessionStatus::Cancelled);
    let sch = UseCase::page(&s, &c)?
        .schedule(&sessions::Filter {
            course_id: q.kurs,
            municipality_id: q.kommun,
            from: Some(from),
            to,
            include_cancelled,
            limit: if view == View::List { LIST_PAGE + 1 } else { 0 },
            after: q
                .efter
                .filter(|_| view == View::List)
                .map(domain::ids::SessionId),
            ..Default::default()
        })
        .await?;
    let mut list = sch.sessions;
    // One more than a page tells whether there is a next; the status
    // filter is applied to the page.
    let more = view == View::List && list.len() as i64 > LIST_PAGE;
    list.truncate(LIST_PAGE as usize);
    let continue_after = more.then(|| list.last().map(|v| v.row.id)).flatten();
    if let Some(st) = status.filter(|_| errors.iter().all(|(f, _)| *f != "status")) {
        list.retain(|v| v.effective_status == st);
    }
    let names = if c.lang_code() == "en" {
        WEEKDAYS_EN
    } else {
        WEEKDAYS_SV
    };
    let weeks: Vec<Week> = weeks_days
        .iter()
        .map(|w| Week {
            number: calendar::week_number(w[0]),
            days: w
                .iter()
                .enumerate()
                .map(|(i, d)| Day {
                    label: format!("{} {}", names[i], navet_store::time::date_str(*d)),
                    in_month: view != View::Month || d.month() == anchor.month(),
                    today: *d == today,
                    sessions: list
                        .iter()
                        .filter(|v| navet_store::time::local_date(v.row.starts_at) == *d)
                        .cloned()
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let (prev, next) = calendar::step(view, anchor);
    let mut filter_query = String::new();
    if let Some(k) = q.kurs {
        filter_query.push_str(&format!("&kurs={k}"));
    }
    if let Some(k) = q.kommun {
        filter_query.push_str(&format!("&kommun={k}"));
    }
    filter_query.push_str(&query_part("status", q.status.trim()));
    if q.installda.is_some() {
        filter_query.push_str("&installda=1");
    }
    let title = match view {
        View::List => String::new(),
        View::Week => format!(
            "{} {}, {} – {}",
            c.t("sessions.week"),
            calendar::week_number(anchor),
            navet_store::time::date_str(weeks_days[0][0]),
            navet_store::time::date_str(weeks_days[0][6])
        ),
        View::Month => {
            let m = anchor.month0() as usize;
            let name = if c.lang_code() == "en" {
                anchor.format("%B").to_string()
            } else {
                navet_store::unit_overview::MONTHS_SV[m].to_string()
            };
            format!("{name} {}", anchor.format("%Y"))
        }
    };
    let href = |d: NaiveDate| {
        format!(
            "/tillfallen?vy={}&datum={}{filter_query}",
            view.code(),
            navet_store::time::date_str(d)
        )
    };
    let list_href = |after: Option<i64>| {
        let mut h = format!(
            "/tillfallen?vy=lista{filter_query}{}{}",
            query_part("fran", q.fran.trim()),
            query_part("till", q.till.trim())
        );
        if let Some(a) = after {
            h.push_str(&format!("&efter={a}"));
        }
        h
    };
    let next_page = continue_after.map(|a| list_href(Some(a)));
    let first_page = q
        .efter
        .filter(|_| view == View::List)
        .map(|_| list_href(None));
    render(SchedulePage {
        next_page,
        first_page,
        prev_href: href(prev),
        next_href: href(next),
        sessions: if view == View::List { list } else { vec![] },
        courses: sch.courses,
        municipalities: sch.municipalities,
        kurs: q.kurs.unwrap_or(0),
        kommun: q.kommun.unwrap_or(0),
        include_cancelled: q.installda.is_some(),
        fran: q.fran.trim().to_string(),
        till: q.till.trim().to_string(),
        status: q.status.trim().to_string(),
        view,
        weeks,
        title,
        filter_query,
        datum: if view == View::List {
            String::new()
        } else if errors.iter().any(|(f, _)| *f == "datum") {
            q.datum.trim().to_string()
        } else {
            navet_store::time::date_str(anchor)
        },
        errors,
        c,
    })
}
