//! The POS counter: admin endpoints that ring up sales, refunds, returns, exchanges and stock
//! adjustments the way a till would, with the same side effects and webhooks.
// Handlers bail out with the finished error response itself; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use super::model::{DiscountKind, DiscountValue, MailingAddress, OrderRec, RestockType, ShopData, parse_gid};
use super::orders::{
    self, OrderDiscount, RefundError, RefundLineRequest, RefundMoney, RefundRequest, ReturnLineRequest, SaleItem,
    SaleLine, SaleRequest, ShippingRequest, TaxRate, Tender,
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

/// An id given as a number, a numeric string or a GID of any kind.
fn any_id(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok().or_else(|| s.rsplit('/').next()?.split('?').next()?.parse().ok()),
        _ => None,
    }
}

fn id_field<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    any_id(&value).ok_or_else(|| serde::de::Error::custom(format!("{value} is not an id: send a number or a GID")))
}

fn optional_id_field<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        value => any_id(&value)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{value} is not an id: send a number or a GID"))),
    }
}

/// A sale at the till, as `POST /__admin/pos/sale` takes it (JSON) and
/// [`ShopifyEmulator::ring_up`](super::ShopifyEmulator::ring_up) in process. Amounts are in the
/// presentment currency, the one the customer sees at the till (the shop's unless
/// `presentment_currency` says otherwise); decimals travel as strings ("4.50") or numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PosSale {
    #[serde(deserialize_with = "id_field")]
    pub location_id: u64,
    pub lines: Vec<PosLine>,
    /// The customer, found or created by email; a guest sale when None.
    pub customer_email: Option<String>,
    /// The shopper agrees at the till to receive marketing email (single opt-in).
    pub customer_accepts_marketing: bool,
    /// One tender paying everything ("cash" when neither this nor `tenders` is given).
    pub gateway: Option<String>,
    /// Several tenders (split tender): each a SALE transaction with its gateway.
    pub tenders: Vec<PosTender>,
    /// One tax on every taxable line ("Sales Tax" unless `tax_title` says otherwise).
    pub tax_rate: Option<Decimal>,
    pub tax_title: Option<String>,
    /// Several taxes on every taxable line, such as GST and PST.
    pub taxes: Vec<PosTax>,
    /// Prices include the taxes instead of adding them.
    pub taxes_included: bool,
    /// Discounts on the whole sale, spread across the lines.
    pub discounts: Vec<PosDiscount>,
    pub shipping: Option<PosShipping>,
    pub presentment_currency: Option<String>,
    /// Presentment units per shop unit (0.932 for EUR in a USD shop).
    pub exchange_rate: Option<Decimal>,
    /// The increment cash tenders round to, such as 0.05 in Canada.
    pub cash_rounding: Option<Decimal>,
    pub billing_address: Option<MailingAddress>,
    pub shipping_address: Option<MailingAddress>,
    pub tags: Vec<String>,
    pub note: Option<String>,
    /// The goods stay at the store to be shipped: the order stays unfulfilled and its units
    /// committed until `POST /__admin/pos/fulfill`.
    pub ship_from_store: bool,
    /// An online-store order (`sourceName: web`) shipped from `location_id` instead of a till
    /// sale; it is unfulfilled until `POST /__admin/pos/fulfill`, like a ship-from-store sale.
    pub online: bool,
    /// The POS user; the logged-in cashier when None.
    #[serde(deserialize_with = "optional_id_field")]
    pub staff_member_id: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PosLine {
    pub sku: Option<String>,
    #[serde(deserialize_with = "optional_id_field")]
    pub variant_id: Option<u64>,
    pub quantity: i64,
    /// A price change at the till; the variant's price when None.
    pub price: Option<Decimal>,
    /// A fixed discount off the whole line.
    pub discount: Option<Decimal>,
    /// A percentage off the line (10 for 10 %).
    pub discount_percentage: Option<Decimal>,
    pub discount_title: Option<String>,
    /// A gift card issued for `price`, with `title`; no sku or variant.
    pub gift_card: bool,
    pub title: Option<String>,
    pub properties: Vec<PosProperty>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosProperty {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PosTender {
    /// "cash", "shopify_payments" (card), "gift_card", "manual", …
    pub gateway: String,
    /// None for the one tender that pays what is left.
    pub amount: Option<Decimal>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PosTax {
    pub title: String,
    /// A fraction: 0.05 for 5 %.
    pub rate: Decimal,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PosDiscountType {
    #[default]
    Percentage,
    FixedAmount,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PosDiscount {
    pub title: Option<String>,
    /// A discount code; a custom (manual) discount when None, unless `automatic`.
    pub code: Option<String>,
    pub automatic: bool,
    pub value_type: PosDiscountType,
    /// A percentage (10 for 10 %) or a fixed amount.
    pub value: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PosShipping {
    pub title: String,
    pub code: Option<String>,
    pub price: Decimal,
    /// Whether the sale's taxes apply to shipping.
    pub taxable: bool,
}

fn resolve_variant(d: &ShopData, sku: Option<&str>, variant_id: Option<u64>, at: &str) -> Result<u64, String> {
    if let Some(v) = variant_id {
        return d.variants.contains_key(&v).then_some(v).ok_or_else(|| format!("{at}: variant {v} does not exist"));
    }
    let Some(sku) = sku else {
        return Err(format!("{at}: give a sku or a variant_id"));
    };
    match d.variant_by_sku(sku).as_slice() {
        [] => Err(format!("{at}: no variant has SKU {sku:?}")),
        [one] => Ok(*one),
        many => {
            Err(format!("{at}: SKU {sku:?} is shared by variants {many:?}; pass variant_id to say which one was sold"))
        }
    }
}

fn sale_line(d: &ShopData, l: &PosLine, at: &str) -> Result<SaleLine, String> {
    let item = if l.gift_card {
        SaleItem::GiftCard { title: l.title.clone().unwrap_or_else(|| "Gift Card".into()) }
    } else {
        SaleItem::Variant(resolve_variant(d, l.sku.as_deref(), l.variant_id, at)?)
    };
    let title = || l.discount_title.clone().unwrap_or_else(|| "Custom discount".into());
    let discount = match (l.discount, l.discount_percentage) {
        (Some(_), Some(_)) => return Err(format!("{at}: give discount or discount_percentage, not both")),
        (Some(a), None) => Some((title(), DiscountValue::FixedAmount(a))),
        (None, Some(p)) => Some((title(), DiscountValue::Percentage(p))),
        (None, None) => None,
    };
    let properties = l.properties.iter().map(|p| (p.name.clone(), p.value.clone())).collect();
    Ok(SaleLine { item, quantity: l.quantity, price: l.price, discount, properties })
}

/// Resolves SKUs and shorthands into the sale the order is built from.
pub(crate) fn sale_request(d: &ShopData, sale: &PosSale) -> Result<SaleRequest, String> {
    let lines = sale
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| sale_line(d, l, &format!("lines[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let tenders = match (&sale.gateway, sale.tenders.is_empty()) {
        (Some(_), false) => return Err("give gateway (one tender) or tenders, not both".into()),
        (gateway, true) => vec![Tender { gateway: gateway.clone().unwrap_or_else(|| "cash".into()), amount: None }],
        (None, false) => sale.tenders.iter().map(|t| Tender { gateway: t.gateway.clone(), amount: t.amount }).collect(),
    };
    let mut taxes: Vec<TaxRate> = sale.taxes.iter().map(|t| TaxRate { title: t.title.clone(), rate: t.rate }).collect();
    if let Some(rate) = sale.tax_rate.filter(|r| !r.is_zero()) {
        taxes.insert(0, TaxRate { title: sale.tax_title.clone().unwrap_or_else(|| "Sales Tax".into()), rate });
    }
    let discounts = sale
        .discounts
        .iter()
        .map(|d| {
            let kind = match (&d.code, d.automatic) {
                (Some(code), _) => DiscountKind::Code(code.clone()),
                (None, true) => DiscountKind::Automatic,
                (None, false) => DiscountKind::Manual,
            };
            let value = match d.value_type {
                PosDiscountType::Percentage => DiscountValue::Percentage(d.value),
                PosDiscountType::FixedAmount => DiscountValue::FixedAmount(d.value),
            };
            let title = d.title.clone().or_else(|| d.code.clone()).unwrap_or_else(|| "Custom discount".into());
            OrderDiscount { kind, title, value }
        })
        .collect();
    let presentment = match (&sale.presentment_currency, sale.exchange_rate) {
        (None, None) => None,
        (Some(code), Some(rate)) => Some((code.clone(), rate)),
        (Some(code), None) if *code == d.currency => None,
        _ => return Err("presentment_currency and exchange_rate go together".into()),
    };
    Ok(SaleRequest {
        location_id: sale.location_id,
        lines,
        customer_email: sale.customer_email.clone(),
        accepts_marketing: sale.customer_accepts_marketing,
        tenders,
        taxes,
        taxes_included: sale.taxes_included,
        discounts,
        shipping: sale.shipping.as_ref().map(|s| ShippingRequest {
            title: s.title.clone(),
            code: s.code.clone().unwrap_or_else(|| s.title.clone()),
            price: s.price,
            taxable: s.taxable,
        }),
        presentment,
        cash_rounding: sale.cash_rounding,
        billing_address: sale.billing_address.clone(),
        shipping_address: sale.shipping_address.clone(),
        tags: sale.tags.clone(),
        note: sale.note.clone(),
        ship_from_store: sale.ship_from_store || sale.online,
        online: sale.online,
        staff_member_id: sale.staff_member_id,
    })
}

/// Rings a sale up: the REST-shaped order, or why the till refused it.
pub(crate) fn ring_up(state: &ShopState, sale: &PosSale) -> Result<Value, String> {
    let result = {
        let mut d = state.write();
        sale_request(&d, sale).and_then(|req| orders::create_sale(&mut d, &req, state.now())).map(|id| d.rest_order(id))
    };
    webhooks::flush(state);
    result.map(|order| order.unwrap_or(Value::Null))
}

/// `POST /__admin/pos/sale`: a paid sale at the till (see [`PosSale`]).
pub(crate) async fn sale(State(state): State<Arc<ShopState>>, Json(body): Json<PosSale>) -> Response {
    match ring_up(&state, &body) {
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
    amount: Option<Decimal>,
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
        let amount = body.amount;
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
        orders::create_refund(&mut d, &req, state.now())
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
        orders::create_return(&mut d, order.id, &lines, body.restock.unwrap_or(true), location_id, state.now())
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
    new_lines: Vec<PosLine>,
    gateway: Option<String>,
    tax_rate: Option<Decimal>,
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
        let new_sale = PosSale {
            location_id,
            lines: body.new_lines,
            customer_email: order.email.clone(),
            gateway: body.gateway.or_else(|| order.gateways().first().cloned()),
            tax_rate: body.tax_rate,
            tax_title: body.tax_title,
            note: Some(format!("Exchange for {}", order.name())),
            staff_member_id: order.staff_member_id,
            ..PosSale::default()
        };
        let sale = match sale_request(&d, &new_sale) {
            Ok(s) => s,
            Err(message) => return fail(StatusCode::UNPROCESSABLE_ENTITY, message),
        };
        let now = state.now();
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
        orders::fulfill(&mut d, order.id, state.now()).map(|_| d.rest_order(order.id))
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
            None => match resolve_variant(&d, body.sku.as_deref(), body.variant_id.as_ref().and_then(any_id), "adjust")
            {
                Ok(v) => d.variants.get(&v).map(|v| v.inventory_item_id),
                Err(message) => return fail(StatusCode::UNPROCESSABLE_ENTITY, message),
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
        d.change_level(item, location_id, state.now(), |q| q.available += body.delta);
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
