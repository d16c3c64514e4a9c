//! The role × action table and the rules around it.

use super::*;

const MY_UNIT: i64 = 10;
const OTHER_UNIT: i64 = 11;
const MUNI: i64 = 1;
const OTHER_MUNI: i64 = 2;

fn actor(role: Role) -> Actor {
    Actor {
        account_id: 1,
        role,
        person_id: Some(100),
        scope: if role == Role::Manager {
            Scope {
                unit_ids: vec![MY_UNIT],
                municipality_ids: vec![],
            }
        } else {
            Scope::default()
        },
    }
}
fn person(unit: Option<i64>, muni: i64) -> PersonRef {
    PersonRef {
        person_id: 200,
        unit_id: unit,
        municipality_id: muni,
    }
}
fn me() -> PersonRef {
    PersonRef {
        person_id: 100,
        unit_id: Some(OTHER_UNIT),
        municipality_id: MUNI,
    }
}

/// role × action table: (action, [admin, coordinator, trainer, manager, participant])
#[test]
fn role_by_action_table() {
    let in_unit = person(Some(MY_UNIT), MUNI);
    let outside = person(Some(OTHER_UNIT), MUNI);
    let trainers_incl_me = [100_i64, 5];
    let trainers_without_me = [5_i64];
    let cases: Vec<(&str, Action, [bool; 5])> = vec![
        (
            "register extract for person in my unit",
            Action::ExtractPersonData(in_unit),
            [true, true, false, true, false],
        ),
        (
            "register extract for person outside my units",
            Action::ExtractPersonData(outside),
            [true, true, false, false, false],
        ),
        (
            "register extract for myself",
            Action::ExtractPersonData(me()),
            [true, true, true, true, true],
        ),
        (
            "view person in my unit",
            Action::ViewPerson(in_unit),
            [true, true, false, true, false],
        ),
        (
            "view person outside my units",
            Action::ViewPerson(outside),
            [true, true, false, false, false],
        ),
        (
            "view myself",
            Action::ViewPerson(me()),
            [true, true, true, true, true],
        ),
        (
            "edit person in my unit",
            Action::EditPerson(in_unit),
            [true, true, false, true, false],
        ),
        (
            "edit person outside",
            Action::EditPerson(outside),
            [true, true, false, false, false],
        ),
        (
            "book person in my unit",
            Action::BookPerson(in_unit),
            [true, true, false, true, false],
        ),
        (
            "book person outside",
            Action::BookPerson(outside),
            [true, true, false, false, false],
        ),
        (
            "book myself",
            Action::BookPerson(me()),
            [true, true, true, true, true],
        ),
        (
            "reserve seats for my unit",
            Action::ReserveForUnit {
                unit_id: MY_UNIT,
                municipality_id: MUNI,
            },
            [true, true, false, true, false],
        ),
        (
            "reserve seats for another unit in my municipality",
            Action::ReserveForUnit {
                unit_id: OTHER_UNIT,
                municipality_id: MUNI,
            },
            [true, true, false, false, false],
        ),
        (
            "name my unit's person on my unit's reserved seat",
            Action::NameReservedSeat {
                unit_id: MY_UNIT,
                municipality_id: MUNI,
                person: in_unit,
            },
            [true, true, false, true, false],
        ),
        (
            "name my unit's person on another unit's reserved seat",
            Action::NameReservedSeat {
                unit_id: OTHER_UNIT,
                municipality_id: MUNI,
                person: in_unit,
            },
            [false, false, false, false, false],
        ),
        (
            "name the other unit's person on its reserved seat",
            Action::NameReservedSeat {
                unit_id: OTHER_UNIT,
                municipality_id: MUNI,
                person: outside,
            },
            [true, true, false, false, false],
        ),
        (
            "name myself on my unit's reserved seat",
            Action::NameReservedSeat {
                unit_id: OTHER_UNIT,
                municipality_id: MUNI,
                person: me(),
            },
            [true, true, false, false, false],
        ),
        (
            "name a person without a unit on a reserved seat",
            Action::NameReservedSeat {
                unit_id: MY_UNIT,
                municipality_id: MUNI,
                person: person(None, MUNI),
            },
            [false, false, false, false, false],
        ),
        (
            "create person in my unit",
            Action::CreatePerson {
                municipality_id: MUNI,
                unit_id: Some(MY_UNIT),
            },
            [true, true, false, true, false],
        ),
        (
            "create person in other unit",
            Action::CreatePerson {
                municipality_id: MUNI,
                unit_id: Some(OTHER_UNIT),
            },
            [true, true, false, false, false],
        ),
        (
            "create person without unit",
            Action::CreatePerson {
                municipality_id: MUNI,
                unit_id: None,
            },
            [true, true, false, false, false],
        ),
        (
            "import staff to my unit",
            Action::ImportStaff {
                municipality_id: MUNI,
                unit_id: Some(MY_UNIT),
            },
            [true, true, false, true, false],
        ),
        (
            "import whole municipality",
            Action::ImportStaff {
                municipality_id: OTHER_MUNI,
                unit_id: None,
            },
            [true, true, false, false, false],
        ),
        (
            "view my unit",
            Action::ViewUnit {
                unit_id: MY_UNIT,
                municipality_id: MUNI,
            },
            [true, true, false, true, false],
        ),
        (
            "view other unit",
            Action::ViewUnit {
                unit_id: OTHER_UNIT,
                municipality_id: MUNI,
            },
            [true, true, false, false, false],
        ),
        (
            "manage organisation",
            Action::ManageOrganisation,
            [true, true, false, false, false],
        ),
        (
            "manage accounts",
            Action::ManageAccounts,
            [true, false, false, false, false],
        ),
        (
            "view audit log",
            Action::ViewAuditLog,
            [true, false, false, false, false],
        ),
        (
            "manage catalogue",
            Action::ManageCatalogue,
            [true, true, false, false, false],
        ),
        (
            "manage sessions",
            Action::ManageSessions,
            [true, true, false, false, false],
        ),
        (
            "participants of my session",
            Action::ViewSessionParticipants {
                trainer_person_ids: &trainers_incl_me,
            },
            [true, true, true, false, false],
        ),
        (
            "participants of another session",
            Action::ViewSessionParticipants {
                trainer_person_ids: &trainers_without_me,
            },
            [true, true, false, false, false],
        ),
        (
            "attendance of my session",
            Action::MarkAttendance {
                trainer_person_ids: &trainers_incl_me,
            },
            [true, true, true, false, false],
        ),
        (
            "attendance of another session",
            Action::MarkAttendance {
                trainer_person_ids: &trainers_without_me,
            },
            [true, true, false, false, false],
        ),
        (
            "reports",
            Action::ViewReports,
            [true, true, false, false, false],
        ),
        (
            "funding",
            Action::ManageFunding,
            [true, true, false, false, false],
        ),
        (
            "costs",
            Action::ManageCosts,
            [true, true, false, false, false],
        ),
        (
            "unit costs and the rounding rule",
            Action::ManageUnitCosts,
            [true, true, false, false, false],
        ),
        (
            "requirements for my unit",
            Action::ManageRequirements {
                unit_id: Some(MY_UNIT),
                municipality_id: Some(MUNI),
            },
            [true, true, false, true, false],
        ),
        (
            "requirements for another unit",
            Action::ManageRequirements {
                unit_id: Some(OTHER_UNIT),
                municipality_id: Some(MUNI),
            },
            [true, true, false, false, false],
        ),
        (
            "region-wide requirements",
            Action::ManageRequirements {
                unit_id: None,
                municipality_id: None,
            },
            [true, true, false, false, false],
        ),
        (
            "outbox",
            Action::ViewOutbox,
            [true, true, false, false, false],
        ),
        (
            "erase a person in my unit",
            Action::ErasePerson(in_unit),
            [true, true, false, false, false],
        ),
        (
            "erase myself",
            Action::ErasePerson(me()),
            [true, true, false, false, false],
        ),
        (
            "legal holds, retention",
            Action::ManagePrivacy,
            [true, true, false, false, false],
        ),
        (
            "list people",
            Action::ListPeople,
            [true, true, false, true, false],
        ),
        (
            "register education in my unit",
            Action::RegisterEducation(in_unit),
            [true, true, false, true, false],
        ),
        (
            "register education outside",
            Action::RegisterEducation(outside),
            [true, true, false, false, false],
        ),
        (
            "register own education",
            Action::RegisterEducation(me()),
            [true, true, false, false, false],
        ),
        (
            "gaps of a municipality not mine",
            Action::ViewGaps {
                municipality_id: Some(MUNI),
            },
            [true, true, false, false, false],
        ),
        (
            "region-wide gaps",
            Action::ViewGaps {
                municipality_id: None,
            },
            [true, true, false, false, false],
        ),
        (
            "manage tracks and packages",
            Action::ManageTracks,
            [true, true, false, false, false],
        ),
        (
            "manage needs inventory",
            Action::ManageNeedsInventory,
            [true, true, false, false, false],
        ),
        (
            "attendance sessions",
            Action::ListAttendanceSessions,
            [true, true, true, false, false],
        ),
        (
            "expiring completions",
            Action::ViewExpiringCompletions,
            [true, true, false, true, false],
        ),
        (
            "invite a person in my unit",
            Action::InvitePerson(in_unit),
            [true, true, false, true, false],
        ),
        (
            "invite a person outside my units",
            Action::InvitePerson(outside),
            [true, true, false, false, false],
        ),
        (
            "invite myself",
            Action::InvitePerson(me()),
            [true, true, false, false, false],
        ),
        (
            "open the staff booking page",
            Action::BookStaff,
            [true, true, false, true, false],
        ),
        (
            "book my unit's people",
            Action::BookForUnit {
                unit_id: MY_UNIT,
                municipality_id: MUNI,
            },
            [true, true, false, true, false],
        ),
        (
            "book another unit's people",
            Action::BookForUnit {
                unit_id: OTHER_UNIT,
                municipality_id: MUNI,
            },
            [true, true, false, false, false],
        ),
        (
            "list units",
            Action::ListUnits,
            [true, true, false, true, false],
        ),
    ];
    for (name, action, expected) in cases {
        // Steering: see `steering_tests` (denied all of these).
        assert!(
            !decide(&actor(Role::Steering), action).is_allowed(),
            "{name} as steering"
        );
        for (i, role) in Role::ALL.into_iter().take(5).enumerate() {
            let got = decide(&actor(role), action).is_allowed();
            assert_eq!(got, expected[i], "{name} as {role:?}");
        }
    }
}

#[test]
fn municipality_scope_covers_every_unit_and_unitless_people_there() {
    let mut a = actor(Role::Manager);
    a.scope = Scope {
        unit_ids: vec![],
        municipality_ids: vec![MUNI],
    };
    assert!(decide(&a, Action::ViewPerson(person(Some(OTHER_UNIT), MUNI))).is_allowed());
    assert!(decide(&a, Action::ViewPerson(person(None, MUNI))).is_allowed());
    assert!(!decide(&a, Action::ViewPerson(person(Some(99), OTHER_MUNI))).is_allowed());
}

#[test]
fn municipality_manager_sees_that_municipalitys_gaps_only() {
    let mut a = actor(Role::Manager);
    a.scope = Scope {
        unit_ids: vec![],
        municipality_ids: vec![MUNI],
    };
    assert!(decide(
        &a,
        Action::ViewGaps {
            municipality_id: Some(MUNI)
        }
    )
    .is_allowed());
    assert!(!decide(
        &a,
        Action::ViewGaps {
            municipality_id: Some(OTHER_MUNI)
        }
    )
    .is_allowed());
    assert!(!decide(
        &a,
        Action::ViewGaps {
            municipality_id: None
        }
    )
    .is_allowed());
}

#[test]
fn manager_without_scope_lists_nobody() {
    let mut a = actor(Role::Manager);
    a.scope = Scope::default();
    assert!(!decide(&a, Action::ListPeople).is_allowed());
}

#[test]
fn denial_says_why() {
    let d = decide(
        &actor(Role::Manager),
        Action::ViewPerson(person(Some(OTHER_UNIT), MUNI)),
    );
    assert_eq!(d, Decision::Deny(NOT_YOUR_UNITS));
}

#[test]
fn visibility_follows_the_role_and_the_managers_scope() {
    for role in [Role::Admin, Role::Coordinator] {
        let v = visibility(&actor(role));
        assert!(v.is_everything());
        assert_eq!(v.restriction(), None);
        assert!(v.covers_unit(OTHER_UNIT, OTHER_MUNI));
    }
    let v = visibility(&actor(Role::Manager));
    assert!(!v.is_everything());
    assert!(v.covers_unit(MY_UNIT, MUNI));
    assert!(!v.covers_unit(OTHER_UNIT, MUNI));
    assert!(!v.covers(None, MUNI));
    assert_eq!(
        v.restriction(),
        Some(Scope {
            unit_ids: vec![MY_UNIT],
            municipality_ids: vec![],
        })
    );
    for role in [Role::Trainer, Role::Participant] {
        let v = visibility(&actor(role));
        assert!(!v.covers_unit(MY_UNIT, MUNI));
        assert_eq!(v.restriction(), Some(Scope::default()));
    }
    assert!(Visibility::system().is_everything());
}

#[test]
fn audit_on_reading_others_but_not_self() {
    assert!(read_needs_audit(&actor(Role::Manager), 200));
    assert!(read_needs_audit(&actor(Role::Trainer), 200));
    assert!(read_needs_audit(&actor(Role::Coordinator), 200));
    assert!(!read_needs_audit(&actor(Role::Manager), 100));
    assert!(!read_needs_audit(&actor(Role::Participant), 200));
}
