//! Orders v3 payment actions: refund quotes and refunds. Refunds are checked against what is
//! left to refund, processed one at a time per order, move the order to (Partially) Refunded,
//! and never return stock (the docs' FAQ: refunded items are not returned to inventory).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::Shared;
use super::store::{Event, IdKind, Order, Refund, RefundPayment};
use super::wire::{Api, ApiError, Params, cents, date_v3, decimal_of, json_response, money_v3, page_of, parse_body};

/// How long a refund's payment step takes; a second refund on the same order arriving in this
/// window is refused, as BigCommerce refuses concurrent refunds.
const REFUND_PROCESSING: Duration = Duration::from_millis(100);

/// What a set of refund items comes to, checked against the order.
struct Evaluation {
    total: Decimal,
    tax: Decimal,
    order_level: Decimal,
    items: Vec<Value>,
    /// (order product id, quantity, amount)
    lines: Vec<(i64, i64, Decimal)>,
    shipping: Decimal,
    handling: Decimal,
}

fn positive_amount(item: &Value, what: &str) -> Result<Decimal, String> {
    match item.get("amount").and_then(decimal_of) {
        Some(a) if a > Decimal::ZERO => Ok(a),
        _ => Err(format!("{what} needs an amount greater than 0")),
    }
}

fn evaluate(order: &Order, items: &[Value]) -> Result<Evaluation, String> {
    if items.is_empty() {
        return Err(
            "The refund has no items; add PRODUCT items (order product id and quantity) or an ORDER amount".into()
        );
    }
    let mut ev = Evaluation {
        total: Decimal::ZERO,
        tax: Decimal::ZERO,
        order_level: Decimal::ZERO,
        items: Vec::new(),
        lines: Vec::new(),
        shipping: Decimal::ZERO,
        handling: Decimal::ZERO,
    };
    let mut qty_by_line: HashMap<i64, i64> = HashMap::new();
    for item in items {
        let item_type = item.get("item_type").and_then(Value::as_str).unwrap_or_default();
        let Some(item_id) = item.get("item_id").and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
        else {
            return Err(format!("Each refund item needs an integer item_id ({item_type})"));
        };
        let reason = item.get("reason").and_then(Value::as_str).unwrap_or_default();
        match item_type {
            "PRODUCT" => {
                let line = order.lines.iter().find(|l| l.id == item_id).ok_or_else(|| {
                    format!(
                        "Order product {item_id} is not on order {}; take item_id from GET /v2/orders/{}/products",
                        order.id, order.id
                    )
                })?;
                let quantity = match item.get("quantity").and_then(Value::as_i64) {
                    Some(q) if q >= 1 => q,
                    _ => {
                        return Err(format!(
                            "The PRODUCT item for order product {item_id} needs a quantity of at least 1"
                        ));
                    }
                };
                let asked = qty_by_line.entry(item_id).or_default();
                *asked += quantity;
                let refundable = line.quantity - line.quantity_refunded;
                if *asked > refundable {
                    return Err(format!(
                        "Order product {item_id} has {refundable} of {} left to refund; the refund asks for {}",
                        line.quantity, *asked
                    ));
                }
                let share = Decimal::from(quantity) / Decimal::from(line.quantity);
                let amount = cents(line.discounted_total_inc_tax() * share);
                let tax = cents((line.price_inc_tax - line.price_ex_tax) * Decimal::from(quantity));
                ev.total += amount;
                ev.tax += tax;
                ev.lines.push((item_id, quantity, amount));
                ev.items.push(json!({"item_type": "PRODUCT", "item_id": item_id, "reason": reason, "quantity": quantity, "requested_amount": money_v3(amount - tax)}));
            }
            "ORDER" => {
                if item_id != order.id {
                    return Err(format!("An ORDER item's item_id is the order id ({}); got {item_id}", order.id));
                }
                let amount = cents(positive_amount(item, "The ORDER item")?);
                ev.total += amount;
                ev.order_level += amount;
                ev.items.push(json!({"item_type": "ORDER", "item_id": item_id, "reason": reason, "requested_amount": money_v3(amount)}));
            }
            "SHIPPING" | "HANDLING" => {
                if item_id != order.address_id {
                    return Err(format!(
                        "A {item_type} item's item_id is the order address id ({}); got {item_id}",
                        order.address_id
                    ));
                }
                let amount = cents(positive_amount(item, &format!("The {item_type} item"))?);
                let (charged, refunded, asked) = if item_type == "SHIPPING" {
                    (order.shipping_cost_inc_tax, order.refunded_shipping, &mut ev.shipping)
                } else {
                    (order.handling_cost_inc_tax, order.refunded_handling, &mut ev.handling)
                };
                *asked += amount;
                if *asked > charged - refunded {
                    return Err(format!(
                        "{item_type} has {} left to refund; the refund asks for {}",
                        charged - refunded,
                        *asked
                    ));
                }
                ev.total += amount;
                ev.items.push(json!({"item_type": item_type, "item_id": item_id, "reason": reason, "requested_amount": money_v3(amount)}));
            }
            "GIFT_WRAPPING" => return Err(format!("Order product {item_id} has no gift wrapping to refund")),
            "FEE" => return Err(format!("Fee {item_id} is not on order {}; the order has no fees", order.id)),
            "TAX" => return Err(
                "TAX items are not supported by the emulator; refund PRODUCT items, whose tax is refunded with them"
                    .into(),
            ),
            other => {
                return Err(format!(
                    "Unknown item_type \"{other}\"; use PRODUCT, GIFT_WRAPPING, SHIPPING, HANDLING, ORDER, FEE or TAX"
                ));
            }
        }
    }
    let left = order.total_inc_tax - order.refunded_amount;
    if ev.total > left {
        return Err(format!(
            "The refund comes to {} but only {left} of order {} is left to refund",
            ev.total, order.id
        ));
    }
    Ok(ev)
}

fn refund_methods(order: &Order, amount: Decimal) -> Value {
    let mut methods = vec![json!([{
        "provider_id": "custom",
        "provider_description": "Custom (offline)",
        "amount": money_v3(amount),
        "offline": true,
        "offline_provider": true,
        "offline_reason": "The order was paid outside BigCommerce; record the refund as offline",
    }])];
    if order.customer_id != 0 {
        methods.push(json!([{
            "provider_id": "storecredit",
            "provider_description": "Store Credit",
            "amount": money_v3(amount),
            "offline": false,
            "offline_provider": false,
            "offline_reason": "",
        }]));
    }
    Value::Array(methods)
}

fn order_path_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().map_err(|_| ApiError::not_found(format!("Order \"{raw}\"")))
}

fn request_items(input: &Value) -> Result<Vec<Value>, String> {
    if input.get("tax_adjustment_amount").is_some() && input.get("items").is_none() {
        return Err("Tax adjustment refunds are not supported by the emulator; refund items instead".into());
    }
    input.get("items").and_then(Value::as_array).cloned().ok_or_else(|| "The request needs an items array".to_string())
}

pub async fn create_quote(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let order_id = order_path_id(&raw)?;
    let input: Value = parse_body(&body, Api::V3)?;
    let invalid = |m: String| ApiError::v3(StatusCode::UNPROCESSABLE_ENTITY, m);
    let items = request_items(&input).map_err(invalid)?;
    let store = shared.store();
    let order = store.orders.get(&order_id).ok_or_else(|| ApiError::not_found(format!("Order {order_id}")))?;
    let ev = evaluate(order, &items).map_err(invalid)?;
    let body = json!({
        "data": {
            "order_id": order_id,
            "total_refund_amount": money_v3(ev.total),
            "total_refund_tax_amount": money_v3(ev.tax),
            "order_level_refund_amount": money_v3(ev.order_level),
            "rounding": 0,
            "adjustment": 0,
            "tax_inclusive": false,
            "is_tax_included": false,
            "refund_methods": refund_methods(order, ev.total),
        },
        "meta": {},
    });
    Ok(json_response(StatusCode::CREATED, &body))
}

/// Clears the order's in-flight mark however the refund ends.
struct InFlight<'a> {
    shared: &'a Shared,
    order_id: i64,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.shared.refunds_in_flight().remove(&self.order_id);
    }
}

pub fn refund_json(r: &Refund) -> Value {
    let payments: Vec<Value> = r
        .payments
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "provider_id": p.provider_id,
                "amount": money_v3(p.amount),
                "offline": p.offline,
                "is_declined": false,
                "declined_message": "",
            })
        })
        .collect();
    json!({
        "id": r.id,
        "order_id": r.order_id,
        "user_id": 0,
        "created": date_v3(r.created),
        "reason": r.reason,
        "total_amount": money_v3(r.total_amount),
        "total_tax": money_v3(r.total_tax),
        "uses_merchant_override_values": r.uses_merchant_override_values,
        "items": r.items,
        "payments": payments,
    })
}

pub async fn create_refund(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let order_id = order_path_id(&raw)?;
    let input: Value = parse_body(&body, Api::V3)?;
    let invalid = |m: String| ApiError::refund(StatusCode::UNPROCESSABLE_ENTITY, m);
    let items = request_items(&input).map_err(invalid)?;
    let Some(payments) = input.get("payments").and_then(Value::as_array).filter(|p| !p.is_empty()) else {
        return Err(invalid(
            "The request needs a payments array [{provider_id, amount, offline}]; take the methods from a refund quote"
                .into(),
        ));
    };
    let mut parsed_payments = Vec::new();
    for p in payments {
        let provider = p.get("provider_id").and_then(Value::as_str).filter(|s| !s.is_empty());
        let amount = p.get("amount").and_then(decimal_of).filter(|a| *a > Decimal::ZERO);
        let (Some(provider), Some(amount)) = (provider, amount) else {
            return Err(invalid("Each payment needs a provider_id and an amount greater than 0".into()));
        };
        parsed_payments.push((
            provider.to_string(),
            cents(amount),
            p.get("offline").and_then(Value::as_bool).unwrap_or(false),
        ));
    }
    let override_total = match input.get("merchant_calculated_override") {
        None | Some(Value::Null) => None,
        Some(o) => match (o.get("total_amount").and_then(decimal_of), o.get("total_tax").and_then(decimal_of)) {
            (Some(total), Some(tax)) if total >= Decimal::ZERO && tax >= Decimal::ZERO => {
                Some((cents(total), cents(tax)))
            }
            _ => {
                return Err(invalid(
                    "merchant_calculated_override needs total_amount and total_tax, both at least 0".into(),
                ));
            }
        },
    };
    if !shared.store().orders.contains_key(&order_id) {
        return Err(ApiError::not_found(format!("Order {order_id}")));
    }

    if !shared.refunds_in_flight().insert(order_id) {
        return Err(invalid(format!(
            "A refund is already being processed for order {order_id}; refunds on one order must be sequential, so wait for it to finish and retry"
        )));
    }
    let _mark = InFlight { shared: &shared, order_id };
    tokio::time::sleep(REFUND_PROCESSING).await;

    let wall = Utc::now();
    let (body, events) = {
        let mut store = shared.store();
        let refund_id = store.next_id(IdKind::Refund);
        let payment_ids: Vec<i64> = parsed_payments.iter().map(|_| store.next_id(IdKind::RefundPayment)).collect();
        let order = store.orders.get_mut(&order_id).ok_or_else(|| ApiError::not_found(format!("Order {order_id}")))?;
        let ev = evaluate(order, &items).map_err(invalid)?;
        let (total, tax) = override_total.unwrap_or((ev.total, ev.tax));
        if total > order.total_inc_tax - order.refunded_amount {
            return Err(invalid(format!(
                "The refund total {total} is more than the {} left to refund on order {order_id}",
                order.total_inc_tax - order.refunded_amount
            )));
        }
        let paid: Decimal = parsed_payments.iter().map(|(_, a, _)| *a).sum();
        if paid != total {
            return Err(invalid(format!(
                "The payments add up to {paid} but the refund comes to {total}; quote the refund and send payments that add up to total_refund_amount"
            )));
        }
        if order.customer_id == 0 && parsed_payments.iter().any(|(p, _, _)| p == "storecredit") {
            return Err(invalid("Unable to provide store credit for a guest customer.".into()));
        }
        for (line_id, quantity, amount) in &ev.lines {
            if let Some(line) = order.lines.iter_mut().find(|l| l.id == *line_id) {
                line.quantity_refunded += quantity;
                line.refund_amount += amount;
            }
        }
        order.refunded_shipping += ev.shipping;
        order.refunded_handling += ev.handling;
        order.refunded_amount += total;
        let previous_status = order.status_id;
        let fully = order.refunded_amount >= order.total_inc_tax;
        order.payment_status = if fully { "refunded" } else { "partially refunded" }.into();
        order.status_id = if fully { 4 } else { 14 };
        order.date_modified = wall;
        let refund = Refund {
            id: refund_id,
            order_id,
            created: wall,
            reason: input.get("reason").and_then(Value::as_str).unwrap_or_default().to_string(),
            total_amount: total,
            total_tax: tax,
            uses_merchant_override_values: override_total.is_some(),
            items: ev.items,
            payments: parsed_payments
                .iter()
                .zip(payment_ids)
                .map(|((provider_id, amount, offline), id)| RefundPayment {
                    id,
                    provider_id: provider_id.clone(),
                    amount: *amount,
                    offline: *offline,
                })
                .collect(),
        };
        let body = json!({"data": refund_json(&refund), "meta": {}});
        let new_status = order.status_id;
        order.refunds.push(refund);
        let mut events = vec![
            Event::new(
                "store/order/refund/created",
                json!({"type": "order", "id": order_id, "refund": {"refund_id": refund_id}}),
            ),
            Event::new("store/order/updated", json!({"type": "order", "id": order_id})),
        ];
        if previous_status != new_status {
            events.push(Event::new(
                "store/order/statusUpdated",
                json!({"type": "order", "id": order_id, "status": {"previous_status_id": previous_status, "new_status_id": new_status}}),
            ));
        }
        (body, events)
    };
    shared.emit(events);
    Ok(json_response(StatusCode::CREATED, &body))
}

pub async fn list_for_order(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let order_id = order_path_id(&raw)?;
    let store = shared.store();
    let order = store.orders.get(&order_id).ok_or_else(|| ApiError::not_found(format!("Order {order_id}")))?;
    let data: Vec<Value> = order.refunds.iter().map(refund_json).collect();
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": {}})))
}

pub async fn list_all(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, 250)?;
    let order_ids = params.ints("order_id:in")?;
    let store = shared.store();
    let refunds = store
        .orders
        .values()
        .filter(|o| order_ids.as_ref().is_none_or(|ids| ids.contains(&o.id)))
        .flat_map(|o| o.refunds.iter());
    let (page, total) = page_of(refunds, paging);
    let data: Vec<Value> = page.into_iter().map(refund_json).collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

pub async fn get_one(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let refund_id = raw.parse::<i64>().map_err(|_| ApiError::not_found(format!("Refund \"{raw}\"")))?;
    let store = shared.store();
    let refund = store
        .orders
        .values()
        .flat_map(|o| o.refunds.iter())
        .find(|r| r.id == refund_id)
        .ok_or_else(|| ApiError::not_found(format!("Refund {refund_id}")))?;
    let mut data = refund_json(refund);
    // This endpoint's schema (unlike the list's) gives requested_amount as a two-decimal string.
    for item in data["items"].as_array_mut().into_iter().flatten() {
        if let Some(amount) = item.get("requested_amount").and_then(decimal_of) {
            item["requested_amount"] = Value::String(format!("{:.2}", cents(amount)));
        }
    }
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": {}})))
}
