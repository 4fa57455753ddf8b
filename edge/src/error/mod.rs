//! The edge's one error type, its one mapping to a status and a code, and
//! (in `finish.rs`) its one finisher into an answer: JSON for the API, a
//! page for the dashboard, a page for an acknowledge link.

mod finish;

pub use finish::Rendering;

use domain::DomainError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum EdgeError {
    /// A product rule refused a value (400 `invalid_<field>`) or a case step
    /// out of order (409 `illegal_transition`).
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the body is not valid JSON for this endpoint: {0}")]
    BadJson(String),
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("send Authorization: Bearer <admin token>")]
    Unauthorized,
    #[error("this token does not grant access")]
    Forbidden,
    /// Signed in, but the person's role lacks what the route needs.
    #[error("your role does not allow this; ask an owner of this dashboard")]
    RoleForbids,
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// A dashboard form without this session's CSRF token.
    #[error("this form is out of date or did not come from the dashboard; reload the page and try again")]
    StaleForm,
    #[error("this origin may not post to this site")]
    OriginNotAllowed,
    #[error("{0}")]
    Conflict(&'static str),
    #[error("too many requests from this address; try again in {0} seconds")]
    RateLimited(u32),
    /// The site requires Cloudflare Turnstile and the token was missing or
    /// refused.
    #[error("{0}")]
    Turnstile(&'static str),
    /// The back office did not answer a forwarded request (the front's
    /// service binding failed): try again shortly. Only the front builds
    /// it.
    #[cfg_attr(feature = "office", allow(dead_code))]
    #[error("the service is briefly unavailable; try again in a minute")]
    Unavailable(String),
    /// Storage or runtime failure: never caused by input, always logged.
    #[error("internal error")]
    Internal(String),
}

impl EdgeError {
    pub const fn status(&self) -> u16 {
        match self {
            Self::Domain(DomainError::IllegalTransition { .. }) | Self::Conflict(_) => 409,
            Self::Domain(DomainError::Invalid { .. }) | Self::BadJson(_) => 400,
            Self::Unauthorized => 401,
            Self::OriginNotAllowed
            | Self::Forbidden
            | Self::RoleForbids
            | Self::StaleForm
            | Self::Turnstile(_)
            | Self::Domain(DomainError::ForgedLink(_)) => 403,
            Self::Domain(DomainError::ExpiredLink) => 410,
            Self::NotFound(_) => 404,
            Self::MethodNotAllowed => 405,
            Self::TooLarge(_) => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited(_) => 429,
            Self::Internal(_) => 500,
            Self::Unavailable(_) => 503,
        }
    }

    pub fn code(&self) -> String {
        match self {
            Self::Domain(e) => e.code(),
            Self::BadJson(_) => "invalid_json".into(),
            Self::UnsupportedMediaType => "unsupported_media_type".into(),
            Self::TooLarge(_) => "body_too_large".into(),
            Self::NotFound(what) => format!("unknown_{what}"),
            Self::MethodNotAllowed => "method_not_allowed".into(),
            Self::OriginNotAllowed => "origin_not_allowed".into(),
            Self::Unauthorized => "unauthorized".into(),
            Self::Forbidden => "forbidden".into(),
            Self::RoleForbids => "role_forbids".into(),
            Self::StaleForm => "stale_form".into(),
            Self::Conflict(_) => "conflict".into(),
            Self::RateLimited(_) => "rate_limited".into(),
            Self::Turnstile(_) => "turnstile_failed".into(),
            Self::Internal(_) => "internal".into(),
            Self::Unavailable(_) => "unavailable".into(),
        }
    }
}

impl From<worker::Error> for EdgeError {
    fn from(e: worker::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

pub type EdgeResult<T> = Result<T, EdgeError>;
