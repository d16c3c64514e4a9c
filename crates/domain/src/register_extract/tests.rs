//! The register extract's document and its lists.

use super::*;

fn extract() -> Extract {
    let mut person = Row::new();
    person.insert("name".into(), Value::Text("Åsa Öberg".into()));
    person.insert("active".into(), Value::Int(1));
    person.insert("created_at".into(), Value::Int(1_773_475_200));
    Extract {
        format: FORMAT.into(),
        person_id: 7,
        generated_at: 1_773_475_200,
        tables: SOURCES
            .iter()
            .map(|s| TableRows {
                table: s.table.into(),
                title: s.title.into(),
                rows: if s.table == "people" {
                    vec![person.clone()]
                } else {
                    vec![]
                },
            })
            .collect(),
        requirements: vec![],
        track: None,
        sign_ins: vec![],
        not_included: standing_omissions(),
    }
}

#[test]
fn every_source_is_named_once_and_shows_columns() {
    for (i, s) in SOURCES.iter().enumerate() {
        assert!(!s.columns.is_empty(), "{}", s.table);
        assert!(
            SOURCES[i + 1..].iter().all(|o| o.table != s.table),
            "{} twice",
            s.table
        );
        assert!(
            !EXCLUDED
                .iter()
                .any(|(t, c, _)| *t == s.table && *c == s.column),
            "{} both covered and excluded",
            s.table
        );
    }
    assert!(accounted_for("bookings", "person_id"));
    assert!(accounted_for("competence_holdings", "person_id"));
    assert!(!accounted_for("bookings", "booked_by_account_id"));
}

#[test]
fn secrets_are_never_copied() {
    assert_eq!(
        redact("password_hash", Value::Text("$argon2id$…".into())),
        Value::Text(REDACTED_TEXT.into())
    );
    assert_eq!(redact("password_hash", Value::Null), Value::Null);
    assert_eq!(
        redact("name", Value::Text("Åsa".into())),
        Value::Text("Åsa".into())
    );
}

#[test]
fn the_document_has_every_heading_and_says_when_empty() {
    let blocks = layout(&extract(), "Åsa Öberg");
    assert_eq!(
        blocks[0],
        Block::Title("Registerutdrag för Åsa Öberg".into())
    );
    for s in SOURCES {
        assert!(
            blocks.contains(&Block::Heading(s.title.into())),
            "{}",
            s.title
        );
    }
    assert!(blocks.contains(&Block::Heading("Kompetenskrav och glapp".into())));
    assert!(blocks.contains(&Block::Paragraph("Inga uppgifter.".into())));
    let Some(Block::Table { headers, rows }) =
        blocks.iter().find(|b| matches!(b, Block::Table { .. }))
    else {
        panic!("a table for the person")
    };
    assert_eq!(headers, &["Uppgift", "Värde"], "one row: label and value");
    assert_eq!(rows[0], ["Namn", "Åsa Öberg"]);
    assert_eq!(rows[8], ["Anställd", "ja"]);
    assert_eq!(rows[9], ["Registrerad", "2026-03-14 09:00"]);
}

#[test]
fn values_read_the_swedish_way() {
    assert_eq!(shown(Some(&Value::Real(3.5)), Kind::Text), "3,5");
    assert_eq!(shown(Some(&Value::Real(3.0)), Kind::Text), "3");
    assert_eq!(shown(Some(&Value::Int(0)), Kind::YesNo), "nej");
    assert_eq!(shown(None, Kind::Text), "–");
}

#[test]
fn the_document_shows_the_track_and_the_sign_ins() {
    let mut e = extract();
    let blocks = layout(&e, "Åsa Öberg");
    assert!(blocks.contains(&Block::Heading("Lärspår".into())));
    assert!(blocks.contains(&Block::Paragraph("Inga inloggningar.".into())));
    e.track = Some(TrackLine {
        track: "Undersköterska, äldreomsorg".into(),
        level: "bas".into(),
        percent: 60,
        base_done: 3,
        base_total: 5,
        deepening_done: 0,
        deepening_required: 2,
        specialist_done: 0,
        next_course: Some("Demens".into()),
    });
    e.sign_ins = vec![SignIn {
        at: 1_773_475_200,
        action: "login.failed".into(),
        channel: "inloggning".into(),
        detail: "wrong_password".into(),
    }];
    let text = format!("{:?}", layout(&e, "Åsa Öberg"));
    assert!(text.contains("3 av 5") && text.contains("Demens"), "{text}");
    assert!(text.contains("misslyckat inloggningsförsök"), "{text}");
    assert!(text.contains("wrong_password"), "{text}");
}
