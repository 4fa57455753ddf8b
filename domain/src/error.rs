use thiserror::Error;

/// Everything a product rule can refuse. The edge maps each variant to one
/// HTTP status (see `edge/src/error/mod.rs`); the `code` is the wire error code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A field of a request is not acceptable. `field` is the wire name.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// A case step out of order (rule 4): the edge answers 409.
    #[error("a case that is {from} cannot be marked {event}")]
    IllegalTransition {
        from: &'static str,
        event: &'static str,
    },
    /// An acknowledge link that was not signed by us, or was altered: 403.
    #[error("this link is not valid: {0}")]
    ForgedLink(&'static str),
    /// An acknowledge link past its expiry: 410.
    #[error("this link has expired; open the case from the dashboard instead")]
    ExpiredLink,
}

impl DomainError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// The snake_case code sent on the wire, e.g. `invalid_gaps`.
    pub fn code(&self) -> String {
        match self {
            Self::Invalid { field, .. } => format!("invalid_{}", field.replace('.', "_")),
            Self::IllegalTransition { .. } => "illegal_transition".to_owned(),
            Self::ForgedLink(_) => "invalid_link".to_owned(),
            Self::ExpiredLink => "expired_link".to_owned(),
        }
    }
}
