//! The printable monthly attendance certificate for one person, to sign
//! on paper when they cannot confirm digitally: the month, each attended
//! session (date, course, hours), the total, and lines for the signature.
//! Tagged like the other PDFs (`crate::pdf`).

use domain::attestation::{month_label_sv, time_phrase};
use navet_store::attestation::PersonMonth;

use crate::pdf::{Align, PdfBuilder};

/// The certificate of `m` for the person named `name` in `municipality`.
pub fn render(name: &str, municipality: &str, m: &PersonMonth) -> Result<Vec<u8>, String> {
    let month = month_label_sv(m.month);
    let title = format!("Intyg om närvarotid – {month}");
    let mut b = PdfBuilder::new(&title, &format!("Navet · närvarotid {}", m.key()));
    b.title(&title);
    b.paragraph(&format!("Deltagare: {name}, {municipality}"));
    b.paragraph(&format!(
        "Enligt närvaroregistreringen deltog du i {} under {month}:",
        time_phrase(m.centi_hours, m.lines.len() as i64)
    ));
    let mut rows: Vec<Vec<String>> = m
        .lines
        .iter()
        .map(|l| vec![l.date.to_string(), l.course.clone(), l.hours()])
        .collect();
    rows.push(vec![
        "Summa".into(),
        format!("{} kurstillfällen", m.lines.len()),
        m.hours(),
    ]);
    b.table(
        &["Datum".into(), "Kurs".into(), "Timmar".into()],
        &rows,
        &[0.2, 0.6, 0.2],
        &[Align::Left, Align::Left, Align::Right],
        1,
    );
    if let Some(v) = &m.latest {
        b.note(&format!("Version {} av månadens närvarotid.", v.version));
    }
    b.subheading("Underskrift");
    b.paragraph(
        "Jag intygar att uppgifterna ovan stämmer med den tid jag deltagit i projektets utbildningar.",
    );
    b.paragraph("Ort och datum: ______________________________");
    b.paragraph("Underskrift: ______________________________");
    b.paragraph("Namnförtydligande: ______________________________");
    b.note("Lämna det underskrivna intyget till samordnaren, som registrerar det som mottaget i Navet.");
    b.finish()
}
