//! BigCommerce deliveries: any Standard Webhooks headers and body go through the signature check
//! (with its timestamp tolerance) and the parser without a panic.
#![no_main]

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use tillbridge_webhooks::{parse, verify};

// The input as `webhook-id \n webhook-timestamp \n webhook-signature \n body`.
fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == b'\n');
    let mut headers = HeaderMap::new();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let Some(value) = parts.next() else { break };
        if let Ok(v) = HeaderValue::from_bytes(value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
    let body = parts.next().unwrap_or_default();
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let standard = verify::StandardHeaders {
        id: get("webhook-id"),
        timestamp: get("webhook-timestamp"),
        signature: get("webhook-signature"),
    };
    let _ = verify::bigcommerce(b"fuzz-secret", standard, body, chrono::Utc::now());
    let _ = verify::same_secret(b"fuzz-header", get("webhook-signature"));
    let _ = parse::bigcommerce(&headers, body);
});
