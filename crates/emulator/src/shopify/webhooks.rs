//! Signing and sending the webhooks queued by state changes. Payloads are REST-shaped JSON;
//! every delivery carries Shopify's headers and `X-Shopify-Hmac-Sha256` =
//! base64(HMAC-SHA256(app client secret, raw body)).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::model::{rest_time, rest_topic};
use super::state::ShopState;
use crate::webhook::Delivery;

pub(crate) fn sign(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Keeps only the top-level fields a subscription asked for (`includeFields`).
fn include_only(body: &Value, fields: &[String]) -> Value {
    match body {
        Value::Object(map) if !fields.is_empty() => {
            Value::Object(map.iter().filter(|(k, _)| fields.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => other.clone(),
    }
}

/// Sends everything in the outbox to the matching subscriptions. Call after each state change
/// once the write lock is released; deliveries run in the background.
pub(crate) fn flush(state: &ShopState) {
    let (outgoing, subscriptions) = {
        let mut d = state.write();
        if d.outbox.is_empty() {
            return;
        }
        (std::mem::take(&mut d.outbox), d.subscriptions.values().cloned().collect::<Vec<_>>())
    };
    for event in outgoing {
        // One merchant action = one event id, shared by every subscription's delivery and
        // kept across retries; each delivery gets its own webhook id.
        let event_id = state.uuid();
        for sub in subscriptions.iter().filter(|s| s.topic == event.topic) {
            let body = serde_json::to_vec(&include_only(&event.body, &sub.include_fields)).unwrap_or_default();
            let webhook_id = state.uuid();
            let topic = rest_topic(event.topic);
            let headers = vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                ("X-Shopify-Topic".to_string(), topic.clone()),
                ("X-Shopify-Hmac-Sha256".to_string(), sign(&state.webhook_secret, &body)),
                ("X-Shopify-Shop-Domain".to_string(), state.shop_domain.clone()),
                ("X-Shopify-API-Version".to_string(), sub.api_version.clone()),
                ("X-Shopify-Webhook-Id".to_string(), webhook_id.clone()),
                ("X-Shopify-Event-Id".to_string(), event_id.clone()),
                ("X-Shopify-Triggered-At".to_string(), rest_time(event.triggered_at)),
            ];
            state.webhooks.send(Delivery { id: webhook_id, topic, url: sub.uri.clone(), headers, body });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = sign("Jefe", b"what do ya want for nothing?");
        let expected = STANDARD.encode([
            0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00,
            0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
        ]);
        assert_eq!(sig, expected, "HMAC-SHA256 over the raw body, base64-encoded");
    }
}
