//! Messages for the page after a form ("saved", "refused because …").
//! They are kept with the login session in the database and shown once by
//! the next page; nothing a banner says comes from the query string (a
//! query parameter may only pick one of a page's fixed messages by code).

use axum::response::Response;
use navet_store::accounts;

use crate::ctx::Ctx;
use crate::{see_other, AppError, AppState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Notice,
    Error,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Notice => "notice",
            Kind::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Kind {
        if s == "error" {
            Kind::Error
        } else {
            Kind::Notice
        }
    }
}

/// A message waiting for the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub kind: Kind,
    pub text: String,
}

/// Leave `text` for the next page and send the browser to `to`. Without a
/// login session there is nowhere to keep it, and the page shows nothing.
pub async fn redirect(
    s: &AppState,
    c: &Ctx,
    kind: Kind,
    text: &str,
    to: &str,
) -> Result<Response, AppError> {
    if let Some(u) = &c.user {
        accounts::set_flash(&s.db, &u.session_secret, kind.code(), text).await?;
    }
    Ok(see_other(to))
}

/// Back to `to` with an error message.
pub async fn error(s: &AppState, c: &Ctx, text: &str, to: &str) -> Result<Response, AppError> {
    redirect(s, c, Kind::Error, text, to).await
}

/// Back to `to` with a notice.
pub async fn notice(s: &AppState, c: &Ctx, text: &str, to: &str) -> Result<Response, AppError> {
    redirect(s, c, Kind::Notice, text, to).await
}
