//! Extractors for path, query string and form that answer in plain Swedish.
//!
//! axum's own extractors answer a malformed request with English text that
//! repeats what was sent ("Cannot parse `abc` to a `i64`"). These wrap the
//! same parsing and map every failure in one place:
//!
//! - pages: a malformed id in the path is a 404 page (there is no such
//!   thing); a query string or form field that cannot be read is a 400 page
//!   naming the field, never repeating its value;
//! - the API ([`api`]): the same as JSON `{"error", "field"}`.
//!
//! Handlers import `crate::rejection::{Path, Query, Form}` (pages) or
//! `crate::rejection::api::{Path, Query}` instead of axum's.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// What went wrong reading one field, in Swedish, without the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// The field a serde failure is about and a Swedish sentence for it.
/// `path` is where serde_path_to_error stopped ("." at the top level);
/// `inner` is the parser's own (English) message, read only to choose the
/// sentence and, for a missing field, its name. Neither is ever echoed.
pub fn describe(path: &str, inner: &str) -> FieldProblem {
    let quoted = inner.split('`').nth(1).map(str::to_string);
    let at_top = path.is_empty() || path == ".";
    if inner.starts_with("missing field") {
        let field = quoted.unwrap_or_else(|| path.to_string());
        return FieldProblem {
            message: format!("Fältet ”{}” saknas.", safe_name(&field)),
            field: safe_name(&field),
        };
    }
    let field = if at_top {
        quoted
            .filter(|_| inner.starts_with("unknown field"))
            .unwrap_or_default()
    } else {
        path.to_string()
    };
    let field = safe_name(&field);
    let what = if inner.contains("unknown variant") {
        "har ett värde som inte finns bland valen"
    } else if inner.contains("invalid digit")
        || inner.contains("number too large")
        || inner.contains("number too small")
        || inner.contains("cannot parse integer")
        || inner.contains("expected i64")
        || inner.contains("expected u")
    {
        "ska vara ett heltal"
    } else if inner.contains("float") || inner.contains("expected f64") {
        "ska vara ett tal"
    } else if inner.contains("input contains invalid characters")
        || inner.contains("premature end of input")
        || inner.contains("trailing input")
        || inner.contains("input is out of range")
        || inner.contains("input is not enough")
    {
        "ska vara ett datum som 2026-03-14 (eller en tid som 2026-03-14T09:00)"
    } else if inner.contains("`true` or `false`") || inner.contains("expected a boolean") {
        "ska vara true eller false"
    } else if inner.starts_with("unknown field") {
        "finns inte här"
    } else {
        "har ett värde som inte kan läsas"
    };
    let message = if field.is_empty() {
        "Uppgifterna kunde inte läsas.".to_string()
    } else {
        format!("Fältet ”{field}” {what}.")
    };
    FieldProblem { field, message }
}

/// A field name as it may be shown: the name the form or API uses, which
/// is ASCII letters, digits and `_ . [ ]`; anything else is dropped so a
/// made-up parameter name cannot put text on the page.
fn safe_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
        .take(40)
        .collect()
}

/// Deserialize a query string (or urlencoded body) as axum's `Query` and
/// `Form` do.
pub fn from_urlencoded<T: DeserializeOwned>(input: &[u8]) -> Result<T, FieldProblem> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(input));
    serde_path_to_error::deserialize(de)
        .map_err(|e| describe(&e.path().to_string(), &e.inner().to_string()))
}

/// Deserialize a urlencoded body with repeated keys (several checkboxes of
/// one name) as `axum_extra`'s `Form` does.
pub fn from_html_form<T: DeserializeOwned>(input: &[u8]) -> Result<T, FieldProblem> {
    let de = serde_html_form::Deserializer::new(form_urlencoded::parse(input));
    serde_path_to_error::deserialize(de).map_err(|e| {
        // The form's name, not which of its repeated values ("ids[1]").
        let path = e.path().to_string();
        let name = path.split('[').next().unwrap_or_default();
        describe(name, &e.inner().to_string())
    })
}

/// The path parameters of a page. Anything that does not parse (a word
/// where an id belongs) is "no such page": 404.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| AppError::NotFound)
    }
}

/// A page's query string; a field that cannot be read is a 400 page that
/// names it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        from_urlencoded(q.as_bytes())
            .map(Query)
            .map_err(|p| AppError::BadRequest(p.message))
    }
}

async fn form_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    let urlencoded = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !urlencoded {
        return Err(AppError::BadRequest(
            "Formuläret kom inte fram som ett formulär. Skicka det från sidan igen.".into(),
        ));
    }
    Bytes::from_request(req, state)
        .await
        .map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Skicka det igen.".into()))
}

/// A page's form (one value per name, as axum's `Form`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = form_bytes(req, state).await?;
        from_urlencoded(&bytes)
            .map(Form)
            .map_err(|p| AppError::BadRequest(p.message))
    }
}

/// A page's form where a name may repeat (checkbox lists), as
/// `axum_extra`'s `Form`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MultiForm<T>(pub T);

impl<T, S> FromRequest<S> for MultiForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = form_bytes(req, state).await?;
        from_html_form(&bytes)
            .map(MultiForm)
            .map_err(|p| AppError::BadRequest(p.message))
    }
}

/// The same extractors for the JSON API: failures are JSON naming the field.
pub mod api {
    use axum::extract::rejection::PathRejection;
    use axum::extract::FromRequestParts;
    use axum::http::request::Parts;
    use axum::http::StatusCode;
    use serde::de::DeserializeOwned;

    use crate::error::ApiError;

    /// Path parameters; a malformed id is 404 (no such record), naming it.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Path<T>(pub T);

    impl<T, S> FromRequestParts<S> for Path<T>
    where
        T: DeserializeOwned + Send,
        S: Send + Sync,
    {
        type Rejection = ApiError;

        async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
            axum::extract::Path::<T>::from_request_parts(parts, state)
                .await
                .map(|axum::extract::Path(v)| Path(v))
                .map_err(|e| {
                    let key = match &e {
                        PathRejection::FailedToDeserializePathParams(f) => match f.kind() {
                            axum::extract::path::ErrorKind::ParseErrorAtKey { key, .. }
                            | axum::extract::path::ErrorKind::DeserializeError { key, .. } => {
                                super::safe_name(key)
                            }
                            _ => "id".to_string(),
                        },
                        _ => "id".to_string(),
                    };
                    ApiError::new(
                        StatusCode::NOT_FOUND,
                        format!("Det finns inget med det {key} (ett id är ett heltal)."),
                        Some(&key),
                    )
                })
        }
    }

    /// A query string; a field that cannot be read is 400 naming it.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Query<T>(pub T);

    impl<T, S> FromRequestParts<S> for Query<T>
    where
        T: DeserializeOwned,
        S: Send + Sync,
    {
        type Rejection = ApiError;

        async fn from_request_parts(
            parts: &mut Parts,
            _state: &S,
        ) -> Result<Self, Self::Rejection> {
            let q = parts.uri.query().unwrap_or("");
            super::from_urlencoded(q.as_bytes())
                .map(Query)
                .map_err(|p| {
                    let field = (!p.field.is_empty()).then_some(p.field.as_str());
                    ApiError::new(StatusCode::BAD_REQUEST, p.message.clone(), field)
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Q {
        from: Option<chrono::NaiveDate>,
        n: Option<i64>,
        x: Option<f64>,
        level: Option<Level>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Level {
        Bas,
    }

    fn problem(q: &str) -> FieldProblem {
        from_urlencoded::<Q>(q.as_bytes()).unwrap_err()
    }

    #[test]
    fn each_kind_of_bad_value_is_named_in_swedish_without_the_value() {
        let p = problem("from=abc%3Cb%3E");
        assert_eq!(p.field, "from");
        assert!(p.message.contains("ska vara ett datum"), "{}", p.message);
        let p = problem("n=abc");
        assert_eq!(p.message, "Fältet ”n” ska vara ett heltal.");
        let p = problem("n=99999999999999999999999");
        assert_eq!(p.message, "Fältet ”n” ska vara ett heltal.");
        let p = problem("x=tre");
        assert_eq!(p.message, "Fältet ”x” ska vara ett tal.");
        let p = problem("level=spets");
        assert_eq!(
            p.message,
            "Fältet ”level” har ett värde som inte finns bland valen."
        );
        for q in ["from=abc%3Cb%3E", "n=abc", "x=tre", "level=spets"] {
            let m = problem(q).message;
            for bad in ["abc", "<b>", "tre", "spets", "Cannot", "parse", "`"] {
                assert!(!m.contains(bad), "{q}: {m}");
            }
        }
        assert!(from_urlencoded::<Q>(b"from=2026-03-14&n=3&level=bas").is_ok());
    }

    #[test]
    fn a_missing_field_is_named() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Need {
            title: String,
        }
        let p = from_urlencoded::<Need>(b"other=1").unwrap_err();
        assert_eq!(p.field, "title");
        assert_eq!(p.message, "Fältet ”title” saknas.");
    }

    #[test]
    fn field_names_cannot_carry_text() {
        assert_eq!(safe_name("från<script>"), "frnscript");
        assert_eq!(safe_name("quotas[0].seats"), "quotas[0].seats");
        let p = describe("a b\"c", "invalid digit found in string");
        assert_eq!(p.message, "Fältet ”abc” ska vara ett heltal.");
    }

    #[test]
    fn html_forms_keep_repeated_names() {
        #[derive(Debug, Deserialize)]
        struct F {
            #[serde(default)]
            ids: Vec<i64>,
        }
        let f: F = from_html_form(b"ids=1&ids=2").unwrap();
        assert_eq!(f.ids, [1, 2]);
        let p = from_html_form::<F>(b"ids=1&ids=x").unwrap_err();
        assert_eq!(p.message, "Fältet ”ids” ska vara ett heltal.");
    }
}
