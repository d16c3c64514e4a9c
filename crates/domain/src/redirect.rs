//! "Come back to" targets (`next=` on login, the language switch and other
//! forms): only a path on this site is followed, never another host.

/// Longest target accepted; anything longer is not a link a page made.
const MAX_LEN: usize = 2000;

/// `raw` if it is a same-origin path, else `None`. Accepted: starts with
/// one `/` followed by something other than `/` or `\`, and contains no
/// control characters, whitespace or backslashes — also after one more
/// round of percent-decoding, so `/%09/evil.example` or `/%2F%2Fevil`
/// cannot turn into a host name in a browser or proxy that decodes again.
pub fn same_origin_path(raw: &str) -> Option<&str> {
    if raw.len() > MAX_LEN || !plain_path(raw) {
        return None;
    }
    let decoded = percent_decode(raw)?;
    plain_path(&decoded).then_some(raw)
}

/// `raw` if it is safe (see [`same_origin_path`]), otherwise `fallback`.
pub fn safe_next(raw: &str, fallback: &str) -> String {
    same_origin_path(raw).unwrap_or(fallback).to_string()
}

fn plain_path(p: &str) -> bool {
    let mut chars = p.chars();
    if chars.next() != Some('/') {
        return false;
    }
    if matches!(chars.next(), Some('/') | Some('\\')) {
        return false;
    }
    !p.chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// One round of `%XX` decoding; `None` when the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_targets_fall_back_to_the_start_page() {
        let hostile = [
            "",
            "/\t/evil.example/x",
            "/%09/evil.example/x",
            "//evil",
            "//evil.example/x",
            "/\\evil",
            "\\\\evil",
            "/ /evil",
            " /x",
            "/x y",
            "https://evil",
            "http:/evil",
            "javascript:alert(1)",
            "evil.example",
            "%2F%2Fevil",
            "/%2F/evil",
            "/%5Cevil",
            "/%5cevil",
            "/a\nLocation: //evil",
            "/a\r\nSet-Cookie: x=1",
            "/a\u{0000}b",
            "/a\u{007f}b",
            "/a\u{2028}b",
            "/a%0d%0ab",
            "/\u{00a0}/evil",
        ];
        for h in hostile {
            assert_eq!(same_origin_path(h), None, "{h:?} must be refused");
            assert_eq!(safe_next(h, "/"), "/", "{h:?}");
        }
        let long = format!("/{}", "a".repeat(MAX_LEN));
        assert_eq!(same_origin_path(&long), None);
    }

    #[test]
    fn local_paths_are_kept() {
        for ok in [
            "/",
            "/kurser",
            "/kurstillfallen/12?ok=booked",
            "/personal?kommun=3&q=%C3%85sa",
            "/mina-bokningar#p4",
            "/kurser?q=50%25",
        ] {
            assert_eq!(same_origin_path(ok), Some(ok));
        }
        assert_eq!(safe_next("//evil", "/mina-bokningar"), "/mina-bokningar");
    }
}
