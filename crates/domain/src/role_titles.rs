//! HR titles are not Navet's role names: "Usk", "Undersköterska natt" and
//! "stödassistent" must all be read as some role. A title is matched, without
//! regard to case or extra spaces, against (in this order) the
//! municipality's own mapping, the global mapping, a role's full name, and
//! each alternative of a role named with a slash ("Stödassistent/boendestödjare"
//! matches "stödassistent" and "boendestödjare"). An alternative shared by
//! two roles matches neither: someone must choose.

use std::collections::HashMap;

use crate::tabular::excerpt;

/// The form every title is compared in: trimmed, inner spaces collapsed,
/// lower case.
pub fn normalise(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The alternatives of a role name: "Stödassistent/boendestödjare" gives
/// "stödassistent" and "boendestödjare"; a name without a slash gives none.
pub fn alternatives(role_name: &str) -> Vec<String> {
    if !role_name.contains('/') {
        return vec![];
    }
    role_name
        .split('/')
        .map(normalise)
        .filter(|p| !p.is_empty())
        .collect()
}

/// A title as it may be stored in a mapping: one line, not empty, at most
/// 100 characters. Returns the normalised form.
pub fn check_title(title: &str) -> Result<String, String> {
    let t = crate::text::single_line(title, "Titeln")?;
    let n = normalise(&t);
    if n.is_empty() {
        return Err("Titeln saknas.".into());
    }
    if n.chars().count() > 100 {
        return Err("Titeln får vara högst 100 tecken.".into());
    }
    Ok(n)
}

/// The message for a title nothing matches, naming the title as written.
pub fn unknown_title_message(title: &str) -> String {
    if title.trim().is_empty() {
        "Yrkesroll saknas.".into()
    } else {
        format!(
            "Yrkesrollen ”{}” känns inte igen; koppla titeln till en roll.",
            excerpt(title.trim())
        )
    }
}

/// One remembered choice: this title means this role (in this municipality,
/// or everywhere when `municipality_id` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub municipality_id: Option<i64>,
    pub title: String,
    pub role_id: i64,
}

/// Everything a title is matched against.
#[derive(Debug, Clone, Default)]
pub struct TitleMap {
    names: HashMap<String, i64>,
    /// `None` when two roles share the alternative.
    parts: HashMap<String, Option<i64>>,
    global: HashMap<String, i64>,
    local: HashMap<(i64, String), i64>,
}

impl TitleMap {
    pub fn new<'a>(roles: impl IntoIterator<Item = (i64, &'a str)>, mappings: &[Mapping]) -> Self {
        let mut m = TitleMap::default();
        for (id, name) in roles {
            m.names.insert(normalise(name), id);
            for part in alternatives(name) {
                m.parts
                    .entry(part)
                    .and_modify(|v| {
                        if *v != Some(id) {
                            *v = None
                        }
                    })
                    .or_insert(Some(id));
            }
        }
        for x in mappings {
            let key = normalise(&x.title);
            match x.municipality_id {
                Some(mu) => m.local.insert((mu, key), x.role_id),
                None => m.global.insert(key, x.role_id),
            };
        }
        m
    }

    /// The role a title means for a person in `municipality_id`.
    pub fn resolve(&self, title: &str, municipality_id: Option<i64>) -> Option<i64> {
        let key = normalise(title);
        if key.is_empty() {
            return None;
        }
        if let Some(mu) = municipality_id {
            if let Some(r) = self.local.get(&(mu, key.clone())) {
                return Some(*r);
            }
        }
        self.global
            .get(&key)
            .or_else(|| self.names.get(&key))
            .copied()
            .or_else(|| self.parts.get(&key).copied().flatten())
    }

    /// The map seen from one municipality (what a staff list is read with).
    pub fn for_municipality(&self, municipality_id: i64) -> InMunicipality<'_> {
        InMunicipality {
            map: self,
            municipality_id,
        }
    }
}

/// Anything that turns a title into a role id.
pub trait Titles {
    fn role_for(&self, title: &str) -> Option<i64>;
}

/// A plain name → id map (keys in [`normalise`]d form).
impl Titles for HashMap<String, i64> {
    fn role_for(&self, title: &str) -> Option<i64> {
        self.get(&normalise(title)).copied()
    }
}

pub struct InMunicipality<'a> {
    map: &'a TitleMap,
    municipality_id: i64,
}

impl Titles for InMunicipality<'_> {
    fn role_for(&self, title: &str) -> Option<i64> {
        self.map.resolve(title, Some(self.municipality_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [(i64, &str); 4] = [
        (1, "Undersköterska"),
        (2, "Vårdbiträde"),
        (3, "Stödassistent/boendestödjare"),
        (4, "Personlig assistent"),
    ];

    fn map(mappings: &[Mapping]) -> TitleMap {
        TitleMap::new(ROLES.iter().map(|(i, n)| (*i, *n)), mappings)
    }

    #[test]
    fn full_names_match_whatever_the_case_and_spacing() {
        let m = map(&[]);
        assert_eq!(m.resolve("undersköterska", None), Some(1));
        assert_eq!(m.resolve("  UNDERSKÖTERSKA ", None), Some(1));
        assert_eq!(m.resolve("Personlig   assistent", None), Some(4));
        assert_eq!(m.resolve("Stödassistent/Boendestödjare", None), Some(3));
        assert_eq!(m.resolve("Usk", None), None);
        assert_eq!(m.resolve("", None), None);
    }

    #[test]
    fn each_alternative_of_a_slashed_name_matches() {
        let m = map(&[]);
        assert_eq!(m.resolve("stödassistent", None), Some(3));
        assert_eq!(m.resolve("Boendestödjare", Some(7)), Some(3));
        // A part of a name without a slash is no alternative.
        assert_eq!(m.resolve("personlig", None), None);
    }

    #[test]
    fn an_alternative_two_roles_share_matches_neither() {
        let m = TitleMap::new([(1, "Assistent/vårdare"), (2, "Assistent/stödperson")], &[]);
        assert_eq!(m.resolve("assistent", None), None);
        assert_eq!(m.resolve("vårdare", None), Some(1));
    }

    #[test]
    fn a_municipality_mapping_wins_over_the_global_one_and_the_names() {
        let m = map(&[
            Mapping {
                municipality_id: None,
                title: "Usk".into(),
                role_id: 1,
            },
            Mapping {
                municipality_id: Some(7),
                title: "usk ".into(),
                role_id: 2,
            },
            Mapping {
                municipality_id: Some(7),
                title: "Undersköterska".into(),
                role_id: 2,
            },
        ]);
        assert_eq!(m.resolve("USK", None), Some(1));
        assert_eq!(m.resolve("Usk", Some(8)), Some(1));
        assert_eq!(m.resolve("Usk", Some(7)), Some(2));
        assert_eq!(m.resolve("undersköterska", Some(7)), Some(2));
        assert_eq!(m.resolve("undersköterska", Some(8)), Some(1));
        assert_eq!(m.for_municipality(7).role_for("usk"), Some(2));
    }

    #[test]
    fn titles_are_checked_before_they_are_kept() {
        assert_eq!(
            check_title("  Undersköterska   natt "),
            Ok("undersköterska natt".into())
        );
        assert!(check_title("   ").is_err());
        assert!(check_title("a\nb").is_err());
        assert!(check_title(&"x".repeat(101)).is_err());
    }

    #[test]
    fn an_unknown_title_is_named_in_plain_swedish() {
        let m = unknown_title_message("Usk");
        assert!(m.starts_with("Yrkesrollen ”Usk” känns inte igen"), "{m}");
        assert_eq!(unknown_title_message(" "), "Yrkesroll saknas.");
    }
}
