//! Shopify deliveries: any headers and body go through the signature check and the parser without
//! a panic, and a body signed with the right secret is never refused as unauthenticated.
#![no_main]

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
use tillbridge_webhooks::{parse, verify};

const SECRET: &[u8] = b"fuzz-secret";

/// The input as `topic \n event-id \n triggered-at \n hmac \n body`.
fn split(data: &[u8]) -> (HeaderMap, Option<String>, &[u8]) {
    let mut parts = data.splitn(5, |b| *b == b'\n');
    let mut headers = HeaderMap::new();
    let mut hmac = None;
    for name in ["x-shopify-topic", "x-shopify-event-id", "x-shopify-triggered-at", "x-shopify-hmac-sha256"] {
        let Some(value) = parts.next() else { break };
        if let Ok(v) = HeaderValue::from_bytes(value) {
            if name == "x-shopify-hmac-sha256" {
                hmac = v.to_str().ok().map(str::to_string);
            }
            headers.insert(HeaderName::from_static(name), v);
        }
    }
    (headers, hmac, parts.next().unwrap_or_default())
}

fuzz_target!(|data: &[u8]| {
    let (headers, hmac, body) = split(data);
    let _ = verify::shopify(SECRET, body, hmac.as_deref());
    let _ = parse::shopify(&headers, body);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET).expect("any key length works");
    mac.update(body);
    let signed = STANDARD.encode(mac.finalize().into_bytes());
    assert!(verify::shopify(SECRET, body, Some(&signed)).is_ok(), "a correctly signed body is accepted");
});
