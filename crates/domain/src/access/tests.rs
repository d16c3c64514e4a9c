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
            "the participations behind a figure",
            Action::ViewParticipationTrail,
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

#[test]
fn api_tokens_are_their_owners_or_an_administrators() {
    let own = Action::ManageApiToken {
        owner_account_id: 1,
    };
    let other = Action::ManageApiToken {
        owner_account_id: 2,
    };
    for role in [
        Role::Participant,
        Role::Manager,
        Role::Trainer,
        Role::Coordinator,
        Role::Steering,
    ] {
        assert!(decide(&actor(role), own).is_allowed(), "{role:?}");
        assert_eq!(
            decide(&actor(role), other),
            Decision::Deny(NOT_YOUR_TOKEN),
            "{role:?}"
        );
    }
    assert!(decide(&actor(Role::Admin), other).is_allowed());
}

#[test]
fn only_managers_act_within_a_scope() {
    for role in Role::ALL {
        assert_eq!(role.is_scoped(), role == Role::Manager, "{role:?}");
    }
}

/// The access review: admins see the whole region; a municipality's data
/// protection officer (a manager scoped to the whole municipality) sees
/// that municipality's part only; nobody else sees any of it.
#[test]
fn access_review_for_admins_and_a_municipality_account() {
    let whole = Action::ReviewAccess {
        municipality_id: None,
    };
    let mine = Action::ReviewAccess {
        municipality_id: Some(MUNI),
    };
    let other = Action::ReviewAccess {
        municipality_id: Some(OTHER_MUNI),
    };
    for a in [whole, mine, other] {
        assert!(decide(&actor(Role::Admin), a).is_allowed(), "{a:?}");
        for r in [
            Role::Coordinator,
            Role::Trainer,
            Role::Participant,
            Role::Steering,
        ] {
            assert!(!decide(&actor(r), a).is_allowed(), "{r:?} {a:?}");
        }
        // A unit manager is not the municipality's account.
        assert!(!decide(&actor(Role::Manager), a).is_allowed(), "{a:?}");
    }
    let dpo = Actor {
        scope: Scope {
            unit_ids: vec![],
            municipality_ids: vec![MUNI],
        },
        ..actor(Role::Manager)
    };
    assert!(decide(&dpo, mine).is_allowed());
    assert!(!decide(&dpo, other).is_allowed());
    assert!(!decide(&dpo, whole).is_allowed());
    match decide(&dpo, other) {
        Decision::Deny(why) => assert!(why.contains("din egen kommun"), "{why}"),
        d => panic!("{d:?}"),
    }
}

/// Planning: who asks for sessions, who answers, who registers interest
/// and who sees the demand (steering: counts only).
#[test]
fn planning_requests_interest_and_demand() {
    let roles = [
        Role::Admin,
        Role::Coordinator,
        Role::Trainer,
        Role::Manager,
        Role::Participant,
        Role::Steering,
    ];
    let cases: Vec<(&str, Action, [bool; 6])> = vec![
        (
            "request a session for my unit",
            Action::RequestSession {
                unit_id: Some(MY_UNIT),
                municipality_id: MUNI,
            },
            [true, true, false, true, false, false],
        ),
        (
            "request a session for another unit",
            Action::RequestSession {
                unit_id: Some(OTHER_UNIT),
                municipality_id: MUNI,
            },
            [true, true, false, false, false, false],
        ),
        (
            "request a session for a whole municipality I do not manage",
            Action::RequestSession {
                unit_id: None,
                municipality_id: MUNI,
            },
            [true, true, false, false, false, false],
        ),
        (
            "list session requests",
            Action::ListSessionRequests,
            [true, true, false, true, false, false],
        ),
        (
            "answer session requests",
            Action::AnswerSessionRequests,
            [true, true, false, false, false, false],
        ),
        (
            "register interest (has a person)",
            Action::RegisterInterest,
            [true, true, true, true, true, false],
        ),
        (
            "see the demand per course and municipality",
            Action::ViewDemand,
            [true, true, false, false, false, true],
        ),
    ];
    for (what, action, expected) in cases {
        for (role, want) in roles.iter().zip(expected) {
            assert_eq!(
                decide(&actor(*role), action).is_allowed(),
                want,
                "{role:?}: {what}"
            );
        }
    }
    // A manager of a whole municipality asks for it, without a unit.
    let muni_manager = Actor {
        scope: Scope {
            unit_ids: vec![],
            municipality_ids: vec![MUNI],
        },
        ..actor(Role::Manager)
    };
    assert!(decide(
        &muni_manager,
        Action::RequestSession {
            unit_id: None,
            municipality_id: MUNI
        }
    )
    .is_allowed());
    assert!(!decide(
        &muni_manager,
        Action::RequestSession {
            unit_id: None,
            municipality_id: OTHER_MUNI
        }
    )
    .is_allowed());
    // Without a person record there is no one whose interest it is.
    let no_person = Actor {
        person_id: None,
        ..actor(Role::Participant)
    };
    assert_eq!(
        decide(&no_person, Action::RegisterInterest),
        Decision::Deny(INTEREST_NEEDS_A_PERSON)
    );
    assert_eq!(
        decide(&actor(Role::Steering), Action::RegisterInterest),
        Decision::Deny(AGGREGATES_ONLY)
    );
}
