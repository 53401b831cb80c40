//! `/v3/hooks` subscriptions, and the deliveries they receive: light payloads
//! `{scope, store_id, data, hash, created_at, producer}` with the hook's custom headers and a
//! Standard Webhooks signature.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use super::Shared;
use super::store::{Event, Hook, IdKind};
use super::wire::{Api, ApiError, Params, json_response, page_of, parse_body};
use crate::webhook::Delivery;

/// Whether a subscription scope receives an event scope. A trailing `*` covers everything below
/// it (`store/order/*` covers `store/order/refund/created`); a `*` segment elsewhere stands for
/// any one segment, such as a channel id.
pub fn scope_covers(subscription: &str, event: &str) -> bool {
    let sub: Vec<&str> = subscription.split('/').collect();
    let ev: Vec<&str> = event.split('/').collect();
    for (i, part) in sub.iter().enumerate() {
        if *part == "*" && i == sub.len() - 1 {
            return ev.len() > i;
        }
        match ev.get(i) {
            Some(e) if *part == "*" || part == e => {}
            _ => return false,
        }
    }
    sub.len() == ev.len()
}

/// Builds one signed delivery of `event` to `hook`.
pub fn delivery(shared: &Shared, hook: &Hook, event: &Event, now: DateTime<Utc>) -> Delivery {
    let data_json = event.data.to_string();
    let hash = hex(&Sha1::digest(data_json.as_bytes()));
    let body = json!({
        "scope": event.scope,
        "store_id": shared.store_id,
        "data": event.data,
        "hash": hash,
        "created_at": now.timestamp(),
        "producer": format!("stores/{}", shared.config.store_hash),
    })
    .to_string()
    .into_bytes();
    let id = format!("msg_{}", shared.uuid().replace('-', ""));
    let timestamp = now.timestamp().to_string();
    let signature = sign(&shared.config.webhook_secret, &id, &timestamp, &body);
    let mut headers: Vec<(String, String)> =
        hook.headers.iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect();
    headers.push(("content-type".into(), "application/json".into()));
    headers.push(("webhook-id".into(), id.clone()));
    headers.push(("webhook-timestamp".into(), timestamp));
    headers.push(("webhook-signature".into(), signature));
    Delivery { id, topic: event.scope.clone(), url: hook.destination.clone(), headers, body }
}

/// Standard Webhooks: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), where the key
/// is the base64-decoded part of the secret after `whsec_`.
pub fn sign(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = BASE64.decode(encoded).unwrap_or_else(|_| encoded.as_bytes().to_vec());
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else { return String::new() };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------- handlers

/// The API account this emulator plays; hooks are visible only to the client that made them.
const CLIENT_ID: &str = "tillbridge-emulated-client";

fn hook_json(store_hash: &str, h: &Hook) -> Value {
    json!({
        "id": h.id,
        "client_id": CLIENT_ID,
        "store_hash": store_hash,
        "scope": h.scope,
        "destination": h.destination,
        "is_active": h.is_active,
        "headers": h.headers,
        "created_at": h.created_at,
        "updated_at": h.updated_at,
    })
}

#[derive(Debug, Deserialize)]
pub struct HookInput {
    scope: Option<String>,
    destination: Option<String>,
    is_active: Option<bool>,
    #[serde(default, deserialize_with = "headers_field")]
    headers: Option<Option<BTreeMap<String, String>>>,
}

/// Tells "headers": null (clear them) from an absent field (keep them).
fn headers_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<BTreeMap<String, String>>>, D::Error> {
    Option::<BTreeMap<String, String>>::deserialize(d).map(Some)
}

fn check_scope(scope: &str) -> Result<(), ApiError> {
    let ok =
        scope.starts_with("store/") && scope.len() > "store/".len() && !scope.contains(' ') && !scope.ends_with('/');
    if ok {
        Ok(())
    } else {
        Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Invalid scope \"{scope}\"; use an event name such as store/order/created or a wildcard such as store/order/*"
            ),
        ))
    }
}

/// Real BigCommerce delivers only to HTTPS on port 443; the emulator also accepts plain HTTP to
/// loopback so tests and the demo can receive deliveries.
fn check_destination(destination: &str) -> Result<(), ApiError> {
    let loopback_http = ["http://127.0.0.1", "http://localhost", "http://[::1]"].iter().any(|p| {
        destination
            .strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(':') || rest.starts_with('/'))
    });
    if destination.starts_with("https://") || loopback_http {
        Ok(())
    } else {
        Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Invalid destination \"{destination}\"; webhooks are delivered only to https:// URLs (or http:// on loopback in the emulator)"
            ),
        ))
    }
}

pub async fn create_hook(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let input: HookInput = parse_body(&body, Api::V3)?;
    let (Some(scope), Some(destination)) = (input.scope, input.destination) else {
        return Err(ApiError::v3(StatusCode::UNPROCESSABLE_ENTITY, "scope and destination are required").with_errors(
            [("scope".to_string(), json!("required")), ("destination".to_string(), json!("required"))]
                .into_iter()
                .collect(),
        ));
    };
    check_scope(&scope)?;
    check_destination(&destination)?;
    let now = Utc::now().timestamp();
    let mut store = shared.store();
    let same_scope = store.hooks.values().filter(|h| h.scope == scope).count();
    if store.hooks.values().any(|h| h.scope == scope && h.destination == destination) {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "A webhook for scope {scope} and destination {destination} already exists; update it with PUT /v3/hooks/{{id}} instead"
            ),
        ));
    }
    if same_scope >= 10 {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("This client already has 10 webhooks for scope {scope}, the platform limit; delete one first"),
        ));
    }
    let id = store.next_id(IdKind::Hook);
    let hook = Hook {
        id,
        scope,
        destination,
        is_active: input.is_active.unwrap_or(true),
        headers: input.headers.flatten(),
        created_at: now,
        updated_at: now,
    };
    let body = json!({"data": hook_json(&shared.config.store_hash, &hook), "meta": {}});
    store.hooks.insert(id, hook);
    Ok(json_response(StatusCode::OK, &body))
}

pub async fn list_hooks(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, 250)?;
    let is_active = params.bool("is_active")?;
    let scope = params.get("scope").map(str::to_string);
    let destination = params.get("destination").map(str::to_string);
    let store = shared.store();
    let matching = store.hooks.values().filter(|h| {
        is_active.is_none_or(|a| h.is_active == a)
            && scope.as_deref().is_none_or(|s| h.scope == s)
            && destination.as_deref().is_none_or(|d| h.destination == d)
    });
    let (page, total) = page_of(matching, paging);
    let data: Vec<Value> = page.iter().map(|h| hook_json(&shared.config.store_hash, h)).collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

fn hook_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().map_err(|_| ApiError::not_found(format!("Webhook \"{raw}\"")))
}

pub async fn get_hook(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = hook_id(&raw)?;
    let store = shared.store();
    let h = store.hooks.get(&id).ok_or_else(|| ApiError::not_found(format!("Webhook {id}")))?;
    Ok(json_response(StatusCode::OK, &json!({"data": hook_json(&shared.config.store_hash, h), "meta": {}})))
}

pub async fn update_hook(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = hook_id(&raw)?;
    let input: HookInput = parse_body(&body, Api::V3)?;
    if let Some(s) = &input.scope {
        check_scope(s)?;
    }
    if let Some(d) = &input.destination {
        check_destination(d)?;
    }
    let mut store = shared.store();
    let h = store.hooks.get_mut(&id).ok_or_else(|| ApiError::not_found(format!("Webhook {id}")))?;
    if let Some(s) = input.scope {
        h.scope = s;
    }
    if let Some(d) = input.destination {
        h.destination = d;
    }
    if let Some(a) = input.is_active {
        h.is_active = a;
    }
    if let Some(headers) = input.headers {
        h.headers = headers;
    }
    h.updated_at = Utc::now().timestamp();
    Ok(json_response(StatusCode::OK, &json!({"data": hook_json(&shared.config.store_hash, h), "meta": {}})))
}

pub async fn delete_hook(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = hook_id(&raw)?;
    let mut store = shared.store();
    let h = store.hooks.remove(&id).ok_or_else(|| ApiError::not_found(format!("Webhook {id}")))?;
    Ok(json_response(StatusCode::OK, &json!({"data": hook_json(&shared.config.store_hash, &h), "meta": {}})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_what_the_docs_say() {
        assert!(
            scope_covers("store/order/*", "store/order/refund/created"),
            "a trailing * covers every event below it"
        );
        assert!(scope_covers("store/order/created", "store/order/created"), "an exact scope covers itself");
        assert!(!scope_covers("store/order/created", "store/order/updated"), "an exact scope covers nothing else");
        assert!(
            scope_covers(
                "store/channel/*/inventory/product/stock_changed",
                "store/channel/*/inventory/product/stock_changed"
            ),
            "the channel wildcard covers the all-channels inventory event"
        );
        assert!(!scope_covers("store/product/*", "store/sku/updated"), "a wildcard stays within its prefix");
    }
}
