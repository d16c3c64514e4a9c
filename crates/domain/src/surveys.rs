//! Surveys (enkäter): question kinds, checking answers, the hub's default
//! questions, and results that are shown only for groups of at least
//! [`MIN_GROUP`] answers so that nobody can be singled out.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;

pub mod anonymity;

/// Results are shown only for groups with at least this many answers.
pub const MIN_GROUP: i64 = 5;
pub const MAX_TEXT_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuestionKind {
    /// i hög grad (4) / i ganska hög grad (3) / i ganska låg grad (2) / i låg grad (1)
    Degree4,
    /// 1–5
    Scale5,
    /// ja (2) / delvis (1) / nej (0)
    YesPartlyNo,
    FreeText,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 4] = [
        QuestionKind::Degree4,
        QuestionKind::Scale5,
        QuestionKind::YesPartlyNo,
        QuestionKind::FreeText,
    ];
    pub fn code(self) -> &'static str {
        match self {
            QuestionKind::Degree4 => "degree4",
            QuestionKind::Scale5 => "scale5",
            QuestionKind::YesPartlyNo => "yes_partly_no",
            QuestionKind::FreeText => "text",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            QuestionKind::Degree4 => "i hög grad … i låg grad",
            QuestionKind::Scale5 => "skala 1–5",
            QuestionKind::YesPartlyNo => "ja / delvis / nej",
            QuestionKind::FreeText => "fritext",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            QuestionKind::Degree4 => "to a great extent … to a small extent",
            QuestionKind::Scale5 => "scale 1–5",
            QuestionKind::YesPartlyNo => "yes / partly / no",
            QuestionKind::FreeText => "free text",
        }
    }
    pub fn parse(s: &str) -> Option<QuestionKind> {
        QuestionKind::ALL.into_iter().find(|k| k.code() == s.trim())
    }
    /// The answer options as (stored value, Swedish label), best first.
    pub fn options(self) -> &'static [(i64, &'static str)] {
        match self {
            QuestionKind::Degree4 => &[
                (4, "i hög grad"),
                (3, "i ganska hög grad"),
                (2, "i ganska låg grad"),
                (1, "i låg grad"),
            ],
            QuestionKind::Scale5 => &[(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")],
            QuestionKind::YesPartlyNo => &[(2, "ja"), (1, "delvis"), (0, "nej")],
            QuestionKind::FreeText => &[],
        }
    }
}

/// Which indicator of the funder's report a question feeds, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Metric {
    /// Share answering i hög / i ganska hög grad.
    Helped,
    /// Mean of a 1–5 scale.
    Confidence,
    /// Share answering ja or delvis among those who answered.
    LanguageSupport,
    None,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::Helped,
        Metric::Confidence,
        Metric::LanguageSupport,
        Metric::None,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Metric::Helped => "helped",
            Metric::Confidence => "confidence",
            Metric::LanguageSupport => "language_support",
            Metric::None => "",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            Metric::Helped => "indikator: hjälpt i arbetet",
            Metric::Confidence => "indikator: trygghet",
            Metric::LanguageSupport => "indikator: språkstöd",
            Metric::None => "ingen indikator",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Metric::Helped => "indicator: helped in the work",
            Metric::Confidence => "indicator: confidence",
            Metric::LanguageSupport => "indicator: language support",
            Metric::None => "no indicator",
        }
    }
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.code() == s.trim())
    }
    /// The question kind a metric needs.
    pub fn kind(self) -> Option<QuestionKind> {
        match self {
            Metric::Helped => Some(QuestionKind::Degree4),
            Metric::Confidence => Some(QuestionKind::Scale5),
            Metric::LanguageSupport => Some(QuestionKind::YesPartlyNo),
            Metric::None => None,
        }
    }
}

/// The two kinds of survey the hub sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SurveyKind {
    Participant,
    ManagerFollowUp,
}

impl SurveyKind {
    pub fn code(self) -> &'static str {
        match self {
            SurveyKind::Participant => "participant",
            SurveyKind::ManagerFollowUp => "manager",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            SurveyKind::Participant => "deltagarenkät",
            SurveyKind::ManagerFollowUp => "uppföljning för chefer",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            SurveyKind::Participant => "participant survey",
            SurveyKind::ManagerFollowUp => "follow-up for managers",
        }
    }
    pub fn parse(s: &str) -> Option<SurveyKind> {
        [SurveyKind::Participant, SurveyKind::ManagerFollowUp]
            .into_iter()
            .find(|k| k.code() == s.trim())
    }
}

/// A question as configured by a coordinator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    pub id: i64,
    pub position: i64,
    pub kind: QuestionKind,
    pub text: String,
    pub metric: Metric,
    pub required: bool,
}

/// A question as typed in the editor, before checks.
#[derive(Debug, Clone, Default)]
pub struct QuestionDraft {
    pub text: String,
    pub kind: String,
    pub metric: String,
    pub required: bool,
}

pub struct CheckedQuestion {
    pub text: String,
    pub kind: QuestionKind,
    pub metric: Metric,
    pub required: bool,
}

pub fn check_question(d: &QuestionDraft) -> Result<CheckedQuestion, FieldErrors> {
    let mut e = FieldErrors::new();
    let text = d.text.trim().to_string();
    if text.is_empty() || text.chars().count() > 300 {
        e.add("text", "invalid_text", "Frågan måste vara 1–300 tecken.");
    }
    let kind = QuestionKind::parse(&d.kind);
    if kind.is_none() {
        e.add("kind", "invalid_kind", "Välj svarstyp.");
    }
    let metric = Metric::parse(&d.metric);
    match (metric, kind) {
        (None, _) => e.add(
            "metric",
            "invalid_metric",
            "Välj indikator eller ”ingen indikator”.",
        ),
        (Some(m), Some(k)) if m.kind().is_some_and(|mk| mk != k) => e.add(
            "metric",
            "metric_kind_mismatch",
            format!(
                "Indikatorn kräver svarstypen ”{}”.",
                m.kind().map(|k| k.label_sv()).unwrap_or_default()
            ),
        ),
        _ => {}
    }
    match (kind, metric) {
        (Some(kind), Some(metric)) if e.is_empty() => Ok(CheckedQuestion {
            text,
            kind,
            metric,
            required: d.required,
        }),
        _ => Err(e),
    }
}

/// The hub's own questions (from the 2025 annual report's survey).
pub fn default_questions(kind: SurveyKind) -> Vec<CheckedQuestion> {
    let q = |text: &str, kind, metric, required| CheckedQuestion {
        text: text.into(),
        kind,
        metric,
        required,
    };
    match kind {
        SurveyKind::Participant => vec![
            q(
                "Har kursen hjälpt dig att bli bättre i ditt arbete?",
                QuestionKind::Degree4,
                Metric::Helped,
                true,
            ),
            q(
                "Hur trygg känner du dig med att använda det du lärt dig i arbetet? (1 = inte alls, 5 = mycket trygg)",
                QuestionKind::Scale5,
                Metric::Confidence,
                true,
            ),
            q(
                "Om du behövde språkstöd under kursen: fick du det stöd du behövde? (Hoppa över frågan om du inte behövde språkstöd.)",
                QuestionKind::YesPartlyNo,
                Metric::LanguageSupport,
                false,
            ),
            q("Något annat du vill säga om kursen?", QuestionKind::FreeText, Metric::None, false),
        ],
        SurveyKind::ManagerFollowUp => vec![
            q(
                "Har kursen gjort skillnad i medarbetarnas arbete?",
                QuestionKind::Degree4,
                Metric::None,
                true,
            ),
            q(
                "Använder medarbetarna det de lärt sig i vardagen?",
                QuestionKind::YesPartlyNo,
                Metric::None,
                true,
            ),
            q("Vad behöver enheten mer?", QuestionKind::FreeText, Metric::None, false),
        ],
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum AnswerValue {
    Choice(i64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub question_id: i64,
    pub value: AnswerValue,
}

/// The form field that carries a question's answer.
pub fn field_name(question_id: i64) -> String {
    format!("q{question_id}")
}

/// Check a submitted form (field `q{id}` per question). Unanswered optional
/// questions are left out.
pub fn check_answers(
    questions: &[Question],
    form: &HashMap<String, String>,
) -> Result<Vec<Answer>, FieldErrors> {
    let mut e = FieldErrors::new();
    let mut out = Vec::new();
    for q in questions {
        let field = field_name(q.id);
        let raw = form.get(&field).map(|s| s.trim()).unwrap_or("");
        if raw.is_empty() {
            if q.required {
                e.add(&field, "required", "Svara på frågan.");
            }
            continue;
        }
        match q.kind {
            QuestionKind::FreeText => {
                if raw.chars().count() > MAX_TEXT_CHARS {
                    e.add(
                        &field,
                        "too_long",
                        format!("Svaret får vara högst {MAX_TEXT_CHARS} tecken."),
                    );
                } else {
                    out.push(Answer {
                        question_id: q.id,
                        value: AnswerValue::Text(raw.to_string()),
                    });
                }
            }
            kind => match raw
                .parse::<i64>()
                .ok()
                .filter(|v| kind.options().iter().any(|(o, _)| o == v))
            {
                Some(v) => out.push(Answer {
                    question_id: q.id,
                    value: AnswerValue::Choice(v),
                }),
                None => e.add(&field, "invalid_choice", "Välj ett av svarsalternativen."),
            },
        }
    }
    e.into_result(out)
}

/// Counts for one question in one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QuestionCounts {
    /// (value, count) for choice questions.
    pub counts: Vec<(i64, i64)>,
    pub texts: Vec<String>,
}

impl QuestionCounts {
    pub fn answered(&self) -> i64 {
        self.counts.iter().map(|(_, n)| n).sum::<i64>() + self.texts.len() as i64
    }
    pub fn count_of(&self, value: i64) -> i64 {
        self.counts
            .iter()
            .filter(|(v, _)| *v == value)
            .map(|(_, n)| n)
            .sum()
    }
    pub fn mean(&self) -> Option<f64> {
        let n: i64 = self.counts.iter().map(|(_, n)| n).sum();
        (n > 0).then(|| self.counts.iter().map(|(v, c)| (v * c) as f64).sum::<f64>() / n as f64)
    }
}

/// The result for one question, or nothing if too few answered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub question_id: i64,
    pub answered: i64,
    /// (label, count, share %) for choice questions; empty when hidden.
    pub options: Vec<(String, i64, f64)>,
    pub mean: Option<f64>,
    pub texts: Vec<String>,
    pub hidden: bool,
}

/// Results for a group of `responses` answers. Everything is hidden when
/// the group is smaller than [`MIN_GROUP`], and each question's figures
/// when fewer than [`MIN_GROUP`] answered that question.
pub fn group_results(
    questions: &[Question],
    responses: i64,
    counts: &HashMap<i64, QuestionCounts>,
) -> Vec<QuestionResult> {
    questions
        .iter()
        .map(|q| {
            let c = counts.get(&q.id).cloned().unwrap_or_default();
            let answered = c.answered();
            let hidden = responses < MIN_GROUP || answered < MIN_GROUP;
            if hidden {
                return QuestionResult {
                    question_id: q.id,
                    answered: if responses < MIN_GROUP { 0 } else { answered },
                    options: vec![],
                    mean: None,
                    texts: vec![],
                    hidden: true,
                };
            }
            let options = q
                .kind
                .options()
                .iter()
                .map(|(v, label)| {
                    let n = c.count_of(*v);
                    (label.to_string(), n, n as f64 * 100.0 / answered as f64)
                })
                .collect();
            QuestionResult {
                question_id: q.id,
                answered,
                options,
                mean: (q.kind == QuestionKind::Scale5).then(|| c.mean()).flatten(),
                texts: c.texts.clone(),
                hidden: false,
            }
        })
        .collect()
}

/// Sums the report needs, gathered from all participant answers in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricCounts {
    pub responses: i64,
    pub helped_answered: i64,
    pub helped_high: i64,
    pub confidence_answered: i64,
    pub confidence_sum: i64,
    pub language_answered: i64,
    pub language_met: i64,
}

/// The survey part of the indicator report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SurveySummary {
    pub responses: i64,
    /// Share answering i hög or i ganska hög grad, %.
    pub helped_high_pct: Option<f64>,
    /// Mean confidence, 1–5.
    pub confidence_mean: Option<f64>,
    /// Share of those who needed language support who got it fully or partly, %.
    pub language_support_met_pct: Option<f64>,
    /// True when figures are withheld because fewer than five answered.
    pub withheld: bool,
    /// True when withheld because the period is not made of whole terms
    /// (see [`anonymity`]): figures for arbitrary dates could be subtracted.
    pub needs_whole_terms: bool,
}

pub fn summarize(m: &MetricCounts) -> SurveySummary {
    if m.responses < MIN_GROUP {
        return SurveySummary {
            responses: m.responses,
            withheld: true,
            ..Default::default()
        };
    }
    let share =
        |part: i64, whole: i64| (whole >= MIN_GROUP).then(|| part as f64 * 100.0 / whole as f64);
    SurveySummary {
        responses: m.responses,
        helped_high_pct: share(m.helped_high, m.helped_answered),
        confidence_mean: (m.confidence_answered >= MIN_GROUP)
            .then(|| m.confidence_sum as f64 / m.confidence_answered as f64),
        language_support_met_pct: share(m.language_met, m.language_answered),
        withheld: false,
        needs_whole_terms: false,
    }
}

/// When a manager follow-up is due: `months` after the session.
pub fn follow_up_due(session_date: NaiveDate, months: u32) -> NaiveDate {
    session_date
        .checked_add_months(Months::new(months))
        .unwrap_or(session_date)
}

labelled!(QuestionKind);
labelled!(Metric);

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Vec<Question> {
        default_questions(SurveyKind::Participant)
            .into_iter()
            .enumerate()
            .map(|(i, c)| Question {
                id: i as i64 + 1,
                position: i as i64,
                kind: c.kind,
                text: c.text,
                metric: c.metric,
                required: c.required,
            })
            .collect()
    }

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_hubs_questions_feed_the_three_indicators() {
        let q = questions();
        assert_eq!(q[0].metric, Metric::Helped);
        assert_eq!(q[1].metric, Metric::Confidence);
        assert_eq!(q[2].metric, Metric::LanguageSupport);
        assert!(!q[2].required, "only those who needed support answer");
        assert_eq!(
            QuestionKind::Degree4
                .options()
                .iter()
                .map(|o| o.1)
                .collect::<Vec<_>>(),
            [
                "i hög grad",
                "i ganska hög grad",
                "i ganska låg grad",
                "i låg grad"
            ]
        );
    }

    #[test]
    fn answers_are_checked_per_field() {
        let q = questions();
        let ok = check_answers(&q, &form(&[("q1", "4"), ("q2", "5"), ("q4", "Bra!")])).unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[2].value, AnswerValue::Text("Bra!".into()));
        let e = check_answers(
            &q,
            &form(&[("q1", "7"), ("q3", "x"), ("q4", &"å".repeat(2001))]),
        )
        .unwrap_err();
        let f: Vec<_> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["q1", "q2", "q3", "q4"]);
    }

    #[test]
    fn small_groups_are_hidden() {
        let q = questions();
        let mut counts = HashMap::new();
        counts.insert(
            1,
            QuestionCounts {
                counts: vec![(4, 3), (3, 1)],
                texts: vec![],
            },
        );
        let r = group_results(&q, 4, &counts);
        assert!(r
            .iter()
            .all(|x| x.hidden && x.options.is_empty() && x.answered == 0));
        counts.insert(
            1,
            QuestionCounts {
                counts: vec![(4, 4), (3, 1)],
                texts: vec![],
            },
        );
        counts.insert(
            2,
            QuestionCounts {
                counts: vec![(5, 2), (4, 3)],
                texts: vec![],
            },
        );
        counts.insert(
            3,
            QuestionCounts {
                counts: vec![(2, 2)],
                texts: vec![],
            },
        );
        let r = group_results(&q, 5, &counts);
        assert!(!r[0].hidden);
        assert_eq!(r[0].options[0], ("i hög grad".to_string(), 4, 80.0));
        assert!((r[1].mean.unwrap() - 4.4).abs() < 1e-9);
        // Only two answered the language question: hidden even though the group is 5.
        assert!(r[2].hidden);
        assert_eq!(r[2].answered, 2);
    }

    #[test]
    fn summary_is_withheld_below_five_and_computed_above() {
        let s = summarize(&MetricCounts {
            responses: 4,
            helped_answered: 4,
            helped_high: 4,
            ..Default::default()
        });
        assert!(s.withheld && s.helped_high_pct.is_none());
        let s = summarize(&MetricCounts {
            responses: 100,
            helped_answered: 100,
            helped_high: 87,
            confidence_answered: 100,
            confidence_sum: 460,
            language_answered: 12,
            language_met: 12,
        });
        assert_eq!(s.helped_high_pct, Some(87.0));
        assert!((s.confidence_mean.unwrap() - 4.6).abs() < 1e-9);
        assert_eq!(s.language_support_met_pct, Some(100.0));
        let s = summarize(&MetricCounts {
            responses: 10,
            language_answered: 3,
            language_met: 3,
            ..Default::default()
        });
        assert_eq!(s.language_support_met_pct, None);
    }

    #[test]
    fn metric_must_match_question_kind() {
        let e = check_question(&QuestionDraft {
            text: "Hur trygg?".into(),
            kind: "text".into(),
            metric: "confidence".into(),
            required: true,
        })
        .err()
        .unwrap();
        assert_eq!(e.0[0].field, "metric");
        assert!(check_question(&QuestionDraft {
            text: "".into(),
            kind: "x".into(),
            metric: "".into(),
            required: false
        })
        .is_err());
    }

    #[test]
    fn follow_up_months_later() {
        let d = NaiveDate::from_ymd_opt(2026, 8, 31).unwrap();
        assert_eq!(
            follow_up_due(d, 6),
            NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()
        );
    }
}
