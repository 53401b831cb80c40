use tillbridge_transport::ErrorClass;

/// A failed Shopify call, phrased for the operator. Never contains the token, and never a bulk
/// download URL (it carries a signature that grants access to the file).
///
/// A write that reached Shopify and was refused for a reason of its own (a stale
/// `changeFromQuantity`, an unstocked location) is not an error here: it comes back as
/// [`crate::WriteOutcome::Refused`] with typed codes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShopifyError {
    #[error(
        "Shopify rejected the access token (401). Reinstall or regenerate the app's Admin API token, then connect the shop again."
    )]
    Unauthorized,

    #[error(
        "Shopify refused {operation}: the app lacks an access scope it needs ({detail}). Add the scope to the app and reinstall it."
    )]
    AccessDenied { operation: String, detail: String },

    #[error("no Shopify Admin API at {url} (404). Check the shop URL and the API version ({version}).")]
    NotFound { url: String, version: String },

    #[error("Shopify refused {operation}: {message}")]
    Rejected { operation: String, message: String },

    #[error("Shopify kept answering {status} for {operation} after {attempts} attempts.")]
    Server { operation: String, status: u16, attempts: u32 },

    #[error("Shopify kept throttling {operation} after {attempts} attempts.")]
    Throttled { operation: String, attempts: u32 },

    #[error("could not reach Shopify for {operation}: {detail}. Check the network and the shop URL.")]
    Network { operation: String, detail: String },

    #[error("Shopify answered {operation} with a body Tillbridge could not read: {detail}")]
    Decode { operation: String, detail: String },

    /// Something the call names no longer exists (a location deleted since it was mapped).
    #[error(
        "{operation}: {what} no longer exists in Shopify. Read the shop again and update the mapping that points at it."
    )]
    Missing { operation: String, what: String },

    /// Paging stopped making progress: Shopify said there was more but gave no new cursor.
    #[error("{operation}: Shopify reported more pages but returned no new cursor; the read stopped to avoid looping.")]
    StuckPaging { operation: String },

    /// `bulkOperationRunQuery` answered with userErrors instead of starting.
    #[error("Shopify would not start the bulk query ({code}): {message}")]
    BulkRefused { code: String, message: String },

    /// The bulk operation ended without a usable result.
    #[error("the Shopify bulk query ended {status}{}: {advice}", .error_code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
    BulkFailed { status: String, error_code: Option<String>, advice: String },

    /// The bulk operation was still running when Tillbridge stopped waiting.
    #[error("the Shopify bulk query was still {status} after {waited_secs} s; it will be picked up again later.")]
    BulkTimedOut { status: String, waited_secs: u64 },

    /// Downloading or reading the bulk result file failed.
    #[error("could not read the Shopify bulk result file: {detail}")]
    BulkFile { detail: String, retryable: bool },
}

impl ShopifyError {
    pub fn class(&self) -> ErrorClass {
        match self {
            ShopifyError::Server { .. }
            | ShopifyError::Throttled { .. }
            | ShopifyError::Network { .. }
            | ShopifyError::StuckPaging { .. }
            | ShopifyError::BulkTimedOut { .. } => ErrorClass::Retryable,
            // Another bulk query holds the slot; it finishes on its own.
            ShopifyError::BulkRefused { code, .. } if code == "OPERATION_IN_PROGRESS" => ErrorClass::Retryable,
            // Shopify's own failures and expired files go away by running the query again; a
            // missing scope does not.
            ShopifyError::BulkFailed { error_code, .. } if error_code.as_deref() != Some("ACCESS_DENIED") => {
                ErrorClass::Retryable
            }
            ShopifyError::BulkFile { retryable: true, .. } => ErrorClass::Retryable,
            _ => ErrorClass::Permanent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_failures_are_retried_unless_a_person_must_grant_a_scope() {
        let failed = |code: Option<&str>| ShopifyError::BulkFailed {
            status: "FAILED".into(),
            error_code: code.map(str::to_string),
            advice: "run it again".into(),
        };
        assert_eq!(failed(Some("TIMEOUT")).class(), ErrorClass::Retryable, "a timed-out export can simply run again");
        assert_eq!(failed(None).class(), ErrorClass::Retryable, "an expired or canceled export can run again");
        assert_eq!(failed(Some("ACCESS_DENIED")).class(), ErrorClass::Permanent, "a missing scope needs the merchant");
        let busy = ShopifyError::BulkRefused { code: "OPERATION_IN_PROGRESS".into(), message: "busy".into() };
        assert_eq!(busy.class(), ErrorClass::Retryable, "another bulk query finishes on its own");
        let invalid = ShopifyError::BulkRefused { code: "INVALID".into(), message: "bad".into() };
        assert_eq!(invalid.class(), ErrorClass::Permanent, "an invalid query stays invalid");
    }
}
