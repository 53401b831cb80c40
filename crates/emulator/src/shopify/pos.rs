//! The POS counter: admin endpoints that ring up sales, refunds, returns, exchanges and stock
//! adjustments the way a till would, with the same side effects and webhooks.
// Handlers bail out with the finished error response itself; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

use std::str::FromStr;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::model::{OrderRec, RestockType, ShopData, parse_gid};
use super::orders::{
    self, RefundError, RefundLineRequest, RefundMoney, RefundRequest, ReturnLineRequest, SaleLine, SaleRequest,
};
use super::state::ShopState;
use super::webhooks;

fn fail(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

fn refund_failure(errors: Vec<RefundError>) -> Response {
    let messages: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field.join("."), e.message)).collect();
    fail(StatusCode::UNPROCESSABLE_ENTITY, messages.join("; "))
}

/// An id given as a number, a numeric string or a GID.
fn id_of(value: &Value, kind: &str) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => parse_gid(s, kind),
        _ => None,
    }
}

/// Money given as a string ("4.50") or a number.
fn decimal_of(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        _ => None,
    }
}

fn optional_decimal(value: &Option<Value>, what: &str) -> Result<Option<Decimal>, Response> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(v) => decimal_of(v).map(Some).ok_or_else(|| {
            fail(StatusCode::UNPROCESSABLE_ENTITY, format!("{what} must be a decimal such as \"4.50\", got {v}"))
        }),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SaleLineBody {
    sku: Option<String>,
    variant_id: Option<Value>,
    quantity: i64,
    price: Option<Value>,
    discount: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SaleBody {
    location_id: Value,
    lines: Vec<SaleLineBody>,
    customer_email: Option<String>,
    gateway: Option<String>,
    tax_rate: Option<Value>,
    tax_title: Option<String>,
    note: Option<String>,
    /// The goods stay at the store to be shipped: the order stays unfulfilled.
    #[serde(default)]
    ship_from_store: bool,
    staff_member_id: Option<Value>,
}

fn resolve_variant(d: &ShopData, sku: Option<&str>, variant_id: Option<&Value>, at: &str) -> Result<u64, Response> {
    if let Some(v) = variant_id {
        return id_of(v, "ProductVariant")
            .filter(|id| d.variants.contains_key(id))
            .ok_or_else(|| fail(StatusCode::UNPROCESSABLE_ENTITY, format!("{at}: variant {v} does not exist")));
    }
    let Some(sku) = sku else {
        return Err(fail(StatusCode::UNPROCESSABLE_ENTITY, format!("{at}: give a sku or a variant_id")));
    };
    match d.variant_by_sku(sku).as_slice() {
        [] => Err(fail(StatusCode::UNPROCESSABLE_ENTITY, format!("{at}: no variant has SKU {sku:?}"))),
        [one] => Ok(*one),
        many => Err(fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{at}: SKU {sku:?} is shared by variants {many:?}; pass variant_id to say which one was sold"),
        )),
    }
}

fn sale_request(d: &ShopData, body: &SaleBody, location_id: u64) -> Result<SaleRequest, Response> {
    let mut lines = Vec::new();
    for (i, l) in body.lines.iter().enumerate() {
        let at = format!("lines[{i}]");
        let variant_id = resolve_variant(d, l.sku.as_deref(), l.variant_id.as_ref(), &at)?;
        lines.push(SaleLine {
            variant_id,
            quantity: l.quantity,
            price: optional_decimal(&l.price, &format!("{at}.price"))?,
            discount: optional_decimal(&l.discount, &format!("{at}.discount"))?.unwrap_or_default(),
        });
    }
    Ok(SaleRequest {
        location_id,
        lines,
        customer_email: body.customer_email.clone(),
        gateway: body.gateway.clone().unwrap_or_else(|| "cash".into()),
        tax_rate: optional_decimal(&body.tax_rate, "tax_rate")?.unwrap_or_default(),
        tax_title: body.tax_title.clone().unwrap_or_else(|| "Sales Tax".into()),
        note: body.note.clone(),
        ship_from_store: body.ship_from_store,
        staff_member_id: match &body.staff_member_id {
            None | Some(Value::Null) => None,
            Some(v) => Some(id_of(v, "StaffMember").ok_or_else(|| {
                fail(StatusCode::UNPROCESSABLE_ENTITY, format!("staff_member_id {v} is not a staff member id or GID"))
            })?),
        },
    })
}

/// `POST /__admin/pos/sale`: a paid counter sale.
pub(crate) async fn sale(State(state): State<Arc<ShopState>>, Json(body): Json<SaleBody>) -> Response {
    let Some(location_id) = id_of(&body.location_id, "Location") else {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, "location_id must be a location id or GID");
    };
    let result = {
        let mut d = state.write();
        match sale_request(&d, &body, location_id) {
            Ok(req) => orders::create_sale(&mut d, &req, Utc::now()).map(|id| d.rest_order(id)),
            Err(response) => return response,
        }
    };
    webhooks::flush(&state);
    match result {
        Ok(order) => (StatusCode::CREATED, Json(json!({"order": order}))).into_response(),
        Err(message) => fail(StatusCode::UNPROCESSABLE_ENTITY, message),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct LineRef {
    line_item_id: Option<Value>,
    sku: Option<String>,
    quantity: i64,
    #[serde(default)]
    restock: bool,
    note: Option<String>,
}

fn find_line(order: &OrderRec, line: &LineRef, at: &str) -> Result<u64, Response> {
    if let Some(id) = &line.line_item_id {
        return id_of(id, "LineItem").filter(|id| order.line_items.iter().any(|l| l.id == *id)).ok_or_else(|| {
            fail(StatusCode::UNPROCESSABLE_ENTITY, format!("{at}: line item {id} is not on order {}", order.name()))
        });
    }
    let Some(sku) = &line.sku else {
        return Err(fail(StatusCode::UNPROCESSABLE_ENTITY, format!("{at}: give a line_item_id or a sku")));
    };
    order
        .line_items
        .iter()
        .filter(|l| l.sku.eq_ignore_ascii_case(sku))
        .find(|l| l.quantity > order.refunded_quantity(l.id))
        .map(|l| l.id)
        .ok_or_else(|| {
            fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{at}: order {} has no refundable line with SKU {sku:?}", order.name()),
            )
        })
}

fn load_order(d: &ShopData, id: &Value) -> Result<OrderRec, Response> {
    id_of(id, "Order").and_then(|id| d.orders.get(&id).cloned()).ok_or_else(|| {
        fail(StatusCode::NOT_FOUND, format!("order {id} does not exist: GET /__admin/orders lists them"))
    })
}

/// The restock types a till uses for `quantity` units of a line: units not handed over yet are
/// cancelled (CANCEL), handed-over units come back (RETURN); without a restock, NO_RESTOCK.
fn restock_parts(order: &OrderRec, line_item_id: u64, quantity: i64, restock: bool) -> Vec<(RestockType, i64)> {
    if !restock {
        return vec![(RestockType::NoRestock, quantity)];
    }
    let waiting = order.line_items.iter().find(|l| l.id == line_item_id).map_or(0, |l| order.unfulfilled_quantity(l));
    let cancelled = quantity.min(waiting).max(0);
    [(RestockType::Cancel, cancelled), (RestockType::Return, quantity - cancelled)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[derive(Debug, Deserialize)]
pub(crate) struct RefundBody {
    order_id: Value,
    #[serde(default)]
    lines: Vec<LineRef>,
    amount: Option<Value>,
    note: Option<String>,
    location_id: Option<Value>,
}

/// `POST /__admin/pos/refund`: refund lines (restocked or not) and/or an amount.
pub(crate) async fn refund(State(state): State<Arc<ShopState>>, Json(body): Json<RefundBody>) -> Response {
    let result = {
        let mut d = state.write();
        let order = match load_order(&d, &body.order_id) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let amount = match optional_decimal(&body.amount, "amount") {
            Ok(a) => a,
            Err(r) => return r,
        };
        let location_id = body.location_id.as_ref().and_then(|l| id_of(l, "Location"));
        let mut lines = Vec::new();
        for (i, l) in body.lines.iter().enumerate() {
            match find_line(&order, l, &format!("lines[{i}]")) {
                Ok(line_item_id) => {
                    lines.extend(restock_parts(&order, line_item_id, l.quantity, l.restock).into_iter().map(
                        |(restock_type, quantity)| RefundLineRequest {
                            line_item_id,
                            quantity,
                            restock_type,
                            location_id,
                        },
                    ))
                }
                Err(r) => return r,
            }
        }
        let money = match (amount, lines.is_empty()) {
            (Some(a), _) => RefundMoney::Amount(a),
            (None, false) => RefundMoney::LinesValue,
            (None, true) => return fail(StatusCode::UNPROCESSABLE_ENTITY, "give lines to refund, an amount, or both"),
        };
        let req = RefundRequest {
            order_id: order.id,
            note: body.note.clone(),
            lines,
            money,
            allow_over_refunding: false,
            return_id: None,
        };
        orders::create_refund(&mut d, &req, Utc::now())
            .map(|rid| (d.rest_refund(order.id, rid), d.rest_order(order.id)))
    };
    webhooks::flush(&state);
    match result {
        Ok((refund, order)) => (StatusCode::CREATED, Json(json!({"refund": refund, "order": order}))).into_response(),
        Err(e) => refund_failure(e),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReturnBody {
    order_id: Value,
    lines: Vec<LineRef>,
    restock: Option<bool>,
    location_id: Option<Value>,
}

fn return_lines(order: &OrderRec, lines: &[LineRef]) -> Result<Vec<ReturnLineRequest>, Response> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(ReturnLineRequest {
                line_item_id: find_line(order, l, &format!("lines[{i}]"))?,
                quantity: l.quantity,
                note: l.note.clone().unwrap_or_default(),
            })
        })
        .collect()
}

/// `POST /__admin/pos/return`: goods back over the counter, refunded, restocked (RETURN).
pub(crate) async fn return_goods(State(state): State<Arc<ShopState>>, Json(body): Json<ReturnBody>) -> Response {
    let result = {
        let mut d = state.write();
        let order = match load_order(&d, &body.order_id) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let lines = match return_lines(&order, &body.lines) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let location_id = body.location_id.as_ref().and_then(|l| id_of(l, "Location"));
        orders::create_return(&mut d, order.id, &lines, body.restock.unwrap_or(true), location_id, Utc::now())
            .map(|(ret, rid)| (ret, d.rest_refund(order.id, rid), d.rest_order(order.id)))
    };
    webhooks::flush(&state);
    match result {
        Ok((return_id, refund, order)) => (
            StatusCode::CREATED,
            Json(json!({"return": {"id": return_id, "admin_graphql_api_id": super::model::gid("Return", return_id)}, "refund": refund, "order": order})),
        )
            .into_response(),
        Err(e) => refund_failure(e),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExchangeBody {
    order_id: Value,
    return_lines: Vec<LineRef>,
    new_lines: Vec<SaleLineBody>,
    gateway: Option<String>,
    tax_rate: Option<Value>,
    tax_title: Option<String>,
}

/// `POST /__admin/pos/exchange`: a return of some lines plus a new sale at the same till.
pub(crate) async fn exchange(State(state): State<Arc<ShopState>>, Json(body): Json<ExchangeBody>) -> Response {
    let result = {
        let mut d = state.write();
        let order = match load_order(&d, &body.order_id) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let Some(location_id) = order.location_id else {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("order {} was not sold at a POS location", order.name()),
            );
        };
        let lines = match return_lines(&order, &body.return_lines) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let sale_body = SaleBody {
            location_id: json!(location_id),
            lines: body.new_lines,
            customer_email: order.email.clone(),
            gateway: body.gateway.or_else(|| order.gateways().first().cloned()),
            tax_rate: body.tax_rate,
            tax_title: body.tax_title,
            note: Some(format!("Exchange for {}", order.name())),
            ship_from_store: false,
            staff_member_id: order.staff_member_id.map(|id| json!(id)),
        };
        let sale = match sale_request(&d, &sale_body, location_id) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let now = Utc::now();
        match orders::create_return(&mut d, order.id, &lines, true, Some(location_id), now) {
            Err(e) => Err(e),
            Ok((ret, rid)) => match orders::create_sale(&mut d, &sale, now) {
                Ok(new_id) => Ok((ret, d.rest_refund(order.id, rid), d.rest_order(new_id))),
                Err(message) => Err(vec![RefundError {
                    field: vec!["new_lines".into()],
                    message: format!("the return was recorded but the new sale failed: {message}"),
                }]),
            },
        }
    };
    webhooks::flush(&state);
    match result {
        Ok((return_id, refund, new_order)) => (
            StatusCode::CREATED,
            Json(json!({"return": {"id": return_id, "admin_graphql_api_id": super::model::gid("Return", return_id)}, "refund": refund, "new_order": new_order})),
        )
            .into_response(),
        Err(e) => refund_failure(e),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct FulfillBody {
    order_id: Value,
}

/// `POST /__admin/pos/fulfill`: a ship-from-store order leaves the store; its committed units
/// leave on_hand.
pub(crate) async fn fulfill(State(state): State<Arc<ShopState>>, Json(body): Json<FulfillBody>) -> Response {
    let result = {
        let mut d = state.write();
        let order = match load_order(&d, &body.order_id) {
            Ok(o) => o,
            Err(r) => return r,
        };
        orders::fulfill(&mut d, order.id, Utc::now()).map(|_| d.rest_order(order.id))
    };
    webhooks::flush(&state);
    match result {
        Ok(order) => (StatusCode::CREATED, Json(json!({"order": order}))).into_response(),
        Err(message) => fail(StatusCode::UNPROCESSABLE_ENTITY, message),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct AdjustBody {
    location_id: Value,
    sku: Option<String>,
    variant_id: Option<Value>,
    inventory_item_id: Option<Value>,
    delta: i64,
}

/// `POST /__admin/pos/adjust`: a manual count correction at the till (available ± delta).
pub(crate) async fn adjust(State(state): State<Arc<ShopState>>, Json(body): Json<AdjustBody>) -> Response {
    let result = {
        let mut d = state.write();
        let Some(location_id) = id_of(&body.location_id, "Location").filter(|l| d.locations.contains_key(l)) else {
            return fail(StatusCode::UNPROCESSABLE_ENTITY, format!("location {} does not exist", body.location_id));
        };
        let item = match &body.inventory_item_id {
            Some(i) => id_of(i, "InventoryItem").filter(|i| d.items.contains_key(i)),
            None => match resolve_variant(&d, body.sku.as_deref(), body.variant_id.as_ref(), "adjust") {
                Ok(v) => d.variants.get(&v).map(|v| v.inventory_item_id),
                Err(r) => return r,
            },
        };
        let Some(item) = item else {
            return fail(StatusCode::UNPROCESSABLE_ENTITY, "the inventory item does not exist");
        };
        if !d.level(item, location_id).is_some_and(|l| l.active) {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "item {item} is not stocked at location {location_id}: activate it there first (inventoryActivate)"
                ),
            );
        }
        d.change_level(item, location_id, Utc::now(), |q| q.available += body.delta);
        d.level(item, location_id).map(|l| {
            json!({
                "inventory_item_id": item,
                "location_id": location_id,
                "available": l.quantities.available,
                "committed": l.quantities.committed,
                "on_hand": l.quantities.on_hand(),
            })
        })
    };
    webhooks::flush(&state);
    (StatusCode::OK, Json(result.unwrap_or(Value::Null))).into_response()
}
