//! The POS counter and what follows a sale: stock moves from available to committed, the order
//! reads back through GraphQL as Shopify shows POS orders, refunds and returns restock by
//! their restock type, and signed webhooks reach a receiver that checks the HMAC itself.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

mod shopify_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use shopify_common::{STORE, Shop, item_gid, location_gid, start_small};
use tillbridge_emulator::shopify::ShopifyConfig;

#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

/// A webhook receiver on a loopback port that keeps every delivery.
async fn receiver() -> (String, Arc<Mutex<Vec<Received>>>, tokio::task::JoinHandle<()>) {
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hooks",
            post(|State(seen): State<Arc<Mutex<Vec<Received>>>>, headers: HeaderMap, body: Bytes| async move {
                seen.lock().expect("receiver lock").push(Received { headers, body });
                "ok"
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("receiver binds");
    let url = format!("http://{}/hooks", listener.local_addr().expect("receiver address"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen, task)
}

async fn wait_for(seen: &Arc<Mutex<Vec<Received>>>, topic: &str, count: usize) -> Vec<Received> {
    for _ in 0..100 {
        let hits: Vec<Received> = seen
            .lock()
            .expect("receiver lock")
            .iter()
            .filter(|r| r.headers.get("X-Shopify-Topic").is_some_and(|t| t == topic))
            .cloned()
            .collect();
        if hits.len() >= count {
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no {topic} webhook arrived within 2 s")
}

async fn subscribe(shop: &Shop, topic: &str, uri: &str) {
    let body = shop
        .gql(
            "mutation($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) { webhookSubscription { id topic uri } userErrors { message } } }",
            json!({"t": topic, "s": {"uri": uri, "format": "JSON"}}),
        )
        .await;
    assert_eq!(body["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["topic"], topic, "subscribed: {body}");
}

async fn levels(shop: &Shop, variant: u64) -> (i64, i64, i64) {
    let body = shop
        .gql(
            r#"query($i: ID!, $l: ID!) { inventoryItem(id: $i) { inventoryLevel(locationId: $l) { quantities(names: ["available", "committed", "on_hand"]) { name quantity } } } }"#,
            json!({"i": item_gid(variant), "l": location_gid(STORE)}),
        )
        .await;
    let q = &body["data"]["inventoryItem"]["inventoryLevel"]["quantities"];
    (
        q[0]["quantity"].as_i64().unwrap_or(-1),
        q[1]["quantity"].as_i64().unwrap_or(-1),
        q[2]["quantity"].as_i64().unwrap_or(-1),
    )
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
  id name sourceName sourceIdentifier displayFinancialStatus currencyCode taxesIncluded
  retailLocation { id name }
  customer { email defaultEmailAddress { emailAddress } }
  subtotalPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount } }
  totalPriceSet { shopMoney { amount } }
  totalDiscountsSet { shopMoney { amount } }
  totalRefundedSet { shopMoney { amount } }
  lineItems(first: 10) { nodes { id sku quantity currentQuantity variant { id }
    originalUnitPriceSet { shopMoney { amount } }
    taxLines { title rate priceSet { shopMoney { amount } } }
    discountAllocations { allocatedAmountSet { shopMoney { amount } } } } }
  transactions { kind status gateway amountSet { shopMoney { amount } } }
  refunds { id totalRefundedSet { shopMoney { amount } } refundLineItems(first: 5) { nodes { quantity restockType location { id } } } }
  returns(first: 5) { nodes { status returnLineItems(first: 5) { nodes { quantity } } } }
} } }"#;

#[tokio::test]
async fn a_pos_sale_commits_stock_reads_back_as_a_pos_order_and_fires_signed_webhooks() {
    let shop = start_small().await;
    let (url, seen, _task) = receiver().await;
    subscribe(&shop, "ORDERS_CREATE", &url).await;
    subscribe(&shop, "INVENTORY_LEVELS_UPDATE", &url).await;
    assert_eq!(levels(&shop, 2001).await, (10, 0, 10), "before the sale: 10 available, none committed");

    ring_up(&shop).await;
    assert_eq!(levels(&shop, 2001).await, (8, 2, 10), "two units moved from available to committed; on_hand unchanged");

    let body = shop.gql(ORDER, json!({})).await;
    let order = &body["data"]["orders"]["nodes"][0];
    assert_eq!(order["sourceName"], "pos", "POS orders say so");
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
    assert_eq!(payload["total_price"], "48.60", "and money as two-decimal strings");
    assert!(
        payload["admin_graphql_api_id"].as_str().is_some_and(|g| g.starts_with("gid://shopify/Order/")),
        "numeric ids plus the GID"
    );

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
    assert_eq!(levels(&shop, 2001).await, (9, 1, 10), "one unit restocked, once");
    wait_for(&seen, "refunds/create", 1).await;

    let (status, ret) = shop
        .admin_post(
            "/__admin/pos/return",
            json!({"order_id": sale["order"]["id"], "lines": [{"sku": "TEE-S", "quantity": 1, "note": "too small"}]}),
        )
        .await;
    assert_eq!(status, 201, "the counter takes the last unit back: {ret}");
    assert_eq!(levels(&shop, 2001).await, (10, 0, 10), "a RETURN restock puts it back into available");

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
    assert_eq!(levels(&shop, 2001).await, (8, 1, 9), "the kept unit leaves on_hand; nothing returns to available");

    let (status, body) = shop
        .admin_post(
            "/__admin/pos/exchange",
            json!({"order_id": order_id, "return_lines": [{"sku": "TEE-S", "quantity": 1}], "new_lines": [{"sku": "TEE-M", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "an exchange is a return plus a new sale: {body}");
    assert_eq!(body["new_order"]["source_name"], "pos", "the replacement is a new POS order");
    assert_eq!(levels(&shop, 2001).await, (9, 0, 9), "the small one came back");
    assert_eq!(levels(&shop, 2002).await, (7, 1, 8), "the medium one went out");

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
