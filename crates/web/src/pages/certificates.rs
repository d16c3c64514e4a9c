//! Course certificates (kursintyg): PDF with embedded fonts (DejaVu Sans,
//! shipped in `assets/fonts` with its licence) so å ä ö render everywhere,
//! a QR code to the public verification page, bulk download per session or
//! unit, the expiring-completions view and reminders.

use std::io::Write;

use crate::pdf;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::tagging::{ArtifactType, Node, TableHeaderScope, Tag};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use navet_store::completions::{self, Completion};
use serde::Deserialize;

use crate::ctx::Ctx;
pub use crate::usecase::certificates::MineRow;
use crate::usecase::certificates::{Expiring, Verification};
use crate::usecase::{Guest, UseCase};
use crate::{render, AppError, AppState, PageResult};

pub const ISSUER: &str = "Kompetensnavet – Örebro läns kommuner";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mina-intyg", get(mine))
        .route("/intyg/person/{id}", get(person_list))
        .route("/intyg/{file}", get(pdf))
        .route("/intyg/utgaende", get(expiring))
        .route("/intyg/paminnelser", post(remind))
        .route("/tillfallen/{id}/intyg.zip", get(session_zip))
        .route("/enheter/{id}/intyg.zip", get(unit_zip))
        .route("/verifiera", get(verify_form))
        .route("/verifiera/", get(verify_form))
        .route("/verifiera/{code}", get(verify_code))
}

fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = vec![];
    let mut cur = String::new();
    for w in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > max {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// One certificate as a one-page A4 PDF, tagged for screen readers.
pub fn certificate_pdf(c: &Completion, verify_url: &str) -> Result<Vec<u8>, String> {
    let regular =
        Font::new(pdf::REGULAR.to_vec().into(), 0).ok_or("typsnittet kunde inte läsas")?;
    let bold = Font::new(pdf::BOLD.to_vec().into(), 0).ok_or("typsnittet kunde inte läsas")?;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(format!(
                "Kursintyg {} – {}",
                c.certificate_no, c.person_name
            ))
            .creator("Navet".into())
            .language("sv-SE".into()),
    );
    let mut page = doc.start_page_with(PageSettings::from_wh(595.0, 842.0).ok_or("sidstorlek")?);
    let mut s = page.surface();
    let ink = |r, g, b| Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    };
    let text = |s: &mut Surface, x: f32, y: f32, font: &Font, size: f32, t: &str| {
        pdf::span(s, |s| {
            s.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                t,
                false,
                TextDirection::Auto,
            )
        })
    };
    let mut nodes: Vec<Node> = Vec::new();
    // A coloured band with the heading.
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(0.0, 0.0, 595.0, 90.0).ok_or("rect")?);
    let band = pb.finish().ok_or("path")?;
    pdf::artifact(&mut s, ArtifactType::Layout, |s| {
        s.set_fill(Some(ink(0x1d, 0x4e, 0x6b)));
        s.draw_path(&band);
    });
    s.set_fill(Some(ink(0xff, 0xff, 0xff)));
    let h = text(&mut s, 60.0, 55.0, &bold, 30.0, "KURSINTYG");
    nodes.push(pdf::heading(1, vec![h.into()]));
    s.set_fill(Some(ink(0x11, 0x11, 0x11)));
    let mut y = 150.0;
    let mut paragraph =
        |s: &mut Surface, y: &mut f32, lines: Vec<String>, font: &Font, size: f32, gap: f32| {
            let mut ids: Vec<Node> = Vec::new();
            for l in lines {
                ids.push(text(s, 60.0, *y, font, size, &l).into());
                *y += gap;
            }
            nodes.push(pdf::group(Tag::P, ids));
        };
    paragraph(
        &mut s,
        &mut y,
        vec!["Härmed intygas att".into()],
        &regular,
        13.0,
        34.0,
    );
    paragraph(&mut s, &mut y, wrap(&c.person_name, 36), &bold, 24.0, 30.0);
    y += 8.0;
    paragraph(
        &mut s,
        &mut y,
        vec!["har genomfört kursen".into()],
        &regular,
        13.0,
        30.0,
    );
    paragraph(&mut s, &mut y, wrap(&c.course_title, 42), &bold, 19.0, 25.0);
    y += 20.0;
    let mut rows = vec![
        ("Datum", c.completed_on.clone()),
        (
            "Omfattning",
            format!("{} timmar", crate::format::decimal(c.hours, 1)),
        ),
        ("Intygsnummer", c.certificate_no.clone()),
    ];
    if let Some(e) = &c.expires_on {
        rows.push(("Giltigt till och med", e.clone()));
    }
    rows.push(("Utfärdat av", ISSUER.to_string()));
    let mut trs = Vec::new();
    for (k, v) in rows {
        let key = text(&mut s, 60.0, y, &regular, 11.0, k);
        let value = text(&mut s, 200.0, y, &bold, 12.0, &v);
        trs.push(pdf::group(
            Tag::TR,
            vec![
                pdf::group(Tag::TH(TableHeaderScope::Row), vec![key.into()]),
                pdf::group(Tag::TD, vec![value.into()]),
            ],
        ));
        y += 22.0;
    }
    nodes.push(pdf::group(Tag::Table, trs));
    // How to check it: the address and code in text, and the same address
    // as a QR code, bottom right.
    let code = c.verify_code.clone().unwrap_or_default();
    let check = vec![
        Node::from(text(
            &mut s,
            60.0,
            842.0 - 110.0,
            &regular,
            10.0,
            "Kontrollera intyget:",
        )),
        text(&mut s, 60.0, 842.0 - 94.0, &regular, 10.0, verify_url).into(),
        text(
            &mut s,
            60.0,
            842.0 - 78.0,
            &bold,
            12.0,
            &format!("Kod: {code}"),
        )
        .into(),
    ];
    nodes.push(pdf::group(Tag::P, check));
    let qr = qrcode::QrCode::new(verify_url.as_bytes()).map_err(|e| e.to_string())?;
    let n = qr.width();
    let module = 3.0_f32;
    let (x0, y0) = (
        595.0 - 60.0 - module * n as f32,
        842.0 - 80.0 - module * n as f32,
    );
    let mut pb = PathBuilder::new();
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, yy) = ((i % n) as f32, (i / n) as f32);
            pb.push_rect(
                Rect::from_xywh(x0 + x * module, y0 + yy * module, module, module).ok_or("rect")?,
            );
        }
    }
    if let Some(p) = pb.finish() {
        let id = pdf::graphic(&mut s, |s| s.draw_path(&p));
        nodes.push(pdf::group(
            Tag::Figure(Some(format!("QR-kod med adressen {verify_url}"))),
            vec![id.into()],
        ));
    }
    s.finish();
    page.finish();
    doc.set_tag_tree(pdf::tree(nodes));
    doc.finish().map_err(|e| format!("{e:?}"))
}

fn verify_url(s: &AppState, c: &Completion) -> String {
    format!(
        "{}/verifiera/{}",
        s.config.public_url,
        c.verify_code.clone().unwrap_or_default()
    )
}

fn pdf_name(c: &Completion) -> String {
    let safe: String = format!("kursintyg_{}_{}", c.certificate_no, c.person_name)
        .chars()
        .map(|ch| {
            if ch.is_alphanumeric() || ch == '-' || ch == '_' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.pdf")
}

async fn pdf(State(s): State<AppState>, c: Ctx, Path(file): Path<String>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let id: i64 = file
        .trim_end_matches(".pdf")
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let comp = uc.certificate(id).await?;
    let bytes = certificate_pdf(&comp, &verify_url(&s, &comp)).map_err(AppError::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", pdf_name(&comp)),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn zip_of(s: &AppState, list: &[Completion], name: &str) -> PageResult {
    if list.is_empty() {
        return Err(AppError::Conflict(
            "Det finns inga kursintyg att ladda ner ännu.".into(),
        ));
    }
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for comp in list {
        let bytes = certificate_pdf(comp, &verify_url(s, comp)).map_err(AppError::Internal)?;
        zw.start_file(pdf_name(comp), opts)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        zw.write_all(&bytes)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let bytes = zw
        .finish()
        .map_err(|e| AppError::Internal(e.to_string()))?
        .into_inner();
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn session_zip(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let list = UseCase::page(&s, &c)?.session_certificates(id).await?;
    zip_of(&s, &list, &format!("kursintyg_tillfalle_{id}.zip"))
}

async fn unit_zip(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let list = UseCase::page(&s, &c)?.unit_certificates(id).await?;
    zip_of(&s, &list, &format!("kursintyg_enhet_{id}.zip"))
}

#[derive(Template)]
#[template(path = "certificates/mine.html")]
struct MinePage {
    c: Ctx,
    list: Vec<MineRow>,
    /// Whose certificates, when not the user's own.
    whose: String,
}

async fn mine(State(s): State<AppState>, c: Ctx) -> PageResult {
    let list = UseCase::page(&s, &c)?.my_certificates().await?;
    render(MinePage {
        c,
        list,
        whose: String::new(),
    })
}

/// A person's certificates, for their manager and coordinators.
async fn person_list(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (whose, list) = UseCase::page(&s, &c)?.person_certificates(id).await?;
    render(MinePage { c, list, whose })
}

#[derive(Template)]
#[template(path = "certificates/expiring.html")]
struct ExpiringPage {
    c: Ctx,
    list: Vec<Completion>,
    days: i64,
    notice: String,
    can_remind: bool,
    /// The next page's address, and whether this is a later page.
    next_page: Option<String>,
    later_page: bool,
}

#[derive(Deserialize, Default)]
struct ExpiringQuery {
    /// The list continues after this certificate.
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    efter: Option<i64>,
}

async fn expiring(State(s): State<AppState>, c: Ctx, Query(q): Query<ExpiringQuery>) -> PageResult {
    let today = navet_store::time::local_date(navet_store::time::now());
    let Expiring {
        list,
        next_after,
        days,
        can_remind,
    } = UseCase::page(&s, &c)?
        .expiring_certificates(today, q.efter)
        .await?;
    let notice = c.flash_notice();
    render(ExpiringPage {
        next_page: next_after.map(|a| format!("/intyg/utgaende?efter={a}")),
        later_page: q.efter.is_some(),
        can_remind,
        c,
        list,
        days,
        notice,
    })
}

async fn remind(State(s): State<AppState>, c: Ctx) -> PageResult {
    let today = navet_store::time::local_date(navet_store::time::now());
    let n = UseCase::page(&s, &c)?
        .queue_certificate_reminders(today)
        .await?;
    let text = format!("{n} påminnelser har lagts i utkorgen.");
    crate::flash::notice(&s, &c, &text, "/intyg/utgaende").await
}

#[derive(Template)]
#[template(path = "certificates/verify.html")]
struct VerifyPage {
    c: Ctx,
    code: String,
    /// Whether a code was checked.
    checked: bool,
    /// The certificate the code belongs to (number, course, date, initials).
    found: Option<completions::Verified>,
    /// For an expired certificate: where to book a refresher.
    refresher: Option<String>,
}

#[derive(Deserialize, Default)]
struct CodeQuery {
    #[serde(default)]
    kod: String,
}

async fn verify_page(s: &AppState, c: Ctx, code: String) -> PageResult {
    let checked = !code.trim().is_empty();
    let Verification { found, refresher } = Guest::page(s, &c).verify_certificate(&code).await?;
    render(VerifyPage {
        c,
        code,
        checked,
        found,
        refresher,
    })
}

async fn verify_form(State(s): State<AppState>, c: Ctx, Query(q): Query<CodeQuery>) -> PageResult {
    verify_page(&s, c, q.kod).await
}

async fn verify_code(State(s): State<AppState>, c: Ctx, Path(code): Path<String>) -> PageResult {
    verify_page(&s, c, code).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_embeds_the_font_and_has_the_text() {
        let c = Completion {
            id: 1,
            person_id: 1,
            person_name: "Åsa Öberg-Lindström".into(),
            unit_id: None,
            unit_name: None,
            municipality_id: 1,
            municipality_name: "Örebro".into(),
            course_id: 1,
            course_title: "Sårvård för baspersonal – fördjupning i sår, stomi och läkning".into(),
            session_id: None,
            completed_on: "2026-03-14".into(),
            hours: 3.5,
            certificate_no: "KN-2026-000001".into(),
            verify_code: Some("ABCDE-FGHJK-M".into()),
            expires_on: Some("2027-03-14".into()),
            source: "attendance".into(),
        };
        let bytes = certificate_pdf(&c, "http://127.0.0.1:8080/verifiera/ABCDE-FGHJK-M").unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("FontFile2"), "the TrueType font is embedded");
        assert!(text.contains("DejaVuSans"));
        crate::pdf::tests::assert_tagged(&bytes, &["/H1", "/Table", "/TH", "/Figure"]);
    }

    #[test]
    fn long_titles_wrap_on_words() {
        assert_eq!(
            wrap("Palliativ vård för sjuksköterskor och undersköterskor", 20),
            [
                "Palliativ vård för",
                "sjuksköterskor och",
                "undersköterskor"
            ]
        );
    }
}
