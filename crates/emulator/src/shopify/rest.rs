//! REST-shaped JSON for webhook payloads and the admin API: snake_case, numeric ids plus
//! `admin_graphql_api_id`, money as two-decimal strings next to `*_set` twins in shop and
//! presentment money, as Shopify's webhooks carry them.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::model::{
    DiscountKind, DiscountTarget, DiscountValue, FulfillmentRec, LineItemRec, MailingAddress, MoneyBag, OrderRec,
    OrderTotals, ShippingLineRec, ShopData, TaxLineRec, TransactionRec, TxKind, decimal_amount, gid, money, rest_time,
};

/// A `*_set` object: the amount in shop money and in presentment money.
fn money_set(o: &OrderRec, amount: MoneyBag) -> Value {
    json!({
        "shop_money": {"amount": money(amount.shop), "currency_code": o.currency},
        "presentment_money": {"amount": money(amount.presentment), "currency_code": o.presentment_currency},
    })
}

/// A decimal sent as a JSON number, where Shopify's REST payloads use one (tax rates, refund
/// line subtotals: `"rate": 0.05`, `"subtotal": 143.97`). The exact amount travels in the
/// neighbouring string fields; this is only the number's text.
fn json_number(d: Decimal) -> Value {
    d.normalize().to_string().parse::<serde_json::Number>().map_or(Value::Null, Value::Number)
}

fn rest_address(a: &MailingAddress) -> Value {
    json!({
        "first_name": a.first_name,
        "last_name": a.last_name,
        "name": a.name(),
        "company": a.company,
        "address1": a.address1,
        "address2": a.address2,
        "city": a.city,
        "province": a.province,
        "province_code": a.province_code,
        "country": a.country,
        "country_code": a.country_code,
        "zip": a.zip,
        "phone": a.phone,
        "latitude": Value::Null,
        "longitude": Value::Null,
    })
}

fn rest_tax_lines(o: &OrderRec, lines: &[TaxLineRec]) -> Vec<Value> {
    lines
        .iter()
        .map(|t| {
            json!({
                "title": t.title,
                "price": money(t.amount.shop),
                "price_set": money_set(o, t.amount),
                "rate": json_number(t.rate),
                "channel_liable": false,
            })
        })
        .collect()
}

fn rest_discount_application(o: &OrderRec, index: usize) -> Value {
    let Some(d) = o.discount_applications.get(index) else { return Value::Null };
    let (value, value_type) = match d.value {
        DiscountValue::Percentage(p) => (decimal_amount(p), "percentage"),
        DiscountValue::FixedAmount(a) => (decimal_amount(a), "fixed_amount"),
    };
    let mut application = json!({
        "target_type": "line_item",
        "value": value,
        "value_type": value_type,
        "allocation_method": "across",
        "target_selection": match d.target {
            DiscountTarget::Explicit => "explicit",
            DiscountTarget::All => "all",
        },
    });
    let extra = match &d.kind {
        DiscountKind::Manual => json!({"type": "manual", "title": d.title, "description": d.title}),
        DiscountKind::Automatic => json!({"type": "automatic", "title": d.title}),
        DiscountKind::Code(code) => json!({"type": "discount_code", "code": code}),
    };
    if let (Some(a), Value::Object(e)) = (application.as_object_mut(), extra) {
        a.extend(e);
    }
    application
}

/// `discount_codes`: each code application with what it took off the order.
fn rest_discount_codes(o: &OrderRec) -> Vec<Value> {
    o.discount_applications
        .iter()
        .enumerate()
        .filter_map(|(index, d)| {
            let DiscountKind::Code(code) = &d.kind else { return None };
            let amount: MoneyBag = o
                .line_items
                .iter()
                .flat_map(|l| &l.allocations)
                .filter(|a| a.application_index == index)
                .map(|a| a.amount)
                .sum();
            let kind = if matches!(d.value, DiscountValue::Percentage(_)) { "percentage" } else { "fixed_amount" };
            Some(json!({"code": code, "amount": money(amount.shop), "type": kind}))
        })
        .collect()
}

fn rest_shipping_line(o: &OrderRec, s: &ShippingLineRec) -> Value {
    json!({
        "id": s.id,
        "title": s.title,
        "code": s.code,
        "source": "shopify",
        "carrier_identifier": Value::Null,
        "requested_fulfillment_service_id": Value::Null,
        "phone": Value::Null,
        "is_removed": false,
        "price": money(s.price.shop),
        "price_set": money_set(o, s.price),
        "discounted_price": money(s.price.shop),
        "discounted_price_set": money_set(o, s.price),
        "current_discounted_price_set": money_set(o, s.price),
        "tax_lines": rest_tax_lines(o, &s.tax_lines),
        "discount_allocations": [],
    })
}

/// The money fields Shopify repeats for each total: `name` (a shop-money string, as every bare
/// REST amount but a transaction's) and `name_set`.
fn totals_fields(o: &OrderRec, prefix: &str, t: &OrderTotals) -> serde_json::Map<String, Value> {
    let mut fields = serde_json::Map::new();
    let mut put = |name: &str, amount: MoneyBag| {
        fields.insert(format!("{prefix}{name}"), json!(money(amount.shop)));
        fields.insert(format!("{prefix}{name}_set"), money_set(o, amount));
    };
    put("subtotal_price", t.subtotal);
    put("total_discounts", t.discounts);
    put("total_tax", t.tax);
    put("total_price", t.total);
    fields
}

impl ShopData {
    pub fn rest_product(&self, product_id: u64) -> Option<Value> {
        let p = self.products.get(&product_id)?;
        let variants: Vec<Value> = p
            .variant_ids
            .iter()
            .filter_map(|id| self.variants.get(id))
            .map(|v| {
                let options: Vec<Option<&str>> =
                    (0..3).map(|i| v.selected_options.get(i).map(|(_, value)| value.as_str())).collect();
                let quantity: i64 = self
                    .items
                    .get(&v.inventory_item_id)
                    .map(|i| i.levels.values().filter(|l| l.active).map(|l| l.quantities.available).sum())
                    .unwrap_or(0);
                json!({
                    "id": v.id,
                    "product_id": v.product_id,
                    "title": v.title,
                    "price": money(v.price),
                    "position": v.position,
                    "inventory_policy": "deny",
                    "compare_at_price": v.compare_at_price.map(money),
                    "option1": options[0],
                    "option2": options[1],
                    "option3": options[2],
                    "created_at": rest_time(v.created_at),
                    "updated_at": rest_time(v.updated_at),
                    "taxable": true,
                    "barcode": v.barcode,
                    "sku": v.sku,
                    "inventory_item_id": v.inventory_item_id,
                    "inventory_quantity": quantity,
                    "admin_graphql_api_id": gid("ProductVariant", v.id),
                })
            })
            .collect();
        let options: Vec<Value> = p
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| json!({"product_id": p.id, "name": o.name, "position": i + 1, "values": o.values}))
            .collect();
        Some(json!({
            "id": p.id,
            "title": p.title,
            "vendor": p.vendor,
            "handle": p.handle,
            "status": "active",
            "created_at": rest_time(p.created_at),
            "updated_at": rest_time(p.updated_at),
            "variants": variants,
            "options": options,
            "admin_graphql_api_id": gid("Product", p.id),
        }))
    }

    /// A location as `line_items[].origin_location` shows it. The emulated locations have names
    /// only; the address fields keep Shopify's shape with placeholder values.
    fn rest_origin_location(&self, location_id: u64) -> Value {
        let name = self.locations.get(&location_id).map(|l| l.name.clone()).unwrap_or_default();
        json!({
            "id": location_id,
            "name": name,
            "address1": "1 Example Street",
            "address2": "",
            "city": "Example City",
            "province_code": "NY",
            "country_code": "US",
            "zip": "10001",
        })
    }

    fn rest_line_item(&self, l: &LineItemRec, order: &OrderRec) -> Value {
        let allocations: Vec<Value> = l
            .allocations
            .iter()
            .map(|a| {
                json!({
                    "amount": money(a.amount.shop),
                    "amount_set": money_set(order, a.amount),
                    "discount_application_index": a.application_index,
                })
            })
            .collect();
        let properties: Vec<Value> =
            l.properties.iter().map(|(name, value)| json!({"name": name, "value": value})).collect();
        json!({
            "id": l.id,
            "admin_graphql_api_id": gid("LineItem", l.id),
            "variant_id": l.variant_id,
            "product_id": l.product_id,
            "product_exists": l.product_id.is_some_and(|p| self.products.contains_key(&p)),
            "title": l.title,
            "variant_title": l.variant_title,
            "name": l.name(),
            "sku": l.sku,
            "vendor": l.vendor,
            "quantity": l.quantity,
            "current_quantity": l.quantity - order.refunded_quantity(l.id),
            "fulfillable_quantity": order.unfulfilled_quantity(l),
            "fulfillment_status": order.line_fulfillment_status(l),
            "fulfillment_service": "manual",
            "origin_location": order.location_id.map(|loc| self.rest_origin_location(loc)),
            "variant_inventory_management": l.variant_id.map(|_| "shopify"),
            "price": money(l.unit_price.shop),
            "price_set": money_set(order, l.unit_price),
            // Every captured payload (POS and online) leaves this legacy field at 0.00 while
            // `discount_allocations` carries the discounts; a mapper must read the allocations.
            "total_discount": money(Decimal::ZERO),
            "total_discount_set": money_set(order, MoneyBag::ZERO),
            "discount_allocations": allocations,
            "tax_lines": rest_tax_lines(order, &l.tax_lines),
            "taxable": l.taxable,
            // Physical goods "require shipping" even when handed over at the counter.
            "requires_shipping": !l.gift_card,
            "gift_card": l.gift_card,
            "grams": 0,
            "properties": properties,
            "duties": [],
            "attributed_staffs": [],
        })
    }

    fn rest_transaction(&self, t: &TransactionRec, order: &OrderRec) -> Value {
        let card = t.gateway == "shopify_payments";
        let payment_details = card.then(|| {
            json!({
                "credit_card_bin": "424242",
                "avs_result_code": Value::Null,
                "cvv_result_code": Value::Null,
                "credit_card_number": "•••• •••• •••• 4242",
                "credit_card_company": "Visa",
                "buyer_action_info": Value::Null,
                "credit_card_name": Value::Null,
                "credit_card_wallet": Value::Null,
                "credit_card_expiration_month": 12,
                "credit_card_expiration_year": 2030,
                "payment_method_name": "visa",
            })
        });
        let unsettled = |currency: &str| json!({"amount": "0.0", "currency": currency});
        let mut tx = json!({
            "id": t.id,
            "admin_graphql_api_id": gid("OrderTransaction", t.id),
            "order_id": order.id,
            "kind": t.kind.rest(),
            "gateway": t.gateway,
            "status": "success",
            "message": if card { "Transaction approved" } else { "Marked as paid" },
            "authorization": card.then(|| format!("ch_{}", t.id)),
            // Unlike the order's bare amounts (shop money), a transaction's are the customer's,
            // and `currency` says so.
            "amount": money(t.amount.presentment),
            "currency": order.presentment_currency,
            "parent_id": t.parent_id,
            "location_id": t.location_id,
            "device_id": order.device_id,
            "user_id": order.staff_member_id,
            "source_name": order.source_name,
            "payment_id": format!("{}.{}", order.name(), order.transaction_position(t.id)),
            "created_at": rest_time(t.processed_at),
            "processed_at": rest_time(t.processed_at),
            "test": false,
            "error_code": Value::Null,
            "receipt": {},
            "manual_payment_gateway": t.gateway == "cash" || t.gateway == "manual",
            "amount_rounding": t.rounding.map(|r| money(r.presentment)),
            "total_unsettled_set": {"shop_money": unsettled(&order.currency), "presentment_money": unsettled(&order.presentment_currency)},
        });
        if let (Some(obj), Some(details)) = (tx.as_object_mut(), payment_details) {
            obj.insert("payment_details".into(), details);
            if t.kind == TxKind::Refund {
                obj.insert(
                    "payments_refund_attributes".into(),
                    json!({"status": "success", "acquirer_reference_number": Value::Null}),
                );
            }
        }
        tx
    }

    pub fn rest_customer(&self, customer_id: u64) -> Option<Value> {
        let c = self.customers.get(&customer_id)?;
        Some(json!({
            "id": c.id,
            "email": c.email,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "created_at": rest_time(c.created_at),
            "updated_at": rest_time(c.updated_at),
            "state": "disabled",
            "verified_email": true,
            "tax_exempt": false,
            "currency": self.currency,
            "admin_graphql_api_id": gid("Customer", c.id),
        }))
    }

    pub fn rest_order(&self, order_id: u64) -> Option<Value> {
        let o = self.orders.get(&order_id)?;
        let lines: Vec<Value> = o.line_items.iter().map(|l| self.rest_line_item(l, o)).collect();
        let refunds: Vec<Value> = o.refunds.iter().filter_map(|r| self.rest_refund(o.id, r.id)).collect();
        let sold = o.totals();
        let current = o.current_totals();
        let (payment_rounding, refund_rounding) = o.cash_rounding_totals();
        let outstanding = (sold.total - o.total_received()).map(|d| d.max(Decimal::ZERO));
        let mut order = json!({
            "id": o.id,
            "admin_graphql_api_id": gid("Order", o.id),
            "name": o.name(),
            "number": o.number - 1000,
            "order_number": o.number,
            "confirmed": true,
            "created_at": rest_time(o.created_at),
            "updated_at": rest_time(o.updated_at),
            "processed_at": rest_time(o.processed_at),
            "source_name": o.source_name,
            "source_identifier": o.source_identifier,
            "location_id": o.location_id,
            "user_id": o.staff_member_id,
            "device_id": o.device_id,
            "email": o.email,
            "contact_email": o.email,
            "phone": Value::Null,
            "buyer_accepts_marketing": false,
            "currency": o.currency,
            "presentment_currency": o.presentment_currency,
            "financial_status": o.financial_status().to_ascii_lowercase(),
            "fulfillment_status": match o.fulfillment_status() {
                "FULFILLED" => json!("fulfilled"),
                "PARTIALLY_FULFILLED" => json!("partial"),
                "RESTOCKED" => json!("restocked"),
                _ => Value::Null,
            },
            "taxes_included": o.taxes_included,
            "tax_exempt": false,
            "test": false,
            "note": o.note,
            "note_attributes": [],
            "tags": o.tags.join(", "),
            "payment_gateway_names": o.gateways(),
        });
        // Two halves: one json! literal this size exceeds the macro's recursion limit.
        let money_and_parts = json!({
            "total_line_items_price": money(sold.line_items.shop),
            "total_line_items_price_set": money_set(o, sold.line_items),
            "total_shipping_price_set": money_set(o, sold.shipping),
            "current_shipping_price_set": money_set(o, current.shipping),
            "total_tip_received": money(Decimal::ZERO),
            "total_weight": 0,
            "total_outstanding": money(outstanding.shop),
            "total_cash_rounding_payment_adjustment_set": money_set(o, payment_rounding),
            "total_cash_rounding_refund_adjustment_set": money_set(o, refund_rounding),
            "tax_lines": rest_tax_lines(o, &o.tax_lines()),
            "discount_applications": (0..o.discount_applications.len()).map(|i| rest_discount_application(o, i)).collect::<Vec<_>>(),
            "discount_codes": rest_discount_codes(o),
            "line_items": lines,
            "shipping_lines": o.shipping_lines.iter().map(|s| rest_shipping_line(o, s)).collect::<Vec<_>>(),
            "fulfillments": o.fulfillments.iter().map(|f| self.rest_fulfillment(f, o)).collect::<Vec<_>>(),
            "refunds": refunds,
            "customer": o.customer_id.and_then(|c| self.rest_customer(c)),
            "billing_address": o.billing_address.as_ref().map(rest_address),
            "shipping_address": o.shipping_address.as_ref().map(rest_address),
            "cancelled_at": Value::Null,
            "cancel_reason": Value::Null,
            "closed_at": Value::Null,
        });
        if let (Some(target), Value::Object(rest)) = (order.as_object_mut(), money_and_parts) {
            target.extend(rest);
            target.extend(totals_fields(o, "", &sold));
            target.extend(totals_fields(o, "current_", &current));
        }
        Some(order)
    }

    fn rest_fulfillment(&self, f: &FulfillmentRec, order: &OrderRec) -> Value {
        let lines: Vec<Value> = f
            .lines
            .iter()
            .filter_map(|(line_id, quantity)| {
                let line = order.line_items.iter().find(|l| l.id == *line_id)?;
                let mut rest = self.rest_line_item(line, order);
                // A fulfillment lists the units it handed over, not the whole line.
                if let Some(obj) = rest.as_object_mut() {
                    obj.insert("quantity".into(), json!(quantity));
                }
                Some(rest)
            })
            .collect();
        json!({
            "id": f.id,
            "admin_graphql_api_id": gid("Fulfillment", f.id),
            "order_id": order.id,
            "name": f.name,
            "status": "success",
            "service": "manual",
            "location_id": f.location_id,
            "created_at": rest_time(f.created_at),
            "updated_at": rest_time(f.created_at),
            "origin_address": {},
            "receipt": {},
            "shipment_status": Value::Null,
            "tracking_company": Value::Null,
            "tracking_number": Value::Null,
            "tracking_numbers": [],
            "tracking_url": Value::Null,
            "tracking_urls": [],
            "line_items": lines,
        })
    }

    pub fn rest_refund(&self, order_id: u64, refund_id: u64) -> Option<Value> {
        let o = self.orders.get(&order_id)?;
        let r = o.refunds.iter().find(|r| r.id == refund_id)?;
        let lines: Vec<Value> = r
            .lines
            .iter()
            .filter_map(|rl| {
                let li = o.line_items.iter().find(|l| l.id == rl.line_item_id)?;
                Some(json!({
                    "id": rl.id,
                    "line_item_id": rl.line_item_id,
                    "line_item": self.rest_line_item(li, o),
                    "location_id": rl.location_id,
                    "quantity": rl.quantity,
                    "restock_type": rl.restock_type.rest(),
                    // JSON numbers in Shopify's refunds/create payload (the POS capture has
                    // "subtotal": 143.97); the *_set twins carry the exact strings.
                    "subtotal": json_number(rl.subtotal.shop),
                    "subtotal_set": money_set(o, rl.subtotal),
                    "total_tax": json_number(rl.total_tax.shop),
                    "total_tax_set": money_set(o, rl.total_tax),
                }))
            })
            .collect();
        let transactions: Vec<Value> = r.transactions.iter().map(|t| self.rest_transaction(t, o)).collect();
        Some(json!({
            "id": r.id,
            "admin_graphql_api_id": gid("Refund", r.id),
            "order_id": o.id,
            "created_at": rest_time(r.created_at),
            "processed_at": rest_time(r.created_at),
            "note": r.note,
            "restock": r.lines.iter().any(|l| l.restock_type.restocks()),
            "refund_line_items": lines,
            "transactions": transactions,
            "order_adjustments": [],
            "refund_shipping_lines": [],
            "duties": [],
            "total_duties_set": money_set(o, MoneyBag::ZERO),
            "additional_fees": [],
            "total_additional_fees_set": money_set(o, MoneyBag::ZERO),
            "user_id": o.staff_member_id,
            "return": r.return_id.map(|id| json!({"id": id, "admin_graphql_api_id": gid("Return", id)})),
        }))
    }
}
