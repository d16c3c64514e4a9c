//! Money in öre (`i64`), Swedish formatting and parsing, and the one
//! rounding rule every split uses.
//!
//! Rounding rule: a single amount (a line's annual cost, a figure per
//! course hour) is rounded half away from zero to the öre. A split of a
//! total into shares uses the largest-remainder method: every share first
//! gets the whole öre of its exact value (rounded down), then the öre left
//! over go one each to the shares with the largest remainders; ties go to
//! the larger weight, then to the earlier entry (municipalities are listed in
//! Swedish alphabetical order). The shares therefore always sum exactly to
//! the total, and no share is more than one öre from its exact value.

/// An amount of money in öre (1 kr = 100 öre).
pub type Ore = i64;

/// Divide and round half away from zero. `den` must be positive.
pub fn div_round(num: i128, den: i128) -> i128 {
    debug_assert!(den > 0);
    let q = num / den;
    let r = num % den;
    if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    }
}

/// Split `total` (≥ 0) in proportion to `weights` (each ≥ 0) by the largest
/// remainder. `None` when every weight is zero (nothing to split by).
pub fn largest_remainder(total: Ore, weights: &[i128]) -> Option<Vec<Ore>> {
    debug_assert!(total >= 0);
    debug_assert!(weights.iter().all(|w| *w >= 0));
    let sum: i128 = weights.iter().sum();
    if sum <= 0 {
        return None;
    }
    let t = total as i128;
    let mut shares: Vec<i128> = weights.iter().map(|w| t * w / sum).collect();
    let remainders: Vec<i128> = weights.iter().map(|w| t * w % sum).collect();
    let given: i128 = shares.iter().sum();
    let mut left = t - given;
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        remainders[b]
            .cmp(&remainders[a])
            .then(weights[b].cmp(&weights[a]))
            .then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    Some(shares.into_iter().map(|s| s as Ore).collect())
}

/// `1234567` → `"1 234 567"` (space as the thousands separator).
pub fn group_thousands(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    if n < 0 {
        format!("−{out}")
    } else {
        out
    }
}

/// Whole kronor, rounded half away from zero: `"4 215 152 kr"`.
pub fn kr(ore: Ore) -> String {
    format!("{} kr", group_thousands(div_round(ore as i128, 100)))
}

/// Kronor without the unit, for tables whose header says "kr".
pub fn kr_number(ore: Ore) -> String {
    group_thousands(div_round(ore as i128, 100))
}

/// Kronor and öre: `"259,91 kr"`.
pub fn kr_ore(ore: Ore) -> String {
    let sign = if ore < 0 { "−" } else { "" };
    let a = (ore as i128).abs();
    format!("{sign}{},{:02} kr", group_thousands(a / 100), a % 100)
}

/// A signed difference in whole kronor: `"+38 214 kr"` / `"−1 200 kr"`.
pub fn kr_signed(ore: Ore) -> String {
    let k = div_round(ore as i128, 100);
    if k > 0 {
        format!("+{} kr", group_thousands(k))
    } else {
        format!("{} kr", group_thousands(k))
    }
}

/// A number with up to `decimals` decimals, decimal comma, grouped
/// thousands, trailing zeros dropped: `1834.5` → `"1 834,5"`.
pub fn number(v: f64, decimals: u32) -> String {
    let scale = 10_i128.pow(decimals);
    let scaled = (v * scale as f64).round() as i128;
    let int = scaled / scale;
    let frac = (scaled % scale).abs();
    let mut s = group_thousands(int);
    if scaled < 0 && int == 0 {
        s = format!("−{s}");
    }
    if decimals > 0 && frac != 0 {
        let f = format!("{:0width$}", frac, width = decimals as usize);
        s.push(',');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

/// Basis points (hundredths of a percent) as a percentage: 3142 → `"31,42 %"`.
pub fn percent_bp(bp: i64) -> String {
    format!("{} %", number(bp as f64 / 100.0, 2))
}

/// Why a number could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    Empty,
    NotANumber,
    TooManyDecimals,
    Negative,
}

/// Read a non-negative decimal written the Swedish way (`3 327 214`,
/// `38 500,50`, `42,5 %`, `12 kr`) as an integer in units of
/// 10^-`decimals`: `parse_fixed("38 500,5", 2)` → 3 850 050.
pub fn parse_fixed(s: &str, decimals: u32) -> Result<i64, ParseError> {
    let mut t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    for suffix in ["kr", "%", "st"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.to_string();
        }
    }
    let t = t.replace(',', ".");
    if t.is_empty() {
        return Err(ParseError::Empty);
    }
    let (neg, t) = match t.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest.to_string()),
        None => (false, t),
    };
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t.as_str(), ""),
    };
    if (int.is_empty() && frac.is_empty())
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(ParseError::NotANumber);
    }
    if frac.len() > decimals as usize {
        return Err(ParseError::TooManyDecimals);
    }
    if int.len() > 15 {
        return Err(ParseError::NotANumber);
    }
    let int_v: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| ParseError::NotANumber)?
    };
    let frac_v: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = decimals as usize)
            .parse()
            .map_err(|_| ParseError::NotANumber)?
    };
    let v = int_v
        .checked_mul(10_i64.pow(decimals))
        .and_then(|x| x.checked_add(frac_v))
        .ok_or(ParseError::NotANumber)?;
    if neg && v != 0 {
        return Err(ParseError::Negative);
    }
    Ok(v)
}

/// Read kronor (up to two decimals) as öre.
pub fn parse_kr(s: &str) -> Result<Ore, ParseError> {
    parse_fixed(s, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(5, 2), 3);
        assert_eq!(div_round(4, 3), 1);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(149, 100), 1);
        assert_eq!(div_round(150, 100), 2);
    }

    #[test]
    fn largest_remainder_sums_to_the_total() {
        // 100 öre in three equal parts: 34 + 33 + 33, the extra öre to the first.
        assert_eq!(largest_remainder(100, &[1, 1, 1]), Some(vec![34, 33, 33]));
        // Largest remainder wins: 10 × (1/6, 2/6, 3/6) = 1.67, 3.33, 5 → 2, 3, 5.
        assert_eq!(largest_remainder(10, &[1, 2, 3]), Some(vec![2, 3, 5]));
        // Zero weights get nothing; all-zero weights cannot split.
        assert_eq!(largest_remainder(7, &[0, 5]), Some(vec![0, 7]));
        assert_eq!(largest_remainder(7, &[0, 0]), None);
        assert_eq!(largest_remainder(0, &[3, 4]), Some(vec![0, 0]));
    }

    #[test]
    fn largest_remainder_ties_go_to_larger_weight_then_earlier_entry() {
        // 1 öre over weights 1 and 3 (remainders 1 and 3 of 4): the larger remainder.
        assert_eq!(largest_remainder(1, &[1, 3]), Some(vec![0, 1]));
        // Equal remainders, different weights: 3 öre over [1, 1, 2] → 0.75, 0.75, 1.5.
        assert_eq!(largest_remainder(3, &[1, 1, 2]), Some(vec![1, 1, 1]));
        // 2 öre over [1, 1, 1, 1]: the first two entries get them.
        assert_eq!(largest_remainder(2, &[1, 1, 1, 1]), Some(vec![1, 1, 0, 0]));
    }

    #[test]
    fn largest_remainder_exhaustive_small_cases() {
        for total in 0..60 {
            for a in 0..6 {
                for b in 0..6 {
                    for c in 0..6 {
                        let w = [a, b, c];
                        let Some(s) = largest_remainder(total, &w) else {
                            assert_eq!(a + b + c, 0);
                            continue;
                        };
                        assert_eq!(s.iter().sum::<i64>(), total);
                        let sum = (a + b + c) as f64;
                        for (share, weight) in s.iter().zip(w) {
                            let exact = total as f64 * weight as f64 / sum;
                            assert!((*share as f64 - exact).abs() < 1.0, "{total} {w:?} {s:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn large_amounts_do_not_overflow() {
        let total: Ore = 10_000_000_000_00; // ten billion kronor
        let w = [9_000_000_000_i128, 1, 123_456_789];
        let s = largest_remainder(total, &w).unwrap();
        assert_eq!(s.iter().sum::<i64>(), total);
    }

    #[test]
    fn formats_swedish_numbers() {
        assert_eq!(kr(332_721_400), "3 327 214 kr");
        assert_eq!(kr(50), "1 kr");
        assert_eq!(kr(49), "0 kr");
        assert_eq!(kr(-3_821_400), "−38 214 kr");
        assert_eq!(kr_ore(25_991), "259,91 kr");
        assert_eq!(kr_ore(5), "0,05 kr");
        assert_eq!(kr_signed(3_821_400), "+38 214 kr");
        assert_eq!(kr_signed(-120_000), "−1 200 kr");
        assert_eq!(number(1834.5, 1), "1 834,5");
        assert_eq!(number(9240.0, 1), "9 240");
        assert_eq!(number(0.125, 2), "0,13");
        assert_eq!(number(-0.5, 1), "−0,5");
        assert_eq!(percent_bp(3142), "31,42 %");
        assert_eq!(percent_bp(5000), "50 %");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1 000");
    }

    #[test]
    fn parses_swedish_numbers() {
        assert_eq!(parse_kr("3 327 214"), Ok(332_721_400));
        assert_eq!(parse_kr("38 500,5"), Ok(3_850_050));
        assert_eq!(parse_kr("38\u{a0}500.50 kr"), Ok(3_850_050));
        assert_eq!(parse_kr(",5"), Ok(50));
        assert_eq!(parse_kr("0"), Ok(0));
        assert_eq!(parse_kr("-0"), Ok(0));
        assert_eq!(parse_kr(""), Err(ParseError::Empty));
        assert_eq!(parse_kr("  "), Err(ParseError::Empty));
        assert_eq!(parse_kr("tre"), Err(ParseError::NotANumber));
        assert_eq!(parse_kr("1,2,3"), Err(ParseError::NotANumber));
        assert_eq!(parse_kr("."), Err(ParseError::NotANumber));
        assert_eq!(parse_kr("1,234"), Err(ParseError::TooManyDecimals));
        assert_eq!(parse_kr("-100"), Err(ParseError::Negative));
        assert_eq!(parse_kr("−100"), Err(ParseError::Negative));
        assert_eq!(parse_kr("9999999999999999"), Err(ParseError::NotANumber));
        assert_eq!(parse_fixed("31,42 %", 2), Ok(3142));
        assert_eq!(parse_fixed("0,5", 2), Ok(50));
        assert_eq!(parse_fixed("5", 0), Ok(5));
        assert_eq!(parse_fixed("5,5", 0), Err(ParseError::TooManyDecimals));
    }
}
