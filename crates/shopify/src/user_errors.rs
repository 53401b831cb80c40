//! What Shopify says when it received a write and refused it: `userErrors`, typed by the codes
//! the sync acts on, and the [`WriteOutcome`] every mutation returns.

use serde::{Deserialize, Deserializer};
use tillbridge_transport::ErrorClass;

/// The `code` of a user error, for the codes Tillbridge reacts to; the rest keep Shopify's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserErrorCode {
    /// The quantity changed since we read it (2026-04 compare-and-swap).
    ChangeFromQuantityStale,
    /// The item is not stocked at the location yet: `inventoryActivate` it first.
    ItemNotStockedAtLocation,
    /// The idempotency key was used before for a different write.
    IdempotencyKeyParameterMismatch,
    /// Any other code, exactly as Shopify sent it.
    Other(String),
    /// The payload type has no code at all (plain `UserError`, e.g. `refundCreate`).
    Unspecified,
}

impl UserErrorCode {
    pub fn from_code(code: Option<&str>) -> UserErrorCode {
        match code {
            Some("CHANGE_FROM_QUANTITY_STALE") => UserErrorCode::ChangeFromQuantityStale,
            Some("ITEM_NOT_STOCKED_AT_LOCATION") => UserErrorCode::ItemNotStockedAtLocation,
            Some("IDEMPOTENCY_KEY_PARAMETER_MISMATCH") => UserErrorCode::IdempotencyKeyParameterMismatch,
            Some(other) => UserErrorCode::Other(other.to_string()),
            None => UserErrorCode::Unspecified,
        }
    }
}

/// One entry of a payload's `userErrors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub code: UserErrorCode,
    /// The input path Shopify blames, e.g. `["input", "quantities", "0", "changeFromQuantity"]`.
    pub field: Vec<String>,
    pub message: String,
}

impl UserError {
    /// Whether doing the write again can succeed without a person: after a fresh read (stale),
    /// after activating the item (not stocked). A reused key or bad input needs a fix.
    pub fn class(&self) -> ErrorClass {
        match self.code {
            UserErrorCode::ChangeFromQuantityStale | UserErrorCode::ItemNotStockedAtLocation => ErrorClass::Retryable,
            _ => ErrorClass::Permanent,
        }
    }

    /// What to do about it, in words for the operator and the job log.
    pub fn next_step(&self) -> &'static str {
        match self.code {
            UserErrorCode::ChangeFromQuantityStale => {
                "the stock changed in Shopify since it was read: read the level again, recompute, and write with a new idempotency key"
            }
            UserErrorCode::ItemNotStockedAtLocation => {
                "stock the item at the location with inventoryActivate, then write again"
            }
            UserErrorCode::IdempotencyKeyParameterMismatch => {
                "the idempotency key was already used for a different write: derive a new key for the new write"
            }
            UserErrorCode::Other(_) | UserErrorCode::Unspecified => "correct the data Shopify names, then write again",
        }
    }
}

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = match &self.code {
            UserErrorCode::ChangeFromQuantityStale => "CHANGE_FROM_QUANTITY_STALE",
            UserErrorCode::ItemNotStockedAtLocation => "ITEM_NOT_STOCKED_AT_LOCATION",
            UserErrorCode::IdempotencyKeyParameterMismatch => "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
            UserErrorCode::Other(code) => code.as_str(),
            UserErrorCode::Unspecified => "no code",
        };
        write!(f, "{} ({code}", self.message)?;
        if !self.field.is_empty() {
            write!(f, " at {}", self.field.join("."))?;
        }
        write!(f, "); {}", self.next_step())
    }
}

impl<'de> Deserialize<'de> for UserError {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<UserError, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            #[serde(default)]
            code: Option<String>,
            #[serde(default)]
            field: Option<Vec<String>>,
            message: String,
        }
        let w = Wire::deserialize(d)?;
        Ok(UserError {
            code: UserErrorCode::from_code(w.code.as_deref()),
            field: w.field.unwrap_or_default(),
            message: w.message,
        })
    }
}

/// What Shopify did with a write it received.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome<T> {
    Applied(T),
    /// Nothing was applied; every reason Shopify gave, typed.
    Refused(Vec<UserError>),
}

impl<T> WriteOutcome<T> {
    /// Applied when Shopify listed no user errors and returned the payload, refused otherwise.
    pub(crate) fn from_payload(applied: Option<T>, errors: Vec<UserError>, operation: &str) -> WriteOutcome<T> {
        match (applied, errors.is_empty()) {
            (Some(value), true) => WriteOutcome::Applied(value),
            (_, false) => WriteOutcome::Refused(errors),
            // No errors and nothing returned: treat as refused so a caller never assumes success.
            (None, true) => WriteOutcome::Refused(vec![UserError {
                code: UserErrorCode::Unspecified,
                field: vec![],
                message: format!("{operation} returned neither a result nor a reason"),
            }]),
        }
    }

    pub fn applied(self) -> Option<T> {
        match self {
            WriteOutcome::Applied(v) => Some(v),
            WriteOutcome::Refused(_) => None,
        }
    }

    /// The refusal codes, empty when applied.
    pub fn codes(&self) -> Vec<&UserErrorCode> {
        match self {
            WriteOutcome::Applied(_) => vec![],
            WriteOutcome::Refused(errors) => errors.iter().map(|e| &e.code).collect(),
        }
    }

    pub fn is_refused_with(&self, code: &UserErrorCode) -> bool {
        self.codes().contains(&code)
    }
}

/// The key of `@idempotent(key:)`: Shopify runs a write once per key and answers a repeat with
/// the first result, so a write resent after a lost response is not applied twice.
///
/// Derived from the job, never random: a retry of the same job after a crash must send the same
/// key, and two different writes of one job must not (Shopify refuses a key reused with other
/// parameters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// `job_key` is the job's own idempotency key; `write` names the write within the job and
    /// changes whenever its content may change (e.g. "set-available#2" after a stale re-read).
    /// The result is UUID-shaped, as Shopify recommends, and reveals neither input.
    pub fn for_job(job_key: &str, write: &str) -> IdempotencyKey {
        use sha2::{Digest, Sha256};
        let digest = Sha256::new()
            .chain_update(b"tillbridge/shopify/idempotency\0")
            .chain_update(job_key)
            .chain_update(b"\0")
            .chain_update(write)
            .finalize();
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        IdempotencyKey(format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_the_sync_acts_on_are_typed_and_the_rest_keep_their_text() {
        let parse = |json: &str| serde_json::from_str::<UserError>(json).unwrap();
        let stale = parse(
            r#"{"code":"CHANGE_FROM_QUANTITY_STALE","field":["input","quantities","0","changeFromQuantity"],"message":"m"}"#,
        );
        assert_eq!(stale.code, UserErrorCode::ChangeFromQuantityStale, "the CAS refusal is recognised");
        assert_eq!(stale.class(), ErrorClass::Retryable, "a fresh read makes it succeed");
        let other = parse(r#"{"code":"INVALID_REASON","field":null,"message":"m"}"#);
        assert_eq!(other.code, UserErrorCode::Other("INVALID_REASON".into()), "unknown codes keep Shopify's spelling");
        assert_eq!(other.class(), ErrorClass::Permanent, "bad input needs a fix");
        let plain = parse(r#"{"field":["id"],"message":"Webhook subscription does not exist"}"#);
        assert_eq!(plain.code, UserErrorCode::Unspecified, "plain UserError has no code");
        let mismatch = parse(r#"{"code":"IDEMPOTENCY_KEY_PARAMETER_MISMATCH","message":"m"}"#);
        assert_eq!(mismatch.class(), ErrorClass::Permanent, "a reused key is a bug to fix, not to retry");
        assert!(stale.to_string().contains("read the level again"), "the message says what to do next: {stale}");
    }

    #[test]
    fn an_empty_payload_is_never_mistaken_for_success() {
        let outcome: WriteOutcome<u8> = WriteOutcome::from_payload(None, vec![], "inventorySetQuantities");
        assert!(matches!(outcome, WriteOutcome::Refused(_)), "no result and no reason is not an applied write");
    }

    #[test]
    fn idempotency_keys_repeat_per_job_write_and_differ_between_writes() {
        let a = IdempotencyKey::for_job("stock:loc-1:TEE-S:2026-11-01T09:00", "set-available");
        let again = IdempotencyKey::for_job("stock:loc-1:TEE-S:2026-11-01T09:00", "set-available");
        let retry = IdempotencyKey::for_job("stock:loc-1:TEE-S:2026-11-01T09:00", "set-available#2");
        let other_job = IdempotencyKey::for_job("stock:loc-1:TEE-M:2026-11-01T09:00", "set-available");
        assert_eq!(a, again, "a crash-and-retry of the same job sends the same key");
        assert_ne!(a, retry, "a recomputed write after a stale read needs its own key");
        assert_ne!(a, other_job, "different jobs never share a key");
        assert_eq!(a.as_str().len(), 36, "UUID-shaped: {a:?}");
        assert!(!a.as_str().contains("TEE"), "the key reveals nothing of the job");
        // Splitting the same text differently between job and write must not collide.
        assert_ne!(
            IdempotencyKey::for_job("ab", "c"),
            IdempotencyKey::for_job("a", "bc"),
            "the separator keeps inputs apart"
        );
    }
}
