//! Customers v3 (batches of up to 10, unique email) and newsletter subscribers, BigCommerce's
//! form of email-marketing consent.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::Shared;
use super::store::{Customer, Event, IdKind, Store, Subscriber};
use super::wire::{Api, ApiError, Params, date_v3, json_response, page_of, parse_body};

const CUSTOMER_BATCH_MAX: usize = 10;

fn customer_json(c: &Customer) -> Value {
    let mut out = json!({
        "id": c.id,
        "email": c.email,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "company": c.company,
        "phone": c.phone,
        "registration_ip_address": "",
        "notes": c.notes,
        "tax_exempt_category": c.tax_exempt_category,
        "customer_group_id": c.customer_group_id,
        "date_modified": date_v3(c.date_modified),
        "date_created": date_v3(c.date_created),
        "address_count": 0,
        "attribute_count": 0,
        "authentication": {"force_password_reset": false},
        "accepts_product_review_abandoned_cart_emails": c.accepts_product_review_abandoned_cart_emails,
        "origin_channel_id": c.origin_channel_id,
    });
    // Omitted channel_ids means the customer is global to all channels.
    if let (Some(ids), Some(obj)) = (&c.channel_ids, out.as_object_mut()) {
        obj.insert("channel_ids".into(), json!(ids));
    }
    out
}

pub async fn list_customers(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, 250)?;
    let now = Utc::now();
    let ids = params.ints("id:in")?;
    let emails: Option<HashSet<String>> =
        params.list("email:in").map(|l| l.into_iter().map(|e| e.to_lowercase()).collect());
    let names: Option<Vec<String>> = params.list("name:in").map(|l| l.into_iter().map(|n| n.to_lowercase()).collect());
    let modified_min = params.date("date_modified:min", now)?;
    let modified_max = params.date("date_modified:max", now)?;
    let created_min = params.date("date_created:min", now)?;
    let created_max = params.date("date_created:max", now)?;
    let store = shared.store();
    let mut matching: Vec<&Customer> = store
        .customers
        .values()
        .filter(|c| {
            ids.as_ref().is_none_or(|v| v.contains(&c.id))
                && emails.as_ref().is_none_or(|set| set.contains(&c.email.to_lowercase()))
                && names
                    .as_ref()
                    .is_none_or(|n| n.contains(&format!("{} {}", c.first_name, c.last_name).to_lowercase()))
                && modified_min.is_none_or(|d| c.date_modified >= d)
                && modified_max.is_none_or(|d| c.date_modified <= d)
                && created_min.is_none_or(|d| c.date_created >= d)
                && created_max.is_none_or(|d| c.date_created <= d)
        })
        .collect();
    match params.get("sort") {
        None => {}
        Some("date_created:asc") => matching.sort_by_key(|c| (c.date_created, c.id)),
        Some("date_created:desc") => matching.sort_by_key(|c| std::cmp::Reverse((c.date_created, c.id))),
        Some("date_modified:asc") => matching.sort_by_key(|c| (c.date_modified, c.id)),
        Some("date_modified:desc") => matching.sort_by_key(|c| std::cmp::Reverse((c.date_modified, c.id))),
        Some("last_name:asc") => matching.sort_by(|a, b| a.last_name.cmp(&b.last_name).then(a.id.cmp(&b.id))),
        Some("last_name:desc") => matching.sort_by(|a, b| b.last_name.cmp(&a.last_name).then(b.id.cmp(&a.id))),
        Some(other) => {
            return Err(ApiError::v3(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Query parameter \"sort\" has an unknown value \"{other}\"; use date_created, date_modified or last_name with :asc or :desc"
                ),
            ));
        }
    }
    let (page, total) = page_of(matching.into_iter(), paging);
    let data: Vec<Value> = page.into_iter().map(customer_json).collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

fn batch(input: &Value) -> Result<Vec<Map<String, Value>>, ApiError> {
    let Some(items) = input.as_array() else {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The request body must be a JSON array of customers",
        ));
    };
    if items.len() > CUSTOMER_BATCH_MAX {
        return Err(ApiError::v3(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The request payload is too large. The maximum number of items allowed in the array is {CUSTOMER_BATCH_MAX}; split the batch"
            ),
        ));
    }
    if items.is_empty() {
        return Err(ApiError::v3(StatusCode::UNPROCESSABLE_ENTITY, "The batch is empty; send 1 to 10 customers"));
    }
    items
        .iter()
        .map(|i| {
            i.as_object()
                .cloned()
                .ok_or_else(|| ApiError::v3(StatusCode::UNPROCESSABLE_ENTITY, "Each customer must be a JSON object"))
        })
        .collect()
}

fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    s.len() >= 3
        && s.len() <= 255
        && s.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

fn string_field(obj: &Map<String, Value>, k: &str) -> Option<String> {
    obj.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Checks a whole batch; customer batches apply all or nothing.
fn validate(store: &Store, items: &[Map<String, Value>], creating: bool, op: &str) -> Result<(), ApiError> {
    let mut errors = Map::new();
    let mut emails_in_batch: HashSet<String> = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let key = |f: &str| format!(".customer_{op}[{i}].{f}");
        let id = item.get("id").and_then(Value::as_i64);
        if !creating {
            match id {
                None => {
                    errors.insert(key("id"), json!("required: the id of the customer to update"));
                }
                Some(id) if !store.customers.contains_key(&id) => {
                    errors.insert(key("id"), json!(format!("customer {id} does not exist")));
                }
                _ => {}
            }
        }
        for (field, max) in [("first_name", 100), ("last_name", 100)] {
            match item.get(field) {
                None if creating => {
                    errors.insert(key(field), json!("required"));
                }
                None => {}
                Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= max => {}
                Some(_) => {
                    errors.insert(key(field), json!(format!("must be a string of 1 to {max} characters")));
                }
            }
        }
        match item.get("email") {
            None if creating => {
                errors.insert(key("email"), json!("required"));
            }
            None => {}
            Some(Value::String(email)) if looks_like_email(email) => {
                let lower = email.trim().to_lowercase();
                let taken = store.customers.values().any(|c| c.email.to_lowercase() == lower && Some(c.id) != id);
                if taken || !emails_in_batch.insert(lower) {
                    errors.insert(
                        key("email"),
                        json!(format!(
                            "the email address {email} is already in use by another customer; emails are unique"
                        )),
                    );
                }
            }
            Some(_) => {
                errors.insert(key("email"), json!("must be a valid email address"));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        let verb = if creating { "Create" } else { "Update" };
        Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{verb} customers failed; nothing was saved. Fix the fields named in errors and send the batch again"
            ),
        )
        .with_errors(errors))
    }
}

fn apply_fields(c: &mut Customer, item: &Map<String, Value>) {
    if let Some(v) = string_field(item, "email") {
        c.email = v.trim().to_string();
    }
    if let Some(v) = string_field(item, "first_name") {
        c.first_name = v;
    }
    if let Some(v) = string_field(item, "last_name") {
        c.last_name = v;
    }
    if let Some(v) = string_field(item, "company") {
        c.company = v;
    }
    if let Some(v) = string_field(item, "phone") {
        c.phone = v;
    }
    if let Some(v) = string_field(item, "notes") {
        c.notes = v;
    }
    if let Some(v) = string_field(item, "tax_exempt_category") {
        c.tax_exempt_category = v;
    }
    if let Some(v) = item.get("customer_group_id").and_then(Value::as_i64) {
        c.customer_group_id = v;
    }
    if let Some(v) = item.get("accepts_product_review_abandoned_cart_emails").and_then(Value::as_bool) {
        c.accepts_product_review_abandoned_cart_emails = v;
    }
    if let Some(v) = item.get("channel_ids") {
        c.channel_ids = v.as_array().map(|a| a.iter().filter_map(Value::as_i64).collect());
    }
}

pub async fn create_customers(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let input: Value = parse_body(&body, Api::V3)?;
    let items = batch(&input)?;
    let now = Utc::now();
    let (data, events) = {
        let mut store = shared.store();
        validate(&store, &items, true, "create")?;
        let mut data = Vec::new();
        let mut events = Vec::new();
        for item in &items {
            let id = store.next_id(IdKind::Customer);
            let mut c = Customer {
                id,
                email: String::new(),
                first_name: String::new(),
                last_name: String::new(),
                company: String::new(),
                phone: String::new(),
                notes: String::new(),
                tax_exempt_category: String::new(),
                customer_group_id: 0,
                accepts_product_review_abandoned_cart_emails: false,
                origin_channel_id: item.get("origin_channel_id").and_then(Value::as_i64).unwrap_or(1),
                channel_ids: None,
                date_created: now,
                date_modified: now,
            };
            apply_fields(&mut c, item);
            data.push(customer_json(&c));
            events.push(Event::new("store/customer/created", json!({"type": "customer", "id": id})));
            store.customers.insert(id, c);
        }
        (data, events)
    };
    shared.emit(events);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": {}})))
}

pub async fn update_customers(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let input: Value = parse_body(&body, Api::V3)?;
    let items = batch(&input)?;
    let now = Utc::now();
    let (data, events) = {
        let mut store = shared.store();
        validate(&store, &items, false, "update")?;
        let mut data = Vec::new();
        let mut events = Vec::new();
        for item in &items {
            let Some(id) = item.get("id").and_then(Value::as_i64) else { continue };
            if let Some(c) = store.customers.get_mut(&id) {
                apply_fields(c, item);
                c.date_modified = now;
                data.push(customer_json(c));
                events.push(Event::new("store/customer/updated", json!({"type": "customer", "id": id})));
            }
        }
        (data, events)
    };
    shared.emit(events);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": {}})))
}

// ---------------------------------------------------------------- subscribers

fn subscriber_json(s: &Subscriber) -> Value {
    json!({
        "id": s.id,
        "email": s.email,
        "first_name": s.first_name,
        "last_name": s.last_name,
        "source": s.source,
        "order_id": s.order_id,
        "channel_id": s.channel_id,
        "consents": s.consents,
        "date_created": date_v3(s.date_created),
        "date_modified": date_v3(s.date_modified),
    })
}

pub async fn list_subscribers(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, 250)?;
    let now = Utc::now();
    let id = params.int("id")?;
    let ids = params.ints("id:in")?;
    let email = params.get("email").map(str::to_lowercase);
    let source = params.get("source").map(str::to_string);
    let modified_min = params.date("date_modified:min", now)?;
    let modified_max = params.date("date_modified:max", now)?;
    let store = shared.store();
    let matching = store.subscribers.values().filter(|s| {
        id.is_none_or(|i| s.id == i)
            && ids.as_ref().is_none_or(|v| v.contains(&s.id))
            && email.as_deref().is_none_or(|e| s.email.to_lowercase() == e)
            && source.as_deref().is_none_or(|src| s.source == src)
            && modified_min.is_none_or(|d| s.date_modified >= d)
            && modified_max.is_none_or(|d| s.date_modified <= d)
    });
    let (page, total) = page_of(matching, paging);
    let data: Vec<Value> = page.into_iter().map(subscriber_json).collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

pub async fn create_subscriber(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let input: Value = parse_body(&body, Api::V3)?;
    let Some(obj) = input.as_object() else {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The request body must be a JSON object describing one subscriber",
        ));
    };
    let Some(email) = string_field(obj, "email").filter(|e| looks_like_email(e)) else {
        return Err(ApiError::v3(StatusCode::UNPROCESSABLE_ENTITY, "A subscriber needs a valid email address")
            .with_errors([("email".to_string(), json!("required: a valid email address"))].into_iter().collect()));
    };
    let consents: Vec<String> = match obj.get("consents") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for c in items {
                match c.as_str() {
                    Some(s @ ("marketing_newsletter" | "abandoned_cart")) => out.push(s.to_string()),
                    _ => {
                        return Err(ApiError::v3(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            format!(
                                "Unknown consent {c}; use marketing_newsletter or abandoned_cart (an empty list means unsubscribed)"
                            ),
                        ));
                    }
                }
            }
            out
        }
        Some(_) => return Err(ApiError::v3(StatusCode::UNPROCESSABLE_ENTITY, "consents must be an array of strings")),
    };
    let now = Utc::now();
    let mut store = shared.store();
    let lower = email.trim().to_lowercase();
    if store.subscribers.values().any(|s| s.email.to_lowercase() == lower) {
        return Err(ApiError::v3(
            StatusCode::CONFLICT,
            format!(
                "A subscriber with email {email} already exists; find it with GET /v3/customers/subscribers?email= and update it"
            ),
        ));
    }
    let id = store.next_id(IdKind::Subscriber);
    let s = Subscriber {
        id,
        email: email.trim().to_string(),
        first_name: string_field(obj, "first_name").unwrap_or_default(),
        last_name: string_field(obj, "last_name").unwrap_or_default(),
        source: string_field(obj, "source").unwrap_or_else(|| "custom".into()),
        order_id: obj.get("order_id").and_then(Value::as_i64),
        channel_id: obj.get("channel_id").and_then(Value::as_i64).unwrap_or(1),
        consents,
        date_created: now,
        date_modified: now,
    };
    let body = json!({"data": subscriber_json(&s), "meta": {}});
    store.subscribers.insert(id, s);
    Ok(json_response(StatusCode::OK, &body))
}
