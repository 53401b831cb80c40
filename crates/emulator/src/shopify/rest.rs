//! REST-shaped JSON for webhook payloads and the admin API: snake_case, numeric ids plus
//! `admin_graphql_api_id`, money as two-decimal strings, as Shopify's webhooks carry them.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::model::{
    FulfillmentRec, LineItemRec, OrderRec, ShopData, TaxLineRec, TransactionRec, TxKind, gid, money, rest_time,
};

impl ShopData {
    pub fn rest_money_set(&self, amount: Decimal) -> Value {
        let m = json!({"amount": money(amount), "currency_code": self.currency});
        json!({"shop_money": m.clone(), "presentment_money": m})
    }

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

    fn rest_tax_lines(&self, lines: &[TaxLineRec]) -> Vec<Value> {
        lines
            .iter()
            .map(|t| {
                json!({
                    "title": t.title,
                    "price": money(t.amount),
                    "price_set": self.rest_money_set(t.amount),
                    // A rate, not money: REST sends it as a JSON number (0.05).
                    "rate": t.rate.to_string().parse::<f64>().unwrap_or_default(),
                    "channel_liable": false,
                })
            })
            .collect()
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
        let allocations: Vec<Value> = if l.discount.is_zero() {
            vec![]
        } else {
            vec![
                json!({"amount": money(l.discount), "amount_set": self.rest_money_set(l.discount), "discount_application_index": 0}),
            ]
        };
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
            "price": money(l.unit_price),
            "price_set": self.rest_money_set(l.unit_price),
            "total_discount": money(l.discount),
            "total_discount_set": self.rest_money_set(l.discount),
            "discount_allocations": allocations,
            "tax_lines": self.rest_tax_lines(&l.tax_lines),
            "taxable": !l.tax_lines.is_empty(),
            // Physical goods: a counter sale hands them over, but they still "require shipping".
            "requires_shipping": true,
            "gift_card": false,
            "grams": 0,
            "properties": [],
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
        let unsettled = json!({"amount": "0.0", "currency": self.currency});
        let mut tx = json!({
            "id": t.id,
            "admin_graphql_api_id": gid("OrderTransaction", t.id),
            "order_id": order.id,
            "kind": t.kind.rest(),
            "gateway": t.gateway,
            "status": "success",
            "message": if card { "Transaction approved" } else { "Marked as paid" },
            "authorization": card.then(|| format!("ch_{}", t.id)),
            "amount": money(t.amount),
            "currency": self.currency,
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
            "manual_payment_gateway": !card,
            "amount_rounding": Value::Null,
            "total_unsettled_set": {"shop_money": unsettled.clone(), "presentment_money": unsettled},
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
        let total_line_items: Decimal = o.line_items.iter().map(LineItemRec::original_total).sum();
        let current_total = o.total_price() - o.total_refunded();
        let mut order = json!({
            "id": o.id,
            "admin_graphql_api_id": gid("Order", o.id),
            "name": o.name(),
            "number": o.number - 1000,
            "order_number": o.number,
            "created_at": rest_time(o.created_at),
            "updated_at": rest_time(o.updated_at),
            "processed_at": rest_time(o.processed_at),
            "source_name": o.source_name,
            "source_identifier": o.source_identifier,
            "location_id": o.location_id,
            "email": o.email,
            "contact_email": o.email,
            "currency": o.currency,
            "presentment_currency": o.currency,
            "financial_status": o.financial_status().to_ascii_lowercase(),
            "fulfillment_status": match o.fulfillment_status() {
                "FULFILLED" => json!("fulfilled"),
                "PARTIALLY_FULFILLED" => json!("partial"),
                "RESTOCKED" => json!("restocked"),
                _ => Value::Null,
            },
            "user_id": o.staff_member_id,
            "device_id": o.device_id,
            "taxes_included": false,
            "test": false,
            "note": o.note,
            "payment_gateway_names": o.gateways(),
        });
        let money_fields = json!({
            "subtotal_price": money(o.subtotal()),
            "subtotal_price_set": self.rest_money_set(o.subtotal()),
            "total_line_items_price": money(total_line_items),
            "total_line_items_price_set": self.rest_money_set(total_line_items),
            "total_discounts": money(o.total_discounts()),
            "total_discounts_set": self.rest_money_set(o.total_discounts()),
            "total_tax": money(o.total_tax()),
            "total_tax_set": self.rest_money_set(o.total_tax()),
            "total_price": money(o.total_price()),
            "total_price_set": self.rest_money_set(o.total_price()),
            "current_total_price": money(current_total),
            "current_total_price_set": self.rest_money_set(current_total),
            "total_outstanding": money((o.total_price() - o.total_received()).max(Decimal::ZERO)),
            "tax_lines": self.rest_tax_lines(&o.tax_lines()),
            "line_items": lines,
            "refunds": refunds,
            "fulfillments": o.fulfillments.iter().map(|f| self.rest_fulfillment(f, o)).collect::<Vec<_>>(),
            "customer": o.customer_id.and_then(|c| self.rest_customer(c)),
            "discount_codes": [],
            "cancelled_at": Value::Null,
            "cancel_reason": Value::Null,
            "closed_at": Value::Null,
        });
        if let (Some(target), Value::Object(extra)) = (order.as_object_mut(), money_fields) {
            target.extend(extra);
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
                    // These two are JSON numbers in Shopify's refunds/create payload (the POS
                    // sample shows "subtotal": 143.97); the *_set twins carry exact strings.
                    "subtotal": rl.subtotal.to_string().parse::<f64>().unwrap_or_default(),
                    "subtotal_set": self.rest_money_set(rl.subtotal),
                    "total_tax": rl.total_tax.to_string().parse::<f64>().unwrap_or_default(),
                    "total_tax_set": self.rest_money_set(rl.total_tax),
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
            "total_duties_set": self.rest_money_set(Decimal::ZERO),
            "additional_fees": [],
            "total_additional_fees_set": self.rest_money_set(Decimal::ZERO),
            "user_id": o.staff_member_id,
            "return": r.return_id.map(|id| json!({"id": id, "admin_graphql_api_id": gid("Return", id)})),
        }))
    }
}
