//! Who may do what. Every authorisation decision in Navet is made by
//! [`decide`]; handlers describe the action and obey the answer.

use serde::{Deserialize, Serialize};

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Coordinator,
    Trainer,
    Manager,
    #[default]
    Participant,
    /// The steering group: read-only, aggregates only, never a named person.
    Steering,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Coordinator,
        Role::Trainer,
        Role::Manager,
        Role::Participant,
        Role::Steering,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Trainer => "trainer",
            Role::Manager => "manager",
            Role::Participant => "participant",
            Role::Steering => "steering",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            Role::Admin => "administratör",
            Role::Coordinator => "samordnare",
            Role::Trainer => "utbildningsledare",
            Role::Manager => "enhetschef",
            Role::Participant => "medarbetare",
            Role::Steering => "styrgrupp",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s || r.label_sv() == s)
    }
}

/// The units and municipalities a manager is responsible for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub unit_ids: Vec<i64>,
    pub municipality_ids: Vec<i64>,
}

impl Scope {
    /// A unit is covered if it is named, or lies in a named municipality.
    pub fn covers_unit(&self, unit_id: i64, unit_municipality_id: i64) -> bool {
        self.unit_ids.contains(&unit_id) || self.municipality_ids.contains(&unit_municipality_id)
    }
    /// A person without a unit is covered only by a whole-municipality scope.
    pub fn covers(&self, unit_id: Option<i64>, municipality_id: i64) -> bool {
        match unit_id {
            Some(u) => self.covers_unit(u, municipality_id),
            None => self.municipality_ids.contains(&municipality_id),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.unit_ids.is_empty() && self.municipality_ids.is_empty()
    }
}

/// The logged-in account making a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account_id: i64,
    pub role: Role,
    /// The person record this account belongs to, if any.
    pub person_id: Option<i64>,
    /// For managers: what they manage. Empty for other roles.
    pub scope: Scope,
}

/// Where a person belongs, as far as access is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonRef {
    pub person_id: i64,
    pub unit_id: Option<i64>,
    pub municipality_id: i64,
}

/// Something an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Open a person's record (name, e-mail, bookings, completions).
    ViewPerson(PersonRef),
    /// Change a person's record.
    EditPerson(PersonRef),
    /// Add a person to a municipality (and unit).
    CreatePerson {
        municipality_id: i64,
        unit_id: Option<i64>,
    },
    /// Import a staff list for a municipality, optionally limited to a unit.
    ImportStaff {
        municipality_id: i64,
        unit_id: Option<i64>,
    },
    /// List people (filtered to what the actor may see).
    ListPeople,
    /// See a unit's page (staff, gaps, bookings).
    ViewUnit { unit_id: i64, municipality_id: i64 },
    /// Municipalities and units: create, rename, move.
    ManageOrganisation,
    /// Accounts, roles and scopes.
    ManageAccounts,
    /// Browse the audit log.
    ViewAuditLog,
    /// Courses and the trainer registry.
    ManageCatalogue,
    /// Schedule, edit and cancel sessions.
    ManageSessions,
    /// See who is booked on a session (with support needs).
    ViewSessionParticipants { trainer_person_ids: &'a [i64] },
    /// Mark attendance and close a session.
    MarkAttendance { trainer_person_ids: &'a [i64] },
    /// Book a person on a session, or cancel their booking.
    BookPerson(PersonRef),
    /// Reserve seats on a session for a unit, or give them up.
    ReserveForUnit { unit_id: i64, municipality_id: i64 },
    /// Name a person on one of a unit's reserved seats: the person must
    /// belong to that unit and the actor must be allowed to book for it.
    NameReservedSeat {
        unit_id: i64,
        municipality_id: i64,
        person: PersonRef,
    },
    /// Indicator report, dashboard and exports.
    ViewReports,
    /// Funding programme and commitments.
    ManageFunding,
    /// Cost model and scenarios.
    ManageCosts,
    /// Competence requirements for a unit (None = region-wide).
    ManageRequirements {
        unit_id: Option<i64>,
        municipality_id: Option<i64>,
    },
    /// The notice outbox (demo and test mail).
    ViewOutbox,
    /// Register a person's formal education.
    RegisterEducation(PersonRef),
    /// Gap sums for a municipality (None = the whole region).
    ViewGaps { municipality_id: Option<i64> },
    /// Learning tracks, packages and course prerequisites.
    ManageTracks,
    /// The needs inventory per profession and its links to courses.
    ManageNeedsInventory,
    /// The list of sessions one takes attendance for (a trainer's own).
    ListAttendanceSessions,
    /// Completions that expire soon (a manager sees their units').
    ViewExpiringCompletions,
    /// Send a person an invitation to sign in (a link to set a password,
    /// or where their municipality has a provider, which button to use).
    InvitePerson(PersonRef),
    /// Read aggregates only (dashboard, indicator report, funding
    /// follow-up, needs coverage, cost scenarios): the steering group's view.
    ViewAggregates,
    /// Register or remove a trainer's absence (a trainer their own).
    RecordTrainerAbsence { trainer_person_id: i64 },
}

/// The answer, with a reason a person can read when it is no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(&'static str),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }
}

const NOT_YOUR_UNITS: &str = "Personen hör inte till någon av dina enheter.";
const COORDINATORS_ONLY: &str = "Endast samordnare och administratörer får göra detta.";
const ADMINS_ONLY: &str = "Endast administratörer får göra detta.";
const NOT_YOUR_SESSION: &str = "Du är inte utbildningsledare för detta kurstillfälle.";
const ONLY_YOURSELF: &str = "Du kan bara se och ändra dina egna uppgifter.";
const NOT_THE_RESERVATIONS_UNIT: &str =
    "Personen hör inte till enheten som platserna är reserverade för.";
const AGGREGATES_ONLY: &str = "Styrgruppen ser bara sammanställningar, inga enskilda personer.";
const NOT_YOUR_RESERVATION: &str = "Reservationen gäller en enhet som du inte bokar för.";

fn allow_if(cond: bool, reason: &'static str) -> Decision {
    if cond {
        Decision::Allow
    } else {
        Decision::Deny(reason)
    }
}

/// The one place where access is decided.
pub fn decide(actor: &Actor, action: Action<'_>) -> Decision {
    use Action::*;
    use Role::*;
    let is_self = |p: &PersonRef| actor.person_id == Some(p.person_id);
    let is_trainer_of = |ids: &[i64]| actor.person_id.is_some_and(|me| ids.contains(&me));
    match (actor.role, action) {
        (Admin, ManageAccounts | ViewAuditLog) => Decision::Allow,
        (_, ManageAccounts | ViewAuditLog) => Decision::Deny(ADMINS_ONLY),

        // A unit's reserved seats go to that unit's people, whoever books.
        (
            _,
            NameReservedSeat {
                unit_id, person, ..
            },
        ) if person.unit_id != Some(unit_id) => Decision::Deny(NOT_THE_RESERVATIONS_UNIT),

        // Admins and coordinators run the hub and may do everything else.
        (Admin | Coordinator, _) => Decision::Allow,

        (
            Manager,
            ReserveForUnit {
                unit_id,
                municipality_id,
            }
            | NameReservedSeat {
                unit_id,
                municipality_id,
                ..
            },
        ) => allow_if(
            actor.scope.covers_unit(unit_id, municipality_id),
            NOT_YOUR_RESERVATION,
        ),
        (_, ReserveForUnit { .. } | NameReservedSeat { .. }) => {
            Decision::Deny(NOT_YOUR_RESERVATION)
        }

        // Formal education is vouched for by someone else: not by oneself.
        (Manager, RegisterEducation(p)) => allow_if(
            actor.scope.covers(p.unit_id, p.municipality_id),
            NOT_YOUR_UNITS,
        ),
        // Managers invite their units' people (not themselves: they have
        // an account already).
        (Manager, InvitePerson(p)) => allow_if(
            !is_self(&p) && actor.scope.covers(p.unit_id, p.municipality_id),
            NOT_YOUR_UNITS,
        ),
        (Manager, ViewPerson(p) | EditPerson(p) | BookPerson(p)) => allow_if(
            is_self(&p) || actor.scope.covers(p.unit_id, p.municipality_id),
            NOT_YOUR_UNITS,
        ),
        (
            Manager,
            CreatePerson {
                municipality_id,
                unit_id,
            }
            | ImportStaff {
                municipality_id,
                unit_id,
            },
        ) => allow_if(actor.scope.covers(unit_id, municipality_id), NOT_YOUR_UNITS),
        (
            Manager,
            ViewUnit {
                unit_id,
                municipality_id,
            },
        ) => allow_if(
            actor.scope.covers_unit(unit_id, municipality_id),
            NOT_YOUR_UNITS,
        ),
        (
            Manager,
            ManageRequirements {
                unit_id: Some(u),
                municipality_id: Some(m),
            },
        ) => allow_if(actor.scope.covers_unit(u, m), NOT_YOUR_UNITS),
        (Manager, ListPeople) => allow_if(!actor.scope.is_empty(), NOT_YOUR_UNITS),
        (
            Manager,
            ViewGaps {
                municipality_id: Some(m),
            },
        ) => allow_if(actor.scope.municipality_ids.contains(&m), NOT_YOUR_UNITS),
        (Manager, ViewExpiringCompletions) => allow_if(!actor.scope.is_empty(), NOT_YOUR_UNITS),
        (Trainer, ListAttendanceSessions) => Decision::Allow,
        (Trainer, RecordTrainerAbsence { trainer_person_id }) => {
            allow_if(actor.person_id == Some(trainer_person_id), ONLY_YOURSELF)
        }
        // The steering group reads aggregates and nothing with a name.
        (Steering, ViewAggregates) => Decision::Allow,
        (Steering, _) => Decision::Deny(AGGREGATES_ONLY),

        (
            Trainer,
            ViewSessionParticipants { trainer_person_ids } | MarkAttendance { trainer_person_ids },
        ) => allow_if(is_trainer_of(trainer_person_ids), NOT_YOUR_SESSION),

        // Everyone may see and book for themselves.
        (_, ViewPerson(p) | BookPerson(p)) => allow_if(is_self(&p), ONLY_YOURSELF),

        (_, _) => Decision::Deny(COORDINATORS_ONLY),
    }
}

/// Rule 6: reading another person's personal data as a manager, trainer,
/// coordinator or admin is written to the audit log. Reading your own is not.
pub fn read_needs_audit(actor: &Actor, person_id: i64) -> bool {
    actor.person_id != Some(person_id)
        && matches!(
            actor.role,
            Role::Manager | Role::Trainer | Role::Coordinator | Role::Admin
        )
}

#[cfg(test)]
mod steering_tests;

#[cfg(test)]
mod tests {
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
        ];
        for (name, action, expected) in cases {
            // Steering: see `steering_table` below (denied all of these).
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
    fn audit_on_reading_others_but_not_self() {
        assert!(read_needs_audit(&actor(Role::Manager), 200));
        assert!(read_needs_audit(&actor(Role::Trainer), 200));
        assert!(read_needs_audit(&actor(Role::Coordinator), 200));
        assert!(!read_needs_audit(&actor(Role::Manager), 100));
        assert!(!read_needs_audit(&actor(Role::Participant), 200));
    }
}
