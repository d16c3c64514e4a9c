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
}
