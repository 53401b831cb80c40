//! Orders v2: creating orders from catalog and custom lines (totals from the tax pairs the
//! caller sends, since API orders compute no tax), stock taken at the default location when the
//! store says so, and reads with the v2 filters. Money is 4-decimal strings, dates RFC-2822.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::Shared;
use super::store::{Clock, Event, IdKind, ORDER_STATUSES, Order, OrderLine, Store, status_name};
use super::wire::{Api, ApiError, Params, date_v2, decimal_of, json_response, money_v2, page_of, parse_body};

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::v2(StatusCode::BAD_REQUEST, message)
}

fn order_not_found() -> ApiError {
    ApiError::v2(StatusCode::NOT_FOUND, "The requested resource was not found.")
}

/// The scheme and host the client reached us on, for the sub-resource links orders carry.
fn origin(headers: &HeaderMap) -> String {
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn link(origin: &str, hash: &str, resource: String) -> Value {
    json!({"url": format!("{origin}/stores/{hash}/v2{resource}"), "resource": resource})
}

fn address_json(a: &Map<String, Value>) -> Value {
    let text = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    json!({
        "first_name": text("first_name"),
        "last_name": text("last_name"),
        "company": text("company"),
        "street_1": text("street_1"),
        "street_2": text("street_2"),
        "city": text("city"),
        "state": text("state"),
        "zip": text("zip"),
        "country": text("country"),
        "country_iso2": text("country_iso2"),
        "phone": text("phone"),
        "email": text("email"),
        "form_fields": a.get("form_fields").cloned().unwrap_or_else(|| json!([])),
    })
}

pub fn order_json(o: &Order, origin: &str, hash: &str) -> Value {
    let zero = Decimal::ZERO;
    let subtotal_tax = o.subtotal_inc_tax - o.subtotal_ex_tax;
    let items_total: i64 = o.lines.iter().map(|l| l.quantity).sum();
    // Built in two halves: one json! literal this long exceeds the macro recursion limit.
    let head = json!({
        "id": o.id,
        "customer_id": o.customer_id,
        "date_created": date_v2(o.date_created),
        "date_modified": date_v2(o.date_modified),
        "date_shipped": "",
        "status_id": o.status_id,
        "status": status_name(o.status_id),
        "custom_status": status_name(o.status_id),
        "subtotal_ex_tax": money_v2(o.subtotal_ex_tax),
        "subtotal_inc_tax": money_v2(o.subtotal_inc_tax),
        "subtotal_tax": money_v2(subtotal_tax),
        "base_shipping_cost": money_v2(o.shipping_cost_ex_tax),
        "shipping_cost_ex_tax": money_v2(o.shipping_cost_ex_tax),
        "shipping_cost_inc_tax": money_v2(o.shipping_cost_inc_tax),
        "shipping_cost_tax": money_v2(o.shipping_cost_inc_tax - o.shipping_cost_ex_tax),
        "shipping_cost_tax_class_id": 0,
        "base_handling_cost": money_v2(o.handling_cost_ex_tax),
        "handling_cost_ex_tax": money_v2(o.handling_cost_ex_tax),
        "handling_cost_inc_tax": money_v2(o.handling_cost_inc_tax),
        "handling_cost_tax": money_v2(o.handling_cost_inc_tax - o.handling_cost_ex_tax),
        "handling_cost_tax_class_id": 0,
        "base_wrapping_cost": money_v2(zero),
        "wrapping_cost_ex_tax": money_v2(zero),
        "wrapping_cost_inc_tax": money_v2(zero),
        "wrapping_cost_tax": money_v2(zero),
        "wrapping_cost_tax_class_id": 0,
        "total_ex_tax": money_v2(o.total_ex_tax),
        "total_inc_tax": money_v2(o.total_inc_tax),
        "total_tax": money_v2(o.total_inc_tax - o.total_ex_tax),
        "is_tax_inclusive_pricing": false,
        "items_total": items_total,
        "items_shipped": 0,
    });
    let tail = json!({
        "payment_method": o.payment_method,
        "payment_provider_id": o.payment_provider_id,
        "payment_status": o.payment_status,
        "refunded_amount": money_v2(o.refunded_amount),
        "order_is_digital": false,
        "store_credit_amount": money_v2(zero),
        "gift_certificate_amount": money_v2(zero),
        "ip_address": "",
        "ip_address_v6": "",
        "geoip_country": "",
        "geoip_country_iso2": "",
        "currency_id": 1,
        "currency_code": "USD",
        "currency_exchange_rate": "1.0000000000",
        "default_currency_id": 1,
        "default_currency_code": "USD",
        "store_default_currency_code": "USD",
        "store_default_to_transactional_exchange_rate": "1.0000000000",
        "staff_notes": o.staff_notes,
        "customer_message": o.customer_message,
        "discount_amount": money_v2(o.discount_amount),
        "coupon_discount": money_v2(zero),
        "shipping_address_count": i64::from(o.shipping_address.is_some()),
        "is_deleted": false,
        "ebay_order_id": "0",
        "cart_id": "",
        "billing_address": address_json(&o.billing_address),
        "is_email_opt_in": false,
        "credit_card_type": Value::Null,
        "order_source": "external",
        "channel_id": o.channel_id,
        "external_source": o.external_source,
        "external_id": Value::Null,
        "external_merchant_id": o.external_merchant_id,
        "external_order_id": o.external_order_id.clone().unwrap_or_default(),
        "products": link(origin, hash, format!("/orders/{}/products", o.id)),
        "shipping_addresses": link(origin, hash, format!("/orders/{}/shipping_addresses", o.id)),
        "coupons": link(origin, hash, format!("/orders/{}/coupons", o.id)),
        "tax_provider_id": "",
        "customer_locale": o.customer_locale,
        "fees": [],
    });
    joined(head, tail)
}

fn joined(mut head: Value, tail: Value) -> Value {
    if let (Some(h), Value::Object(t)) = (head.as_object_mut(), tail) {
        h.extend(t);
    }
    head
}

pub fn line_json(o: &Order, l: &OrderLine) -> Value {
    let zero = Decimal::ZERO;
    let options: Vec<Value> = l
        .option_values
        .iter()
        .enumerate()
        .map(|(i, ov)| {
            json!({
                "id": l.id * 100 + i as i64,
                "option_id": ov.option_id,
                "order_product_id": l.id,
                "product_option_id": ov.option_id,
                "display_name": ov.option_display_name,
                "display_name_customer": ov.option_display_name,
                "display_name_merchant": ov.option_display_name,
                "display_value": ov.label,
                "display_value_customer": ov.label,
                "display_value_merchant": ov.label,
                "value": ov.id.to_string(),
                "type": "Multiple choice",
                "name": ov.option_display_name,
                "display_style": "",
            })
        })
        .collect();
    let discounts: Vec<Value> = if l.discount.is_zero() {
        Vec::new()
    } else {
        vec![
            json!({"id": "manual-discount", "amount": money_v2(l.discount), "name": "Manual Discount", "code": Value::Null, "target": "order"}),
        ]
    };
    let head = json!({
        "id": l.id,
        "order_id": o.id,
        "product_id": l.product_id,
        "variant_id": l.variant_id,
        "order_address_id": o.address_id,
        "name": l.name,
        "name_customer": l.name,
        "name_merchant": l.name,
        "sku": l.sku,
        "upc": l.upc,
        "type": "physical",
        "base_price": money_v2(l.base_price),
        "price_ex_tax": money_v2(l.price_ex_tax),
        "price_inc_tax": money_v2(l.price_inc_tax),
        "price_tax": money_v2(l.price_inc_tax - l.price_ex_tax),
        "base_total": money_v2(l.base_price * Decimal::from(l.quantity)),
        "total_ex_tax": money_v2(l.total_ex_tax()),
        "total_inc_tax": money_v2(l.total_inc_tax()),
        "total_tax": money_v2(l.total_inc_tax() - l.total_ex_tax()),
        "weight": money_v2(zero),
        "width": money_v2(zero),
        "height": money_v2(zero),
        "depth": money_v2(zero),
    });
    let tail = json!({
        "quantity": l.quantity,
        "base_cost_price": money_v2(zero),
        "cost_price_inc_tax": money_v2(zero),
        "cost_price_ex_tax": money_v2(zero),
        "cost_price_tax": money_v2(zero),
        "is_refunded": l.quantity_refunded >= l.quantity,
        "quantity_refunded": l.quantity_refunded,
        "refund_amount": money_v2(l.refund_amount),
        "return_id": 0,
        "wrapping_id": 0,
        "wrapping_name": "",
        "base_wrapping_cost": money_v2(zero),
        "wrapping_cost_ex_tax": money_v2(zero),
        "wrapping_cost_inc_tax": money_v2(zero),
        "wrapping_cost_tax": money_v2(zero),
        "wrapping_message": "",
        "quantity_shipped": 0,
        "event_name": Value::Null,
        "event_date": Value::Null,
        "fixed_shipping_cost": money_v2(zero),
        "ebay_item_id": "",
        "ebay_transaction_id": "",
        "option_set_id": Value::Null,
        "parent_order_product_id": Value::Null,
        "is_bundled_product": false,
        "bin_picking_number": "",
        "external_id": Value::Null,
        "brand": "",
        "applied_discounts": discounts,
        "product_options": options,
        "configurable_fields": [],
        "gift_certificate_id": Value::Null,
        "discounted_total_inc_tax": money_v2(l.discounted_total_inc_tax()),
    });
    joined(head, tail)
}

// ---------------------------------------------------------------- create

fn money_field(obj: &Map<String, Value>, field: &str) -> Result<Option<Decimal>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match decimal_of(v) {
            Some(d) if d >= Decimal::ZERO => Ok(Some(d)),
            _ => Err(bad(format!("The field '{field}' must be a non-negative number or numeric string."))),
        },
    }
}

/// An override pair: both halves, or one half standing for both, or neither.
fn money_pair(obj: &Map<String, Value>, ex: &str, inc: &str) -> Result<Option<(Decimal, Decimal)>, ApiError> {
    Ok(match (money_field(obj, ex)?, money_field(obj, inc)?) {
        (Some(e), Some(i)) => Some((e, i)),
        (Some(e), None) => Some((e, e)),
        (None, Some(i)) => Some((i, i)),
        (None, None) => None,
    })
}

/// A line as parsed, before ids are given.
struct LineDraft {
    product_id: i64,
    variant_id: i64,
    name: String,
    sku: String,
    upc: String,
    quantity: i64,
    base_price: Decimal,
    price_ex_tax: Decimal,
    price_inc_tax: Decimal,
    option_values: Vec<crate::world::BcVariantOptionValue>,
    tracked: bool,
}

fn parse_line(store: &Store, index: usize, line: &Value) -> Result<LineDraft, ApiError> {
    let Some(obj) = line.as_object() else { return Err(bad(format!("products[{index}] must be an object."))) };
    let quantity = match obj.get("quantity").and_then(Value::as_i64) {
        Some(q) if q >= 1 => q,
        _ => {
            return Err(bad(format!(
                "products[{index}].quantity is required and must be a whole number of at least 1."
            )));
        }
    };
    let ex = money_field(obj, "price_ex_tax")?;
    let inc = money_field(obj, "price_inc_tax")?;
    let name_override = obj.get("name").and_then(Value::as_str).map(str::to_string);
    if let Some(product_id) = obj.get("product_id").and_then(Value::as_i64) {
        let Some(product) = store.products.get(&product_id) else {
            return Err(bad(format!(
                "products[{index}]: product {product_id} does not exist in the catalog; check the id or send a custom line (name, quantity, price_inc_tax, price_ex_tax)."
            )));
        };
        let variant_id = if let Some(vid) = obj.get("variant_id").and_then(Value::as_i64) {
            if !product.variant_ids.contains(&vid) {
                return Err(bad(format!("products[{index}]: variant {vid} does not belong to product {product_id}.")));
            }
            vid
        } else if let Some(options) = obj.get("product_options").and_then(Value::as_array) {
            let wanted: Vec<(i64, i64)> = options
                .iter()
                .filter_map(|o| {
                    let option = o.get("id").and_then(Value::as_i64)?;
                    let value =
                        o.get("value").and_then(|v| v.as_str().and_then(|s| s.parse().ok()).or_else(|| v.as_i64()))?;
                    Some((option, value))
                })
                .collect();
            product
                .variant_ids
                .iter()
                .filter_map(|id| store.variants.get(id))
                .find(|v| {
                    v.option_values.len() == wanted.len()
                        && v.option_values.iter().all(|ov| wanted.contains(&(ov.option_id, ov.id)))
                })
                .map(|v| v.id)
                .ok_or_else(|| bad(format!("products[{index}]: no variant of product {product_id} has the option values given in product_options; use the option_id and option value id pairs from /v3/catalog/products/{product_id}/variants.")))?
        } else if let Some(base) = product.base_variant_id {
            base
        } else {
            return Err(bad(format!(
                "products[{index}]: product {product_id} has options; send variant_id or product_options to say which variant was sold."
            )));
        };
        let Some(variant) = store.variants.get(&variant_id) else {
            return Err(bad(format!("products[{index}]: variant {variant_id} does not exist.")));
        };
        let catalog_price = store.calculated_price(variant);
        // Overriding one half of the pair leaves the other at the catalog price, which is why
        // the docs insist on overriding both.
        let price_ex_tax = ex.unwrap_or(catalog_price);
        let price_inc_tax = inc.unwrap_or(catalog_price);
        let upc = obj
            .get("upc")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| if variant.upc.is_empty() { product.upc.clone() } else { variant.upc.clone() });
        return Ok(LineDraft {
            product_id,
            variant_id,
            name: name_override.unwrap_or_else(|| product.name.clone()),
            sku: variant.sku.clone(),
            upc,
            quantity,
            base_price: catalog_price,
            price_ex_tax,
            price_inc_tax,
            option_values: variant.option_values.clone(),
            tracked: product.inventory_tracking != "none",
        });
    }
    let name = match name_override {
        Some(n) if !n.is_empty() && n.chars().count() <= 250 => n,
        _ => {
            return Err(bad(format!(
                "products[{index}]: a custom line needs a name of 1 to 250 characters (or a product_id for a catalog line)."
            )));
        }
    };
    let (Some(price_ex_tax), Some(price_inc_tax)) = (ex, inc) else {
        return Err(bad(format!("products[{index}]: a custom line needs both price_inc_tax and price_ex_tax.")));
    };
    Ok(LineDraft {
        product_id: 0,
        variant_id: 0,
        name,
        sku: obj.get("sku").and_then(Value::as_str).unwrap_or_default().to_string(),
        upc: obj.get("upc").and_then(Value::as_str).unwrap_or_default().to_string(),
        quantity,
        base_price: price_ex_tax,
        price_ex_tax,
        price_inc_tax,
        option_values: Vec::new(),
        tracked: false,
    })
}

fn check_channel(store: &Store, channel_id: i64) -> Result<(), ApiError> {
    match store.channels.get(&channel_id) {
        None => Err(bad(format!(
            "The channel_id {channel_id} does not match any channel; list /v3/channels for valid ids."
        ))),
        Some(c) if !c.is_enabled() => Err(bad(format!(
            "The channel {channel_id} ({}) is {}; orders can only be placed in an enabled channel.",
            c.name, c.status
        ))),
        Some(_) => Ok(()),
    }
}

fn check_status(status_id: i64) -> Result<(), ApiError> {
    if ORDER_STATUSES.iter().any(|(id, _, _)| *id == status_id) {
        Ok(())
    } else {
        Err(bad(format!("The status_id {status_id} is not an order status; use 0 to 14 (see /v2/order_statuses).")))
    }
}

const READ_ONLY_ORDER_FIELDS: &[&str] = &[
    "id",
    "external_id",
    "coupon_discount",
    "payment_status",
    "is_deleted",
    "date_modified",
    "status",
    "custom_status",
];

pub async fn create_order(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: Value = parse_body(&body, Api::V2)?;
    let Some(obj) = input.as_object() else {
        return Err(bad("The request body must be a JSON object describing the order."));
    };
    for field in READ_ONLY_ORDER_FIELDS {
        if obj.contains_key(*field) {
            return Err(bad(format!(
                "The field '{field}' cannot be written to. Please remove it from your request before trying again."
            )));
        }
    }
    if obj.contains_key("consignments") {
        return Err(bad(if obj.contains_key("products") {
            "products (shipping mode) and consignments (pickup mode) are mutually exclusive; send one of them."
        } else {
            "Pickup consignments are not supported by the emulator; send products (with shipping_addresses if needed)."
        }));
    }
    let Some(billing) = obj.get("billing_address").and_then(Value::as_object).cloned() else {
        return Err(bad("The field 'billing_address' is required; send at least billing_address.zip."));
    };
    let zip =
        billing.get("zip").and_then(|z| z.as_str().map(str::to_string).or_else(|| z.as_i64().map(|i| i.to_string())));
    if zip.as_deref().is_none_or(|z| z.trim().chars().count() < 2) {
        return Err(bad("The field 'billing_address.zip' is required and needs at least 2 characters."));
    }
    let Some(lines) = obj.get("products").and_then(Value::as_array).filter(|l| !l.is_empty()) else {
        return Err(bad(
            "The field 'products' is required: send at least one catalog line (product_id, quantity) or custom line (name, quantity, price_inc_tax, price_ex_tax).",
        ));
    };
    let status_id = obj.get("status_id").and_then(Value::as_i64).unwrap_or(1);
    check_status(status_id)?;
    let customer_id = obj.get("customer_id").and_then(Value::as_f64).map_or(0, |c| c as i64);
    let channel_id = obj.get("channel_id").and_then(Value::as_i64).unwrap_or(1);
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    let discount = money_field(obj, "discount_amount")?.unwrap_or_default();
    let shipping = money_pair(obj, "shipping_cost_ex_tax", "shipping_cost_inc_tax")?
        .or(money_field(obj, "base_shipping_cost")?.map(|b| (b, b)))
        .unwrap_or_default();
    let handling = money_pair(obj, "handling_cost_ex_tax", "handling_cost_inc_tax")?
        .or(money_field(obj, "base_handling_cost")?.map(|b| (b, b)))
        .unwrap_or_default();
    let subtotal_override = money_pair(obj, "subtotal_ex_tax", "subtotal_inc_tax")?;
    let total_override = money_pair(obj, "total_ex_tax", "total_inc_tax")?;
    let wall = Utc::now();
    let date_created = match obj.get("date_created").and_then(Value::as_str) {
        None => wall,
        Some(s) => DateTime::parse_from_rfc2822(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| bad(format!("The field 'date_created' must be an RFC-2822 date such as \"Wed, 10 Jan 2018 21:05:30 +0000\"; got \"{s}\".")))?,
    };
    let decrement = shared.settings().decrement_stock_on_order;
    let now = Instant::now();

    let (order_body, events) = {
        let mut store = shared.store();
        check_channel(&store, channel_id)?;
        if customer_id != 0 && !store.customers.contains_key(&customer_id) {
            return Err(bad(format!(
                "The customer_id {customer_id} does not match any customer; use 0 for a guest order."
            )));
        }
        let drafts = lines.iter().enumerate().map(|(i, l)| parse_line(&store, i, l)).collect::<Result<Vec<_>, _>>()?;
        let id = store.next_id(IdKind::Order);
        let address_id = store.next_id(IdKind::OrderAddress);
        let mut order_lines = Vec::with_capacity(drafts.len());
        for d in drafts {
            order_lines.push((
                OrderLine {
                    id: store.next_id(IdKind::OrderLine),
                    product_id: d.product_id,
                    variant_id: d.variant_id,
                    name: d.name,
                    sku: d.sku,
                    upc: d.upc,
                    quantity: d.quantity,
                    base_price: d.base_price,
                    price_ex_tax: d.price_ex_tax,
                    price_inc_tax: d.price_inc_tax,
                    discount: Decimal::ZERO,
                    quantity_refunded: 0,
                    refund_amount: Decimal::ZERO,
                    option_values: d.option_values,
                    stock_taken: Vec::new(),
                },
                d.tracked,
            ));
        }
        let (subtotal_ex, subtotal_inc) = subtotal_override.unwrap_or_else(|| {
            order_lines
                .iter()
                .fold((Decimal::ZERO, Decimal::ZERO), |(e, i), (l, _)| (e + l.total_ex_tax(), i + l.total_inc_tax()))
        });
        let (total_ex, total_inc) = total_override.unwrap_or((
            subtotal_ex + shipping.0 + handling.0 - discount,
            subtotal_inc + shipping.1 + handling.1 - discount,
        ));
        allocate_discount(&mut order_lines, discount);

        let mut events = vec![
            Event::new("store/order/created", json!({"type": "order", "id": id})),
            Event::new(format!("store/channel/{channel_id}/order/created"), json!({"order_id": id})),
        ];
        // "Adjust stock when an order is placed": an incomplete order has not been placed yet.
        if decrement && status_id != 0 {
            let location = store.default_location;
            for (line, tracked) in order_lines.iter_mut() {
                if !*tracked {
                    continue;
                }
                let on_hand =
                    store.variants.get(&line.variant_id).and_then(|v| v.cell(location)).map_or(0, |c| c.on_hand);
                // Stock never goes below zero; what could not be taken is the oversell.
                let take = line.quantity.min(on_hand.max(0));
                if take > 0 {
                    events.extend(store.set_stock(
                        line.variant_id,
                        location,
                        on_hand - take,
                        "relative",
                        true,
                        Clock { now, wall },
                    ));
                    line.stock_taken.push((location, take));
                }
            }
        }
        for (line, _) in &order_lines {
            if let Some(p) = store.products.get_mut(&line.product_id) {
                p.total_sold += line.quantity;
            }
        }
        let order = Order {
            id,
            customer_id,
            status_id,
            date_created,
            date_modified: wall,
            shipping_address: obj
                .get("shipping_addresses")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(Value::as_object)
                .cloned(),
            billing_address: billing,
            address_id,
            lines: order_lines.into_iter().map(|(l, _)| l).collect(),
            subtotal_ex_tax: subtotal_ex,
            subtotal_inc_tax: subtotal_inc,
            shipping_cost_ex_tax: shipping.0,
            shipping_cost_inc_tax: shipping.1,
            handling_cost_ex_tax: handling.0,
            handling_cost_inc_tax: handling.1,
            discount_amount: discount,
            total_ex_tax: total_ex,
            total_inc_tax: total_inc,
            refunded_amount: Decimal::ZERO,
            refunded_shipping: Decimal::ZERO,
            refunded_handling: Decimal::ZERO,
            payment_status: String::new(),
            payment_method: text("payment_method").unwrap_or_else(|| "Manual".into()),
            payment_provider_id: obj
                .get("payment_provider_id")
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .unwrap_or_default(),
            channel_id,
            external_source: text("external_source"),
            external_order_id: text("external_order_id"),
            external_merchant_id: text("external_merchant_id"),
            staff_notes: text("staff_notes").unwrap_or_default(),
            customer_message: text("customer_message").unwrap_or_default(),
            customer_locale: text("customer_locale").unwrap_or_else(|| "en".into()),
            refunds: Vec::new(),
        };
        let body = order_json(&order, &origin(&headers), &shared.config.store_hash);
        store.orders.insert(id, order);
        (body, events)
    };
    shared.emit(events);
    // The v2 spec documents 200 (not 201) for a created order.
    Ok(json_response(StatusCode::OK, &order_body))
}

/// Spreads the order-level discount over the lines in proportion to their totals, as
/// BigCommerce's "manual discount" shows per line; the last line takes the rounding rest.
fn allocate_discount(lines: &mut [(OrderLine, bool)], discount: Decimal) {
    let gross: Decimal = lines.iter().map(|(l, _)| l.total_inc_tax()).sum();
    if discount.is_zero() || gross.is_zero() {
        return;
    }
    let mut left = discount;
    let n = lines.len();
    for (i, (line, _)) in lines.iter_mut().enumerate() {
        let share = if i + 1 == n { left } else { (discount * line.total_inc_tax() / gross).round_dp(4) };
        line.discount = share;
        left -= share;
    }
}

// ---------------------------------------------------------------- read and update

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Id,
    CustomerId,
    DateCreated,
    DateModified,
    StatusId,
    ChannelId,
    ExternalId,
}

pub async fn list_orders(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V2);
    let paging = params.paging(50, 250)?;
    let now = Utc::now();
    let min_id = params.int("min_id")?;
    let max_id = params.int("max_id")?;
    let status_id = params.int("status_id")?;
    let customer_id = params.int("customer_id")?;
    let channel_id = params.int("channel_id")?;
    let external_order_id = params.get("external_order_id").map(str::to_string);
    let email = params.get("email").map(str::to_lowercase);
    let payment_method = params.get("payment_method").map(str::to_string);
    let min_created = params.date("min_date_created", now)?;
    let max_created = params.date("max_date_created", now)?;
    let min_modified = params.date("min_date_modified", now)?;
    let max_modified = params.date("max_date_modified", now)?;
    let (sort, descending) = {
        let raw = params.get("sort").unwrap_or("id");
        let (field, dir) = raw.split_once(':').unwrap_or((raw, "asc"));
        let key = match field {
            "id" => SortKey::Id,
            "customer_id" => SortKey::CustomerId,
            "date_created" => SortKey::DateCreated,
            "date_modified" => SortKey::DateModified,
            "status_id" => SortKey::StatusId,
            "channel_id" => SortKey::ChannelId,
            "external_id" => SortKey::ExternalId,
            _ => {
                return Err(bad(format!(
                    "The sort \"{raw}\" is not supported; use id, customer_id, date_created, date_modified, status_id, channel_id or external_id, with :asc or :desc."
                )));
            }
        };
        match dir {
            "asc" => (key, false),
            "desc" => (key, true),
            _ => return Err(bad(format!("The sort direction in \"{raw}\" must be asc or desc."))),
        }
    };
    let origin = origin(&headers);
    let store = shared.store();
    let mut matching: Vec<&Order> = store
        .orders
        .values()
        .filter(|o| {
            min_id.is_none_or(|m| o.id >= m)
                && max_id.is_none_or(|m| o.id <= m)
                && status_id.is_none_or(|s| o.status_id == s)
                && customer_id.is_none_or(|c| o.customer_id == c)
                && channel_id.is_none_or(|c| o.channel_id == c)
                && external_order_id.as_deref().is_none_or(|e| o.external_order_id.as_deref() == Some(e))
                && email.as_deref().is_none_or(|e| {
                    o.billing_address.get("email").and_then(Value::as_str).is_some_and(|b| b.to_lowercase() == e)
                })
                && payment_method.as_deref().is_none_or(|p| o.payment_method == p)
                && min_created.is_none_or(|d| o.date_created >= d)
                && max_created.is_none_or(|d| o.date_created <= d)
                && min_modified.is_none_or(|d| o.date_modified >= d)
                && max_modified.is_none_or(|d| o.date_modified <= d)
        })
        .collect();
    match sort {
        SortKey::Id => {}
        SortKey::CustomerId => matching.sort_by_key(|o| (o.customer_id, o.id)),
        SortKey::DateCreated => matching.sort_by_key(|o| (o.date_created, o.id)),
        SortKey::DateModified => matching.sort_by_key(|o| (o.date_modified, o.id)),
        SortKey::StatusId => matching.sort_by_key(|o| (o.status_id, o.id)),
        SortKey::ChannelId => matching.sort_by_key(|o| (o.channel_id, o.id)),
        SortKey::ExternalId => matching.sort_by_key(|o| o.id),
    }
    if descending {
        matching.reverse();
    }
    let (page, _) = page_of(matching.into_iter(), paging);
    if page.is_empty() {
        // v2 collections answer an empty result with 204 and no body.
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let data: Vec<Value> = page.iter().map(|o| order_json(o, &origin, &shared.config.store_hash)).collect();
    Ok(json_response(StatusCode::OK, &Value::Array(data)))
}

pub async fn count_orders(State(shared): State<Arc<Shared>>) -> Result<Response, ApiError> {
    let store = shared.store();
    let statuses: Vec<Value> = ORDER_STATUSES
        .iter()
        .map(|(id, name, description)| {
            json!({
                "id": id,
                "name": name,
                "system_label": name,
                "custom_label": name,
                "system_description": description,
                "count": store.orders.values().filter(|o| o.status_id == *id).count(),
                "sort_order": id,
            })
        })
        .collect();
    Ok(json_response(StatusCode::OK, &json!({"statuses": statuses, "count": store.orders.len()})))
}

fn order_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().map_err(|_| order_not_found())
}

pub async fn get_order(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = order_id(&raw)?;
    let store = shared.store();
    let o = store.orders.get(&id).ok_or_else(order_not_found)?;
    Ok(json_response(StatusCode::OK, &order_json(o, &origin(&headers), &shared.config.store_hash)))
}

pub async fn update_order(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((_, raw)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = order_id(&raw)?;
    let input: Value = parse_body(&body, Api::V2)?;
    let Some(obj) = input.as_object() else {
        return Err(bad("The request body must be a JSON object of order fields."));
    };
    for field in READ_ONLY_ORDER_FIELDS {
        if obj.contains_key(*field) {
            return Err(bad(format!(
                "The field '{field}' cannot be written to. Please remove it from your request before trying again."
            )));
        }
    }
    if obj.contains_key("products") || obj.contains_key("consignments") {
        return Err(bad("Editing an order's lines is not supported by the emulator; create a new order instead."));
    }
    let status_id = obj.get("status_id").and_then(Value::as_i64);
    if let Some(s) = status_id {
        check_status(s)?;
    }
    let wall = Utc::now();
    let (body, events) = {
        let mut store = shared.store();
        if let Some(c) = obj.get("channel_id").and_then(Value::as_i64) {
            check_channel(&store, c)?;
        }
        let o = store.orders.get_mut(&id).ok_or_else(order_not_found)?;
        if obj.get("external_merchant_id").is_some() && o.external_merchant_id.is_some() {
            return Err(bad("The field 'external_merchant_id' is write-once and already set; it cannot be changed."));
        }
        let previous_status = o.status_id;
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        if let Some(s) = status_id {
            o.status_id = s;
        }
        if let Some(v) = obj.get("external_order_id") {
            o.external_order_id = v.as_str().map(str::to_string);
        }
        if let Some(v) = text("external_merchant_id") {
            o.external_merchant_id = Some(v);
        }
        if let Some(v) = obj.get("external_source") {
            o.external_source = v.as_str().map(str::to_string);
        }
        if let Some(v) = text("staff_notes") {
            o.staff_notes = v;
        }
        if let Some(v) = text("customer_message") {
            o.customer_message = v;
        }
        if let Some(v) = text("payment_method") {
            o.payment_method = v;
        }
        if let Some(c) = obj.get("channel_id").and_then(Value::as_i64) {
            o.channel_id = c;
        }
        if let Some(b) = obj.get("billing_address").and_then(Value::as_object) {
            for (k, v) in b {
                o.billing_address.insert(k.clone(), v.clone());
            }
        }
        o.date_modified = wall;
        let mut events = vec![Event::new("store/order/updated", json!({"type": "order", "id": id}))];
        if previous_status != o.status_id {
            events.push(Event::new(
                "store/order/statusUpdated",
                json!({"type": "order", "id": id, "status": {"previous_status_id": previous_status, "new_status_id": o.status_id}}),
            ));
        }
        (order_json(o, &origin(&headers), &shared.config.store_hash), events)
    };
    shared.emit(events);
    Ok(json_response(StatusCode::OK, &body))
}

pub async fn order_products(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let id = order_id(&raw)?;
    let params = Params::new(q, Api::V2);
    let paging = params.paging(50, 250)?;
    let store = shared.store();
    let o = store.orders.get(&id).ok_or_else(order_not_found)?;
    let (page, _) = page_of(o.lines.iter(), paging);
    if page.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let data: Vec<Value> = page.iter().map(|l| line_json(o, l)).collect();
    Ok(json_response(StatusCode::OK, &Value::Array(data)))
}

pub async fn order_statuses() -> Result<Response, ApiError> {
    let data: Vec<Value> = ORDER_STATUSES
        .iter()
        .map(|(id, name, description)| {
            json!({"id": id, "name": name, "system_label": name, "custom_label": name, "system_description": description, "order": id})
        })
        .collect();
    Ok(json_response(StatusCode::OK, &Value::Array(data)))
}
