//! Every reader of uploaded files, fed mutated versions of valid files
//! (random bytes changed, inserted, removed, the file cut short): none may
//! panic or hang. A quick stable-Rust companion to the `cargo fuzz` targets
//! in `fuzz/`, which run the same entry points for longer (docs/security.md).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use navet_domain::tabular::{self, Stop, LIMITS};
use navet_domain::{funding, participation_import, staff_import};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(b.len() + 1);
        match rng.below(5) {
            0 if at < b.len() => b[at] = rng.next() as u8,
            1 => b.insert(at, rng.next() as u8),
            2 if at < b.len() => {
                b.remove(at);
            }
            3 => b.truncate(at),
            _ => {
                // Repeat a slice: long cells, many rows, deep nesting.
                let end = (at + rng.below(64)).min(b.len());
                let piece = b[at..end].to_vec();
                for _ in 0..rng.below(200) {
                    b.splice(at..at, piece.iter().copied());
                }
            }
        }
    }
    b
}

/// Each entry point the fuzz targets use, on one input.
fn all_readers(bytes: &[u8]) {
    let stop = Stop::never();
    let _ = tabular::read_csv(bytes, &LIMITS, &stop);
    if let Ok(t) = tabular::read_xlsx(bytes, &LIMITS, &stop) {
        if let Ok(rows) = staff_import::rows_from_table(&t) {
            let _ =
                staff_import::check_rows(&rows, &HashMap::<String, i64>::new(), &HashMap::new());
        }
    }
    let lk = participation_import::Lookups {
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        ..Default::default()
    };
    let _ = participation_import::parse(bytes, &lk, &stop);
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = funding::parse_toml(text, &["Örebro".to_string()]);
    }
}

fn xlsx_seed() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "anställningsnummer",
        "namn",
        "e-post",
        "yrkesroll",
        "enhet",
        "kön",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 17.0).unwrap();
    ws.write_string(1, 1, "Åsa Öberg").unwrap();
    ws.write_string(1, 2, "asa@x.se").unwrap();
    ws.write_string(1, 3, "Undersköterska").unwrap();
    ws.write_string(1, 4, "Hemtjänsten").unwrap();
    ws.write_string(1, 5, "kvinna").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn mutated_files_never_panic_or_hang() {
    let seeds: Vec<Vec<u8>> = vec![
        b"person_ref;gender;role;municipality;course;date;hours;attended\nP1;kvinna;undersk\xc3\xb6terska;\xc3\x96rebro;HLR;2025-03-04;2,5;ja\n\"P2\";man;x;y;\"a\"\"b\";2025-01-01;3;nej\n".to_vec(),
        b"name = \"ESF\"\nstarts = 2025-01-01\nends = 2027-06-30\ngranted_sek = 1\ncofinancing_rate = 0.46\ntarget_hours = 10\n[employees]\n\"\xc3\x96rebro\" = 9000\n".to_vec(),
        xlsx_seed(),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    for seed in &seeds {
        all_readers(seed);
    }
    for i in 0..3_000 {
        let seed = &seeds[i % seeds.len()];
        let input = mutate(&mut rng, seed);
        let t = Instant::now();
        all_readers(&input);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "input {i} took {:?}",
            t.elapsed()
        );
    }
    assert!(started.elapsed() < Duration::from_secs(120));
}
