//! The participant file as XLSX (the CSV is `domain::attestation::
//! esf_file::to_csv`): one sheet with the same header and rows, its
//! creation date fixed to the file's month so the same data always gives
//! the same bytes.

use chrono::{Datelike, NaiveDate};
use domain::attestation::esf_file::{Row, FORMAT_VERSION, HEADER};
use domain::spreadsheet::safe_cell;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

pub fn to_xlsx(month: NaiveDate, rows: &[Row]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(month.year() as u16, month.month() as u8, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Deltagarfil {}", month.format("%Y-%m")))
            .set_comment(format!("deltagarfil version {FORMAT_VERSION}"))
            .set_creation_datetime(&created),
    );
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("Deltagare")?;
    for (i, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &bold)?;
        ws.set_column_width(i as u16, 16)?;
    }
    for (ri, r) in rows.iter().enumerate() {
        for (ci, c) in r.cells().iter().enumerate() {
            ws.write_string(ri as u32 + 1, ci as u16, safe_cell(c).as_ref())?;
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_rows_give_the_same_bytes() {
        let m = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let a = to_xlsx(m, &[]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let b = to_xlsx(m, &[]).unwrap();
        assert_eq!(a, b);
    }
}
