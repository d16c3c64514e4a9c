//! Survey results that stay anonymous when views are compared.
//!
//! Hiding a group of fewer than [`MIN_GROUP`] answers is not enough on its
//! own: "all courses" minus the courses shown gives the hidden one, and two
//! periods a day apart give that day's answers. So:
//!
//! - results are given for **fixed periods** only — a term (January–June,
//!   July–December) or a year — never for arbitrary dates;
//! - within a term, groups under the threshold are put together in an
//!   **"others" bucket**; if the bucket itself has fewer than
//!   [`MIN_GROUP`] answers, the next-smallest group joins it, until it has
//!   enough (or everything is hidden because the whole term has too few).
//!   The total minus the groups shown is then the bucket, which is shown
//!   anyway;
//! - per question, the total's figure is hidden when the answers hidden in
//!   the groups and the bucket add up to fewer than [`MIN_GROUP`]
//!   (complementary suppression);
//! - a year shows only sums of what its terms show: a course is shown for
//!   the year only if each of its terms shows it, otherwise it goes to the
//!   year's bucket; a figure of the year is hidden if any term hides a part
//!   of it. Nothing can be learnt from a year that its terms do not tell.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use super::{summarize, MetricCounts, QuestionCounts, SurveySummary, MIN_GROUP};

/// A period survey results are given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResultPeriod {
    /// January–June (`autumn: false`) or July–December.
    Term {
        year: i32,
        autumn: bool,
    },
    Year(i32),
}

impl ResultPeriod {
    /// `2026` (the year), `2026-vt` (spring term) or `2026-ht` (autumn term).
    pub fn parse(s: &str) -> Option<ResultPeriod> {
        let s = s.trim().to_lowercase();
        let (y, half) = match s.split_once('-') {
            Some((y, h)) => (y, Some(h)),
            None => (s.as_str(), None),
        };
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        if !(1900..=9998).contains(&year) {
            return None;
        }
        match half {
            None => Some(ResultPeriod::Year(year)),
            Some("vt") => Some(ResultPeriod::Term {
                year,
                autumn: false,
            }),
            Some("ht") => Some(ResultPeriod::Term { year, autumn: true }),
            Some(_) => None,
        }
    }
    pub fn code(&self) -> String {
        match self {
            ResultPeriod::Year(y) => format!("{y}"),
            ResultPeriod::Term { year, autumn } => {
                format!("{year}-{}", if *autumn { "ht" } else { "vt" })
            }
        }
    }
    pub fn label_sv(&self) -> String {
        match self {
            ResultPeriod::Year(y) => format!("helåret {y}"),
            ResultPeriod::Term {
                year,
                autumn: false,
            } => format!("vårterminen {year} (jan–jun)"),
            ResultPeriod::Term { year, autumn: true } => {
                format!("höstterminen {year} (jul–dec)")
            }
        }
    }
    pub fn label_en(&self) -> String {
        match self {
            ResultPeriod::Year(y) => format!("the year {y}"),
            ResultPeriod::Term {
                year,
                autumn: false,
            } => format!("spring term {year} (Jan–Jun)"),
            ResultPeriod::Term { year, autumn: true } => {
                format!("autumn term {year} (Jul–Dec)")
            }
        }
    }
    pub fn first_day(&self) -> NaiveDate {
        let (y, m) = match self {
            ResultPeriod::Year(y) => (*y, 1),
            ResultPeriod::Term { year, autumn } => (*year, if *autumn { 7 } else { 1 }),
        };
        NaiveDate::from_ymd_opt(y, m, 1).expect("a valid first day")
    }
    pub fn last_day(&self) -> NaiveDate {
        let (y, m, d) = match self {
            ResultPeriod::Year(y) => (*y, 12, 31),
            ResultPeriod::Term { year, autumn } => {
                if *autumn {
                    (*year, 12, 31)
                } else {
                    (*year, 6, 30)
                }
            }
        };
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid last day")
    }
    /// The terms the period is made of, in order.
    pub fn terms(&self) -> Vec<ResultPeriod> {
        match self {
            ResultPeriod::Year(year) => vec![
                ResultPeriod::Term {
                    year: *year,
                    autumn: false,
                },
                ResultPeriod::Term {
                    year: *year,
                    autumn: true,
                },
            ],
            term => vec![*term],
        }
    }
    /// The term a day belongs to.
    pub fn term_of(day: NaiveDate) -> ResultPeriod {
        ResultPeriod::Term {
            year: day.year(),
            autumn: day.month() >= 7,
        }
    }
    /// The periods to choose from: the current and earlier terms and years,
    /// newest first, going `years` years back.
    pub fn choices(today: NaiveDate, years: i32) -> Vec<ResultPeriod> {
        let mut out = vec![];
        for year in (today.year() - years + 1..=today.year()).rev() {
            if year < today.year() || today.month() >= 7 {
                out.push(ResultPeriod::Term { year, autumn: true });
            }
            out.push(ResultPeriod::Term {
                year,
                autumn: false,
            });
            out.push(ResultPeriod::Year(year));
        }
        out
    }
    /// The terms that make up exactly `from`–`to`, if the dates are whole
    /// terms (a report period of 2025-01-01–2025-12-31 is two terms;
    /// 2025-01-02–2025-12-31 is none).
    pub fn whole_terms(from: NaiveDate, to: NaiveDate) -> Option<Vec<ResultPeriod>> {
        let first = ResultPeriod::term_of(from);
        if first.first_day() != from || to < from {
            return None;
        }
        let mut out = vec![];
        let mut t = first;
        loop {
            out.push(t);
            let end = t.last_day();
            if end == to {
                return Some(out);
            }
            if end > to || out.len() > 1000 {
                return None;
            }
            t = ResultPeriod::term_of(end.succ_opt()?);
        }
    }
}

/// The answers of one group (or several together).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub responses: i64,
    pub questions: BTreeMap<i64, QuestionCounts>,
}

impl Cell {
    pub fn answered(&self, question_id: i64) -> i64 {
        self.questions
            .get(&question_id)
            .map_or(0, QuestionCounts::answered)
    }
    pub fn add(&mut self, other: &Cell) {
        self.responses += other.responses;
        for (q, c) in &other.questions {
            let mine = self.questions.entry(*q).or_default();
            for (v, n) in &c.counts {
                match mine.counts.iter_mut().find(|(mv, _)| mv == v) {
                    Some((_, mn)) => *mn += n,
                    None => mine.counts.push((*v, *n)),
                }
            }
            mine.counts.sort_unstable();
            mine.texts.extend(c.texts.iter().cloned());
        }
    }
    fn sum<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> Cell {
        let mut out = Cell::default();
        for c in cells {
            out.add(c);
        }
        out
    }
}

/// Which row of a result table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowKey<K> {
    /// All groups together.
    Total,
    Group(K),
    /// The groups too small to be shown on their own, together.
    Others,
}

/// One row of a result table and what of it may be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<K> {
    pub key: RowKey<K>,
    pub cell: Cell,
    /// The groups whose answers the row holds.
    pub members: Vec<K>,
    /// False when nothing of the row may be shown.
    pub shown: bool,
    /// Questions whose figures may not be shown in this row.
    pub hidden_questions: BTreeSet<i64>,
}

impl<K> Row<K> {
    /// Whether the figures for `question_id` may be shown.
    pub fn shows(&self, question_id: i64) -> bool {
        self.shown && !self.hidden_questions.contains(&question_id)
    }
    /// Whether a question is hidden while some answered it (a part of the
    /// row's answers someone could try to work out).
    fn hides_answers(&self, question_id: i64) -> bool {
        !self.shows(question_id) && self.cell.answered(question_id) > 0
    }
}

/// A table of results: the total first, then the groups shown, then the
/// others bucket (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct Table<K> {
    pub rows: Vec<Row<K>>,
}

impl<K: Clone + Ord> Table<K> {
    pub fn total(&self) -> &Row<K> {
        &self.rows[0]
    }
    pub fn row(&self, key: &RowKey<K>) -> Option<&Row<K>> {
        self.rows.iter().find(|r| &r.key == key)
    }
    /// Where a group's answers are: its own row, or the others bucket.
    pub fn row_of(&self, group: &K) -> Option<&Row<K>> {
        self.rows.iter().skip(1).find(|r| r.members.contains(group))
    }
}

fn question_ids<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> BTreeSet<i64> {
    cells
        .into_iter()
        .flat_map(|c| c.questions.keys().copied())
        .collect()
}

/// Per-question hiding inside a shown row: fewer than [`MIN_GROUP`] answers.
fn small_questions(cell: &Cell) -> BTreeSet<i64> {
    cell.questions
        .keys()
        .copied()
        .filter(|q| cell.answered(*q) < MIN_GROUP)
        .collect()
}

/// The results of one term, one group per course (or whatever `K` is).
pub fn term_table<K: Clone + Ord>(groups: Vec<(K, Cell)>) -> Table<K> {
    let mut groups: Vec<(K, Cell)> = groups.into_iter().filter(|g| g.1.responses > 0).collect();
    groups.sort_by(|a, b| a.1.responses.cmp(&b.1.responses).then(a.0.cmp(&b.0)));
    let total = Cell::sum(groups.iter().map(|g| &g.1));
    let (mut hidden, mut shown): (Vec<_>, Vec<_>) =
        groups.into_iter().partition(|g| g.1.responses < MIN_GROUP);
    let mut bucket: i64 = hidden.iter().map(|g| g.1.responses).sum();
    // The bucket must hold enough answers itself: add the next-smallest.
    while bucket > 0 && bucket < MIN_GROUP && !shown.is_empty() {
        let g = shown.remove(0);
        bucket += g.1.responses;
        hidden.push(g);
    }
    let total_shown = total.responses >= MIN_GROUP;
    let mut rows = vec![];
    for (k, cell) in shown {
        rows.push(Row {
            key: RowKey::Group(k.clone()),
            hidden_questions: small_questions(&cell),
            cell,
            members: vec![k],
            shown: true,
        });
    }
    if !hidden.is_empty() {
        let cell = Cell::sum(hidden.iter().map(|g| &g.1));
        let shown = bucket >= MIN_GROUP;
        rows.push(Row {
            key: RowKey::Others,
            hidden_questions: if shown {
                small_questions(&cell)
            } else {
                question_ids([&cell])
            },
            cell,
            members: hidden.into_iter().map(|g| g.0).collect(),
            shown,
        });
    }
    // Complementary suppression per question: the total minus what is shown
    // must not give fewer than MIN_GROUP hidden answers.
    let mut total_hidden = if total_shown {
        small_questions(&total)
    } else {
        question_ids([&total])
    };
    for q in question_ids([&total]) {
        let hidden_answers: i64 = rows
            .iter()
            .filter(|r| r.hides_answers(q))
            .map(|r| r.cell.answered(q))
            .sum();
        if hidden_answers > 0 && hidden_answers < MIN_GROUP {
            total_hidden.insert(q);
        }
    }
    let mut out = vec![Row {
        key: RowKey::Total,
        members: rows.iter().flat_map(|r| r.members.clone()).collect(),
        cell: total,
        shown: total_shown,
        hidden_questions: total_hidden,
    }];
    out.extend(rows);
    Table { rows: out }
}

/// A year from its terms' tables: only sums of what the terms show.
pub fn year_table<K: Clone + Ord>(terms: &[Table<K>]) -> Table<K> {
    // Every part of a year row must be shown (or empty) in its term.
    fn combine<K: Clone + Ord>(key: RowKey<K>, parts: &[&Row<K>], members: Vec<K>) -> Row<K> {
        let cell = Cell::sum(parts.iter().map(|p| &p.cell));
        let shown = parts.iter().all(|p| p.shown || p.cell.responses == 0);
        let mut hidden_questions: BTreeSet<i64> = question_ids(parts.iter().map(|p| &p.cell))
            .into_iter()
            .filter(|q| parts.iter().any(|p| p.hides_answers(*q)))
            .collect();
        if !shown {
            hidden_questions.extend(question_ids([&cell]));
        }
        hidden_questions.extend(small_questions(&cell));
        Row {
            key,
            cell,
            members,
            shown: shown && parts.iter().map(|p| p.cell.responses).sum::<i64>() >= MIN_GROUP,
            hidden_questions,
        }
    }
    let totals: Vec<&Row<K>> = terms.iter().map(|t| t.total()).collect();
    let mut all: BTreeSet<K> = BTreeSet::new();
    for t in terms {
        for r in t.rows.iter().skip(1) {
            all.extend(r.members.iter().cloned());
        }
    }
    let mut groups = vec![];
    let mut others_parts: Vec<&Row<K>> = terms
        .iter()
        .filter_map(|t| t.row(&RowKey::Others))
        .collect();
    let mut others_members: BTreeSet<K> = others_parts
        .iter()
        .flat_map(|r| r.members.iter().cloned())
        .collect();
    for k in all {
        let parts: Vec<&Row<K>> = terms.iter().filter_map(|t| t.row_of(&k)).collect();
        let own_row_everywhere = parts.iter().all(|p| p.key == RowKey::Group(k.clone()));
        if own_row_everywhere {
            groups.push(combine(RowKey::Group(k.clone()), &parts, vec![k]));
        } else {
            // Shown in one term, bucketed in another: the year buckets it too.
            others_parts.extend(
                parts
                    .into_iter()
                    .filter(|p| p.key == RowKey::Group(k.clone())),
            );
            others_members.insert(k);
        }
    }
    let mut rows = vec![combine(
        RowKey::Total,
        &totals,
        totals.iter().flat_map(|r| r.members.clone()).collect(),
    )];
    rows.extend(groups);
    if !others_parts.is_empty() {
        rows.push(combine(
            RowKey::Others,
            &others_parts,
            others_members.into_iter().collect(),
        ));
    }
    Table { rows }
}

/// The results of a period: a term's table, or a year built from its two.
pub fn period_table<K: Clone + Ord>(terms: Vec<Vec<(K, Cell)>>) -> Table<K> {
    let mut tables: Vec<Table<K>> = terms.into_iter().map(term_table).collect();
    if tables.len() == 1 {
        tables.pop().expect("one table")
    } else {
        year_table(&tables)
    }
}

/// The survey part of a report over whole terms: shown only if each term
/// could be shown on its own (or had no answers), each figure likewise, so
/// that a longer period minus a shorter one tells nothing a term hides.
pub fn summary_over_terms(terms: &[MetricCounts]) -> SurveySummary {
    let mut sum = MetricCounts::default();
    for t in terms {
        sum.responses += t.responses;
        sum.helped_answered += t.helped_answered;
        sum.helped_high += t.helped_high;
        sum.confidence_answered += t.confidence_answered;
        sum.confidence_sum += t.confidence_sum;
        sum.language_answered += t.language_answered;
        sum.language_met += t.language_met;
    }
    let enough = |f: fn(&MetricCounts) -> i64| terms.iter().all(|t| f(t) == 0 || f(t) >= MIN_GROUP);
    if !enough(|t| t.responses) {
        return SurveySummary {
            responses: sum.responses,
            withheld: true,
            ..Default::default()
        };
    }
    let mut s = summarize(&sum);
    if !enough(|t| t.helped_answered) {
        s.helped_high_pct = None;
    }
    if !enough(|t| t.confidence_answered) {
        s.confidence_mean = None;
    }
    if !enough(|t| t.language_answered) {
        s.language_support_met_pct = None;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: i64 = 1;
    const OPTIONAL: i64 = 2;

    /// `n` responses, all answering Q with 4; `optional` of them answering OPTIONAL.
    fn cell(n: i64, optional: i64) -> Cell {
        let mut questions = BTreeMap::new();
        if n > 0 {
            questions.insert(
                Q,
                QuestionCounts {
                    counts: vec![(4, n)],
                    texts: vec![],
                },
            );
        }
        if optional > 0 {
            questions.insert(
                OPTIONAL,
                QuestionCounts {
                    counts: vec![(2, optional)],
                    texts: vec![],
                },
            );
        }
        Cell {
            responses: n,
            questions,
        }
    }

    fn value(t: &Table<&'static str>, key: RowKey<&'static str>) -> Option<i64> {
        t.row(&key).filter(|r| r.shown).map(|r| r.cell.responses)
    }

    #[test]
    fn periods_are_terms_and_years() {
        let vt = ResultPeriod::parse("2026-vt").unwrap();
        assert_eq!(vt.first_day().to_string(), "2026-01-01");
        assert_eq!(vt.last_day().to_string(), "2026-06-30");
        assert_eq!(ResultPeriod::parse(" 2026-HT ").unwrap().code(), "2026-ht");
        let y = ResultPeriod::parse("2026").unwrap();
        assert_eq!(y.terms().len(), 2);
        assert_eq!(y.last_day().to_string(), "2026-12-31");
        for bad in ["", "26", "2026-01-01", "2026-q1", "x", "20266", "-2026"] {
            assert_eq!(ResultPeriod::parse(bad), None, "{bad}");
        }
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            ResultPeriod::term_of(d("2026-07-01")),
            ResultPeriod::parse("2026-ht").unwrap()
        );
        assert_eq!(
            ResultPeriod::whole_terms(d("2025-01-01"), d("2025-12-31")).unwrap(),
            ResultPeriod::parse("2025").unwrap().terms()
        );
        assert_eq!(
            ResultPeriod::whole_terms(d("2025-07-01"), d("2026-06-30"))
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            ResultPeriod::whole_terms(d("2025-01-02"), d("2025-12-31")),
            None
        );
        assert_eq!(
            ResultPeriod::whole_terms(d("2025-01-01"), d("2025-12-30")),
            None
        );
        let choices = ResultPeriod::choices(d("2026-03-14"), 2);
        assert_eq!(
            choices.iter().map(|p| p.code()).collect::<Vec<_>>(),
            ["2026-vt", "2026", "2025-ht", "2025-vt", "2025"]
        );
    }

    #[test]
    fn all_courses_minus_the_shown_ones_gives_only_the_bucket() {
        // B has 3 answers: hidden. Alone in the bucket it would be 3, so the
        // next-smallest course (C, 7) joins it.
        let t = term_table(vec![
            ("A", cell(12, 0)),
            ("B", cell(3, 0)),
            ("C", cell(7, 0)),
        ]);
        assert_eq!(value(&t, RowKey::Group("B")), None);
        assert_eq!(
            value(&t, RowKey::Group("C")),
            None,
            "C completes the bucket"
        );
        assert_eq!(value(&t, RowKey::Others), Some(10));
        // The subtraction: all courses minus every course shown.
        let total = value(&t, RowKey::Total).unwrap();
        let shown: i64 = ["A", "B", "C"]
            .into_iter()
            .filter_map(|k| value(&t, RowKey::Group(k)))
            .sum();
        assert_eq!(total - shown, 10, "only B and C together, never B");
        assert!(total - shown >= MIN_GROUP);
    }

    #[test]
    fn a_term_with_too_few_answers_shows_nothing() {
        let t = term_table(vec![("A", cell(2, 0)), ("B", cell(2, 0))]);
        assert!(t.rows.iter().all(|r| !r.shown));
    }

    #[test]
    fn question_totals_are_suppressed_when_the_hidden_answers_are_few() {
        // Everyone answered Q; only a few the optional question: 2 in A, 6 in B.
        let t = term_table(vec![("A", cell(8, 2)), ("B", cell(9, 6))]);
        let a = t.row(&RowKey::Group("A")).unwrap();
        assert!(a.shows(Q) && !a.shows(OPTIONAL));
        assert!(t.row(&RowKey::Group("B")).unwrap().shows(OPTIONAL));
        // Total(OPTIONAL) minus B(OPTIONAL) would give A's two answers.
        assert!(!t.total().shows(OPTIONAL));
        assert!(t.total().shows(Q));
        // With enough hidden answers the total can be shown: 3 + 3 hidden.
        let t = term_table(vec![
            ("A", cell(8, 3)),
            ("B", cell(9, 3)),
            ("C", cell(9, 6)),
        ]);
        assert!(t.total().shows(OPTIONAL));
    }

    #[test]
    fn a_year_minus_a_term_gives_nothing_hidden() {
        // B: 3 answers in the spring (hidden), 6 in the autumn (shown).
        let vt = vec![("A", cell(12, 0)), ("B", cell(3, 0)), ("C", cell(7, 0))];
        let ht = vec![("A", cell(9, 0)), ("B", cell(6, 0))];
        let spring = term_table(vt.clone());
        let autumn = term_table(ht.clone());
        let year = period_table(vec![vt, ht]);
        assert_eq!(value(&autumn, RowKey::Group("B")), Some(6));
        // The attack: B for the year minus B in the autumn.
        assert_eq!(value(&year, RowKey::Group("B")), None);
        assert_eq!(value(&year, RowKey::Group("A")), Some(21));
        // The year's bucket is the spring bucket plus B's autumn answers,
        // both shown already.
        assert_eq!(
            value(&year, RowKey::Others),
            Some(value(&spring, RowKey::Others).unwrap() + 6)
        );
        assert_eq!(
            value(&year, RowKey::Total),
            Some(value(&spring, RowKey::Total).unwrap() + value(&autumn, RowKey::Total).unwrap())
        );
    }

    #[test]
    fn a_year_with_a_hidden_term_total_is_hidden() {
        let vt = vec![("A", cell(3, 0))];
        let ht = vec![("A", cell(20, 0))];
        let year = period_table(vec![vt, ht]);
        // Year minus autumn would give the spring's three answers.
        assert_eq!(value(&year, RowKey::Total), None);
        assert_eq!(value(&year, RowKey::Group("A")), None);
        assert_eq!(value(&year, RowKey::Others), None);
    }

    #[test]
    fn reports_over_whole_terms_only_add_shown_terms() {
        let term = |n: i64, lang: i64| MetricCounts {
            responses: n,
            helped_answered: n,
            helped_high: n,
            language_answered: lang,
            language_met: lang,
            ..Default::default()
        };
        let s = summary_over_terms(&[term(3, 0), term(20, 0)]);
        assert!(
            s.withheld,
            "the year minus the autumn would give the spring"
        );
        let s = summary_over_terms(&[term(6, 2), term(20, 9)]);
        assert!(!s.withheld);
        assert_eq!(s.helped_high_pct, Some(100.0));
        assert_eq!(s.language_support_met_pct, None);
        let s = summary_over_terms(&[term(0, 0), term(20, 9)]);
        assert_eq!(s.language_support_met_pct, Some(100.0));
    }

    /// Every set of groups (a bit per term and course) an adversary can
    /// work out by adding and subtracting shown figures.
    fn derivable(published: Vec<(u8, i64)>) -> Vec<(u8, i64)> {
        let mut known: [Option<i64>; 64] = [None; 64];
        for (set, v) in published {
            known[set as usize] = Some(v);
        }
        loop {
            let mut changed = false;
            for a in 0..64_usize {
                let Some(va) = known[a] else { continue };
                for b in 0..64_usize {
                    let Some(vb) = known[b] else { continue };
                    if a != b && a & b == b && known[a & !b].is_none() {
                        known[a & !b] = Some(va - vb);
                        changed = true;
                    }
                    if a & b == 0 && known[a | b].is_none() {
                        known[a | b] = Some(va + vb);
                        changed = true;
                    }
                }
            }
            if !changed {
                return (0..64_u8)
                    .filter_map(|i| known[i as usize].map(|v| (i, v)))
                    .collect();
            }
        }
    }

    const KEYS: [&str; 3] = ["A", "B", "C"];

    fn bit(term: u8, key: &str) -> u8 {
        let i = KEYS.iter().position(|k| *k == key).expect("a key") as u8;
        1 << (term * 3 + i)
    }

    fn published(
        t: &Table<&'static str>,
        term: Option<u8>,
        question: Option<i64>,
    ) -> Vec<(u8, i64)> {
        t.rows
            .iter()
            .filter(|r| match question {
                None => r.shown,
                Some(q) => r.shows(q),
            })
            .map(|r| {
                let terms: Vec<u8> = term.map_or(vec![0, 1], |t| vec![t]);
                let set = terms
                    .iter()
                    .flat_map(|t| r.members.iter().map(move |m| bit(*t, m)))
                    .fold(0, |acc, b| acc | b);
                let v = match question {
                    None => r.cell.responses,
                    Some(q) => r.cell.answered(q),
                };
                (set, v)
            })
            .collect()
    }

    /// The subtraction attack, tried on many small data sets: whatever can
    /// be worked out from the terms and the year together is either empty
    /// or holds at least five answers — for the responses and per question.
    #[test]
    fn no_subtraction_recovers_a_small_group() {
        let sizes = [0_i64, 1, 3, 4, 5, 7];
        let mut tried = 0;
        for a in sizes {
            for b in sizes {
                for c in sizes {
                    for shift in 0..3_i64 {
                        let spring: Vec<_> = KEYS
                            .iter()
                            .zip([a, b, c])
                            .map(|(k, n)| (*k, cell(n, n.min(shift + 1))))
                            .collect();
                        let autumn: Vec<_> = KEYS
                            .iter()
                            .zip([c, (a + shift) % 8, b])
                            .map(|(k, n)| (*k, cell(n, n / 2)))
                            .collect();
                        let atoms: Vec<(u8, &Cell)> = spring
                            .iter()
                            .map(|(k, c)| (bit(0, k), c))
                            .chain(autumn.iter().map(|(k, c)| (bit(1, k), c)))
                            .collect();
                        let t0 = term_table(spring.clone());
                        let t1 = term_table(autumn.clone());
                        let y = year_table(&[t0.clone(), t1.clone()]);
                        for question in [None, Some(Q), Some(OPTIONAL)] {
                            let mut p = published(&t0, Some(0), question);
                            p.extend(published(&t1, Some(1), question));
                            p.extend(published(&y, None, question));
                            for (set, v) in derivable(p) {
                                let real: i64 = atoms
                                    .iter()
                                    .filter(|(b, _)| set & b != 0)
                                    .map(|(_, c)| match question {
                                        None => c.responses,
                                        Some(q) => c.answered(q),
                                    })
                                    .sum();
                                assert_eq!(v, real, "figures are sums of their groups");
                                assert!(
                                    v == 0 || v >= MIN_GROUP,
                                    "set {set:06b} worked out as {v} answers from spring {spring:?} autumn {autumn:?} ({question:?})"
                                );
                            }
                            tried += 1;
                        }
                    }
                }
            }
        }
        assert!(tried > 1000);
    }
}
