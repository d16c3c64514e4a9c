//! Learning tracks (yrkesresa) and course prerequisites.
//!
//! A track is the recommended way through the catalogue for a role in an
//! activity area, in three blocks after the national pre-study: a **base
//! block** (bas) of courses in order, a **deepening block** (fördjupning) to
//! choose from (`deepening_required` of them), and a **specialist block**
//! (spets) pointing to external programmes at a yrkeshögskola or högskola.
//! An item may name a knowledge area that no course answers yet; it is shown
//! as a gap in the catalogue and left out of the progress count.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::education::{holds, Education};
use crate::errors::FieldErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    Bas,
    Fordjupning,
    Spets,
}

impl Block {
    pub const ALL: [Block; 3] = [Block::Bas, Block::Fordjupning, Block::Spets];
    pub fn code(self) -> &'static str {
        match self {
            Block::Bas => "bas",
            Block::Fordjupning => "fordjupning",
            Block::Spets => "spets",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            Block::Bas => "basblock",
            Block::Fordjupning => "fördjupningsblock",
            Block::Spets => "spetsblock",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Block::Bas => "basic block",
            Block::Fordjupning => "advanced block",
            Block::Spets => "specialist block",
        }
    }
    pub fn parse(s: &str) -> Option<Block> {
        match s.trim().to_lowercase().as_str() {
            "bas" | "basblock" => Some(Block::Bas),
            "fordjupning" | "fördjupning" | "fördjupningsblock" => Some(Block::Fordjupning),
            "spets" | "spetsblock" => Some(Block::Spets),
            _ => None,
        }
    }
}

/// Who gives an external programme in the specialist block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Yrkeshogskola,
    Hogskola,
    Annan,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 3] = [
        ProviderKind::Yrkeshogskola,
        ProviderKind::Hogskola,
        ProviderKind::Annan,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ProviderKind::Yrkeshogskola => "yrkeshogskola",
            ProviderKind::Hogskola => "hogskola",
            ProviderKind::Annan => "annan",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            ProviderKind::Yrkeshogskola => "yrkeshögskola",
            ProviderKind::Hogskola => "högskola/universitet",
            ProviderKind::Annan => "annan utbildningsanordnare",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            ProviderKind::Yrkeshogskola => "higher vocational education",
            ProviderKind::Hogskola => "university",
            ProviderKind::Annan => "other education provider",
        }
    }
    pub fn parse(s: &str) -> Option<ProviderKind> {
        match s.trim().to_lowercase().as_str() {
            "yrkeshogskola" | "yrkeshögskola" | "yh" => Some(ProviderKind::Yrkeshogskola),
            "hogskola" | "högskola" | "universitet" | "högskola/universitet" => {
                Some(ProviderKind::Hogskola)
            }
            "annan" | "annan utbildningsanordnare" => Some(ProviderKind::Annan),
            _ => None,
        }
    }
}

/// One step of a track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackItem {
    pub block: Block,
    /// The catalogue course; `None` for an external programme or a
    /// knowledge area without a course yet.
    pub course_id: Option<i64>,
    pub title: String,
    /// For external programmes.
    pub provider: Option<ProviderKind>,
    /// A formal education that completes an external programme step.
    pub education: Option<Education>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub items: Vec<TrackItem>,
    pub deepening_required: u32,
}

// Prerequisites ----------------------------------------------------------------

/// A cycle in the prerequisite graph, if any: the courses on it, in order,
/// with the first repeated at the end (A → B → A).
pub fn find_cycle(edges: &[(i64, i64)]) -> Option<Vec<i64>> {
    let mut next: HashMap<i64, Vec<i64>> = HashMap::new();
    for (from, to) in edges {
        next.entry(*from).or_default().push(*to);
    }
    for v in next.values_mut() {
        v.sort_unstable();
    }
    let mut nodes: Vec<i64> = next.keys().copied().collect();
    nodes.sort_unstable();
    // 0 = unseen, 1 = on the current path, 2 = done.
    let mut state: HashMap<i64, u8> = HashMap::new();
    for start in nodes {
        if state.get(&start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut path: Vec<i64> = vec![start];
        let mut iters: Vec<usize> = vec![0];
        state.insert(start, 1);
        while let Some(&node) = path.last() {
            let i = *iters.last().expect("parallel stacks");
            let succ = next.get(&node).map(|v| v.as_slice()).unwrap_or(&[]);
            if i < succ.len() {
                *iters.last_mut().expect("parallel stacks") += 1;
                let s = succ[i];
                match state.get(&s).copied().unwrap_or(0) {
                    0 => {
                        state.insert(s, 1);
                        path.push(s);
                        iters.push(0);
                    }
                    1 => {
                        let pos = path.iter().position(|x| *x == s).expect("on path");
                        let mut cycle = path[pos..].to_vec();
                        cycle.push(s);
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                state.insert(node, 2);
                path.pop();
                iters.pop();
            }
        }
    }
    None
}

/// May `course` get `requires` as a prerequisite, given the existing edges
/// (course, required course)? Refuses itself, duplicates, and anything that
/// would close a cycle, naming the courses on it.
pub fn check_new_prerequisite(
    existing: &[(i64, i64)],
    course: i64,
    requires: i64,
    title: impl Fn(i64) -> String,
) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if course == requires {
        e.add(
            "requires_course_id",
            "self",
            "En kurs kan inte vara förkunskapskrav för sig själv.",
        );
        return Err(e);
    }
    if existing.contains(&(course, requires)) {
        e.add(
            "requires_course_id",
            "duplicate",
            "Förkunskapskravet finns redan.",
        );
        return Err(e);
    }
    let mut all = existing.to_vec();
    all.push((course, requires));
    if let Some(cycle) = find_cycle(&all) {
        let names: Vec<String> = cycle.iter().map(|c| format!("”{}”", title(*c))).collect();
        e.add(
            "requires_course_id",
            "cycle",
            format!(
                "Förkunskapskraven skulle gå i cirkel: {} (varje kurs kräver nästa). Inget ändrades.",
                names.join(" → ")
            ),
        );
        return Err(e);
    }
    Ok(())
}

/// All courses `course` requires, directly or through others.
pub fn all_prerequisites(edges: &[(i64, i64)], course: i64) -> HashSet<i64> {
    let mut seen = HashSet::new();
    let mut stack = vec![course];
    while let Some(c) = stack.pop() {
        for (from, to) in edges {
            if *from == c && seen.insert(*to) {
                stack.push(*to);
            }
        }
    }
    seen
}

// Checking a track ---------------------------------------------------------------

/// A track as typed: one line per item in the editor.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TrackItemDraft {
    pub block: String,
    pub course_id: String,
    pub title: String,
    pub provider: String,
    pub education: String,
    pub direction: String,
}

/// Check a track's items (field names are `items[N].field`, counted from 1):
/// the base and deepening blocks name a course or a knowledge area; a course
/// appears once; a specialist item names a course or a programme with its
/// provider; the base block respects prerequisites (a course never comes
/// before one it requires); at least as many deepening courses as must be
/// chosen; a retired course is refused.
pub fn check_track(
    items: &[TrackItemDraft],
    deepening_required: &str,
    course_title: impl Fn(i64) -> Option<(String, bool)>,
    prerequisites: &[(i64, i64)],
) -> Result<Track, FieldErrors> {
    let mut e = FieldErrors::new();
    let mut out = vec![];
    let mut seen_courses: HashSet<i64> = HashSet::new();
    for (n, d) in items.iter().enumerate() {
        let f = |name: &str| format!("items[{}].{name}", n + 1);
        let block = Block::parse(&d.block);
        if block.is_none() {
            e.add(
                &f("block"),
                "invalid_block",
                format!("Rad {}: välj block (bas, fördjupning eller spets).", n + 1),
            );
        }
        let course_id = if d.course_id.trim().is_empty() {
            None
        } else {
            match d
                .course_id
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|id| course_title(id).map(|t| (id, t)))
            {
                None => {
                    e.add(
                        &f("course_id"),
                        "invalid_course",
                        format!("Rad {}: okänd kurs.", n + 1),
                    );
                    None
                }
                Some((_, (title, true))) => {
                    e.add(
                        &f("course_id"),
                        "retired_course",
                        format!("Rad {}: kursen ”{title}” är avvecklad.", n + 1),
                    );
                    None
                }
                Some((id, _)) => {
                    if !seen_courses.insert(id) {
                        e.add(
                            &f("course_id"),
                            "duplicate",
                            format!("Rad {}: kursen finns redan i spåret.", n + 1),
                        );
                    }
                    Some(id)
                }
            }
        };
        let mut title = match crate::text::single_line(&d.title, "Benämningen") {
            Ok(t) => t,
            Err(m) => {
                e.add(&f("title"), "invalid_text", format!("Rad {}: {m}", n + 1));
                "-".into()
            }
        };
        if title.is_empty() {
            if let Some(id) = course_id {
                title = course_title(id).map(|t| t.0).unwrap_or_default();
            }
        }
        if title.is_empty() && d.course_id.trim().is_empty() {
            e.add(
                &f("title"),
                "missing_title",
                format!("Rad {}: ange en kurs eller en benämning.", n + 1),
            );
        }
        if title.chars().count() > 300 {
            e.add(
                &f("title"),
                "too_long",
                format!("Rad {}: benämningen får vara högst 300 tecken.", n + 1),
            );
        }
        let provider = if d.provider.trim().is_empty() {
            None
        } else {
            let p = ProviderKind::parse(&d.provider);
            if p.is_none() {
                e.add(
                    &f("provider"),
                    "invalid_provider",
                    format!("Rad {}: okänd utbildningsanordnare.", n + 1),
                );
            }
            p
        };
        let education = if d.education.trim().is_empty() {
            None
        } else {
            match crate::education::check_education(&d.education, &d.direction, &f("education")) {
                Ok(ed) => Some(ed),
                Err(errs) => {
                    e.0.extend(errs.0);
                    None
                }
            }
        };
        if block == Some(Block::Spets)
            && course_id.is_none()
            && provider.is_none()
            && !d.provider.trim().is_empty()
        {
            // Already reported as an invalid provider.
        } else if block == Some(Block::Spets) && course_id.is_none() && provider.is_none() {
            e.add(
                &f("provider"),
                "missing_provider",
                format!(
                    "Rad {}: ett externt program behöver en anordnare (yrkeshögskola eller högskola).",
                    n + 1
                ),
            );
        }
        if let Some(block) = block {
            out.push(TrackItem {
                block,
                course_id,
                title,
                provider,
                education,
            });
        }
    }
    // Base block order respects prerequisites.
    let base: Vec<i64> = out
        .iter()
        .filter(|i| i.block == Block::Bas)
        .filter_map(|i| i.course_id)
        .collect();
    for (pos, c) in base.iter().enumerate() {
        let needed = all_prerequisites(prerequisites, *c);
        if let Some(later) = base[pos + 1..].iter().find(|x| needed.contains(x)) {
            let name = |id: i64| course_title(id).map(|t| t.0).unwrap_or_default();
            e.add(
                "items",
                "prerequisite_order",
                format!(
                    "I basblocket kommer ”{}” före ”{}”, som är förkunskapskrav för den. Flytta ”{}” tidigare.",
                    name(*c),
                    name(*later),
                    name(*later)
                ),
            );
        }
    }
    let deepening_courses = out
        .iter()
        .filter(|i| i.block == Block::Fordjupning && i.course_id.is_some())
        .count() as u32;
    let required = if deepening_required.trim().is_empty() {
        Some(deepening_courses.min(1))
    } else {
        deepening_required.trim().parse::<u32>().ok()
    };
    match required {
        None => e.add(
            "deepening_required",
            "invalid_number",
            "Ange antal fördjupningskurser som ett heltal.",
        ),
        Some(r) if r > deepening_courses => e.add(
            "deepening_required",
            "too_many",
            format!(
                "Fördjupningsblocket har {deepening_courses} kurser; det går inte att kräva {r}."
            ),
        ),
        _ => {}
    }
    if out.iter().all(|i| i.block != Block::Bas) && e.is_empty() {
        e.add(
            "items",
            "no_base",
            "Spåret behöver minst ett steg i basblocket.",
        );
    }
    match required {
        Some(deepening_required) if e.is_empty() => Ok(Track {
            items: out,
            deepening_required,
        }),
        _ => Err(e),
    }
}

// Progress -----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackProgress {
    /// Base courses completed / base items with a course.
    pub base_done: u32,
    pub base_total: u32,
    /// The first base course not yet completed, in order (index into the
    /// track's items).
    pub next_item: Option<usize>,
    /// Deepening courses completed (counted up to the number required).
    pub deepening_done: u32,
    pub deepening_required: u32,
    /// Specialist steps completed (a course, or the programme's education).
    pub specialist_done: u32,
    /// Whole per cent of base + required deepening completed.
    pub percent: u32,
    /// "bas" when the base block is done, "fördjupning" when the deepening
    /// block is too, "spets" when also a specialist step is done.
    pub level_reached: Option<Block>,
    /// Item index → completed?
    pub done: Vec<bool>,
}

/// A person's progress. `completed` holds every course the person has ever
/// completed: for the track, training once done counts even if a renewal
/// is due (renewals are the requirements' business).
pub fn progress(
    track: &Track,
    completed: &HashSet<i64>,
    educations: &[Education],
) -> TrackProgress {
    let done: Vec<bool> = track
        .items
        .iter()
        .map(|i| {
            i.course_id.is_some_and(|c| completed.contains(&c))
                || i.education.as_ref().is_some_and(|ed| holds(educations, ed))
        })
        .collect();
    let counted = |b: Block| {
        track
            .items
            .iter()
            .enumerate()
            .filter(move |(_, i)| i.block == b && i.course_id.is_some())
    };
    let base_total = counted(Block::Bas).count() as u32;
    let base_done = counted(Block::Bas).filter(|(n, _)| done[*n]).count() as u32;
    let next_item = counted(Block::Bas).find(|(n, _)| !done[*n]).map(|(n, _)| n);
    let deepening_done = (counted(Block::Fordjupning)
        .filter(|(n, _)| done[*n])
        .count() as u32)
        .min(track.deepening_required);
    let specialist_done = track
        .items
        .iter()
        .enumerate()
        .filter(|(n, i)| i.block == Block::Spets && done[*n])
        .count() as u32;
    let whole = base_total + track.deepening_required;
    let percent = ((base_done + deepening_done) * 100)
        .checked_div(whole)
        .unwrap_or(0);
    let base_complete = base_done == base_total;
    let deep_complete = deepening_done >= track.deepening_required;
    let level_reached = match (
        base_complete && base_total > 0,
        deep_complete,
        specialist_done > 0,
    ) {
        (true, true, true) => Some(Block::Spets),
        (true, true, false) => Some(Block::Fordjupning),
        (true, false, _) => Some(Block::Bas),
        _ => None,
    };
    TrackProgress {
        base_done,
        base_total,
        next_item,
        deepening_done,
        deepening_required: track.deepening_required,
        specialist_done,
        percent,
        level_reached,
        done,
    }
}

labelled!(Block);
labelled!(ProviderKind);

#[cfg(test)]
mod tests;
