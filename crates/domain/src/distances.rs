//! Distances between a county's municipalities, for suggesting the nearest
//! course sessions first: the same municipality, then the nearest other,
//! then the rest. The table comes from the seed data
//! (`seed/municipality_distances.csv`, approximate road kilometres between
//! the municipal seats; see its provenance).

use std::collections::HashMap;

/// Kilometres between pairs of municipalities, by name, either direction.
#[derive(Debug, Clone, Default)]
pub struct Distances {
    km: HashMap<(String, String), u32>,
}

impl Distances {
    /// Read `municipality_a,seat_a,municipality_b,seat_b,road_km_approx,…`
    /// (a header row first). Errors name the line.
    pub fn parse(csv_text: &str) -> Result<Self, String> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(csv_text.as_bytes());
        let mut km = HashMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| format!("rad {line}: {e}"))?;
            let (Some(a), Some(b), Some(d)) = (rec.get(0), rec.get(2), rec.get(4)) else {
                return Err(format!("rad {line}: för få kolumner"));
            };
            let d: u32 = d
                .trim()
                .parse()
                .map_err(|_| format!("rad {line}: avståndet \"{d}\" är inte ett heltal"))?;
            if a.trim().is_empty() || b.trim().is_empty() {
                return Err(format!("rad {line}: kommunnamn saknas"));
            }
            km.insert(key(a, b), d);
        }
        Ok(Distances { km })
    }

    /// Kilometres between two municipalities: 0 for the same one, None
    /// when the pair is not in the table.
    pub fn km(&self, a: &str, b: &str) -> Option<u32> {
        if a.trim() == b.trim() {
            return Some(0);
        }
        self.km.get(&key(a, b)).copied()
    }

    /// The order in which to suggest sessions to someone from `home`:
    /// sessions in the same municipality first, then by distance (unknown
    /// distances last), then by start time.
    pub fn nearest_first<T>(
        &self,
        items: &mut [T],
        home: &str,
        municipality: impl Fn(&T) -> &str,
        starts_at: impl Fn(&T) -> i64,
    ) {
        items.sort_by_key(|x| {
            (
                self.km(home, municipality(x)).unwrap_or(u32::MAX),
                starts_at(x),
            )
        });
    }

    pub fn len(&self) -> usize {
        self.km.len()
    }

    pub fn is_empty(&self) -> bool {
        self.km.is_empty()
    }
}

fn key(a: &str, b: &str) -> (String, String) {
    let (a, b) = (a.trim().to_string(), b.trim().to_string());
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "municipality_a,seat_a,municipality_b,seat_b,road_km_approx,basis\n\
        Kumla,Kumla,Örebro,Örebro,22,\"ungefärligt, 1,3\"\n\
        Hallsberg,Hallsberg,Kumla,Kumla,9,x\n\
        Hallsberg,Hallsberg,Örebro,Örebro,31,x\n";

    #[test]
    fn distances_read_both_ways_and_zero_at_home() {
        let d = Distances::parse(T).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(d.km("Kumla", "Örebro"), Some(22));
        assert_eq!(d.km("Örebro", "Kumla"), Some(22));
        assert_eq!(d.km("Örebro", "Örebro"), Some(0));
        assert_eq!(d.km("Örebro", "Nora"), None);
    }

    #[test]
    fn same_municipality_first_then_nearest_then_unknown_then_by_time() {
        let d = Distances::parse(T).unwrap();
        // (municipality, starts_at)
        let mut v = vec![
            ("Nora", 1),
            ("Örebro", 50),
            ("Hallsberg", 2),
            ("Kumla", 40),
            ("Kumla", 30),
        ];
        d.nearest_first(&mut v, "Kumla", |x| x.0, |x| x.1);
        assert_eq!(
            v,
            vec![
                ("Kumla", 30),
                ("Kumla", 40),
                ("Hallsberg", 2),
                ("Örebro", 50),
                ("Nora", 1)
            ]
        );
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = Distances::parse("a,b,c,d,e\nKumla,K,Örebro,Ö,tjugo\n").unwrap_err();
        assert!(e.contains("rad 2"), "{e}");
        let e = Distances::parse("a,b,c,d,e\nKumla,K\n").unwrap_err();
        assert!(e.contains("rad 2"), "{e}");
    }

    #[test]
    fn the_seed_table_covers_every_pair_of_the_twelve() {
        let d = Distances::parse(include_str!("../../../seed/municipality_distances.csv")).unwrap();
        assert_eq!(d.len(), 66);
        let names = [
            "Askersund",
            "Degerfors",
            "Hallsberg",
            "Hällefors",
            "Karlskoga",
            "Kumla",
            "Laxå",
            "Lekeberg",
            "Lindesberg",
            "Ljusnarsberg",
            "Nora",
            "Örebro",
        ];
        for a in names {
            for b in names {
                let km = d.km(a, b).unwrap_or_else(|| panic!("{a}–{b}"));
                assert!(a == b || (5..200).contains(&km), "{a}–{b}: {km}");
            }
        }
    }
}
