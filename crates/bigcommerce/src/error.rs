use std::time::Duration;

use tillbridge_transport::ErrorClass;

/// A failed BigCommerce call, phrased for the operator. Never contains the token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BcError {
    #[error(
        "BigCommerce rejected the access token (401). Create a new API account token in the BigCommerce control panel and connect the store again."
    )]
    Unauthorized,

    #[error(
        "BigCommerce refused {endpoint} (403): the API account lacks a scope it needs ({hint}). Edit the API account's scopes, then connect again."
    )]
    Forbidden { endpoint: String, hint: &'static str },

    #[error(
        "BigCommerce has no such resource at {endpoint} (404). Check the store hash and API URL, or whether the item was deleted."
    )]
    NotFound { endpoint: String },

    #[error("BigCommerce refused the request to {endpoint} ({status} {title}): {details}")]
    Rejected { endpoint: String, status: u16, title: String, details: String },

    #[error("BigCommerce kept answering {status} at {endpoint} after {attempts} attempts; it will be retried later.")]
    Server { endpoint: String, status: u16, attempts: u32 },

    #[error("BigCommerce's rate limit held for {attempts} attempts at {endpoint}; it will be retried after {reset:?}.")]
    RateLimited { endpoint: String, attempts: u32, reset: Duration },

    #[error(
        "could not reach BigCommerce at {endpoint}: {detail}. Check the network and the API URL; it will be retried."
    )]
    Network { endpoint: String, detail: String },

    #[error(
        "the connection to BigCommerce dropped after {endpoint} was sent, so it may or may not have been applied; Tillbridge checks before trying again."
    )]
    OutcomeUnknown { endpoint: String },

    #[error("BigCommerce answered {endpoint} with a body Tillbridge could not read: {detail}")]
    Decode { endpoint: String, detail: String },

    #[error("{0}")]
    Invalid(String),
}

impl BcError {
    pub fn class(&self) -> ErrorClass {
        match self {
            BcError::Server { .. }
            | BcError::RateLimited { .. }
            | BcError::Network { .. }
            | BcError::OutcomeUnknown { .. } => ErrorClass::Retryable,
            _ => ErrorClass::Permanent,
        }
    }
}
