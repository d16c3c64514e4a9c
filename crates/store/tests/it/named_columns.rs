//! The store reads a row's columns by name (`FromRow` structs, or
//! `get("name")`), not by position: a positional read (`r.get(0)`,
//! `r.try_get::<i64, _>(3)`) panics at run time when the SELECT's columns
//! change order. Beside the file-size test because it guards the shape of
//! the code; it reads every file under `crates/store/src`. The files below
//! still read by position, with how many such reads they hold; the list only
//! shrinks (see docs/decisions.md, "Rows by name").

use std::path::{Path, PathBuf};

/// Files still reading columns by position, relative to `crates/store/src`,
/// with the number of positional reads each may hold at most. An entry that
/// reaches 0 must be removed; no file may be added, no count raised.
const NOT_YET_CONVERTED: &[(&str, usize)] = &[
    ("attendance_versions.rs", 2),
    ("audit_prune.rs", 2),
    ("backup.rs", 1),
    ("bookings/calendar.rs", 3),
    ("bookings/cancel.rs", 8),
    ("bookings/holds.rs", 4),
    ("bookings/undo.rs", 6),
    ("costs.rs", 36),
    ("demo/attestation.rs", 1),
    ("demo/competence.rs", 10),
    ("demo/cover.rs", 4),
    ("demo/funding.rs", 3),
    ("demo/history.rs", 8),
    ("demo/tracks.rs", 2),
    ("education.rs", 1),
    ("erasure.rs", 7),
    ("gaps/mod.rs", 12),
    ("gaps/report.rs", 3),
    ("history_import.rs", 4),
    ("invitations.rs", 27),
    ("login_throttle.rs", 3),
    ("needs.rs", 8),
    ("outbox.rs", 2),
    ("packages.rs", 11),
    ("password_resets.rs", 18),
    ("people.rs", 1),
    ("planning/requests.rs", 4),
    ("register_extract.rs", 2),
    ("requirements.rs", 3),
    ("second_factor.rs", 8),
    ("seed.rs", 1),
    ("session_rows.rs", 4),
    ("sign_in.rs", 14),
    ("testing.rs", 3),
    ("tracks.rs", 13),
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// How many times `text` reads by position: `.get(` or `.try_get(`, with
/// or without a turbofish, whose argument is an integer literal.
fn positional_reads(text: &str) -> usize {
    let b = text.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while let Some(at) = text[i..].find("get") {
        let start = i + at;
        i = start + 3;
        let before = &text[..start];
        if !(before.ends_with('.') || before.ends_with(".try_")) {
            continue;
        }
        let mut j = i;
        if text[j..].starts_with("::<") {
            // Skip the turbofish, nested angle brackets included.
            j += 3;
            let mut depth = 1;
            while j < b.len() && depth > 0 {
                match b[j] {
                    b'<' => depth += 1,
                    b'>' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
        }
        let skip_ws = |mut k: usize| {
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            k
        };
        j = skip_ws(j);
        if b.get(j) != Some(&b'(') {
            continue;
        }
        j = skip_ws(j + 1);
        let digits = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
            j += 1;
        }
        if j > digits && b[digits].is_ascii_digit() && b.get(skip_ws(j)) == Some(&b')') {
            n += 1;
        }
    }
    n
}

/// Every file under `crates/store/src` with its positional reads.
fn counts() -> Vec<(String, usize)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = vec![];
    files(&src, &mut all);
    let mut out: Vec<(String, usize)> = all
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, positional_reads(&text))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_counter_finds_positional_reads() {
    assert_eq!(positional_reads("r.get(0) r.get::<i64, _>(12)"), 2);
    assert_eq!(positional_reads("r.try_get::<Option<String>, _>( 3 )"), 1);
    assert_eq!(positional_reads("r.try_get(1usize)"), 1);
    assert_eq!(
        positional_reads(r#"r.get("id") r.get::<i64, _>("n") m.get(&k)"#),
        0
    );
    assert_eq!(positional_reads("budget(0) r.get(i)"), 0);
}

#[test]
fn no_file_reads_more_columns_by_position_than_listed() {
    let counts = counts();
    assert!(
        counts.iter().any(|(p, _)| p == "lib.rs"),
        "the walk found the store's sources"
    );
    let over: Vec<String> = counts
        .iter()
        .filter_map(|(p, n)| {
            let allowed = NOT_YET_CONVERTED
                .iter()
                .find(|(e, _)| e == p)
                .map_or(0, |(_, a)| *a);
            (*n > allowed).then(|| format!("{p}: {n} positional reads, {allowed} allowed"))
        })
        .collect();
    assert!(
        over.is_empty(),
        "read columns by name (a FromRow struct, or get(\"name\") with the SELECT naming the column): {over:#?}"
    );
}

#[test]
fn every_listed_file_still_reads_by_position() {
    let counts = counts();
    let stale: Vec<String> = NOT_YET_CONVERTED
        .iter()
        .filter(|(e, _)| !counts.iter().any(|(p, n)| p == e && *n > 0))
        .map(|(e, _)| e.to_string())
        .collect();
    assert!(
        stale.is_empty(),
        "no positional reads left (or gone); remove from NOT_YET_CONVERTED: {stale:?}"
    );
}
