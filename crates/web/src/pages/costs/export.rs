//! A scenario comparison as a document for a municipal board: PDF and XLSX
//! with the same content (summary, cost per municipality, differences
//! explained, leaving effects, co-financing, cost lines, assumptions and,
//! in the XLSX, the full computation trace).

use domain::costs::money::{kr, kr_ore, kr_signed, number};
use domain::costs::{Comparison, CostLine, ScenarioResult, Settings};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::pdf::{Align, PdfBuilder};

/// Everything a comparison document shows.
pub struct Report<'a> {
    pub results: &'a [ScenarioResult],
    pub comparison: &'a Comparison,
    pub lines: &'a [CostLine],
    pub settings: &'a Settings,
    pub generated_on: String,
    /// Municipalities whose inhabitant figure is approximate (demo).
    pub approx_inhabitants: Vec<String>,
}

pub const TITLE: &str = "Kostnadsscenarier för Kompetensnavet";

fn opt_kr_ore(v: Option<i64>) -> String {
    v.map(kr_ore).unwrap_or_else(|| "–".into())
}

impl Report<'_> {
    fn intro(&self) -> String {
        format!(
            "Underlag för beslut om fortsatt samverkan efter projektperioden. Framtaget i Navet {}. \
             Alla belopp är kostnader per år. Scenarierna jämförs med ”{}”.",
            self.generated_on,
            self.results.first().map(|r| r.name.as_str()).unwrap_or("")
        )
    }

    fn summary_rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let headers = [
            "Scenario",
            "Kommuner",
            "Fördelningsnyckel",
            "Totalt per år",
            "Per deltagartimme",
            "Per deltagare",
        ]
        .map(String::from)
        .to_vec();
        let rows = self
            .results
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.municipalities.len().to_string(),
                    r.weights_label.clone(),
                    kr(r.total),
                    opt_kr_ore(r.per_course_hour),
                    opt_kr_ore(r.per_participant),
                ]
            })
            .collect();
        (headers, rows)
    }

    fn assumptions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.results {
            for a in &r.assumptions {
                let shared = self.results.iter().all(|o| o.assumptions.contains(a));
                let line = if shared || self.results.len() == 1 {
                    a.clone()
                } else {
                    format!("{}: {a}", r.name)
                };
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        }
        out
    }

    /// Leaving effects of one scenario: (leaver, share, new total, change, biggest rise).
    fn leave_rows(r: &ScenarioResult) -> Vec<Vec<String>> {
        r.leaving
            .iter()
            .map(|l| match &l.outcome {
                Ok(o) => {
                    let top = o.changes.iter().max_by_key(|c| c.after - c.before);
                    vec![
                        l.leaver_name.clone(),
                        kr(o.leaver_share),
                        kr(o.total_after),
                        kr_signed(o.total_after - o.total_before),
                        top.map(|c| format!("{} {}", c.name, kr_signed(c.after - c.before)))
                            .unwrap_or_default(),
                    ]
                }
                Err(e) => vec![
                    l.leaver_name.clone(),
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    e.clone(),
                ],
            })
            .collect()
    }

    pub fn pdf(&self) -> Result<Vec<u8>, String> {
        let mut b = PdfBuilder::new(TITLE, &format!("{TITLE} · {}", self.generated_on));
        b.title(TITLE);
        b.paragraph(&self.intro());

        b.heading("Sammanfattning");
        let (h, rows) = self.summary_rows();
        b.table(
            &h,
            &rows,
            &[2.2, 1.3, 3.0, 1.8, 1.6, 1.6],
            &[
                Align::Left,
                Align::Right,
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
            ],
            0,
        );
        for r in self.results {
            b.subheading(&r.name);
            if !r.description.is_empty() {
                b.paragraph(&r.description);
            }
        }

        b.heading("Kostnad per kommun och år");
        b.bars(
            "Stapeldiagram: kostnad per kommun och år i varje scenario, samma belopp som i tabellen nedan.",
            &self.comparison.columns.iter().enumerate()
                .map(|(i, c)| (c.name.clone(), super::chart::COLOURS[i % super::chart::COLOURS.len()]))
                .collect::<Vec<_>>(),
            &self.comparison.rows.iter().map(|r| crate::pdf::BarGroup {
                label: r.name.clone(),
                values: r.shares.clone(),
                texts: r.shares.iter().map(|s| s.map(kr).unwrap_or_else(|| "deltar inte".into())).collect(),
            }).collect::<Vec<_>>(),
        );
        let mut headers = vec!["Kommun".to_string()];
        headers.extend(self.comparison.columns.iter().map(|c| c.name.clone()));
        headers.extend(
            self.comparison
                .columns
                .iter()
                .skip(1)
                .map(|c| format!("Skillnad: {}", c.name)),
        );
        let mut rows: Vec<Vec<String>> = self
            .comparison
            .rows
            .iter()
            .map(|row| {
                let mut v = vec![row.name.clone()];
                v.extend(
                    row.shares
                        .iter()
                        .map(|s| s.map(kr).unwrap_or_else(|| "deltar inte".into())),
                );
                let base = row.shares.first().copied().flatten();
                v.extend(
                    row.shares
                        .iter()
                        .skip(1)
                        .map(|o| super::compare::difference(base, *o)),
                );
                v
            })
            .collect();
        let blank = || {
            self.comparison
                .columns
                .iter()
                .skip(1)
                .map(|_| String::new())
        };
        let mut total = vec!["Totalt".to_string()];
        total.extend(self.comparison.columns.iter().map(|c| kr(c.total)));
        total.extend(blank());
        rows.push(total);
        let mut fixed = vec!["varav fasta kostnader".to_string()];
        fixed.extend(self.comparison.columns.iter().map(|c| kr(c.fixed)));
        fixed.extend(blank());
        rows.push(fixed);
        let mut variable = vec!["varav rörliga kostnader".to_string()];
        variable.extend(self.comparison.columns.iter().map(|c| kr(c.variable)));
        variable.extend(blank());
        rows.push(variable);
        let mut widths = vec![1.6];
        widths.extend(headers.iter().skip(1).map(|_| 1.4));
        let mut align = vec![Align::Left];
        align.extend(headers.iter().skip(1).map(|_| Align::Right));
        b.table(&headers, &rows, &widths, &align, 3);

        if !self.comparison.differences.is_empty() {
            b.heading("Skillnader mellan scenarierna");
            for d in &self.comparison.differences {
                b.subheading(&format!(
                    "”{}” jämfört med ”{}”",
                    self.comparison.columns[d.other].name, self.comparison.columns[d.base].name
                ));
                b.paragraph(&d.summary);
                b.bullets(&d.municipalities);
            }
        }

        b.heading("Om en kommun lämnar");
        b.paragraph(
            "Lämnar en kommun fördelas dess andel på de kommuner som är kvar. De fasta kostnaderna minskar inte; \
             de rörliga minskar med den volym kommunen tar med sig.",
        );
        for r in self.results.iter().filter(|r| !r.leaving.is_empty()) {
            b.subheading(&r.name);
            b.table(
                &[
                    "Kommun som lämnar",
                    "Dess andel",
                    "Ny total",
                    "Förändring",
                    "Största ökning",
                ]
                .map(String::from),
                &Self::leave_rows(r),
                &[1.6, 1.3, 1.4, 1.2, 2.2],
                &[
                    Align::Left,
                    Align::Right,
                    Align::Right,
                    Align::Right,
                    Align::Left,
                ],
                0,
            );
        }

        b.heading("Jämförelse med medfinansieringen under projektet");
        b.paragraph(&format!(
            "Under projektet bidrog kommunerna med arbetstid: deltagartimmar sedan {}, värderade till {} per deltagartimme. \
             Tabellen visar det per år bredvid vad kommunen skulle betala per år i varje scenario.",
            self.settings.use_from.format("%Y-%m-%d"),
            kr_ore(self.settings.cofinancing_rate)
        ));
        let (h, rows) = self.cofinancing_rows();
        let mut widths = vec![1.5, 1.2, 1.3];
        widths.extend(self.results.iter().map(|_| 1.3));
        let mut align = vec![Align::Left, Align::Right, Align::Right];
        align.extend(self.results.iter().map(|_| Align::Right));
        b.table(&h, &rows, &widths, &align, 0);

        b.heading("Kostnadsrader");
        let (h, rows) = self.line_rows();
        b.table(
            &h,
            &rows,
            &[1.6, 1.2, 3.4, 1.2, 1.3],
            &[
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Right,
            ],
            1,
        );

        b.heading("Antaganden");
        b.bullets(&self.assumptions());
        if !self.approx_inhabitants.is_empty() {
            b.note(&format!(
                "Obs! Invånartalen för {} är ungefärliga värden i demodata, inte officiell statistik.",
                domain::costs::scenario::join_sv(&self.approx_inhabitants)
            ));
        }
        b.heading("Så har siffrorna räknats fram");
        b.paragraph(
            "Varje figur kan spåras till sina indata i Navet (”Så räknades det”) och i kalkylbladet ”Beräkning” i Excel-filen. \
             Kommunernas andelar summerar exakt till totalen: totalen delas först mellan fördelningsnyckelns delar och \
             sedan mellan kommunerna, båda gångerna med största-rest-metoden på hela ören.",
        );
        b.finish()
    }

    fn cofinancing_rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut headers = vec![
            "Kommun".to_string(),
            "Deltagartimmar per år under projektet".to_string(),
            "Värde per år".to_string(),
        ];
        headers.extend(
            self.results
                .iter()
                .map(|r| format!("Kostnad per år: {}", r.name)),
        );
        let rows = self
            .comparison
            .rows
            .iter()
            .map(|row| {
                let m = self
                    .results
                    .iter()
                    .find_map(|r| r.municipality(row.municipality_id));
                let mut v = vec![
                    row.name.clone(),
                    m.map(|m| number(m.cofinancing_hours_per_year, 1))
                        .unwrap_or_default(),
                    m.map(|m| kr(m.cofinancing_value_per_year))
                        .unwrap_or_default(),
                ];
                v.extend(
                    row.shares
                        .iter()
                        .map(|s| s.map(kr).unwrap_or_else(|| "–".into())),
                );
                v
            })
            .collect();
        (headers, rows)
    }

    fn line_rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let headers = [
            "Kostnadsrad",
            "Kostnadsslag",
            "Beräkning",
            "Fast/rörlig",
            "Per år",
        ]
        .map(String::from)
        .to_vec();
        let base = self.results.first();
        let mut rows: Vec<Vec<String>> = self
            .lines
            .iter()
            .map(|l| {
                let annual = base
                    .and_then(|r| r.lines.iter().find(|x| x.line_id == l.id))
                    .map(|x| x.annual)
                    .unwrap_or(l.base_annual());
                vec![
                    l.label.clone(),
                    l.kind.label_sv().to_string(),
                    l.base_formula(),
                    l.scaling.describe(),
                    kr(annual),
                ]
            })
            .collect();
        if let Some(r) = base {
            rows.push(vec![
                format!("Summa i ”{}”", r.name),
                String::new(),
                String::new(),
                String::new(),
                kr(r.total),
            ]);
        }
        (headers, rows)
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let title = Format::new().set_bold().set_font_size(14);
        let money = Format::new()
            .set_num_format("#,##0.00")
            .set_align(FormatAlign::Right);
        let money_bold = Format::new().set_num_format("#,##0.00").set_bold();
        let hours = Format::new().set_num_format("#,##0.0");
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        let kr_f = |ore: i64| ore as f64 / 100.0;

        // Jämförelse
        let ws = wb.add_worksheet();
        ws.set_name("Jämförelse")?;
        ws.write_string_with_format(0, 0, TITLE, &title)?;
        ws.write_string(1, 0, self.intro())?;
        ws.write_string_with_format(3, 0, "Kommun (kr per år)", &bold)?;
        for (i, c) in self.comparison.columns.iter().enumerate() {
            ws.write_string_with_format(3, 1 + i as u16, &c.name, &bold)?;
        }
        let mut row = 4;
        for r in &self.comparison.rows {
            ws.write_string(row, 0, &r.name)?;
            for (i, s) in r.shares.iter().enumerate() {
                match s {
                    Some(v) => ws.write_number_with_format(row, 1 + i as u16, kr_f(*v), &money)?,
                    None => ws.write_string(row, 1 + i as u16, "deltar inte")?,
                };
            }
            row += 1;
        }
        type ColValue = fn(&domain::costs::compare::ScenarioColumn) -> Option<i64>;
        let totals: [(&str, ColValue); 6] = [
            ("Totalt per år", |c| Some(c.total)),
            ("Fasta kostnader", |c| Some(c.fixed)),
            ("Rörliga kostnader", |c| Some(c.variable)),
            ("Per deltagartimme", |c| c.per_course_hour),
            ("Per deltagare", |c| c.per_participant),
            ("Per invånare", |c| c.per_inhabitant),
        ];
        for (label, f) in totals {
            ws.write_string_with_format(row, 0, label, &bold)?;
            for (i, c) in self.comparison.columns.iter().enumerate() {
                if let Some(v) = f(c) {
                    ws.write_number_with_format(row, 1 + i as u16, kr_f(v), &money_bold)?;
                }
            }
            row += 1;
        }
        ws.write_string_with_format(row, 0, "Deltagartimmar per år", &bold)?;
        for (i, c) in self.comparison.columns.iter().enumerate() {
            ws.write_number_with_format(row, 1 + i as u16, c.course_hours, &hours)?;
        }
        row += 1;
        ws.write_string_with_format(row, 0, "Fördelningsnyckel", &bold)?;
        for (i, c) in self.comparison.columns.iter().enumerate() {
            ws.write_string(row, 1 + i as u16, &c.weights_label)?;
        }
        ws.set_column_width(0, 26)?;
        for i in 0..self.comparison.columns.len() {
            ws.set_column_width(1 + i as u16, 22)?;
        }

        // Skillnader
        let ws = wb.add_worksheet();
        ws.set_name("Skillnader")?;
        ws.set_column_width(0, 120)?;
        let mut row = 0;
        for d in &self.comparison.differences {
            ws.write_string_with_format(
                row,
                0,
                format!(
                    "”{}” jämfört med ”{}”",
                    self.comparison.columns[d.other].name, self.comparison.columns[d.base].name
                ),
                &bold,
            )?;
            ws.write_string_with_format(row + 1, 0, &d.summary, &wrap)?;
            row += 2;
            for l in &d.municipalities {
                ws.write_string_with_format(row, 0, l, &wrap)?;
                row += 1;
            }
            row += 1;
        }

        // Om en kommun lämnar
        let ws = wb.add_worksheet();
        ws.set_name("Om en kommun lämnar")?;
        let heads = [
            "Scenario",
            "Kommun som lämnar",
            "Kommun",
            "Betalar före",
            "Betalar efter",
            "Förändring",
            "Förklaring",
        ];
        for (i, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
        }
        let mut row = 1;
        for r in self.results {
            for l in &r.leaving {
                match &l.outcome {
                    Ok(o) => {
                        for c in &o.changes {
                            ws.write_string(row, 0, &r.name)?;
                            ws.write_string(row, 1, &l.leaver_name)?;
                            ws.write_string(row, 2, &c.name)?;
                            ws.write_number_with_format(row, 3, kr_f(c.before), &money)?;
                            ws.write_number_with_format(row, 4, kr_f(c.after), &money)?;
                            ws.write_number_with_format(row, 5, kr_f(c.after - c.before), &money)?;
                            ws.write_string(row, 6, &c.explanation)?;
                            row += 1;
                        }
                    }
                    Err(e) => {
                        ws.write_string(row, 0, &r.name)?;
                        ws.write_string(row, 1, &l.leaver_name)?;
                        ws.write_string(row, 6, e)?;
                        row += 1;
                    }
                }
            }
        }
        for (i, w) in [24, 18, 16, 16, 16, 14, 120].iter().enumerate() {
            ws.set_column_width(i as u16, *w)?;
        }

        // Medfinansiering
        let ws = wb.add_worksheet();
        ws.set_name("Medfinansiering")?;
        let (h, _) = self.cofinancing_rows();
        write_headers(ws, &h, &bold)?;
        for (ri, row) in self.comparison.rows.iter().enumerate() {
            let r = 1 + ri as u32;
            ws.write_string(r, 0, &row.name)?;
            if let Some(m) = self
                .results
                .iter()
                .find_map(|x| x.municipality(row.municipality_id))
            {
                ws.write_number_with_format(r, 1, m.cofinancing_hours_per_year, &hours)?;
                ws.write_number_with_format(r, 2, kr_f(m.cofinancing_value_per_year), &money)?;
            }
            for (i, s) in row.shares.iter().enumerate() {
                if let Some(v) = s {
                    ws.write_number_with_format(r, 3 + i as u16, kr_f(*v), &money)?;
                }
            }
        }
        ws.set_column_width(0, 18)?;
        for i in 1..h.len() {
            ws.set_column_width(i as u16, 22)?;
        }

        // Kostnadsrader
        let ws = wb.add_worksheet();
        ws.set_name("Kostnadsrader")?;
        let (h, _) = self.line_rows();
        write_headers(ws, &h, &bold)?;
        ws.write_string_with_format(0, 5, "Anteckning", &bold)?;
        let base = self.results.first();
        for (i, l) in self.lines.iter().enumerate() {
            let r = 1 + i as u32;
            let annual = base
                .and_then(|x| x.lines.iter().find(|y| y.line_id == l.id))
                .map(|y| y.annual)
                .unwrap_or(l.base_annual());
            ws.write_string(r, 0, &l.label)?;
            ws.write_string(r, 1, l.kind.label_sv())?;
            ws.write_string(r, 2, l.base_formula())?;
            ws.write_string(r, 3, l.scaling.describe())?;
            ws.write_number_with_format(r, 4, kr_f(annual), &money)?;
            ws.write_string(r, 5, &l.note)?;
        }
        for (i, w) in [28, 22, 70, 26, 16, 60].iter().enumerate() {
            ws.set_column_width(i as u16, *w)?;
        }

        // Antaganden
        let ws = wb.add_worksheet();
        ws.set_name("Antaganden")?;
        ws.set_column_width(0, 140)?;
        ws.write_string_with_format(0, 0, "Antaganden", &bold)?;
        let mut items = self.assumptions();
        if !self.approx_inhabitants.is_empty() {
            items.push(format!(
                "Invånartalen för {} är ungefärliga värden i demodata, inte officiell statistik.",
                domain::costs::scenario::join_sv(&self.approx_inhabitants)
            ));
        }
        for (i, a) in items.into_iter().enumerate() {
            ws.write_string_with_format(1 + i as u32, 0, a, &wrap)?;
        }

        // Beräkning
        let ws = wb.add_worksheet();
        ws.set_name("Beräkning")?;
        write_headers(
            ws,
            &[
                "Scenario",
                "Figur",
                "Värde",
                "Så räknades det",
                "Indata",
                "Nyckel",
            ]
            .map(String::from),
            &bold,
        )?;
        let mut row = 1;
        for r in self.results {
            for f in &r.trace.figures {
                let inputs: Vec<String> = f
                    .inputs
                    .iter()
                    .map(|i| {
                        if i.source.is_empty() {
                            format!("{}: {}", i.label, i.value)
                        } else {
                            format!("{}: {} ({})", i.label, i.value, i.source)
                        }
                    })
                    .collect();
                ws.write_string(row, 0, &r.name)?;
                ws.write_string(row, 1, &f.label)?;
                ws.write_string(row, 2, &f.value)?;
                ws.write_string(row, 3, &f.formula)?;
                ws.write_string(row, 4, inputs.join("; "))?;
                ws.write_string(row, 5, &f.key)?;
                row += 1;
            }
        }
        for (i, w) in [24, 40, 16, 90, 90, 18].iter().enumerate() {
            ws.set_column_width(i as u16, *w)?;
        }
        wb.save_to_buffer()
    }
}

fn write_headers(ws: &mut Worksheet, headers: &[String], bold: &Format) -> Result<(), XlsxError> {
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, h, bold)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::costs::{
        compute, Actuals, Basis, CostKind, MunicipalityFacts, Scaling, Scenario,
        ScenarioMunicipality, Weights,
    };

    fn fixture() -> (Vec<ScenarioResult>, Vec<CostLine>, Settings) {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let lines = vec![CostLine {
            id: 1,
            label: "Projektpersonal".into(),
            kind: CostKind::Staff,
            basis: Basis::Annual {
                amount: 332_721_400,
            },
            scaling: Scaling::Fixed,
            note: String::new(),
        }];
        let settings = Settings {
            use_from: d("2025-01-01"),
            cofinancing_rate: 25_991,
            hours_per_session_centi: None,
        };
        let facts = |id, name: &str, e| MunicipalityFacts {
            id,
            name: name.into(),
            employees: Some(e),
            inhabitants: Some(e * 30),
            inhabitants_approx: true,
            attended_hours: 100.0 * id as f64,
            participants: 10,
            cofinancing_value: None,
        };
        let actuals = Actuals {
            from: d("2025-01-01"),
            to: d("2025-12-31"),
            municipalities: vec![
                facts(1, "Hällefors", 200),
                facts(2, "Nora", 300),
                facts(3, "Örebro", 4800),
            ],
            sessions_held: 10,
            cofinancing_valuation: None,
        };
        let scenario = |id, name: &str, ids: &[i64]| Scenario {
            id,
            name: name.into(),
            description: "Beskrivning med å, ä och ö.".into(),
            municipalities: ids
                .iter()
                .map(|i| ScenarioMunicipality {
                    municipality_id: *i,
                    course_hours_centi: None,
                    participants: None,
                })
                .collect(),
            weights: Weights {
                employees_bp: 5000,
                use_bp: 5000,
                ..Default::default()
            },
            volume_bp: 10_000,
        };
        let results = vec![
            compute(
                &lines,
                &settings,
                &scenario(1, "Alla tre", &[1, 2, 3]),
                &actuals,
            )
            .unwrap(),
            compute(
                &lines,
                &settings,
                &scenario(2, "Utan Nora", &[1, 3]),
                &actuals,
            )
            .unwrap(),
        ];
        (results, lines, settings)
    }

    #[test]
    fn pdf_text_has_swedish_characters_figures_and_explanations() {
        let (results, lines, settings) = fixture();
        let cmp = domain::costs::compare(&results);
        let report = Report {
            results: &results,
            comparison: &cmp,
            lines: &lines,
            settings: &settings,
            generated_on: "2026-11-23".into(),
            approx_inhabitants: vec!["Nora".into()],
        };
        let pdf = report.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        // Check the extracted text where pdftotext is installed.
        let path = std::env::temp_dir().join(format!("navet-costs-{}.pdf", std::process::id()));
        std::fs::write(&path, &pdf).unwrap();
        let Ok(out) = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
        else {
            let _ = std::fs::remove_file(&path);
            return;
        };
        let _ = std::fs::remove_file(&path);
        let text = String::from_utf8(out.stdout).unwrap();
        for expected in [
            "Kostnadsscenarier för Kompetensnavet",
            "Hällefors",
            "Örebro",
            "3 327 214 kr",
            "Antaganden",
            "största-rest-metoden",
            "Beskrivning med å, ä och ö.",
            "Invånartalen för Nora är ungefärliga",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert!(text.contains("Hällefors betalar"), "{text}");
    }

    #[test]
    fn xlsx_shares_sum_to_the_total_and_sheets_are_there() {
        use calamine::{Data, Reader, Xlsx};
        let (results, lines, settings) = fixture();
        let cmp = domain::costs::compare(&results);
        let report = Report {
            results: &results,
            comparison: &cmp,
            lines: &lines,
            settings: &settings,
            generated_on: "2026-11-23".into(),
            approx_inhabitants: vec![],
        };
        let bytes = report.xlsx().unwrap();
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            wb.sheet_names(),
            [
                "Jämförelse",
                "Skillnader",
                "Om en kommun lämnar",
                "Medfinansiering",
                "Kostnadsrader",
                "Antaganden",
                "Beräkning"
            ]
        );
        let ws = wb.worksheet_range("Jämförelse").unwrap();
        let num = |r: u32, c: u32| match ws.get_value((r, c)) {
            Some(Data::Float(f)) => *f,
            other => panic!("{other:?} at {r},{c}"),
        };
        // Rows 4–6: the three municipalities; row 7: the total.
        let sum: f64 = (4..7).map(|r| num(r, 1)).sum();
        assert!((sum - num(7, 1)).abs() < 0.001, "{sum} vs {}", num(7, 1));
        assert_eq!(num(7, 1), 3_327_214.0);
        let trace = wb.worksheet_range("Beräkning").unwrap();
        assert!(trace.rows().count() > 20);
    }
}
