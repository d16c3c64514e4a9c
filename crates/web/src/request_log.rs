//! What the server's request log may say about a request: the method and
//! the path with anything that is not a route word or an id masked. Paths
//! can carry secrets (calendar feed tokens, invitation and decline links)
//! and query strings can carry names and e-mail addresses (searches), so
//! the query string is left out and such path segments read `…`.

use axum::http::Request;
use tracing::Span;

/// A path segment the log may show: a route word (`personal`,
/// `mina-bokningar`, `api`, `v1`) or a numeric id.
fn shown(segment: &str) -> bool {
    segment.is_empty()
        || segment.chars().all(|c| c.is_ascii_digit())
        || (segment.len() <= 32
            && segment.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
            })
            && segment.chars().any(|c| c.is_ascii_lowercase())
            && !looks_random(segment))
}

/// Long runs of letters and digits mixed (hex or base64 secrets).
fn looks_random(segment: &str) -> bool {
    let digits = segment.chars().filter(|c| c.is_ascii_digit()).count();
    segment.len() >= 16 && digits >= 3
}

/// The path as the log shows it.
pub fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|s| if shown(s) { s } else { "…" })
        .collect::<Vec<_>>()
        .join("/")
}

/// The span each request is logged in (tower-http's `TraceLayer`).
pub fn span<B>(req: &Request<B>) -> Span {
    tracing::debug_span!(
        "request",
        method = %req.method(),
        path = %loggable_path(req.uri().path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_words_and_ids_stay_secrets_and_addresses_go() {
        assert_eq!(loggable_path("/personal/12/andra"), "/personal/12/andra");
        assert_eq!(
            loggable_path("/api/v1/people/7/extract"),
            "/api/v1/people/7/extract"
        );
        assert_eq!(loggable_path("/mina-bokningar"), "/mina-bokningar");
        assert_eq!(
            loggable_path("/kalender/Zx9_kQ2mN8pL4rT7vW1yB3.ics"),
            "/kalender/…"
        );
        assert_eq!(
            loggable_path("/inbjudan/3f9a0c1d2e4b5a6978c0d1e2f3a4b5c6"),
            "/inbjudan/…"
        );
        assert_eq!(loggable_path("/x/anna.svensson@kumla.se"), "/x/…");
        assert_eq!(loggable_path("/x/Anna%20Svensson"), "/x/…");
    }
}
