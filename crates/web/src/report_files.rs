//! The indicator report as files, shared by the web pages, the JSON API and
//! `navet report`: the API's JSON body, and CSV and XLSX as the report page
//! offers them (Swedish characters intact, cells safe against formula
//! injection).

use domain::indicators::IndicatorReport;
use domain::spreadsheet::safe_cell;

/// The JSON body of `GET /api/v1/reports/indicators` (CONTRACTS.md).
pub fn to_json(r: &IndicatorReport) -> serde_json::Result<serde_json::Value> {
    serde_json::to_value(r)
}

/// The report as tables: (sheet name, header, rows of cells).
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
}

/// (sheet name, column headers, rows)
pub type Table = (&'static str, Vec<&'static str>, Vec<Vec<Cell>>);

pub fn tables(r: &IndicatorReport) -> Vec<Table> {
    use Cell::*;
    let g = &r.unique_participants.by_gender;
    let sh = &r.unique_participants.share_pct_by_gender;
    let mut out = vec![
        (
            "Översikt",
            vec!["Indikator", "Värde"],
            vec![
                vec![Text("Period från".into()), Text(r.from.clone())],
                vec![Text("Period till".into()), Text(r.to.clone())],
                vec![
                    Text("Unika deltagare".into()),
                    Int(r.unique_participants.total),
                ],
                vec![Text("Deltagartillfällen".into()), Int(r.participations)],
                vec![
                    Text("Deltagartimmar (närvaro summerad över deltagare)".into()),
                    Num(r.participant_hours),
                ],
                vec![
                    Text("Genomförda kurstimmar (varje tillfälle en gång)".into()),
                    Num(r.course_hours_delivered),
                ],
                vec![
                    Text("Kurstillfällen genomförda".into()),
                    Int(r.sessions.held),
                ],
                vec![
                    Text("Kurstillfällen inställda".into()),
                    Int(r.sessions.cancelled),
                ],
            ],
        ),
        (
            "Kön",
            vec!["Kön", "Unika deltagare", "Andel (%)"],
            vec![
                vec![Text("kvinna".into()), Int(g.kvinna), Num(sh.kvinna)],
                vec![Text("man".into()), Int(g.man), Num(sh.man)],
                vec![Text("annat".into()), Int(g.annat), Num(sh.annat)],
                vec![
                    Text("ej angivet".into()),
                    Int(g.ej_angivet),
                    Num(sh.ej_angivet),
                ],
            ],
        ),
        (
            "Yrkesgrupp",
            vec!["Yrkesgrupp", "Unika deltagare", "Deltagartillfällen"],
            r.by_role_group
                .iter()
                .map(|x| {
                    vec![
                        Text(x.role_group.clone()),
                        Int(x.unique_participants),
                        Int(x.participations),
                    ]
                })
                .collect(),
        ),
        (
            "Kommun",
            vec![
                "Kommun",
                "Unika deltagare",
                "Deltagartillfällen",
                "Deltagartimmar",
                "Åtagande (deltagartimmar)",
                "Deltagartimmar sedan programstart",
                "Uppnått av åtagande (%)",
                "Förväntat enligt tid (%)",
                "I fas",
            ],
            r.by_municipality
                .iter()
                .map(|m| {
                    vec![
                        Text(m.municipality.clone()),
                        Int(m.unique_participants),
                        Int(m.participations),
                        Num(m.participant_hours),
                        Num(m.commitment_hours),
                        Num(m.programme_hours),
                        Num(m.commitment_achieved_pct),
                        Num(m.expected_pct),
                        Text(
                            if m.commitment_hours > 0.0 {
                                if m.on_track {
                                    "ja"
                                } else {
                                    "nej"
                                }
                            } else {
                                "–"
                            }
                            .into(),
                        ),
                    ]
                })
                .collect(),
        ),
        (
            "Kurs",
            vec![
                "Kurs",
                "Deltagartillfällen",
                "Unika deltagare",
                "Deltagartimmar",
            ],
            r.by_course
                .iter()
                .map(|x| {
                    vec![
                        Text(x.course.clone()),
                        Int(x.participations),
                        Int(x.unique_participants),
                        Num(x.participant_hours),
                    ]
                })
                .collect(),
        ),
        (
            "Inställda",
            vec!["Orsak", "Antal"],
            r.sessions
                .cancelled_by_reason
                .iter()
                .map(|x| vec![Text(x.reason.clone()), Int(x.count)])
                .collect(),
        ),
    ];
    let sv = &r.survey;
    let opt = |v: Option<f64>| v.map(Num).unwrap_or(Text("–".into()));
    out.push((
        "Enkät",
        vec!["Mått", "Värde"],
        vec![
            vec![Text("Svar".into()), Int(sv.responses)],
            vec![
                Text("I hög eller ganska hög grad hjälpt i arbetet (%)".into()),
                opt(sv.helped_high_pct),
            ],
            vec![
                Text("Trygghet att använda det man lärt sig (1–5)".into()),
                opt(sv.confidence_mean),
            ],
            vec![
                Text("Fått språkstöd helt eller delvis, av dem som behövde (%)".into()),
                opt(sv.language_support_met_pct),
            ],
        ],
    ));
    out
}

/// CSV for Swedish Excel: BOM, semicolons, decimal comma.
pub fn to_csv(r: &IndicatorReport) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    for (name, header, rows) in tables(r) {
        w.write_record([name]).ok();
        w.write_record(&header).ok();
        for row in rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => safe_cell(t).into_owned(),
                    Cell::Int(i) => i.to_string(),
                    Cell::Num(x) => format!("{:.2}", x).replace('.', ","),
                })
                .collect();
            w.write_record(&cells).ok();
        }
        w.write_record([""]).ok();
    }
    w.into_inner().unwrap_or_default()
}

pub fn to_xlsx(r: &IndicatorReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let dec = Format::new().set_num_format("# ##0.0");
    for (name, header, rows) in tables(r) {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
            ws.set_column_width(i as u16, if i == 0 { 34 } else { 18 })?;
        }
        for (ri, row) in rows.iter().enumerate() {
            for (ci, cell) in row.iter().enumerate() {
                let (rr, cc) = (ri as u32 + 1, ci as u16);
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(rr, cc, safe_cell(t).as_ref())?;
                    }
                    Cell::Int(i) => {
                        ws.write_number(rr, cc, *i as f64)?;
                    }
                    Cell::Num(x) => {
                        ws.write_number_with_format(rr, cc, *x, &dec)?;
                    }
                }
            }
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> IndicatorReport {
        let p = domain::indicators::check_period("2025-01-01", "2025-12-31").unwrap();
        let rows = vec![domain::indicators::Participation {
            person_id: 1,
            gender: domain::org::Gender::Kvinna,
            role_group: "baspersonal".into(),
            municipality: "Örebro".into(),
            course: "=HYPERLINK(\"http://x\")".into(),
            session_id: 1,
            date: p.from,
            hours: 3.5,
            attended: true,
        }];
        let a = domain::indicators::aggregate(p, None, &rows, &[]);
        domain::indicators::assemble(
            p,
            &a,
            None,
            &["Örebro".into(), "Hällefors".into()],
            Default::default(),
        )
    }

    #[test]
    fn csv_is_excel_friendly_and_safe() {
        let bytes = to_csv(&report());
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\r\nHällefors;0;0;"), "one row per line");
        assert!(text.lines().any(|l| l == "Kommun"));
        assert!(text.contains("'=HYPERLINK"));
        assert!(!text.contains(";=HYPERLINK"));
        assert!(text.contains("3,50"));
    }

    #[test]
    fn xlsx_keeps_swedish_text_and_neutralises_formulas() {
        let bytes = to_xlsx(&report()).unwrap();
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert!(wb.sheet_names().contains(&"Översikt".to_string()));
        let kurs = wb.worksheet_range("Kurs").unwrap();
        let cell = kurs.get_value((1, 0)).unwrap().to_string();
        assert!(cell.starts_with("'="), "{cell}");
        let kommun = wb.worksheet_range("Kommun").unwrap();
        assert_eq!(kommun.get_value((0, 0)).unwrap().to_string(), "Kommun");
        assert_eq!(kommun.get_value((1, 0)).unwrap().to_string(), "Hällefors");
    }
}
