//! Inventory v3 and locations: multi-location stock read as `available_to_sell =
//! total_inventory_onhand − safety_stock`, absolute and relative adjustments (all-or-nothing,
//! answered with a `transaction_id`), and reads that can lag behind writes.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::Shared;
use super::store::{Clock, Event, IdKind, Location, MAX_STOCK, ReadTime, Store, Variant};
use super::wire::{Api, ApiError, Params, date_v3, json_response, page_of, parse_body};

const ADJUSTMENT_MAX_ITEMS: usize = 2000;
const ITEMS_MAX_LIMIT: u64 = 1000;

fn problem(status: StatusCode, title: impl Into<String>) -> ApiError {
    ApiError::problem(status, title)
}

fn location_json(l: &Location) -> Value {
    let closed = json!({"open": false, "opening": "00:00", "closing": "00:00"});
    let mut out = json!({
        "id": l.id,
        "code": l.code,
        "label": l.label,
        "description": l.description,
        "managed_by_external_source": l.managed_by_external_source,
        "type_id": l.type_id,
        "enabled": l.enabled,
        "operating_hours": l.operating_hours.clone().unwrap_or_else(|| json!({
            "sunday": closed, "monday": closed, "tuesday": closed, "wednesday": closed,
            "thursday": closed, "friday": closed, "saturday": closed,
        })),
        "time_zone": l.time_zone,
        "created_at": date_v3(l.created_at),
        "updated_at": date_v3(l.updated_at),
        "storefront_visibility": l.storefront_visibility,
        "special_hours": l.special_hours,
    });
    if let (Some(address), Some(obj)) = (&l.address, out.as_object_mut()) {
        obj.insert("address".into(), address.clone());
    }
    out
}

pub async fn list_locations(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, 250)?;
    let ids = params.ints("location_id:in")?;
    let codes = params.list("location_code:in");
    let types = params.list("type_id:in");
    let is_default = params.bool("is_default")?;
    let external = params.bool("managed_by_external_source")?;
    let active = params.bool("is_active")?;
    let visible = params.bool("storefront_visibility")?;
    let store = shared.store();
    let matching = store.locations.values().filter(|l| {
        ids.as_ref().is_none_or(|v| v.contains(&l.id))
            && codes.as_ref().is_none_or(|v| v.contains(&l.code))
            && types.as_ref().is_none_or(|v| v.contains(&l.type_id))
            && is_default.is_none_or(|d| l.is_default == d)
            && external.is_none_or(|e| l.managed_by_external_source == e)
            && active.is_none_or(|a| l.enabled == a)
            && visible.is_none_or(|v| l.storefront_visibility == v)
    });
    let (page, total) = page_of(matching, paging);
    let data: Vec<Value> = page.into_iter().map(location_json).collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

pub async fn create_locations(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let input: Value =
        parse_body(&body, Api::V3).map_err(|e| ApiError { content_type: "application/problem+json", ..e })?;
    let Some(items) = input.as_array() else {
        return Err(problem(StatusCode::UNPROCESSABLE_ENTITY, "The request body must be a JSON array of locations"));
    };
    if items.is_empty() {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The request body is an empty array; send at least one location",
        ));
    }
    let mut errors = Map::new();
    for (i, item) in items.iter().enumerate() {
        for field in ["label", "managed_by_external_source", "type_id", "time_zone", "address"] {
            if item.get(field).is_none_or(Value::is_null) {
                errors.insert(format!("[{i}].{field}"), json!("required"));
            }
        }
        if let Some(t) = item.get("type_id").and_then(Value::as_str)
            && t != "PHYSICAL"
            && t != "VIRTUAL"
        {
            errors.insert(format!("[{i}].type_id"), json!("must be PHYSICAL or VIRTUAL"));
        }
        if let Some(address) = item.get("address").filter(|a| !a.is_null()) {
            for field in ["address1", "city", "state", "zip", "email", "geo_coordinates", "country_code"] {
                if address.get(field).is_none_or(Value::is_null) {
                    errors.insert(format!("[{i}].address.{field}"), json!("required"));
                }
            }
        }
    }
    let mut store = shared.store();
    let mut codes: BTreeSet<String> = store.locations.values().map(|l| l.code.clone()).collect();
    for (i, item) in items.iter().enumerate() {
        if let Some(code) = item.get("code").and_then(Value::as_str)
            && !codes.insert(code.to_string())
        {
            errors.insert(
                format!("[{i}].code"),
                json!(format!("location code \"{code}\" is already used; codes are unique")),
            );
        }
    }
    if !errors.is_empty() {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Locations were not created; fix the fields named in errors",
        )
        .with_errors(errors));
    }
    let now = Utc::now();
    let mut events = Vec::new();
    for item in items {
        let id = store.next_id(IdKind::Location);
        let str_of = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_string);
        let location = Location {
            id,
            code: str_of("code").unwrap_or_else(|| format!("LOC-{id}")),
            label: str_of("label").unwrap_or_default(),
            description: str_of("description").unwrap_or_default(),
            managed_by_external_source: item
                .get("managed_by_external_source")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            type_id: str_of("type_id").unwrap_or_else(|| "PHYSICAL".into()),
            enabled: item.get("enabled").and_then(Value::as_bool).unwrap_or(true),
            storefront_visibility: item.get("storefront_visibility").and_then(Value::as_bool).unwrap_or(true),
            time_zone: str_of("time_zone").unwrap_or_else(|| "Etc/UTC".into()),
            address: item.get("address").cloned(),
            operating_hours: item.get("operating_hours").cloned(),
            special_hours: item.get("special_hours").and_then(Value::as_array).cloned().unwrap_or_default(),
            is_default: false,
            created_at: now,
            updated_at: now,
        };
        store.locations.insert(id, location);
        events.push(Event::new("store/inventory/location/created", json!({"location_id": id})));
    }
    drop(store);
    shared.emit(events);
    Ok(json_response(StatusCode::OK, &json!({"transaction_id": shared.uuid()})))
}

// ---------------------------------------------------------------- items

fn identity(v: &Variant) -> Value {
    let mut out = json!({"sku": v.sku, "variant_id": v.id, "product_id": v.product_id});
    if let (Some(sku_id), Some(obj)) = (v.sku_id, out.as_object_mut()) {
        obj.insert("sku_id".into(), json!(sku_id));
    }
    out
}

fn settings_json(safety: i64, on_hand: i64, warning: i64) -> Value {
    json!({"safety_stock": safety, "is_in_stock": on_hand - safety > 0, "warning_level": warning, "bin_picking_number": ""})
}

/// Variant ids selected by the `sku:in`, `variant_id:in` and `product_id:in` filters, in id
/// order; `None` when no filter was given.
fn selected_variants(store: &Store, params: &Params) -> Result<Option<BTreeSet<i64>>, ApiError> {
    let mut selected: Option<BTreeSet<i64>> = None;
    let mut narrow = |ids: BTreeSet<i64>| {
        selected = Some(match selected.take() {
            None => ids,
            Some(prev) => prev.intersection(&ids).copied().collect(),
        });
    };
    if let Some(skus) = params.list("sku:in") {
        narrow(skus.iter().flat_map(|s| store.variants_by_sku(s).iter().copied()).collect());
    }
    if let Some(ids) = params.ints("variant_id:in").map_err(to_problem)? {
        narrow(ids.into_iter().filter(|id| store.variants.contains_key(id)).collect());
    }
    if let Some(pids) = params.ints("product_id:in").map_err(to_problem)? {
        narrow(pids.iter().filter_map(|p| store.products.get(p)).flat_map(|p| p.variant_ids.iter().copied()).collect());
    }
    Ok(selected)
}

fn to_problem(e: ApiError) -> ApiError {
    ApiError { content_type: "application/problem+json", ..e }
}

pub async fn list_items(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, ITEMS_MAX_LIMIT).map_err(to_problem)?;
    let at = ReadTime::stale_by(shared.faults.stale_read());
    let store = shared.store();
    let mut locations: Vec<&Location> = store.locations.values().collect();
    if let Some(ids) = params.ints("location_id:in").map_err(to_problem)? {
        locations.retain(|l| ids.contains(&l.id));
    }
    if let Some(codes) = params.list("location_code:in") {
        locations.retain(|l| codes.contains(&l.code));
    }
    let selected = selected_variants(&store, &params)?;
    let variants: Box<dyn Iterator<Item = &Variant>> = match &selected {
        Some(ids) => Box::new(ids.iter().filter_map(|id| store.variants.get(id))),
        None => Box::new(store.variants.values()),
    };
    let (page, total) = page_of(variants, paging);
    let data: Vec<Value> = page
        .iter()
        .map(|v| {
            let per_location: Vec<Value> = locations
                .iter()
                .filter_map(|l| v.cell(l.id).map(|c| (l, c)))
                .map(|(l, c)| {
                    let (on_hand, safety) = c.as_of(at);
                    json!({
                        "location_id": l.id,
                        "location_code": l.code,
                        "location_name": l.label,
                        "available_to_sell": on_hand - safety,
                        "total_inventory_onhand": on_hand,
                        "location_enabled": l.enabled,
                        "settings": settings_json(safety, on_hand, c.warning_level),
                    })
                })
                .collect();
            json!({"identity": identity(v), "locations": per_location})
        })
        .collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

pub async fn location_items(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let Ok(location_id) = raw.parse::<i64>() else {
        return Err(problem(
            StatusCode::NOT_FOUND,
            format!("Location \"{raw}\" was not found; list /v3/inventory/locations for valid ids"),
        ));
    };
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, ITEMS_MAX_LIMIT).map_err(to_problem)?;
    let at = ReadTime::stale_by(shared.faults.stale_read());
    let store = shared.store();
    if !store.locations.contains_key(&location_id) {
        return Err(problem(
            StatusCode::NOT_FOUND,
            format!("Location {location_id} was not found; list /v3/inventory/locations for valid ids"),
        ));
    }
    let selected = selected_variants(&store, &params)?;
    let variants: Box<dyn Iterator<Item = &Variant>> = match &selected {
        Some(ids) => Box::new(ids.iter().filter_map(|id| store.variants.get(id))),
        None => Box::new(store.variants.values()),
    };
    let (page, total) = page_of(variants.filter_map(|v| v.cell(location_id).map(|c| (v, c))), paging);
    let data: Vec<Value> = page
        .iter()
        .map(|(v, c)| {
            let (on_hand, safety) = c.as_of(at);
            json!({
                "identity": {"sku": v.sku, "variant_id": v.id, "product_id": v.product_id},
                "available_to_sell": on_hand - safety,
                "total_inventory_onhand": on_hand,
                "settings": settings_json(safety, on_hand, c.warning_level),
            })
        })
        .collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

// ---------------------------------------------------------------- adjustments

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Absolute,
    Relative,
}

/// Resolves an adjustment item to the variant that holds its stock, with BigCommerce's rule
/// that an item is adjusted by the identity it is tracked by.
fn resolve(store: &Store, item: &Value) -> Result<i64, String> {
    let by_sku = item.get("sku").and_then(Value::as_str);
    let by_variant = item.get("variant_id").and_then(Value::as_i64);
    let by_product = item.get("product_id").and_then(Value::as_i64);
    match (by_sku, by_variant, by_product) {
        (Some(sku), None, None) => match store.variants_by_sku(sku) {
            [id] => Ok(*id),
            [] => Err(format!("[Item with sku {sku} was not found; check the SKU against /v3/catalog/variants]")),
            _ => Err(format!("[Item with sku {sku} is ambiguous: several variants share it; adjust by variant_id]")),
        },
        (None, Some(vid), None) => {
            let v = store.variants.get(&vid).ok_or_else(|| format!("[Item with variant_id {vid} was not found]"))?;
            if store.products.get(&v.product_id).is_some_and(|p| p.inventory_tracking == "product") {
                return Err(format!(
                    "[Item with variant_id {vid} is tracked by product, please update stock by product id]"
                ));
            }
            Ok(vid)
        }
        (None, None, Some(pid)) => {
            let p = store.products.get(&pid).ok_or_else(|| format!("[Item with product_id {pid} was not found]"))?;
            match p.base_variant_id {
                Some(base) if p.inventory_tracking != "variant" => Ok(base),
                _ => Err(format!(
                    "[Item with product_id {pid} is tracked by variant, please update stock by variant id or sku]"
                )),
            }
        }
        _ => {
            Err("[Each item needs exactly one of sku, variant_id or product_id, plus location_id and quantity]"
                .to_string())
        }
    }
}

fn identity_label(item: &Value) -> String {
    for key in ["variant_id", "product_id", "sku"] {
        if let Some(v) = item.get(key) {
            let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            return format!("{key} {shown}");
        }
    }
    "unknown".into()
}

async fn adjust(shared: Arc<Shared>, body: Bytes, method: Method) -> Result<Response, ApiError> {
    let input: Value = parse_body(&body, Api::V3).map_err(to_problem)?;
    let Some(items) = input.get("items").and_then(Value::as_array) else {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The request needs an items array of {location_id, sku|variant_id|product_id, quantity}",
        ));
    };
    if items.is_empty() {
        return Err(problem(StatusCode::UNPROCESSABLE_ENTITY, "The items array is empty; send 1 to 2000 items"));
    }
    if items.len() > ADJUSTMENT_MAX_ITEMS {
        return Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "The payload has {} items, over the limit of {ADJUSTMENT_MAX_ITEMS}; split it into several requests sent one after another",
                items.len()
            ),
        ));
    }
    let at = Clock::now();
    let mut store = shared.store();
    // Validate everything against a running view of the stock, so a request that fails leaves
    // the stock unchanged and repeated items in one request see each other.
    let mut planned: Vec<(i64, i64, i64)> = Vec::with_capacity(items.len());
    for item in items {
        let location_id = item.get("location_id").and_then(Value::as_i64);
        let quantity = item.get("quantity").and_then(Value::as_i64);
        let (Some(location_id), Some(quantity)) = (location_id, quantity) else {
            return Err(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("[Item with identity {} needs integer location_id and quantity]", identity_label(item)),
            ));
        };
        if !store.locations.contains_key(&location_id) {
            return Err(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("[Location {location_id} does not exist; list /v3/inventory/locations]"),
            ));
        }
        let variant_id = resolve(&store, item).map_err(|t| problem(StatusCode::UNPROCESSABLE_ENTITY, t))?;
        let earlier = planned.iter().rev().find(|(v, l, _)| *v == variant_id && *l == location_id).map(|&(_, _, q)| q);
        let cell = store.variants.get(&variant_id).and_then(|v| v.cell(location_id));
        let target = match method {
            Method::Absolute => quantity,
            Method::Relative => {
                let Some(current) = earlier.or(cell.map(|c| c.on_hand)) else {
                    return Err(problem(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!(
                            "Items with identity: [{}] requires absolute adjustment before relative",
                            identity_label(item)
                        ),
                    ));
                };
                let safety = cell.map_or(0, |c| c.safety_stock);
                let target = current + quantity;
                if quantity < 0 && target < safety {
                    return Err(problem(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!(
                            "Items with identity: [{}] at location {location_id} cannot go below the safety stock: on hand {current}, safety stock {safety}, adjustment {quantity}; stock is unchanged",
                            identity_label(item)
                        ),
                    ));
                }
                target
            }
        };
        if !(0..=MAX_STOCK).contains(&target) {
            return Err(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "[Item with identity {} would hold {target}; stock at a location must be between 0 and {MAX_STOCK}]",
                    identity_label(item)
                ),
            ));
        }
        planned.push((variant_id, location_id, target));
    }
    let label = if method == Method::Absolute { "absolute" } else { "relative" };
    let mut events = Vec::new();
    for (variant_id, location_id, target) in planned {
        events.extend(store.set_stock(variant_id, location_id, target, label, false, at));
    }
    drop(store);
    shared.emit(events);
    Ok(json_response(StatusCode::OK, &json!({"transaction_id": shared.uuid()})))
}

pub async fn adjust_absolute(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    adjust(shared, body, Method::Absolute).await
}

pub async fn adjust_relative(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    adjust(shared, body, Method::Relative).await
}
