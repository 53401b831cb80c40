//! The POS counter and what follows a sale: a counter sale is handed over at once (fulfilled,
//! available and on_hand drop) as the real POS capture shows, a ship-from-store sale commits its
//! units until it ships, the order reads back through GraphQL as Shopify shows POS orders,
//! refunds restock by their restock type (CANCEL before fulfilment, RETURN after), and signed
//! webhooks reach a receiver that checks the HMAC itself.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

mod shopify_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use shopify_common::{
    STORE, Shop, item_gid, location_gid, receiver, sample, shape_mismatches, start_small, subscribe, wait_for,
};
use tillbridge_emulator::shopify::ShopifyConfig;

/// One level's quantities by state name, as `InventoryLevel.quantities(names:)` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stock {
    available: i64,
    committed: i64,
    on_hand: i64,
}

const fn stock(available: i64, committed: i64, on_hand: i64) -> Stock {
    Stock { available, committed, on_hand }
}

async fn levels(shop: &Shop, variant: u64) -> Stock {
    let body = shop
        .gql(
            r#"query($i: ID!, $l: ID!) { inventoryItem(id: $i) { inventoryLevel(locationId: $l) { quantities(names: ["on_hand", "committed", "available"]) { name quantity } } } }"#,
            json!({"i": item_gid(variant), "l": location_gid(STORE)}),
        )
        .await;
    let named = |name: &str| {
        body["data"]["inventoryItem"]["inventoryLevel"]["quantities"]
            .as_array()
            .and_then(|q| q.iter().find(|q| q["name"] == name))
            .and_then(|q| q["quantity"].as_i64())
            .unwrap_or_else(|| panic!("the level reports {name}: {body}"))
    };
    Stock { available: named("available"), committed: named("committed"), on_hand: named("on_hand") }
}

async fn ring_up(shop: &Shop) -> Value {
    let (status, sale) = shop
        .admin_post(
            "/__admin/pos/sale",
            json!({
                "location_id": STORE,
                "lines": [{"sku": "TEE-S", "quantity": 2, "discount": "5.00"}],
                "customer_email": "ada@example.com",
                "gateway": "shopify_payments",
                "tax_rate": "0.08"
            }),
        )
        .await;
    assert_eq!(status, 201, "the till accepts the sale: {sale}");
    sale
}

const ORDER: &str = r#"query { orders(first: 5, query: "source_name:pos", sortKey: UPDATED_AT, reverse: true) { nodes {
  id name sourceName sourceIdentifier displayFinancialStatus displayFulfillmentStatus currencyCode taxesIncluded
  fulfillments { name status displayStatus totalQuantity location { id } fulfillmentLineItems(first: 5) { nodes { quantity lineItem { id } } } }
  retailLocation { id name }
  customer { email defaultEmailAddress { emailAddress } }
  subtotalPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount } }
  totalPriceSet { shopMoney { amount } }
  totalDiscountsSet { shopMoney { amount } }
  totalRefundedSet { shopMoney { amount } }
  lineItems(first: 10) { nodes { id sku quantity currentQuantity unfulfilledQuantity variant { id }
    originalUnitPriceSet { shopMoney { amount } }
    taxLines { title rate priceSet { shopMoney { amount } } }
    discountAllocations { allocatedAmountSet { shopMoney { amount } } } } }
  transactions { kind status gateway amountSet { shopMoney { amount } } }
  refunds { id totalRefundedSet { shopMoney { amount } } refundLineItems(first: 5) { nodes { quantity restockType location { id } } } }
  returns(first: 5) { nodes { status returnLineItems(first: 5) { nodes { quantity } } } }
} } }"#;

#[tokio::test]
async fn a_counter_sale_is_handed_over_at_once_reads_back_as_a_pos_order_and_fires_signed_webhooks() {
    let shop = start_small().await;
    let (url, seen, _task) = receiver().await;
    subscribe(&shop, "ORDERS_CREATE", &url).await;
    subscribe(&shop, "ORDERS_FULFILLED", &url).await;
    subscribe(&shop, "INVENTORY_LEVELS_UPDATE", &url).await;
    assert_eq!(
        levels(&shop, 2001).await,
        stock(10, 0, 10),
        "before the sale: 10 available and on hand, none committed"
    );

    ring_up(&shop).await;
    assert_eq!(
        levels(&shop, 2001).await,
        stock(8, 0, 8),
        "the customer walked out with two units: available and on_hand drop at the store, nothing is committed"
    );

    let body = shop.gql(ORDER, json!({})).await;
    let order = &body["data"]["orders"]["nodes"][0];
    assert_eq!(order["sourceName"], "pos", "POS orders say so");
    assert_eq!(order["displayFulfillmentStatus"], "FULFILLED", "a counter sale is fulfilled at the counter");
    let fulfillment = &order["fulfillments"][0];
    assert_eq!(fulfillment["status"], "SUCCESS", "one successful fulfillment exists: {order}");
    assert_eq!(fulfillment["displayStatus"], "FULFILLED", "and shows as fulfilled");
    assert_eq!(fulfillment["location"]["id"], location_gid(STORE), "handed over at the till's location");
    assert_eq!(fulfillment["totalQuantity"], 2, "both units");
    assert_eq!(
        fulfillment["fulfillmentLineItems"]["nodes"][0]["lineItem"]["id"], order["lineItems"]["nodes"][0]["id"],
        "the fulfillment line points at the sold line"
    );
    assert_eq!(order["lineItems"]["nodes"][0]["unfulfilledQuantity"], 0, "nothing is left to fulfil");
    assert_eq!(order["retailLocation"]["id"], location_gid(STORE), "and where they were rung up");
    assert_eq!(order["displayFinancialStatus"], "PAID", "a counter sale is paid at once");
    assert_eq!(
        order["customer"]["defaultEmailAddress"]["emailAddress"], "ada@example.com",
        "the customer was attached by email"
    );
    assert_eq!(
        order["subtotalPriceSet"]["shopMoney"],
        json!({"amount": "45.0", "currencyCode": "USD"}),
        "2 × 25.00 − 5.00, as a decimal string"
    );
    assert_eq!(order["totalTaxSet"]["shopMoney"]["amount"], "3.6", "8% of 45.00");
    assert_eq!(order["totalPriceSet"]["shopMoney"]["amount"], "48.6", "subtotal plus tax");
    let line = &order["lineItems"]["nodes"][0];
    assert_eq!(line["variant"]["id"], "gid://shopify/ProductVariant/2001", "the line points at the sold variant");
    assert_eq!(line["taxLines"][0]["rate"], 0.08, "tax lines carry their rate");
    assert_eq!(
        line["discountAllocations"][0]["allocatedAmountSet"]["shopMoney"]["amount"], "5.0",
        "and the discount allocation"
    );
    assert_eq!(
        order["transactions"][0],
        json!({"kind": "SALE", "status": "SUCCESS", "gateway": "shopify_payments", "amountSet": {"shopMoney": {"amount": "48.6"}}}),
        "one successful sale transaction"
    );

    let created = wait_for(&seen, "orders/create", 1).await;
    let delivery = &created[0];
    let secret = ShopifyConfig::default().webhook_secret;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length works for HMAC");
    mac.update(&delivery.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(
        delivery.headers.get("X-Shopify-Hmac-Sha256").and_then(|h| h.to_str().ok()),
        Some(expected.as_str()),
        "the signature is base64(HMAC-SHA256(client secret, raw body)), verified independently"
    );
    for header in [
        "X-Shopify-Shop-Domain",
        "X-Shopify-API-Version",
        "X-Shopify-Webhook-Id",
        "X-Shopify-Event-Id",
        "X-Shopify-Triggered-At",
    ] {
        assert!(delivery.headers.contains_key(header), "{header} is on every delivery");
    }
    let payload: Value = serde_json::from_slice(&delivery.body).unwrap_or_default();
    assert_eq!(payload["source_name"], "pos", "the payload is the REST-shaped order");
    assert_eq!(payload["line_items"][0]["sku"], "TEE-S", "with snake_case line items");
    assert_eq!(
        payload["line_items"][0]["fulfillment_status"], "fulfilled",
        "the sold line is fulfilled, as in the POS capture"
    );
    assert_eq!(payload["line_items"][0]["fulfillable_quantity"], 0, "with nothing left to fulfil");
    assert_eq!(payload["fulfillment_status"], "fulfilled", "and so is the order");
    assert_eq!(payload["fulfillments"][0]["status"], "success", "its fulfillment is in the payload");
    assert_eq!(payload["fulfillments"][0]["location_id"], STORE, "from the till's location");
    assert_eq!(payload["total_price"], "48.60", "and money as two-decimal strings");
    assert!(
        payload["admin_graphql_api_id"].as_str().is_some_and(|g| g.starts_with("gid://shopify/Order/")),
        "numeric ids plus the GID"
    );

    let fulfilled = wait_for(&seen, "orders/fulfilled", 1).await;
    let payload: Value = serde_json::from_slice(&fulfilled[0].body).unwrap_or_default();
    assert_eq!(payload["fulfillment_status"], "fulfilled", "orders/fulfilled fires for the counter sale");

    let level_update = wait_for(&seen, "inventory_levels/update", 1).await;
    let payload: Value = serde_json::from_slice(&level_update[0].body).unwrap_or_default();
    assert_eq!(payload["available"], 8, "the level update carries the new available count");
    assert_eq!(payload["location_id"], STORE, "for the till's location");
}

#[tokio::test]
async fn refunds_are_idempotent_and_returns_put_stock_back() {
    let shop = start_small().await;
    let (url, seen, _task) = receiver().await;
    subscribe(&shop, "REFUNDS_CREATE", &url).await;
    let sale = ring_up(&shop).await;
    let order_gid = sale["order"]["admin_graphql_api_id"].as_str().unwrap_or_default().to_string();
    let line_gid = sale["order"]["line_items"][0]["admin_graphql_api_id"].as_str().unwrap_or_default().to_string();

    let refund = r#"mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "refund-1") {
        refund { id totalRefundedSet { shopMoney { amount } } } order { displayFinancialStatus } userErrors { field message } } }"#;
    let input = json!({"input": {
        "orderId": order_gid,
        "note": "one shirt too many",
        "refundLineItems": [{"lineItemId": line_gid, "quantity": 1, "restockType": "RETURN", "locationId": location_gid(STORE)}],
        "transactions": [{"orderId": order_gid, "amount": "24.30", "gateway": "shopify_payments", "kind": "REFUND"}]
    }});
    let first = shop.gql(refund, input.clone()).await;
    let again = shop.gql(refund, input).await;
    assert_eq!(
        first["data"]["refundCreate"]["refund"]["id"], again["data"]["refundCreate"]["refund"]["id"],
        "the replayed key returns the same refund"
    );
    assert_eq!(
        first["data"]["refundCreate"]["order"]["displayFinancialStatus"], "PARTIALLY_REFUNDED",
        "half the money went back"
    );
    assert_eq!(
        levels(&shop, 2001).await,
        stock(9, 0, 9),
        "one handed-over unit came back into available and on_hand, once"
    );
    wait_for(&seen, "refunds/create", 1).await;

    let (status, ret) = shop
        .admin_post(
            "/__admin/pos/return",
            json!({"order_id": sale["order"]["id"], "lines": [{"sku": "TEE-S", "quantity": 1, "note": "too small"}]}),
        )
        .await;
    assert_eq!(status, 201, "the counter takes the last unit back: {ret}");
    assert_eq!(levels(&shop, 2001).await, stock(10, 0, 10), "a RETURN restock puts it back into available and on_hand");

    let body = shop.gql(ORDER, json!({})).await;
    let order = &body["data"]["orders"]["nodes"][0];
    assert_eq!(order["displayFinancialStatus"], "REFUNDED", "everything was paid back");
    assert_eq!(order["totalRefundedSet"]["shopMoney"]["amount"], "48.6", "24.30 by refundCreate + 24.30 by the return");
    assert_eq!(order["lineItems"]["nodes"][0]["currentQuantity"], 0, "no units left on the line");
    assert_eq!(
        order["returns"]["nodes"][0]["status"], "CLOSED",
        "the counter return is visible on the order, processed"
    );
    assert_eq!(order["returns"]["nodes"][0]["returnLineItems"]["nodes"][0]["quantity"], 1, "with its line");
    assert_eq!(
        order["refunds"][1]["refundLineItems"]["nodes"][0]["restockType"], "RETURN",
        "the return's refund restocks as RETURN"
    );
    let hits = wait_for(&seen, "refunds/create", 2).await;
    let payload: Value = serde_json::from_slice(&hits[1].body).unwrap_or_default();
    assert!(
        payload["return"]["admin_graphql_api_id"].as_str().is_some_and(|g| g.starts_with("gid://shopify/Return/")),
        "the refund payload links its return"
    );

    let over = json!({"input": {"orderId": order_gid, "refundLineItems": [{"lineItemId": line_gid, "quantity": 1}]}});
    let body = shop.gql(&refund.replace("refund-1", "refund-2"), over).await;
    assert!(
        body["data"]["refundCreate"]["userErrors"][0]["message"].as_str().is_some_and(|m| m.contains("0 of 2")),
        "refunding more than is left is refused with the numbers: {body}"
    );
}

#[tokio::test]
async fn refunds_without_restock_exchanges_and_manual_adjustments_move_stock_as_a_till_does() {
    let shop = start_small().await;
    let sale = ring_up(&shop).await;
    let order_id = sale["order"]["id"].clone();
    let (status, body) = shop
        .admin_post(
            "/__admin/pos/refund",
            json!({"order_id": order_id, "lines": [{"sku": "TEE-S", "quantity": 1, "restock": false}]}),
        )
        .await;
    assert_eq!(status, 201, "a refund without restock: {body}");
    assert_eq!(
        body["refund"]["refund_line_items"][0]["restock_type"], "no_restock",
        "REST payload names the restock type"
    );
    assert_eq!(
        levels(&shop, 2001).await,
        stock(8, 0, 8),
        "the customer kept the unit: it left with the sale and nothing comes back"
    );

    let (status, body) = shop
        .admin_post(
            "/__admin/pos/exchange",
            json!({"order_id": order_id, "return_lines": [{"sku": "TEE-S", "quantity": 1}], "new_lines": [{"sku": "TEE-M", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "an exchange is a return plus a new sale: {body}");
    assert_eq!(body["new_order"]["source_name"], "pos", "the replacement is a new POS order");
    assert_eq!(levels(&shop, 2001).await, stock(9, 0, 9), "the small one came back");
    assert_eq!(levels(&shop, 2002).await, stock(7, 0, 7), "the medium one went out over the counter");

    let (status, body) =
        shop.admin_post("/__admin/pos/adjust", json!({"location_id": STORE, "sku": "MUG-1", "delta": -2})).await;
    assert_eq!((status, body["available"].clone()), (200, json!(1)), "a count correction changes available: {body}");
    let (status, body) = shop
        .admin_post("/__admin/pos/sale", json!({"location_id": STORE, "lines": [{"sku": "TEE-L", "quantity": 1}]}))
        .await;
    assert_eq!(status, 422, "the large tee is not stocked at the store");
    assert!(
        body["error"].as_str().is_some_and(|m| m.contains("inventoryActivate")),
        "and the error says what to do: {body}"
    );
    let orders = shop.admin_get("/__admin/orders").await;
    assert_eq!(orders["orders"].as_array().map(Vec::len), Some(2), "the admin view holds both orders");
    assert_eq!(orders["orders"][0]["returns"][0]["status"], "closed", "with the return on the original");
}

async fn ship_from_store(shop: &Shop, sku: &str, quantity: i64) -> Value {
    let (status, sale) = shop
        .admin_post(
            "/__admin/pos/sale",
            json!({"location_id": STORE, "lines": [{"sku": sku, "quantity": quantity}], "gateway": "shopify_payments", "ship_from_store": true}),
        )
        .await;
    assert_eq!(status, 201, "the till accepts a ship-from-store sale: {sale}");
    sale
}

#[tokio::test]
async fn a_ship_from_store_sale_commits_units_until_it_ships_and_refunds_cancel_before_and_return_after() {
    let shop = start_small().await;
    let sale = ship_from_store(&shop, "TEE-S", 2).await;
    assert_eq!(
        levels(&shop, 2001).await,
        stock(8, 2, 10),
        "the units wait at the store: committed up, available down, on_hand unchanged"
    );
    let line = &sale["order"]["line_items"][0];
    assert_eq!(line["fulfillment_status"], Value::Null, "the line is not fulfilled yet");
    assert_eq!(line["fulfillable_quantity"], 2, "both units are still to be shipped");
    assert_eq!(sale["order"]["fulfillment_status"], Value::Null, "nor is the order");
    assert_eq!(sale["order"]["fulfillments"], json!([]), "and no fulfillment exists");
    let body = shop.gql(ORDER, json!({})).await;
    assert_eq!(body["data"]["orders"]["nodes"][0]["displayFulfillmentStatus"], "UNFULFILLED", "GraphQL agrees: {body}");
    assert_eq!(body["data"]["orders"]["nodes"][0]["lineItems"]["nodes"][0]["unfulfilledQuantity"], 2, "two units wait");

    let order_id = sale["order"]["id"].clone();
    let (status, refund) = shop
        .admin_post(
            "/__admin/pos/refund",
            json!({"order_id": order_id, "lines": [{"sku": "TEE-S", "quantity": 1, "restock": true}]}),
        )
        .await;
    assert_eq!(status, 201, "one unit is refunded before it ships: {refund}");
    assert_eq!(
        refund["refund"]["refund_line_items"][0]["restock_type"], "cancel",
        "a unit never handed over is cancelled, not returned"
    );
    assert_eq!(
        levels(&shop, 2001).await,
        stock(9, 1, 10),
        "the cancelled unit leaves committed for available; on_hand is unchanged"
    );
    assert_eq!(refund["order"]["line_items"][0]["fulfillable_quantity"], 1, "one unit is left to ship");

    let (status, shipped) = shop.admin_post("/__admin/pos/fulfill", json!({"order_id": order_id})).await;
    assert_eq!(status, 201, "the rest ships: {shipped}");
    assert_eq!(levels(&shop, 2001).await, stock(9, 0, 9), "the shipped unit leaves committed and on_hand");
    assert_eq!(shipped["order"]["fulfillment_status"], "fulfilled", "nothing is left to ship");
    assert_eq!(
        shipped["order"]["fulfillments"][0]["line_items"][0]["quantity"], 1,
        "the fulfillment holds the one unit shipped"
    );
    let (status, again) = shop.admin_post("/__admin/pos/fulfill", json!({"order_id": order_id})).await;
    assert_eq!(status, 422, "a fulfilled order has nothing more to ship: {again}");

    let (status, refund) = shop
        .admin_post(
            "/__admin/pos/refund",
            json!({"order_id": order_id, "lines": [{"sku": "TEE-S", "quantity": 1, "restock": true}]}),
        )
        .await;
    assert_eq!(status, 201, "the shipped unit comes back: {refund}");
    assert_eq!(refund["refund"]["refund_line_items"][0]["restock_type"], "return", "a handed-over unit is returned");
    assert_eq!(levels(&shop, 2001).await, stock(10, 0, 10), "and goes back into available and on_hand at the store");
}

/// refundCreate under a fresh idempotency key (mandatory from 2026-04).
fn refund_create(key: &str) -> String {
    format!(
        r#"mutation($input: RefundInput!) {{ refundCreate(input: $input) @idempotent(key: "{key}") {{
    refund {{ refundLineItems(first: 5) {{ nodes {{ quantity restockType restocked }} }} }} userErrors {{ field message }} }} }}"#
    )
}

fn refund_input(sale: &Value, restock_type: &str) -> Value {
    json!({"input": {
        "orderId": sale["order"]["admin_graphql_api_id"],
        "refundLineItems": [{"lineItemId": sale["order"]["line_items"][0]["admin_graphql_api_id"], "quantity": 1, "restockType": restock_type, "locationId": location_gid(STORE)}]
    }})
}

#[tokio::test]
async fn refund_create_refuses_a_restock_type_that_does_not_fit_the_units_fulfilment() {
    let shop = start_small().await;
    let waiting = ship_from_store(&shop, "TEE-S", 2).await;
    let body = shop.gql(&refund_create("restock-1"), refund_input(&waiting, "RETURN")).await;
    let error = &body["data"]["refundCreate"]["userErrors"][0];
    assert_eq!(
        error["field"],
        json!(["refundLineItems", "0", "restockType"]),
        "RETURN of an unshipped unit is refused on the restock type: {body}"
    );
    assert!(
        error["message"].as_str().is_some_and(|m| m.contains("CANCEL")),
        "and the message names the type to use: {body}"
    );
    assert_eq!(levels(&shop, 2001).await, stock(8, 2, 10), "a refused refund moves no stock");

    let body = shop.gql(&refund_create("restock-2"), refund_input(&waiting, "CANCEL")).await;
    assert_eq!(
        body["data"]["refundCreate"]["refund"]["refundLineItems"]["nodes"][0],
        json!({"quantity": 1, "restockType": "CANCEL", "restocked": true}),
        "CANCEL fits an unshipped unit: {body}"
    );
    assert_eq!(levels(&shop, 2001).await, stock(9, 1, 10), "CANCEL releases the committed unit into available");

    let handed_over = ring_up(&shop).await;
    let body = shop.gql(&refund_create("restock-3"), refund_input(&handed_over, "CANCEL")).await;
    let error = &body["data"]["refundCreate"]["userErrors"][0];
    assert!(
        error["message"].as_str().is_some_and(|m| m.contains("RETURN")),
        "CANCEL of a handed-over unit is refused, naming RETURN: {body}"
    );
    assert_eq!(
        levels(&shop, 2001).await,
        stock(7, 1, 8),
        "the counter sale took two units off the shelf; the refusal moved nothing"
    );

    let body = shop.gql(&refund_create("restock-4"), refund_input(&handed_over, "NO_RESTOCK")).await;
    assert_eq!(
        body["data"]["refundCreate"]["refund"]["refundLineItems"]["nodes"][0]["restockType"], "NO_RESTOCK",
        "a refund without restock: {body}"
    );
    assert_eq!(levels(&shop, 2001).await, stock(7, 1, 8), "the customer keeps the handed-over unit: no stock moves");
}

/// Drops the `scrubbed` markers the capture's publisher left where card and receipt fields
/// were removed: they are not Shopify fields.
fn without_scrub_markers(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(k, _)| *k != "scrubbed").map(|(k, v)| (k.clone(), without_scrub_markers(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_scrub_markers).collect()),
        other => other.clone(),
    }
}

#[tokio::test]
async fn a_counter_return_emits_a_refunds_create_webhook_shaped_like_the_pos_capture() {
    let shop = start_small().await;
    let (url, seen, _task) = receiver().await;
    subscribe(&shop, "REFUNDS_CREATE", &url).await;
    let sale = ring_up(&shop).await;
    let (status, ret) = shop
        .admin_post(
            "/__admin/pos/return",
            json!({"order_id": sale["order"]["id"], "lines": [{"sku": "TEE-S", "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, 201, "both units come back over the counter: {ret}");
    assert_eq!(
        levels(&shop, 2001).await,
        stock(10, 0, 10),
        "a return of handed-over units restocks available and on_hand"
    );

    let hits = wait_for(&seen, "refunds/create", 1).await;
    let payload: Value = serde_json::from_slice(&hits[0].body).unwrap_or_default();
    let refund_line = &payload["refund_line_items"][0];
    assert_eq!(refund_line["restock_type"], "return", "units handed over at the counter come back as RETURN");
    assert_eq!(refund_line["location_id"], STORE, "restocked at the till's location");
    assert_eq!(
        refund_line["line_item"]["fulfillment_status"], "fulfilled",
        "the refunded line was fulfilled at the counter"
    );
    assert_eq!(refund_line["line_item"]["fulfillable_quantity"], 0, "with nothing left to fulfil");
    assert_eq!(payload["transactions"][0]["source_name"], "pos", "the refund transaction is a POS one");
    assert_eq!(
        payload["transactions"][0]["user_id"], payload["user_id"],
        "taken by the same staff member as the refund"
    );
    assert!(payload["user_id"].is_u64(), "a POS refund names its staff member: {payload}");

    let Some(capture) = sample("webhook_refunds_create_POS_capture_2024_scrubbed.json") else { return };
    let capture = without_scrub_markers(&capture);
    let capture_line = &capture["refund_line_items"][0];
    assert_eq!(refund_line["restock_type"], capture_line["restock_type"], "the capture's counter return is RETURN too");
    assert_eq!(
        refund_line["line_item"]["fulfillment_status"], capture_line["line_item"]["fulfillment_status"],
        "the capture's line is fulfilled"
    );
    assert_eq!(
        refund_line["line_item"]["fulfillable_quantity"], capture_line["line_item"]["fulfillable_quantity"],
        "with 0 fulfillable"
    );
    let problems = shape_mismatches(&capture, &payload, "refund");
    assert!(
        problems.is_empty(),
        "the refunds/create payload departs from the POS capture's shape:\n{}\npayload: {payload}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_the_same_event_and_webhook_ids() {
    let shop = start_small().await;
    let attempts: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let app = axum::Router::new()
        .route(
            "/flaky",
            post(|State(attempts): State<Arc<Mutex<Vec<HeaderMap>>>>, headers: HeaderMap| async move {
                let mut seen = attempts.lock().expect("receiver lock");
                seen.push(headers);
                // Fail the first two attempts, as a receiver that is briefly down would.
                if seen.len() <= 2 { axum::http::StatusCode::SERVICE_UNAVAILABLE } else { axum::http::StatusCode::OK }
            }),
        )
        .with_state(attempts.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("receiver binds");
    let url = format!("http://{}/flaky", listener.local_addr().expect("receiver address"));
    let _task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    subscribe(&shop, "ORDERS_CREATE", &url).await;
    ring_up(&shop).await;
    for _ in 0..150 {
        if attempts.lock().expect("receiver lock").len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = attempts.lock().expect("receiver lock").clone();
    assert_eq!(seen.len(), 3, "two failures, then the delivery that succeeds");
    let ids = |name: &str| {
        seen.iter()
            .map(|h| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    let events = ids("X-Shopify-Event-Id");
    assert!(
        events.iter().all(|e| !e.is_empty() && *e == events[0]),
        "retries keep the event id clients dedupe on: {events:?}"
    );
    let hooks = ids("X-Shopify-Webhook-Id");
    assert!(hooks.iter().all(|w| *w == hooks[0]), "and the delivery's webhook id: {hooks:?}");
    let deliveries = shop.admin_get("/__admin/webhooks").await;
    assert_eq!(deliveries["deliveries"][0]["attempts"], 3, "the admin view counts the attempts: {deliveries}");
}
