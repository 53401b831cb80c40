//! Reading a delivery once its signature holds: the headers and body fields Tillbridge needs, and
//! nothing else. A body is never kept; only the event's id, topic and the id of the resource it
//! names go further.

use chrono::{DateTime, Utc};
use serde_json::Value;
use tillbridge_domain::webhooks::{PrivacyTopic, Wake, shopify_wake};
use tillbridge_engine::webhooks::privacy_subject;
use tillbridge_engine::{InboundWebhook, WebhookSource};

use crate::verify::Refusal;

/// Headers by name, case-insensitively (HTTP header names are).
pub trait Headers {
    fn get(&self, name: &str) -> Option<&str>;
}

impl Headers for axum::http::HeaderMap {
    fn get(&self, name: &str) -> Option<&str> {
        axum::http::HeaderMap::get(self, name).and_then(|v| v.to_str().ok())
    }
}

fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Refusal::Malformed("the body is JSON but not an object".into())),
        Err(e) => Err(Refusal::Malformed(format!("the body is not JSON: {e}"))),
    }
}

fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A Shopify delivery: `X-Shopify-Topic`, `X-Shopify-Event-Id` (shared by every delivery and
/// retry of one event: the dedupe key), `X-Shopify-Triggered-At`, and the id the body names.
pub fn shopify(headers: &impl Headers, body: &[u8]) -> Result<InboundWebhook, Refusal> {
    let topic = headers
        .get("x-shopify-topic")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Refusal::Malformed("X-Shopify-Topic is missing".into()))?
        .to_string();
    let event = headers
        .get("x-shopify-event-id")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Refusal::Malformed("X-Shopify-Event-Id is missing".into()))?
        .to_string();
    let triggered_at = match headers.get("x-shopify-triggered-at") {
        None => None,
        Some(t) => Some(
            DateTime::parse_from_rfc3339(t)
                .map_err(|_| Refusal::Malformed(format!("X-Shopify-Triggered-At {t:?} is not an RFC 3339 time")))?
                .with_timezone(&Utc),
        ),
    };
    let map = object(body)?;
    let body = Value::Object(map);
    let (resource, subject) = match shopify_wake(&topic) {
        Wake::Privacy(kind) => {
            let subject = privacy_subject(kind, &body);
            let named = subject.as_ref().is_some_and(|s| s.email.is_some() || s.shopify_customer.is_some());
            if kind != PrivacyTopic::RedactShop && !named {
                return Err(Refusal::Malformed(format!("{topic} names no customer (customer.id or customer.email)")));
            }
            (None, subject)
        }
        _ => {
            let kind = topic.split('/').next().unwrap_or("resource").trim_end_matches('s');
            let resource = match (id_text(body.get("inventory_item_id")), id_text(body.get("location_id"))) {
                (Some(item), Some(location)) => Some(format!("inventory_item {item} at location {location}")),
                _ => id_text(body.get("id")).map(|id| format!("{kind} {id}")),
            };
            (resource, None)
        }
    };
    Ok(InboundWebhook { source: WebhookSource::Shopify, delivery_key: event, topic, resource, triggered_at, subject })
}

/// A BigCommerce delivery: `{scope, store_id, data: {type, id, …}, hash, created_at, producer}`,
/// keyed by its `webhook-id`.
pub fn bigcommerce(headers: &impl Headers, body: &[u8]) -> Result<InboundWebhook, Refusal> {
    let id = headers
        .get("webhook-id")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Refusal::Malformed("webhook-id is missing".into()))?
        .to_string();
    let map = object(body)?;
    let scope = match map.get("scope") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(Refusal::Malformed("the body has no scope".into())),
    };
    let data = map.get("data");
    let resource =
        match (data.and_then(|d| d.get("type")).and_then(Value::as_str), id_text(data.and_then(|d| d.get("id")))) {
            (Some(kind), Some(id)) => Some(format!("{kind} {id}")),
            (None, Some(id)) => Some(id),
            _ => None,
        };
    let triggered_at =
        map.get("created_at").and_then(Value::as_i64).and_then(|s| DateTime::<Utc>::from_timestamp(s, 0));
    Ok(InboundWebhook {
        source: WebhookSource::BigCommerce,
        delivery_key: id,
        topic: scope,
        resource,
        triggered_at,
        subject: None,
    })
}
