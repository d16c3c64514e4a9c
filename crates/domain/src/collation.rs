//! Swedish sorting: a–z, then å, ä, ö; case and common accents ignored
//! (é sorts as e, ü as y, as in Swedish dictionaries).

/// A key that sorts strings the Swedish way when compared bytewise.
pub fn swedish_key(s: &str) -> Vec<u32> {
    let mut key = Vec::with_capacity(s.len() + 1);
    for c in s.chars().flat_map(|c| c.to_lowercase()) {
        let k: u32 = match c {
            'å' => 'z' as u32 + 1,
            'ä' | 'æ' => 'z' as u32 + 2,
            'ö' | 'ø' => 'z' as u32 + 3,
            'é' | 'è' | 'ê' | 'ë' => 'e' as u32,
            'á' | 'à' | 'â' => 'a' as u32,
            'ü' => 'y' as u32,
            'í' | 'ì' | 'î' | 'ï' => 'i' as u32,
            'ó' | 'ò' | 'ô' => 'o' as u32,
            'ú' | 'ù' | 'û' => 'u' as u32,
            'ç' => 'c' as u32,
            'ñ' => 'n' as u32,
            other => other as u32,
        };
        key.push(k);
    }
    key
}

/// Compare two strings the Swedish way; ties are broken by the raw text so
/// the order is total and stable.
pub fn swedish_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    swedish_key(a).cmp(&swedish_key(b)).then_with(|| a.cmp(b))
}

/// Sort a slice by a Swedish-collated text key.
pub fn sort_swedish_by<T>(items: &mut [T], key: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| swedish_cmp(key(a), key(b)));
}

/// Letters folded by [`sort_text`], upper and lower case, with what they
/// become. The database computes the same text (`name_key`, `search_key`
/// columns, migration 0870) with this table as a chain of `REPLACE` calls
/// followed by an ASCII `LOWER`; a store test checks both agree.
pub const SORT_TEXT_MAP: &[(char, char)] = &[
    ('å', '{'),
    ('Å', '{'),
    ('ä', '|'),
    ('Ä', '|'),
    ('æ', '|'),
    ('Æ', '|'),
    ('ö', '}'),
    ('Ö', '}'),
    ('ø', '}'),
    ('Ø', '}'),
    ('é', 'e'),
    ('É', 'e'),
    ('è', 'e'),
    ('È', 'e'),
    ('ê', 'e'),
    ('Ê', 'e'),
    ('ë', 'e'),
    ('Ë', 'e'),
    ('á', 'a'),
    ('Á', 'a'),
    ('à', 'a'),
    ('À', 'a'),
    ('â', 'a'),
    ('Â', 'a'),
    ('ü', 'y'),
    ('Ü', 'y'),
    ('í', 'i'),
    ('Í', 'i'),
    ('ì', 'i'),
    ('Ì', 'i'),
    ('î', 'i'),
    ('Î', 'i'),
    ('ï', 'i'),
    ('Ï', 'i'),
    ('ó', 'o'),
    ('Ó', 'o'),
    ('ò', 'o'),
    ('Ò', 'o'),
    ('ô', 'o'),
    ('Ô', 'o'),
    ('ú', 'u'),
    ('Ú', 'u'),
    ('ù', 'u'),
    ('Ù', 'u'),
    ('û', 'u'),
    ('Û', 'u'),
    ('ç', 'c'),
    ('Ç', 'c'),
    ('ñ', 'n'),
    ('Ñ', 'n'),
];

/// The Swedish sort and search text of a string, as plain text the
/// database can compare bytewise and search with `LIKE`: ASCII letters
/// lower-cased, å ä ö mapped to `{ | }` (the three characters after `z`, so
/// they sort last in that order), common accents dropped (é as e, ü as y),
/// upper and lower case alike. Searching "åsa", "ÅSA" or "Åsa" compares
/// `{sa` with the stored `{sa …` of "Åsa Öberg".
pub fn sort_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            SORT_TEXT_MAP
                .iter()
                .find(|(from, _)| *from == c)
                .map(|(_, to)| *to)
                .unwrap_or_else(|| c.to_ascii_lowercase())
        })
        .collect()
}

/// A `LIKE` pattern that finds `query` anywhere in a [`sort_text`] column
/// (`%`, `_` and `\` in the query are matched literally; use with
/// `ESCAPE '\'`). None when the query is blank.
pub fn contains_pattern(query: &str) -> Option<String> {
    let q = query.trim();
    if q.is_empty() {
        return None;
    }
    let mut p = String::from("%");
    for c in sort_text(q).chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_a_umlaut_o_umlaut_sort_last_in_that_order() {
        let mut v = vec!["Örebro", "Askersund", "Ängelholm", "Åmål", "Zinkgruvan"];
        v.sort_by(|a, b| swedish_cmp(a, b));
        assert_eq!(
            v,
            ["Askersund", "Zinkgruvan", "Åmål", "Ängelholm", "Örebro"]
        );
    }

    #[test]
    fn case_and_accents_are_ignored() {
        assert_eq!(swedish_key("Émile"), swedish_key("emile"));
        assert!(swedish_cmp("Müller", "Myrén").is_lt());
        assert!(swedish_cmp("andersson", "Berg").is_lt());
    }

    #[test]
    fn sort_text_orders_like_swedish_cmp() {
        let mut v = vec![
            "Örebro",
            "Askersund",
            "Ängelholm",
            "Åmål",
            "Zinkgruvan",
            "émile",
            "Eva",
        ];
        v.sort_by_key(|s| sort_text(s));
        let mut w = v.clone();
        w.sort_by(|a, b| swedish_cmp(a, b));
        assert_eq!(v, w);
        assert_eq!(v.first(), Some(&"Askersund"));
        assert_eq!(v.last(), Some(&"Örebro"));
    }

    #[test]
    fn sort_text_folds_case_of_a_ring_a_umlaut_o_umlaut() {
        assert_eq!(sort_text("åsa"), sort_text("ÅSA"));
        assert_eq!(sort_text("Åsa"), "{sa");
        assert_eq!(sort_text("SÅR"), sort_text("sår"));
        assert_ne!(sort_text("åsa"), sort_text("asa"));
        assert_eq!(sort_text("René"), "rene");
    }

    #[test]
    fn contains_pattern_escapes_like_wildcards() {
        assert_eq!(contains_pattern(" Åsa "), Some("%{sa%".into()));
        assert_eq!(contains_pattern("a_b%"), Some("%a\\_b\\%%".into()));
        assert_eq!(contains_pattern("  "), None);
    }
}
