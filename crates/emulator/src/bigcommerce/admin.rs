//! The loopback admin API: faults, request counts, the true state of stock and orders
//! (never stale), webhook deliveries, and store settings. Not rate limited, not counted.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use super::store::{ReadTime, Store};
use super::wire::{Api, ApiError, Params, json_response, money_v2_string};
use crate::faults::FaultConfig;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__admin/faults", get(get_faults).put(put_faults))
        .route("/__admin/requests", get(get_requests))
        .route("/__admin/requests/reset", post(reset_requests))
        .route("/__admin/stock", get(get_stock))
        .route("/__admin/orders", get(get_orders))
        .route("/__admin/webhooks", get(get_webhooks))
        .route("/__admin/settings", get(get_settings).put(put_settings))
        .with_state(shared)
}

pub async fn no_such_endpoint(req: Request) -> Response {
    ApiError::v3(
        StatusCode::NOT_FOUND,
        format!("No such endpoint: {} {} is not served by the BigCommerce emulator", req.method(), req.uri().path()),
    )
    .into_response()
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &json!(shared.faults.config()))
}

async fn put_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let config: FaultConfig = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => return admin_error(format!("The fault config is not valid: {e}; see FaultConfig for the fields")),
    };
    match shared.faults.set(config) {
        Ok(()) => json_response(StatusCode::OK, &json!(shared.faults.config())),
        Err(e) => admin_error(format!("The fault config was refused: {e}")),
    }
}

fn admin_error(message: String) -> Response {
    json_response(StatusCode::BAD_REQUEST, &json!({"error": message}))
}

async fn get_requests(State(shared): State<Arc<Shared>>) -> Response {
    let routes = shared.requests.snapshot();
    json_response(StatusCode::OK, &json!({"total": shared.requests.total(), "routes": routes}))
}

async fn reset_requests(State(shared): State<Arc<Shared>>) -> Response {
    shared.requests.reset();
    StatusCode::NO_CONTENT.into_response()
}

/// Every variant's true stock per location (or those named by `sku:in` / `variant_id:in`).
pub fn stock_json(store: &Store, only: Option<&[i64]>) -> Value {
    let render = |v: &super::store::Variant| {
        let locations: Vec<Value> = v
            .stock
            .iter()
            .map(|c| {
                json!({
                    "location_id": c.location_id,
                    "on_hand": c.on_hand,
                    "safety_stock": c.safety_stock,
                    "available": c.on_hand - c.safety_stock,
                })
            })
            .collect();
        json!({
            "product_id": v.product_id,
            "variant_id": v.id,
            "sku": v.sku,
            "catalog_inventory_level": store.catalog_level(v, ReadTime::Now),
            "locations": locations,
        })
    };
    let items: Vec<Value> = match only {
        Some(ids) => ids.iter().filter_map(|id| store.variants.get(id)).map(render).collect(),
        None => store.variants.values().map(render).collect(),
    };
    json!({"default_location_id": store.default_location, "variants": items})
}

async fn get_stock(State(shared): State<Arc<Shared>>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let params = Params::new(q, Api::V3);
    let store = shared.store();
    let mut ids: Option<Vec<i64>> = None;
    if let Some(skus) = params.list("sku:in") {
        ids = Some(skus.iter().flat_map(|s| store.variants_by_sku(s).iter().copied()).collect());
    }
    match params.ints("variant_id:in") {
        Ok(Some(v)) => ids = Some(ids.map_or(v.clone(), |prev| prev.into_iter().filter(|i| v.contains(i)).collect())),
        Ok(None) => {}
        Err(e) => return e.into_response(),
    }
    json_response(StatusCode::OK, &stock_json(&store, ids.as_deref()))
}

/// Orders as the store holds them, money as plain decimal strings.
pub fn orders_json(store: &Store) -> Value {
    let m = |d: rust_decimal::Decimal| Value::String(money_v2_string(d));
    let orders: Vec<Value> = store
        .orders
        .values()
        .map(|o| {
            let lines: Vec<Value> = o
                .lines
                .iter()
                .map(|l| {
                    json!({
                        "id": l.id,
                        "product_id": l.product_id,
                        "variant_id": l.variant_id,
                        "sku": l.sku,
                        "name": l.name,
                        "quantity": l.quantity,
                        "price_ex_tax": m(l.price_ex_tax),
                        "price_inc_tax": m(l.price_inc_tax),
                        "discount": m(l.discount),
                        "quantity_refunded": l.quantity_refunded,
                        "refund_amount": m(l.refund_amount),
                        "stock_taken": l.stock_taken.iter().map(|(loc, q)| json!({"location_id": loc, "quantity": q})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let refunds: Vec<Value> = o.refunds.iter().map(super::refunds::refund_json).collect();
            json!({
                "id": o.id,
                "status_id": o.status_id,
                "customer_id": o.customer_id,
                "channel_id": o.channel_id,
                "external_source": o.external_source,
                "external_order_id": o.external_order_id,
                "subtotal_ex_tax": m(o.subtotal_ex_tax),
                "subtotal_inc_tax": m(o.subtotal_inc_tax),
                "discount_amount": m(o.discount_amount),
                "total_ex_tax": m(o.total_ex_tax),
                "total_inc_tax": m(o.total_inc_tax),
                "refunded_amount": m(o.refunded_amount),
                "payment_status": o.payment_status,
                "lines": lines,
                "refunds": refunds,
            })
        })
        .collect();
    json!({"orders": orders})
}

async fn get_orders(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &orders_json(&shared.store()))
}

async fn get_webhooks(State(shared): State<Arc<Shared>>) -> Response {
    let subscriptions: Vec<Value> = shared
        .store()
        .hooks
        .values()
        .map(|h| json!({"id": h.id, "scope": h.scope, "destination": h.destination, "is_active": h.is_active}))
        .collect();
    json_response(StatusCode::OK, &json!({"subscriptions": subscriptions, "deliveries": shared.webhooks.log()}))
}

fn settings_json(shared: &Shared) -> Value {
    let s = *shared.settings();
    json!({
        "decrement_stock_on_order": s.decrement_stock_on_order,
        "quota": s.quota,
        "window_ms": s.window.as_millis() as u64,
    })
}

async fn get_settings(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &settings_json(&shared))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsInput {
    decrement_stock_on_order: Option<bool>,
    quota: Option<u32>,
    window_ms: Option<u64>,
}

async fn put_settings(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let input: SettingsInput = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            return admin_error(format!(
                "The settings are not valid: {e}; send any of decrement_stock_on_order, quota, window_ms"
            ));
        }
    };
    if input.quota == Some(0) || input.window_ms == Some(0) {
        return admin_error("quota and window_ms must be at least 1".into());
    }
    let quota_changed = input.quota.is_some() || input.window_ms.is_some();
    {
        let mut s = shared.settings();
        if let Some(d) = input.decrement_stock_on_order {
            s.decrement_stock_on_order = d;
        }
        if let Some(q) = input.quota {
            s.quota = q;
        }
        if let Some(w) = input.window_ms {
            s.window = Duration::from_millis(w);
        }
    }
    // A new quota or window starts a fresh window, so tests see exactly what they configured.
    if quota_changed {
        shared.limiter().reset();
    }
    json_response(StatusCode::OK, &settings_json(&shared))
}
