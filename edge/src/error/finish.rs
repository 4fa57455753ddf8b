//! The one place an `EdgeError` becomes a `Response`. Whatever the
//! rendering, the status is `EdgeError::status`, an `Internal` detail is
//! logged here once and never sent, and every 429 and 503 says when to come
//! back (`Retry-After`).

use super::EdgeError;
use crate::http;
use domain::DomainError;
use pages::{ack, layout};
use worker::Response;

/// Who reads the error: the same refusal is JSON to an API client, and a
/// page a person can read in the dashboard or behind a chat link.
#[derive(Clone, Copy, Debug)]
pub enum Rendering {
    /// `{"error": {"code": "snake_case", "message": "human text"}}`
    /// (docs/wire-contract.md#errors).
    Json,
    /// A dashboard page that says what went wrong and that nothing changed.
    Dashboard,
    /// The acknowledge link's page: why this link cannot be used.
    Ack,
    /// The customer's "add more" page: why nothing was added.
    More,
}

impl EdgeError {
    pub fn finish(self, rendering: Rendering) -> Response {
        if let Self::Internal(detail) | Self::Unavailable(detail) = &self {
            worker::console_error!("internal error ({rendering:?}): {detail}");
        }
        let mut resp = match rendering {
            Rendering::Json => {
                let body = serde_json::json!({
                    "error": {"code": self.code(), "message": self.to_string()}
                });
                http::json(self.status(), &body)
            }
            Rendering::Dashboard => dashboard_page(&self),
            Rendering::Ack => http::html(self.status(), &ack_page(&self)),
            Rendering::More => http::html(self.status(), &more_page(&self)),
        };
        match self {
            Self::RateLimited(secs) => {
                let _ = resp.headers_mut().set("retry-after", &secs.to_string());
            }
            Self::Unavailable(_) => {
                let _ = resp.headers_mut().set("retry-after", "30");
            }
            _ => {}
        }
        resp
    }

    /// The JSON answer: the API's rendering.
    pub fn into_response(self) -> Response {
        self.finish(Rendering::Json)
    }
}

fn dashboard_page(e: &EdgeError) -> Response {
    let title = match e {
        EdgeError::Unauthorized => "Please sign in again",
        EdgeError::Forbidden | EdgeError::StaleForm | EdgeError::RoleForbids => "Refused",
        EdgeError::NotFound(_) => "Not found",
        EdgeError::Internal(_) => "Something went wrong",
        _ => "Not saved",
    };
    let text = match e {
        EdgeError::Unauthorized => "Your session has ended. Nothing was changed.".to_owned(),
        EdgeError::Forbidden => {
            "This request did not come from the dashboard, so nothing was changed.".to_owned()
        }
        EdgeError::Internal(_) => {
            "The dashboard could not finish this; nothing was changed. Try again in a moment."
                .to_owned()
        }
        other => format!("{other}. Nothing was changed."),
    };
    http::page(e.status(), layout::message(title, &text, None))
}

fn ack_page(e: &EdgeError) -> pages::html::Page {
    let headline = match e {
        EdgeError::Domain(DomainError::ExpiredLink) => "This link has expired",
        EdgeError::Domain(DomainError::ForgedLink(_)) => "This link is not valid",
        EdgeError::Conflict(_) => "Already acknowledged",
        EdgeError::Domain(_) | EdgeError::BadJson(_) => "Please say who you are",
        EdgeError::NotFound(_) => "Nothing to acknowledge here",
        _ => "This link cannot be used right now",
    };
    ack::refused(headline, &e.to_string())
}

fn more_page(e: &EdgeError) -> pages::html::Page {
    let headline = match e {
        EdgeError::Domain(DomainError::ExpiredLink) => "This link has expired",
        EdgeError::Domain(DomainError::ForgedLink(_)) => "This link is not valid",
        EdgeError::Domain(_) | EdgeError::BadJson(_) => "Please write what you would like to add",
        EdgeError::NotFound(_) | EdgeError::Conflict(_) => "Nothing can be added here",
        _ => "This link cannot be used right now",
    };
    ack::refused(headline, &format!("{e}. Nothing was added."))
}
