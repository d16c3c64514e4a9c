//! The register extract as handed over: one zip with `registerutdrag.json`
//! (everything, machine-readable) and `registerutdrag.pdf` (the same in
//! Swedish, a tagged PDF laid out by `domain::register_extract::layout`).
//! Used by the person's page, the API and `navet privacy extract`.

use domain::ids::PersonId;
use std::io::Write;

use domain::register_extract::{layout, Block, Extract};
use navet_store::audit::Who;
use navet_store::{register_extract, Db, StoreResult};

use crate::pdf::{Align, PdfBuilder};

pub const JSON_NAME: &str = "registerutdrag.json";
pub const PDF_NAME: &str = "registerutdrag.pdf";

/// The file name the zip is offered under.
pub fn zip_name(person_id: i64) -> String {
    format!("registerutdrag-{person_id}.zip")
}

/// The readable document.
pub fn pdf(e: &Extract, person_name: &str) -> Result<Vec<u8>, String> {
    let title = format!("Registerutdrag för {person_name}");
    let mut b = PdfBuilder::new(&title, &format!("Registerutdrag · person {}", e.person_id));
    for block in layout(e, person_name) {
        match block {
            Block::Title(t) => b.title(&t),
            Block::Heading(t) => b.heading(&t),
            Block::Paragraph(t) => b.paragraph(&t),
            Block::Bullets(items) => b.bullets(&items),
            Block::Table { headers, rows } => {
                let widths = vec![1.0; headers.len()];
                let align = vec![Align::Left; headers.len()];
                b.table(&headers, &rows, &widths, &align, 0);
            }
        }
    }
    b.finish()
}

/// The zip: JSON and PDF.
pub fn zip(e: &Extract, person_name: &str) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec_pretty(e).map_err(|e| e.to_string())?;
    let pdf = pdf(e, person_name)?;
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in [(JSON_NAME, &json), (PDF_NAME, &pdf)] {
        zw.start_file(name, opts).map_err(|e| e.to_string())?;
        zw.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(zw.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Gather, build and hand over one person's extract: the request is
/// logged before anything is read, the delivery (size and checksum) once
/// the file exists.
pub async fn produce(db: &Db, who: &Who, person_id: i64) -> StoreResult<Vec<u8>> {
    let name = register_extract::person_name(db, PersonId(person_id)).await?;
    register_extract::record_request(db, who, PersonId(person_id)).await?;
    let extract = register_extract::gather(db, PersonId(person_id)).await?;
    let bytes = zip(&extract, &name).map_err(|m| anyhow::anyhow!("registerutdrag: {m}"))?;
    register_extract::record_delivery(db, who, PersonId(person_id), &bytes).await?;
    Ok(bytes)
}
