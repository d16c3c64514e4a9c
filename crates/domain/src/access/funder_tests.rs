//! The funder's paperwork in the authorisation table: monthly attestation
//! (only the person attests digitally; the hub registers paper, sees the
//! overview and reminds), the participant file, and the ESF reporter, who
//! alone reads personal identity numbers in full.

use super::*;

fn actor(role: Role, person_id: Option<i64>) -> Actor {
    Actor {
        account_id: 1,
        role,
        person_id,
        scope: if role == Role::Manager {
            Scope {
                unit_ids: vec![10],
                municipality_ids: vec![],
            }
        } else {
            Scope::default()
        },
    }
}

/// (action, [admin, coordinator, trainer, manager, participant, steering, esf_reporter])
#[test]
fn funder_actions_by_role() {
    let roles = Role::ALL;
    let cases: Vec<(&str, Action, [bool; 7])> = vec![
        (
            "attest my own month",
            Action::AttestOwnTime { person_id: 100 },
            [true, true, true, true, true, true, true],
        ),
        (
            "attest someone else's month",
            Action::AttestOwnTime { person_id: 200 },
            [false, false, false, false, false, false, false],
        ),
        (
            "the attestation overview",
            Action::ViewAttestations,
            [true, true, false, false, false, false, true],
        ),
        (
            "register a paper certificate",
            Action::RegisterPaperAttestation,
            [true, true, false, false, false, false, false],
        ),
        (
            "remind those who have not attested",
            Action::SendAttestationReminders,
            [true, true, false, false, false, false, false],
        ),
        (
            "produce the participant file",
            Action::ExportParticipantFile,
            [true, true, false, false, false, false, true],
        ),
        (
            "year of birth and personal identity number",
            Action::EditReportingDetails,
            [true, true, false, false, false, false, true],
        ),
        (
            "the participations behind a figure (named)",
            Action::ViewParticipationTrail,
            [true, true, false, false, false, false, false],
        ),
        (
            "read a personal identity number in full",
            Action::ReadFullIdentityNumber,
            [false, false, false, false, false, false, true],
        ),
        (
            "aggregates",
            Action::ViewAggregates,
            [true, true, false, false, false, true, true],
        ),
    ];
    for (what, action, expected) in cases {
        for (role, want) in roles.iter().zip(expected) {
            let a = actor(*role, Some(100));
            assert_eq!(decide(&a, action).is_allowed(), want, "{what}: {role:?}");
        }
    }
}

#[test]
fn denials_say_why() {
    let coord = actor(Role::Coordinator, Some(100));
    match decide(&coord, Action::ReadFullIdentityNumber) {
        Decision::Deny(why) => assert!(why.contains("ESF-rapportören"), "{why}"),
        d => panic!("{d:?}"),
    }
    match decide(&coord, Action::AttestOwnTime { person_id: 5 }) {
        Decision::Deny(why) => assert!(why.contains("pappersintyg"), "{why}"),
        d => panic!("{d:?}"),
    }
    // An account without a person record has no time to attest.
    assert!(!decide(
        &actor(Role::Participant, None),
        Action::AttestOwnTime { person_id: 5 }
    )
    .is_allowed());
}

/// The ESF reporter sees no named person and changes nothing else.
#[test]
fn the_esf_reporter_does_nothing_else() {
    let r = actor(Role::EsfReporter, Some(300));
    let p = PersonRef {
        person_id: 200,
        unit_id: Some(10),
        municipality_id: 1,
    };
    for a in [
        Action::ViewPerson(p),
        Action::EditPerson(p),
        Action::BookPerson(p),
        Action::ListPeople,
        Action::ManageSessions,
        Action::ManageFunding,
        Action::ManageUnitCosts,
        Action::ViewReports,
        Action::RegisterPaperAttestation,
        Action::SendAttestationReminders,
        Action::ViewOutbox,
        Action::ManageAccounts,
    ] {
        assert!(!decide(&r, a).is_allowed(), "{a:?}");
    }
    assert_eq!(visibility(&r).restriction(), Some(Scope::default()));
    assert!(!r.role.is_scoped());
    assert_eq!(Role::parse("esf_reporter"), Some(Role::EsfReporter));
    assert_eq!(Role::EsfReporter.code(), "esf_reporter");
}
