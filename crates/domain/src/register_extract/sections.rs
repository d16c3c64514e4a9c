//! The extract's sections that are not rows of one table: the learning
//! track with the person's progress, and the sign-ins to their account.

use serde::Serialize;

use super::{local_time, Block, Extract};

/// The learning track that fits the person, and how far they have come.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackLine {
    pub track: String,
    /// `ej påbörjad`, `påbörjad`, `bas`, `fördjupning` or `spets`.
    pub level: String,
    /// Whole per cent of the base and required deepening courses.
    pub percent: u32,
    pub base_done: u32,
    pub base_total: u32,
    pub deepening_done: u32,
    pub deepening_required: u32,
    pub specialist_done: u32,
    /// The next base course, in order.
    pub next_course: Option<String>,
}

/// One sign-in to the person's account (or a failed attempt).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignIn {
    /// Unix seconds.
    pub at: i64,
    /// `login.password`, `login.oidc`, `login.failed` …
    pub action: String,
    /// Through what (web, provider).
    pub channel: String,
    /// How (second factor, provider) or why it failed.
    pub detail: String,
}

impl SignIn {
    fn what_sv(&self) -> &'static str {
        match self.action.as_str() {
            "login.password" => "inloggning med lösenord",
            "login.oidc" => "inloggning via kommunens inloggning",
            "login.failed" => "misslyckat inloggningsförsök",
            _ => "inloggning",
        }
    }
}

/// The track and sign-in sections of the document.
pub(super) fn layout(e: &Extract, out: &mut Vec<Block>) {
    out.push(Block::Heading("Lärspår".into()));
    match &e.track {
        None => out.push(Block::Paragraph(
            "Inget lärspår passar personens yrkesroll och enhet.".into(),
        )),
        Some(t) => out.push(Block::Table {
            headers: vec!["Uppgift".into(), "Värde".into()],
            rows: vec![
                vec!["Lärspår".into(), t.track.clone()],
                vec!["Nivå".into(), t.level.clone()],
                vec!["Genomfört".into(), format!("{} %", t.percent)],
                vec![
                    "Baskurser".into(),
                    format!("{} av {}", t.base_done, t.base_total),
                ],
                vec![
                    "Fördjupning".into(),
                    format!("{} av {}", t.deepening_done, t.deepening_required),
                ],
                vec!["Spetssteg".into(), t.specialist_done.to_string()],
                vec![
                    "Nästa kurs".into(),
                    t.next_course.clone().unwrap_or_else(|| "–".into()),
                ],
            ],
        }),
    }
    out.push(Block::Heading("Inloggningar".into()));
    if e.sign_ins.is_empty() {
        out.push(Block::Paragraph("Inga inloggningar.".into()));
    } else {
        out.push(Block::Table {
            headers: vec!["När".into(), "Vad".into(), "Kanal".into(), "Detalj".into()],
            rows: e
                .sign_ins
                .iter()
                .map(|s| {
                    vec![
                        local_time(s.at),
                        s.what_sv().to_string(),
                        s.channel.clone(),
                        if s.detail.is_empty() {
                            "–".into()
                        } else {
                            s.detail.clone()
                        },
                    ]
                })
                .collect(),
        });
    }
}
