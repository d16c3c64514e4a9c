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
    /// The hub's ESF reporter: produces the funder's participant file and
    /// alone reads personal identity numbers in full (each read audited).
    #[serde(rename = "esf_reporter")]
    EsfReporter,
}

impl Role {
    /// A role that acts only within the units and municipalities of its
    /// account's scope (managers): such an account needs a scope.
    pub fn is_scoped(self) -> bool {
        self == Role::Manager
    }

    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Coordinator,
        Role::Trainer,
        Role::Manager,
        Role::Participant,
        Role::Steering,
        Role::EsfReporter,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Trainer => "trainer",
            Role::Manager => "manager",
            Role::Participant => "participant",
            Role::Steering => "steering",
            Role::EsfReporter => "esf_reporter",
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
            Role::EsfReporter => "ESF-rapportör",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s || r.label_sv().to_lowercase() == s)
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
    /// See or revoke an API token: one's own; an administrator anyone's.
    ManageApiToken { owner_account_id: i64 },
    /// The access review ("who looked at whose data"): the whole region
    /// (`None`) or the part about one municipality's people. Admins see
    /// all of it; a municipality's data protection officer, whose account
    /// is a manager's scoped to the whole municipality, sees that
    /// municipality's part.
    ReviewAccess { municipality_id: Option<i64> },
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
    /// Co-financing in kronor per municipality and month (aggregates:
    /// the steering group reads it too).
    ViewCofinancing,
    /// The unit-cost table and the rounding rule that value co-financing.
    ManageUnitCosts,
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
    /// Erase a person (pseudonymise what statistics must keep).
    ErasePerson(PersonRef),
    /// Legal holds, the retention run and the records of processing.
    ManagePrivacy,
    /// Produce a register extract (GDPR article 15) of everything held
    /// about a person: the person themself, their manager, the hub.
    ExtractPersonData(PersonRef),
    /// Open the staff booking page: book other people than oneself.
    BookStaff,
    /// Book the people of a unit (a unit page's "book" buttons).
    BookForUnit { unit_id: i64, municipality_id: i64 },
    /// The list of units (each row then filtered by [`visibility`]).
    ListUnits,
    /// Read aggregates only (dashboard, indicator report, funding
    /// follow-up, needs coverage, cost scenarios): the steering group's view.
    ViewAggregates,
    /// Register or remove a trainer's absence (a trainer their own).
    RecordTrainerAbsence { trainer_person_id: i64 },
    /// Ask the hub for a local session for a municipality (and unit).
    RequestSession {
        unit_id: Option<i64>,
        municipality_id: i64,
    },
    /// The list of session requests (each row then filtered by [`visibility`]).
    ListSessionRequests,
    /// Answer a session request (planned, merged, declined).
    AnswerSessionRequests,
    /// Say that one (or, for a manager, one's staff) wants a course that
    /// has no session yet.
    RegisterInterest,
    /// Demand per course and municipality: counts only, no names.
    ViewDemand,
    /// A trainer's availability for a term (a trainer their own).
    ViewTrainerAvailability { trainer_person_id: i64 },
    /// Give or change a trainer's availability (a trainer their own).
    EditTrainerAvailability { trainer_person_id: i64 },
    /// Every trainer's availability for a term (the hub's).
    ListTrainerAvailability,
    /// The places agreed ahead per municipality, term and course.
    ManageAgreedVolumes,
    /// The term view: agreed, planned, booked and attended places per
    /// municipality and course (counts only: the steering group reads it).
    ViewTermPlan,
    /// Confirm one's own attended time for a month (only the person
    /// themself; nobody attests digitally for someone else).
    AttestOwnTime { person_id: i64 },
    /// Who has attested a month and who has not, per municipality, and
    /// the printable certificates to sign on paper.
    ViewAttestations,
    /// Register a certificate signed on paper as received.
    RegisterPaperAttestation,
    /// Remind everyone who has not attested a month (one action).
    SendAttestationReminders,
    /// Produce and download the funder's monthly participant file.
    ExportParticipantFile,
    /// A person's year of birth and optional personal identity number
    /// for the participant file.
    EditReportingDetails,
    /// Read a personal identity number in full (the ESF reporter only;
    /// everyone else sees it masked).
    ReadFullIdentityNumber,
    /// The participations behind a figure of a report or export ("Visa
    /// underlag"): named people, so the hub's only.
    ViewParticipationTrail,
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
const MANAGERS_AND_COORDINATORS_BOOK: &str = "Endast chefer och samordnare kan boka andra.";
const NOT_YOUR_TOKEN: &str = "API-nyckeln hör till ett annat konto.";
const UNITS_FOR_MANAGERS: &str = "Enhetssidorna är till för chefer och samordnare.";
const REVIEW_FOR_ADMINS_AND_MUNICIPALITIES: &str =
    "Åtkomstgranskningen är till för administratörer och för kommunens dataskyddsombud (ett konto för hela kommunen).";
const NOT_YOUR_MUNICIPALITY: &str =
    "Du kan bara granska åtkomsten till uppgifter om personer i din egen kommun.";
const MANAGERS_REQUEST_SESSIONS: &str =
    "Endast chefer och samordnare kan begära kurstillfällen för en kommun.";
const ESF_REPORTER_ONLY: &str =
    "Fullständiga personnummer visas bara för ESF-rapportören; alla andra ser dem maskerade.";
const ESF_REPORTER_FILES: &str =
    "ESF-rapportören tar fram deltagarfilen och ser sammanställningar, inget annat.";
const ONLY_THE_PERSON_ATTESTS: &str =
    "Bara personen själv kan bekräfta sin närvarotid digitalt; samordnaren registrerar ett underskrivet pappersintyg.";
const INTEREST_NEEDS_A_PERSON: &str =
    "Kontot hör inte till någon medarbetare, så intresse kan inte registreras.";

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
        (Admin, ManageAccounts | ViewAuditLog | ReviewAccess { .. }) => Decision::Allow,
        (_, ManageAccounts | ViewAuditLog) => Decision::Deny(ADMINS_ONLY),
        (Admin, ManageApiToken { .. }) => Decision::Allow,
        (_, ManageApiToken { owner_account_id }) => {
            allow_if(actor.account_id == owner_account_id, NOT_YOUR_TOKEN)
        }
        // A municipality's part of the access review, for the account that
        // answers for the whole municipality (not a unit manager's).
        (
            Manager,
            ReviewAccess {
                municipality_id: Some(m),
            },
        ) => allow_if(
            actor.scope.municipality_ids.contains(&m),
            NOT_YOUR_MUNICIPALITY,
        ),
        (
            Manager,
            ReviewAccess {
                municipality_id: None,
            },
        ) => Decision::Deny(NOT_YOUR_MUNICIPALITY),
        (_, ReviewAccess { .. }) => Decision::Deny(REVIEW_FOR_ADMINS_AND_MUNICIPALITIES),

        // A unit's reserved seats go to that unit's people, whoever books.
        (
            _,
            NameReservedSeat {
                unit_id, person, ..
            },
        ) if person.unit_id != Some(unit_id) => Decision::Deny(NOT_THE_RESERVATIONS_UNIT),

        // Attested time is confirmed by the person alone; full personal
        // identity numbers are for the ESF reporter alone.
        (_, AttestOwnTime { person_id }) => {
            allow_if(actor.person_id == Some(person_id), ONLY_THE_PERSON_ATTESTS)
        }
        (EsfReporter, ReadFullIdentityNumber) => Decision::Allow,
        (_, ReadFullIdentityNumber) => Decision::Deny(ESF_REPORTER_ONLY),
        (
            EsfReporter,
            ViewAggregates
            | ViewCofinancing
            | ViewAttestations
            | ExportParticipantFile
            | EditReportingDetails,
        ) => Decision::Allow,
        (EsfReporter, _) => Decision::Deny(ESF_REPORTER_FILES),

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

        // A manager asks for sessions where they manage (a unit of theirs,
        // or a municipality they manage as a whole).
        (
            Manager,
            RequestSession {
                unit_id,
                municipality_id,
            },
        ) => allow_if(actor.scope.covers(unit_id, municipality_id), NOT_YOUR_UNITS),
        (_, RequestSession { .. }) => Decision::Deny(MANAGERS_REQUEST_SESSIONS),
        (Manager, ListSessionRequests) => allow_if(!actor.scope.is_empty(), NOT_YOUR_UNITS),

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
        (Manager, ViewPerson(p) | EditPerson(p) | BookPerson(p) | ExtractPersonData(p)) => {
            allow_if(
                is_self(&p) || actor.scope.covers(p.unit_id, p.municipality_id),
                NOT_YOUR_UNITS,
            )
        }
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
        (Manager, BookStaff | ListUnits) => Decision::Allow,
        (_, BookStaff) => Decision::Deny(MANAGERS_AND_COORDINATORS_BOOK),
        (_, ListUnits) => Decision::Deny(UNITS_FOR_MANAGERS),
        (
            Manager,
            BookForUnit {
                unit_id,
                municipality_id,
            },
        ) => allow_if(
            actor.scope.covers_unit(unit_id, municipality_id),
            NOT_YOUR_UNITS,
        ),
        (Trainer, ListAttendanceSessions) => Decision::Allow,
        (
            Trainer,
            RecordTrainerAbsence { trainer_person_id }
            | ViewTrainerAvailability { trainer_person_id }
            | EditTrainerAvailability { trainer_person_id },
        ) => allow_if(actor.person_id == Some(trainer_person_id), ONLY_YOURSELF),
        // The steering group reads aggregates and nothing with a name.
        (Steering, ViewAggregates | ViewDemand | ViewCofinancing | ViewTermPlan) => Decision::Allow,
        (Steering, _) => Decision::Deny(AGGREGATES_ONLY),
        // Anyone with a person record may say they want a course.
        (_, RegisterInterest) => allow_if(actor.person_id.is_some(), INTEREST_NEEDS_A_PERSON),

        (
            Trainer,
            ViewSessionParticipants { trainer_person_ids } | MarkAttendance { trainer_person_ids },
        ) => allow_if(is_trainer_of(trainer_person_ids), NOT_YOUR_SESSION),

        // Everyone may see and book for themselves.
        (_, ViewPerson(p) | BookPerson(p) | ExtractPersonData(p)) => {
            allow_if(is_self(&p), ONLY_YOURSELF)
        }

        (_, _) => Decision::Deny(COORDINATORS_ONLY),
    }
}

/// What an actor's lists of people, units and their bookings may show: the
/// whole region (admins and coordinators), a manager's units and
/// municipalities, or nothing (trainers and participants, who list only
/// their own things). It is made from an actor by [`visibility`] (or for the
/// system's own jobs by [`Visibility::system`]) and has no public
/// constructor otherwise, so a list function that takes one cannot be
/// called unscoped on a scoped user's behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility(Seen);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Everything,
    Within(Scope),
    Nothing,
}

/// The visibility of an actor's lists (see [`Visibility`]).
pub fn visibility(actor: &Actor) -> Visibility {
    Visibility(match actor.role {
        Role::Admin | Role::Coordinator => Seen::Everything,
        Role::Manager => Seen::Within(actor.scope.clone()),
        // The steering group sees aggregates only, never a list of people.
        Role::Trainer | Role::Participant | Role::Steering | Role::EsfReporter => Seen::Nothing,
    })
}

impl Visibility {
    /// Everything: for the command line and background jobs, which act
    /// for no signed-in person.
    pub fn system() -> Visibility {
        Visibility(Seen::Everything)
    }
    /// Whether the whole region is visible (no filter needed).
    pub fn is_everything(&self) -> bool {
        self.0 == Seen::Everything
    }
    /// Whether no person or unit is visible (the steering group, a
    /// participant, a trainer).
    pub fn sees_nothing(&self) -> bool {
        self.0 == Seen::Nothing
    }
    /// Whether a unit is visible.
    pub fn covers_unit(&self, unit_id: i64, municipality_id: i64) -> bool {
        match &self.0 {
            Seen::Everything => true,
            Seen::Within(s) => s.covers_unit(unit_id, municipality_id),
            Seen::Nothing => false,
        }
    }
    /// Whether a person (by unit, or without one by municipality) is visible.
    pub fn covers(&self, unit_id: Option<i64>, municipality_id: i64) -> bool {
        match &self.0 {
            Seen::Everything => true,
            Seen::Within(s) => s.covers(unit_id, municipality_id),
            Seen::Nothing => false,
        }
    }
    /// The scope a query must be limited to: `None` for everything, an
    /// empty scope for nothing.
    pub fn restriction(&self) -> Option<Scope> {
        match &self.0 {
            Seen::Everything => None,
            Seen::Within(s) => Some(s.clone()),
            Seen::Nothing => Some(Scope::default()),
        }
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
mod funder_tests;

#[cfg(test)]
mod steering_tests;

#[cfg(test)]
mod tests;
