use tillbridge_transport::ErrorClass;

/// A failed Shopify call, phrased for the operator. Never contains the token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShopifyError {
    #[error("Shopify rejected the access token (401). Reinstall or regenerate the app's Admin API token, then connect the shop again.")]
    Unauthorized,

    #[error("Shopify refused {operation}: the app lacks an access scope it needs ({detail}). Add the scope to the app and reinstall it.")]
    AccessDenied { operation: String, detail: String },

    #[error("no Shopify Admin API at {url} (404). Check the shop URL and the API version ({version}).")]
    NotFound { url: String, version: String },

    #[error("Shopify refused {operation}: {message}")]
    Rejected { operation: String, message: String },

    #[error("Shopify kept answering {status} for {operation} after {attempts} attempts; it will be retried later.")]
    Server { operation: String, status: u16, attempts: u32 },

    #[error("Shopify kept throttling {operation} after {attempts} attempts; it will be retried later.")]
    Throttled { operation: String, attempts: u32 },

    #[error("could not reach Shopify for {operation}: {detail}. Check the network and the shop URL; it will be retried.")]
    Network { operation: String, detail: String },

    #[error("Shopify answered {operation} with a body Tillbridge could not read: {detail}")]
    Decode { operation: String, detail: String },
}

impl ShopifyError {
    pub fn class(&self) -> ErrorClass {
        match self {
            ShopifyError::Server { .. } | ShopifyError::Throttled { .. } | ShopifyError::Network { .. } => {
                ErrorClass::Retryable
            }
            _ => ErrorClass::Permanent,
        }
    }
}
