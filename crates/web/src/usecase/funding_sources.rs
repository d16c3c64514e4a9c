//! Funding sources (who pays for a participation), a session's source and
//! a booking's override, and "Visa underlag": the participations behind a
//! figure of the indicator report, the co-financing or a participant file.

use domain::access::Action;
use domain::funding::sources::{Draft, Source};
use domain::ids::{BookingId, CourseId, SessionId};
use navet_store::participation_trail::{self as trail, Filter, Row, Totals};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

/// Rows a CSV of the list holds at most (a national year can be millions
/// of participations; the file says when it is cut).
pub const MAX_CSV_ROWS: usize = 100_000;

/// One page of the list behind a figure, with the whole list's sums.
pub struct TrailPage {
    pub filter: Filter,
    pub totals: Totals,
    pub rows: Vec<Row>,
    /// Where the next page starts (session start, booking id), if any.
    pub next: Option<(i64, i64)>,
    /// The funding source the list is limited to, by name.
    pub source_name: Option<String>,
    pub municipality_name: Option<String>,
    pub course_title: Option<String>,
}

/// A session's funding: its source and each booking's own.
pub struct SessionFunding {
    pub session: navet_store::session_rows::SessionRow,
    pub sources: Vec<Source>,
    pub bookings: Vec<navet_store::funding_sources::BookingSource>,
}

impl UseCase<'_> {
    /// A session's source and its bookings' (named people: the hub's
    /// page, logged).
    pub async fn session_funding(&self, session_id: i64) -> StoreResult<SessionFunding> {
        self.decide(Action::ManageSessions)?;
        let session = navet_store::sessions::get(self.db(), SessionId(session_id))
            .await?
            .row;
        let bookings =
            navet_store::funding_sources::session_bookings(self.db(), SessionId(session_id))
                .await?;
        self.audit(
            "session.funding.view",
            "session",
            Some(session_id),
            &format!("{} anmälningar", bookings.len()),
        )
        .await?;
        Ok(SessionFunding {
            session,
            sources: navet_store::funding_sources::list(self.db()).await?,
            bookings,
        })
    }

    /// The session a booking is on.
    pub async fn session_of_booking(&self, booking_id: i64) -> StoreResult<i64> {
        self.decide(Action::ManageSessions)?;
        navet_store::funding_sources::session_of_booking(self.db(), BookingId(booking_id)).await
    }

    /// The sources (names and kinds only: aggregates' readers choose a
    /// filter with them).
    pub async fn funding_sources(&self) -> StoreResult<Vec<Source>> {
        self.decide(Action::ViewAggregates)?;
        navet_store::funding_sources::list(self.db()).await
    }

    /// Whether the actor may add and change sources.
    pub fn may_manage_funding_sources(&self) -> bool {
        self.may(Action::ManageFunding)
    }

    pub async fn funding_source(&self, id: i64) -> StoreResult<Source> {
        self.decide(Action::ManageFunding)?;
        navet_store::funding_sources::get(self.db(), id).await
    }

    pub async fn create_funding_source(&self, d: &Draft) -> StoreResult<i64> {
        self.decide(Action::ManageFunding)?;
        navet_store::funding_sources::create(self.db(), &self.who, d).await
    }

    pub async fn update_funding_source(&self, id: i64, d: &Draft) -> StoreResult<()> {
        self.decide(Action::ManageFunding)?;
        navet_store::funding_sources::update(self.db(), &self.who, id, d).await
    }

    /// Set who pays for a session (None: no source); refused naming both
    /// sources when it would fund someone twice.
    pub async fn set_session_funding_source(
        &self,
        session_id: i64,
        source: Option<i64>,
    ) -> StoreResult<()> {
        self.decide(Action::ManageSessions)?;
        navet_store::funding_sources::set_session_source(
            self.db(),
            &self.who,
            SessionId(session_id),
            source,
        )
        .await
    }

    /// Set one booking's own source (None: the session's).
    pub async fn set_booking_funding_source(
        &self,
        booking_id: i64,
        source: Option<i64>,
    ) -> StoreResult<()> {
        self.decide(Action::ManageSessions)?;
        navet_store::funding_sources::set_booking_source(
            self.db(),
            &self.who,
            BookingId(booking_id),
            source,
        )
        .await
    }

    /// A source named as a report filter: it must exist (the field is
    /// named when it does not).
    pub async fn check_source_filter(&self, field: &str, id: Option<i64>) -> StoreResult<()> {
        if let Some(id) = id {
            if navet_store::funding_sources::get(self.db(), id)
                .await
                .is_err()
            {
                return Err(StoreError::invalid(
                    field,
                    "unknown_funding_source",
                    "Finansieringskällan finns inte.",
                ));
            }
        }
        Ok(())
    }

    /// One page of the participations behind a figure. Names people:
    /// the hub's only, and each page read is logged with its filter.
    pub async fn participation_trail(
        &self,
        filter: Filter,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> StoreResult<TrailPage> {
        self.decide(Action::ViewParticipationTrail)?;
        self.check_source_filter("program", filter.source).await?;
        let (totals, rows) = tokio::try_join!(
            trail::totals(self.db(), &filter),
            trail::page(self.db(), &filter, after, limit),
        )?;
        let limit = limit.clamp(1, trail::MAX_PAGE_SIZE);
        let next = (rows.len() as i64 == limit)
            .then(|| rows.last().map(|r| (r.starts_at, r.booking_id)))
            .flatten();
        self.audit(
            "trail.view",
            "participation_trail",
            None,
            &format!("{} ({} rader på sidan)", describe(&filter), rows.len()),
        )
        .await?;
        let (source_name, municipality_name, course_title) = self.labels(&filter).await?;
        Ok(TrailPage {
            filter,
            totals,
            rows,
            next,
            source_name,
            municipality_name,
            course_title,
        })
    }

    /// The whole list (up to [`MAX_CSV_ROWS`]) and its sums, for a CSV
    /// file; logged like a page. The flag says whether it was cut.
    pub async fn participation_trail_all(
        &self,
        filter: Filter,
    ) -> StoreResult<(Totals, Vec<Row>, bool)> {
        self.decide(Action::ViewParticipationTrail)?;
        self.check_source_filter("program", filter.source).await?;
        let totals = trail::totals(self.db(), &filter).await?;
        let mut rows: Vec<Row> = Vec::new();
        let mut after = None;
        loop {
            let page = trail::page(self.db(), &filter, after, trail::MAX_PAGE_SIZE).await?;
            let full = page.len() as i64 == trail::MAX_PAGE_SIZE;
            after = page.last().map(|r| (r.starts_at, r.booking_id));
            rows.extend(page);
            if !full || rows.len() >= MAX_CSV_ROWS {
                break;
            }
        }
        let cut = rows.len() as i64 > 0 && (rows.len() as i64) < totals.participations;
        rows.truncate(MAX_CSV_ROWS);
        self.audit(
            "trail.download",
            "participation_trail",
            None,
            &format!("{} ({} rader, CSV)", describe(&filter), rows.len()),
        )
        .await?;
        Ok((totals, rows, cut))
    }

    /// The filter behind an archived participant file: its months (from
    /// the programme's first month, as the file counts them) and its source.
    pub async fn participant_file_trail_filter(&self, export_id: i64) -> StoreResult<Filter> {
        self.decide(Action::ViewParticipationTrail)?;
        let e = navet_store::esf_export::export(self.db(), export_id).await?;
        let month = domain::attestation::parse_month("month", &e.month)
            .map_err(|_| StoreError::NotFound("deltagarfil"))?;
        let first = navet_store::esf_export::first_month(self.db(), month).await?;
        Ok(Filter {
            from: first,
            to: domain::cofinancing::month_end(month),
            source: e.funding_source_id,
            ..Filter::default()
        })
    }

    async fn labels(
        &self,
        f: &Filter,
    ) -> StoreResult<(Option<String>, Option<String>, Option<String>)> {
        let source = match f.source {
            Some(id) => Some(navet_store::funding_sources::get(self.db(), id).await?.name),
            None => None,
        };
        let municipality = match f.municipality_id {
            Some(id) => navet_store::org::municipalities(self.db())
                .await?
                .into_iter()
                .find(|m| m.id == id)
                .map(|m| m.name),
            None => None,
        };
        let course = match f.course_id {
            Some(id) => navet_store::catalogue::get(self.db(), CourseId(id))
                .await
                .ok()
                .map(|c| c.title),
            None => None,
        };
        Ok((source, municipality, course))
    }
}

/// The filter in words for the audit log (no names: ids and codes).
fn describe(f: &Filter) -> String {
    let mut s = format!("underlag {} – {}", f.from, f.to);
    if let Some(m) = f.municipality_id {
        s.push_str(&format!(" kommun {m}"));
    }
    if let Some(c) = f.course_id {
        s.push_str(&format!(" kurs {c}"));
    }
    if let Some(g) = &f.gender {
        s.push_str(&format!(" kön {g}"));
    }
    if let Some(g) = &f.role_group {
        s.push_str(&format!(" yrkesgrupp {g}"));
    }
    if let Some(k) = f.source {
        s.push_str(&format!(" källa {k}"));
    }
    s
}

/// The query of a list behind a figure, as typed (page or API), each
/// value with the name of the field it came in.
pub struct TrailParams<'a> {
    pub from: (&'a str, &'a str),
    pub to: (&'a str, &'a str),
    pub municipality: (&'a str, &'a str),
    pub course: (&'a str, &'a str),
    pub gender: (&'a str, &'a str),
    pub role_group: (&'a str, &'a str),
    pub program: (&'a str, &'a str),
}

fn id_of(field: &str, v: &str) -> StoreResult<Option<i64>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>().map(Some).map_err(|_| {
        StoreError::invalid(
            field,
            "invalid_id",
            format!("Fältet ”{field}” ska vara ett heltal."),
        )
    })
}

/// Check a typed query: a period of at most the report's longest, ids
/// as numbers, a known gender code. Errors name the field.
pub fn trail_filter(p: &TrailParams<'_>) -> StoreResult<Filter> {
    let (from, to) = (p.from.1.trim(), p.to.1.trim());
    if from.is_empty() || to.is_empty() {
        let field = if from.is_empty() { p.from.0 } else { p.to.0 };
        return Err(StoreError::invalid(
            field,
            "missing_date",
            format!("Ange en period: {} och {} (ÅÅÅÅ-MM-DD).", p.from.0, p.to.0),
        ));
    }
    let period = domain::indicators::check_period(from, to).map_err(|e| {
        let first = e.first().cloned().expect("an error");
        let field = if first.field == "to" {
            p.to.0
        } else {
            p.from.0
        };
        StoreError::invalid(field, first.code, first.message)
    })?;
    let gender = match p.gender.1.trim() {
        "" => None,
        g @ ("kvinna" | "man" | "annat" | "ej_angivet") => Some(g.to_string()),
        _ => {
            return Err(StoreError::invalid(
                p.gender.0,
                "invalid_gender",
                "Kön ska vara kvinna, man, annat eller ej_angivet.",
            ))
        }
    };
    let role_group = Some(p.role_group.1.trim().to_string()).filter(|g| !g.is_empty());
    Ok(Filter {
        from: period.from,
        to: period.to,
        municipality_id: id_of(p.municipality.0, p.municipality.1)?,
        course_id: id_of(p.course.0, p.course.1)?,
        gender,
        role_group,
        source: id_of(p.program.0, p.program.1)?,
    })
}

/// A keyset position `START-BOOKING` (from a "next page" link).
pub fn trail_after(field: &str, v: &str) -> StoreResult<Option<(i64, i64)>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || {
        StoreError::invalid(
            field,
            "invalid_position",
            format!("Fältet ”{field}” är inte en sidposition (använd länken Nästa sida)."),
        )
    };
    let (a, b) = v.rsplit_once('_').ok_or_else(bad)?;
    Ok(Some((
        a.parse::<i64>().map_err(|_| bad())?,
        b.parse::<i64>().map_err(|_| bad())?,
    )))
}
