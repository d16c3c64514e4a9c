//! The steering group's row of the authorisation table: aggregates only.
//! (The main table in `access::tests` checks that steering is denied every
//! action listed there.)

use super::*;

fn steering() -> Actor {
    Actor {
        account_id: 7,
        role: Role::Steering,
        person_id: Some(300),
        scope: Scope::default(),
    }
}

fn someone(person_id: i64) -> PersonRef {
    PersonRef {
        person_id,
        unit_id: Some(10),
        municipality_id: 1,
    }
}

#[test]
fn steering_reads_aggregates_and_nothing_else() {
    let s = steering();
    assert!(decide(&s, Action::ViewAggregates).is_allowed());
    let trainers = [300_i64];
    let denied: Vec<(&str, Action)> = vec![
        ("a person's record", Action::ViewPerson(someone(200))),
        (
            "even their own person record",
            Action::ViewPerson(someone(300)),
        ),
        ("the staff list", Action::ListPeople),
        ("booking someone", Action::BookPerson(someone(200))),
        (
            "a unit's page",
            Action::ViewUnit {
                unit_id: 10,
                municipality_id: 1,
            },
        ),
        (
            "participants of a session",
            Action::ViewSessionParticipants {
                trainer_person_ids: &trainers,
            },
        ),
        (
            "gap lists of a municipality",
            Action::ViewGaps {
                municipality_id: Some(1),
            },
        ),
        (
            "expiring certificates (named)",
            Action::ViewExpiringCompletions,
        ),
        ("reports with exports", Action::ViewReports),
        ("changing funding", Action::ManageFunding),
        (
            "the participations behind a figure",
            Action::ViewParticipationTrail,
        ),
        ("changing cost scenarios", Action::ManageCosts),
        ("changing unit costs", Action::ManageUnitCosts),
        ("changing the needs inventory", Action::ManageNeedsInventory),
        ("sessions", Action::ManageSessions),
        ("the outbox (names and e-mail)", Action::ViewOutbox),
        ("accounts", Action::ManageAccounts),
        ("the audit log", Action::ViewAuditLog),
        (
            "a trainer's absence",
            Action::RecordTrainerAbsence {
                trainer_person_id: 300,
            },
        ),
    ];
    for (what, action) in denied {
        assert!(!decide(&s, action).is_allowed(), "steering: {what}");
    }
    assert_eq!(
        decide(&s, Action::ViewPerson(someone(200))),
        Decision::Deny(AGGREGATES_ONLY)
    );
}

#[test]
fn aggregates_are_for_the_hub_and_the_steering_group_only() {
    let as_role = |role| Actor {
        account_id: 1,
        role,
        person_id: Some(100),
        scope: Scope {
            unit_ids: vec![10],
            municipality_ids: vec![1],
        },
    };
    for (role, allowed) in [
        (Role::Admin, true),
        (Role::Coordinator, true),
        (Role::Steering, true),
        (Role::Trainer, false),
        (Role::Manager, false),
        (Role::Participant, false),
    ] {
        assert_eq!(
            decide(&as_role(role), Action::ViewAggregates).is_allowed(),
            allowed,
            "{role:?}"
        );
        // Co-financing per municipality and month is an aggregate too.
        assert_eq!(
            decide(&as_role(role), Action::ViewCofinancing).is_allowed(),
            allowed,
            "{role:?} co-financing"
        );
    }
}

#[test]
fn a_trainer_records_their_own_absence_only() {
    let trainer = Actor {
        account_id: 2,
        role: Role::Trainer,
        person_id: Some(100),
        scope: Scope::default(),
    };
    let own = Action::RecordTrainerAbsence {
        trainer_person_id: 100,
    };
    let other = Action::RecordTrainerAbsence {
        trainer_person_id: 101,
    };
    assert!(decide(&trainer, own).is_allowed());
    assert!(!decide(&trainer, other).is_allowed());
    let mut manager = trainer.clone();
    manager.role = Role::Manager;
    assert!(!decide(&manager, own).is_allowed());
    let mut coordinator = trainer.clone();
    coordinator.role = Role::Coordinator;
    assert!(decide(&coordinator, other).is_allowed());
}

#[test]
fn steering_parses_from_code_and_swedish_label() {
    assert_eq!(Role::parse("steering"), Some(Role::Steering));
    assert_eq!(Role::parse("Styrgrupp"), Some(Role::Steering));
    assert!(!read_needs_audit(&steering(), 200));
}

#[test]
fn availability_is_the_trainers_own_and_the_hubs() {
    let trainer = Actor {
        account_id: 2,
        role: Role::Trainer,
        person_id: Some(100),
        scope: Scope::default(),
    };
    for (own, other) in [
        (
            Action::ViewTrainerAvailability {
                trainer_person_id: 100,
            },
            Action::ViewTrainerAvailability {
                trainer_person_id: 101,
            },
        ),
        (
            Action::EditTrainerAvailability {
                trainer_person_id: 100,
            },
            Action::EditTrainerAvailability {
                trainer_person_id: 101,
            },
        ),
    ] {
        assert!(decide(&trainer, own).is_allowed());
        assert!(!decide(&trainer, other).is_allowed());
        let mut manager = trainer.clone();
        manager.role = Role::Manager;
        assert!(!decide(&manager, own).is_allowed());
        assert!(!decide(&steering(), other).is_allowed());
        let mut coordinator = trainer.clone();
        coordinator.role = Role::Coordinator;
        assert!(decide(&coordinator, other).is_allowed());
    }
    assert!(!decide(&trainer, Action::ListTrainerAvailability).is_allowed());
}

#[test]
fn volumes_are_the_hubs_and_the_term_view_the_steering_groups_too() {
    let mut a = steering();
    assert!(decide(&a, Action::ViewTermPlan).is_allowed());
    assert!(!decide(&a, Action::ManageAgreedVolumes).is_allowed());
    for role in [Role::Manager, Role::Trainer, Role::Participant] {
        a.role = role;
        assert!(!decide(&a, Action::ViewTermPlan).is_allowed(), "{role:?}");
        assert!(
            !decide(&a, Action::ManageAgreedVolumes).is_allowed(),
            "{role:?}"
        );
    }
    a.role = Role::Coordinator;
    assert!(decide(&a, Action::ManageAgreedVolumes).is_allowed());
    assert!(decide(&a, Action::ViewTermPlan).is_allowed());
}
