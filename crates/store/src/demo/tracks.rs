//! Demo tracks from the pre-study's knowledge areas and the catalogue.
use crate::audit::Who;
use crate::db::Db;
use crate::error::StoreResult;
use crate::tracks::{save, TrackDraft};
use domain::education::{Direction, Education, EducationKind};
use domain::org::ActivityArea;
use domain::tracks::{Block, ProviderKind, TrackItemDraft};
use sqlx::Row;
use std::collections::HashMap;

const YRKESRESAN_CSV: &str = include_str!("../../../../seed/yrkesresan_areas.csv");

/// One demo item: the pre-study's knowledge area (Y-id), and the course
/// (by code) that answers it, or an external programme.
enum Seed {
    Course(&'static str, &'static str),
    Area(&'static str),
    External(&'static str, ProviderKind, EducationKind, Option<Direction>),
    ExternalArea(&'static str, ProviderKind),
}

struct SeedTrack {
    name: &'static str,
    role: &'static str,
    area: Option<ActivityArea>,
    description: &'static str,
    deepening_required: u32,
    items: Vec<(Block, Seed)>,
}

fn seed_tracks() -> Vec<SeedTrack> {
    use Block::*;
    use Direction as D;
    use EducationKind as E;
    use ProviderKind::*;
    use Seed::*;
    vec![
        SeedTrack {
            name: "Undersköterska i äldreomsorgen",
            role: "Undersköterska",
            area: Some(ActivityArea::Aldreomsorg),
            description: "Yrkesintroduktion (bas) för ny undersköterska i äldreomsorgen, fördjupning för den vana och spets för den erfarna.",
            deepening_required: 2,
            items: vec![
                (Bas, Course("Y081", "K001")),
                (Bas, Course("Y080", "K007")),
                (Bas, Course("Y021", "K003")),
                (Bas, Course("Y027", "K002")),
                (Bas, Course("Y072", "K004")),
                (Bas, Course("Y020", "K071")),
                (Bas, Course("Y023", "K070")),
                (Bas, Course("Y024", "K013")),
                (Bas, Course("Y022", "K072")),
                (Bas, Area("Y078")),
                (Fordjupning, Course("Y031", "K015")),
                (Fordjupning, Course("Y033", "K012")),
                (Fordjupning, Course("", "K014")),
                (Fordjupning, Course("", "K009")),
                (Fordjupning, Course("", "K017")),
                (Fordjupning, Course("", "K005")),
                (Fordjupning, Course("", "K011")),
                (Fordjupning, Course("", "K075")),
                (Fordjupning, Course("", "K028")),
                (Fordjupning, Course("", "K022")),
                (Spets, External("Y039", Yrkeshogskola, E::SpecialistunderskoterskaYh, Some(D::Demens))),
                (Spets, External("Y038", Yrkeshogskola, E::SpecialistunderskoterskaYh, Some(D::Geriatrik))),
                (Spets, External("Y040", Yrkeshogskola, E::SpecialistunderskoterskaYh, Some(D::Rehabilitering))),
                (Spets, External("Y041", Yrkeshogskola, E::SpecialistunderskoterskaYh, Some(D::Psykiatri))),
            ],
        },
        SeedTrack {
            name: "Stödassistent i funktionsstöd",
            role: "Stödassistent/boendestödjare",
            area: Some(ActivityArea::Funktionsstod),
            description: "Introduktion och kompetensutveckling för funktionshinderverksamheter.",
            deepening_required: 1,
            items: vec![
                (Bas, Course("Y081", "K001")),
                (Bas, Course("Y080", "K007")),
                (Bas, Course("Y012", "K003")),
                (Bas, Course("Y010", "K008")),
                (Bas, Course("Y006", "K079")),
                (Bas, Area("Y001")),
                (Bas, Area("Y008")),
                (Fordjupning, Course("Y003", "K032")),
                (Fordjupning, Course("Y004", "K019")),
                (Fordjupning, Course("", "K016")),
                (Fordjupning, Course("", "K080")),
                (Spets, External("", Yrkeshogskola, E::StodpedagogYh, None)),
                (Spets, External("", Yrkeshogskola, E::SpecialistunderskoterskaYh, Some(D::Funktionsnedsattning))),
            ],
        },
        SeedTrack {
            name: "Boendestödjare i socialpsykiatrin",
            role: "Stödassistent/boendestödjare",
            area: Some(ActivityArea::Socialpsykiatri),
            description: "Socialpsykiatrins områden gäller utöver funktionshinderområdets.",
            deepening_required: 1,
            items: vec![
                (Bas, Course("Y081", "K001")),
                (Bas, Course("Y018", "K016")),
                (Bas, Course("Y015", "K019")),
                (Bas, Course("Y017", "K008")),
                (Bas, Area("Y014")),
                (Bas, Area("Y016")),
                (Bas, Area("Y019")),
                (Fordjupning, Course("", "K035")),
                (Fordjupning, Course("", "K036")),
                (Fordjupning, Course("", "K079")),
                (Spets, External("", Yrkeshogskola, E::SpecialistunderskoterskaYh, Some(D::Psykiatri))),
            ],
        },
        SeedTrack {
            name: "Sjuksköterska i kommunal hälso- och sjukvård",
            role: "Sjuksköterska",
            area: Some(ActivityArea::KommunalHalsoOchSjukvard),
            description: "Introduktion för legitimerad personal i kommunen, fördjupning i kommunens vanliga vårdbehov och specialistutbildning.",
            deepening_required: 2,
            items: vec![
                (Bas, Area("Y042")),
                (Bas, Course("Y044", "K047")),
                (Bas, Course("Y046", "K002")),
                (Bas, Course("", "K066")),
                (Bas, Course("", "K073")),
                (Bas, Area("Y045")),
                (Fordjupning, Course("", "K076")),
                (Fordjupning, Course("Y043", "K052")),
                (Fordjupning, Course("", "K056")),
                (Fordjupning, Course("", "K062")),
                (Fordjupning, Course("", "K061")),
                (Fordjupning, Course("", "K053")),
                (Spets, External("Y051", Hogskola, E::Specialistsjukskoterska, Some(D::PalliativVard))),
                (Spets, External("Y052", Hogskola, E::Specialistsjukskoterska, Some(D::Psykiatri))),
                (Spets, External("Y053", Hogskola, E::Specialistsjukskoterska, Some(D::Demens))),
                (Spets, External("Y054", Hogskola, E::Specialistsjukskoterska, Some(D::Distrikt))),
                (Spets, External("Y055", Hogskola, E::Specialistsjukskoterska, Some(D::Geriatrik))),
            ],
        },
        SeedTrack {
            name: "Arbetsterapeut i kommunal hälso- och sjukvård",
            role: "Arbetsterapeut",
            area: Some(ActivityArea::KommunalHalsoOchSjukvard),
            description: "Introduktion för legitimerad personal i kommunen och fördjupning på universitetsnivå.",
            deepening_required: 1,
            items: vec![
                (Bas, Area("Y042")),
                (Bas, Course("Y044", "K040")),
                (Bas, Course("Y046", "K002")),
                (Bas, Area("Y045")),
                (Fordjupning, Course("", "K078")),
                (Fordjupning, Course("", "K044")),
                (Fordjupning, Course("", "K045")),
                (Fordjupning, Course("Y047", "K038")),
                (Spets, ExternalArea("Y048", Hogskola)),
                (Spets, ExternalArea("Y049", Hogskola)),
                (Spets, ExternalArea("Y050", Hogskola)),
            ],
        },
        SeedTrack {
            name: "Första linjens chef",
            role: "Enhetschef",
            area: None,
            description: "Förstudien föreslår ett eget block för första linjens chefer. Katalogen har ännu inga kurser för det.",
            deepening_required: 0,
            items: vec![
                (Bas, Area("Y056")),
                (Bas, Area("Y057")),
                (Bas, Area("Y058")),
                (Bas, Area("Y059")),
                (Bas, Area("Y060")),
                (Bas, Area("Y061")),
                (Bas, Area("Y062")),
                (Bas, Area("Y063")),
            ],
        },
    ]
}

/// Knowledge-area text from the pre-study, shortened to its first sentence.
fn area_texts() -> HashMap<String, String> {
    let mut r = csv::Reader::from_reader(YRKESRESAN_CSV.as_bytes());
    let headers = r.headers().expect("seed header").clone();
    let id = headers
        .iter()
        .position(|h| h == "record_id")
        .expect("record_id");
    let item = headers
        .iter()
        .position(|h| h == "item_sv")
        .expect("item_sv");
    r.records()
        .filter_map(|rec| rec.ok())
        .map(|rec| {
            let text = rec[item].trim();
            let first = text
                .split(". ")
                .next()
                .unwrap_or(text)
                .trim_end_matches('.');
            let mut t = first.to_string();
            if let Some(c) = t.get(..1) {
                t = c.to_uppercase() + &t[1..];
            }
            (rec[id].to_string(), t)
        })
        .collect()
}

/// Demo tracks from the pre-study's knowledge areas and the catalogue
/// (synthetic links, marked). Skips a track whose role is missing.
pub async fn load(db: &Db) -> StoreResult<usize> {
    let texts = area_texts();
    let codes: HashMap<String, i64> =
        sqlx::query("SELECT code, id FROM courses WHERE code IS NOT NULL")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get("code"), r.get("id")))
            .collect();
    let who = Who::system("demo");
    let mut n = 0;
    for t in seed_tracks() {
        let Some(role) = crate::org::role_by_name(db, t.role).await? else {
            continue;
        };
        let mut items = vec![];
        let mut refs = vec![];
        for (block, s) in &t.items {
            let (course_id, title, provider, education, direction, r) = match s {
                Seed::Course(y, k) => {
                    let Some(id) = codes.get(*k) else { continue };
                    (id.to_string(), String::new(), "", "", "", y.to_string())
                }
                Seed::Area(y) => (
                    String::new(),
                    texts.get(*y).cloned().unwrap_or_default(),
                    "",
                    "",
                    "",
                    y.to_string(),
                ),
                Seed::External(y, p, e, d) => {
                    let title = Education::new(*e, *d).label_sv();
                    let title = title[..1].to_uppercase() + &title[1..];
                    (
                        String::new(),
                        title,
                        p.code(),
                        e.code(),
                        d.map(|d| d.code()).unwrap_or(""),
                        y.to_string(),
                    )
                }
                Seed::ExternalArea(y, p) => (
                    String::new(),
                    format!(
                        "Fördjupning på universitetsnivå: {}",
                        texts.get(*y).cloned().unwrap_or_default().to_lowercase()
                    ),
                    p.code(),
                    "",
                    "",
                    y.to_string(),
                ),
            };
            items.push(TrackItemDraft {
                block: block.code().into(),
                course_id,
                title,
                provider: provider.into(),
                education: education.into(),
                direction: direction.into(),
            });
            refs.push(r);
        }
        let d = TrackDraft {
            name: t.name.into(),
            role_id: role.id.to_string(),
            activity_area: t.area.map(|a| a.code().to_string()).unwrap_or_default(),
            description: t.description.into(),
            deepening_required: t.deepening_required.to_string(),
            items,
        };
        save(db, &who, None, &d, true, &refs).await?;
        n += 1;
    }
    Ok(n)
}
