//! Swedish first, English second: flat key → text tables in `locales/`.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Sv,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Lang {
        if s.trim().eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Sv
        }
    }
}

type Table = HashMap<String, String>;

fn load(src: &str) -> Table {
    let v: toml::Table = toml::from_str(src).expect("locale file is valid TOML");
    let mut out = HashMap::new();
    flatten("", &v, &mut out);
    out
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut Table) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

fn tables() -> &'static (Table, Table) {
    static T: OnceLock<(Table, Table)> = OnceLock::new();
    T.get_or_init(|| {
        (
            load(include_str!("../locales/sv.toml")),
            load(include_str!("../locales/en.toml")),
        )
    })
}

/// The text for `key` in `lang` if the locale has it (Swedish as fallback).
pub fn get(lang: Lang, key: &str) -> Option<&'static str> {
    let (sv, en) = tables();
    let primary = if lang == Lang::En { en } else { sv };
    primary.get(key).or_else(|| sv.get(key)).map(|s| s.as_str())
}

/// The text for `key` in `lang`, falling back to Swedish, then to the key.
pub fn t(lang: Lang, key: &str) -> &'static str {
    let (sv, en) = tables();
    let primary = if lang == Lang::En { en } else { sv };
    primary
        .get(key)
        .or_else(|| sv.get(key))
        .map(|s| s.as_str())
        .unwrap_or_else(|| Box::leak(key.to_string().into_boxed_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let (sv, en) = tables();
        let mut missing_en: Vec<_> = sv.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut missing_sv: Vec<_> = en.keys().filter(|k| !sv.contains_key(*k)).collect();
        missing_en.sort();
        missing_sv.sort();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_sv.is_empty(), "missing in sv: {missing_sv:?}");
    }

    #[test]
    fn falls_back_to_the_key() {
        assert_eq!(t(Lang::Sv, "no.such.key"), "no.such.key");
        assert_eq!(t(Lang::Sv, "nav.home"), "Start");
        assert_eq!(t(Lang::En, "nav.home"), "Home");
    }
}
