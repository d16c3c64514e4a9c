//! Surveys: question sets (edited by coordinators), invitations after a
//! session (participants) and months later (managers), anonymous responses
//! linked to the session only, and results shown only for groups of at
//! least five answers.

use domain::ids::{PersonId, SessionId};
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use domain::surveys::anonymity::{self, ResultPeriod, RowKey};
use domain::surveys::{
    self, Answer, AnswerValue, CheckedQuestion, Question, QuestionKind, SurveyKind,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

mod summary;
pub use summary::summary;

/// Months after a session that managers get the follow-up survey.
pub const DEFAULT_FOLLOW_UP_MONTHS: u32 = 6;

fn hash_token(t: &str) -> String {
    hex::encode(Sha256::digest(t.as_bytes()))
}

async fn seed_defaults(db: &Db, kind: SurveyKind) -> StoreResult<()> {
    // Usually there are questions already: check without taking the writer.
    let have: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM survey_questions WHERE survey_kind = $1")
            .bind(kind.code())
            .fetch_one(db.pool())
            .await?;
    if have > 0 {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_questions WHERE survey_kind = $1")
        .bind(kind.code())
        .fetch_one(&mut *tx)
        .await?;
    if n == 0 {
        for (i, q) in surveys::default_questions(kind).iter().enumerate() {
            insert_question(&mut tx, kind, i as i64, q).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn insert_question(
    conn: &mut AnyConnection,
    kind: SurveyKind,
    position: i64,
    q: &CheckedQuestion,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO survey_questions (survey_kind, position, kind, text, metric, required, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
    )
    .bind(kind.code())
    .bind(position)
    .bind(q.kind.code())
    .bind(&q.text)
    .bind(q.metric.code())
    .bind(q.required as i64)
    .bind(crate::time::now())
    .fetch_one(conn)
    .await?)
}

/// The active questions of a survey, in order (the hub's defaults the
/// first time).
pub async fn questions(db: &Db, kind: SurveyKind) -> StoreResult<Vec<Question>> {
    seed_defaults(db, kind).await?;
    let rows = sqlx::query(
        "SELECT id, position, kind, text, metric, required FROM survey_questions WHERE survey_kind = $1 AND active = 1 \
         ORDER BY position, id",
    )
    .bind(kind.code())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Question {
            id: r.get("id"),
            position: r.get("position"),
            kind: QuestionKind::parse(&r.get::<String, _>("kind"))
                .unwrap_or(QuestionKind::FreeText),
            text: r.get("text"),
            metric: surveys::Metric::parse(&r.get::<String, _>("metric"))
                .unwrap_or(surveys::Metric::None),
            required: r.get::<i64, _>("required") == 1,
        })
        .collect())
}

/// Add a question at the end.
pub async fn add_question(
    db: &Db,
    who: &Who,
    kind: SurveyKind,
    q: &CheckedQuestion,
) -> StoreResult<i64> {
    seed_defaults(db, kind).await?;
    let mut tx = db.begin().await?;
    let pos: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(position), 0) + 1 AS BIGINT) FROM survey_questions WHERE survey_kind = $1")
        .bind(kind.code())
        .fetch_one(&mut *tx)
        .await?;
    let id = insert_question(&mut tx, kind, pos, q).await?;
    audit::record(
        &mut tx,
        who,
        "survey.question_add",
        "survey_question",
        Some(id),
        None,
        &q.text,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Change a question's wording or settings. Answers already given stay
/// with the question; to ask something different, remove and add.
pub async fn update_question(db: &Db, who: &Who, id: i64, q: &CheckedQuestion) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("UPDATE survey_questions SET text = $1, kind = $2, metric = $3, required = $4 WHERE id = $5 AND active = 1")
        .bind(&q.text)
        .bind(q.kind.code())
        .bind(q.metric.code())
        .bind(q.required as i64)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound("fråga"));
    }
    let answered: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM survey_answers WHERE question_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    let old_kind: String = sqlx::query_scalar("SELECT kind FROM survey_questions WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if answered > 0 && old_kind != q.kind.code() {
        return Err(StoreError::invalid(
            "kind",
            "answered",
            "Frågan har redan besvarats; svarstypen kan inte ändras. Ta bort frågan och lägg till en ny.",
        ));
    }
    audit::record(
        &mut tx,
        who,
        "survey.question_edit",
        "survey_question",
        Some(id),
        None,
        &q.text,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Remove a question from the set (answers already given are kept).
pub async fn remove_question(db: &Db, who: &Who, id: i64) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE survey_questions SET active = 0 WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "survey.question_remove",
        "survey_question",
        Some(id),
        None,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Move a question one step up (-1) or down (+1).
pub async fn move_question(db: &Db, kind: SurveyKind, id: i64, step: i64) -> StoreResult<()> {
    let qs = questions(db, kind).await?;
    let Some(i) = qs.iter().position(|q| q.id == id) else {
        return Err(StoreError::NotFound("fråga"));
    };
    let j = i as i64 + step;
    if j < 0 || j >= qs.len() as i64 {
        return Ok(());
    }
    let mut order: Vec<i64> = qs.iter().map(|q| q.id).collect();
    order.swap(i, j as usize);
    let mut tx = db.begin().await?;
    for (pos, qid) in order.iter().enumerate() {
        sqlx::query("UPDATE survey_questions SET position = $1 WHERE id = $2")
            .bind(pos as i64)
            .bind(qid)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn follow_up_months(db: &Db) -> StoreResult<u32> {
    let v: Option<String> =
        sqlx::query_scalar("SELECT value FROM survey_settings WHERE key = 'follow_up_months'")
            .fetch_optional(db.pool())
            .await?;
    Ok(v.and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_FOLLOW_UP_MONTHS))
}

pub async fn set_follow_up_months(db: &Db, who: &Who, months: &str) -> StoreResult<u32> {
    let m: u32 = months
        .trim()
        .parse()
        .ok()
        .filter(|m| (1..=36).contains(m))
        .ok_or_else(|| {
            StoreError::invalid("follow_up_months", "invalid", "Ange antal månader, 1–36.")
        })?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO survey_settings (key, value) VALUES ('follow_up_months', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
    )
    .bind(m.to_string())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "survey.settings",
        "survey",
        None,
        None,
        &format!("uppföljning efter {m} månader"),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

fn new_token() -> String {
    crate::accounts::new_secret()
}

/// After a session is closed: a participant survey for each attended
/// person (sent now), and a follow-up for the managers of their units (due
/// months later, sent by [`send_due`]). Returns how many were sent now.
pub async fn invite_after_close(
    conn: &mut AnyConnection,
    session_id: SessionId,
    public_url: &str,
) -> StoreResult<usize> {
    let row = sqlx::query("SELECT s.starts_at, k.title FROM sessions s JOIN courses k ON k.id = s.course_id WHERE s.id = $1")
        .bind(session_id)
        .fetch_one(&mut *conn)
        .await?;
    let date = crate::time::local_date(row.get("starts_at"));
    let title: String = row.get("title");
    let people = sqlx::query(
        "SELECT p.id, p.email, p.name FROM bookings b JOIN people p ON p.id = b.person_id \
         WHERE b.session_id = $1 AND b.status = 'attended'",
    )
    .bind(session_id)
    .fetch_all(&mut *conn)
    .await?;
    let now = crate::time::now();
    let mut sent = 0;
    for p in &people {
        let token = new_token();
        let inserted = sqlx::query(
            "INSERT INTO survey_invitations (survey_kind, session_id, person_id, token_hash, due_on, sent, answered, created_at) \
             VALUES ('participant', $1, $2, $3, $4, 1, 0, $5) ON CONFLICT (survey_kind, session_id, person_id) DO NOTHING",
        )
        .bind(session_id)
        .bind(p.get::<i64, _>("id"))
        .bind(hash_token(&token))
        .bind(crate::time::date_str(date))
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 0 {
            continue;
        }
        let body = format!(
            "Hej {}!\n\nTack för att du deltog i {} den {}. Berätta gärna vad du tyckte – det tar två minuter och dina svar är anonyma:\n{}/enkat/{}\n\nDu hittar enkäten också under ”Mina enkäter” när du loggar in.\n\nVänliga hälsningar\nKompetensnavet",
            p.get::<String, _>("name"),
            title,
            date,
            public_url,
            token
        );
        crate::outbox::enqueue_text(
            conn,
            "survey",
            &p.get::<String, _>("email"),
            Some(p.get("id")),
            &format!("Vad tyckte du om {title}?"),
            &body,
        )
        .await?;
        sent += 1;
    }
    // Managers of the attended people's units: one follow-up each, due later.
    let months: u32 = sqlx::query_scalar::<_, String>(
        "SELECT value FROM survey_settings WHERE key = 'follow_up_months'",
    )
    .fetch_optional(&mut *conn)
    .await?
    .and_then(|v| v.parse().ok())
    .unwrap_or(DEFAULT_FOLLOW_UP_MONTHS);
    let due = surveys::follow_up_due(date, months);
    let managers: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT a.person_id FROM accounts a JOIN account_scopes sc ON sc.account_id = a.id \
         WHERE a.role = 'manager' AND a.active = 1 AND a.person_id IS NOT NULL AND EXISTS ( \
           SELECT 1 FROM bookings b JOIN people p ON p.id = b.person_id LEFT JOIN units u ON u.id = p.unit_id \
           WHERE b.session_id = $1 AND b.status = 'attended' \
           AND (sc.unit_id = p.unit_id OR sc.municipality_id = p.municipality_id))",
    )
    .bind(session_id)
    .fetch_all(&mut *conn)
    .await?;
    for m in managers {
        sqlx::query(
            "INSERT INTO survey_invitations (survey_kind, session_id, person_id, token_hash, due_on, sent, answered, created_at) \
             VALUES ('manager', $1, $2, $3, $4, 0, 0, $5) ON CONFLICT (survey_kind, session_id, person_id) DO NOTHING",
        )
        .bind(session_id)
        .bind(m)
        .bind(hash_token(&new_token()))
        .bind(crate::time::date_str(due))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(sent)
}

/// Send the manager follow-ups that are due by `today` (a fresh link each).
pub async fn send_due(db: &Db, today: NaiveDate, public_url: &str) -> StoreResult<usize> {
    let mut tx = db.begin().await?;
    let due = sqlx::query(
        "SELECT i.id, p.email, p.name, p.id AS person_id, k.title FROM survey_invitations i JOIN people p ON p.id = i.person_id \
         JOIN sessions s ON s.id = i.session_id JOIN courses k ON k.id = s.course_id \
         WHERE i.sent = 0 AND i.answered = 0 AND i.due_on <= $1",
    )
    .bind(crate::time::date_str(today))
    .fetch_all(&mut *tx)
    .await?;
    for r in &due {
        let token = new_token();
        sqlx::query("UPDATE survey_invitations SET sent = 1, token_hash = $1 WHERE id = $2")
            .bind(hash_token(&token))
            .bind(r.get::<i64, _>("id"))
            .execute(&mut *tx)
            .await?;
        let title: String = r.get("title");
        let body = format!(
            "Hej {}!\n\nFör en tid sedan gick medarbetare från din enhet kursen {}. Hur har det gått sedan dess? Svaren är anonyma:\n{}/enkat/{}\n\nVänliga hälsningar\nKompetensnavet",
            r.get::<String, _>("name"),
            title,
            public_url,
            token
        );
        crate::outbox::enqueue_text(
            &mut tx,
            "survey",
            &r.get::<String, _>("email"),
            Some(r.get("person_id")),
            &format!("Uppföljning: {title}"),
            &body,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// An open invitation as its recipient sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    pub id: i64,
    pub kind: SurveyKind,
    pub session_id: i64,
    pub course_title: String,
    pub session_date: String,
    pub answered: bool,
}

async fn invitation_where(
    db: &Db,
    clause: &str,
    bind_s: Option<&str>,
    bind_i: Option<i64>,
) -> StoreResult<Vec<Invitation>> {
    let sql = format!(
        "SELECT i.id, i.survey_kind, i.session_id, k.title, s.starts_at, i.answered FROM survey_invitations i \
         JOIN sessions s ON s.id = i.session_id JOIN courses k ON k.id = s.course_id WHERE {clause} ORDER BY s.starts_at DESC"
    );
    let mut q = sqlx::query(&sql);
    if let Some(s) = bind_s {
        q = q.bind(s.to_string());
    }
    if let Some(i) = bind_i {
        q = q.bind(i);
    }
    Ok(q.fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Invitation {
            id: r.get("id"),
            kind: SurveyKind::parse(&r.get::<String, _>("survey_kind"))
                .unwrap_or(SurveyKind::Participant),
            session_id: r.get("session_id"),
            course_title: r.get("title"),
            session_date: crate::time::date_str(crate::time::local_date(r.get("starts_at"))),
            answered: r.get::<i64, _>("answered") == 1,
        })
        .collect())
}

/// The invitation a link's token belongs to.
pub async fn invitation_by_token(db: &Db, token: &str) -> StoreResult<Option<Invitation>> {
    Ok(invitation_where(
        db,
        "i.token_hash = $1",
        Some(&hash_token(token.trim())),
        None,
    )
    .await?
    .into_iter()
    .next())
}

/// A person's own invitations (sent ones), newest first.
pub async fn invitations_for(db: &Db, person_id: PersonId) -> StoreResult<Vec<Invitation>> {
    invitation_where(
        db,
        "i.person_id = $1 AND i.sent = 1",
        None,
        Some(person_id.get()),
    )
    .await
}

pub async fn invitation_owned_by(
    db: &Db,
    id: i64,
    person_id: PersonId,
) -> StoreResult<Option<Invitation>> {
    Ok(invitations_for(db, person_id)
        .await?
        .into_iter()
        .find(|i| i.id == id))
}

/// Submit answers for an invitation. The response is stored with the
/// session and the day only; the invitation is just marked answered.
pub async fn submit(db: &Db, invitation_id: i64, answers: &[Answer]) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let row = sqlx::query(&format!(
        "SELECT survey_kind, session_id, answered FROM survey_invitations WHERE id = $1{}",
        db.for_update()
    ))
    .bind(invitation_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound("enkät"))?;
    if row.get::<i64, _>("answered") == 1 {
        return Err(StoreError::conflict(
            None,
            "Enkäten är redan besvarad. Tack!",
        ));
    }
    let kind: String = row.get("survey_kind");
    let session_id: i64 = row.get("session_id");
    sqlx::query("UPDATE survey_invitations SET answered = 1 WHERE id = $1")
        .bind(invitation_id)
        .execute(&mut *tx)
        .await?;
    let today = crate::time::local_date(crate::time::now());
    let response_id: i64 = sqlx::query_scalar(
        "INSERT INTO survey_responses (survey_kind, session_id, submitted_on) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&kind)
    .bind(session_id)
    .bind(crate::time::date_str(today))
    .fetch_one(&mut *tx)
    .await?;
    for a in answers {
        let (i, t) = match &a.value {
            AnswerValue::Choice(v) => (Some(*v), None),
            AnswerValue::Text(s) => (None, Some(s.clone())),
        };
        sqlx::query("INSERT INTO survey_answers (response_id, question_id, value_int, value_text) VALUES ($1, $2, $3, $4)")
            .bind(response_id)
            .bind(a.question_id)
            .bind(i)
            .bind(t)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Answers grouped by question for the responses matching `filter` (SQL on
/// `r`, the survey_responses row, and `s`, its session).
async fn counts(
    db: &Db,
    kind: SurveyKind,
    filter: &str,
    binds: &[i64],
) -> StoreResult<(i64, HashMap<i64, surveys::QuestionCounts>)> {
    let base = format!(
        "FROM survey_responses r JOIN sessions s ON s.id = r.session_id WHERE r.survey_kind = '{}' AND {filter}",
        kind.code()
    );
    let count_sql = format!("SELECT COUNT(*) {base}");
    let mut count_q = sqlx::query_scalar::<_, i64>(&count_sql);
    for b in binds {
        count_q = count_q.bind(*b);
    }
    let responses = count_q.fetch_one(db.pool()).await?;
    let sql = format!(
        "SELECT a.question_id, a.value_int, a.value_text, CAST(COUNT(*) AS BIGINT) AS n FROM survey_answers a \
         JOIN survey_responses r ON r.id = a.response_id JOIN sessions s ON s.id = r.session_id \
         WHERE r.survey_kind = '{}' AND {filter} GROUP BY a.question_id, a.value_int, a.value_text",
        kind.code()
    );
    let mut rq = sqlx::query(&sql);
    for b in binds {
        rq = rq.bind(*b);
    }
    let mut map: HashMap<i64, surveys::QuestionCounts> = HashMap::new();
    for r in rq.fetch_all(db.pool()).await? {
        let e = map.entry(r.get("question_id")).or_default();
        let n: i64 = r.get("n");
        match (
            r.get::<Option<i64>, _>("value_int"),
            r.get::<Option<String>, _>("value_text"),
        ) {
            (Some(v), _) => e.counts.push((v, n)),
            (None, Some(t)) => e.texts.extend(std::iter::repeat_n(t, n as usize)),
            _ => {}
        }
    }
    Ok((responses, map))
}

/// Results for one group of sessions; everything hidden below five answers.
#[derive(Debug, Clone, Serialize)]
pub struct GroupResults {
    pub label: String,
    pub responses: i64,
    pub hidden: bool,
    pub questions: Vec<(Question, surveys::QuestionResult)>,
}

async fn group(
    db: &Db,
    kind: SurveyKind,
    label: String,
    filter: &str,
    binds: &[i64],
) -> StoreResult<GroupResults> {
    let qs = questions(db, kind).await?;
    let (responses, c) = counts(db, kind, filter, binds).await?;
    let results = surveys::group_results(&qs, responses, &c);
    Ok(GroupResults {
        label,
        responses,
        hidden: responses < surveys::MIN_GROUP,
        questions: qs.into_iter().zip(results).collect(),
    })
}

/// The answers per course for sessions starting in one term.
async fn term_cells(
    db: &Db,
    kind: SurveyKind,
    term: ResultPeriod,
) -> StoreResult<Vec<(i64, anonymity::Cell)>> {
    let from = crate::time::day_start(term.first_day());
    let to = crate::time::day_start(term.last_day().succ_opt().unwrap_or(term.last_day()));
    let mut cells: BTreeMap<i64, anonymity::Cell> = BTreeMap::new();
    let responses = sqlx::query(
        "SELECT s.course_id, CAST(COUNT(*) AS BIGINT) AS responses FROM survey_responses r JOIN sessions s ON s.id = r.session_id \
         WHERE r.survey_kind = $1 AND s.starts_at >= $2 AND s.starts_at < $3 GROUP BY s.course_id",
    )
    .bind(kind.code())
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    for r in responses {
        cells.entry(r.get("course_id")).or_default().responses = r.get("responses");
    }
    let answers = sqlx::query(
        "SELECT s.course_id, a.question_id, a.value_int, a.value_text, CAST(COUNT(*) AS BIGINT) AS n FROM survey_answers a \
         JOIN survey_responses r ON r.id = a.response_id JOIN sessions s ON s.id = r.session_id \
         WHERE r.survey_kind = $1 AND s.starts_at >= $2 AND s.starts_at < $3 \
         GROUP BY s.course_id, a.question_id, a.value_int, a.value_text",
    )
    .bind(kind.code())
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    for r in answers {
        let e = cells
            .entry(r.get("course_id"))
            .or_default()
            .questions
            .entry(r.get("question_id"))
            .or_default();
        let n: i64 = r.get("n");
        match (
            r.get::<Option<i64>, _>("value_int"),
            r.get::<Option<String>, _>("value_text"),
        ) {
            (Some(v), _) => e.counts.push((v, n)),
            (None, Some(t)) => e.texts.extend(std::iter::repeat_n(t, n as usize)),
            _ => {}
        }
    }
    Ok(cells.into_iter().collect())
}

/// Results per course for sessions in a term or a year, with all courses
/// together first and the courses too small to show on their own together
/// last; what may be shown is decided by `domain::surveys::anonymity`.
pub async fn results_by_course(
    db: &Db,
    kind: SurveyKind,
    period: ResultPeriod,
) -> StoreResult<Vec<GroupResults>> {
    let mut terms = vec![];
    for t in period.terms() {
        terms.push(term_cells(db, kind, t).await?);
    }
    let table = anonymity::period_table(terms);
    let titles: HashMap<i64, String> = sqlx::query("SELECT id, title FROM courses")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("title")))
        .collect();
    let title = |id: &i64| titles.get(id).cloned().unwrap_or_default();
    let qs = questions(db, kind).await?;
    let mut out = vec![];
    let mut groups = vec![];
    let mut others = None;
    for row in table.rows {
        let label = match &row.key {
            RowKey::Total => "Alla kurser".to_string(),
            RowKey::Group(id) => title(id),
            RowKey::Others => {
                let mut names: Vec<String> = row.members.iter().map(title).collect();
                domain::collation::sort_swedish_by(&mut names, |n| n);
                format!("Övriga kurser tillsammans ({})", names.join(", "))
            }
        };
        let counts: HashMap<i64, surveys::QuestionCounts> =
            row.cell.questions.clone().into_iter().collect();
        let responses = row.cell.responses;
        let shown_responses = if row.shown { responses } else { 0 };
        let results = surveys::group_results(&qs, shown_responses, &counts)
            .into_iter()
            .map(|r| {
                if row.shows(r.question_id) {
                    r
                } else {
                    surveys::QuestionResult {
                        options: vec![],
                        mean: None,
                        texts: vec![],
                        hidden: true,
                        ..r
                    }
                }
            });
        let g = GroupResults {
            label,
            responses,
            hidden: !row.shown,
            questions: qs.iter().cloned().zip(results).collect(),
        };
        match row.key {
            RowKey::Total => out.push(g),
            RowKey::Group(_) => groups.push(g),
            RowKey::Others => others = Some(g),
        }
    }
    domain::collation::sort_swedish_by(&mut groups, |g| &g.label);
    out.extend(groups);
    out.extend(others);
    Ok(out)
}

/// Results for one session. Not shown on any page: a session's figures
/// beside its course's for the term could be subtracted; pages use
/// [`results_by_course`].
pub async fn results_for_session(
    db: &Db,
    kind: SurveyKind,
    session_id: SessionId,
) -> StoreResult<GroupResults> {
    group(
        db,
        kind,
        "Kurstillfället".into(),
        "s.id = $1",
        &[session_id.get()],
    )
    .await
}
