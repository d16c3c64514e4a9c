use super::*;
use crate::education::{Direction, EducationKind};

fn titles(id: i64) -> Option<(String, bool)> {
    match id {
        1 => Some(("Basala hygienrutiner".into(), false)),
        2 => Some(("Bemötande".into(), false)),
        3 => Some(("Läkemedelshantering".into(), false)),
        4 => Some(("Demensvård".into(), false)),
        5 => Some(("Sårvård".into(), false)),
        6 => Some(("Gammal kurs".into(), true)),
        _ => None,
    }
}

fn item(block: &str, course: &str) -> TrackItemDraft {
    TrackItemDraft {
        block: block.into(),
        course_id: course.into(),
        ..Default::default()
    }
}

#[test]
fn cycles_are_found_and_named() {
    assert_eq!(find_cycle(&[(1, 2), (2, 3)]), None);
    assert_eq!(
        find_cycle(&[(1, 2), (2, 3), (3, 1)]),
        Some(vec![1, 2, 3, 1])
    );
    assert_eq!(find_cycle(&[(5, 5)]), Some(vec![5, 5]));
    // A diamond is not a cycle.
    assert_eq!(find_cycle(&[(1, 2), (1, 3), (2, 4), (3, 4)]), None);
}

#[test]
fn a_prerequisite_closing_a_cycle_is_refused() {
    let existing = [(3, 2), (2, 1)]; // 3 requires 2 requires 1
    assert!(check_new_prerequisite(&existing, 4, 3, |c| c.to_string()).is_ok());
    let e = check_new_prerequisite(&existing, 1, 3, |c| titles(c).unwrap().0).unwrap_err();
    assert_eq!(e.0[0].code, "cycle");
    assert_eq!(e.0[0].field, "requires_course_id");
    assert!(
        e.0[0].message.contains(
            "”Basala hygienrutiner” → ”Läkemedelshantering” → ”Bemötande” → ”Basala hygienrutiner”"
        ),
        "{}",
        e.0[0].message
    );
    assert_eq!(
        check_new_prerequisite(&existing, 2, 2, |c| c.to_string())
            .unwrap_err()
            .0[0]
            .code,
        "self"
    );
    assert_eq!(
        check_new_prerequisite(&existing, 3, 2, |c| c.to_string())
            .unwrap_err()
            .0[0]
            .code,
        "duplicate"
    );
}

#[test]
fn transitive_prerequisites() {
    let edges = [(3, 2), (2, 1), (5, 4)];
    assert_eq!(all_prerequisites(&edges, 3), [1, 2].into_iter().collect());
    assert!(all_prerequisites(&edges, 1).is_empty());
}

#[test]
fn a_valid_track() {
    let t = check_track(
        &[
            item("bas", "1"),
            item("bas", "2"),
            TrackItemDraft {
                block: "bas".into(),
                title: "Välfärdsteknik".into(),
                ..Default::default()
            },
            item("fördjupning", "4"),
            item("fordjupning", "5"),
            TrackItemDraft {
                block: "spets".into(),
                title: "Specialistundersköterska demens".into(),
                provider: "yrkeshögskola".into(),
                education: "specialistundersköterska".into(),
                direction: "demens".into(),
                ..Default::default()
            },
        ],
        "1",
        titles,
        &[(2, 1)],
    )
    .unwrap();
    assert_eq!(t.items.len(), 6);
    assert_eq!(t.items[0].title, "Basala hygienrutiner");
    assert_eq!(t.items[2].course_id, None);
    assert_eq!(t.items[5].provider, Some(ProviderKind::Yrkeshogskola));
    assert_eq!(t.deepening_required, 1);
}

#[test]
fn track_errors_name_the_row() {
    let e = check_track(
        &[
            item("bas", "1"),
            item("bas", "1"),
            item("mellan", "2"),
            item("bas", "6"),
            item("bas", "77"),
            TrackItemDraft {
                block: "spets".into(),
                title: "Magister".into(),
                ..Default::default()
            },
            TrackItemDraft {
                block: "bas".into(),
                ..Default::default()
            },
        ],
        "3",
        titles,
        &[],
    )
    .unwrap_err();
    let fields: Vec<_> = e.0.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "items[2].course_id",
            "items[3].block",
            "items[4].course_id",
            "items[5].course_id",
            "items[6].provider",
            "items[7].title",
            "deepening_required"
        ]
    );
    assert!(e.0[2].message.contains("avvecklad"));
}

#[test]
fn base_block_must_respect_prerequisites() {
    // Läkemedelshantering (3) requires Basala hygienrutiner (1) via Bemötande (2).
    let e = check_track(
        &[item("bas", "3"), item("bas", "1")],
        "",
        titles,
        &[(3, 2), (2, 1)],
    )
    .unwrap_err();
    assert_eq!(e.0[0].code, "prerequisite_order");
    assert!(e.0[0]
        .message
        .contains("”Läkemedelshantering” före ”Basala hygienrutiner”"));
    assert!(check_track(
        &[item("bas", "1"), item("bas", "3")],
        "",
        titles,
        &[(3, 2), (2, 1)]
    )
    .is_ok());
}

#[test]
fn a_track_needs_a_base_block() {
    let e = check_track(&[item("fördjupning", "4")], "1", titles, &[]).unwrap_err();
    assert_eq!(e.0[0].code, "no_base");
}

fn sample() -> Track {
    check_track(
        &[
            item("bas", "1"),
            item("bas", "2"),
            item("bas", "3"),
            TrackItemDraft {
                block: "bas".into(),
                title: "Välfärdsteknik (kurs saknas)".into(),
                ..Default::default()
            },
            item("fördjupning", "4"),
            item("fördjupning", "5"),
            TrackItemDraft {
                block: "spets".into(),
                title: "Specialistundersköterska, demens".into(),
                provider: "yh".into(),
                education: "specialistundersköterska".into(),
                direction: "demens".into(),
                ..Default::default()
            },
        ],
        "1",
        titles,
        &[],
    )
    .unwrap()
}

#[test]
fn progress_follows_the_base_block_in_order() {
    let t = sample();
    let p = progress(&t, &HashSet::new(), &[]);
    assert_eq!(
        (
            p.base_done,
            p.base_total,
            p.next_item,
            p.percent,
            p.level_reached
        ),
        (0, 3, Some(0), 0, None)
    );
    let p = progress(&t, &[1, 3].into_iter().collect(), &[]);
    assert_eq!((p.base_done, p.next_item, p.percent), (2, Some(1), 50));
    let p = progress(&t, &[1, 2, 3].into_iter().collect(), &[]);
    assert_eq!(
        (p.next_item, p.percent, p.level_reached),
        (None, 75, Some(Block::Bas))
    );
    // Deepening: one of two is enough; a second does not count twice.
    let p = progress(&t, &[1, 2, 3, 4, 5].into_iter().collect(), &[]);
    assert_eq!(
        (p.deepening_done, p.percent, p.level_reached),
        (1, 100, Some(Block::Fordjupning))
    );
    // The specialist step is done by the matching formal education.
    let ed = [Education::new(
        EducationKind::SpecialistunderskoterskaYh,
        Some(Direction::Demens),
    )];
    let p = progress(&t, &[1, 2, 3, 5].into_iter().collect(), &ed);
    assert_eq!(
        (p.specialist_done, p.level_reached),
        (1, Some(Block::Spets))
    );
    assert_eq!(p.done, [true, true, true, false, false, true, true]);
    // The wrong direction does not count.
    let ed = [Education::new(
        EducationKind::SpecialistunderskoterskaYh,
        Some(Direction::Psykiatri),
    )];
    assert_eq!(progress(&t, &HashSet::new(), &ed).specialist_done, 0);
}

#[test]
fn codes_round_trip() {
    for b in Block::ALL {
        assert_eq!(Block::parse(b.code()), Some(b));
        assert_eq!(Block::parse(b.label_sv()), Some(b));
    }
    for p in ProviderKind::ALL {
        assert_eq!(ProviderKind::parse(p.code()), Some(p));
        assert_eq!(ProviderKind::parse(p.label_sv()), Some(p));
    }
}
