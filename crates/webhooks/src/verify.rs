//! Signature checks, made over the raw body before any JSON is parsed, in constant time.
//!
//! - Shopify: `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(app client secret, raw body)).
//! - BigCommerce (Standard Webhooks): `webhook-signature` holds one or more space-separated
//!   `v1,<base64(HMAC-SHA256(client secret, "{webhook-id}.{webhook-timestamp}.{raw body}"))>`, and
//!   `webhook-timestamp` (Unix seconds) must be within [`TOLERANCE`] of now, so a captured delivery
//!   cannot be replayed later.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a BigCommerce delivery's timestamp may be from now, either way.
pub const TOLERANCE: chrono::Duration = chrono::Duration::minutes(5);

/// Why a delivery was refused. Each maps to an HTTP status and has no side effect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// 401: not signed by the store, or signed too long ago.
    #[error("{0}")]
    Unauthenticated(String),
    /// 400: signed, but not a delivery Tillbridge can read.
    #[error("{0}")]
    Malformed(String),
}

fn mac(secret: &[u8]) -> Result<Hmac<Sha256>, Refusal> {
    Hmac::<Sha256>::new_from_slice(secret).map_err(|_| Refusal::Unauthenticated("no signing secret is set".into()))
}

/// Checks a Shopify delivery's HMAC header against the raw body.
pub fn shopify(secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), Refusal> {
    let header = header.ok_or_else(|| Refusal::Unauthenticated("X-Shopify-Hmac-Sha256 is missing".into()))?;
    let claimed = STANDARD
        .decode(header.trim())
        .map_err(|_| Refusal::Unauthenticated("X-Shopify-Hmac-Sha256 is not base64".into()))?;
    let mut m = mac(secret)?;
    m.update(body);
    // verify_slice compares in constant time.
    m.verify_slice(&claimed).map_err(|_| Refusal::Unauthenticated("the HMAC does not match the body".into()))
}

/// The three Standard Webhooks headers of a BigCommerce delivery.
#[derive(Debug, Clone, Copy, Default)]
pub struct StandardHeaders<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// Checks a BigCommerce delivery's Standard Webhooks signature and timestamp at `now`.
pub fn bigcommerce(
    secret: &[u8],
    headers: StandardHeaders<'_>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let missing = |name: &str| Refusal::Unauthenticated(format!("{name} is missing"));
    let id = headers.id.ok_or_else(|| missing("webhook-id"))?;
    let timestamp = headers.timestamp.ok_or_else(|| missing("webhook-timestamp"))?;
    let signatures = headers.signature.ok_or_else(|| missing("webhook-signature"))?;
    let seconds: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Refusal::Unauthenticated("webhook-timestamp is not a number of seconds".into()))?;
    let sent = DateTime::<Utc>::from_timestamp(seconds, 0)
        .ok_or_else(|| Refusal::Unauthenticated("webhook-timestamp is out of range".into()))?;
    if (now - sent).abs() > TOLERANCE {
        return Err(Refusal::Unauthenticated(format!(
            "webhook-timestamp is {} s from now, beyond the {} s tolerance: an old or replayed delivery",
            (now - sent).num_seconds(),
            TOLERANCE.num_seconds()
        )));
    }
    let mut signed = mac(secret)?;
    signed.update(id.as_bytes());
    signed.update(b".");
    signed.update(timestamp.as_bytes());
    signed.update(b".");
    signed.update(body);
    for candidate in signatures.split_whitespace() {
        let Some(encoded) = candidate.strip_prefix("v1,") else { continue };
        let Ok(claimed) = STANDARD.decode(encoded) else { continue };
        if signed.clone().verify_slice(&claimed).is_ok() {
            return Ok(());
        }
    }
    Err(Refusal::Unauthenticated("no v1 signature in webhook-signature matches the body".into()))
}

/// Compares a custom header's value with the one Tillbridge registered, in constant time.
pub fn same_secret(expected: &[u8], given: Option<&str>) -> bool {
    let Some(given) = given else { return false };
    // Comparing the MACs of both values under one key is constant time in their contents.
    let (Ok(mut a), Ok(b)) = (mac(b"tillbridge-header-check"), mac(b"tillbridge-header-check")) else {
        return false;
    };
    a.update(expected);
    let mut b = b;
    b.update(given.as_bytes());
    b.verify_slice(&a.finalize().into_bytes()).is_ok()
}
