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

    #[error("BigCommerce kept answering {status} at {endpoint} after {attempts} attempts.")]
    Server { endpoint: String, status: u16, attempts: u32 },

    #[error("BigCommerce's rate limit held for {attempts} attempts at {endpoint} (it resets after {reset:?}).")]
    RateLimited { endpoint: String, attempts: u32, reset: Duration },

    #[error("could not reach BigCommerce at {endpoint}: {detail}. Check the network and the API URL.")]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_error_does_not_promise_a_retry_it_cannot_keep() {
        // Whether anything retries is the caller's to say (a job waits in the queue; a connection
        // check does not), so the client's words describe what happened only.
        let server = BcError::Server { endpoint: "/v3/catalog/variants".into(), status: 503, attempts: 6 };
        let network = BcError::Network { endpoint: "/v2/store".into(), detail: "connection refused".into() };
        let limited = BcError::RateLimited {
            endpoint: "/v3/catalog/products".into(),
            attempts: 4,
            reset: Duration::from_secs(9),
        };
        for e in [server, network, limited] {
            assert!(!e.to_string().contains("retried"), "no promise in: {e}");
        }
    }
}
