//! Learning tracks (yrkesresa): the list and one track (any signed-in
//! user; a manager also sees how far their own staff have come, logged),
//! the editor and course prerequisites (`ManageTracks`), and progress
//! along the tracks for a person or a unit through the API.

use domain::ids::{CourseId, PersonId, UnitId};
use std::collections::HashMap;

use domain::access::Action;
use domain::org::ActivityArea;
use domain::requirements::Placement;
use domain::tracks::{progress, TrackProgress};
use navet_store::catalogue::Course;
use navet_store::people::Person;
use navet_store::tracks::{self, PrerequisiteRow, TrackDraft, TrackStatus, TrackWithItems};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

/// One of a manager's staff on a track.
pub struct StaffOnTrack {
    pub person_id: i64,
    pub name: String,
    pub unit: String,
    pub progress: TrackProgress,
    /// The next base step's title ("" when none is left).
    pub next: String,
}

/// One track, with the manager's staff on it.
pub struct TrackPage {
    pub track: TrackWithItems,
    pub can_manage: bool,
    pub staff: Vec<StaffOnTrack>,
}

/// What the track editor offers.
pub struct TrackForm {
    pub roles: Vec<navet_store::org::Role>,
    /// Courses not retired.
    pub courses: Vec<Course>,
}

/// The prerequisites page.
pub struct Prerequisites {
    pub rows: Vec<PrerequisiteRow>,
    /// Every course (id, title).
    pub courses: Vec<(i64, String)>,
}

/// One of a unit's staff and their progress.
pub struct UnitMemberProgress {
    pub person: Person,
    pub status: Option<TrackStatus>,
}

impl UseCase<'_> {
    /// Every track with its items, and whether the actor may change them.
    pub async fn tracks(&self) -> StoreResult<(Vec<TrackWithItems>, bool)> {
        Ok((
            tracks::all_with_items(self.db()).await?,
            self.may(Action::ManageTracks),
        ))
    }

    /// One track (any signed-in user).
    pub async fn track(&self, id: i64) -> StoreResult<TrackWithItems> {
        tracks::get(self.db(), id).await
    }

    /// One track; a manager also sees their own staff on it (a list of
    /// people: logged when anyone is listed).
    pub async fn track_page(&self, id: i64) -> StoreResult<TrackPage> {
        let t = tracks::get(self.db(), id).await?;
        let staff = match self.visibility().restriction() {
            Some(scope) if !scope.is_empty() => self.staff_on_track(&t, scope).await?,
            _ => vec![],
        };
        if !staff.is_empty() {
            self.audit(
                "person.list",
                "track",
                Some(id),
                &format!("framsteg i spåret: {} personer", staff.len()),
            )
            .await?;
        }
        Ok(TrackPage {
            track: t,
            can_manage: self.may(Action::ManageTracks),
            staff,
        })
    }

    async fn staff_on_track(
        &self,
        t: &TrackWithItems,
        scope: domain::access::Scope,
    ) -> StoreResult<Vec<StaffOnTrack>> {
        let people = navet_store::people::list(
            self.db(),
            &navet_store::people::Filter {
                scope: Some(scope),
                ..Default::default()
            },
        )
        .await?;
        let units: HashMap<i64, (String, Option<ActivityArea>)> =
            navet_store::org::units(self.db(), None)
                .await?
                .into_iter()
                .map(|u| {
                    let area = ActivityArea::parse(&u.activity_area);
                    (u.id, (u.name, area))
                })
                .collect();
        let domain_track = t.to_domain();
        let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
        let mut held = tracks::holdings_of(self.db(), &ids).await?;
        let mut staff = vec![];
        for p in people {
            let (unit_name, area) = p
                .unit_id
                .and_then(|u| units.get(&u).cloned())
                .unwrap_or_default();
            let placement = Placement {
                role_id: p.role_id,
                unit_id: p.unit_id,
                activity_area: area,
            };
            if !t.fits(&placement) {
                continue;
            }
            let (done, eds) = held.remove(&p.id).unwrap_or_default();
            let pr = progress(&domain_track, &done, &eds);
            staff.push(StaffOnTrack {
                person_id: p.id,
                name: p.name,
                unit: unit_name,
                next: pr
                    .next_item
                    .and_then(|i| domain_track.items.get(i))
                    .map(|i| i.title.clone())
                    .unwrap_or_default(),
                progress: pr,
            });
        }
        Ok(staff)
    }

    /// What the editor offers (coordinators).
    pub async fn track_form(&self) -> StoreResult<TrackForm> {
        self.decide(Action::ManageTracks)?;
        Ok(TrackForm {
            roles: navet_store::org::roles(self.db()).await?,
            courses: self.courses_to_choose().await?,
        })
    }

    /// Courses to put in a track or a package: all but the retired.
    pub(super) async fn courses_to_choose(&self) -> StoreResult<Vec<Course>> {
        Ok(navet_store::catalogue::list(self.db(), None)
            .await?
            .into_iter()
            .filter(|co| co.status != domain::catalogue::CourseStatus::Avvecklad)
            .collect())
    }

    /// A track to change, with the editor.
    pub async fn track_to_edit(&self, id: i64) -> StoreResult<(TrackWithItems, TrackForm)> {
        self.decide(Action::ManageTracks)?;
        let t = tracks::get(self.db(), id).await?;
        Ok((t, self.track_form().await?))
    }

    pub async fn create_track(&self, d: &TrackDraft) -> StoreResult<i64> {
        self.decide(Action::ManageTracks)?;
        tracks::create(self.db(), &self.who, d).await
    }

    pub async fn update_track(&self, id: i64, d: &TrackDraft) -> StoreResult<()> {
        self.decide(Action::ManageTracks)?;
        tracks::update(self.db(), &self.who, id, d).await
    }

    pub async fn delete_track(&self, id: i64) -> StoreResult<()> {
        self.decide(Action::ManageTracks)?;
        tracks::delete(self.db(), &self.who, id).await
    }

    /// Course prerequisites and the courses to choose from (coordinators).
    pub async fn prerequisites(&self) -> StoreResult<Prerequisites> {
        self.decide(Action::ManageTracks)?;
        let courses = navet_store::catalogue::list(self.db(), None)
            .await?
            .into_iter()
            .map(|co| (co.id, co.title))
            .collect();
        Ok(Prerequisites {
            rows: tracks::prerequisites(self.db()).await?,
            courses,
        })
    }

    /// Add "course requires `requires` first"; a cycle is refused naming it.
    pub async fn add_prerequisite(&self, course_id: i64, requires: i64) -> StoreResult<()> {
        self.decide(Action::ManageTracks)?;
        tracks::add_prerequisite(
            self.db(),
            &self.who,
            CourseId(course_id),
            CourseId(requires),
        )
        .await
    }

    /// Remove a prerequisite. The ids come as read from the form, so a
    /// refusal is answered before a malformed id.
    pub async fn remove_prerequisite<E: From<StoreError>>(
        &self,
        ids: Result<(i64, i64), E>,
    ) -> Result<(), E> {
        self.decide(Action::ManageTracks)?;
        let (course_id, requires) = ids?;
        Ok(tracks::remove_prerequisite(
            self.db(),
            &self.who,
            CourseId(course_id),
            CourseId(requires),
        )
        .await?)
    }

    /// A person's progress along the track for their role and unit
    /// (reading another's is logged).
    pub async fn person_track_progress(&self, person_id: i64) -> StoreResult<Option<TrackStatus>> {
        let p = navet_store::people::get(self.db(), PersonId(person_id))
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => StoreError::NotFound("Personen"),
                e => e,
            })?;
        self.decide(Action::ViewPerson(p.as_ref()))?;
        self.audit_person_read(p.id, "API: spår").await?;
        Ok(tracks::person_progress(self.db(), PersonId(person_id))
            .await?
            .map(|(_, st)| st))
    }

    /// Every member of a unit's staff and their progress (logged).
    pub async fn unit_track_progress(&self, unit_id: i64) -> StoreResult<Vec<UnitMemberProgress>> {
        let u = navet_store::org::unit(self.db(), UnitId(unit_id)).await?;
        self.decide(Action::ViewUnit {
            unit_id: u.id,
            municipality_id: u.municipality_id,
        })?;
        let staff = navet_store::people::list(
            self.db(),
            &navet_store::people::Filter {
                unit_id: Some(unit_id),
                ..Default::default()
            },
        )
        .await?;
        let all = tracks::all_with_items(self.db()).await?;
        let ids: Vec<i64> = staff.iter().map(|p| p.id).collect();
        let mut held = tracks::holdings_of(self.db(), &ids).await?;
        let area = ActivityArea::parse(&u.activity_area);
        let mut out = vec![];
        for p in staff {
            let (done, eds) = held.remove(&p.id).unwrap_or_default();
            let placement = Placement {
                role_id: p.role_id,
                unit_id: Some(unit_id),
                activity_area: area,
            };
            out.push(UnitMemberProgress {
                status: tracks::status_for(&all, placement, &done, &eds),
                person: p,
            });
        }
        self.audit(
            "person.list",
            "unit",
            Some(unit_id),
            &format!("API: spårframsteg för {} personer", out.len()),
        )
        .await?;
        Ok(out)
    }
}
