//! People: the list within what the actor sees (each page of names a
//! logged read), one person's card (a logged read), adding and editing
//! a person (also where they are moved to must be the actor's).

use domain::ids::{MunicipalityId, PersonId};
use std::collections::HashMap;

use domain::access::Action;
use navet_store::invitations::Invitee;
use navet_store::org::{self, Municipality, Role as JobRole, Unit};
use navet_store::people::{self, Person, PersonInput};
use navet_store::StoreResult;

use super::UseCase;

/// What a list of people is asked for (the actor's visibility is added).
#[derive(Default, Clone)]
pub struct PeopleSearch {
    pub municipality_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// Matched without regard to case on name, e-mail or employee number.
    pub query: Option<String>,
    pub include_left: bool,
}

/// Above this many units in all, the hub picks a unit after its
/// municipality: a select of thousands is neither quick to send nor usable.
pub const UNITS_IN_ONE_PICKER: i64 = 500;

/// Where a person may be placed, for a form's or a filter's selects.
pub struct Placement {
    pub municipalities: Vec<Municipality>,
    pub units: Vec<Unit>,
    /// `units` holds the chosen municipality's units only (none until one
    /// is chosen).
    pub units_by_municipality: bool,
}

/// One page of the staff list.
pub struct PeopleList {
    pub shown: Vec<Person>,
    /// The last person shown, when there is a next page.
    pub next_after: Option<i64>,
    /// How many match, counted up to the cap asked for.
    pub total: i64,
    /// The municipalities and units the filters offer.
    pub placement: Placement,
    pub can_import: bool,
    /// Invitation state of the people shown that the actor may invite.
    pub invitees: HashMap<i64, Invitee>,
}

/// One person's card, with what the actor may do with it.
pub struct PersonCard {
    pub person: Person,
    pub can_edit: bool,
    pub can_erase: bool,
    pub can_extract: bool,
}

impl UseCase<'_> {
    fn people_filter(&self, q: &PeopleSearch) -> people::Filter {
        people::Filter {
            scope: self.visibility().restriction(),
            municipality_id: q.municipality_id,
            unit_id: q.unit_id,
            query: q.query.clone(),
            include_left: q.include_left,
        }
    }

    /// One page of people after `after` (Swedish order), with the count
    /// up to `count_cap`. Listing others' names and e-mail is a read of
    /// personal data: one entry per page with the ids shown (not the
    /// search text, which may be a name).
    pub async fn people_list(
        &self,
        q: &PeopleSearch,
        after: Option<i64>,
        page_size: i64,
        count_cap: i64,
    ) -> StoreResult<PeopleList> {
        self.decide(Action::ListPeople)?;
        let filter = self.people_filter(q);
        let (shown, next_after) = people::page(self.db(), &filter, after, page_size).await?;
        let total = people::count(self.db(), &filter, count_cap).await?;
        let ids: Vec<i64> = shown.iter().map(|p| p.id).collect();
        navet_store::audit::record_list_read(
            self.db(),
            &self.who,
            "people",
            "personallistan",
            &ids,
        )
        .await?;
        let placement = self.placement_options(q.municipality_id).await?;
        let invitable: Vec<i64> = shown
            .iter()
            .filter(|p| self.may(Action::InvitePerson(p.as_ref())))
            .map(|p| p.id)
            .collect();
        let invitees = if invitable.is_empty() {
            HashMap::new()
        } else {
            navet_store::invitations::invitees(self.db(), &invitable).await?
        };
        Ok(PeopleList {
            shown,
            next_after,
            total,
            placement,
            can_import: !self.visibility().sees_nothing(),
            invitees,
        })
    }

    /// One page of people for the API (logged with the number found).
    pub async fn people_page(
        &self,
        q: &PeopleSearch,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<(Vec<Person>, Option<i64>)> {
        self.decide(Action::ListPeople)?;
        let found = people::page(self.db(), &self.people_filter(q), after, limit).await?;
        self.audit(
            "person.list",
            "people",
            None,
            &format!("API: {} träffar", found.0.len()),
        )
        .await?;
        Ok(found)
    }

    /// Where people may be placed: the actor's municipalities and units.
    /// For the hub, when the nation has more units than one picker should
    /// hold, only the units of `municipality` (the one chosen first).
    pub async fn placement_options(&self, municipality: Option<i64>) -> StoreResult<Placement> {
        let munis = org::municipalities(self.db()).await?;
        match self.visibility().restriction() {
            Some(sc) if !self.visibility().sees_nothing() => {
                let units = org::units_in(self.db(), &sc).await?;
                let municipalities = munis
                    .into_iter()
                    .filter(|m| {
                        sc.municipality_ids.contains(&m.id)
                            || units.iter().any(|u| u.municipality_id == m.id)
                    })
                    .collect();
                Ok(Placement {
                    municipalities,
                    units,
                    units_by_municipality: false,
                })
            }
            _ if org::unit_count(self.db()).await? > UNITS_IN_ONE_PICKER => {
                let chosen = municipality.filter(|m| munis.iter().any(|x| x.id == *m));
                let units = match chosen {
                    Some(m) => org::units(self.db(), Some(MunicipalityId(m))).await?,
                    None => Vec::new(),
                };
                Ok(Placement {
                    municipalities: munis,
                    units,
                    units_by_municipality: true,
                })
            }
            _ => Ok(Placement {
                municipalities: munis,
                units: org::units(self.db(), None).await?,
                units_by_municipality: false,
            }),
        }
    }

    /// What the person form offers: job roles, municipalities, units.
    pub async fn person_form_choices(
        &self,
        municipality: Option<i64>,
    ) -> StoreResult<(Vec<JobRole>, Placement)> {
        let roles = org::roles(self.db()).await?;
        let placement = self.placement_options(municipality).await?;
        Ok((roles, placement))
    }

    /// The form for a new person: where they may be placed.
    pub async fn new_person_form(&self, municipality: Option<i64>) -> StoreResult<Placement> {
        self.decide(Action::ListPeople)?;
        self.placement_options(municipality).await
    }

    /// One person, if the actor may see them; `what` names the read in
    /// the log (another's data only).
    pub async fn view_person(&self, id: i64, what: &str) -> StoreResult<Person> {
        let p = people::get(self.db(), PersonId(id)).await?;
        self.decide(Action::ViewPerson(p.as_ref()))?;
        self.audit_person_read(p.id, what).await?;
        Ok(p)
    }

    /// One person's card.
    pub async fn person_card(&self, id: i64) -> StoreResult<PersonCard> {
        let person = self.view_person(id, "personkort").await?;
        Ok(PersonCard {
            can_edit: self.may(Action::EditPerson(person.as_ref())),
            can_erase: self.may(Action::ErasePerson(person.as_ref())),
            can_extract: self.may(Action::ExtractPersonData(person.as_ref())),
            person,
        })
    }

    /// A person to edit (a logged read of another's data).
    pub async fn person_for_edit(&self, id: i64) -> StoreResult<Person> {
        let p = people::get(self.db(), PersonId(id)).await?;
        self.decide(Action::EditPerson(p.as_ref()))?;
        self.audit_person_read(p.id, "redigering").await?;
        Ok(p)
    }

    /// A new person, where the actor may add one.
    pub async fn create_person(&self, input: &PersonInput) -> StoreResult<Person> {
        let resolved = people::resolve(self.db(), input).await?;
        self.decide(Action::CreatePerson {
            municipality_id: resolved.municipality_id,
            unit_id: resolved.unit_id,
        })?;
        let id = people::create(self.db(), &self.who, &resolved, false).await?;
        people::get(self.db(), PersonId(id)).await
    }

    /// A person's new details; moving them needs access to where they go.
    pub async fn update_person(
        &self,
        id: i64,
        input: &PersonInput,
        active: bool,
    ) -> StoreResult<()> {
        let p = people::get(self.db(), PersonId(id)).await?;
        self.decide(Action::EditPerson(p.as_ref()))?;
        let resolved = people::resolve(self.db(), input).await?;
        self.decide(Action::CreatePerson {
            municipality_id: resolved.municipality_id,
            unit_id: resolved.unit_id,
        })?;
        people::update(self.db(), &self.who, PersonId(id), &resolved, active).await
    }
}
